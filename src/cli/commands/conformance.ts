import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { createProgress } from '../../common/progress.js';
import type { CompileResult } from '../../compile.js';
import { lowerToNorthbound } from '../../northbound/index.js';
import { computeLogicalFlows } from '../../lflow/index.js';
import { compileOpenFlow } from '../../openflow/index.js';
import { crossCheck, probeText, type Disagreement } from '../../classify/crosscheck.js';
import { probeContext } from '../../classify/probe.js';
import { formatConformance, parseExpectations, recordDeviations, runConformance, verifyExpectations } from '../../semantics/index.js';
import { loadCaseProbes } from '../../semantics/conformance.js';
import { SEMANTICS_PRESETS, type Choices, type Probe } from '../../semantics/types.js';
import type { ClusterModel } from '../../model/types.js';
import { cidrContains, parseCIDR, parseIP } from '../../semantics/net.js';
import { parseArgs, semanticsFlag, usage } from '../../semantics/cli-util.js';

const FLAGS = {
  '--corpus': { value: true },
  '--case': { value: true },
  '--semantics': { value: true },
  '--verbose': { value: false, alias: '-v' },
  '--record-deviations': { value: false },
  '--classifier': { value: false },
  '--sample': { value: true },
  '--choice': { value: true },
};

export const conformance: Command = {
  name: 'conformance',
  summary: 'run the peer conformance suites through the semantics evaluator (or the classifier)',
  help: `udnc conformance DIR [options]

Runs every case of DIR (INDEX.json + <corpus>/<case>/expected.json + manifests, the layout of
shared/conformance) through the evaluator; prints agreement per corpus and per feature, the
documented deviations by reason (src/semantics/deviations.json), every unexplained disagreement
with its reason chain, and finally "N passed, N failed" (probes).

With --classifier it checks udnc against itself instead of against the corpus: every case is
compiled to OpenFlow and each of its probes (the probe records, the upstream point checks and the
probes \`udnc verify --expect expected.json\` runs) goes through the classifier and through the
evaluator (ovn-kubernetes semantics, what the compiled dataplane implements). It prints per
corpus: cases, probes compared, agree, disagree, not classifiable (grouped by reason), then every
disagreement with both reason chains.

Options:
  --corpus NAME     only this corpus
  --case NAME       only this case
  --semantics S     ovn-kubernetes (default) or kubernetes (not with --classifier)
  -v, --verbose     list every unexplained disagreement; with --classifier every
                    not-classifiable reason
  --record-deviations
                    run both semantics and print deviations.json content for every disagreement
                    that flipping one documented choice explains (unattributed ones are never listed)
  --classifier      classifier vs evaluator on every case (see above)
  --sample N        with --classifier: at most N probes per case, evenly spaced (deterministic)
  --choice NAME=BOOL[,NAME=BOOL...]
                    with --classifier: set ovn-kubernetes semantic choices of the evaluator side
                    (names in src/semantics/README.md) — a what-if: the disagreements it produces
                    are the probes whose verdict in the compiled flows depends on that choice

Exit: 0 if every disagreement is a documented deviation, 1 otherwise, 2 bad input.
With --classifier: 0 when classifier and evaluator agree on every compared probe, 1 when a case
fails to load or compile, 3 on any disagreement (a udnc bug).
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'conformance');
    const dir = a.positional[0];
    if (!dir || a.positional.length > 1) throw usage('conformance', 'exactly one directory expected');
    if (!existsSync(path.join(dir, 'INDEX.json'))) throw usage('conformance', `${dir} has no INDEX.json`);
    const corpus = a.flags.get('--corpus');
    const kase = a.flags.get('--case');
    const filter = {
      ...(typeof corpus === 'string' ? { corpus } : {}),
      ...(typeof kase === 'string' ? { case: kase } : {}),
    };
    if (a.flags.has('--classifier')) {
      if (a.flags.has('--record-deviations')) throw usage('conformance', '--record-deviations and --classifier exclude each other');
      if (semanticsFlag(a.flags.get('--semantics'), 'conformance') !== 'ovn-kubernetes') {
        throw usage('conformance', '--classifier compares with the ovn-kubernetes semantics (what the compiled flows implement)');
      }
      const s = a.flags.get('--sample');
      const perCase = s === undefined ? undefined : Number(s);
      if (perCase !== undefined && (!Number.isInteger(perCase) || perCase < 1)) throw usage('conformance', `--sample must be a positive integer (got ${String(s)})`);
      const choices = parseChoices(a.flags.get('--choice'));
      const progress = createProgress(io, 'conformance');
      const cpu0 = process.cpuUsage();
      const report = await runConformanceClassifier(dir, {
        ...filter, ...(perCase ? { perCase } : {}), ...(choices ? { choices } : {}),
        onProgress: (c, done, total) => { if (done === 0) progress.stage(c, total); else progress.tick(done); },
      });
      progress.done();
      if (!report.cases.length) throw usage('conformance', 'no case matched');
      const cpu = process.cpuUsage(cpu0);
      io.stdout(formatConformanceClassifier(report, { verbose: a.flags.has('--verbose') }));
      const t = totals(report.cases);
      io.stderr(`udnc conformance: ${t.probes} probes in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n`);
      if (t.disagree) return EXIT.INTERNAL_DISAGREEMENT;
      return report.cases.some((c) => c.error) ? EXIT.CHECK_FAILED : EXIT.OK;
    }
    if (a.flags.has('--sample')) throw usage('conformance', '--sample needs --classifier');
    if (a.flags.has('--choice')) throw usage('conformance', '--choice needs --classifier');
    const progress = createProgress(io, 'conformance');
    const run = async (semantics: 'ovn-kubernetes' | 'kubernetes') => {
      try {
        return await runConformance(dir, { semantics, ...filter, ...(progress.enabled ? { onCase: (p: string) => progress.stage(`${semantics}: ${p}`) } : {}) });
      } finally {
        progress.done();
      }
    };
    if (a.flags.has('--record-deviations')) {
      const reports = [await run('ovn-kubernetes'), await run('kubernetes')];
      io.stdout(JSON.stringify(recordDeviations(reports), null, 1) + '\n');
      return EXIT.OK;
    }
    const report = await run(semanticsFlag(a.flags.get('--semantics'), 'conformance'));
    if (!report.cases.length) throw usage('conformance', 'no case matched');
    io.stdout(formatConformance(report, { verbose: a.flags.has('--verbose') }));
    return report.unexplained.length || report.staleDeviations.length ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};

// ---- --classifier: the corpus through the compiled OpenFlow ----
// (Here rather than in src/semantics: the semantics stage must not depend on the flow stages.)

export interface ClassifierCaseResult {
  corpus: string;
  case: string;
  features: string[];
  /** distinct probes of the case (records, point checks, verify's probes) */
  probes: number;
  /** how many of them ran (all, or the --sample subset) */
  ran: number;
  compared: number;
  agreed: number;
  notClassifiable: Array<{ text: string; reason: string }>;
  disagreements: Disagreement[];
  /** the case did not load or compile */
  error?: string;
}

export interface ClassifierConformanceReport {
  cases: ClassifierCaseResult[];
}

export interface ClassifierConformanceOptions {
  corpus?: string;
  case?: string;
  /** at most this many probes per case, evenly spaced over the case's probe list */
  perCase?: number;
  /** ovn-kubernetes choices flipped on the evaluator side (what-if), see `--choice` */
  choices?: Partial<Choices>;
  /** progress: (case path, n, probes of the case): n = 0 starts a case, else n more probes are done */
  onProgress?: (casePath: string, done: number, total: number) => void;
}

interface IndexRow { corpus: string; case: string; path: string }

/** `--choice a=true,b=false` → choices; unknown names and values are usage errors (exit 2). */
function parseChoices(v: string | boolean | undefined): Partial<Choices> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw usage('conformance', '--choice needs NAME=true|false');
  const known = Object.keys(SEMANTICS_PRESETS['ovn-kubernetes']) as Array<keyof Choices>;
  const out: Partial<Choices> = {};
  for (const part of v.split(',')) {
    const m = /^([A-Za-z]+)=(true|false)$/.exec(part.trim());
    if (!m) throw usage('conformance', `--choice: expected NAME=true|false, got '${part}'`);
    const name = m[1] as keyof Choices;
    if (!known.includes(name)) throw usage('conformance', `--choice: unknown choice '${m[1]}' (known: ${known.join(', ')})`);
    out[name] = m[2] === 'true';
  }
  return out;
}

const MNP_REASON = 'MultiNetworkPolicy is not modeled: the case enforces it on this secondary network, udnc compiles no policy there';

export async function runConformanceClassifier(dir: string, opts: ClassifierConformanceOptions = {}): Promise<ClassifierConformanceReport> {
  const index = JSON.parse(await fs.readFile(path.join(dir, 'INDEX.json'), 'utf8')) as IndexRow[];
  const rows = index
    .filter((r) => !opts.corpus || r.corpus === opts.corpus)
    .filter((r) => !opts.case || r.case === opts.case)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const cases: ClassifierCaseResult[] = [];
  for (const row of rows) cases.push(await classifyCase(path.join(dir, row.path), row, opts));
  return { cases };
}

const CHUNK = 200;

async function classifyCase(caseDir: string, row: IndexRow, opts: ClassifierConformanceOptions): Promise<ClassifierCaseResult> {
  const res: ClassifierCaseResult = {
    corpus: row.corpus, case: row.case, features: [], probes: 0, ran: 0, compared: 0, agreed: 0, notClassifiable: [], disagreements: [],
  };
  let loaded: Awaited<ReturnType<typeof loadCaseProbes>>;
  let compiled: CompileResult;
  try {
    loaded = await loadCaseProbes(caseDir);
    res.features = loaded.exp.features;
    const nb = lowerToNorthbound(loaded.model);
    const lflow = computeLogicalFlows(nb);
    compiled = { manifests: loaded.set, model: loaded.model, nb, lflow, openflow: compileOpenFlow(lflow, { nb }) };
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    return res;
  }
  const { exp, model } = loaded;
  // The case's probe records, then the probes `udnc verify --expect expected.json` resolves
  // (workloads to their first pod by its own rule), without repeats.
  const seen = new Set<string>();
  const all: Array<{ probe?: Probe; text: string; error?: string }> = [];
  const add = (probe: Probe) => {
    const k = JSON.stringify(probe);
    if (!seen.has(k)) { seen.add(k); all.push({ probe, text: probeText(probe) }); }
  };
  for (const p of loaded.probes) {
    if (p.probe) add(p.probe);
    else all.push({ text: `${exp.corpus}/${exp.case}#${p.origin}`, error: `the probe names nothing in the model: ${p.error}` });
  }
  try {
    const exps = parseExpectations(await fs.readFile(path.join(caseDir, 'expected.json'), 'utf8'), 'expected.json');
    for (const r of verifyExpectations(model, exps).results) if (r.probe) add(r.probe);
  } catch { /* the records above already hold every probe the file names */ }
  res.probes = all.length;
  const step = opts.perCase && all.length > opts.perCase ? all.length / opts.perCase : 1;
  const run = step === 1 ? all : Array.from({ length: opts.perCase! }, (_, i) => all[Math.floor(i * step)]!);
  res.ran = run.length;

  const mnp = exp.features.includes('multinetworkpolicy') || loaded.set.objects.some((o) => o.object.kind === 'MultiNetworkPolicy');
  const secondary = (s: Probe['src']) => s.kind === 'pod' && s.network !== undefined
    && model.pods.some((p) => p.namespace === s.namespace && p.name === s.name && p.attachments.some((a) => a.network === s.network && a.role === 'secondary'));
  const probes: Probe[] = [];
  for (const p of run) {
    if (!p.probe) res.notClassifiable.push({ text: p.text, reason: p.error! });
    else if (mnp && (secondary(p.probe.src) || secondary(p.probe.dst))) res.notClassifiable.push({ text: p.text, reason: MNP_REASON });
    else probes.push(p.probe);
  }
  const pc = probeContext(compiled);
  opts.onProgress?.(`${row.path} (${probes.length} probes)`, 0, probes.length);
  for (let i = 0; i < probes.length; i += CHUNK) {
    const chunk = probes.slice(i, i + CHUNK);
    const r = crossCheck(compiled, chunk, pc, opts.choices ? { choices: opts.choices } : {});
    res.compared += r.compared;
    res.agreed += r.agreed;
    res.disagreements.push(...r.disagreements);
    for (const s of r.skipped) res.notClassifiable.push({ text: probeText(s.probe), reason: outsideHostSubnet(model, s.probe, s.reason) ?? s.reason });
    opts.onProgress?.(row.path, chunk.length, probes.length);
  }
  return res;
}

/**
 * Cases that pin pods to nodes and give them addresses of another CNI (netpol-analyzer's
 * ipblockstest: Calico 172.30.x on named nodes) leave pods outside their node's host subnet;
 * the model keeps such an IP as given, with no gateway, so the classifier finds no next hop.
 */
function outsideHostSubnet(model: ClusterModel, probe: Probe, reason: string): string | undefined {
  if (!/^(reply: )?no next hop/.test(reason)) return undefined;
  for (const end of [probe.src, probe.dst]) {
    if (end.kind !== 'pod' || end.network) continue;
    const pod = model.pods.find((p) => p.namespace === end.namespace && p.name === end.name);
    const att = pod?.attachments.find((a) => a.role === 'primary');
    const net = att && model.networks.find((n) => n.id === att.network);
    const subnets = net && pod ? net.hostSubnets[pod.node] : undefined;
    if (!att || !subnets?.length || att.gatewayIPs.length) continue;
    const ip = att.ips[0]?.split('/')[0];
    const x = ip ? parseIP(ip) : undefined;
    if (x && !subnets.some((c) => { const y = parseCIDR(c); return y !== undefined && cidrContains(y, x); })) {
      return `${end.namespace}/${end.name} has IP ${ip} (given by the manifests) outside the host subnet ${subnets.join(',')} of its node ${pod!.node}: ovn-k never assigns such an address and the compiled flows route nothing to it`;
    }
  }
  return undefined;
}

interface Totals { cases: number; errors: number; probes: number; ran: number; compared: number; agree: number; disagree: number; notClassifiable: number }

function totals(cases: ClassifierCaseResult[]): Totals {
  const t: Totals = { cases: 0, errors: 0, probes: 0, ran: 0, compared: 0, agree: 0, disagree: 0, notClassifiable: 0 };
  for (const c of cases) {
    t.cases++;
    if (c.error) t.errors++;
    t.probes += c.probes;
    t.ran += c.ran;
    t.compared += c.compared;
    t.agree += c.agreed;
    t.disagree += c.disagreements.length;
    t.notClassifiable += c.notClassifiable.length;
  }
  return t;
}

/** A not-classifiable reason without the names in it, so that reasons group. */
export function reasonClass(reason: string): string {
  return reason
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?\b|\b[0-9a-f]*:[0-9a-f:]+:[0-9a-f]*\b/gi, 'IP')
    .replace(/\b[\w.-]+\/[\w.-]+(?:\/[\w.-]+)?/g, 'NS/NAME');
}

export function formatConformanceClassifier(r: ClassifierConformanceReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = ['classifier vs semantics (ovn-kubernetes), per corpus:'];
  const head = `  ${'corpus'.padEnd(32)} ${'cases'.padStart(5)} ${'probes'.padStart(7)} ${'ran'.padStart(7)} ${'compared'.padStart(8)} ${'agree'.padStart(7)} ${'disagree'.padStart(8)} ${'not classifiable'.padStart(16)}`;
  lines.push(head);
  const row = (k: string, t: Totals) => `  ${k.padEnd(32)} ${String(t.cases).padStart(5)} ${String(t.probes).padStart(7)} ${String(t.ran).padStart(7)} ${String(t.compared).padStart(8)} ${String(t.agree).padStart(7)} ${String(t.disagree).padStart(8)} ${String(t.notClassifiable).padStart(16)}`;
  const corpora = [...new Set(r.cases.map((c) => c.corpus))].sort();
  for (const k of corpora) lines.push(row(k, totals(r.cases.filter((c) => c.corpus === k))));
  lines.push(row('total', totals(r.cases)));
  const errs = r.cases.filter((c) => c.error);
  if (errs.length) {
    lines.push('', 'cases that did not load or compile:');
    for (const c of errs) lines.push(`  ${c.corpus}/${c.case}: ${c.error!.split('\n')[0]}`);
  }
  lines.push('', 'not classifiable, by reason:');
  for (const k of corpora) {
    const by = new Map<string, { n: number; example: string; reason: string }>();
    for (const c of r.cases.filter((x) => x.corpus === k)) {
      for (const s of c.notClassifiable) {
        const rc = opts.verbose ? s.reason : reasonClass(s.reason);
        const e = by.get(rc) ?? { n: 0, example: `${c.case}: ${s.text}`, reason: s.reason };
        e.n++;
        by.set(rc, e);
      }
    }
    if (!by.size) continue;
    lines.push(`  ${k}:`);
    for (const [rc, e] of [...by].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))) {
      lines.push(`    ${String(e.n).padStart(6)}  ${rc}`);
      if (!opts.verbose) lines.push(`            e.g. ${e.example}: ${e.reason}`);
    }
  }
  const dis = r.cases.flatMap((c) => c.disagreements.map((d) => ({ c, d })));
  if (dis.length) {
    lines.push('', `disagreements (${dis.length}; each is a udnc bug):`);
    for (const { c, d } of dis) {
      lines.push(`  ${c.corpus}/${c.case}: ${probeText(d.probe)}: semantics says ${d.semantics.allowed ? 'allowed' : 'denied'}, the compiled OpenFlow ${d.classifier.allowed ? 'allows' : 'denies'} it`);
      lines.push('    semantics:');
      for (const l of d.semanticsReasons) lines.push(`      ${l}`);
      lines.push('    classifier:');
      for (const l of d.classifierReasons) lines.push(`      ${l}`);
    }
  }
  const t = totals(r.cases);
  lines.push('', `${t.compared} probes compared, ${t.agree} agree, ${t.disagree} disagree, ${t.notClassifiable} not classifiable`);
  return lines.join('\n') + '\n';
}
