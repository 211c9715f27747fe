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

  it('rejects a count more than 1 % off udnc\'s, a timeout, and a logged connection reset', () => {
    expect(realRunProblems(base, 2400)).toHaveLength(1);
    expect(realRunProblems({ ...base, reached: 'timeout-hv' })[0]).toMatch(/stopped before hv_cfg/);
    const reset = '2026-12-03T06:55:00.967Z|21553|main|INFO|OVS OpenFlow connection reconnected,force recompute.';
    expect(realRunProblems({ ...base, logEvents: [`controller: ${reset}`] })[0]).toMatch(/1 OpenFlow connection\/bundle event/);
  });
});
