/**
 * The incremental lflow stage keeps a datapath's flows per origin (its own adds, one block per
 * load balancer; src/incremental/lflow.ts). These tests drive it directly with NB databases and
 * compare with computeLogicalFlows of the same NB: blocks of unchanged load balancers keep their
 * flow objects, a changed load balancer's block is rebuilt (a stale block would show as a
 * difference), and a flow text that two origins give on one datapath (the defrag flow of a VIP
 * address two load balancers share, as NodePort and TCP/UDP Services do on gateway routers) is
 * one flow with both provenances, also when one of the origins changes or leaves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { computeLogicalFlows } from '../src/lflow/index.js';
import type { Lflow } from '../src/lflow/types.js';
import type { LoadBalancer, NorthboundDB } from '../src/northbound/types.js';
import { canonicalJSON, diffKeyed, nbRows } from '../src/incremental/index.js';
import { lflowFull, lflowIncremental, type LflowState } from '../src/incremental/lflow.js';

let nb0: NorthboundDB;
beforeAll(async () => {
  nb0 = (await compile(['fixtures/08-policy-and-service-edge-cases'], { until: 'nb' })).nb!;
}, 120_000);

/** the next NB state, checked equal to a full lflow computation; returns the incremental result */
function step(state: LflowState, before: NorthboundDB, after: NorthboundDB) {
  const inc = lflowIncremental(state, after, diffKeyed(nbRows(before), nbRows(after)));
  expect(canonicalJSON(inc.state.result) === canonicalJSON(computeLogicalFlows(after)), 'lflow differs from a full computation').toBe(true);
  return inc;
}

/** `nb` with load balancer `id` replaced by `f(row)` (a new object, as the Compiler makes) */
function withLb(nb: NorthboundDB, id: string, f: (lb: LoadBalancer) => LoadBalancer): NorthboundDB {
  return { ...nb, loadBalancers: nb.loadBalancers.map((lb) => (lb.id === id ? f(structuredClone(lb)) : lb)) };
}

/** a load balancer with VIPs applied to a switch together with at least one other LB */
function sharedLb(nb: NorthboundDB): { lb: LoadBalancer; sw: string } {
  const groups = new Map(nb.loadBalancerGroups.map((g) => [g.id, g.load_balancer]));
  for (const ls of nb.logicalSwitches) {
    const ids = [...ls.load_balancer, ...ls.load_balancer_group.flatMap((g) => groups.get(g) ?? [])];
    const lbs = nb.loadBalancers.filter((lb) => ids.includes(lb.id) && Object.keys(lb.vips).length > 0);
    if (lbs.length >= 2) return { lb: lbs[0]!, sw: ls.name };
  }
  throw new Error('fixture has no switch with two load balancers');
}

describe('incremental lflow: flows kept per load balancer block', () => {
  it('the first computation equals computeLogicalFlows', () => {
    expect(canonicalJSON(lflowFull(nb0).result) === canonicalJSON(computeLogicalFlows(nb0))).toBe(true);
  });

  it('a changed load balancer rebuilds its own block only; other blocks keep their flow objects', () => {
    const s0 = lflowFull(nb0);
    const { lb, sw } = sharedLb(nb0);
    const vip = Object.keys(lb.vips)[0]!;
    // a backend more: the VIP's ct_lb_mark flows change on every datapath the LB applies to
    const nb1 = withLb(nb0, lb.id, (r) => ({ ...r, vips: { ...r.vips, [vip]: `${r.vips[vip] ? `${r.vips[vip]},` : ''}10.99.0.7:8080` } }));
    const inc = step(s0, nb0, nb1);
    expect(inc.blocks.rebuilt).toBeGreaterThan(0);
    expect(inc.blocks.rebuilt).toBeLessThan(inc.blocks.of);
    expect(inc.delta.added.length + inc.delta.changed.length).toBeGreaterThan(0);
    expect(inc.delta.added.every((f) => f.provenance.rows.includes(lb.id))).toBe(true);
    // on the switch, flows of the other load balancers are the very same objects as before
    const before = new Set(s0.result.flows.filter((f) => f.datapath === sw));
    const others = inc.state.result.flows.filter((f: Lflow) => f.datapath === sw && f.provenance.rows.some((r) => r.startsWith('Load_Balancer:') && r !== lb.id) && !f.provenance.rows.includes(lb.id));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((f) => before.has(f))).toBe(true);
    // and back: equal again, and the LB's flows are the ones of the first state in content
    const back = step(inc.state, nb1, withLb(nb1, lb.id, () => lb));
    expect(canonicalJSON(back.state.result)).toBe(canonicalJSON(s0.result));
  });

  it('fixture 08 has flow texts two load balancers share (gateway routers)', () => {
    const s0 = lflowFull(nb0);
    const merged = [...s0.byDp.values()].flatMap((d) => [...(d.split?.merged.values() ?? [])]);
    expect(merged.length).toBeGreaterThan(0);
    expect(merged.every((f) => f.provenance.rows.filter((r) => r.startsWith('Load_Balancer:')).length >= 2)).toBe(true);
  });

  it('two load balancers giving one flow text on a switch: one flow with both provenances, through changes of either', () => {
    const s0 = lflowFull(nb0);
    const { lb, sw } = sharedLb(nb0);
    // a copy of the LB under another id on the same switch: same VIPs, so the same flow texts
    const twin: LoadBalancer = { ...structuredClone(lb), id: `${lb.id}-twin`, name: `${lb.name}-twin` };
    const nb1: NorthboundDB = {
      ...nb0,
      loadBalancers: [...nb0.loadBalancers, twin],
      logicalSwitches: nb0.logicalSwitches.map((ls) => (ls.name === sw ? { ...ls, load_balancer: [...ls.load_balancer, twin.id] } : ls)),
    };
    const inc = step(s0, nb0, nb1);
    expect(inc.blocks.rebuilt).toBeLessThan(inc.blocks.of);
    // merged provenance: a VIP flow of the switch names both load balancers
    expect(inc.state.result.flows.some((f) => f.datapath === sw && f.provenance.rows.includes(lb.id) && f.provenance.rows.includes(twin.id))).toBe(true);
    // a change to the LB while the twin is there, then the twin removed
    // the LB gets a backend more: its ct_lb_mark flow text leaves the twin's (merged → two flows)
    const vip = Object.keys(lb.vips)[0]!;
    const nb2 = withLb(nb1, lb.id, (r) => ({ ...r, vips: { ...r.vips, [vip]: `${r.vips[vip] ? `${r.vips[vip]},` : ''}10.99.0.7:8080` } }));
    const inc2 = step(inc.state, nb1, nb2);
    expect(inc2.delta.changed.length + inc2.delta.added.length).toBeGreaterThan(0);
    const nb3 = { ...nb2, loadBalancers: nb2.loadBalancers.filter((x) => x.id !== twin.id), logicalSwitches: nb0.logicalSwitches };
    const inc3 = step(inc2.state, nb2, nb3);
    expect(inc3.delta.removed.length).toBeGreaterThan(0);
    const inc4 = step(inc3.state, nb3, withLb(nb3, lb.id, () => lb));
    expect(canonicalJSON(inc4.state.result)).toBe(canonicalJSON(s0.result));
  });
});
