/**
 * The package entry (src/index.ts): every documented export, exercised on one small cluster
 * (the built dist/ is checked by hand after `npx tsup`, see docs/api.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as udnc from '../src/index.js';
import type { CompiledThrough, Probe } from '../src/index.js';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: a, labels: { team: x } }
---
apiVersion: v1
kind: Namespace
metadata: { name: b }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: a, labels: { app: web } }
spec: { containers: [{ name: c, image: nginx, ports: [{ containerPort: 80 }] }] }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: b, labels: { app: client } }
spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-same-ns, namespace: a }
spec:
  podSelector: {}
  ingress: [{ from: [{ podSelector: {} }] }]
`;

const probe = (from: string, to: string, port = 80): Probe => {
  const [sn, s] = from.split('/') as [string, string];
  const [dn, d] = to.split('/') as [string, string];
  return { src: { kind: 'pod', namespace: sn, name: s }, dst: { kind: 'pod', namespace: dn, name: d }, protocol: 'TCP', port };
};

let r: CompiledThrough<'openflow'>;
beforeAll(async () => {
  r = await udnc.compile([{ file: 'cluster.yaml', text: MANIFESTS }]);
});

describe('package entry', () => {
  it('compile returns every stage by default, and stops at `until`', async () => {
    expect(udnc.STAGES).toEqual(['manifests', 'model', 'nb', 'lflow', 'openflow']);
    expect(r.manifests.objects.map((o) => o.object.kind)).toEqual(['Namespace', 'Namespace', 'NetworkPolicy', 'Pod', 'Pod']);
    expect(r.model.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['a/web', 'b/client']);
    expect(r.nb.logicalSwitchPorts.some((p) => p.name === 'a_web')).toBe(true);
    expect(r.lflow.flows.length).toBeGreaterThan(100);
    expect(r.openflow.flows.length).toBeGreaterThan(100);
    const nbOnly = await udnc.compile([{ file: 'cluster.yaml', text: MANIFESTS }], { until: 'nb' });
    expect(nbOnly.nb.acls).toEqual(r.nb.acls);
    expect((nbOnly as udnc.CompileResult).lflow).toBeUndefined();
    const set = udnc.parseManifestText(MANIFESTS, 'cluster.yaml');
    expect(udnc.compileManifests(set, { until: 'lflow' }).lflow.flows).toEqual(r.lflow.flows);
  });

  it('stage entry functions compose to the same result', () => {
    const model = udnc.buildModel(r.manifests);
    const nb = udnc.lowerToNorthbound(model);
    expect(nb).toEqual(r.nb);
    const lf = udnc.computeLogicalFlows(nb);
    expect(lf.flows).toEqual(r.lflow.flows);
    const of = udnc.compileOpenFlow(lf, { nb });
    expect(of.flows.length).toBe(r.openflow.flows.length);
    expect(udnc.rowId('ACL', 'x')).toBe('ACL:x');
    expect(udnc.NB_TABLES).toContain('Logical_Switch');
    expect(udnc.TABLE_FIELDS.ACL).toBe('acls');
    expect(udnc.KNOWN_KINDS).toContain('UserDefinedNetwork');
    expect(udnc.BUILTIN_NAMESPACES).toContain('default');
    expect(udnc.matchesSelector({ matchLabels: { app: 'web' } }, { app: 'web' })).toBe(true);
  });

  it('formatters', () => {
    expect(udnc.formatNbctl(r.nb)).toContain('ovn-nbctl');
    expect(udnc.formatTransact(r.nb)).toContain('"OVN_Northbound"');
    expect(udnc.formatListing(r.nb)).toContain('a_web');
    expect(udnc.formatLflowList(r.lflow)).toMatch(/Datapath: /);
    expect(udnc.formatLflowLine(r.lflow.flows[0]!)).toMatch(/table=/);
    expect(udnc.formatAddFlows(r.openflow)).toMatch(/table=\d+/);
    expect(typeof udnc.formatGroups(r.openflow)).toBe('string');
    expect(udnc.formatPortMap(r.openflow)).toContain('a_web');
    expect(udnc.formatDumpLine(r.openflow.flows[0]!)).toMatch(/priority=/);
    expect(udnc.formatFlowLine(r.openflow.flows[0]!)).toMatch(/priority=/);
    expect(udnc.formatOfActions(r.openflow.flows[0]!.actions)).toBeTypeOf('string');
    expect(udnc.formatOfMatch(r.openflow.flows[0]!.match)).toBeTypeOf('string');
    expect(udnc.formatSource({ file: 'f', line: 2, col: 3 })).toBe('f:2:3');
    expect(udnc.formatObjectRef({ kind: 'Pod', namespace: 'a', name: 'web' })).toBe('Pod a/web');
    expect(udnc.formatDiagnostic({ severity: 'error', message: 'm' })).toBe('error: m');
  });

  it('semantics: evaluate, buildMatrix, verify', () => {
    expect(udnc.evaluate(r.model, probe('b/client', 'a/web')).allowed).toBe(false);
    expect(udnc.evaluate(r.model, probe('a/web', 'b/client')).allowed).toBe(true);
    const m = udnc.buildMatrix(r.model);
    expect(udnc.formatMatrix(m, 'txt')).toContain('a/web');
    const rep = udnc.verify(r, '- {from: b/client, to: a/web, port: 80, allowed: false}\n- {from: a/web, to: b/client, port: 80, allowed: true}\n');
    expect(rep.results).toHaveLength(2);
    expect(rep.failed).toHaveLength(0);
    const rep2 = udnc.verify(r.model, udnc.parseExpectations('- {from: b/client, to: a/web, port: 80, allowed: true}\n', 'e.yaml'));
    expect(rep2.failed).toHaveLength(1);
    expect(udnc.verifyExpectations).toBeTypeOf('function');
    expect(udnc.SEMANTICS_PRESETS['ovn-kubernetes']).toBeDefined();
    expect(udnc.reasonText).toBeTypeOf('function');
  });

  it('trace: through the compiled OpenFlow, agreeing with the oracle', () => {
    const denied = udnc.trace(r, probe('b/client', 'a/web'));
    expect(denied.classifiable).toBe(true);
    expect(denied.allowed).toBe(false);
    const ok = udnc.trace(r, probe('a/web', 'b/client'));
    expect(ok.allowed).toBe(true);
    expect(udnc.formatProbeTrace(ok)).toMatch(/table/);
    expect(udnc.classifyProbe(r, probe('a/web', 'b/client')).allowed).toBe(true);
    expect(udnc.Classifier).toBeTypeOf('function');
    expect(() => udnc.trace(r.manifests as unknown as udnc.CompileResult, probe('a/web', 'b/client'))).toThrow(TypeError);
  });

  it('expr and action compilers', () => {
    expect(udnc.exprToFlows('ip4.src == 10.0.0.1 && tcp.dst == 80', udnc.TEST_OVN_ENV)).toEqual([
      'tcp,nw_src=10.0.0.1,tp_dst=80',
    ]);
    expect(udnc.exprToFlows('ip4.src == $set1', udnc.TEST_OVN_ENV)).toHaveLength(3);
    expect(() => udnc.exprToFlowsStrict('ip4.src == ', udnc.TEST_OVN_ENV)).toThrow(udnc.ExprError);
    expect(udnc.formatExpr(udnc.parseExpr('ip4 && tcp'))).toBe('ip4 && tcp');
    expect(udnc.exprToMatchObjects('tcp.dst == 80', udnc.TEST_OVN_ENV).matches).toHaveLength(2) // ip and ipv6;
    const enc = udnc.encodeActions('next;', udnc.testOvnContext());
    expect(enc.ofpacts).toBe('resubmit(,19)');
    const ctx = udnc.controllerContext({ pipeline: 'ingress', table: 0, isSwitch: true, ports: {}, lflowUuid: '00000000-0000-0000-0000-000000000001', dpKey: 1 });
    expect(udnc.encodeActions('drop;', ctx).ofpacts).toBe('drop');
    expect(udnc.formatActions(udnc.parseActions('next;', ctx).actions)).toBe('next;');
    expect(() => udnc.encodeActions('bogus;', ctx)).toThrow(udnc.ActionError);
    expect(new udnc.ExtendTable()).toBeDefined();
    expect(udnc.OFTABLES_25_03).toBeDefined();
  });

  it('InputError carries every diagnostic', async () => {
    const bad = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: nowhere }\nspec: { containers: [{ name: c, image: i }] }\n';
    const e = await udnc.compile([{ file: 'bad.yaml', text: bad }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(udnc.InputError);
    expect((e as udnc.InputError).diagnostics[0]!.message).toMatch(/nowhere/);
    expect(udnc.EXIT.BAD_INPUT).toBe(2);
    expect(udnc.loadManifests).toBeTypeOf('function');
    expect(udnc.compareObjects).toBeTypeOf('function');
  });

  it('incremental Compiler, keyed views and deltas', () => {
    const c = new udnc.Compiler();
    const view = c.keyedView();
    const d = c.apply(r.manifests.objects.map((mo) => ({ op: 'add' as const, object: structuredClone(mo.object), source: mo.source })));
    udnc.applyDelta(view, d);
    expect(view.nb.size).toBe(udnc.nbRows(r.nb).size);
    expect(udnc.canonicalJSON(c.snapshot().openflow)).toBe(udnc.canonicalJSON(r.openflow));
    expect(udnc.objectKey({ kind: 'Pod', metadata: { name: 'web', namespace: 'a' } })).toBe('Pod a/web');
    expect(udnc.keyed([1, 1], String)).toEqual(new Map([['1', 1], ['1#2', 1]]));
    expect(udnc.diffKeyed(new Map([['x', 1]]), new Map([['x', 2]])).changed).toEqual([{ key: 'x', before: 1, after: 2 }]);
    expect(udnc.lflowIdentity(r.lflow.flows[0]!)).toContain('|');
    expect(udnc.ofFlowIdentity(r.openflow.flows[0]!)).toContain('|');
    expect(udnc.keyedView(r).ofGroups.size).toBe(r.openflow.groups.length);
    expect(udnc.ofGroupIdentity).toBeTypeOf('function');
  });
});
