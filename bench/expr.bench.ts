/**
 * Benchmark of the OVN match compiler (src/expr) on an ACL-shaped match:
 *   outport == @pg && ip4.src == $as && tcp && tcp.dst == {p1..p5}
 * with a port group of 1,000 ports and an address set of 10,000 IPv4 addresses.
 *
 * OVN turns the three multi-valued dimensions into one conjunctive match
 * (conjunction(id, k/3)) — 1,000 + 10,000 + 5 member flows plus 1 conj_id
 * flow = 11,006 flows — instead of the 50,000,000-flow cross product.
 *
 * Run: npx tsx bench/expr.bench.ts      (figures go to bench/README.md, "## expr")
 */
import Benchmark from 'benchmark';
import { exprToFlowsStrict, exprToMatchObjects, type ExprEnv } from '../src/expr/index.js';

const N_PORTS = 1000;
const N_IPS = 10000;
const ports: Record<string, number> = {};
const pg: string[] = [];
for (let i = 0; i < N_PORTS; i++) {
  ports[`lsp${i}`] = i + 1;
  pg.push(`lsp${i}`);
}
const as: string[] = [];
for (let i = 0; i < N_IPS; i++) as.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const env: ExprEnv = { addressSets: { as }, portGroups: { pg }, ports };
const MATCH = 'outport == @pg && ip4.src == $as && tcp && tcp.dst == {80, 443, 8080, 8443, 9000}';

// Cold call: includes lexing the 10,000 address-set entries (cached per env afterwards).
let t0 = performance.now();
const cpu0 = process.cpuUsage();
const lines = exprToFlowsStrict(MATCH, env);
const cold = performance.now() - t0;
const coldCpu = process.cpuUsage(cpu0);
const conj = lines.filter((l) => l.includes('conjunction(')).length;
const conjIdFlows = lines.filter((l) => l.startsWith('conj_id=')).length;
console.log(`flows: ${lines.length} (${conj} conjunction member flows, ${conjIdFlows} conj_id flow); cross product would be ${N_PORTS * N_IPS * 5}`);
console.log(`cold first call: ${cold.toFixed(0)} ms wall, ${((coldCpu.user + coldCpu.system) / 1000).toFixed(0)} ms CPU`);
t0 = performance.now();
const objs = exprToMatchObjects(MATCH, env);
console.log(`structured variant: ${objs.matches.length} matches, ${objs.nConjs} conj id(s), ${(performance.now() - t0).toFixed(0)} ms`);

// Wall time is noisy on a shared machine; also report CPU time of this process per compile.
{
  const runs = 10;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < runs; i++) exprToFlowsStrict(MATCH, env);
  const c = process.cpuUsage(c0);
  console.log(`warm: ${((performance.now() - w0) / runs).toFixed(0)} ms wall, ${((c.user + c.system) / 1000 / runs).toFixed(0)} ms CPU per compile (mean of ${runs}; CPU includes GC threads)`);
}

new Benchmark.Suite('expr')
  .add('exprToFlows ACL 1000 ports x 10000 IPs x 5 ports', () => {
    exprToFlowsStrict(MATCH, env);
  })
  .add('exprToFlows typical ACL (no sets)', () => {
    exprToFlowsStrict('outport == "lsp1" && ip4 && ip4.src == 10.0.0.0/8 && tcp.dst == 22', env);
  })
  .on('cycle', (e: Benchmark.Event) => {
    const b = e.target as Benchmark.Target & { stats: { mean: number; rme: number } };
    console.log(`${String(e.target)}  (mean ${(b.stats.mean * 1000).toFixed(2)} ms)`);
  })
  .run();
