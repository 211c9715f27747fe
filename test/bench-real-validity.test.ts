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

  it('accepts the recorded issue-5 node-view run: fewer flows than SB lflows (remote datapaths give none here)', () => {
    // 2026-12-03 10:33, node-00 of issue 5 (100 nodes): br-int 132,752 flows = udnc's, 175,973 lflows per datapath
    const recs = readFileSync(new URL('../bench/results/issue5-node.jsonl', import.meta.url), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { udnc?: { counts: Record<string, number> }; real?: RealRun });
    const udnc = recs.find((x) => x.udnc)!.udnc!.counts['openflowFlows']!;
    const run = recs.find((x) => x.real)!.real!;
    expect(run.node).toBe('node-00');
    expect(run.counts['openflowFlows']).toBe(udnc);
    expect(run.counts['openflowFlows']).toBeLessThan(run.counts['lflowsPerDatapath']!);
    expect(realRunProblems(run, udnc)).toEqual([]);
    // the single-chassis rule still applies without `node`, and the 1 % rule with it
    const { node: _n, ...single } = run;
    expect(realRunProblems(single, udnc)[0]).toMatch(/132752 flows after hv_cfg, fewer than the 175973 logical flows/);
    expect(realRunProblems(run, 135000)[0]).toMatch(/udnc 135000 \(more than 1 % apart\)/);
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
