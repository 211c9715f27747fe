/**
 * Incremental OpenFlow stage: ovn-controller keeps desired flows per lflow and re-translates an
 * lflow only when it or what it references changed. Here a translation (see
 * LflowTranslationCache in src/openflow) is kept per lflow object (the incremental lflow stage
 * hands back the previous object for an unchanged flow) and forgotten when something it may have
 * read changed:
 *  - its datapath's SB row (tunnel key, UUID, kind), or the datapath stopped being local;
 *  - a port binding or NB switch port it names ("name" in match or actions: port keys, pinning,
 *    is_chassis_resident, locality), or the peer of such a port;
 *  - an address set it names ($name), a port group it names (@name) whose SB row or member ports
 *    changed, a multicast group of its datapath it names;
 *  - in a node view, the set of nodes (locality of management ports).
 * Group, meter and conjunction ids are not inputs: compileOpenFlow replays a hit's allocations and
 * re-translates when they come out different, so the result equals a fresh compile.
 */
import type { Lflow, LflowResult, Southbound } from '../lflow/types.js';
import type { NorthboundDB } from '../northbound/types.js';
import type { LflowTranslation, LflowTranslationCache, OfFlow } from '../openflow/index.js';
import { canonicalJSON, deepEqual, type KeyedDiff, type NbRow } from './diff.js';

const tokenCache = new WeakMap<Lflow, string[]>();
/** Names an lflow references: quoted strings (ports, multicast groups), $address sets, @port groups. */
function tokens(f: Lflow): string[] {
  let t = tokenCache.get(f);
  if (t) return t;
  t = [];
  const re = /"((?:[^"\\]|\\.)*)"|([$@])([A-Za-z0-9_.\-:]+)/g;
  for (const text of [f.match, f.actions]) {
    for (const m of text.matchAll(re)) t.push(m[1] !== undefined ? `"${m[1]}` : `${m[2]}${m[3]}`);
  }
  tokenCache.set(f, t);
  return t;
}

function changedByKey<T>(a: readonly T[], b: readonly T[], key: (t: T) => string, out: (k: string, before?: T, after?: T) => void): void {
  const am = new Map(a.map((x) => [key(x), x]));
  const bm = new Map(b.map((x) => [key(x), x]));
  for (const [k, x] of am) {
    const y = bm.get(k);
    if (y === undefined || !deepEqual(x, y)) out(k, x, y);
  }
  for (const [k, y] of bm) if (!am.has(k)) out(k, undefined, y);
}

export class OpenFlowCache implements LflowTranslationCache {
  private entries = new WeakMap<Lflow, LflowTranslation>();
  readonly shared = new WeakSet<OfFlow>();
  /** datapaths local at the last compile */
  private local = new Set<string>();
  private purge = new Set<string>();
  /** counters of the last compile */
  looked = 0;
  translated = 0;

  get(lflow: Lflow): LflowTranslation | undefined {
    this.looked++;
    return this.entries.get(lflow);
  }

  set(lflow: Lflow, t: LflowTranslation): void {
    this.translated++;
    this.entries.set(lflow, t);
    for (const f of t.flows) this.shared.add(f);
  }

  private memos = new Map<string, { inputs: unknown; flows: OfFlow[] }>();
  private memoSeen = new Set<string>();

  /** (an arrow: compileOpenFlow may call it unbound) */
  readonly memo = (key: string, inputs: unknown, compute: () => OfFlow[]): OfFlow[] => {
    this.memoSeen.add(key);
    const m = this.memos.get(key);
    if (m && deepEqual(m.inputs, inputs)) return m.flows;
    const flows = compute();
    for (const f of flows) this.shared.add(f);
    this.memos.set(key, { inputs, flows });
    return flows;
  };

  /** Call after each compile with the datapaths it found local. */
  compiled(localDatapaths: readonly string[]): void {
    for (const k of this.memos.keys()) if (!this.memoSeen.has(k)) this.memos.delete(k);
    this.memoSeen.clear();
    const now = new Set(localDatapaths);
    for (const d of this.local) if (!now.has(d)) this.purge.add(d);
    this.local = now;
  }

  /** Forgets what `next` invalidates, before compiling it; resets the counters. */
  invalidate(prev: { lflow: LflowResult; nb: NorthboundDB }, next: { lflow: LflowResult; nb: NorthboundDB }, nbDelta: KeyedDiff<NbRow>, nodeView: boolean): void {
    this.looked = 0;
    this.translated = 0;
    const a: Southbound = prev.lflow.southbound;
    const b: Southbound = next.lflow.southbound;
    if (nodeView && canonicalJSON(nodeNames(prev.nb, a)) !== canonicalJSON(nodeNames(next.nb, b))) {
      this.entries = new WeakMap();
      this.purge.clear();
      return;
    }
    const dps = new Set(this.purge);
    this.purge.clear();
    changedByKey(a.datapaths, b.datapaths, (d) => d.name, (k) => dps.add(k));
    const names = new Set<string>(); // `"port`, `$set`, `@group`
    const ports = new Set<string>();
    const peers = new Map<string, string>();
    for (const pb of [...a.portBindings, ...b.portBindings]) if (pb.options['peer']) peers.set(pb.logicalPort, pb.options['peer']);
    changedByKey(a.portBindings, b.portBindings, (p) => p.logicalPort, (k) => ports.add(k));
    for (const r of nbDelta.added) if (r.id.startsWith('Logical_Switch_Port:')) ports.add((r as { name: string }).name);
    for (const r of nbDelta.removed) if (r.id.startsWith('Logical_Switch_Port:')) ports.add((r as { name: string }).name);
    for (const c of nbDelta.changed) {
      if (!c.key.startsWith('Logical_Switch_Port:')) continue;
      ports.add((c.before as { name: string }).name);
      ports.add((c.after as { name: string }).name);
    }
    for (const p of [...ports]) { const q = peers.get(p); if (q !== undefined) ports.add(q); }
    for (const p of ports) names.add(`"${p}`);
    changedByKey(a.addressSets, b.addressSets, (s) => s.name, (k) => names.add(`$${k}`));
    const pgName = (sbName: string): string => sbName.slice(sbName.indexOf('_') + 1);
    changedByKey(a.portGroups, b.portGroups, (g) => g.name, (k) => names.add(`@${pgName(k)}`));
    for (const g of b.portGroups) if (g.ports.some((p) => ports.has(p))) names.add(`@${pgName(g.name)}`);
    const mcByDp = new Map<string, Set<string>>();
    changedByKey(a.multicastGroups, b.multicastGroups, (m) => `${m.datapath}|${m.name}`, (_k, x, y) => {
      const m = (x ?? y)!;
      let s = mcByDp.get(m.datapath);
      if (!s) mcByDp.set(m.datapath, (s = new Set()));
      s.add(`"${m.name}`);
    });
    for (const f of next.lflow.flows) {
      if (!this.entries.has(f)) continue;
      const mc = mcByDp.get(f.datapath);
      if (dps.has(f.datapath) || tokens(f).some((t) => names.has(t) || (mc !== undefined && mc.has(t)))) this.entries.delete(f);
    }
  }
}

/** The nodes a node view knows (requested-chassis of switch ports, l3gateway chassis). */
function nodeNames(nb: NorthboundDB, sb: Southbound): string[] {
  const s = new Set<string>();
  for (const l of nb.logicalSwitchPorts) if (l.options['requested-chassis']) s.add(l.options['requested-chassis']);
  for (const pb of sb.portBindings) if (pb.options['l3gateway-chassis']) s.add(pb.options['l3gateway-chassis']);
  return [...s].sort();
}
