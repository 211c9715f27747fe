/**
 * Benchmark of the classifier (src/classify): an interpreter of udnc's OpenFlow tables.
 *
 *  1. table lookups per second (tuple space search + conjunctions) on a fixture's tables;
 *  2. whole packets per second (pod → pod through switch, ACLs, conntrack recirculations);
 *  3. the full matrix of a generated cluster with N workloads (default 1,000 bare pods, each its
 *     own workload): compile to OpenFlow, then every matrix probe through the classifier and the
 *     evaluator (what `udnc matrix` does by default).
 *
 * Run: npx tsx bench/classify.bench.ts [--workloads N] [--skip-matrix]   (figures: bench/README.md "## classify")
 */
import Benchmark from 'benchmark';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CT, classifyProbeIn, crossCheck, packetFields, probeContext } from '../src/classify/index.js';
import { matrixProbes } from '../src/classify/cli.js';
import { compile } from '../src/compile.js';
import { buildMatrix } from '../src/semantics/matrix.js';
import { generateCluster, toFiles } from './generate.js';

const { values } = parseArgs({ options: { workloads: { type: 'string' }, 'skip-matrix': { type: 'boolean' } } });
const N = Number(values.workloads ?? 1000);

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

const suite = new Benchmark.Suite();
suite
  .add('FlowTable.lookup (table 8)', () => { t8.lookup(state); })
  .add('FlowTable.lookup (table 44)', () => { t44.lookup(state); })
  .add('packet pod→pod (scripted ct)', () => { c.run(pkt, { ctNext: [CT.trk | CT.new, CT.trk | CT.new, CT.trk | CT.new] }); })
  .add('packet pod→pod (stateful ct, fresh)', () => { c.run(pkt); })
  .on('cycle', (e: Benchmark.Event) => console.log(String(e.target)))
  .run();

if (!values['skip-matrix']) {
  const cluster = generateCluster({ namespaces: Math.ceil(N / 10), pods: 10, bareFraction: 1, policies: 2, services: Math.ceil(N / 20) });
  const t0 = performance.now();
  const big = await compile(toFiles(cluster), { until: 'openflow' });
  const t1 = performance.now();
  const m = buildMatrix(big.model!, {});
  const probes = matrixProbes(m);
  const t2 = performance.now();
  const rep = crossCheck(big, probes);
  const t3 = performance.now();
  const workloads = m.networks.reduce((s, n) => s + n.entities.length, 0);
  console.log(`matrix of ${workloads} workloads (${big.model!.pods.length} pods, ${big.openflow!.flows.length} flows): compile to OpenFlow ${((t1 - t0) / 1000).toFixed(1)} s, ` +
    `matrix (evaluator) ${((t2 - t1) / 1000).toFixed(1)} s, cross-check of ${probes.length} probes ${((t3 - t2) / 1000).toFixed(1)} s ` +
    `(${(probes.length / ((t3 - t2) / 1000)).toFixed(0)} probes/s incl. evaluator and reply packets); ${rep.agreed}/${rep.compared} agree, ${rep.disagreements.length} disagree, ${rep.skipped.length} not classifiable`);
}
