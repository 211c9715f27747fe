/**
 * The whole peer corpus (shared/conformance) through the evaluator, under both semantics.
 * Targets: 100% agreement on kubernetes-e2e-netpol, policy-assistant-integration and
 * cyclonus-examples under the upstream reading; every other disagreement is attributed to a
 * documented choice and listed, with its count, in src/semantics/deviations.json.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConformance, runConformance, tallyBy, type ConformanceReport } from '../src/semantics/index.js';
import { sharedPath } from './helpers/shared.js';

const DIR = process.env.UDNC_CONFORMANCE_DIR ?? sharedPath('conformance');
const have = existsSync(`${DIR}/INDEX.json`);
const STRICT = ['kubernetes-e2e-netpol', 'policy-assistant-integration', 'cyclonus-examples'];

describe.skipIf(!have)('conformance corpus', () => {
  const reports: Partial<Record<'ovn-kubernetes' | 'kubernetes', ConformanceReport>> = {};
  beforeAll(async () => {
    reports['ovn-kubernetes'] = await runConformance(DIR, { semantics: 'ovn-kubernetes' });
    reports.kubernetes = await runConformance(DIR, { semantics: 'kubernetes' });
    // The figures CI prints (the same text as `udnc conformance DIR [--semantics kubernetes]`).
    for (const r of Object.values(reports)) console.log(`[conformance]\n${formatConformance(r!)}`);
  }, 900_000);

  it('loads every case and runs every probe', () => {
    for (const r of Object.values(reports)) {
      expect(r!.cases.filter((c) => c.error).map((c) => `${c.corpus}/${c.case}: ${c.error}`)).toEqual([]);
      expect(r!.cases.flatMap((c) => c.outcomes).filter((o) => o.error).map((o) => `${o.case}: ${o.error}`)).toEqual([]);
      expect(r!.passed + r!.failed).toBeGreaterThan(40_000);
    }
  });

  it('the closed-world reading of netpol-analyzer connections matches its probe records', () => {
    const r = reports.kubernetes!;
    expect(r.cases.filter((c) => c.corpusInconsistencies).map((c) => c.case)).toEqual([]);
  });

  it('agrees 100% with the e2e, policy-assistant and cyclonus corpora under kubernetes semantics', () => {
    const by = tallyBy(reports.kubernetes!, (c) => [c.corpus]);
    for (const corpus of STRICT) {
      const t = by.get(corpus);
      expect(t, corpus).toBeDefined();
      expect(t!.passed, corpus).toBeGreaterThan(100);
      expect(t!.failed, corpus).toBe(0);
    }
  });

  for (const sem of ['ovn-kubernetes', 'kubernetes'] as const) {
    it(`${sem}: every disagreement is a documented, counted deviation`, () => {
      const r = reports[sem]!;
      expect(r.unexplained.map((o) => `${o.corpus}/${o.case} #${o.index}`)).toEqual([]);
      expect(r.staleDeviations.map((s) => `${s.rule.case} ${s.rule.reason}: listed ${s.rule.count}, found ${s.matched}`)).toEqual([]);
      expect(r.explained).toBe(r.failed);
    });
  }

  it('ovn-kubernetes deviations in the strict corpora come only from the ovn-k choices', () => {
    const r = reports['ovn-kubernetes']!;
    const reasons = new Set(r.cases.filter((c) => STRICT.includes(c.corpus)).flatMap((c) => c.outcomes)
      .filter((o) => !o.pass).map((o) => o.attribution));
    expect([...reasons].sort()).toEqual(['choice:anpPriorityLimit', 'choice:loopbackBypassesPolicy', 'choice:npNamedPortWidens']);
  });
});
