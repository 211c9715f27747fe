/**
 * Incremental Compiler vs full recompile on a mid-size generated cluster (bench/generate.ts).
 *
 *   npx tsx src/incremental/bench.ts [--namespaces 20] [--pods 10] [--rounds 1]
 *
 * For each kind of change: wall and CPU time of `Compiler.apply([change])` and of a full
 * `compileManifests` (through OpenFlow) of the same objects, which stages the Compiler recomputed,
 * and the delta sizes. Results are checked equal (NB, lflow, OpenFlow) before being reported.
 */
import { parseArgs } from 'node:util';
import { generateCluster, type Obj } from '../../bench/generate.js';
import { compileManifests } from '../compile.js';
import type { K8sObject } from '../manifests/types.js';
import { canonicalJSON, Compiler, type Change } from './index.js';

const { values } = parseArgs({ options: { namespaces: { type: 'string' }, pods: { type: 'string' }, rounds: { type: 'string' } } });
const namespaces = Number(values.namespaces ?? 20);
const pods = Number(values.pods ?? 10);
const rounds = Number(values.rounds ?? 1);

const cluster = generateCluster({ seed: 7, namespaces, pods, policies: 2, services: namespaces, udns: 2, anps: 2, banp: true });
const objs = cluster.objects;
const src = (o: Obj) => {
  const m = o['metadata'] as { name: string; namespace?: string };
  return { file: `gen/${String(o['kind'])}/${m.namespace ?? ''}/${m.name}.yaml`, line: 1, col: 1 };
};

function timed<T>(f: () => T): { v: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { v, wall, cpu: (c.user + c.system) / 1000 };
}

const first = <K extends string>(kind: K) => structuredClone(objs.find((o) => o['kind'] === kind)!) as Record<string, any>;

const scenarios: Array<{ name: string; change: () => Change }> = [
  {
    name: 'pod label nothing selects',
    change: () => { const p = first('Pod'); p.metadata.labels = { ...p.metadata.labels, unrelated: 'x' }; return { op: 'update', object: p as K8sObject, source: src(p) }; },
  },
  {
    name: 'add a bare pod',
    change: () => {
      const ns = (first('Namespace').metadata as { name: string }).name;
      const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-new', namespace: ns, labels: { app: 'app-0' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
      return { op: 'add', object: p as K8sObject, source: src(p) };
    },
  },
  {
    name: 'update a NetworkPolicy selector',
    change: () => { const np = first('NetworkPolicy'); np.spec.podSelector = { matchLabels: { app: 'app-1' } }; return { op: 'update', object: np as K8sObject, source: src(np) }; },
  },
  {
    name: 'update a Service port',
    change: () => { const s = first('Service'); s.spec.ports[0].port = 12345; return { op: 'update', object: s as K8sObject, source: src(s) }; },
  },
  {
    name: 'delete a bare pod',
    change: () => { const p = first('Pod'); return { op: 'delete', object: p as K8sObject }; },
  },
];

console.log(`cluster: ${JSON.stringify(cluster.counts)}`);
const c = new Compiler({ until: 'openflow' });
const init = timed(() => c.apply(objs.map((o) => ({ op: 'add' as const, object: structuredClone(o) as K8sObject, source: src(o) }))));
console.log(`initial apply (everything added): wall ${init.wall.toFixed(0)} ms, cpu ${init.cpu.toFixed(0)} ms; NB ${c.snapshot().nb!.logicalSwitchPorts.length} LSPs, ${c.snapshot().lflow!.flows.length} lflows, ${c.snapshot().openflow!.flows.length} OpenFlow flows`);
console.log('| change | incremental wall / cpu (ms) | full wall / cpu (ms) | speedup (cpu) | recomputed | delta NB +/-/~ | lflow +/-/~ | OF flows +/-/~ |');
console.log('|---|---|---|---|---|---|---|---|');
for (let round = 0; round < rounds; round++) {
  for (const s of scenarios) {
    const inc = timed(() => c.apply([s.change()]));
    const full = timed(() => compileManifests(c.manifests(), { until: 'openflow' }));
    const a = c.snapshot();
    for (const k of ['nb', 'lflow', 'openflow'] as const) {
      if (canonicalJSON(a[k]) !== canonicalJSON(full.v[k])) throw new Error(`${s.name}: ${k} differs from the full recompile`);
    }
    const d = inc.v;
    const n = (x: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => `${x.added.length}/${x.removed.length}/${x.changed.length}`;
    console.log(`| ${s.name} | ${inc.wall.toFixed(0)} / ${inc.cpu.toFixed(0)} | ${full.wall.toFixed(0)} / ${full.cpu.toFixed(0)} | ${(full.cpu / Math.max(1, inc.cpu)).toFixed(1)}× | ${d.recomputed.slice(1).join(',')} | ${n(d.nb)} | ${n(d.lflow)} | ${n(d.openflow.flows)} |`);
    // undo the add / restore the deleted object, so that rounds repeat the same changes
    if (s.name === 'add a bare pod') c.apply([{ op: 'delete', object: d.objects.added.length ? { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-new', namespace: d.objects.added[0]!.namespace! } } : ({} as K8sObject) }]);
    if (s.name === 'delete a bare pod') { const p = first('Pod'); c.apply([{ op: 'add', object: p as K8sObject, source: src(p) }]); }
  }
}
