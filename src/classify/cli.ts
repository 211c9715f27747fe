/**
 * The cross-check as the matrix/verify commands run it: compile the same manifests down to
 * OpenFlow, run every probe through the classifier and the evaluator, report disagreements.
 */
import type { CliIO } from '../cli/command.js';
import { EXIT } from '../common/errors.js';
import { compileManifests } from '../compile.js';
import type { ManifestSet } from '../manifests/types.js';
import type { Matrix } from '../semantics/matrix.js';
import type { PeerSpec, Probe } from '../semantics/types.js';
import type { Pod } from '../model/types.js';
import { crossCheck, formatDisagreements, type CrossCheckReport } from './crosscheck.js';

/** The flag both commands accept, and its help line. */
export const NO_CROSS_CHECK_FLAG = { '--no-cross-check': { value: false } } as const;
export const CROSS_CHECK_HELP = `  --no-cross-check        do not run the probes through the compiled OpenFlow (src/classify); by
                          default every probe is also classified, and a verdict that differs
                          from the evaluator's is reported as a compiler bug (exit 3). The
                          cross-check runs ~20,000 probes per CPU second (1,000 workloads), so
                          above UDNC_CROSS_CHECK_MAX probes (default 20000; 0 = no limit) an
                          evenly spaced sample of that many is cross-checked, and stderr says so
`;

/** How many probes the CLI cross-checks at most (evenly spaced sample above that). */
export function crossCheckLimit(): number {
  const v = Number(process.env['UDNC_CROSS_CHECK_MAX'] ?? 20000);
  return Number.isFinite(v) && v >= 0 ? v : 20000;
}

/** The probes of a matrix, as buildMatrix evaluated them (a workload's diagonal: replica to replica). */
export function matrixProbes(m: Matrix): Probe[] {
  return [...iterMatrixProbes(m)];
}

/**
 * The same probes, lazily (a 1,000-workload matrix has ~24 million: as an array, GBs), source row
 * by source row; `rows` keeps only the first rows of each network (a partial run), `shard` only
 * the rows i with i mod count = index (a run split across workers).
 */
export function* iterMatrixProbes(m: Matrix, opts: MatrixProbeOptions = {}): Generator<Probe> {
  for (const c of iterMatrixCells(m, opts)) yield c.probe;
}

export interface MatrixProbeOptions { rows?: number; shard?: { index: number; count: number } }

/** The probes with the matrix's own verdict for each (`codes` bit 0: what the evaluator said). */
export function* iterMatrixCells(m: Matrix, opts: MatrixProbeOptions = {}): Generator<{ probe: Probe; allowed: boolean }> {
  const shard = opts.shard ?? { index: 0, count: 1 };
  for (const n of m.networks) {
    const net = n.network === 'default' ? undefined : n.network;
    const spec = (pod: Pod): PeerSpec => ({ kind: 'pod', namespace: pod.namespace, name: pod.name, ...(net && !pod.hostNetwork ? { network: net } : {}) });
    const specs = n.entities.map((e) => spec(e.pod));
    const rows = Math.min(n.entities.length, opts.rows ?? Infinity);
    for (let i = 0; i < rows; i++) {
      if (i % shard.count !== shard.index) continue;
      for (let j = 0; j < n.entities.length; j++) {
        const d = n.entities[j]!;
        const dst = i === j && d.pods.length > 1 ? spec(d.pods[1]!) : specs[j]!;
        const base = i * n.rowWidth + n.colOffset[j]!;
        const ps = n.ports[j]!;
        for (let k = 0; k < ps.length; k++) {
          yield { probe: { src: specs[i]!, dst, protocol: ps[k]!.protocol, port: ps[k]!.port }, allowed: (n.codes[base + k]! & 1) === 1 };
        }
      }
    }
  }
}

/** Runs the cross-check; returns EXIT.INTERNAL_DISAGREEMENT when the classifier and evaluator differ. */
export function runCrossCheck(set: ManifestSet, probes: Probe[], io: CliIO, opts: { implicitNamespaces?: boolean; verbose?: boolean } = {}): { code: number; report: CrossCheckReport } {
  const compiled = compileManifests(set, { until: 'openflow', implicitNamespaces: opts.implicitNamespaces ?? false });
  const max = crossCheckLimit();
  let sample = probes;
  if (max > 0 && probes.length > max) {
    const step = probes.length / max;
    sample = Array.from({ length: max }, (_, i) => probes[Math.floor(i * step)]!);
    io.stderr(`udnc: cross-check: ${probes.length} probes; classifying an evenly spaced sample of ${max} (set UDNC_CROSS_CHECK_MAX=0 for all)\n`);
  }
  const report = crossCheck(compiled, sample);
  if (report.disagreements.length || opts.verbose) io.stderr(formatDisagreements(report));
  return { code: report.disagreements.length ? EXIT.INTERNAL_DISAGREEMENT : EXIT.OK, report };
}
