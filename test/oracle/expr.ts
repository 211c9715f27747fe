/**
 * Expression differential, real side: make the real ovn-controller 25.03 compile OVN match
 * expressions and give its OpenFlow back in test-ovn's `expr-to-flows` line format.
 *
 * How: a logical switch `udnc-expr` with one bound dummy VIF is created through NB (so northd
 * makes a genuine, local Datapath_Binding). Then northd is paused and the expressions are written
 * straight into SB as Logical_Flow rows on that datapath — egress table 16 (OpenFlow table 61,
 * which no 25.03 switch stage uses; on request ingress 29 = OpenFlow 37), one priority per expression, action `next;` (no
 * prerequisites) — together with the environment: Port_Binding rows for ports with keys
 * 1..32767, Multicast_Group rows for keys 32768..65535, SB Port_Group rows `<dpkey>_<name>` and
 * Address_Set rows. One SB nb_cfg handshake later, every flow at OpenFlow table 61 is an
 * expression's flow and its priority says which. All rows are then deleted and northd resumed.
 */
import { readFileSync, statSync } from 'node:fs';
import type { OvnSandbox } from './ovn.js';

export interface ExprEnv {
  addressSets: Record<string, string[]>;
  portGroups: Record<string, string[]>;
  ports: Record<string, number>;
}

export interface RealExprResult {
  match: string;
  /** test-ovn format, sorted; ["(no flows)"] when nothing matches. Conj ids local (1..n). */
  flows: string[];
  /** ovn-controller's parse error for this match, if it rejected it. */
  error?: string;
  /** The OpenFlow lines as dumped (for debugging). */
  raw: string[];
}

const EXPR_SWITCH = 'udnc-expr';
const EXPR_VIF = 'udnc-expr-vif';
const EXPR_VIF_KEY = 32767;
/**
 * Logical tables for the expressions. Egress 16 = OpenFlow 61 is unused by 25.03 switches
 * (ls_out 0-12). Ingress has no free table the controller accepts (ls_in uses 0-29, and 30+ is
 * not installed), so ingress shares ls_in_l2_unknown (29 = OpenFlow 37, northd priorities 0 and
 * 50); expression priorities skip whatever is already there.
 */
const EXPR_TABLES = {
  egress: { table: 16, of: 45 + 16, actions: 'next;' },
  // `next;` is an action parse error in the last ingress table; `drop;` has no prerequisites either.
  ingress: { table: 29, of: 8 + 29, actions: 'drop;' },
} as const;
export const EXPR_OF_TABLE = EXPR_TABLES.egress.of;
const PRIORITY_BASE = 1000;
/** Priorities printed by dump-flows: 32768 (OFP_DEFAULT_PRIORITY) is left out of the text. */
const OFP_DEFAULT_PRIORITY = 32768;

interface ExprDatapath {
  uuid: string;
  key: number;
}

const datapaths = new WeakMap<OvnSandbox, Promise<ExprDatapath>>();

function setup(sb: OvnSandbox): Promise<ExprDatapath> {
  let p = datapaths.get(sb);
  if (!p) {
    p = (async () => {
      await sb.resumeNorthd();
      await sb.nbctl('--may-exist', 'ls-add', EXPR_SWITCH, '--', '--may-exist', 'lsp-add', EXPR_SWITCH, EXPR_VIF,
        '--', 'lsp-set-options', EXPR_VIF, `requested-tnl-key=${EXPR_VIF_KEY}`);
      await sb.addVif(EXPR_VIF, EXPR_VIF);
      await sb.sync();
      const out = (await sb.sbctl('--bare', '--columns=_uuid,tunnel_key', 'find', 'Datapath_Binding',
        `external_ids:name=${EXPR_SWITCH}`)).trim().split(/\s+/);
      if (out.length !== 2) throw new Error(`no Datapath_Binding for ${EXPR_SWITCH}: ${out.join(' ')}`);
      // Parse errors are logged rate-limited; a batch can have many.
      await sb.appctl('controller', 'vlog/disable-rate-limit', 'lflow');
      return { uuid: out[0]!, key: Number(out[1]) };
    })();
    datapaths.set(sb, p);
  }
  return p;
}

/** n priorities from PRIORITY_BASE up, avoiding 32768 and those already used in the table. */
function priorities(n: number, used: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let p = PRIORITY_BASE; out.length < n; p++) {
    if (p > 65535) throw new Error('too many expressions for one batch');
    if (p !== OFP_DEFAULT_PRIORITY && !used.has(p)) out.push(p);
  }
  return out;
}

const sset = (xs: readonly string[]): unknown => ['set', [...xs]];

/** Compiles one match with the real ovn-controller; test-ovn line format. */
export async function realExprToFlows(sb: OvnSandbox, match: string, env: ExprEnv): Promise<string[]> {
  const [r] = await realExprToFlowsBatch(sb, [match], env);
  if (r!.error) throw new Error(r!.error);
  return r!.flows;
}

/** Compiles many matches (same environment) in one SB transaction and one sync. */
export interface RealExprOptions {
  /**
   * Env ports bound as local VIFs (default: all with keys <= 32767). The real controller expands
   * a port group only to its local members, so fewer local ports = what a chassis really sees.
   */
  localPorts?: readonly string[];
  /**
   * Pipeline of the lflows (default egress). It matters only for locality: a switch flow pinning
   * the outport (egress) or inport (ingress) to a non-local port is not installed.
   */
  pipeline?: 'ingress' | 'egress';
}

export async function realExprToFlowsBatch(
  sb: OvnSandbox, matches: readonly string[], env: ExprEnv, opts: RealExprOptions = {},
): Promise<RealExprResult[]> {
  if (matches.length > 60_000) throw new Error('too many expressions for one batch');
  const dp = await setup(sb);
  const pipeline = opts.pipeline ?? 'egress';
  const { table, of, actions } = EXPR_TABLES[pipeline];
  const before = await sb.dumpFlows('br-int', `table=${of}`);
  const prios = priorities(matches.length, new Set(before.map(priorityOfLine)));

  const dpRef = ['uuid', dp.uuid];
  const envOps: unknown[] = [];
  const vifPorts: string[] = [];
  for (const [name, key] of Object.entries(env.ports)) {
    if (name === 'none') continue; // ovn-controller maps "none" to 0 by itself
    if (name === EXPR_VIF) throw new Error(`port name ${name} is reserved`);
    if (!Number.isInteger(key) || key < 1 || key > 65535 || key === EXPR_VIF_KEY) {
      throw new Error(`port ${name}: key ${key} cannot be represented (1..65535 except ${EXPR_VIF_KEY})`);
    }
    // Port_Binding keys stop at 32767; larger logical port keys are multicast groups.
    if (key <= 32767) {
      envOps.push({ op: 'insert', table: 'Port_Binding', row: { logical_port: name, tunnel_key: key, datapath: dpRef } });
      if (!opts.localPorts || opts.localPorts.includes(name)) vifPorts.push(name);
    } else {
      envOps.push({ op: 'insert', table: 'Multicast_Group', row: { name, tunnel_key: key, datapath: dpRef, ports: sset([]) } });
    }
  }
  for (const [name, ports] of Object.entries(env.portGroups)) {
    envOps.push({ op: 'insert', table: 'Port_Group', row: { name: `${dp.key}_${name}`, ports: sset(ports) } });
  }
  // northd's own address sets (svc_monitor_mac, <pg>_ip4 ...) are overwritten for the batch.
  const existingSets = await sbAddressSets(sb);
  const restoreOps: unknown[] = [];
  for (const [name, addrs] of Object.entries(env.addressSets)) {
    const old = existingSets.get(name);
    if (old === undefined) {
      envOps.push({ op: 'insert', table: 'Address_Set', row: { name, addresses: sset(addrs) } });
    } else {
      envOps.push({ op: 'update', table: 'Address_Set', where: [['name', '==', name]], row: { addresses: sset(addrs) } });
      restoreOps.push({ op: 'update', table: 'Address_Set', where: [['name', '==', name]], row: { addresses: sset(old) } });
    }
  }
  const flowOps = matches.map((match, i) => ({
    op: 'insert', table: 'Logical_Flow', row: {
      logical_datapath: dpRef, pipeline, table_id: table, priority: prios[i]!,
      match, actions, external_ids: ['map', [['stage-name', 'udnc_expr_oracle']]],
    },
  }));

  const logPath = sb.hostLogPath('controller');
  const logStart = statSync(logPath).size;
  await sb.pauseNorthd();
  const inserted: Array<[string, string]> = [];
  const vifs = vifPorts.map((_, i) => `uxv${i}`);
  let dump: string[];
  const insert = async (batch: unknown[]): Promise<void> => {
    if (!batch.length) return;
    const res = await sb.sbTransact(batch);
    batch.forEach((op, i) => {
      const u = ((res[i] as { uuid?: [string, string] }).uuid ?? [])[1];
      if (u) inserted.push([(op as { table: string }).table, u]);
    });
  };
  try {
    await insert(envOps);
    // ovn-controller expands a port group only to the ports bound on its chassis
    // (related_lports), so every env port becomes a local dummy VIF.
    if (vifs.length) {
      await sb.vsctl(...vifs.flatMap((v, i) => ['--', 'add-port', 'br-int', v, '--', 'set', 'interface', v, 'type=dummy',
        `external-ids:iface-id=${vifPorts[i]}`]));
      await waitBound(sb, vifPorts);
    }
    await insert(flowOps);
    await sb.sbSync();
    dump = await sb.dumpFlows('br-int', `table=${of}`);
  } finally {
    if (vifs.length) await sb.vsctl(...vifs.flatMap((v) => ['--', '--if-exists', 'del-port', 'br-int', v]));
    // Delete in one transaction, referencing rows before the rows they reference.
    const order = ['Logical_Flow', 'Port_Group', 'Address_Set', 'Multicast_Group', 'Port_Binding'];
    const del = order.flatMap((t) => inserted.filter(([tt]) => tt === t)
      .map(([, u]) => ({ op: 'delete', table: t, where: [['_uuid', '==', ['uuid', u]]] })));
    if (del.length || restoreOps.length) {
      await sb.sbTransact([...del, ...restoreOps]);
      await sb.sbSync();
    }
    await sb.resumeNorthd();
  }
  const log = readFileSync(logPath, 'utf8').slice(logStart);
  const errors = parseMatchErrors(log);

  const byPriority = new Map<number, string[]>();
  for (const line of dump) {
    const prio = priorityOfLine(line);
    byPriority.set(prio, [...(byPriority.get(prio) ?? []), line]);
  }
  return matches.map((match, i) => {
    const raw = byPriority.get(prios[i]!) ?? [];
    const error = errors.get(match);
    const flows = normalizeDumpFlows(raw, dp.key);
    return error === undefined ? { match, flows, raw } : { match, flows, raw, error };
  });
}

async function sbAddressSets(sb: OvnSandbox): Promise<Map<string, string[]>> {
  const [res] = await sb.sbTransact([{ op: 'select', table: 'Address_Set', where: [], columns: ['name', 'addresses'] }]) as [
    { rows: Array<{ name: string; addresses: unknown }> },
  ];
  return new Map(res.rows.map((r) => [r.name, ovsdbSet(r.addresses)]));
}

/** An OVSDB JSON set value ("x" or ["set", [...]]) as strings. */
function ovsdbSet(v: unknown): string[] {
  if (Array.isArray(v) && v[0] === 'set') return (v[1] as unknown[]).map(String);
  return [String(v)];
}

/** Waits until ovn-controller has claimed every named Port_Binding. */
async function waitBound(sb: OvnSandbox, ports: readonly string[]): Promise<void> {
  const want = new Set(ports);
  for (let attempt = 0; attempt < 50; attempt++) {
    await sb.sbSync();
    const [res] = await sb.sbTransact([{
      op: 'select', table: 'Port_Binding', where: [['chassis', '!=', ['set', []]]], columns: ['logical_port'],
    }]) as [{ rows: Array<{ logical_port: string }> }];
    const bound = new Set(res.rows.map((r) => r.logical_port));
    if ([...want].every((p) => bound.has(p))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ovn-controller did not claim all expression ports: ${[...want].join(' ')}`);
}

function priorityOfLine(line: string): number {
  const p = /\bpriority=(\d+)/.exec(line);
  return p ? Number(p[1]) : OFP_DEFAULT_PRIORITY;
}

/** `error parsing match "M": E` lines of ovn-controller's log, keyed by M. */
export function parseMatchErrors(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of log.split('\n')) {
    const m = /\|lflow\|WARN\|error parsing match "(.*)": (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

interface ParsedFlow {
  match: string;
  conjId?: number;
  conjs: Array<{ id: number; clause: number; n: number }>;
}

/**
 * Parses dump-flows lines of one lflow into match + conjunctions. The match keeps OVS's field
 * order; cookie, table, priority and metadata=<dpkey> are dropped. Clause numbers become 0-based.
 */
function parseDumpLine(line: string, dpKey: number): ParsedFlow {
  const at = line.indexOf(' actions=');
  let match = (at < 0 ? line : line.slice(0, at)).trim();
  const actions = at < 0 ? '' : line.slice(at + ' actions='.length);
  match = match.replace(/^cookie=0x[0-9a-f]+,\s*/, '').replace(/^table=\d+,\s*/, '');
  const fields = match.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const meta = `metadata=0x${dpKey.toString(16)}`;
  let conjId: number | undefined;
  const kept: string[] = [];
  for (const f of fields) {
    if (/^priority=\d+$/.test(f) || f === meta) continue;
    const c = /^conj_id=(\d+)$/.exec(f);
    if (c) {
      conjId = Number(c[1]);
      kept.push('conj_id=#');
      continue;
    }
    kept.push(f);
  }
  const conjs: ParsedFlow['conjs'] = [];
  const re = /conjunction\((\d+),(\d+)\/(\d+)\)/g;
  for (let m = re.exec(actions); m; m = re.exec(actions)) {
    conjs.push({ id: Number(m[1]), clause: Number(m[2]) - 1, n: Number(m[3]) });
  }
  return conjId === undefined ? { match: kept.join(','), conjs } : { match: kept.join(','), conjId, conjs };
}

function formatFlow(f: ParsedFlow, idMap: (id: number) => number): string {
  let s = f.match;
  if (f.conjId !== undefined) s = s.replace('conj_id=#', `conj_id=${idMap(f.conjId)}`);
  if (f.conjs.length) {
    s += f.conjs.map((c, i) => `${i === 0 ? ':' : ','} conjunction(${idMap(c.id)}, ${c.clause}/${c.n})`).join('');
  }
  return s;
}

/**
 * Real dump-flows lines of one lflow → test-ovn expr-to-flows lines (sorted). Conjunction ids are
 * renumbered by rank: ovn-controller allocates one contiguous block per lflow starting at a hash,
 * so rank = test-ovn's local id.
 */
export function normalizeDumpFlows(lines: readonly string[], dpKey: number): string[] {
  if (!lines.length) return ['(no flows)'];
  const parsed = lines.map((l) => parseDumpLine(l, dpKey));
  const ids = [...new Set(parsed.flatMap((f) => [...(f.conjId === undefined ? [] : [f.conjId]), ...f.conjs.map((c) => c.id)]))]
    .sort((a, b) => a - b);
  const rank = new Map(ids.map((id, i) => [id, i + 1]));
  return parsed.map((f) => formatFlow(f, (id) => rank.get(id)!)).sort(cmpC);
}

/**
 * Passes test-ovn-format flows (one list per expression) through OVS itself: loads them into a
 * bridge with `ovs-ofctl -O OpenFlow15 add-flows` and dumps them back. OVS applies the same
 * normalization to them as to ovn-controller's flows: OXM can carry a vlan PCP only exact
 * (a masked PCP becomes exact), vlan_tci masks that hit neither VID nor PCP vanish, fields whose
 * prerequisites are missing (nw_frag without an IP dl_type) are dropped, and flows that become
 * identical merge. So this is "udnc's flows as OVS installs them", comparable with the real dump.
 * Errors (single non-flow lines) and "(no flows)" pass through unchanged.
 */
export async function ovsRoundTrip(sb: OvnSandbox, perExpr: ReadonlyArray<readonly string[]>, bridge = 'br-test'): Promise<string[][]> {
  await sb.ofctl('-O', 'OpenFlow15', 'del-flows', bridge);
  const prios = priorities(perExpr.length, new Set());
  const text: string[] = [];
  perExpr.forEach((lines, i) => {
    if (lines.length === 1 && (lines[0] === '(no flows)' || !looksLikeFlow(lines[0]!))) return;
    const gid = (local: number): number => (i + 1) * 10_000 + local;
    for (const line of lines) {
      const f = parseTestOvnLine(line);
      const match = f.conjId === undefined ? f.match : f.match.replace('conj_id=#', `conj_id=${gid(f.conjId)}`);
      const actions = f.conjs.length ? f.conjs.map((c) => `conjunction(${gid(c.id)},${c.clause + 1}/${c.n})`).join(',') : 'drop';
      text.push(`priority=${prios[i]}${match ? `,${match}` : ''},actions=${actions}`);
    }
  });
  if (text.length) await sb.addFlows(bridge, text.join('\n'));
  const byPriority = new Map<number, string[]>();
  for (const line of await sb.dumpFlows(bridge)) {
    const prio = priorityOfLine(line);
    byPriority.set(prio, [...(byPriority.get(prio) ?? []), line]);
  }
  await sb.ofctl('-O', 'OpenFlow15', 'del-flows', bridge);
  return perExpr.map((lines, i) => (lines.length === 1 && (lines[0] === '(no flows)' || !looksLikeFlow(lines[0]!))
    ? [...lines]
    // Text-parsed flows can keep a field OVS no longer prints (nw_frag without dl_type), leaving
    // two rules that print the same; ovn-controller's binary encoding drops the field first and
    // sends one. Same printed match and actions = one flow.
    : [...new Set(normalizeDumpFlows(byPriority.get(prios[i]!) ?? [], -1))]));
}

/** Whether a test-ovn output line is a flow rather than an error message. */
function looksLikeFlow(line: string): boolean {
  return line === '' || /^[a-z_0-9]+(=|,|$|:)/.test(line) && !/\s/.test(line.split(': conjunction(')[0]!);
}

/** C-locale (byte order) comparison, as the vectors were sorted with. */
export function cmpC(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical form of test-ovn-format lines for comparison: conjunction ids renumbered by the
 * structure they tie together (independent of how either side numbered them), conjunction lists
 * sorted, lines sorted.
 */
export function canonicalFlows(lines: readonly string[]): string[] {
  const parsed = lines.map(parseTestOvnLine);
  const ids = [...new Set(parsed.flatMap((f) => [...(f.conjId === undefined ? [] : [f.conjId]), ...f.conjs.map((c) => c.id)]))];
  const signature = new Map<number, string>();
  for (const id of ids) {
    const parts: string[] = [];
    for (const f of parsed) {
      if (f.conjId === id) parts.push(`C|${f.match}`);
      for (const c of f.conjs) if (c.id === id) parts.push(`M|${f.match}|${c.clause}/${c.n}`);
    }
    signature.set(id, parts.sort(cmpC).join('\n'));
  }
  const order = [...ids].sort((a, b) => cmpC(signature.get(a)!, signature.get(b)!) || a - b);
  const rank = new Map(order.map((id, i) => [id, i + 1]));
  return parsed.map((f) => {
    const g = { ...f, conjs: [...f.conjs].sort((a, b) => rank.get(a.id)! - rank.get(b.id)! || a.clause - b.clause) };
    return formatFlow(g, (id) => rank.get(id)!);
  }).sort(cmpC);
}

/** Parses a test-ovn expr-to-flows line: `match[: conjunction(ID, k/n)[, conjunction(...)]]`. */
export function parseTestOvnLine(line: string): ParsedFlow {
  const at = line.indexOf(': conjunction(');
  const matchPart = at < 0 ? line : line.slice(0, at);
  const conjs: ParsedFlow['conjs'] = [];
  if (at >= 0) {
    const tail = line.slice(at);
    const re = /conjunction\((\d+), (\d+)\/(\d+)\)/g;
    for (let m = re.exec(tail); m; m = re.exec(tail)) {
      conjs.push({ id: Number(m[1]), clause: Number(m[2]), n: Number(m[3]) });
    }
  }
  let conjId: number | undefined;
  const fields = matchPart === '' ? [] : matchPart.split(',').map((f) => {
    const c = /^conj_id=(\d+)$/.exec(f);
    if (c) {
      conjId = Number(c[1]);
      return 'conj_id=#';
    }
    return f;
  });
  return conjId === undefined ? { match: fields.join(','), conjs } : { match: fields.join(','), conjId, conjs };
}
