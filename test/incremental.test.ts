/**
 * Compiler.apply contract: validation, atomic batches, no-op updates, sources, skipped stages,
 * deltas that fit the keyed view. (Equality with full recompiles: incremental.property.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { compileManifests } from '../src/compile.js';
import type { K8sObject } from '../src/manifests/types.js';
import { applyDelta, canonicalJSON, Compiler, deepEqual, sameJSONValue, type Change } from '../src/incremental/index.js';

const ns = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (namespace: string, name: string, labels: Record<string, string> = { app: 'web' }): K8sObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] },
});
const add = (object: K8sObject): Change => ({ op: 'add', object });

describe('Compiler (until nb: fast contract checks)', () => {
  let c: Compiler;
  beforeAll(() => {
    c = new Compiler({ until: 'nb' });
    c.apply([add(ns('a')), add(pod('a', 'p'))]);
  });

  const rejects = (changes: Change[], re: RegExp) => {
    const before = canonicalJSON(c.snapshot().nb);
    const objs = c.manifests().objects.length;
    let err: unknown;
    try {
      c.apply(changes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(re);
    expect(canonicalJSON(c.snapshot().nb)).toBe(before);
    expect(c.manifests().objects.length).toBe(objs);
  };

  it('rejects invalid changes and leaves the state untouched', () => {
    rejects([add(pod('a', 'p'))], /already exists/);
    rejects([{ op: 'update', object: pod('a', 'nope') }], /no such object/);
    rejects([{ op: 'delete', object: pod('a', 'nope') }], /no such object/);
    rejects([add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a' } })], /not used by udnc/);
    rejects([add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'a' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 70000 }] }] } })], /containerPort|70000|maximum/);
    rejects([add(pod('nowhere', 'x'))], /nowhere/);
    rejects([{ op: 'bogus' as 'add', object: ns('z') }], /unknown op/);
    rejects([add({ kind: 'Pod' } as unknown as K8sObject)], /not a Kubernetes object/);
  });

  it('a batch is one transaction: one bad change rejects all', () => {
    rejects([add(ns('b')), add(pod('b', 'q')), add(pod('a', 'p'))], /already exists/);
    expect(c.manifests().objects.some((o) => o.object.metadata.name === 'b')).toBe(false);
  });

  it('later changes in a batch see earlier ones; deleting the namespace under a pod is rejected', () => {
    const d = c.apply([add(ns('b')), add(pod('b', 'q')), { op: 'delete', object: pod('b', 'q') }, { op: 'delete', object: ns('b') }]);
    expect(d.objects).toEqual({ added: [], updated: [], deleted: [] }); // added and removed again: nothing
    expect(d.recomputed).toEqual([]);
    rejects([{ op: 'delete', object: ns('a') }], /namespace a does not exist/);
  });

  it('a no-op update changes nothing and recomputes nothing', () => {
    const d = c.apply([{ op: 'update', object: pod('a', 'p') }]);
    expect(d.objects.updated).toEqual([]);
    expect(d.recomputed).toEqual([]);
  });

  it('update keeps the source unless given; namespace defaults to default', () => {
    const src0 = c.manifests().objects.find((o) => o.object.kind === 'Pod')!.source;
    expect(src0).toEqual({ file: 'api:Pod/a/p', line: 1, col: 1 });
    const d = c.apply([{ op: 'update', object: pod('a', 'p', { app: 'db' }) }]);
    expect(d.objects.updated).toEqual([{ kind: 'Pod', namespace: 'a', name: 'p', source: src0 }]);
    const d2 = c.apply([{ op: 'update', object: pod('a', 'p', { app: 'db' }), source: { file: 'pods.yaml', line: 7, col: 1 } }]);
    expect(d2.objects.updated[0]!.source).toEqual({ file: 'pods.yaml', line: 7, col: 1 });
    const lsp = d2.nb.changed.find((x) => x.key === 'Logical_Switch_Port:a_p')!;
    expect(lsp.after.provenance[0]!.source).toEqual({ file: 'pods.yaml', line: 7, col: 1 });
    c.apply([{ op: 'add', object: { ...pod('', 'd'), metadata: { name: 'd', labels: {} } } }]);
    expect(c.manifests().objects.some((o) => o.object.metadata.namespace === 'default' && o.object.metadata.name === 'd')).toBe(true);
    c.apply([{ op: 'delete', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd' } } }]);
    expect(c.manifests().objects.some((o) => o.object.metadata.name === 'd')).toBe(false);
  });
});

describe('Compiler through OpenFlow', () => {
  it('skips lflow and OpenFlow when no NB row changed; deltas fit the keyed view; equals a full compile', () => {
    const c = new Compiler();
    const view = c.keyedView();
    applyDelta(view, c.apply([add(ns('a')), add(pod('a', 'p')), add(pod('a', 'q', { app: 'db' }))]));
    const d1 = c.apply([{ op: 'update', object: pod('a', 'p', { app: 'web', unrelated: 'x' }) }]);
    expect(d1.recomputed).toEqual(['manifests', 'model', 'nb']);
    applyDelta(view, d1);
    const np: K8sObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'a' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
    };
    const d2 = c.apply([add(np)]);
    expect(d2.recomputed).toEqual(['manifests', 'model', 'nb', 'lflow', 'openflow']);
    expect(d2.nb.added.some((r) => r.id.startsWith('ACL:'))).toBe(true);
    expect(d2.lflow.added.length).toBeGreaterThan(0);
    expect(d2.openflow.flows.added.length).toBeGreaterThan(0);
    applyDelta(view, d2);
    const d3 = c.apply([{ op: 'delete', object: np }]);
    expect(d3.nb.removed.map((r) => r.id).sort()).toEqual(d2.nb.added.map((r) => r.id).sort());
    applyDelta(view, d3);
    const full = compileManifests(c.manifests(), { until: 'openflow' });
    for (const k of ['nb', 'lflow', 'openflow'] as const) expect(canonicalJSON(c.snapshot()[k])).toBe(canonicalJSON(full[k]));
    expect(canonicalJSON([...view.ofFlows.keys()].sort())).toBe(canonicalJSON([...c.keyedView().ofFlows.keys()].sort()));
    expect(() => applyDelta(view, d3)).toThrow(/does not hold/);
  });
});

describe('sameJSONValue (how the Compiler tells an unchanged NB row)', () => {
  it('is canonicalJSON equality: key order counts, undefined properties do not', () => {
    const pairs: Array<[unknown, unknown]> = [
      [{ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: 1, x: undefined }, { a: 1 }],
      [{ x: undefined, a: 1 }, { a: 1, y: undefined }],
      [{ a: 1 }, { a: 1, b: null }],
      [[1, undefined], [1, null]],
      [[1, 2], [1, 2, 3]],
      [{ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 2]) }],
      [{ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 3]) }],
      [{ a: 10n }, { a: 10n }],
      [{ a: 10n }, { a: 11n }],
      [{ a: '1' }, { a: 1 }],
      [{}, []],
    ];
    for (const [a, b] of pairs) expect(sameJSONValue(a, b), JSON.stringify([a, b], (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(canonicalJSON(a) === canonicalJSON(b));
    // the case deepEqual allows and the NB interning must not: same entries, other order
    expect(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
  });
});
