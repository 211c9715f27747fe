/**
 * Expression differential: udnc's exprToFlows against the REAL ovn-controller 25.03.0.
 *  - always: against the recorded real outputs (test/oracle/recorded/expr-25.03.jsonl);
 *  - with real OVN: the same corpus compiled live, which must also reproduce the recording.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exprToFlows } from '../src/expr/index.js';
import { type ExprCase, exprCorpus, sharedDir, syntaxCases } from './oracle/expr-corpus.js';
import { canonicalFlows, cmpC, ovsRoundTrip, realExprToFlowsBatch, type ExprEnv } from './oracle/expr.js';
import { RECORDED_EXPR_PATH, compileCasesReal, type RecordedCase, type RecordedHeader } from './oracle/record-expr.js';
import { describeRealOvn } from './oracle/vitest.js';

function loadRecorded(): { header: RecordedHeader; cases: RecordedCase[] } {
  const lines = readFileSync(RECORDED_EXPR_PATH, 'utf8').split('\n').filter((l) => l.trim());
  const header = JSON.parse(lines[0]!) as RecordedHeader;
  return { header, cases: lines.slice(1).map((l) => JSON.parse(l) as RecordedCase) };
}

/**
 * The environment as udnc's exprToFlows takes it for the same lookups the real controller does:
 *  - SB port-group names (`<dp>_<name>`, dp 0 = udnc's default);
 *  - ovn-controller's lookup_port knows the reserved port "none" = 0 (test-ovn's does not);
 *  - address-set and port-group members in OVSDB set order (sorted, strcmp), the order the
 *    controller receives them from SB and so numbers its conjunctions in.
 */
function udncEnv(env: ExprEnv): ExprEnv {
  const sorted = (m: Record<string, string[]>, prefix: string): Record<string, string[]> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}${k}`, [...v].sort(cmpC)]));
  return {
    addressSets: sorted(env.addressSets, ''),
    portGroups: sorted(env.portGroups, '0_'),
    ports: { none: 0, ...env.ports },
  };
}

interface Outcome {
  flows: string[];
  error?: string;
}

interface Differential {
  /** Cases whose sorted lines differ, printable. */
  diffs: string[];
  /** Of those, how many are equal up to conjunction-id numbering. */
  numberingOnly: number;
}

/** Compares udnc with real outcomes line for line (sorted). */
function differential(
  cases: readonly ExprCase[], real: readonly Outcome[], envs: Record<string, ExprEnv>, udncOut?: ReadonlyArray<readonly string[]>,
): Differential {
  const diffs: string[] = [];
  let numberingOnly = 0;
  cases.forEach((c, i) => {
    const r = real[i]!;
    const udnc = [...(udncOut?.[i] ?? exprToFlows(c.match, udncEnv(envs[c.env]!)))].sort(cmpC);
    // udnc prints OVN's error message where test-ovn would; the real controller logs it.
    const realLines = r.error !== undefined ? [r.error] : [...r.flows].sort(cmpC);
    if (JSON.stringify(realLines) === JSON.stringify(udnc)) return;
    const canonical = JSON.stringify(canonicalFlows(realLines)) === JSON.stringify(canonicalFlows(udnc));
    if (canonical) numberingOnly++;
    const show = (xs: readonly string[]): string => (xs.length > 12 ? [...xs.slice(0, 12), `... (${xs.length} lines)`] : xs).map((x) => `      ${x}`).join('\n');
    diffs.push(`${c.id} [${c.env}]${canonical ? ' (conj numbering only)' : ''} ${c.match}\n`
      + `    real 25.03 (${realLines.length}):\n${show(realLines)}\n    udnc (${udnc.length}):\n${show(udnc)}`);
  });
  return { diffs, numberingOnly };
}

function report(what: string, n: number, d: Differential): void {
  console.log(`${what}: ${n} expressions compared, ${n - d.diffs.length} identical, ${d.diffs.length} differ`
    + (d.diffs.length ? ` (${d.numberingOnly} only in conjunction numbering)` : ''));
  if (d.diffs.length) console.log(d.diffs.join('\n'));
}

describe('expression differential vs recorded real ovn-controller 25.03.0', () => {
  const { header, cases } = loadRecorded();

  it('the recording is labelled as real OVN 25.03 output', () => {
    expect(header.kind).toBe('header');
    expect(header.description).toMatch(/REAL ovn-controller 25\.03\.\d/);
    expect(header.versions.controller).toMatch(/^ovn-controller 25\.03\./);
    expect(header.regenerate).toContain('test/oracle/record-expr.ts');
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it('the recording covers the current corpus', () => {
    const shared = sharedDir();
    if (!shared) {
      console.log('shared/reference not found: cannot check the recording against the corpus');
      return;
    }
    const corpus = exprCorpus(shared);
    expect(cases.map((c) => [c.id, c.env, c.match])).toEqual(corpus.map((c) => [c.id, c.env, c.match]));
  });

  it('udnc exprToFlows agrees with every recorded real output', () => {
    const d = differential(cases, cases, header.envs);
    report('udnc vs recorded real ovn-controller 25.03.0', cases.length, d);
    expect(d.diffs).toEqual([]);
  });
});

describeRealOvn('expression differential: live ovn-controller 25.03 vs udnc', (sandbox) => {
  const { header, cases } = loadRecorded();

  it('compiles the corpus live, reproduces the recording and agrees with udnc', async () => {
    const t0 = Date.now();
    const live = await compileCasesReal(sandbox(), cases);
    console.log(`compiled ${cases.length} expressions with the real ovn-controller in ${Date.now() - t0} ms`);
    const drift = cases.flatMap((c, i) => {
      const l = live[i]!;
      return JSON.stringify(l.flows) === JSON.stringify(c.flows) && l.error === c.error
        ? [] : [`${c.id} ${c.match}\n  recorded: ${c.error ?? c.flows.join(' | ')}\n  live:     ${l.error ?? l.flows.join(' | ')}`];
    });
    if (drift.length) console.log(`live real output differs from the recording for ${drift.length}:\n${drift.join('\n')}`);
    const d = differential(cases, live, header.envs);
    report('udnc vs live real ovn-controller 25.03', cases.length, d);
    expect(drift).toEqual([]);
    expect(d.diffs).toEqual([]);
  }, 300_000);

  it('upstream parse/annotate/simplify inputs: installed flows of the real controller = udnc flows as OVS installs them', async () => {
    const shared = sharedDir();
    expect(shared, 'shared/reference is needed for the syntax corpus').toBeTruthy();
    const syn = syntaxCases(shared!);
    const real = await realExprToFlowsBatch(sandbox(), syn.map((c) => c.match), header.envs['test-ovn']!);
    const udnc = syn.map((c) => exprToFlows(c.match, udncEnv(header.envs[c.env]!)));
    const installed = await ovsRoundTrip(sandbox(), udnc);
    const d = differential(syn, real, header.envs, installed);
    const errors = real.filter((r) => r.error !== undefined).length;
    const normalized = udnc.filter((u, i) => JSON.stringify([...u].sort(cmpC)) !== JSON.stringify(installed[i])).length;
    report(`syntax corpus, installed level (${errors} parse errors; OVS changed udnc's flows for ${normalized})`, syn.length, d);
    expect(d.diffs).toEqual([]);
  }, 300_000);
});
