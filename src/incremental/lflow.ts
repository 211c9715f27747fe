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
 *
 * A recomputed datapath does not rebuild every flow: a load balancer's VIP flows are one
 * FlowBlock per LB row (src/lflow/sink.ts), the same on every switch or gateway router the LB
 * applies to, and most flows of a node's switch and gateway router are such blocks (every
 * Service's VIPs). As northd keeps those flows in one Logical_Flow row with a datapath group,
 * the blocks are built once per LB row and kept across changes (the memo store outlives the
 * computation: a changed NB row is a new object, see internRows in ./index.ts), and a datapath
 * keeps its flows per block: after a change it rebuilds only the flows its builder adds itself
 * and those of blocks that are new (a changed LB is a new block); the other blocks' flows are the
 * previous objects. Where two origins of a datapath (its own adds, each block) give the same flow
 * text, the sink makes one flow with both provenances (two load balancers with one VIP address
 * share a gateway router's defrag flow): such texts are found on every recomputation and kept as
 * one merged flow, the origins' own flows aside.
 */
import {
  blockFlows, buildSouthbound, buildView, computeDatapathFlows, FlowSink, mergeProvenance, PIPELINE_25_03, type FlowBlock, type NbView,
} from '../lflow/index.js';
import type { Cause } from '../lflow/model.js';
import type { Lflow, LflowResult, Southbound } from '../lflow/types.js';
import type { NorthboundDB } from '../northbound/types.js';
import { deepEqual, diffKeyed, lflowIdentity, type KeyedDiff, type NbRow } from './diff.js';
import { PhaseTimer } from './phases.js';

/** A datapath's flows by origin. */
interface Split {
  /** flows the builder added itself, sorted */
  own: Lflow[];
  /** each block's flows (in the block's order) with the datapath cause list they were made with */
  blocks: Map<FlowBlock, { causes: readonly Cause[]; flows: Lflow[] }>;
  /** by flow text: the one flow of a text more than one origin gives (the origins' flows are not the datapath's) */
  merged: Map<string, Lflow>;
}

interface DpFlows {
  /** every flow of the datapath, sorted as computeLogicalFlows sorts them */
  flows: Lflow[];
  unsupported: string[];
  split?: Split;
}

/** What the incremental lflow stage keeps between changes. */
export interface LflowState {
  /** flows and builder notes per datapath name */
  byDp: Map<string, DpFlows>;
  /** NB row ids each datapath's flows read */
  deps: Map<string, Set<string>>;
  /** FlowSink.memo store kept across changes (per LB row: its VIPs and FlowBlocks) */
  memos: WeakMap<object, Map<string, unknown>>;
  result: LflowResult;
}

/** A sink that keeps blocks apart instead of adding their flows. */
class SplitSink extends FlowSink {
  readonly blocks: Array<{ block: FlowBlock; causes: readonly Cause[] }> = [];
  override addBlock(_datapath: string, block: FlowBlock, causes: readonly Cause[]): void {
    this.blocks.push({ block, causes });
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** computeLogicalFlows' order of one datapath's flows (datapath name and UUID are equal within it) */
const flowOrder = (a: Lflow, b: Lflow): number =>
  (a.pipeline === b.pipeline ? 0 : a.pipeline === 'ingress' ? -1 : 1) ||
  a.table - b.table || b.priority - a.priority || cmp(a.match, b.match) || cmp(a.actions, b.actions);
const keys = new WeakMap<Lflow, string>();
/** the sink's key of a flow text (FlowText.key), once per flow object */
const textKey = (f: Lflow): string => {
  let k = keys.get(f);
  if (k === undefined) keys.set(f, (k = `${f.stage}\u0000${f.priority}\u0000${f.match}\u0000${f.actions}`));
  return k;
};
const sameFlow = (a: Lflow, b: Lflow): boolean => a.stage === b.stage && deepEqual(a.provenance, b.provenance);
/** cause lists that give flows the same provenance (a flow's provenance reads a cause's id and provenance only) */
const sameCauses = (a: readonly Cause[], b: readonly Cause[]): boolean =>
  a.length === b.length && a.every((c, i) => c === b[i] || (c.id === b[i]!.id && deepEqual(c.provenance, b[i]!.provenance)));

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
  const names = [...byDp.keys()].sort(cmp);
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

/** Merge of two lists sorted by `order` (no item in both). */
function mergeSorted(a: readonly Lflow[], b: readonly Lflow[]): Lflow[] {
  if (b.length === 0) return a as Lflow[];
  const out: Lflow[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = flowOrder(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * The flows a recomputation removed and added, over all datapaths. A flow removed and added again
 * with the same identity and content keeps its old object (later stages know it) and is reported
 * neither way.
 */
class Change {
  readonly before = new Map<string, Lflow>();
  readonly after = new Map<string, Lflow>();
  /** (datapath, block) pairs seen and those whose flows were built again */
  blocks = 0;
  blocksRebuilt = 0;

  /**
   * Records one datapath's `gone` and `came` flows; returns, for each new flow that came back
   * unchanged, the old object to use instead. Flows in `pinned` are kept as they are.
   */
  add(gone: readonly Lflow[], came: readonly Lflow[], pinned?: ReadonlySet<Lflow>): Map<Lflow, Lflow> {
    const rep = new Map<Lflow, Lflow>();
    if (gone.length === 0 && came.length === 0) return rep;
    const g = new Map<string, Lflow>();
    for (const f of gone) g.set(lflowIdentity(f), f);
    for (const f of came) {
      const k = lflowIdentity(f);
      const o = g.get(k);
      if (o !== undefined && !pinned?.has(f) && sameFlow(o, f)) {
        rep.set(f, o);
        g.delete(k);
      } else {
        this.after.set(k, f);
      }
    }
    for (const [k, f] of g) this.before.set(k, f);
    return rep;
  }
}

/** One flow text from several origins: one flow, with every origin's provenance (as the sink merges). */
function mergedFlow(fs: readonly Lflow[]): Lflow {
  return { ...fs[0]!, provenance: mergeProvenance(fs.map((f) => f.provenance)) };
}

/**
 * Recomputes the named datapaths. `prev` gives each one's previous flows: unchanged flows keep
 * their objects, and `change` collects the others.
 */
function computeDirty(
  view: NbView, names: ReadonlySet<string>, uuid: (dp: string) => string, memos: WeakMap<object, Map<string, unknown>>,
  prev: ReadonlyMap<string, DpFlows>, change: Change,
): Map<string, DpFlows> {
  const layout = PIPELINE_25_03;
  const sinks = new Map<string, SplitSink>();
  const fresh = computeDatapathFlows(view, names, uuid, { sink: (dp) => { const s = new SplitSink(layout, memos); sinks.set(dp, s); return s; } });
  const whole = new Set<string>();
  const out = new Map<string, DpFlows>();
  for (const [dp, { flows: own, unsupported }] of fresh) {
    const added = sinks.get(dp)!.blocks;
    const old = prev.get(dp);
    const oldSplit = old?.split;
    // new flow objects made here, with their text keys (the others are the previous objects)
    const made = new Map<Lflow, string>();
    // own flows: one merge of the two sorted lists; an equal flow keeps its old object
    const ownNow: Lflow[] = [];
    const ownGone: Lflow[] = [];
    const o = oldSplit?.own ?? [];
    for (let i = 0, j = 0; i < o.length || j < own.length;) {
      const c = i >= o.length ? 1 : j >= own.length ? -1 : flowOrder(o[i]!, own[j]!);
      if (c < 0) ownGone.push(o[i++]!);
      else if (c > 0) { made.set(own[j]!, textKey(own[j]!)); ownNow.push(own[j++]!); } else {
        if (sameFlow(o[i]!, own[j]!)) ownNow.push(o[i]!);
        else { ownGone.push(o[i]!); made.set(own[j]!, textKey(own[j]!)); ownNow.push(own[j]!); }
        i++;
        j++;
      }
    }
    // blocks: the same block with the same datapath causes keeps its flows
    const blocks: Split['blocks'] = new Map();
    let twice = false;
    change.blocks += added.length;
    for (const { block, causes } of added) {
      if (blocks.has(block)) { twice = true; break; }
      const ob = oldSplit?.blocks.get(block);
      if (ob && sameCauses(ob.causes, causes)) blocks.set(block, ob);
      else {
        const fl = blockFlows(layout, dp, block, causes);
        change.blocksRebuilt++;
        for (let i = 0; i < fl.length; i++) made.set(fl[i]!, block.flows[i]!.key);
        blocks.set(block, { causes, flows: fl });
      }
    }
    if (twice) { whole.add(dp); continue; } // one block added twice (not done by the builders): no split
    // flow texts given by more than one origin: one merged flow each
    const first = new Map<string, Lflow>();
    const multi = new Map<string, Lflow[]>();
    const see = (k: string, f: Lflow): void => {
      const g = first.get(k);
      if (g === undefined) { first.set(k, f); return; }
      const l = multi.get(k);
      if (l) l.push(f);
      else multi.set(k, [g, f]);
    };
    for (const f of ownNow) see(textKey(f), f);
    for (const [block, e] of blocks) for (let i = 0; i < e.flows.length; i++) see(block.flows[i]!.key, e.flows[i]!);
    const merged = new Map<string, Lflow>();
    for (const [k, fs] of multi) {
      const m = mergedFlow(fs);
      const om = oldSplit?.merged.get(k);
      merged.set(k, om !== undefined && sameFlow(om, m) ? om : m);
    }
    const oldMerged = oldSplit?.merged ?? new Map<string, Lflow>();
    // the datapath's flows: single-origin flows as they are, merged ones for the others
    const gone: Lflow[] = [];
    const came: Lflow[] = [];
    const pinned = new Set<Lflow>();
    if (!oldSplit) {
      for (const [k, f] of first) came.push(multi.has(k) ? merged.get(k)! : f);
      if (old) for (const f of old.flows) gone.push(f);
    } else {
      for (const f of ownGone) if (!oldMerged.has(textKey(f))) gone.push(f);
      for (const [block, ob] of oldSplit.blocks) {
        if (blocks.get(block) === ob) continue;
        for (let i = 0; i < ob.flows.length; i++) if (!oldMerged.has(block.flows[i]!.key)) gone.push(ob.flows[i]!);
      }
      for (const [k, m] of oldMerged) if (merged.get(k) !== m) gone.push(m);
      for (const [k, m] of merged) {
        if (oldMerged.get(k) !== m) came.push(m);
        // origins kept from before whose text is now merged: their own flow leaves
        if (!oldMerged.has(k)) for (const f of multi.get(k)!) if (!made.has(f)) gone.push(f);
      }
      for (const [f, k] of made) if (!multi.has(k)) came.push(f);
      // texts merged before and from one origin now: that origin's flow is the datapath's again
      for (const k of oldMerged.keys()) {
        if (multi.has(k)) continue;
        const f = first.get(k);
        if (f !== undefined && !made.has(f)) { came.push(f); pinned.add(f); }
      }
    }
    const split: Split = { own: ownNow, blocks, merged };
    if (gone.length === 0 && came.length === 0 && old) {
      out.set(dp, { flows: old.flows, unsupported, split });
      continue;
    }
    const rep = change.add(gone, came, pinned);
    if (rep.size > 0) {
      const use = (f: Lflow): Lflow => rep.get(f) ?? f;
      split.own = ownNow.map(use);
      for (const e of blocks.values()) if (e.flows.some((f) => rep.has(f))) e.flows = e.flows.map(use);
      for (const [k, m] of merged) merged.set(k, use(m));
    }
    if (!oldSplit) {
      out.set(dp, { flows: came.map((f) => rep.get(f) ?? f).sort(flowOrder), unsupported, split });
      continue;
    }
    const back = new Set(rep.values());
    const left = new Set(gone.filter((f) => !back.has(f)));
    const stay = old!.flows.filter((f) => !left.has(f));
    const cameNew = came.filter((f) => !rep.has(f)).sort(flowOrder);
    out.set(dp, { flows: mergeSorted(stay, cameNew), unsupported, split });
  }
  if (whole.size > 0) {
    const all = computeDatapathFlows(view, whole, uuid, { sink: () => new FlowSink(layout, memos) });
    for (const [dp, e] of all) {
      const rep = change.add(prev.get(dp)?.flows ?? [], e.flows);
      out.set(dp, { flows: e.flows.map((f) => rep.get(f) ?? f), unsupported: e.unsupported });
    }
  }
  return out;
}

/** Every datapath computed. */
export function lflowFull(nb: NorthboundDB, timer = new PhaseTimer()): LflowState {
  const view = buildView(nb);
  const names = new Set([...view.switches.map((s) => s.name), ...view.routers.map((r) => r.name)]);
  const sb = buildSouthbound(view);
  const memos = new WeakMap<object, Map<string, unknown>>();
  const byDp = computeDirty(view, names, uuidOf(sb), memos, new Map(), new Change());
  timer.mark('lflow-datapaths');
  return { byDp, deps: datapathInputs(view), memos, result: assemble(view, sb, byDp) };
}

/**
 * The lflow stage after an NB change: only datapaths whose inputs hold a changed row are
 * recomputed (and of those, only their own flows and blocks that changed, see the file comment).
 * Flows that come out identical (identity and provenance) are the previous objects, so later
 * stages can recognise them. `delta` is the lflow diff against `prev`.
 */
export function lflowIncremental(
  prev: LflowState, nb: NorthboundDB, nbDelta: KeyedDiff<NbRow>, timer = new PhaseTimer(),
): { state: LflowState; delta: KeyedDiff<Lflow>; recomputed: number; total: number; blocks: { rebuilt: number; of: number } } {
  const view = buildView(nb);
  const deps = datapathInputs(view);
  timer.mark('lflow-view');
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
  timer.mark('lflow-southbound');
  const change = new Change();
  const fresh = computeDirty(view, dirty, uuidOf(sb), prev.memos, prev.byDp, change);
  timer.mark('lflow-datapaths');
  const byDp = new Map(prev.byDp);
  for (const dp of dirty) {
    const now = fresh.get(dp);
    if (now) byDp.set(dp, now);
    else {
      // the datapath is gone: all its flows with it
      change.add(prev.byDp.get(dp)?.flows ?? [], []);
      byDp.delete(dp);
    }
  }
  const delta = diffKeyed(change.before, change.after);
  timer.mark('lflow-diff');
  const result = assemble(view, sb, byDp);
  timer.mark('lflow-assemble');
  return {
    state: { byDp, deps, memos: prev.memos, result }, delta, recomputed: dirty.size, total: deps.size,
    blocks: { rebuilt: change.blocksRebuilt, of: change.blocks },
  };
}
