/**
 * Regenerates test/oracle/recorded/expr-25.03.jsonl: the expression corpus compiled by the REAL
 * ovn-controller 25.03.0 (never by udnc). Run as root with the chroot provisioned:
 *
 *   npx tsx test/oracle/record-expr.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_ENVS, REPO_ROOT, exprCorpus, sharedDir, type ExprCase } from './expr-corpus.js';
import { realExprToFlowsBatch, type RealExprResult } from './expr.js';
import { ovnAvailable, startOvn, type OvnSandbox } from './ovn.js';

export const RECORDED_EXPR_PATH = join(REPO_ROOT, 'test/oracle/recorded/expr-25.03.jsonl');
export const RECORD_COMMAND = 'sudo npx tsx test/oracle/record-expr.ts   (root + chroot from test/oracle/provision.sh)';

export interface RecordedHeader {
  kind: 'header';
  description: string;
  versions: { northd: string; controller: string; vswitchd: string };
  regenerate: string;
  format: string;
  envs: typeof CORPUS_ENVS;
}

export interface RecordedCase extends ExprCase {
  kind: 'case';
  flows: string[];
  error?: string;
}

/** Compiles cases with the real controller, one batch per environment; results in input order. */
export async function compileCasesReal(sb: OvnSandbox, cases: readonly ExprCase[]): Promise<RealExprResult[]> {
  const results = new Array<RealExprResult>(cases.length);
  for (const envName of [...new Set(cases.map((c) => c.env))]) {
    const env = CORPUS_ENVS[envName];
    if (!env) throw new Error(`unknown env ${envName}`);
    const idx = cases.map((c, i) => (c.env === envName ? i : -1)).filter((i) => i >= 0);
    const res = await realExprToFlowsBatch(sb, idx.map((i) => cases[i]!.match), env);
    idx.forEach((i, k) => { results[i] = res[k]!; });
  }
  return results;
}

async function main(): Promise<void> {
  const avail = ovnAvailable();
  if (!avail.ok || !avail.versions) throw new Error(`real OVN unavailable: ${avail.why}`);
  const shared = sharedDir();
  if (!shared) throw new Error('shared/reference not found (set UDNC_SHARED)');
  const cases = exprCorpus(shared);
  const sb = await startOvn();
  try {
    const t0 = Date.now();
    const results = await compileCasesReal(sb, cases);
    const header: RecordedHeader = {
      kind: 'header',
      description: `Captured from the REAL ovn-controller ${avail.versions.controller.replace(/^ovn-controller /, '')} `
        + `(${avail.versions.vswitchd}, Debian trixie chroot) - this is real OVN output, never udnc output.`,
      versions: avail.versions,
      regenerate: RECORD_COMMAND,
      format: 'one JSON object per line after this header: {kind:"case", id, source, env, match, flows, error?}; '
        + 'flows = test-ovn expr-to-flows lines (no cookie/table/priority/metadata, conj ids local from 1, '
        + 'clauses 0-based), sorted in C locale; ["(no flows)"] when nothing matched; error = ovn-controller\'s '
        + 'parse error for the match. envs: address sets, port groups (NB names), port keys used.',
      envs: CORPUS_ENVS,
    };
    const lines = [JSON.stringify(header)];
    cases.forEach((c, i) => {
      const r = results[i]!;
      const rec: RecordedCase = { kind: 'case', ...c, flows: r.flows, ...(r.error === undefined ? {} : { error: r.error }) };
      lines.push(JSON.stringify(rec));
    });
    writeFileSync(RECORDED_EXPR_PATH, `${lines.join('\n')}\n`);
    const flows = results.reduce((n, r) => n + (r.flows[0] === '(no flows)' ? 0 : r.flows.length), 0);
    console.log(`recorded ${cases.length} expressions (${flows} flows, ${results.filter((r) => r.error).length} errors) `
      + `in ${Date.now() - t0} ms -> ${RECORDED_EXPR_PATH}`);
  } finally {
    await sb.stop();
  }
}

if (process.argv[1] && /record-expr\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
