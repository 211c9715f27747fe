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
 */
import Benchmark from 'benchmark';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import { CT, classifyProbeIn, crossCheck, packetFields, probeContext, type CrossCheckReport } from '../src/classify/index.js';
import { iterMatrixProbes } from '../src/classify/cli.js';
import { compile } from '../src/compile.js';
import { buildMatrix } from '../src/semantics/matrix.js';
import { generateCluster, toFiles } from './generate.js';

const { values } = parseArgs({ options: {
  workloads: { type: 'string' }, 'skip-matrix': { type: 'boolean' }, 'skip-suite': { type: 'boolean' }, rows: { type: 'string' },
  'no-port-classes': { type: 'boolean' }, out: { type: 'string' }, 'progress-every': { type: 'string' },
} });
const N = Number(values.workloads ?? 1000);
const cpuS = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
const peakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const record = (o: Record<string, unknown>): void => {
  console.log(JSON.stringify(o));
  if (values.out) appendFileSync(values.out, JSON.stringify(o) + '\n');
};

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

if (!values['skip-matrix']) {
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
  const base = { case: 'matrix', workloads, pods: big.model!.pods.length, flows: big.openflow!.flows.length, matrixProbes: cells, rows: rows ?? 'all', portClasses };
  record({ ...base, stage: 'compile+matrix', compileCpuS: +(cpuS(c1) - cpuS(c0)).toFixed(1), compileWallS: +((t1 - t0) / 1000).toFixed(1),
    matrixCpuS: +(cpuS(c2) - cpuS(c1)).toFixed(1), matrixWallS: +((t2 - t1) / 1000).toFixed(1), peakRssMB: peakRssMB() });
  const line = (stage: string, rep: CrossCheckReport): Record<string, unknown> => {
    const cpu = cpuS(process.cpuUsage(c2));
    const wall = (performance.now() - t2) / 1000;
    return { ...base, stage, probes: rep.probes, cpuS: +cpu.toFixed(1), wallS: +wall.toFixed(1), probesPerCpuS: Math.round(rep.probes / cpu),
      agreed: rep.agreed, compared: rep.compared, disagreements: rep.disagreements.length, notClassifiable: rep.skipped.length,
      ran: rep.classifier?.ran, fromPortClass: rep.classifier?.fromPortClass, peakRssMB: peakRssMB(), at: new Date().toISOString() };
  };
  const rep = crossCheck(big, iterMatrixProbes(m, rows !== undefined ? { rows } : {}), undefined, {
    portClasses, progressEvery: Number(values['progress-every'] ?? 1_000_000), progress: (r) => record(line('cross-check (progress)', r)),
  });
  record(line('cross-check', rep));
  for (const d of rep.disagreements.slice(0, 5)) console.log(`DISAGREEMENT ${JSON.stringify(d.probe)}: ${d.semanticsReasons[0]} / ${d.classifierReasons[0]}`);
}
