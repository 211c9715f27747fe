/**
 * Incremental Compiler vs full recompile on a generated cluster (bench/generate.ts).
 *
 *   npx tsx src/incremental/bench.ts [--namespaces 20] [--pods 10] [--until openflow|lflow] [--rounds 1] [--full every|ends]
 *
 * For each kind of change: wall and CPU time of `Compiler.apply([change])` (and on stderr its
 * phases, Compiler.lastPhases) and of a full
 * `compileManifests` (through `--until`) of the same objects, which stages the Compiler ran and
 * how much of them (datapaths / lflows recomputed), and the delta sizes. Every result is checked
 * equal to the full recompile (NB, lflow, OpenFlow) before it is reported. Changes come in pairs
 * (do, undo) so that rounds repeat the same changes. `--full ends` (for big clusters) runs the full
 * recompile only after the first and the last change (checked equal there) and reports the
 * other changes against the mean of those two.
 */
import { parseArgs } from 'node:util';
import { generateCluster, type Obj } from '../../bench/generate.js';
import { compileManifests } from '../compile.js';
import type { K8sObject } from '../manifests/types.js';
import { canonicalJSON, Compiler, type Change } from './index.js';

/** canonicalJSON equality, element by element (a whole 1,000-namespace lflow table exceeds V8's string limit) */
function sameJSON(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJSON(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b) && !(a instanceof Uint8Array)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.join('\0') === kb.join('\0') && ka.every((k) => sameJSON((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return canonicalJSON(a) === canonicalJSON(b);
}

const { values } = parseArgs({ options: { namespaces: { type: 'string' }, pods: { type: 'string' }, rounds: { type: 'string' }, until: { type: 'string' }, full: { type: 'string' }, pick: { type: 'string' } } });
const fullEvery = (values.full ?? 'every') === 'every';
const namespaces = Number(values.namespaces ?? 20);
const pods = Number(values.pods ?? 10);
const rounds = Number(values.rounds ?? 1);
const until = (values.until ?? 'openflow') as 'lflow' | 'openflow';
if (until !== 'lflow' && until !== 'openflow') throw new Error('--until: lflow or openflow');

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

/** a copy of the first generated object of a kind (optionally: also matching `pred`) */
const first = (kind: string, pred: (o: Record<string, any>) => boolean = () => true) =>
  structuredClone(objs.find((o) => o['kind'] === kind && pred(o as Record<string, any>))!) as Record<string, any>;
const upd = (o: Record<string, any>): Change => ({ op: 'update', object: o as K8sObject, source: src(o) });
const add = (o: Record<string, any>): Change => ({ op: 'add', object: o as K8sObject, source: src(o) });
const del = (o: Record<string, any>): Change => ({ op: 'delete', object: o as K8sObject });

const bare = () => first('Pod');
const nsName = (bare().metadata as { namespace: string }).namespace;
const newPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-new', namespace: nsName, labels: { app: 'app-0' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const newNp = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bench-new', namespace: nsName },
  spec: { podSelector: { matchLabels: { app: 'app-2' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'app-3' } } }], ports: [{ port: 8443 }] }] },
};
const np = () => first('NetworkPolicy', (o) => o.spec.podSelector?.matchLabels !== undefined);
const svc = () => first('Service');

const allScenarios: Array<{ name: string; change: () => Change }> = [
  { name: 'pod label nothing selects', change: () => { const p = bare(); p.metadata.labels = { ...p.metadata.labels, unrelated: 'x' }; return upd(p); } },
  { name: '(undo)', change: () => upd(bare()) },
  { name: 'pod app label (port groups, Service endpoints)', change: () => { const p = bare(); p.metadata.labels = { ...p.metadata.labels, app: p.metadata.labels.app === 'app-1' ? 'app-2' : 'app-1' }; return upd(p); } },
  { name: '(undo)', change: () => upd(bare()) },
  { name: 'add a bare pod', change: () => add(structuredClone(newPod)) },
  { name: 'delete that pod', change: () => del(structuredClone(newPod)) },
  { name: 'delete a bare pod', change: () => del(bare()) },
  { name: '(re-add)', change: () => add(bare()) },
  { name: 'add a NetworkPolicy', change: () => add(structuredClone(newNp)) },
  { name: 'delete that NetworkPolicy', change: () => del(structuredClone(newNp)) },
  { name: 'update a NetworkPolicy selector', change: () => { const o = np(); o.spec.podSelector = { matchLabels: { app: 'app-3' } }; return upd(o); } },
  { name: '(undo)', change: () => upd(np()) },
  { name: 'Namespace team label', change: () => { const n = first('Namespace', (o) => o.metadata.name === nsName); n.metadata.labels = { ...n.metadata.labels, team: 'team-x' }; return upd(n); } },
  { name: '(undo)', change: () => upd(first('Namespace', (o) => o.metadata.name === nsName)) },
  { name: 'update a Service port', change: () => { const o = svc(); o.spec.ports[0].port = 12345; return upd(o); } },
  { name: '(undo)', change: () => upd(svc()) },
  { name: 'delete a Service', change: () => del(svc()) },
  { name: '(re-add)', change: () => add(svc()) },
];
// --pick 0,1,4,5: a subset (by index) for big clusters; keep do/undo pairs together
const scenarios = values.pick ? values.pick.split(',').map((i) => allScenarios[Number(i)]!) : allScenarios;

console.log(`cluster: ${JSON.stringify(cluster.counts)}; until ${until}`);
const c = new Compiler({ until });
const init = timed(() => c.apply(objs.map((o) => ({ op: 'add' as const, object: structuredClone(o) as K8sObject, source: src(o) }))));
const snap = c.snapshot();
console.log(`initial apply (everything added): wall ${init.wall.toFixed(0)} ms, cpu ${init.cpu.toFixed(0)} ms; NB ${snap.nb!.logicalSwitchPorts.length} LSPs, ${snap.nb!.acls.length} ACLs, ${snap.lflow!.flows.length} lflows${snap.openflow ? `, ${snap.openflow.flows.length} OpenFlow flows` : ''}`);
console.log('| change | incremental wall / CPU (ms) | full wall / CPU (ms) | CPU speedup | recomputed (datapaths, LB blocks rebuilt, lflows translated) | Δ NB +/−/~ | Δ lflow +/−/~ | Δ OpenFlow +/−/~ |');
console.log('|---|---|---|---|---|---|---|---|');
const stages = until === 'openflow' ? (['nb', 'lflow', 'openflow'] as const) : (['nb', 'lflow'] as const);
const fulls: number[] = [];
const rows: Array<(meanFull: number) => string> = [];
const n = (x: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => `${x.added.length}/${x.removed.length}/${x.changed.length}`;
const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
for (let round = 0; round < rounds; round++) {
  for (const [i, s] of scenarios.entries()) {
    const inc = timed(() => c.apply([s.change()]));
    const last = round === rounds - 1 && i === scenarios.length - 1;
    const full = fullEvery || (round === 0 && i === 0) || last ? timed(() => compileManifests(c.manifests(), { until })) : undefined;
    if (full) {
      fulls.push(full.cpu);
      const a = c.snapshot();
      for (const k of stages) {
        if (!sameJSON(a[k], full.v[k])) throw new Error(`${s.name}: ${k} differs from the full recompile`);
      }
    }
    const d = inc.v;
    const part = [
      d.partial?.lflow ? `${d.partial.lflow.datapaths}/${d.partial.lflow.of} dp, ${fmt(d.partial.lflow.blocks.rebuilt)}/${fmt(d.partial.lflow.blocks.of)} LB blocks` : '',
      d.partial?.openflow ? `${fmt(d.partial.openflow.lflows)}/${fmt(d.partial.openflow.of)} lf` : '',
    ].filter(Boolean).join(', ');
    const tail = `${d.recomputed.slice(1).join(',')}${part ? ` (${part})` : ''} | ${n(d.nb)} | ${n(d.lflow)} | ${until === 'openflow' ? n(d.openflow.flows) : '–'} |`;
    // where the CPU went (Compiler.lastPhases), on stderr: phases over 5% of the apply
    const top = Object.entries(c.lastPhases).filter(([, ms]) => ms > inc.cpu / 20).sort((x, y) => y[1] - x[1]);
    console.error(`${s.name}: ${top.map(([k, ms]) => `${k} ${fmt(ms)}`).join(', ')}`);
    rows.push((mean) => {
      const fc = full ? full.cpu : mean;
      return `| ${s.name} | ${fmt(inc.wall)} / ${fmt(inc.cpu)} | ${full ? `${fmt(full.wall)} / ${fmt(full.cpu)}` : `mean: – / ${fmt(fc)}`} | ${(fc / Math.max(1, inc.cpu)).toFixed(1)}× | ${tail}`;
    });
    if (fullEvery) console.log(rows[rows.length - 1]!(0));
  }
}
if (!fullEvery) for (const r of rows) console.log(r(fulls.reduce((x, y) => x + y, 0) / fulls.length));
