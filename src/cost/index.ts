/**
 * Cost of each Kubernetes object: how many OpenFlow flows, logical flows, ACLs, address-set
 * entries and port-group members exist because of it — the numbers users otherwise get only by
 * counting flows on a live node.
 *
 * Attribution is by provenance, never by guessing from names:
 * - NB rows (ACL, Address_Set, Port_Group) carry `provenance` (the objects that caused the row);
 * - lflows carry `provenance.objects` and `provenance.rows` (NB row ids);
 * - OpenFlow flows carry one or more provenance entries (lflow, port binding, load balancer, fixed).
 *
 * **Shared items.** An item caused by several objects (e.g. a PodSelector address set used by two
 * policies, a default-deny ACL of a namespace with two policies, an OpenFlow flow merged from two
 * lflows) is counted **in full for each** of its objects and also in that object's `shared`
 * counter. So per-object numbers never undercount, the sum over objects may exceed the total, and
 * `share` (object count / total) is "the fraction of the whole this object is involved in".
 * Items with no Kubernetes object in their provenance (fixed tables) are counted as `unattributed`.
 *
 * **Charging flows.** An lflow or OpenFlow flow whose NB rows include an ACL or a Load_Balancer
 * exists because of that row; it is charged to that row's objects (the policy, the Service), not
 * to the network/node whose datapath merely hosts it. Every other flow is charged to all the
 * objects of its provenance (datapath owners, pods of a port binding, ...).
 *
 * **Rules.** ACLs whose external_ids carry `direction` and `gress-index` (NetworkPolicy, ANP, BANP)
 * are also counted per rule (`ingress[i]` / `egress[i]`), and so are the lflows and OpenFlow flows
 * whose provenance rows include such an ACL, and address sets carrying those ids (or, for shared
 * PodSelector sets without them, referenced as `$name` by such an ACL of the same object).
 */
import type { CompileResult } from '../compile.js';
import type { ObjectRef } from '../common/source.js';
import { formatSource } from '../common/source.js';
import type { OfFlow } from '../openflow/types.js';

export const COST_METRICS = ['openflow', 'lflows', 'acls', 'addressSetEntries', 'portGroupMembers'] as const;
export type CostMetric = (typeof COST_METRICS)[number];
export type Counts = Record<CostMetric, number>;

export type CostCategory = 'policy' | 'service' | 'network' | 'workload' | 'other';

export interface RuleCost {
  /** `ingress[0]`, `egress[2]` */
  rule: string;
  counts: Counts;
  shared: Counts;
}

export interface ObjectCost {
  object: ObjectRef;
  category: CostCategory;
  counts: Counts;
  /** how many of `counts` are also counted for other objects */
  shared: Counts;
  /** counts[m] / totals[m] (0 when the total is 0) */
  share: Counts;
  /** per rule of a policy (only for policies whose NB ACLs name their rules) */
  rules: RuleCost[];
}

export interface CostReport {
  /** every item once */
  totals: Counts;
  /** items with no Kubernetes object in their provenance */
  unattributed: Counts;
  /** stages that were not computed (their metrics are 0) */
  missingStages: string[];
  /** largest first (by OpenFlow flows, then lflows, ACLs, entries, members, then name) */
  objects: ObjectCost[];
}

const zero = (): Counts => ({ openflow: 0, lflows: 0, acls: 0, addressSetEntries: 0, portGroupMembers: 0 });

const CATEGORY: Record<string, CostCategory> = {
  NetworkPolicy: 'policy', AdminNetworkPolicy: 'policy', BaselineAdminNetworkPolicy: 'policy',
  Service: 'service',
  UserDefinedNetwork: 'network', ClusterUserDefinedNetwork: 'network', NetworkAttachmentDefinition: 'network',
  Network: 'network', Node: 'network', Namespace: 'network',
  Pod: 'workload', Deployment: 'workload', StatefulSet: 'workload', DaemonSet: 'workload', ReplicaSet: 'workload',
  ReplicationController: 'workload', Job: 'workload', CronJob: 'workload', VirtualMachine: 'workload', VirtualMachineInstance: 'workload',
};

export function objectKey(r: ObjectRef): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

export function formatRef(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

interface Acc { object: ObjectRef; counts: Counts; shared: Counts; rules: Map<string, { counts: Counts; shared: Counts }> }

export function computeCost(result: CompileResult): CostReport {
  const accs = new Map<string, Acc>();
  const totals = zero();
  const unattributed = zero();
  const missingStages: string[] = [];
  if (!result.nb) missingStages.push('nb');
  if (!result.lflow) missingStages.push('lflow');
  if (!result.openflow) missingStages.push('openflow');

  const accOf = (r: ObjectRef): Acc => {
    const k = objectKey(r);
    let a = accs.get(k);
    if (!a) accs.set(k, (a = { object: r, counts: zero(), shared: zero(), rules: new Map() }));
    return a;
  };
  /** count `n` of metric `m` for each distinct object; `rules` = rule labels per object key */
  const add = (m: CostMetric, n: number, objects: readonly ObjectRef[], rules?: ReadonlyMap<string, ReadonlySet<string>>): void => {
    totals[m] += n;
    const uniq = new Map<string, ObjectRef>();
    for (const o of objects) uniq.set(objectKey(o), o);
    if (uniq.size === 0) { unattributed[m] += n; return; }
    const isShared = uniq.size > 1;
    for (const [k, o] of uniq) {
      const a = accOf(o);
      a.counts[m] += n;
      if (isShared) a.shared[m] += n;
      for (const rule of rules?.get(k) ?? []) {
        let rc = a.rules.get(rule);
        if (!rc) a.rules.set(rule, (rc = { counts: zero(), shared: zero() }));
        rc.counts[m] += n;
        if (isShared) rc.shared[m] += n;
      }
    }
  };

  // NB: rule labels of ACL rows (and rule-scoped address sets), per owning object
  const ruleOfRow = new Map<string, Map<string, Set<string>>>();
  const ruleLabel = (ids: Record<string, string>): string | undefined => {
    const dir = ids['direction'];
    const idx = ids['gress-index'];
    if (!dir || idx === undefined || !/^(Ingress|Egress)$/.test(dir)) return undefined;
    return `${dir.toLowerCase()}[${idx}]`;
  };
  const rowRules = (id: string, ids: Record<string, string>, prov: readonly ObjectRef[]): Map<string, Set<string>> | undefined => {
    const label = ruleLabel(ids);
    if (!label) return undefined;
    const m = new Map<string, Set<string>>();
    for (const o of prov) if (CATEGORY[o.kind] === 'policy') m.set(objectKey(o), new Set([label]));
    ruleOfRow.set(id, m);
    return m;
  };
  const nb = result.nb;
  if (nb) {
    for (const acl of nb.acls) add('acls', 1, acl.provenance, rowRules(acl.id, acl.external_ids, acl.provenance));
    // an address set without rule ids of its own (a shared PodSelector set) belongs to the rules
    // whose ACL matches reference it (`$name`), for the objects the set and the ACL have in common
    const asRules = new Map<string, Map<string, Set<string>>>();
    const asByName = new Map(nb.addressSets.map((a) => [a.name, a]));
    for (const acl of nb.acls) {
      const rules = ruleOfRow.get(acl.id);
      if (!rules) continue;
      for (const m of acl.match.matchAll(/\$([A-Za-z0-9_.]+)/g)) {
        const as = asByName.get(m[1]!);
        if (!as) continue;
        const asKeys = new Set(as.provenance.map(objectKey));
        const map = asRules.get(as.id) ?? new Map<string, Set<string>>();
        for (const [k, labels] of rules) {
          if (!asKeys.has(k)) continue;
          const set = map.get(k) ?? new Set<string>();
          for (const l of labels) set.add(l);
          map.set(k, set);
        }
        asRules.set(as.id, map);
      }
    }
    for (const as of nb.addressSets) {
      add('addressSetEntries', as.addresses.length, as.provenance, rowRules(as.id, as.external_ids, as.provenance) ?? asRules.get(as.id));
    }
    for (const pg of nb.portGroups) add('portGroupMembers', pg.ports.length, pg.provenance);
  }
  const rulesFromRows = (rows: readonly string[]): Map<string, Set<string>> | undefined => {
    let out: Map<string, Set<string>> | undefined;
    for (const r of rows) {
      const m = ruleOfRow.get(r);
      if (!m) continue;
      out ??= new Map();
      for (const [k, labels] of m) {
        const s = out.get(k) ?? new Set<string>();
        for (const l of labels) s.add(l);
        out.set(k, s);
      }
    }
    return out;
  };
  // A flow whose NB rows include an ACL or a Load_Balancer exists because of that row: it is
  // charged to the row's objects (the policy, the Service), not to the datapath hosting it.
  const specific = new Map<string, readonly ObjectRef[]>();
  for (const acl of nb?.acls ?? []) specific.set(acl.id, acl.provenance);
  for (const lb of nb?.loadBalancers ?? []) specific.set(lb.id, lb.provenance);
  const charged = (objects: readonly ObjectRef[], rows: readonly string[]): readonly ObjectRef[] => {
    const own = rows.flatMap((r) => specific.get(r) ?? []);
    return own.length ? own : objects;
  };
  if (result.lflow) {
    for (const f of result.lflow.flows) add('lflows', 1, charged(f.provenance.objects, f.provenance.rows), rulesFromRows(f.provenance.rows));
  }
  if (result.openflow) {
    for (const f of result.openflow.flows) {
      const { objects, rows } = flowProvenance(f);
      add('openflow', 1, charged(objects, rows), rulesFromRows(rows));
    }
  }

  const objects: ObjectCost[] = [...accs.values()].map((a) => ({
    object: a.object,
    category: CATEGORY[a.object.kind] ?? 'other',
    counts: a.counts,
    shared: a.shared,
    share: Object.fromEntries(COST_METRICS.map((m) => [m, totals[m] ? a.counts[m] / totals[m] : 0])) as Counts,
    rules: [...a.rules].map(([rule, c]) => ({ rule, ...c })).sort((x, y) => compareRule(x.rule, y.rule)),
  }));
  objects.sort(compareCost);
  return { totals, unattributed, missingStages, objects };
}

/** Objects and NB rows behind an OpenFlow flow, over all its provenance entries (shadowed ones excluded: they are not installed). */
export function flowProvenance(f: OfFlow): { objects: ObjectRef[]; rows: string[] } {
  const objects: ObjectRef[] = [];
  const rows: string[] = [];
  for (const p of f.provenance) {
    if (p.kind === 'lflow') { objects.push(...p.lflow.objects); rows.push(...p.lflow.rows); }
    else if (p.kind === 'port' || p.kind === 'lb') { objects.push(...p.objects); rows.push(...p.rows); }
  }
  return { objects, rows };
}

function compareRule(a: string, b: string): number {
  const pa = /^(\w+)\[(\d+)\]$/.exec(a);
  const pb = /^(\w+)\[(\d+)\]$/.exec(b);
  if (pa && pb && pa[1] === pb[1]) return Number(pa[2]) - Number(pb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareCost(a: ObjectCost, b: ObjectCost): number {
  for (const m of COST_METRICS) if (a.counts[m] !== b.counts[m]) return b.counts[m] - a.counts[m];
  const ka = objectKey(a.object);
  const kb = objectKey(b.object);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// ---------------------------------------------------------------- formatting

export type CostFormat = 'txt' | 'json' | 'md';

const HEAD: Record<CostMetric, string> = {
  openflow: 'OpenFlow', lflows: 'lflows', acls: 'ACLs', addressSetEntries: 'AS entries', portGroupMembers: 'PG members',
};

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function cell(c: Counts, s: Counts, share: Counts | undefined, m: CostMetric): string {
  const sh = s[m] ? `(${s[m]} shared)` : '';
  const p = share ? ` ${pct(share[m])}` : '';
  return `${c[m]}${p}${sh ? ` ${sh}` : ''}`;
}

export function formatCost(r: CostReport, format: CostFormat, opts: { top?: number } = {}): string {
  const shown = opts.top !== undefined ? r.objects.slice(0, opts.top) : r.objects;
  if (format === 'json') {
    return JSON.stringify({ ...r, objects: shown.map((o) => ({ ...o, object: { ...o.object } })) }, null, 2) + '\n';
  }
  const header = ['object', 'kind', ...COST_METRICS.map((m) => HEAD[m])];
  const rows: string[][] = [];
  rows.push(['TOTAL', '', ...COST_METRICS.map((m) => String(r.totals[m]))]);
  for (const o of shown) {
    const name = `${o.object.namespace ? `${o.object.namespace}/` : ''}${o.object.name}`;
    rows.push([name, o.object.kind, ...COST_METRICS.map((m) => cell(o.counts, o.shared, o.share, m))]);
    for (const rc of o.rules) rows.push([`  ${rc.rule}`, '', ...COST_METRICS.map((m) => cell(rc.counts, rc.shared, undefined, m))]);
  }
  rows.push(['(no object)', '', ...COST_METRICS.map((m) => String(r.unattributed[m]))]);
  const notes = [
    `${r.objects.length} objects${shown.length < r.objects.length ? `, ${shown.length} shown (--top ${opts.top})` : ''}; percentages are shares of the total.`,
    'An item caused by several objects is counted in full for each of them ("shared"); sums over objects can exceed the totals.',
    ...(r.missingStages.length ? [`not computed: ${r.missingStages.join(', ')}`] : []),
  ];
  if (format === 'md') {
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
      ...rows.map((row) => `| ${row.map((c) => esc(c.startsWith('  ') ? `↳ ${c.trim()}` : c)).join(' | ')} |`),
      '',
      ...notes,
      '',
    ].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line), '', ...notes, ''].join('\n');
}

export function describeObject(o: ObjectCost): string {
  return o.object.source ? `${formatRef(o.object)} (${formatSource(o.object.source)})` : formatRef(o.object);
}
