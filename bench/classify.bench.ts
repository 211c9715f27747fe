/**
 * Benchmark of the classifier (src/classify): an interpreter of udnc's OpenFlow tables.
 *
 *  1. table lookups per second (tuple space search + conjunctions) on a fixture's tables;
 *  2. whole packets per second (pod → pod through switch, ACLs, conntrack recirculations);
 *  3. the full matrix of a generated cluster with N workloads (default 1,000 bare pods, each its
 *     own workload): compile to OpenFlow, then every matrix probe through the classifier and the
 *     evaluator (what `udnc matrix` does by default).
 *
 * Run: npx tsx bench/classify.bench.ts [--workloads N] [--skip-matrix] [--skip-suite] [--rows K]
 *        [--no-port-classes] [--out bench/results/classify-N.jsonl]   (figures: bench/README.md "## classify")
 *   --rows K: only the first K source rows of the matrix (all destinations and ports): a partial run
 *   --out: one JSON line per --progress-every probes (default 1M) and one at the end: probes, CPU s, wall s, peak RSS
 *   --workers W: split the source rows over W worker threads (each compiles and builds the matrix
 *     itself); CPU s is the whole process's (every thread), the comparable figure
 *   --reevaluate: call evaluate() for every probe again (default: the verdicts buildMatrix computed
 *     with the same evaluate() on the same probes, the matrix's cells)
 */
import Benchmark from 'benchmark';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { CT, classifyProbeIn, crossCheck, packetFields, probeContext, type CrossCheckReport } from '../src/classify/index.js';
import { iterMatrixCells } from '../src/classify/cli.js';
import type { Probe } from '../src/semantics/types.js';
import { compile } from '../src/compile.js';
import { buildMatrix } from '../src/semantics/matrix.js';
import { generateCluster, toFiles } from './generate.js';

const { values } = parseArgs({ args: isMainThread ? process.argv.slice(2) : (workerData as { args: string[] }).args, options: {
  workloads: { type: 'string' }, 'skip-matrix': { type: 'boolean' }, 'skip-suite': { type: 'boolean' }, rows: { type: 'string' },
  'no-port-classes': { type: 'boolean' }, out: { type: 'string' }, 'progress-every': { type: 'string' },
  workers: { type: 'string' }, reevaluate: { type: 'boolean' },
} });
const N = Number(values.workloads ?? 1000);
const cpuS = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
const peakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const record = (o: Record<string, unknown>): void => {
  console.log(JSON.stringify(o));
  if (values.out) appendFileSync(values.out, JSON.stringify(o) + '\n');
};

if (!isMainThread) {
  const shard = workerData as { index: number; count: number };
  await matrixPart(shard, (o) => parentPort!.postMessage(o));
  process.exit(0);
}

const fx = join(import.meta.dirname, '..', 'fixtures', '04-service-loadbalancer-on-cudn');
const r = await compile([fx], { until: 'openflow' });
const pc = probeContext(r);
const c = pc.classifier;
// a pod → pod packet the dataplane delivers (the longest ordinary path: ACLs, LB, conntrack)
const pods = r.model!.pods.filter((p) => !p.hostNetwork);
const allowed = pods.flatMap((s) => pods.filter((d) => d !== s).map((d) => classifyProbeIn(pc, {
  src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'pod', namespace: d.namespace, name: d.name }, protocol: 'TCP', port: 80,
}, { reply: false }))).find((x) => x.allowed)!;
const red = pc.vifAt(allowed.packet!.inPort)!;
const pkt = packetFields(allowed.packet!);
const once = c.run(pkt, { trace: true });
console.log(`fixture 04 (${allowed.packet!.ipSrc} → ${allowed.packet!.ipDst}): ${c.flowCount} flows in ${c.tables.size} tables; one pod→pod packet visits ${once.steps.length} flows in ${once.resubmits} resubmits, ${1 + Math.max(...once.steps.map((s) => s.pass))} passes: ${once.verdict.summary}`);

// a lookup state: the packet as it enters logical ingress table 0 (OpenFlow table 8)
const state = new Array<bigint>(64).fill(0n);
const { SLOT } = await import('../src/classify/fields.js');
for (const [k, v] of Object.entries(pkt)) state[SLOT[k]!] = v;
state[SLOT['metadata']!] = BigInt(pc.openflow.ports.find((p) => p.ofport === red.ofport)?.dpKey ?? 0);
const t8 = c.tables.get(8)!;
const t44 = c.tables.get(44)!;

// The same, timed by CPU seconds (benchmark.js times by wall clock, which a loaded machine inflates).
const perCpuS = (fn: () => void, minCpuS = 2): number => {
  const c = process.cpuUsage();
  let n = 0;
  for (;;) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    const u = cpuS(process.cpuUsage(c));
    if (u >= minCpuS) return Math.round(n / u);
  }
};
{
  const t8r = perCpuS(() => { t8.lookup(state); });
  const t44r = perCpuS(() => { t44.lookup(state); });
  const pkt1 = perCpuS(() => { c.run(pkt); }, 3);
  const lookupsPerPacket = c.run(pkt).resubmits;
  record({ case: 'fixture 04', lookupsPerCpuS: { table8: t8r, table44: t44r, overall: pkt1 * lookupsPerPacket }, packetsPerCpuS: pkt1, lookupsPerPacket });
}

const suite = new Benchmark.Suite();
if (!values['skip-suite']) suite
  .add('FlowTable.lookup (table 8)', () => { t8.lookup(state); })
  .add('FlowTable.lookup (table 44)', () => { t44.lookup(state); })
  .add('packet pod→pod (scripted ct)', () => { c.run(pkt, { ctNext: [CT.trk | CT.new, CT.trk | CT.new, CT.trk | CT.new] }); })
  .add('packet pod→pod (stateful ct, fresh)', () => { c.run(pkt); })
  .on('cycle', (e: Benchmark.Event) => console.log(String(e.target)))
  .run();

/** One worker's (or the only thread's) part of the matrix: compile, buildMatrix, cross-check its rows. */
async function matrixPart(shard: { index: number; count: number }, post: (o: Record<string, unknown>) => void): Promise<void> {
  const cluster = generateCluster({ namespaces: Math.ceil(N / 10), pods: 10, bareFraction: 1, policies: 2, services: Math.ceil(N / 20) });
  const rows = values.rows !== undefined ? Number(values.rows) : undefined;
  const portClasses = !values['no-port-classes'];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const big = await compile(toFiles(cluster), { until: 'openflow' });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const m = buildMatrix(big.model!, {});
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const workloads = m.networks.reduce((s, n) => s + n.entities.length, 0);
  const cells = m.networks.reduce((s, n) => s + n.codes.length, 0);
  const base = { case: 'matrix', workloads, pods: big.model!.pods.length, flows: big.openflow!.flows.length, matrixProbes: cells, rows: rows ?? 'all', portClasses,
    evaluator: values.reevaluate ? 'evaluate() per probe' : "buildMatrix's verdicts", workers: shard.count };
  // process.cpuUsage() counts every thread: with workers, these CPU figures include the other workers'
  post({ ...base, stage: 'compile+matrix', shard: shard.index, cpuScope: shard.count > 1 ? 'process (all workers)' : 'process',
    compileCpuS: +(cpuS(c1) - cpuS(c0)).toFixed(1), compileWallS: +((t1 - t0) / 1000).toFixed(1),
    matrixCpuS: +(cpuS(c2) - cpuS(c1)).toFixed(1), matrixWallS: +((t2 - t1) / 1000).toFixed(1), peakRssMB: peakRssMB() });
  const line = (stage: string, rep: CrossCheckReport): Record<string, unknown> => ({
    ...base, stage, shard: shard.index, probes: rep.probes, agreed: rep.agreed, compared: rep.compared, disagreements: rep.disagreements.length,
    notClassifiable: rep.skipped.length, ran: rep.classifier?.ran, fromPortClass: rep.classifier?.fromPortClass,
    firstDisagreements: rep.disagreements.slice(0, 5).map((d) => `${JSON.stringify(d.probe)}: ${d.semanticsReasons[0]} / ${d.classifierReasons[0]}`),
  });
  let known: boolean | undefined;
  function* cells_(): Generator<Probe> {
    for (const c of iterMatrixCells(m, { ...(rows !== undefined ? { rows } : {}), shard })) { known = c.allowed; yield c.probe; }
  }
  const rep = crossCheck(big, cells_(), undefined, {
    portClasses, progressEvery: Number(values['progress-every'] ?? 1_000_000), progress: (r) => post(line('cross-check (progress)', r)),
    ...(values.reevaluate ? {} : { evaluated: () => known }),
  });
  post(line('cross-check', rep));
}

if (!values['skip-matrix'] && isMainThread) {
  const workers = Number(values.workers ?? 1);
  const c2 = process.cpuUsage();
  const t2 = performance.now();
  const parts = new Map<number, Record<string, unknown>>();
  // one line per event: the shard's own counts plus the sums over shards so far, with the process's CPU
  const onLine = (o: Record<string, unknown>): void => {
    if (o['stage'] === 'compile+matrix') { record({ ...o, processCpuS: +cpuS(process.cpuUsage()).toFixed(1) }); return; }
    parts.set(o['shard'] as number, o);
    const sum = (k: string): number => [...parts.values()].reduce((s, p) => s + ((p[k] as number) ?? 0), 0);
    const done = parts.size === workers && [...parts.values()].every((p) => p['stage'] === 'cross-check');
    const cpu = cpuS(process.cpuUsage(c2));
    const wall = (performance.now() - t2) / 1000;
    const probes = sum('probes');
    record({ ...o, stage: done ? 'cross-check' : 'cross-check (progress)', shardStage: o['stage'], probes, agreed: sum('agreed'), compared: sum('compared'),
      disagreements: sum('disagreements'), notClassifiable: sum('notClassifiable'), ran: sum('ran'), fromPortClass: sum('fromPortClass'),
      // since the matrix part began: compile + buildMatrix + cross-check, every thread
      cpuS: +cpu.toFixed(1), wallS: +wall.toFixed(1), probesPerCpuS: Math.round(probes / cpu), processCpuS: +cpuS(process.cpuUsage()).toFixed(1), peakRssMB: peakRssMB(), loadAvg: loadavg().map((x) => +x.toFixed(1)), at: new Date().toISOString() });
    for (const d of (o['firstDisagreements'] as string[] | undefined) ?? []) if (o['stage'] === 'cross-check') console.log(`DISAGREEMENT ${d}`);
  };
  if (workers <= 1) await matrixPart({ index: 0, count: 1 }, onLine);
  else {
    await Promise.all(Array.from({ length: workers }, (_, index) => new Promise<void>((resolve, reject) => {
      // a worker thread does not inherit tsx's loader: register it there, then load this file
      const boot = `(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(import.meta.url)}); })()`;
      const w = new Worker(boot, { eval: true, workerData: { index, count: workers, args: process.argv.slice(2) } });
      w.on('message', onLine);
      w.on('error', reject);
      w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${index} exited ${code}`))));
    })));
  }
}
