import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Diagnostic, formatDiagnostic, InputError } from '../src/common/errors.js';
import { loadManifests, parseManifestText } from '../src/manifests/index.js';
import type { ManifestObject, ManifestSet } from '../src/manifests/types.js';
import { writeLargeManifest } from './data/manifests/generate.js';

const DATA = fileURLToPath(new URL('./data/manifests/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const d = (f: string): string => join(DATA, f);

async function loadError(inputs: string[], opts = {}): Promise<InputError> {
  try {
    await loadManifests(inputs, opts);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

function errorText(e: InputError): string {
  return e.diagnostics.map(formatDiagnostic).join('\n');
}

/** What a consumer sees, without the lazily built position maps. */
function view(set: ManifestSet): unknown {
  return {
    objects: set.objects.map((o) => ({ object: o.object, source: o.source, defaulted: o.defaulted })),
    notices: set.notices,
  };
}

function find(set: ManifestSet, kind: string, name: string): ManifestObject {
  const o = set.objects.find((x) => x.object.kind === kind && x.object.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
}

describe('loading', () => {
  it('walks directories recursively, picks .yaml/.yml/.json only, sorts by kind/namespace/name', async () => {
    const set = await loadManifests([d('tree')]);
    expect(set.objects.map((o) => `${o.object.kind} ${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`)).toEqual([
      'Namespace /db',
      'Namespace /web',
      'NetworkPolicy db/db-from-web',
      'Pod db/db-1',
      'Pod web/web-1',
    ]);
    expect(set.notices).toEqual([]);
    const web = find(set, 'Pod', 'web-1');
    expect(web.source).toEqual({ file: join(d('tree'), 'apps/web/pods.yml'), line: 1, col: 1 });
    const dbNs = find(set, 'Namespace', 'db');
    expect(dbNs.source).toEqual({ file: join(d('tree'), 'base/namespaces.yaml'), line: 6, col: 1 });
  });

  it('gives identical output for any file order', async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ya?ml|json)$/.test(e)) files.push(p);
      }
    };
    walk(d('tree'));
    files.push(d('defaults.yaml'), d('list.json'), d('podlist.yaml'), d('alias-ok.yaml'));
    const base = view(await loadManifests(files));
    // a fixed set of permutations (seeded shuffle) so a failure is reproducible
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 5; k++) {
      const shuffled = [...files];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(view(await loadManifests(shuffled))).toEqual(base);
    }
    expect(JSON.stringify(view(await loadManifests([...files].reverse())))).toBe(JSON.stringify(base));
  });

  it('reads stdin for "-"', async () => {
    const text = readFileSync(d('tree/base/namespaces.yaml'), 'utf8');
    const set = await loadManifests(['-', d('tree/apps/db.json')], { readStdin: async () => text });
    expect(set.objects.map((o) => o.object.metadata.name)).toEqual(['db', 'web', 'db-1']);
    expect(find(set, 'Namespace', 'web').source).toEqual({ file: '<stdin>', line: 1, col: 1 });
  });

  it('reads JSON, flattens kind: List, and points at each item', async () => {
    const set = await loadManifests([d('list.json')]);
    expect(set.objects.map((o) => o.object.kind)).toEqual(['Namespace', 'Pod']);
    expect(find(set, 'Namespace', 'json-ns').source).toMatchObject({ line: 5, col: 5 });
    const pod = find(set, 'Pod', 'json-pod');
    expect(pod.source).toMatchObject({ line: 6, col: 5 });
    // field positions inside a JSON list item
    expect(pod.positions?.get('spec.containers[0].ports[0].containerPort')).toMatchObject({ line: 10, col: 95 });
  });

  it('flattens typed lists whose items omit kind/apiVersion (PodList)', () => {
    const set = parseManifestText(readFileSync(d('podlist.yaml'), 'utf8'), 'podlist.yaml');
    expect(set.objects.map((o) => [o.object.apiVersion, o.object.kind, o.object.metadata.name, o.source.line, o.source.col])).toEqual([
      ['v1', 'Pod', 'a', 4, 5],
      ['v1', 'Pod', 'b', 11, 5],
    ]);
  });

  it('skips unknown kinds and non-object documents with one notice each', async () => {
    const set = await loadManifests([d('unknown-kinds.yaml')]);
    expect(set.objects.map((o) => o.object.kind)).toEqual(['Namespace']);
    const msgs = set.notices.map((n) => `${n.source?.line} ${n.severity} ${n.message}`);
    expect(msgs).toEqual([
      '1 notice skipped v1 ConfigMap shop/settings: kind not used by udnc',
      '11 notice skipped: document is a sequence, not a Kubernetes object',
      '14 notice skipped networking.k8s.io/v1 Ingress shop/web: kind not used by udnc',
    ]);
  });

  it('reads a file named twice once, and survives directory symlink loops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udnc-loop-'));
    try {
      writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
      mkdirSync(join(dir, 'sub'));
      symlinkSync(dir, join(dir, 'sub', 'loop'));
      const set = await loadManifests([dir, join(dir, 'ns.yaml')]);
      expect(set.objects.map((o) => o.object.metadata.name)).toEqual(['a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing input as an error', async () => {
    const e = await loadError([d('no-such-file.yaml')]);
    expect(errorText(e)).toContain('no-such-file.yaml:1:1: error: cannot read: no such file or directory');
  });

  it('parses an empty input to an empty set', () => {
    expect(parseManifestText('', 'empty.yaml')).toEqual({ objects: [], notices: [] });
    expect(parseManifestText('# only a comment\n---\n', 'c.yaml')).toEqual({ objects: [], notices: [] });
  });
});

describe('bad input', () => {
  it('refuses a truncated file with the position of the problem', async () => {
    const e = await loadError([d('truncated.yaml')]);
    expect(e.diagnostics.length).toBeGreaterThan(0);
    // the unterminated quote on line 14 runs to the end of the file (line 15)
    expect(e.diagnostics[0]!.source).toMatchObject({ file: d('truncated.yaml'), line: 15 });
    expect(e.diagnostics[0]!.message).toMatch(/YAML syntax: Missing closing "quote/);
  });

  it('refuses a document cut off after a complete line (missing required fields)', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: half\n';
    expect(() => parseManifestText(text, 'half.yaml')).toThrowError(/half\.yaml:1:1: error: spec: Pod default\/half: Required value/);
  });

  it('reports every wrong type at once, with file:line:col and field path', async () => {
    const e = await loadError([d('wrong-types.yaml')]);
    const got = e.diagnostics.map((x) => `${x.source?.line}:${x.source?.col} ${x.path} ${x.message}`);
    expect(got).toEqual([
      '9:12 spec.podSelector.matchLabels.app NetworkPolicy shop/wrong-types: must be of type string',
      '12:17 spec.ingress[0].ports[0].port NetworkPolicy shop/wrong-types: invalid value [80]: must be a port number 1-65535 or a port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and "-", at least one letter)',
      '21:13 spec.replicas Deployment shop/web: must be of type integer',
    ]);
  });

  it('rejects unknown enum values and out-of-range numbers in an ANP', async () => {
    const e = await loadError([d('anp-bad-action.yaml')]);
    const got = e.diagnostics.map((x) => `${x.source?.line} ${x.path}: ${x.message}`);
    expect(got).toContain('6 spec.priority: AdminNetworkPolicy maybe: must be <= 1000');
    expect(got).toContain('11 spec.ingress[0].action: AdminNetworkPolicy maybe: Unsupported value: "Maybe"; supported values: "Allow", "Deny", "Pass"');
  });

  it('applies the UDN CEL rules (topology/section match, dual-stack families)', async () => {
    const e = await loadError([d('udn-bad-topology.yaml')]);
    const got = e.diagnostics.map((x) => `${x.source?.line} ${x.path}: ${x.message}`);
    expect(got).toEqual([
      '7 spec: UserDefinedNetwork blue/tenant: spec.layer2 is required when topology is Layer2 and forbidden otherwise',
      '7 spec: UserDefinedNetwork blue/tenant: spec.layer3 is required when topology is Layer3 and forbidden otherwise',
      '21 spec.layer2.subnets: UserDefinedNetwork blue/dual: When 2 CIDRs are set, they must be from different IP families',
    ]);
  });

  it('reports duplicate objects with both locations', async () => {
    const e = await loadError([d('dup-b.yaml'), d('dup-a.yaml')]);
    expect(e.diagnostics).toHaveLength(1);
    expect(errorText(e)).toBe(`${d('dup-b.yaml')}:2:1: error: duplicate NetworkPolicy shop/deny-all: also defined at ${d('dup-a.yaml')}:1:1`);
  });

  it('refuses a YAML alias bomb quickly', async () => {
    const t0 = performance.now();
    const e = await loadError([d('alias-bomb.yaml')]);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(errorText(e)).toMatch(/alias-bomb\.yaml:1:1: error: refused: .*alias.*billion laughs/i);
  });

  it('rejects wrong apiVersions, missing names, missing kinds', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old, namespace: a}\nspec: {podSelector: {}}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}',
      'apiVersion: v1\nmetadata: {name: what}',
    ].join('\n---\n');
    let err: unknown;
    try {
      parseManifestText(text, 'm.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).diagnostics.map(formatDiagnostic)).toEqual([
      'm.yaml:1:13: error: apiVersion: apiVersion "networking.k8s.io/v1beta1" is not served for kind NetworkPolicy (udnc reads networking.k8s.io/v1)',
      'm.yaml:8:11: error: metadata: Namespace: missing metadata.name',
      "m.yaml:10:1: error: missing 'kind': not a Kubernetes object",
    ]);
  });

  it('applies the cross-field checks the apiserver makes', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: a}
spec:
  podSelector: {}
  egress:
    - to:
        - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
          podSelector: {}
      ports:
        - {port: http, endPort: 90}
        - {port: 100, endPort: 90}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: a}
spec:
  ports:
    - {port: 80}
    - {port: 443}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: dep, namespace: a}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: y}}
    spec: {containers: [{name: c, image: i}]}
`;
    let err: InputError | undefined;
    try {
      parseManifestText(text, 'x.yaml');
    } catch (e) {
      err = e as InputError;
    }
    expect(err?.diagnostics.map((x) => `${x.path}: ${x.message.replace(/^\S+ \S+: /, '')}`)).toEqual([
      'spec.egress[0].to[0]: may not specify both ipBlock and another peer',
      'spec.egress[0].to[0].ipBlock.except[0]: must be a strict subset of `cidr` (10.0.0.0/16)',
      'spec.egress[0].ports[0].endPort: may not be specified when port is not a number',
      'spec.egress[0].ports[1].endPort: must be greater than or equal to port (100)',
      'spec.ports[0].name: Required value (when a Service has more than one port, every port needs a name)',
      'spec.ports[1].name: Required value (when a Service has more than one port, every port needs a name)',
      'spec.template.metadata.labels: `selector` does not match template `labels`',
    ]);
  });

  it('validates the hand-written core schemas (names, labels, KubeVirt, OpenShift Network, NAD, EndpointSlice)', () => {
    const text = readFileSync(d('core-invalid.yaml'), 'utf8');
    let err: InputError | undefined;
    try {
      parseManifestText(text, 'core-invalid.yaml');
    } catch (e) {
      err = e as InputError;
    }
    const got = (err?.diagnostics ?? []).map((x) => `${x.source?.line}:${x.source?.col} ${x.path}: ${x.message.replace(/^\S+ \S+: /, '')}`);
    const want = [
      '4:9 metadata.name: invalid value "Bad_Name": must be a lowercase RFC 1123 label',
      '6:17 metadata.labels["bad key!"]: invalid key "bad key!": must be a qualified name',
      '7:9 metadata.labels.ok: invalid value "not ok value!": must be empty or at most 63',
      '8:14 metadata.labels.version: must be of type string',
      '14:16 spec.runStrategy: Unsupported value: "Sometimes"; supported values: "Always",',
      '19:11 spec.template.spec.networks[0]: must NOT have fewer than 2 properties',
      '25:27 spec.clusterNetwork[0].cidr: must be a valid CIDR, got "10.128.0.0/33"',
      '32:11 spec.config: must be valid JSON (CNI configuration)',
      '38:26 endpoints[0].addresses[0]: must be a valid IPv6 address, got "10.0.0.1"',
    ];
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => expect(got[i]!.startsWith(w), `${got[i]} should start with ${w}`).toBe(true));
  });

  it('rejects unknown fields in fully described types (typos)', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec:\n  podSelectr: {}\n';
    expect(() => parseManifestText(text, 't.yaml')).toThrowError(/t\.yaml:5:15: error: spec\.podSelectr: .*unknown field/);
  });
});

describe('lenient mode (conformance runner)', () => {
  it('keeps decodable objects with warnings, skips undecodable ones', async () => {
    const set = await loadManifests([d('anp-bad-action.yaml'), d('wrong-types.yaml'), d('truncated.yaml'), d('dup-a.yaml'), d('dup-b.yaml')], { lenient: true });
    expect(set.objects.map((o) => `${o.object.kind} ${o.object.metadata.name}`)).toEqual([
      'AdminNetworkPolicy maybe', // enum/range problems: kept
      'Namespace shop', // first document of the truncated file parsed fine
      'NetworkPolicy deny-all', // duplicate: first kept
    ]);
    expect(find(set, 'NetworkPolicy', 'deny-all').source.file).toBe(d('dup-a.yaml'));
    const warnings = set.notices.filter((n: Diagnostic) => n.severity === 'warning');
    expect(warnings.length).toBeGreaterThanOrEqual(6);
    expect(warnings.some((w) => w.message.includes('"Maybe"') && w.message.includes('kept: lenient'))).toBe(true);
    expect(warnings.some((w) => w.message.startsWith('skipped: duplicate NetworkPolicy shop/deny-all'))).toBe(true);
  });

  it('reads a known kind under a wrong apiVersion as the served one', () => {
    const text = 'apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n';
    expect(() => parseManifestText(text, 'p.yaml')).toThrowError(InputError);
    const set = parseManifestText(text, 'p.yaml', { lenient: true });
    expect(set.objects[0]!.object.apiVersion).toBe('v1');
    expect(set.notices[0]).toMatchObject({ severity: 'warning', path: 'apiVersion' });
  });
});

describe('apiserver defaulting', () => {
  it('fills in and records what the apiserver would', async () => {
    const set = await loadManifests([d('defaults.yaml')]);
    const ns = find(set, 'Namespace', 'shop');
    expect(ns.object.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'shop' });
    expect(ns.defaulted).toEqual(['metadata.labels["kubernetes.io/metadata.name"]']);

    const np = find(set, 'NetworkPolicy', 'egress-too');
    expect(np.object.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.object.spec.ingress[0].ports[0]).toEqual({ port: 80, protocol: 'TCP' });
    const np2 = find(set, 'NetworkPolicy', 'ingress-only');
    expect(np2.object.metadata.namespace).toBe('default');
    expect(np2.object.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(np2.defaulted).toEqual(['metadata.namespace', 'spec.podSelector', 'spec.policyTypes']);

    const svc = find(set, 'Service', 'web');
    expect(svc.object.spec.ports).toEqual([
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
    ]);
    expect(svc.object.spec).toMatchObject({
      type: 'LoadBalancer',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
    });
    expect(svc.defaulted).toContain('spec.ports[0].targetPort');
    expect(svc.defaulted).not.toContain('spec.ports[1].targetPort');

    const dep = find(set, 'Deployment', 'web');
    expect(dep.object.spec.replicas).toBe(1);
    expect(dep.object.spec.template.spec.containers[0].ports[0].protocol).toBe('TCP');
    expect(dep.defaulted).toEqual(['spec.replicas', 'spec.template.spec.containers[0].ports[0].protocol']);

    expect(find(set, 'EndpointSlice', 'web-abc').object.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);

    const cudn = find(set, 'ClusterUserDefinedNetwork', 'tenants');
    expect(cudn.object.metadata.namespace).toBeUndefined();
    // CRD schema defaults (ipam.lifecycle etc.) are applied generically; whatever they are,
    // each recorded path must exist in the object.
    for (const p of cudn.defaulted ?? []) expect(p.startsWith('spec.')).toBe(true);

    const banp = find(set, 'BaselineAdminNetworkPolicy', 'default');
    expect(banp.object.spec.ingress[0].ports[0].portNumber).toEqual({ port: 22, protocol: 'TCP' });
    expect(banp.defaulted).toEqual(['spec.ingress[0].ports[0].portNumber.protocol']);
  });

  it('drops metadata.namespace from cluster-scoped objects', () => {
    const set = parseManifestText('apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n', 'n.yaml');
    expect(set.objects[0]!.object.metadata).toEqual({ name: 'a', labels: { 'kubernetes.io/metadata.name': 'a' } });
  });
});

describe('the repository fixtures', () => {
  for (const dir of readdirSync(FIXTURES).filter((e) => statSync(join(FIXTURES, e)).isDirectory()).sort()) {
    it(`${dir} loads strictly with no warnings`, async () => {
      const set = await loadManifests([join(FIXTURES, dir)]);
      expect(set.objects.length).toBeGreaterThan(0);
      expect(set.notices.filter((n) => n.severity !== 'notice')).toEqual([]);
    });
  }
});

describe('a generated 50 MB input', () => {
  it('loads, and within budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udnc-manifests-'));
    try {
      const file = join(dir, 'big.yaml');
      const apps = await writeLargeManifest(file, 50 * 1024 * 1024);
      expect(statSync(file).size).toBeGreaterThanOrEqual(50 * 1024 * 1024);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const set = await loadManifests([file]);
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      console.log(`50 MB: ${set.objects.length} objects, wall ${Math.round(performance.now() - t0)} ms, cpu ${Math.round(cpuMs)} ms`);
      expect(set.objects.length).toBe(apps * 3);
      expect(set.notices).toEqual([]);
      // CPU time, not wall time: this machine's two cores are shared with other jobs.
      expect(cpuMs).toBeLessThan(20_000);
      // a field position deep inside the stream is still exact
      const last = set.objects.find((o) => o.object.kind === 'Service' && o.object.metadata.name === `app-${apps - 1}`)!;
      const lines = readFileSync(file, 'utf8').split('\n');
      const pos = last.positions!.get('spec.ports[1].port')!;
      expect(lines[pos.line - 1]!.slice(pos.col - 1)).toBe('9090');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
