/**
 * What a change to the manifests does: `diffClusters(old, new)` compares two compiled clusters in
 * the order a reviewer needs them:
 *
 * 1. connectivity gained and lost (semantics: who can reach whom on which protocol/port, grouped
 *    by destination workload, with the reason-chain steps that differ between before and after);
 * 2. NB rows added / removed / changed (OVSDB columns only: provenance is not compared, so moving
 *    an object to another line or file is no change);
 * 3. logical flows added / removed;
 * 4. OpenFlow flows added / removed;
 * (2)–(4) grouped per Kubernetes object by provenance, with counts.
 *
 * Connectivity probes: per network, every workload (pods of one owner) to every workload, on the
 * union over both clusters of the ports policies name (NP port/endPort, ANP/BANP portNumber and
 * portRange edges) and every container port (TCP/80 when that union is empty); and every workload
 * to every Service of the network on the Service's ports. A workload or Service that exists on one
 * side only is unreachable (and reaches nothing) on the other.
 */
import { formatObjectRef, type ObjectRef } from '../common/source.js';
import type { CompileResult } from '../compile.js';
import type { ClusterModel, Pod } from '../model/types.js';
import type { NorthboundDB, NbTable, RowMeta } from '../northbound/types.js';
import { META_FIELDS, TABLE_FIELDS } from '../northbound/types.js';
import type { Lflow } from '../lflow/types.js';
import { formatLflowLine } from '../lflow/index.js';
import type { OfFlow, OfProvenance } from '../openflow/types.js';
import { formatFlowLine } from '../openflow/index.js';
import { evaluate, matrixEntities, policyPorts, type EvalOptions, type PeerSpec, type PortSpec, type ReasonStep, type Verdict } from '../semantics/index.js';

// ------------------------------------------------------------------ result types

export interface ConnectivityChange {
  network: string;
  /** workload id as in `udnc matrix` (`ns/name[Kind]`, `ns/pod`) */
  src: string;
  /** workload id, or `svc:ns/name` for a Service */
  dst: string;
  protocol: PortSpec['protocol'];
  port: number;
  change: 'gained' | 'lost';
  /** reason-chain steps of the new verdict that the old one did not have (or why it was absent) */
  now: string[];
  /** reason-chain steps of the old verdict that the new one no longer has */
  before: string[];
  /** Kubernetes objects named in `now` and `before` (the rules that made the difference) */
  objects: string[];
}

export interface ItemChange {
  /** stable key: NB row id, lflow line, OpenFlow flow line */
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** readable one-line summary */
  text: string;
  /** for changed NB rows: `column: old → new` */
  details?: string[];
  /** Kubernetes objects (formatted `Kind ns/name`, no source position) */
  objects: string[];
}

export interface ObjectGroup {
  /** `Kind ns/name`, or `(no Kubernetes object)` for cluster infrastructure */
  object: string;
  added: number;
  removed: number;
  changed: number;
  items: ItemChange[];
}

export interface StageDiff {
  added: number;
  removed: number;
  changed: number;
  byObject: ObjectGroup[];
}

export interface ClusterDiff {
  connectivity: {
    gained: number;
    lost: number;
    /** grouped by destination: network → dst → changes */
    changes: ConnectivityChange[];
    /** workloads / services present on one side only, per network */
    added: string[];
    removed: string[];
  };
  nb?: StageDiff;
  lflow?: StageDiff;
  openflow?: StageDiff;
}

export interface DiffOptions extends EvalOptions {}

export const NO_OBJECT = '(no Kubernetes object)';

// ------------------------------------------------------------------ entry point

/** Compares two compile results (compute them with `until: 'openflow'` to get all four sections). */
export function diffClusters(oldR: CompileResult, newR: CompileResult, opts: DiffOptions = {}): ClusterDiff {
  if (!oldR.model || !newR.model) throw new Error('diffClusters: both results need the model stage');
  const out: ClusterDiff = { connectivity: diffConnectivity(oldR.model, newR.model, opts) };
  if (oldR.nb && newR.nb) out.nb = diffNorthbound(oldR.nb, newR.nb);
  if (oldR.lflow && newR.lflow) out.lflow = diffItems(oldR.lflow.flows.map(lflowItem), newR.lflow.flows.map(lflowItem));
  if (oldR.openflow && newR.openflow) out.openflow = diffItems(oldR.openflow.flows.map(ofItem), newR.openflow.flows.map(ofItem));
  return out;
}

/** Did the change gain or lose any connectivity? (the `udnc diff` exit code) */
export function connectivityChanged(d: ClusterDiff): boolean {
  return d.connectivity.changes.length > 0;
}

// ------------------------------------------------------------------ connectivity

interface Dest { id: string; spec: (net: string | undefined) => PeerSpec; ports: PortSpec[] }
interface Src { id: string; spec: (net: string | undefined) => PeerSpec; replica?: (net: string | undefined) => PeerSpec }
interface Side { srcs: Map<string, Src>; dsts: Map<string, Dest> }

const podSpec = (pod: Pod) => (net: string | undefined): PeerSpec =>
  ({ kind: 'pod', namespace: pod.namespace, name: pod.name, ...(net && !pod.hostNetwork ? { network: net } : {}) });

function sides(model: ClusterModel, ports: PortSpec[]): Map<string, Side> {
  const out = new Map<string, Side>();
  const byNet = matrixEntities(model, 'workload');
  for (const [network, ents] of byNet) {
    if (network === 'host') continue;
    const all = [...ents, ...(network === 'default' ? byNet.get('host') ?? [] : [])];
    const srcs = new Map<string, Src>();
    const dsts = new Map<string, Dest>();
    for (const e of all) {
      srcs.set(e.id, { id: e.id, spec: podSpec(e.pod), ...(e.pods.length > 1 ? { replica: podSpec(e.pods[1]!) } : {}) });
      dsts.set(e.id, { id: e.id, spec: podSpec(e.pod), ports });
    }
    for (const s of model.services) {
      if (s.network !== network || s.headless || !s.ports.length) continue;
      const id = `svc:${s.namespace}/${s.name}`;
      dsts.set(id, { id, spec: () => ({ kind: 'service', namespace: s.namespace, name: s.name }), ports: s.ports.map((p) => ({ protocol: p.protocol, port: p.port })) });
    }
    out.set(network, { srcs, dsts });
  }
  return out;
}

function probePorts(models: ClusterModel[]): PortSpec[] {
  const ps: PortSpec[] = [];
  for (const m of models) {
    ps.push(...policyPorts(m));
    for (const p of m.pods) for (const c of p.ports) ps.push({ protocol: c.protocol, port: c.containerPort });
  }
  const seen = new Set<string>();
  const order = { TCP: 0, UDP: 1, SCTP: 2 } as const;
  const u = ps.filter((p) => { const k = `${p.protocol}/${p.port}`; if (seen.has(k)) return false; seen.add(k); return true; });
  u.sort((a, b) => order[a.protocol] - order[b.protocol] || a.port - b.port);
  return u.length ? u : [{ protocol: 'TCP', port: 80 }];
}

export function diffConnectivity(oldM: ClusterModel, newM: ClusterModel, opts: DiffOptions = {}): ClusterDiff['connectivity'] {
  const ports = probePorts([oldM, newM]);
  const A = sides(oldM, ports);
  const B = sides(newM, ports);
  const evalOpts: EvalOptions = { ...(opts.semantics ? { semantics: opts.semantics } : {}), ...(opts.choices ? { choices: opts.choices } : {}) };
  const changes: ConnectivityChange[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const nets = [...new Set([...A.keys(), ...B.keys()])].sort(cmp);
  for (const network of nets) {
    const empty = (): Side => ({ srcs: new Map<string, Src>(), dsts: new Map<string, Dest>() });
    const a = A.get(network) ?? empty();
    const b = B.get(network) ?? empty();
    const netOpt = network === 'default' ? undefined : network;
    const dstIds = [...new Set([...a.dsts.keys(), ...b.dsts.keys()])].sort(cmp);
    const srcIds = [...new Set([...a.srcs.keys(), ...b.srcs.keys()])].sort(cmp);
    for (const id of dstIds) {
      if (!a.dsts.has(id)) added.push(`${network}: ${id}`);
      else if (!b.dsts.has(id)) removed.push(`${network}: ${id}`);
    }
    const run = (model: ClusterModel, side: typeof a, s: string, d: string, p: PortSpec): Verdict | undefined => {
      const src = side.srcs.get(s);
      const dst = side.dsts.get(d);
      if (!src || !dst || !dst.ports.some((q) => q.protocol === p.protocol && q.port === p.port)) return undefined;
      const dspec = s === d && src.replica ? src.replica(netOpt) : dst.spec(netOpt);
      return evaluate(model, { src: src.spec(netOpt), dst: dspec, protocol: p.protocol, port: p.port }, evalOpts);
    };
    for (const d of dstIds) {
      const dPorts = uniqPortList([...(a.dsts.get(d)?.ports ?? []), ...(b.dsts.get(d)?.ports ?? [])]);
      for (const s of srcIds) {
        for (const p of dPorts) {
          const va = run(oldM, a, s, d, p);
          const vb = run(newM, b, s, d, p);
          const wasAllowed = va?.allowed ?? false;
          const isAllowed = vb?.allowed ?? false;
          if (wasAllowed === isAllowed) continue;
          const ta = va ? stepTexts(va) : [absent(a, s, d)];
          const tb = vb ? stepTexts(vb) : [absent(b, s, d)];
          const now = tb.filter((x) => !ta.includes(x));
          const before = ta.filter((x) => !tb.includes(x));
          const objects = uniqSorted([...(vb?.reasons ?? []), ...(va?.reasons ?? [])]
            .filter((r) => now.includes(stepText(r)) || before.includes(stepText(r)))
            .flatMap((r) => (r.object ? [refKey(r.object)] : [])));
          changes.push({ network, src: s, dst: d, protocol: p.protocol, port: p.port, change: isAllowed ? 'gained' : 'lost', now, before, objects });
        }
      }
    }
  }
  return {
    gained: changes.filter((c) => c.change === 'gained').length,
    lost: changes.filter((c) => c.change === 'lost').length,
    changes, added, removed,
  };
}

function absent(side: Side, s: string, d: string): string {
  if (!side.srcs.has(s)) return `${s} does not exist`;
  if (!side.dsts.has(d)) return `${d} does not exist`;
  return `${d} does not serve this port`;
}

/** A reason step as text, with the object but without its source position (lines move). */
function stepText(r: ReasonStep): string {
  return `${r.direction ? `${r.direction}: ` : ''}${r.stage} ${r.verdict}: ${r.message}`;
}

function stepTexts(v: Verdict): string[] {
  return v.reasons.map(stepText);
}

function uniqPortList(ps: PortSpec[]): PortSpec[] {
  const seen = new Set<string>();
  return ps.filter((p) => { const k = `${p.protocol}/${p.port}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

// ------------------------------------------------------------------ NB rows, lflows, OpenFlow

interface Item { key: string; value: string; text: string; objects: string[]; cols?: Record<string, string> }

/** `Kind ns/name` without the source position. */
export function refKey(r: ObjectRef): string {
  return formatObjectRef({ kind: r.kind, name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) });
}

function rowsOf(db: NorthboundDB): Array<[NbTable, RowMeta]> {
  const out: Array<[NbTable, RowMeta]> = [];
  for (const [t, f] of Object.entries(TABLE_FIELDS) as Array<[NbTable, keyof NorthboundDB]>) {
    const v = db[f] as RowMeta | RowMeta[];
    for (const r of Array.isArray(v) ? v : [v]) out.push([t, r]);
  }
  return out;
}

const META = new Set<string>(META_FIELDS);

function nbItem([, r]: [NbTable, RowMeta]): Item {
  const cols: Record<string, string> = {};
  for (const [k, v] of Object.entries(r as unknown as Record<string, unknown>).sort((x, y) => cmp(x[0], y[0]))) {
    if (META.has(k) || v === undefined) continue;
    cols[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const ext = (r as unknown as { external_ids?: Record<string, string> }).external_ids?.['k8s.ovn.org/id'];
  const text = ext && !r.id.endsWith(ext) ? `${r.id} (${ext})` : r.id;
  return { key: r.id, value: JSON.stringify(cols), text, objects: objectsOf(r.provenance), cols };
}

export function diffNorthbound(a: NorthboundDB, b: NorthboundDB): StageDiff {
  return diffItems(rowsOf(a).map(nbItem), rowsOf(b).map(nbItem));
}

function lflowItem(f: Lflow): Item {
  const line = `${f.datapath} ${f.pipeline} ${formatLflowLine(f).trim()}`;
  return { key: line, value: '', text: line, objects: objectsOf(f.provenance.objects) };
}

function ofObjects(p: OfProvenance): ObjectRef[] {
  switch (p.kind) {
    case 'lflow': return p.lflow.objects;
    case 'port': case 'lb': return p.objects;
    default: return [];
  }
}

function ofItem(f: OfFlow): Item {
  const line = formatFlowLine(f);
  return { key: line, value: '', text: line, objects: objectsOf(f.provenance.flatMap(ofObjects)) };
}

/** Kinds that stand behind whole networks and nodes: an item is listed under them only when no other object caused it. */
const INFRA_KINDS = ['Network', 'Node', 'Namespace', 'UserDefinedNetwork', 'ClusterUserDefinedNetwork', 'NetworkAttachmentDefinition'];

/**
 * The groups an item is listed under: each of its specific causes (pods, workloads, policies,
 * Services…) when it has any, else one group for the networks/nodes it belongs to together
 * (`Network default + Node ovn-worker`), else {@link NO_OBJECT}. The item's `objects` keeps the
 * full provenance.
 */
function groupObjects(objects: string[]): string[] {
  const specific = objects.filter((o) => !INFRA_KINDS.includes(o.slice(0, o.indexOf(' '))));
  return specific.length ? specific : objects.length ? [objects.join(' + ')] : [NO_OBJECT];
}

function objectsOf(refs: readonly ObjectRef[]): string[] {
  return uniqSorted(refs.map(refKey));
}

/**
 * Items matched by key. Repeated keys (identical flows) are compared as multisets: the surplus on
 * one side is added/removed.
 */
function diffItems(a: Item[], b: Item[]): StageDiff {
  const group = (xs: Item[]) => {
    const m = new Map<string, Item[]>();
    for (const x of xs) m.set(x.key, [...(m.get(x.key) ?? []), x]);
    return m;
  };
  const A = group(a);
  const B = group(b);
  const changes: ItemChange[] = [];
  for (const [k, xs] of A) {
    const ys = B.get(k) ?? [];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const y = ys[i];
      if (!y) { changes.push({ key: k, change: 'removed', text: x.text, objects: x.objects }); continue; }
      if (x.value !== y.value) {
        const details: string[] = [];
        for (const c of uniqSorted([...Object.keys(x.cols ?? {}), ...Object.keys(y.cols ?? {})])) {
          const o = x.cols?.[c];
          const n = y.cols?.[c];
          if (o !== n) details.push(`${c}: ${o ?? '(unset)'} → ${n ?? '(unset)'}`);
        }
        changes.push({ key: k, change: 'changed', text: y.text, details, objects: uniqSorted([...x.objects, ...y.objects]) });
      }
    }
  }
  for (const [k, ys] of B) {
    const xs = A.get(k) ?? [];
    for (let i = xs.length; i < ys.length; i++) changes.push({ key: k, change: 'added', text: ys[i]!.text, objects: ys[i]!.objects });
  }
  const order = { removed: 0, added: 1, changed: 2 } as const;
  changes.sort((x, y) => cmp(x.key, y.key) || order[x.change] - order[y.change]);
  const byObj = new Map<string, ItemChange[]>();
  for (const c of changes) for (const o of groupObjects(c.objects)) byObj.set(o, [...(byObj.get(o) ?? []), c]);
  const byObject: ObjectGroup[] = [...byObj].sort((x, y) => (x[0] === NO_OBJECT ? 1 : y[0] === NO_OBJECT ? -1 : cmp(x[0], y[0]))).map(([object, items]) => ({
    object, items,
    added: items.filter((i) => i.change === 'added').length,
    removed: items.filter((i) => i.change === 'removed').length,
    changed: items.filter((i) => i.change === 'changed').length,
  }));
  return {
    added: changes.filter((c) => c.change === 'added').length,
    removed: changes.filter((c) => c.change === 'removed').length,
    changed: changes.filter((c) => c.change === 'changed').length,
    byObject,
  };
}

// ------------------------------------------------------------------ output

export type DiffFormat = 'txt' | 'md' | 'json';

export interface FormatDiffOptions {
  /** items listed per object and stage before "… and N more" (txt/md; default 50; 0 = all) */
  limit?: number;
}

const portText = (c: { protocol: string; port: number }) => `${c.protocol}/${c.port}`;

/** Connectivity changes grouped: network → destination → change kind → rows. */
function connGroups(d: ClusterDiff): Map<string, Map<string, ConnectivityChange[]>> {
  const g = new Map<string, Map<string, ConnectivityChange[]>>();
  for (const c of d.connectivity.changes) {
    const n = g.get(c.network) ?? new Map<string, ConnectivityChange[]>();
    g.set(c.network, n);
    n.set(c.dst, [...(n.get(c.dst) ?? []), c]);
  }
  return g;
}

/** Same source, change and reasons on several ports → one line. */
function mergePorts(cs: ConnectivityChange[]): Array<{ c: ConnectivityChange; ports: string; now: string[]; before: string[] }> {
  const m = new Map<string, { c: ConnectivityChange; ports: string[] }>();
  // reason texts name the probed port: compare them with the port blanked out
  const blank = (c: ConnectivityChange, xs: string[]) => xs.map((x) => x.split(portText(c)).join('\u0000'));
  for (const c of cs) {
    const k = `${c.change}|${c.src}|${blank(c, c.now).join('\n')}|${blank(c, c.before).join('\n')}`;
    const e = m.get(k);
    if (e) e.ports.push(portText(c));
    else m.set(k, { c, ports: [portText(c)] });
  }
  return [...m.values()].sort((x, y) => -cmp(x.c.change, y.c.change) || cmp(x.c.src, y.c.src)).map((e) => {
    const ports = e.ports.join(', ');
    const fill = (xs: string[]) => blank(e.c, xs).map((x) => x.split('\u0000').join(ports));
    return { c: e.c, ports, now: fill(e.c.now), before: fill(e.c.before) };
  });
}

export function formatDiff(d: ClusterDiff, format: DiffFormat, opts: FormatDiffOptions = {}): string {
  if (format === 'json') return `${JSON.stringify(d, null, 2)}\n`;
  const md = format === 'md';
  const limit = opts.limit ?? 50;
  const out: string[] = [];
  const stageLine = (name: string, s?: StageDiff) => (s ? `${name}: +${s.added} -${s.removed}${s.changed ? ` ~${s.changed}` : ''}` : `${name}: not computed`);
  const k = d.connectivity;
  if (md) out.push('## udnc diff', '');
  out.push(`${md ? '**Connectivity**: ' : 'connectivity: '}${k.gained} gained, ${k.lost} lost${k.added.length ? `; added: ${k.added.join(', ')}` : ''}${k.removed.length ? `; removed: ${k.removed.join(', ')}` : ''}`);
  out.push(`${md ? '**Changes**: ' : 'changes: '}${[stageLine('NB rows', d.nb), stageLine('lflows', d.lflow), stageLine('OpenFlow flows', d.openflow)].join(', ')}`);

  // (1) connectivity
  out.push('', md ? '### 1. Connectivity gained and lost' : '== 1. connectivity gained and lost (by destination)');
  if (!k.changes.length) out.push(md ? '_no change_' : '  (no change)');
  for (const [net, byDst] of connGroups(d)) {
    out.push(md ? `\n**network \`${net}\`**\n` : `  network ${net}`);
    for (const [dst, cs] of byDst) {
      out.push(md ? `- to \`${dst}\`` : `    to ${dst}`);
      for (const { c, ports, now, before } of mergePorts(cs)) {
        const sign = c.change === 'gained' ? '+' : '-';
        out.push(md ? `  - ${sign} **${c.change}** from \`${c.src}\` on ${ports}` : `      ${sign} ${c.change}: from ${c.src} on ${ports}`);
        for (const r of now) out.push(md ? `    - now: ${r}` : `          now:    ${r}`);
        for (const r of before) out.push(md ? `    - before: ${r}` : `          before: ${r}`);
      }
    }
  }

  // (2)–(4)
  const stages: Array<[string, StageDiff | undefined]> = [['2. NB rows', d.nb], ['3. logical flows', d.lflow], ['4. OpenFlow flows', d.openflow]];
  for (const [title, s] of stages) {
    out.push('', md ? `### ${title} (${s ? `+${s.added} -${s.removed}${s.changed ? ` ~${s.changed}` : ''}` : 'not computed'})` : `== ${title}${s ? ` (+${s.added} -${s.removed}${s.changed ? ` ~${s.changed}` : ''})` : ' (not computed)'}`);
    if (!s) continue;
    if (!s.byObject.length) { out.push(md ? '_no change_' : '  (no change)'); continue; }
    for (const g of s.byObject) {
      const head = `${g.object}: +${g.added} -${g.removed}${g.changed ? ` ~${g.changed}` : ''}`;
      const lines: string[] = [];
      const shown = limit > 0 ? g.items.slice(0, limit) : g.items;
      for (const it of shown) {
        const sign = it.change === 'added' ? '+' : it.change === 'removed' ? '-' : '~';
        lines.push(`${sign} ${it.text}`);
        for (const x of it.details ?? []) lines.push(`    ${x}`);
      }
      if (shown.length < g.items.length) lines.push(`… and ${g.items.length - shown.length} more`);
      if (md) {
        out.push('<details>', `<summary>${htmlEsc(head)}</summary>`, '', '```diff', ...lines, '```', '', '</details>');
      } else {
        out.push(`  ${head}`, ...lines.map((l) => `    ${l}`));
      }
    }
  }
  return `${out.join('\n')}\n`;
}

function htmlEsc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function uniqSorted(xs: string[]): string[] {
  return [...new Set(xs)].sort(cmp);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
