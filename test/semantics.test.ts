import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/semantics/evaluate.js';
import type { ClusterModel, Network, Pod, NetworkPolicy, AdminNetworkPolicy, Service } from '../src/model/types.js';
import type { NetworkPolicySpec, AdminNetworkPolicySpec, BaselineAdminNetworkPolicySpec } from '../src/model/k8s.js';
import type { Probe } from '../src/semantics/types.js';

// ---- a tiny hand-built model (the model stage is tested elsewhere) ----
const ref = (kind: string, name: string, namespace?: string) => ({ kind, name, namespace, source: { file: 't.yaml', line: 1, col: 1 } });
function net(id: string, role: Network['role']): Network {
  return {
    id, ovnName: id, prefix: '', role, topology: 'Layer3', subnets: [], joinSubnets: [], excludeSubnets: [], networkId: 0,
    namespaces: [], ovn: true, hostSubnets: {}, owner: ref('UserDefinedNetwork', id),
  };
}
let ipSeq = 10;
function pod(ns: string, name: string, labels: Record<string, string>, o: Partial<Pod> & { net?: string; ports?: Pod['ports'] } = {}): Pod {
  const network = o.net ?? 'default';
  const attachments: Pod['attachments'] = network === 'default'
    ? [{ network: 'default', role: 'primary', interfaceName: 'eth0', ips: [`10.244.0.${ipSeq++}/24`], mac: '', gatewayIPs: [] }]
    : [
      { network: 'default', role: 'infrastructure', interfaceName: 'eth0', ips: [`10.244.0.${ipSeq++}/24`], mac: '', gatewayIPs: [] },
      { network, role: 'primary', interfaceName: 'ovn-udn1', ips: [`10.128.0.${ipSeq++}/24`], mac: '', gatewayIPs: [] },
    ];
  return {
    namespace: ns, name, uid: name, labels, annotations: {}, node: o.node ?? 'n1', hostNetwork: o.hostNetwork ?? false,
    phase: 'Running', ports: o.ports ?? [], attachments: o.attachments ?? attachments,
    workload: ref('Pod', name, ns), ref: ref('Pod', name, ns),
  };
}
function np(ns: string, name: string, spec: Partial<NetworkPolicySpec>): NetworkPolicy {
  const policyTypes = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  return { namespace: ns, name, annotations: {}, ref: ref('NetworkPolicy', name, ns), spec: { podSelector: {}, ...spec, policyTypes } };
}
function anp(name: string, spec: AdminNetworkPolicySpec): AdminNetworkPolicy {
  return { name, spec, annotations: {}, ref: ref('AdminNetworkPolicy', name) };
}
function model(p: {
  pods: Pod[]; nps?: NetworkPolicy[]; anps?: AdminNetworkPolicy[]; banp?: BaselineAdminNetworkPolicySpec;
  nets?: Network[]; nsLabels?: Record<string, Record<string, string>>; services?: Service[];
}): ClusterModel {
  const nsNames = [...new Set(p.pods.map((x) => x.namespace))];
  return {
    config: { clusterNetwork: [], serviceNetwork: [], from: 'defaults', masqueradeSubnet: '', udnMasqueradeSubnet: '', joinSubnet: '' },
    nodes: [
      { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, hostAddresses: ['172.18.0.2'], synthesized: false, ref: ref('Node', 'n1') },
      { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' }, hostAddresses: ['172.18.0.3'], synthesized: false, ref: ref('Node', 'n2') },
    ],
    namespaces: nsNames.map((n) => ({
      name: n, labels: { 'kubernetes.io/metadata.name': n, ...(p.nsLabels?.[n] ?? {}) }, annotations: {},
      primaryNetwork: 'default', ref: ref('Namespace', n),
    })),
    networks: [net('default', 'default'), ...(p.nets ?? [])],
    pods: p.pods, networkPolicies: p.nps ?? [], adminNetworkPolicies: p.anps ?? [],
    baselineAdminNetworkPolicy: p.banp ? { name: 'default', spec: p.banp, annotations: {}, ref: ref('BaselineAdminNetworkPolicy', 'default') } : undefined,
    services: p.services ?? [], notices: [],
  };
}
const probe = (src: string, dst: string, port = 80, protocol: Probe['protocol'] = 'TCP'): Probe => {
  const peer = (s: string): Probe['src'] => s.includes('/') ? { kind: 'pod', namespace: s.split('/')[0]!, name: s.split('/')[1]! } : { kind: 'ip', ip: s };
  return { src: peer(src), dst: peer(dst), protocol, port };
};

describe('evaluate: NetworkPolicy tier', () => {
  const a = pod('x', 'a', { pod: 'a' }, { ports: [{ name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' }, { name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' }] });
  const b = pod('x', 'b', { pod: 'b' });
  const c = pod('y', 'c', { pod: 'c' });
  it('allows everything without policies', () => {
    const m = model({ pods: [a, b, c] });
    const v = evaluate(m, probe('x/b', 'x/a'));
    expect(v.allowed).toBe(true);
    expect(v.reasons.at(-1)?.stage).toBe('default');
  });
  it('default deny ingress isolates, names the policy with file:line', () => {
    const m = model({ pods: [a, b, c], nps: [np('x', 'deny', { podSelector: { matchLabels: { pod: 'a' } } })] });
    const v = evaluate(m, probe('x/b', 'x/a'));
    expect(v.allowed).toBe(false);
    expect(v.egress.allowed).toBe(true);
    expect(v.ingress.allowed).toBe(false);
    expect(v.ingress.reasons[0]?.object?.name).toBe('deny');
    expect(v.ingress.reasons[0]?.object?.source?.line).toBe(1);
    expect(evaluate(m, probe('x/a', 'x/b')).allowed).toBe(true);
  });
  it('podSelector peers are namespace-local; namespaceSelector peers cross namespaces', () => {
    const m = model({
      pods: [a, b, c], nsLabels: { y: { team: 'y' } },
      nps: [np('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
        np('x', 'q', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }] }] })],
    });
    expect(evaluate(m, probe('x/b', 'x/a')).allowed).toBe(true);
    expect(evaluate(m, probe('y/c', 'x/a')).allowed).toBe(false);
    expect(evaluate(m, probe('y/c', 'x/b')).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', 'x/b')).allowed).toBe(false);
  });
  it('egress isolation needs the source egress and the destination ingress', () => {
    const m = model({ pods: [a, b, c], nps: [np('x', 'e', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 81 }] }] })] });
    expect(evaluate(m, probe('x/b', 'x/a', 80)).egress.allowed).toBe(false);
    expect(evaluate(m, probe('x/b', 'x/a', 81)).allowed).toBe(true);
  });
  it('named ports: ovn-kubernetes widens to the protocol, kubernetes resolves on the destination pod', () => {
    const m = model({ pods: [a, b], nps: [np('x', 'n', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 'serve-80-tcp' }] }] })] });
    expect(evaluate(m, probe('x/b', 'x/a', 81)).allowed).toBe(true);
    expect(evaluate(m, probe('x/b', 'x/a', 81), { semantics: 'kubernetes' }).allowed).toBe(false);
    expect(evaluate(m, probe('x/b', 'x/a', 80), { semantics: 'kubernetes' }).allowed).toBe(true);
    expect(evaluate(m, probe('x/b', 'x/a', 80, 'UDP')).allowed).toBe(false);
  });
  it('ovn-kubernetes drops a port-less entry when the same protocol has a numbered one', () => {
    const m = model({ pods: [a, b], nps: [np('x', 'n', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP' }, { protocol: 'TCP', port: 80 }] }] })] });
    expect(evaluate(m, probe('x/b', 'x/a', 81)).allowed).toBe(false);
    expect(evaluate(m, probe('x/b', 'x/a', 81), { semantics: 'kubernetes' }).allowed).toBe(true);
  });
  it('endPort ranges and ipBlock except match pod IPs', () => {
    const ipB = b.attachments[0]!.ips[0]!.split('/')[0]!;
    const m = model({ pods: [a, b], nps: [np('x', 'r', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`${ipB}/32`] } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }],
    })] });
    expect(evaluate(m, probe('x/b', 'x/a', 85)).allowed).toBe(false);
    expect(evaluate(m, probe('10.244.9.9', 'x/a', 85)).allowed).toBe(true);
    expect(evaluate(m, probe('10.244.9.9', 'x/a', 91)).allowed).toBe(false);
    expect(evaluate(m, probe('8.8.8.8', 'x/a', 85)).allowed).toBe(false);
  });
  it('loopback never reaches OVN under ovn-kubernetes; kubernetes semantics evaluates it', () => {
    const m = model({ pods: [a], nps: [np('x', 'deny', { podSelector: {} })] });
    expect(evaluate(m, probe('x/a', 'x/a')).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', 'x/a'), { semantics: 'kubernetes' }).allowed).toBe(false);
  });
});

describe('evaluate: completed pods', () => {
  it('a Succeeded pod has no network endpoint', () => {
    const done = { ...pod('x', 'job', {}), phase: 'Succeeded' as const };
    const live = pod('x', 'live', {});
    const m = model({ pods: [done, live] });
    const v = evaluate(m, probe('x/live', 'x/job'));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]?.message).toMatch(/completed/);
  });
});

describe('evaluate: ANP and BANP tiers', () => {
  const a = pod('x', 'a', { app: 'a' }, { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  const b = pod('y', 'b', { app: 'b' });
  const all = { namespaces: {} };
  it('lowest priority number wins; rule order within a policy', () => {
    const m = model({ pods: [a, b], anps: [
      anp('p10', { priority: 10, subject: all, ingress: [{ action: 'Deny', from: [all] }] }),
      anp('p5', { priority: 5, subject: all, ingress: [{ action: 'Allow', from: [all], ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] }, { action: 'Deny', from: [all] }] }),
    ] });
    const v = evaluate(m, probe('y/b', 'x/a', 80));
    expect(v.allowed).toBe(true);
    expect(v.ingress.reasons[0]?.object?.name).toBe('p5');
    expect(evaluate(m, probe('y/b', 'x/a', 81)).allowed).toBe(false);
  });
  it('Pass skips to NetworkPolicy; a pod isolated by NetworkPolicy never reaches BANP', () => {
    const m = model({
      pods: [a, b],
      anps: [anp('pass', { priority: 1, subject: all, ingress: [{ action: 'Pass', from: [all] }] })],
      nps: [np('x', 'allow-all', { podSelector: {}, ingress: [{}] })],
      banp: { subject: all, ingress: [{ action: 'Deny', from: [all] }] },
    });
    const v = evaluate(m, probe('y/b', 'x/a'));
    expect(v.allowed).toBe(true);
    expect(v.ingress.reasons.map((r) => r.stage)).toEqual(['anp', 'networkpolicy']);
    expect(evaluate(m, probe('x/a', 'y/b')).allowed).toBe(false); // y has no NP → BANP denies
  });
  it('ANP namedPort resolves on the destination pod', () => {
    const m = model({ pods: [a, b], anps: [anp('n', { priority: 1, subject: all, ingress: [{ action: 'Deny', from: [all], ports: [{ namedPort: 'dns' }] }] })] });
    expect(evaluate(m, probe('y/b', 'x/a', 53, 'UDP')).allowed).toBe(false);
    expect(evaluate(m, probe('y/b', 'x/a', 54, 'UDP')).allowed).toBe(true);
    expect(evaluate(m, probe('y/b', 'x/a', 53, 'TCP')).allowed).toBe(true);
  });
  it('egress networks and nodes peers', () => {
    const m = model({ pods: [a, b], anps: [anp('e', { priority: 1, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }, egress: [
      { action: 'Allow', to: [{ nodes: { matchLabels: { 'kubernetes.io/hostname': 'n2' } } }] },
      { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
    ] })] });
    expect(evaluate(m, probe('x/a', '172.18.0.3')).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', '172.18.0.2')).allowed).toBe(false);
    expect(evaluate(m, probe('x/a', '1.1.1.1')).allowed).toBe(false);
    expect(evaluate(m, probe('x/a', 'y/b')).allowed).toBe(false); // networks match pod IPs
    expect(evaluate(m, probe('y/b', '1.1.1.1')).allowed).toBe(true);
  });
  it('ovn-kubernetes ignores ANPs with priority outside 0-99', () => {
    const m = model({ pods: [a, b], anps: [anp('hi', { priority: 500, subject: all, ingress: [{ action: 'Deny', from: [all] }] })] });
    expect(evaluate(m, probe('y/b', 'x/a')).allowed).toBe(true);
    expect(evaluate(m, probe('y/b', 'x/a'), { semantics: 'kubernetes' }).allowed).toBe(false);
  });
});

describe('evaluate: network isolation', () => {
  const green = net('udn:green/net', 'primary');
  const blue = net('udn:blue/net', 'primary');
  const g1 = pod('green', 'g1', { app: 'g' }, { net: green.id });
  const g2 = pod('green', 'g2', { app: 'g' }, { net: green.id });
  const bl = pod('blue', 'b1', { app: 'b' }, { net: blue.id });
  const d = pod('def', 'd', { app: 'd' });
  const all = { namespaces: {} };
  const m = model({
    pods: [g1, g2, bl, d], nets: [green, blue],
    anps: [anp('deny-all', { priority: 1, subject: all, ingress: [{ action: 'Deny', from: [all] }] })],
  });
  it('pods of one UDN connect; ANP does not apply there under ovn-kubernetes', () => {
    const v = evaluate(m, probe('green/g1', 'green/g2'));
    expect(v.allowed).toBe(true);
    expect(v.network).toBe(green.id);
    expect(evaluate(m, probe('green/g1', 'green/g2'), { semantics: 'kubernetes' }).allowed).toBe(false);
  });
  it('different primary networks never connect', () => {
    for (const [s, t] of [['green/g1', 'blue/b1'], ['blue/b1', 'green/g1'], ['def/d', 'green/g1'], ['green/g1', 'def/d']] as const) {
      const v = evaluate(m, probe(s, t));
      expect(v.allowed, `${s}→${t}`).toBe(false);
      expect(v.reasons.some((r) => r.stage === 'isolation')).toBe(true);
    }
  });
  it('a UDN pod IP from the default network is isolated too', () => {
    const ip = g1.attachments[1]!.ips[0]!.split('/')[0]!;
    expect(evaluate(m, probe('def/d', ip)).allowed).toBe(false);
    const infra = g1.attachments[0]!.ips[0]!.split('/')[0]!;
    expect(evaluate(m, probe('def/d', infra)).allowed).toBe(false);
  });
  it('NetworkPolicy applies inside a UDN', () => {
    const m2 = model({ pods: [g1, g2], nets: [green], nps: [np('green', 'deny', { podSelector: {} })] });
    expect(evaluate(m2, probe('green/g1', 'green/g2')).allowed).toBe(false);
  });
});

describe('evaluate: services', () => {
  const a = pod('x', 'a', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] });
  const b = pod('y', 'b', { app: 'client' });
  const svc = (eps: Service['endpoints']): Service => ({
    namespace: 'x', name: 'web', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }],
    externalIPs: [], loadBalancerIPs: [], selector: { app: 'web' }, sessionAffinity: 'None', externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster', publishNotReadyAddresses: false, network: 'default', endpoints: eps, endpointsFrom: 'selector', ref: ref('Service', 'web', 'x'),
  });
  const ep = { ip: a.attachments[0]!.ips[0]!.split('/')[0]!, ports: [{ name: 'http', port: 8080, protocol: 'TCP' as const }], ready: true, serving: true, terminating: false, pod: { namespace: 'x', name: 'a' } };
  it('resolves VIP:port to endpoint pod:targetPort and evaluates policies there', () => {
    const m = model({ pods: [a, b], services: [svc([ep])], nps: [np('x', 'only-8080', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] })] });
    const v = evaluate(m, { src: { kind: 'pod', namespace: 'y', name: 'b' }, dst: { kind: 'service', namespace: 'x', name: 'web' }, protocol: 'TCP', port: 80 });
    expect(v.allowed).toBe(true);
    expect(v.endpoints?.[0]?.port).toBe(8080);
    expect(evaluate(m, probe('y/b', '10.96.0.10', 80)).allowed).toBe(true);
    expect(evaluate(m, probe('y/b', '10.96.0.10', 81)).allowed).toBe(false);
  });
  it('a service without endpoints is denied with a reason', () => {
    const m = model({ pods: [a, b], services: [svc([])] });
    const v = evaluate(m, probe('y/b', '10.96.0.10', 80));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]?.message).toMatch(/no ready endpoints/);
  });
});

describe('evaluate: addresses OVN routers drop (routerDropsMartians)', () => {
  const a = pod('x', 'a', { pod: 'a' });
  const m = model({ pods: [a] });
  it('ovn-k: a pod never reaches 0.0.0.0/8 or 127.0.0.0/8, with the lr_in_ip_input reason', () => {
    for (const ip of ['0.0.0.0', '0.1.2.3', '127.0.0.1']) {
      const v = evaluate(m, probe('x/a', ip));
      expect(v.allowed, ip).toBe(false);
      expect(v.reasons.some((r) => r.stage === 'isolation' && /lr_in_ip_input/.test(r.message)), ip).toBe(true);
    }
    // sources: 255.255.255.255 and multicast are dropped as sources only
    expect(evaluate(m, probe('255.255.255.255', 'x/a')).allowed).toBe(false);
    expect(evaluate(m, probe('224.0.0.1', 'x/a')).allowed).toBe(false);
  });
  it('ordinary outside addresses are unaffected; the kubernetes reading allows 0.0.0.0', () => {
    expect(evaluate(m, probe('x/a', '1.0.0.1')).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', '128.0.0.1')).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', '0.0.0.0'), { semantics: 'kubernetes' }).allowed).toBe(true);
    expect(evaluate(m, probe('x/a', '0.0.0.0'), { choices: { routerDropsMartians: false } }).allowed).toBe(true);
  });
});
