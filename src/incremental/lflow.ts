/**
 * Incremental lflow stage, the way ovn-northd's I-P engine does it: only the datapaths whose inputs
 * changed get their logical flows recomputed. A datapath's inputs are the NB rows its flow builder
 * (src/lflow/switch.ts, router.ts) reads through the view:
 *  - a switch: its row, its ports, the router ports they peer with and those routers (row, ports,
 *    NATs: gateway-router checks), its ACLs and the port groups/switch they hang on, its load
 *    balancers and LB groups; every switch also reads the fair meters;
 *  - a router: its row, ports, static routes, NATs, load balancers and LB groups, the router ports
 *    it peers with, and for each switch it is connected to: that switch's row, every port on it
 *    and the router ports they peer with (ARP resolve has a flow per neighbor).
 * A datapath is recomputed when one of its inputs before or after the change is an NB row that
 * was added, removed or changed; if neither set of inputs holds a changed row, every row the
 * builder reads is the same, so its flows are too (the property test checks the whole result
 * against a full recompile after every step).
 */
import { buildSouthbound, buildView, computeDatapathFlows, PIPELINE_25_03, type NbView } from '../lflow/index.js';
import type { Lflow, LflowResult, Southbound } from '../lflow/types.js';
import type { NorthboundDB } from '../northbound/types.js';
import { deepEqual, diffKeyed, keyed, lflowIdentity, type KeyedDiff, type NbRow } from './diff.js';

interface DpFlows {
  flows: Lflow[];
  unsupported: string[];
}

/** What the incremental lflow stage keeps between changes. */
export interface LflowState {
  /** flows and builder notes per datapath name */
  byDp: Map<string, DpFlows>;
  /** NB row ids each datapath's flows read */
  deps: Map<string, Set<string>>;
  result: LflowResult;
}

/** The NB row ids each datapath's flow builder reads (see the file comment). */
export function datapathInputs(view: NbView): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  const of = (name: string): Set<string> => {
    let s = deps.get(name);
    if (!s) deps.set(name, (s = new Set()));
    return s;
  };
  for (const ls of view.switches) {
    const d = of(ls.name);
    d.add(ls.row.id);
    for (const p of ls.ports) {
      d.add(p.row.id);
      if (!p.peer) continue;
      d.add(p.peer.row.id);
      d.add(p.peer.lr.row.id);
      for (const o of p.peer.lr.ports) d.add(o.row.id);
      for (const n of p.peer.lr.nats) d.add(n.id);
    }
    for (const a of ls.acls) {
      d.add(a.row.id);
      d.add(a.via.id);
    }
    for (const c of ls.lbCauses) d.add(c.id);
    for (const m of view.db.meters) d.add(m.id);
  }
  for (const lr of view.routers) {
    const d = of(lr.name);
    d.add(lr.row.id);
    for (const p of lr.ports) {
      d.add(p.row.id);
      if (p.peerLrp) d.add(p.peerLrp.row.id);
      if (!p.peerLsp) continue;
      d.add(p.peerLsp.ls.row.id);
      for (const sp of p.peerLsp.ls.ports) {
        d.add(sp.row.id);
        if (sp.peer) d.add(sp.peer.row.id);
      }
    }
    for (const r of lr.routes) d.add(r.id);
    for (const n of lr.nats) d.add(n.id);
    for (const lb of lr.lbs) d.add(lb.id);
    for (const g of lr.row.load_balancer_group) d.add(g);
  }
  return deps;
}

/** The stage's result from per-datapath flows: equal to computeLogicalFlows of the same NB. */
function assemble(view: NbView, southbound: Southbound, byDp: Map<string, DpFlows>): LflowResult {
  const unsupported = new Set<string>(view.problems);
  // flows sort by datapath name first (one name, one SB UUID), so per-datapath sorted lists
  // concatenated in name order are the globally sorted list
  const names = [...byDp.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const flows: Lflow[] = [];
  for (const n of names) {
    const e = byDp.get(n)!;
    for (const f of e.flows) flows.push(f);
    for (const u of e.unsupported) unsupported.add(u);
  }
  return { ovnVersion: PIPELINE_25_03.ovnVersion, flows, southbound, unsupported: [...unsupported].sort() };
}

function uuidOf(sb: Southbound): (dp: string) => string {
  const uuids = new Map(sb.datapaths.map((d) => [d.name, d.uuid]));
  return (dp) => uuids.get(dp) ?? '';
}

/** Every datapath computed. */
export function lflowFull(nb: NorthboundDB): LflowState {
  const view = buildView(nb);
  const names = new Set([...view.switches.map((s) => s.name), ...view.routers.map((r) => r.name)]);
  const sb = buildSouthbound(view);
  const byDp = computeDatapathFlows(view, names, uuidOf(sb));
  return { byDp, deps: datapathInputs(view), result: assemble(view, sb, byDp) };
}

/**
 * The lflow stage after an NB change: only datapaths whose inputs hold a changed row are
 * recomputed. Flows that come out identical (identity and provenance) are the previous objects,
 * so later stages can recognise them. `delta` is the lflow diff against `prev`.
 */
export function lflowIncremental(
  prev: LflowState, nb: NorthboundDB, nbDelta: KeyedDiff<NbRow>,
): { state: LflowState; delta: KeyedDiff<Lflow>; recomputed: number; total: number } {
  const view = buildView(nb);
  const deps = datapathInputs(view);
  const changed = new Set<string>();
  for (const r of nbDelta.added) changed.add(r.id);
  for (const r of nbDelta.removed) changed.add(r.id);
  for (const c of nbDelta.changed) changed.add(c.key);
  const dirty = new Set<string>();
  const hits = (s: Set<string>): boolean => {
    if (changed.size < s.size) { for (const id of changed) if (s.has(id)) return true; } else for (const id of s) if (changed.has(id)) return true;
    return false;
  };
  for (const [dp, s] of deps) if (!prev.deps.has(dp) || hits(s)) dirty.add(dp);
  for (const [dp, s] of prev.deps) if (!deps.has(dp) || hits(s)) dirty.add(dp);

  const sb = buildSouthbound(view);
  const fresh = computeDatapathFlows(view, dirty, uuidOf(sb));
  const byDp = new Map(prev.byDp);
  const before = new Map<string, Lflow>();
  const after = new Map<string, Lflow>();
  for (const dp of dirty) {
    const old = prev.byDp.get(dp);
    const oldById = keyed(old?.flows ?? [], lflowIdentity);
    for (const [k, f] of oldById) before.set(k, f);
    const now = fresh.get(dp);
    if (!now) {
      byDp.delete(dp);
      continue;
    }
    // keep the previous object for a flow that did not change
    now.flows = now.flows.map((f) => {
      const k = lflowIdentity(f);
      const o = oldById.get(k);
      const same = o !== undefined && deepEqual(o.provenance, f.provenance) && o.stage === f.stage ? o : f;
      after.set(k, same);
      return same;
    });
    byDp.set(dp, now);
  }
  const delta = diffKeyed(before, after);
  return { state: { byDp, deps, result: assemble(view, sb, byDp) }, delta, recomputed: dirty.size, total: deps.size };
}
