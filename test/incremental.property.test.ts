/**
 * Property: for random edit sequences on a small cluster, the incremental Compiler's state after
 * every step equals a full compile of the same objects (NB, lflow, OpenFlow), an invalid edit is
 * rejected by both (leaving the Compiler untouched), and the deltas summed onto the initial keyed
 * view give the final keyed view.
 *
 * The Compiler recomputes lflows only for datapaths whose NB inputs changed (and in those, keeps
 * the flows of load balancers that did not change) and re-translates to OpenFlow only the lflows
 * whose inputs changed, so every stage is compared on every accepted step. The edits are chosen to reach those partial paths (one datapath, port-group membership
 * through pod and namespace labels, Service endpoints through selectors and pod labels, policies
 * added and removed), and the run asserts that each of them was taken.
 *
 * INCREMENTAL_STEPS (default 50 per seed, 4 seeds) scales the run.
 */
import { describe, expect, it } from 'vitest';
import { generateCluster, type Obj } from '../bench/generate.js';
import { compile } from '../src/compile.js';
import { compileOpenFlow } from '../src/openflow/index.js';
import { InputError } from '../src/common/errors.js';
import type { K8sObject } from '../src/manifests/types.js';
import { applyDelta, canonicalJSON, Compiler, keyedView, type Change, type KeyedView } from '../src/incremental/index.js';
import { mulberry32 as prng } from '../src/common/prng.js';

const SEEDS = [1, 2, 3, 4];
const STEPS = Number(process.env.INCREMENTAL_STEPS ?? 50);


const keyOf = (o: Obj | K8sObject): string => {
  const m = o['metadata'] as { name: string; namespace?: string };
  return `${String(o['kind'])}/${m.namespace ?? ''}/${m.name}`;
};
const fileOf = (o: Obj | K8sObject): string => `k8s/${keyOf(o)}.json`;
const clone = <T>(x: T): T => structuredClone(x);

/** A full compile of `objects`, one in-memory file per object (the Compiler gets the same sources). */
async function fullCompile(objects: Iterable<Obj>) {
  const files = [...objects].map((o) => ({ file: fileOf(o), text: JSON.stringify(o) }));
  return compile(files, { until: 'lflow' });
}

function outputs(r: { nb?: unknown; lflow?: unknown; openflow?: unknown }): string[] {
  return [canonicalJSON(r.nb), canonicalJSON(r.lflow), canonicalJSON(r.openflow)];
}

/**
 * JSON with object keys sorted: the Compiler reports an item as changed when its content changed,
 * and an NB map (labels, external_ids) rebuilt after an update-and-back may list the same entries
 * in another order, so the summed view may hold the earlier, equal object.
 */
function sortedJSON(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `0x${x.toString(16)}n`;
    if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString('hex')}`;
    if (x && typeof x === 'object' && !Array.isArray(x)) return Object.fromEntries(Object.entries(x).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    return x;
  });
}

function viewJSON(v: KeyedView): string {
  const ordered = (m: Map<string, unknown>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sortedJSON([ordered(v.nb), ordered(v.lflow), ordered(v.ofFlows), ordered(v.ofGroups)]);
}

/** partial paths taken over all seeds (asserted by the last test) */
const pathsTaken: Record<string, number> = {};

/** One random edit: valid or not, the property decides by comparing with the full compile. */
function randomEdit(rnd: () => number, state: Map<string, Obj>, pool: Obj[], step: number): { change: Change; label: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const present = [...state.values()];
  const absent = pool.filter((o) => !state.has(keyOf(o)));
  const r = rnd();
  const ch = (op: Change['op'], object: Obj, label: string) => ({ change: { op, object: object as K8sObject, source: { file: fileOf(object), line: 1, col: 1 } }, label });
  if (r < 0.25 && absent.length > 0) {
    const o = pick(absent);
    return ch('add', clone(o), `add ${keyOf(o)}`);
  }
  if (r < 0.4 && present.length > 0) {
    const o = pick(present);
    return ch('delete', { apiVersion: o['apiVersion'], kind: o['kind'], metadata: clone(o['metadata']) } as Obj, `delete ${keyOf(o)}`);
  }
  if (r < 0.75 && present.length > 0) {
    const o = clone(pick(present));
    const meta = o['metadata'] as { labels?: Record<string, string> };
    const spec = o['spec'] as Record<string, any> | undefined;
    const kind = o['kind'];
    const v = rnd();
    if (kind === 'NetworkPolicy' && spec && v < 0.5) {
      // flip the policy's pod selector between everything and one app, and toggle its types
      spec['podSelector'] = rnd() < 0.5 ? {} : { matchLabels: { app: `app-${Math.floor(rnd() * 3)}` } };
      if (rnd() < 0.3) spec['policyTypes'] = rnd() < 0.5 ? ['Ingress'] : ['Ingress', 'Egress'];
    } else if (kind === 'Service' && spec && v < 0.6) {
      const ports = spec['ports'] as Array<Record<string, unknown>>;
      if (ports?.[0]) ports[0]['port'] = 1000 + Math.floor(rnd() * 50);
      if (rnd() < 0.3) spec['selector'] = { app: `app-${Math.floor(rnd() * 3)}` };
    } else if (kind === 'Deployment' && spec && v < 0.5) {
      spec['replicas'] = Math.floor(rnd() * 4);
    } else if (kind === 'Namespace' && v < 0.5) {
      // policies and ANPs select namespaces by team and env
      meta.labels = { ...(meta.labels ?? {}), team: `team-${Math.floor(rnd() * 3)}`, env: rnd() < 0.5 ? 'prod' : 'dev' };
    } else if (kind === 'Pod' && v < 0.4) {
      // port-group membership and Service endpoints follow the app label
      meta.labels = { ...(meta.labels ?? {}), app: `app-${Math.floor(rnd() * 4)}` };
    } else {
      meta.labels = { ...(meta.labels ?? {}), [`k${Math.floor(rnd() * 3)}`]: `v${Math.floor(rnd() * 3)}` };
      if (rnd() < 0.3) meta.labels['app'] = `app-${Math.floor(rnd() * 3)}`;
    }
    return ch('update', o, `update ${keyOf(o)}`);
  }
  if (r < 0.85) {
    // a new bare pod, sometimes in a namespace that does not exist
    const nss = present.filter((o) => o['kind'] === 'Namespace').map((o) => (o['metadata'] as { name: string }).name);
    const ns = rnd() < 0.2 || nss.length === 0 ? 'no-such-ns' : pick(nss);
    const pod: Obj = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `extra-${step}`, namespace: ns, labels: { app: `app-${Math.floor(rnd() * 3)}` } },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', ports: [{ containerPort: 8080 }] }] },
    };
    return ch('add', pod, `add pod ${ns}/extra-${step}`);
  }
  // invalid edits
  const w = rnd();
  if (w < 0.25 && present.length > 0) {
    const o = pick(present);
    return ch('add', clone(o), `add existing ${keyOf(o)}`);
  }
  if (w < 0.5) {
    return ch('delete', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `ghost-${step}`, namespace: 'default' } }, 'delete missing pod');
  }
  if (w < 0.75) {
    const np: Obj = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `bad-${step}`, namespace: 'default' },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] },
    };
    return ch('add', np, 'add invalid policy (port 70000)');
  }
  return ch('update', { apiVersion: 'v1', kind: 'Service', metadata: { name: `ghost-${step}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } }, 'update missing service');
}

describe('incremental Compiler equals full recompile', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random edits`, { timeout: 1_800_000 }, async () => {
      const rnd = prng(seed * 7919);
      const pool = generateCluster({ seed, namespaces: 3, pods: 3, policies: 1, services: 2, udns: seed % 2, anps: 1, bareFraction: 0.7 }).objects;
      const state = new Map<string, Obj>();
      const compiler = new Compiler({ until: 'openflow' });
      const initial = compiler.keyedView();
      // start from a valid subset: nodes and namespaces (+ their networks), then the rest one change at a time
      const base = pool.filter((o) => ['Node', 'Namespace', 'UserDefinedNetwork'].includes(String(o['kind'])));
      const summed = compiler.keyedView();
      applyDelta(summed, compiler.apply(base.map((o) => ({ op: 'add' as const, object: clone(o) as K8sObject, source: { file: fileOf(o), line: 1, col: 1 } }))));
      for (const o of base) state.set(keyOf(o), o);
      let accepted = 0;
      let rejected = 0;
      let checkedOpenflow = 0;
      const skipped: Record<string, number> = {};
      // partial paths taken: lflow of some datapaths only, OpenFlow translations reused, and NB
      // changes of the kinds the edits aim at
      // lbBlocksKept: a recomputed datapath rebuilt some load balancer flow blocks and kept others
      // (a stale kept block would show as an lflow difference)
      const paths = { someDatapaths: 0, translationsReused: 0, portGroupChanged: 0, loadBalancerChanged: 0, aclAddedOrRemoved: 0, lbBlocksKept: 0 };
      for (let step = 0; step < STEPS; step++) {
        const { change, label } = randomEdit(rnd, state, pool, step);
        const before = outputs(compiler.snapshot());
        // what the object set would be
        const next = new Map(state);
        const k = keyOf(change.object);
        const structural = (change.op === 'add' && next.has(k)) || (change.op !== 'add' && !next.has(k));
        if (change.op === 'delete') next.delete(k);
        else next.set(k, change.object as Obj);
        let fullError: unknown;
        let full: Awaited<ReturnType<typeof fullCompile>> | undefined;
        if (!structural) {
          try {
            full = await fullCompile(next.values());
          } catch (e) {
            fullError = e;
          }
        }
        let delta;
        try {
          delta = compiler.apply([change]);
        } catch (e) {
          expect(e, `step ${step} ${label}: non-InputError`).toBeInstanceOf(InputError);
          expect(structural || fullError instanceof InputError, `step ${step} ${label}: incremental rejected, full compile accepted: ${String(e)}`).toBe(true);
          expect(outputs(compiler.snapshot()), `step ${step} ${label}: state touched by a rejected change`).toEqual(before);
          rejected++;
          continue;
        }
        expect(structural, `step ${step} ${label}: structurally invalid change accepted`).toBe(false);
        if (fullError) throw fullError;
        const snap = compiler.snapshot();
        expect(canonicalJSON(snap.nb) === canonicalJSON(full!.nb), `step ${step} ${label}: NB differs`).toBe(true);
        expect(canonicalJSON(snap.lflow) === canonicalJSON(full!.lflow), `step ${step} ${label}: lflow differs`).toBe(true);
        const of = compileOpenFlow(full!.lflow!, { nb: full!.nb! });
        expect(canonicalJSON(snap.openflow) === canonicalJSON(of), `step ${step} ${label}: openflow differs`).toBe(true);
        checkedOpenflow++;
        const p = delta.partial;
        if (p?.lflow && p.lflow.datapaths < p.lflow.of) paths.someDatapaths++;
        if (p?.openflow && p.openflow.lflows < p.openflow.of) paths.translationsReused++;
        if (p?.lflow && p.lflow.blocks.rebuilt > 0 && p.lflow.blocks.rebuilt < p.lflow.blocks.of) paths.lbBlocksKept++;
        const nbIds = [...delta.nb.added.map((r) => r.id), ...delta.nb.removed.map((r) => r.id), ...delta.nb.changed.map((c) => c.key)];
        if (nbIds.some((id) => id.startsWith('Port_Group:'))) paths.portGroupChanged++;
        if (nbIds.some((id) => id.startsWith('Load_Balancer:'))) paths.loadBalancerChanged++;
        if ([...delta.nb.added, ...delta.nb.removed].some((r) => r.id.startsWith('ACL:'))) paths.aclAddedOrRemoved++;
        applyDelta(summed, delta);
        for (const st of ['lflow', 'openflow'] as const) if (!delta.recomputed.includes(st)) skipped[st] = (skipped[st] ?? 0) + 1;
        state.clear();
        for (const [kk, o] of next) state.set(kk, o);
        accepted++;
      }
      // the sum of the deltas, applied to the initial (empty-cluster) view, is the final view
      const fin = keyedView(compiler.snapshot());
      expect(viewJSON(summed) === viewJSON(fin), 'summed deltas differ from the final state').toBe(true);
      // keys are unique in every output (the views are bijections)
      const snap = compiler.snapshot();
      expect(fin.lflow.size).toBe(snap.lflow!.flows.length);
      expect(fin.ofFlows.size).toBe(snap.openflow!.flows.length);
      expect(fin.ofGroups.size).toBe(snap.openflow!.groups.length);
      expect(initial.nb.size).toBeGreaterThan(0);
      expect(accepted).toBeGreaterThan(STEPS / 3);
      expect(rejected).toBeGreaterThan(0);
      console.log(`seed ${seed}: ${accepted} accepted, ${rejected} rejected, stages skipped: ${JSON.stringify(skipped)}, OpenFlow compared on ${checkedOpenflow} steps, partial paths ${JSON.stringify(paths)}`);
      for (const [k, n] of Object.entries(paths)) pathsTaken[k] = (pathsTaken[k] ?? 0) + n;
    });
  }
  it('took every partial path (lflow of some datapaths, reused translations, port groups, load balancers, ACLs, kept LB blocks)', () => {
    expect(Object.keys(pathsTaken).length, 'the seeds did not run').toBeGreaterThan(0);
    for (const [k, n] of Object.entries(pathsTaken)) expect(n, `path ${k} never taken`).toBeGreaterThan(0);
  });
});
