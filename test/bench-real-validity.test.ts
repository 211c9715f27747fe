/**
 * bench/pipeline.bench.ts realRunProblems: a real-OVN run whose br-int does not hold the flows
 * after hv_cfg must be reported, never counted. Cases from runs that really happened.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { realRunProblems, type RealRun } from '../bench/pipeline.bench.js';

const base: RealRun = {
  loadS: 0.05, northdS: 0.27, controllerS: 0.86, reached: 'hv', cpuS: {}, peakRssMb: {}, transactBytes: 41107,
  // 3 namespaces × 10 pods × 2 NPs, 2026-12-03: br-int 2,294 flows = udnc's 2,294
  counts: { sbLogicalFlowRows: 528, lflowsPerDatapath: 727, openflowFlows: 2294, openflowGroups: 0 },
  logEvents: [],
};

describe('realRunProblems', () => {
  it('accepts a run whose br-int holds udnc\'s flow count', () => {
    expect(realRunProblems(base, 2294)).toEqual([]);
    expect(realRunProblems(base)).toEqual([]);
  });

  it('rejects the 2026-12-02 issue-5 record: hv_cfg with the 15 startup flows', () => {
    const line = readFileSync(new URL('../bench/results/issue5.jsonl', import.meta.url), 'utf8').split('\n')[0]!;
    const rec = JSON.parse(line) as { real: RealRun };
    expect(rec.real.reached).toBe('hv');
    expect(rec.real.counts['openflowFlows']).toBe(15);
    const p = realRunProblems(rec.real, 3372851);
    expect(p.some((s) => /15 flows after hv_cfg, fewer than the 175973 logical flows/.test(s))).toBe(true);
    expect(p.some((s) => /udnc 3372851/.test(s))).toBe(true);
  });

  it('accepts a node view holding fewer flows than the SB has lflows (remote datapaths give none here)', () => {
    // 40 namespaces × 10 pods, 5 pods per node (80 nodes), node view of node-05, 2026-12-03 10:31
    // (runUdnc + runReal with node): br-int 30,371 flows = udnc's 30,371, every table equal
    const nodeRun: RealRun = {
      ...base, node: 'node-05',
      counts: { remoteChassis: 79, remotePorts: 788, remotePortsBound: 788, sbLogicalFlowRows: 11138, lflowsPerDatapath: 39051, openflowFlows: 30371, openflowGroups: 8 },
    };
    expect(realRunProblems(nodeRun, 30371)).toEqual([]);
    // the single-chassis rule still applies without `node`, and the 1 % rule with it
    const { node: _n, ...single } = nodeRun;
    expect(realRunProblems(single, 30371)[0]).toMatch(/30371 flows after hv_cfg, fewer than the 39051 logical flows/);
    expect(realRunProblems(nodeRun, 31000)[0]).toMatch(/udnc 31000 \(more than 1 % apart\)/);
  });

  it('accepts the recorded issue-6 node-view run (node-00: br-int 630,042 = udnc 630,042)', () => {
    const recs = readFileSync(new URL('../bench/results/issue6-node.jsonl', import.meta.url), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { node?: string; udnc?: { counts: Record<string, number> }; real?: RealRun; valid?: boolean });
    const udnc = recs.find((x) => x.udnc)!.udnc!.counts['openflowFlows']!;
    const real = recs.find((x) => x.real)!;
    expect(real.real!.node).toBe('node-00');
    expect(real.real!.counts['openflowFlows']).toBe(udnc);
    expect(realRunProblems(real.real!, udnc)).toEqual([]);
    expect(real.valid).toBe(true);
  });

  it('rejects a count more than 1 % off udnc\'s, a timeout, and a logged connection reset', () => {
    expect(realRunProblems(base, 2400)).toHaveLength(1);
    expect(realRunProblems({ ...base, reached: 'timeout-hv' })[0]).toMatch(/stopped before hv_cfg/);
    const reset = '2026-12-03T06:55:00.967Z|21553|main|INFO|OVS OpenFlow connection reconnected,force recompute.';
    expect(realRunProblems({ ...base, logEvents: [`controller: ${reset}`] })[0]).toMatch(/1 OpenFlow connection\/bundle event/);
  });
});
