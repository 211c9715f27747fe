/**
 * openflow stage: the logical flows + southbound rows of one cluster → the OpenFlow tables the
 * real ovn-controller 25.03 installs on one chassis (br-int), plus its groups and port map.
 *
 *   compileOpenFlow(lflowResult, opts) → OpenFlowResult          (types.ts documents the data)
 *   formatAddFlows / formatGroups / formatPortMap / formatDumpLine (format.ts)
 *
 * Determinism (documented choices where ovn-controller uses random UUIDs or hash order):
 * - **Cookies**: first 32 bits of the lflow UUID. udnc's stand-in UUID is
 *   `stableUuid('Logical_Flow', pipeline|table|priority|match|actions)` (no datapath: identical
 *   lflows on several datapaths share one row, as northd's datapath groups do). Physical flows use
 *   `stableUuid('Port_Binding', name)` / `stableUuid('Multicast_Group', dp|name)`. All of them can be
 *   overridden by real SB UUIDs (`opts.uuids`), which the oracle test does.
 * - **Conjunction ids**: exactly ovn-controller's lflow-conj-ids.c: start at
 *   hash_2words(lflow uuid[0], datapath uuid[0]) (OVS murmur hash), probe upward for a free
 *   contiguous block of n ids (never 0), in lflow order.
 * - **Group ids**: ovn-controller's extend table (lowest free id), assigned in lflow order.
 * - **CT zones**: ovn-controller assigns the lowest free zone to each new user (local VIF names and
 *   `<datapath>_dnat` / `<datapath>_snat` of every local datapath) in hash-set order, as they appear.
 *   udnc sorts the users by name and assigns 1, 2, … in that order (stable for a given set of
 *   local ports); `opts.zones` overrides.
 * - **ofports**: local VIFs sorted by name get 1, 2, … unless `opts.ofports` is given.
 */
import { MatchCompiler, ExprError, type CompiledMatches, type ExprEnv } from '../expr/index.js';
import { controllerContext, encodeParsed, parseActions, ExtendTable, OFTABLES_25_03, type Ofpact } from '../expr/actions/index.js';
import { stableUuid } from '../lflow/southbound.js';
import type { Lflow, LflowResult, SbPortBinding } from '../lflow/types.js';
import type { NorthboundDB } from '../northbound/types.js';
import { hash2words, uuidPart0 } from './hash.js';
import { lbHairpinFlows } from './lb.js';
import { formatOfMatch } from './format.js';
import { PHYS_TABLES_25_03, fixedFlows, mcGroupFlows, portFlows, remotePortFlows, tunnelFlows, type PhysDatapath, type PhysMcGroup, type PhysPort } from './physical.js';
import type { CtZones, LflowRef, OfAction, OfFlow, OfGroup, OfMatch, OfPort, OpenFlowOptions, OpenFlowResult } from './types.js';
import { MatchInterner, OfFlowTable, type LflowRec } from './store.js';

export type * from './types.js';
export { OfFlowTable } from './store.js';
export { formatAddFlows, writeAddFlows, formatGroups, formatPortMap, formatDumpLine, formatFlowLine, formatOfActions, formatOfMatch } from './format.js';
export { hash2words } from './hash.js';
export { PHYS_TABLES_25_03, LOG_REG } from './physical.js';

export interface CompileOpenFlowOptions extends OpenFlowOptions {
  /** the NB the lflows came from: pods (port map), requested-chassis (node view) */
  nb?: NorthboundDB;
  /** translations kept between calls (src/incremental); see {@link LflowTranslationCache} */
  lflowCache?: LflowTranslationCache;
}

/** What one logical flow became: its flows before merging, and the ids it allocated. */
export interface LflowTranslation {
  uuid: string;
  flows: OfFlow[];
  /** `id(N), name(SPEC)` as encodeParsed reports them, in allocation order */
  groups: string[];
  meters: string[];
  nConjs: number;
  /** conjunction id base (first id - 1) */
  base: number;
}

/**
 * Per-lflow translations kept by a caller that compiles a changing cluster again and again, as
 * ovn-controller keeps desired flows per lflow. The cache answers only for lflows whose inputs
 * (match/action symbols, port keys, datapath) it knows unchanged. A hit is used only if replaying
 * its group, meter and conjunction-id allocations, in lflow order, yields the ids it was made with
 * (these ids depend on every earlier lflow), so the result always equals a fresh compile.
 * Flows in `shared` are never mutated: merging copies them first.
 */
export interface LflowTranslationCache {
  get(lflow: Lflow): LflowTranslation | undefined;
  set(lflow: Lflow, t: LflowTranslation): void;
  readonly shared: WeakSet<OfFlow>;
  /** flows computed from `inputs` only: the previous ones (in `shared`) while `inputs` are equal */
  memo?(key: string, inputs: unknown, compute: () => OfFlow[]): OfFlow[];
}

/** The key under which `opts.uuids.lflow` is looked up: datapath|pipeline|table|priority|match|actions. */
export const lflowKey = (f: Lflow): string => `${f.datapath}|${f.pipeline}|${f.table}|${f.priority}|${f.match}|${f.actions}`;

/** lflow-conj-ids.c allocation. */
class ConjIds {
  private readonly used = new Set<number>();
  alloc(lflowUuid: string, dpUuid: string, n: number): number {
    let start = hash2words(uuidPart0(lflowUuid), uuidPart0(dpUuid));
    for (;;) {
      if (start === 0) start = 1;
      if (start + n - 1 > 0xffffffff) { start = 1; continue; }
      let clash = -1;
      for (let i = 0; i < n; i++) if (this.used.has(start + i)) { clash = start + i; break; }
      if (clash < 0) break;
      start = clash + 1;
    }
    for (let i = 0; i < n; i++) this.used.add(start + i);
    return start;
  }
}

/** OVN's Geneve option (class 0x102, type 0x80, 4 bytes) in tun_metadata0 (controller/encaps.c). */
export const GENEVE_TLV_MAP = '{class=0x102,type=0x80,len=4}->tun_metadata0';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compileOpenFlow(lf: LflowResult, opts: CompileOpenFlowOptions = {}): OpenFlowResult {
  const T = OFTABLES_25_03;
  const P = PHYS_TABLES_25_03;
  const sb = lf.southbound;
  const chassis = opts.node ?? opts.chassis ?? 'hv1';
  const errors: string[] = [];
  const unsupported = new Set<string>();

  const dpByName = new Map(sb.datapaths.map((d) => [d.name, d]));
  const pbByName = new Map(sb.portBindings.map((p) => [p.logicalPort, p]));
  const lspByName = new Map((opts.nb?.logicalSwitchPorts ?? []).map((p) => [p.name, p]));

  // ---- which port bindings live on this chassis
  // northd makes a gateway router's ports l3gateway, and the switch ports peering them (not the
  // ports of another router peering them: those stay patch)
  const l3gwChassis = (pb: SbPortBinding): string | undefined => {
    if (pb.options['l3gateway-chassis']) return pb.options['l3gateway-chassis'];
    if (dpByName.get(pb.datapath)?.kind !== 'switch') return undefined;
    const peer = pb.options['peer'] ? pbByName.get(pb.options['peer']) : undefined;
    return peer?.options['l3gateway-chassis'];
  };
  const isL3gw = (pb: SbPortBinding): boolean => (pb.type === 'l3gateway' || pb.type === 'patch') && l3gwChassis(pb) !== undefined;
  /** The node (chassis) a VIF is bound to: requested-chassis, or the node a management port serves. */
  const nodeNames = new Set<string>();
  for (const l of opts.nb?.logicalSwitchPorts ?? []) if (l.options['requested-chassis']) nodeNames.add(l.options['requested-chassis']);
  for (const pb of sb.portBindings) if (pb.options['l3gateway-chassis']) nodeNames.add(pb.options['l3gateway-chassis']);
  const vifNode = (pb: SbPortBinding): string | undefined => {
    const lsp = lspByName.get(pb.logicalPort);
    if (lsp?.options['requested-chassis']) return lsp.options['requested-chassis'];
    if (lsp?.role === 'management') {
      for (const n of nodeNames) if (pb.logicalPort === `k8s-${n}` || pb.logicalPort.endsWith(`_${n}`)) return n;
    }
    return undefined;
  };
  const isLocalVif = (pb: SbPortBinding): boolean => {
    if (pb.type !== '') return false;
    if (opts.node === undefined) return true;
    return vifNode(pb) === opts.node;
  };
  const isLocalL3gw = (pb: SbPortBinding): boolean => isL3gw(pb) && (opts.node === undefined || l3gwChassis(pb) === opts.node);

  // ---- local datapaths: datapaths of local VIFs / local l3gateway ports, closed over patch peers
  const local = new Set<string>();
  const queue: string[] = [];
  const addDp = (dp: string): void => { if (!local.has(dp)) { local.add(dp); queue.push(dp); } };
  for (const pb of sb.portBindings) if (isLocalVif(pb) || isLocalL3gw(pb)) addDp(pb.datapath);
  const pbsByDp = new Map<string, SbPortBinding[]>();
  for (const pb of sb.portBindings) {
    const l = pbsByDp.get(pb.datapath) ?? [];
    l.push(pb);
    pbsByDp.set(pb.datapath, l);
  }
  while (queue.length) {
    const dp = queue.shift()!;
    for (const pb of pbsByDp.get(dp) ?? []) {
      if (pb.type !== 'patch' && pb.type !== 'l3gateway') continue;
      if (isL3gw(pb) && !isLocalL3gw(pb)) continue;
      const peer = pb.options['peer'] ? pbByName.get(pb.options['peer']) : undefined;
      if (peer) addDp(peer.datapath);
    }
  }
  const localDatapaths = [...local].sort(byName);

  // related ports: local VIFs, patch/l3gateway ports of local datapaths, localnet ports of local datapaths
  const related = new Set<string>();
  const localVifs: SbPortBinding[] = [];
  for (const pb of sb.portBindings) {
    if (!local.has(pb.datapath)) continue;
    if (isLocalVif(pb)) { related.add(pb.logicalPort); localVifs.push(pb); }
    else if (pb.type === 'patch' || pb.type === 'l3gateway') { if (!isL3gw(pb) || isLocalL3gw(pb)) related.add(pb.logicalPort); }
    else if (pb.type === 'localnet') related.add(pb.logicalPort);
  }
  localVifs.sort((a, b) => byName(a.logicalPort, b.logicalPort));

  // ---- zones
  const zones: CtZones = { ports: {}, dnat: {}, snat: {} };
  {
    // local_lports: bound VIFs, local l3gateway ports (both sides), localnet ports of local datapaths
    const zoned = sb.portBindings.filter((pb) => local.has(pb.datapath) && (isLocalVif(pb) || isLocalL3gw(pb) || pb.type === 'localnet'));
    const users = [...zoned.map((p) => ({ n: p.logicalPort, set: (z: number) => (zones.ports[p.logicalPort] = z) })),
      ...localDatapaths.flatMap((d) => [
        { n: `${d}_dnat`, set: (z: number) => (zones.dnat[d] = z) },
        { n: `${d}_snat`, set: (z: number) => (zones.snat[d] = z) }])];
    users.sort((a, b) => byName(a.n, b.n));
    const fixed = opts.zones;
    const usedZ = new Set<number>([...Object.values(fixed?.ports ?? {}), ...Object.values(fixed?.dnat ?? {}), ...Object.values(fixed?.snat ?? {})]);
    let next = 1;
    for (const u of users) {
      const given = u.n.endsWith('_dnat') && fixed?.dnat?.[u.n.slice(0, -5)] !== undefined ? fixed.dnat[u.n.slice(0, -5)]
        : u.n.endsWith('_snat') && fixed?.snat?.[u.n.slice(0, -5)] !== undefined ? fixed.snat[u.n.slice(0, -5)]
          : fixed?.ports?.[u.n];
      if (given !== undefined) { u.set(given); continue; }
      while (usedZ.has(next)) next++;
      usedZ.add(next);
      u.set(next);
    }
  }

  // ---- ofports / port map
  const ports: OfPort[] = [];
  const ofportOf = new Map<string, number>();
  {
    const usedOf = new Set(Object.values(opts.ofports ?? {}));
    let next = 1;
    for (const pb of localVifs) {
      let of = opts.ofports?.[pb.logicalPort];
      if (of === undefined) { while (usedOf.has(next)) next++; of = next; usedOf.add(of); }
      ofportOf.set(pb.logicalPort, of);
      const lsp = lspByName.get(pb.logicalPort);
      ports.push({
        ofport: of, name: pb.logicalPort, kind: 'vif', ifaceId: pb.logicalPort, datapath: pb.datapath, portKey: pb.tunnelKey,
        dpKey: dpByName.get(pb.datapath)?.tunnelKey,
        ...(lsp?.pod ? { pod: { namespace: lsp.pod.namespace, name: lsp.pod.name, interface: lsp.pod.interfaceName } } : {}),
      });
    }
    ports.sort((a, b) => a.ofport - b.ofport);
  }

  const dpUuid = (name: string): string => opts.uuids?.datapath?.[name] ?? dpByName.get(name)?.uuid ?? stableUuid('Datapath_Binding', name);
  const pbUuid = (name: string): string => opts.uuids?.portBinding?.[name] ?? stableUuid('Port_Binding', name);

  // ---- logical flows
  // one flow per table|priority|match text, merged in insertion order (store.ts); compact entries
  const interner = new MatchInterner();
  const table = new OfFlowTable(interner);
  // flows an incremental cache holds stay as they are (it replays them)
  const addFlow = (f: OfFlow): void => table.addFlow(f, opts.lflowCache ? undefined : interner);

  const addressSets: Record<string, string[]> = Object.fromEntries(sb.addressSets.map((a) => [a.name, a.addresses]));
  // northd always writes svc_monitor_mac (a random MAC unless NB_Global pins it); the oracle pins this one
  if (!addressSets['svc_monitor_mac']) addressSets['svc_monitor_mac'] = [opts.svcMonitorMac ?? '0a:00:00:00:00:fe'];
  const portGroups = Object.fromEntries(sb.portGroups.map((g) => [g.name, g.ports.filter((p) => related.has(p)).sort(byName)]));
  const envByDp = new Map<string, { env: ExprEnv; ports: Record<string, number> }>();
  for (const dp of localDatapaths) {
    const pm: Record<string, number> = { none: 0 };
    for (const pb of pbsByDp.get(dp) ?? []) pm[pb.logicalPort] = pb.tunnelKey;
    for (const mc of sb.multicastGroups) if (mc.datapath === dp) pm[mc.name] = mc.tunnelKey;
    envByDp.set(dp, { env: { addressSets, portGroups, ports: pm }, ports: pm });
  }
  const resident = (p: string): boolean => {
    const pb = pbByName.get(p);
    if (!pb) return false;
    return isLocalVif(pb) || isLocalL3gw(pb);
  };
  const groups = new ExtendTable();
  const meters = new ExtendTable();
  const conjIds = new ConjIds();
  // a port's name from its tunnel key, per datapath (the first name in `ports` order that is a port binding)
  const portByKey = new Map<string, Map<number, string>>();
  for (const [dp, { ports: pm }] of envByDp) {
    const m = new Map<number, string>();
    for (const n of Object.keys(pm)) if (!m.has(pm[n]!) && pbByName.has(n)) m.set(pm[n]!, n);
    portByKey.set(dp, m);
  }
  // Caches across datapaths hold only what several local lflows share (the same match on N node
  // switches): one entry per lflow would keep a compiled expression per lflow alive (GBs at 10k pods).
  // A match naming a port group compiles per resolution of its groups on the datapath (MatchCompiler.portGroupSignature).
  const matchUses = new Map<string, number>();
  const actionUses = new Map<string, number>();
  const matchCompiler = new MatchCompiler({ isChassisResident: resident });
  const matchKey = (l: Lflow): string => {
    if (!l.match.includes('@')) return l.match;
    const dp = dpByName.get(l.datapath)!;
    return `${l.match}\0${matchCompiler.portGroupSignature(l.match, envByDp.get(l.datapath)!.env, dp.tunnelKey)}`;
  };
  for (const l of lf.flows) {
    if (!local.has(l.datapath)) continue;
    const k = matchKey(l);
    matchUses.set(k, (matchUses.get(k) ?? 0) + 1);
    actionUses.set(l.actions, (actionUses.get(l.actions) ?? 0) + 1);
  }
  // the stand-in lflow UUID does not depend on the datapath: one hash per distinct lflow
  const lflowUuids = new Map<string, string>();
  // parsing actions depends on the text, pipeline and table only (encoding also on ports, datapath, uuid)
  const parsedActions = new Map<string, ReturnType<typeof parseActions> | Error>();

  for (const lflow of lf.flows) {
    if (!local.has(lflow.datapath)) continue;
    const dp = dpByName.get(lflow.datapath)!;
    const cached = opts.lflowCache?.get(lflow);
    let forcedBase: number | undefined;
    if (cached) {
      const id = (x: string): [string, number] => { const m = /^id\((\d+)\), name\((.*)\)$/s.exec(x)!; return [m[2]!, Number(m[1])]; };
      const same = cached.groups.every((g) => { const [n, i] = id(g); return groups.assign(n) === i; }) &&
        cached.meters.every((g) => { const [n, i] = id(g); return meters.assign(n) === i; });
      if (cached.nConjs > 0) forcedBase = conjIds.alloc(cached.uuid, dpUuid(lflow.datapath), cached.nConjs) - 1;
      if (same && (cached.nConjs === 0 || forcedBase === cached.base)) { for (const f of cached.flows) addFlow(f); continue; }
    }
    const produced: OfFlow[] | undefined = opts.lflowCache ? [] : undefined;
    let used: { groups: string[]; meters: string[] } = { groups: [], meters: [] };
    const isSwitch = dp.kind === 'switch';
    const { env, ports: pm } = envByDp.get(lflow.datapath)!;
    const matchShared = matchUses.get(matchKey(lflow))! > 1;
    const actionsShared = actionUses.get(lflow.actions)! > 1;
    let uuid = opts.uuids?.lflow?.(lflowKey(lflow));
    if (uuid === undefined) {
      const k = `${lflow.pipeline}|${lflow.table}|${lflow.priority}|${lflow.match}|${lflow.actions}`;
      if (!matchShared || !actionsShared) uuid = stableUuid('Logical_Flow', k);
      else {
        uuid = lflowUuids.get(k);
        if (uuid === undefined) lflowUuids.set(k, (uuid = stableUuid('Logical_Flow', k)));
      }
    }
    const cookie = uuidPart0(uuid);
    const ctx = controllerContext({ pipeline: lflow.pipeline, table: lflow.table, isSwitch, ports: pm, lflowUuid: uuid, dpKey: dp.tunnelKey, groups, meters });
    let acts: Ofpact[];
    let prereqs: string | null;
    try {
      const ak = `${lflow.pipeline}|${lflow.table}|${lflow.actions}`;
      let parsed = parsedActions.get(ak);
      if (!parsed) {
        try { parsed = parseActions(lflow.actions, ctx); } catch (e) { parsed = e as Error; }
        if (actionsShared) parsedActions.set(ak, parsed);
      }
      if (parsed instanceof Error) throw parsed;
      prereqs = parsed.prereqs;
      const enc = encodeParsed(parsed.actions, ctx);
      acts = enc.list;
      used = enc;
    } catch (e) {
      errors.push(`${lflow.datapath} ${lflow.pipeline} table=${lflow.table} priority=${lflow.priority}: actions "${lflow.actions}": ${(e as Error).message}`);
      continue;
    }
    let res: CompiledMatches;
    try {
      res = matchCompiler.compile(lflow.match, prereqs, env, dp.tunnelKey, matchShared);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      errors.push(`${lflow.datapath} ${lflow.pipeline} table=${lflow.table} priority=${lflow.priority}: match "${lflow.match}": ${e.message}`);
      continue;
    }
    // a cache hit refused above has already allocated this lflow's conjunction ids
    const base = res.nConjs > 0 ? (forcedBase ?? conjIds.alloc(uuid, dpUuid(lflow.datapath), res.nConjs) - 1) : 0;
    const ofTable = (lflow.pipeline === 'ingress' ? T.logIngressPipeline : T.logEgressPipeline) + lflow.table;
    const pinReg = lflow.pipeline === 'ingress' ? 'reg14' : 'reg15';
    // the flows of this lflow share one record (cookie, actions, provenance); made for the first flow kept
    let ri = -1;
    const rec: LflowRec = { lflow, dpKey: dp.tunnelKey, uuid, cookie, table: ofTable, acts: produced ? acts as OfAction[] : interner.actions(acts as OfAction[]), base };
    const ids = produced ? undefined : interner.intern(res.matches);
    for (let i = 0; i < res.matches.length; i++) {
      const m = res.matches[i]!;
      // a flow pinned to a logical port (reg14/reg15 = its key) exists only if that port is related here
      if (isSwitch) {
        const pin = m.fields[pinReg]?.value ?? 0n;
        if (pin !== 0n) {
          const name = portByKey.get(lflow.datapath)!.get(Number(pin));
          if (!name || !related.has(name)) continue;
        }
      }
      if (!produced) {
        // compact: no match object, no text (the table keys flows by interned ids)
        if (ri < 0) ri = table.addRec(rec);
        table.addMatch(ri, ids![i]!);
        continue;
      }
      const match: OfMatch = {};
      // the compiled values are shared, never mutated (metadata and conj_id get new objects)
      for (const k in m.fields) match[k] = m.fields[k]!;
      match['metadata'] = { value: BigInt(dp.tunnelKey), mask: (1n << 64n) - 1n };
      if (match['conj_id']) match['conj_id'] = { value: match['conj_id'].value + BigInt(base), mask: 0xffffffffn };
      const text = formatOfMatch(match);
      // an incremental cache keeps the lflow's flows as objects (replayed on a hit)
      const ref: LflowRef = (rec.ref ??= {
        datapath: lflow.datapath, dpKey: dp.tunnelKey, pipeline: lflow.pipeline, table: lflow.table, priority: lflow.priority,
        match: lflow.match, actions: lflow.actions, uuid, rows: lflow.provenance.rows, objects: lflow.provenance.objects,
      });
      if (m.conjunctions.length === 0) {
        // one actions array for all the flows of this lflow (merging copies before it appends)
        const f: OfFlow = { table: ofTable, priority: lflow.priority, cookie, match, actions: acts as OfAction[], text, provenance: [{ kind: 'lflow', lflow: ref }] };
        produced.push(f);
        addFlow(f);
      } else {
        const conj: OfAction[] = m.conjunctions.map((c) => ({ type: 'conjunction', id: c.id + base, clause: c.clause + 1, nClauses: c.nClauses }));
        const f: OfFlow = { table: ofTable, priority: lflow.priority, cookie: 0, match, actions: conj, text, provenance: [{ kind: 'lflow', lflow: ref, conjMember: true }] };
        produced.push(f);
        addFlow(f);
      }
    }
    if (produced) opts.lflowCache!.set(lflow, { uuid, flows: produced, groups: used.groups, meters: used.meters, nConjs: res.nConjs, base });
  }

  // ---- groups
  const ofGroups: OfGroup[] = groups.entries().map(({ id, name }) => parseGroup(id, name)).sort((a, b) => a.id - b.id);
  if (meters.entries().length) unsupported.add('meters used by log() are not emitted (add them with ovs-ofctl add-meter)');

  // ---- physical flows
  const physDps = new Map<string, PhysDatapath>();
  for (const d of localDatapaths) physDps.set(d, { name: d, key: dpByName.get(d)!.tunnelKey, dnat: zones.dnat[d]!, snat: zones.snat[d]! });
  const physPorts = new Map<string, PhysPort>();
  for (const pb of sb.portBindings) {
    if (!local.has(pb.datapath) || !related.has(pb.logicalPort)) continue;
    const kind = pb.type === '' ? 'vif' : pb.type === 'localnet' ? 'localnet' : 'patch';
    const peerPb = pb.options['peer'] ? pbByName.get(pb.options['peer']) : undefined;
    const pp: PhysPort = {
      name: pb.logicalPort, datapath: pb.datapath, dpKey: dpByName.get(pb.datapath)!.tunnelKey, portKey: pb.tunnelKey, kind,
      ofport: ofportOf.get(pb.logicalPort), zone: zones.ports[pb.logicalPort], cookie: uuidPart0(pbUuid(pb.logicalPort)),
      portSecurity: pb.portSecurity, rows: [pb.nbRow],
      ...(peerPb && local.has(peerPb.datapath)
        ? { peer: { name: peerPb.logicalPort, datapath: peerPb.datapath, dpKey: dpByName.get(peerPb.datapath)!.tunnelKey, portKey: peerPb.tunnelKey, zone: zones.ports[peerPb.logicalPort] } } : {}),
    };
    physPorts.set(pb.logicalPort, pp);
  }
  let remoteMembers: (mc: (typeof sb.multicastGroups)[number]) => number[] = () => [];
  for (const f of fixedFlows(T, P)) addFlow(f);
  for (const p of physPorts.values()) {
    // a port's flows read only the port and its own and its peer's datapath
    const memo = opts.lflowCache?.memo;
    const pf = memo ? memo(`port|${p.name}`, [p, physDps.get(p.datapath), p.peer ? physDps.get(p.peer.datapath) : null], () => portFlows(p, physDps, T, P)) : portFlows(p, physDps, T, P);
    for (const f of pf) addFlow(f);
  }
  // ---- load balancer hairpin flows (from the NB rows the SB Load_Balancer table copies)
  if (opts.nb) {
    const lbs = new Map(opts.nb.loadBalancers.map((lb) => [lb.id, { lb, switches: [] as { name: string; key: number }[], routers: [] as { name: string; key: number }[] }]));
    const groupsById = new Map(opts.nb.loadBalancerGroups.map((g) => [g.id, g.load_balancer]));
    const attach = (dp: string, lbIds: string[], groupIds: string[], kind: 'switches' | 'routers'): void => {
      const key = dpByName.get(dp)?.tunnelKey;
      if (key === undefined) return;
      for (const id of new Set([...lbIds, ...groupIds.flatMap((g) => groupsById.get(g) ?? [])])) lbs.get(id)?.[kind].push({ name: dp, key });
    };
    for (const ls of opts.nb.logicalSwitches) attach(ls.name, ls.load_balancer, ls.load_balancer_group, 'switches');
    for (const lr of opts.nb.logicalRouters) attach(lr.name, lr.load_balancer, lr.load_balancer_group, 'routers');
    for (const x of lbs.values()) {
      if (![...x.switches, ...x.routers].some((d) => local.has(d.name))) continue;
      x.switches.sort((a, b) => a.key - b.key);
      const cookie = uuidPart0(opts.uuids?.loadBalancer?.[x.lb.name] ?? stableUuid('Load_Balancer', x.lb.name));
      for (const f of lbHairpinFlows({ ...x, switches: x.switches.filter((d) => local.has(d.name)) }, cookie, T)) addFlow(f);
    }
  }
  // ---- node view: geneve tunnels to the other chassis and the ports bound there
  if (opts.node !== undefined) {
    const remoteChassis = [...nodeNames].filter((n) => n !== opts.node).sort(byName);
    const tunOf = new Map<string, number>();
    const usedOf = new Set(ports.map((p) => p.ofport));
    let next = 1;
    const names = new Set<string>();
    for (const ch of remoteChassis) {
      let of = opts.tunnelOfports?.[ch];
      if (of === undefined) { while (usedOf.has(next)) next++; of = next; }
      usedOf.add(of);
      tunOf.set(ch, of);
      let i = 0;
      while (names.has(`ovn-${ch.slice(0, 6)}-${i}`)) i++;
      const name = `ovn-${ch.slice(0, 6)}-${i}`;
      names.add(name);
      ports.push({ ofport: of, name, kind: 'tunnel', chassis: ch });
    }
    ports.sort((a, b) => a.ofport - b.ofport);
    const remoteNode = (pb: SbPortBinding): string | undefined => {
      const n = pb.type === '' ? vifNode(pb) : isL3gw(pb) ? l3gwChassis(pb) : undefined;
      return n !== undefined && n !== opts.node && tunOf.has(n) ? n : undefined;
    };
    for (const f of tunnelFlows([...tunOf.values()], T, P)) addFlow(f);
    for (const pb of sb.portBindings) {
      if (!local.has(pb.datapath)) continue;
      const ch = remoteNode(pb);
      if (ch === undefined) continue;
      const rp = {
        name: pb.logicalPort, datapath: pb.datapath, dpKey: dpByName.get(pb.datapath)!.tunnelKey, portKey: pb.tunnelKey,
        cookie: uuidPart0(pbUuid(pb.logicalPort)), rows: [pb.nbRow], vif: pb.type === '',
      };
      for (const f of remotePortFlows(rp, physDps.get(pb.datapath)!, tunOf.get(ch)!, T, P)) addFlow(f);
    }
    remoteMembers = (mc) => {
      const chs = new Set<string>();
      for (const n of mc.ports) { const pb = pbByName.get(n); const ch = pb ? remoteNode(pb) : undefined; if (ch !== undefined) chs.add(ch); }
      return [...chs].sort(byName).map((c) => tunOf.get(c)!);
    };
  }

  for (const mc of sb.multicastGroups) {
    if (!local.has(mc.datapath)) continue;
    const members = mc.ports.map((n) => physPorts.get(n)).filter((p): p is PhysPort => p !== undefined)
      .sort((a, b) => byName(pbUuid(a.name), pbUuid(b.name)));
    const g: PhysMcGroup = {
      datapath: mc.datapath, dpKey: dpByName.get(mc.datapath)!.tunnelKey, name: mc.name, key: mc.tunnelKey, members,
      cookie: uuidPart0(opts.uuids?.mcGroup?.[`${mc.datapath}|${mc.name}`] ?? stableUuid('Multicast_Group', `${mc.datapath}|${mc.name}`)),
    };
    for (const f of mcGroupFlows(g, T, P, remoteMembers(mc))) addFlow(f);
  }
  table.seal();
  return openFlowResult(table, {
    tlvMap: ports.some((p) => p.kind === 'tunnel') ? [GENEVE_TLV_MAP] : [],
    ovnVersion: '25.03.0', chassis, groups: ofGroups, ports, zones, localDatapaths, errors, unsupported: [...unsupported].sort(),
  });
}

/**
 * The result with `flows` made from `table` on first read. A function of its own so that the getter
 * keeps only the table alive, not compileOpenFlow's scope (its caches and interning maps).
 */
function openFlowResult(table: OfFlowTable, rest: Omit<OpenFlowResult, 'flows' | 'flowTable'>): OpenFlowResult {
  const { tlvMap, ovnVersion, chassis, ...after } = rest;
  const result = {
    tlvMap, ovnVersion, chassis,
    // sorted and made on first read (store.ts); printers and counts use flowTable instead
    get flows(): OfFlow[] { return table.toArray(); },
    set flows(v: OfFlow[]) { Object.defineProperty(this, 'flows', { value: v, writable: true, enumerable: true, configurable: true }); },
    ...after,
  } as OpenFlowResult;
  Object.defineProperty(result, 'flowTable', { value: table, enumerable: false });
  return result;
}

/** An ovn-controller group spec (`type=select,selection_method=…,bucket=bucket_id=0,weight:100,actions=…`) → OfGroup. */
function parseGroup(id: number, spec: string): OfGroup {
  const parts = spec.split(',bucket=');
  const head = parts[0]!;
  const type = (/type=(\w+)/.exec(head)?.[1] ?? 'select') as OfGroup['type'];
  const sel = /selection_method=([^,]+)/.exec(head)?.[1];
  const selp = /selection_method_param=([^,]+)/.exec(head)?.[1];
  const buckets = parts.slice(1).map((b, i) => {
    const bid = /^bucket_id=(\d+)/.exec(b)?.[1];
    const w = /weight:(\d+)/.exec(b)?.[1];
    const act = b.slice(b.indexOf('actions=') + 8);
    const be = /nat\(dst=(\[[^\]]+\]|[^:),]+)(?::(\d+))?/.exec(act);
    return {
      bucketId: bid !== undefined ? Number(bid) : i, weight: w !== undefined ? Number(w) : 100, actions: [] as OfAction[], actionsText: act,
      ...(be ? { backend: { ip: be[1]!.replace(/^\[|\]$/g, ''), ...(be[2] ? { port: Number(be[2]) } : {}) } } : {}),
    };
  });
  return {
    id, type, ...(sel ? { selectionMethod: sel } : {}), ...(selp ? { selectionMethodParam: selp } : {}), buckets,
    text: `group_id=${id},${spec}`, provenance: [],
  };
}
