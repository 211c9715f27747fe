import { describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { loadManifests } from '../src/manifests/index.js';
import { buildModel, type ModelOptions } from '../src/model/index.js';
import type { ClusterModel, Pod } from '../src/model/types.js';
import type { ManifestSet } from '../src/manifests/types.js';
import { set } from './data/model/load.js';

const fixture = (name: string) => loadManifests([`fixtures/${name}`]);

function build(s: ManifestSet, opts?: ModelOptions): ClusterModel {
  return buildModel(s, opts);
}

function errorsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.map((d) => `${d.source ? `${d.source.file}:${d.source.line}: ` : ''}${d.message}`);
    throw e;
  }
  throw new Error('expected an InputError');
}

const pod = (m: ClusterModel, ns: string, name: string): Pod => {
  const p = m.pods.find((x) => x.namespace === ns && x.name === name);
  if (!p) throw new Error(`no pod ${ns}/${name} in ${m.pods.map((x) => `${x.namespace}/${x.name}`).join(' ')}`);
  return p;
};
const ips = (p: Pod, role = 'primary') => p.attachments.find((a) => a.role === role)?.ips;

const ns = (name: string, labels = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labels ? `  labels: ${labels}\n` : ''}---\n`;
const podY = (nsName: string, name: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${nsName}${extra ? `, ${extra}` : ''}}\nspec: {containers: [{name: c, image: x}]}\n---\n`;
const node = (name: string, extra = '') => `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}${extra ? `, ${extra}` : ''}}\n---\n`;
const PRIMARY = '{k8s.ovn.org/primary-user-defined-network: ""}';
const l2udn = (nsName: string, name: string, subnets: string, role = 'Primary') => `apiVersion: k8s.ovn.org/v1
kind: UserDefinedNetwork
metadata: {name: ${name}, namespace: ${nsName}}
spec: {topology: Layer2, layer2: {role: ${role}, subnets: ${subnets}}}
---
`;

describe('IPAM', () => {
  it('reserves .1 (gateway) and .2 (management) in a node subnet and derives the MAC from the IP', () => {
    const m = build(set(ns('a') + podY('a', 'p1') + podY('a', 'p2')));
    expect(m.networks[0]!.hostSubnets).toEqual({ 'ovn-worker': ['10.244.0.0/24'] });
    const p1 = pod(m, 'a', 'p1');
    expect(p1.attachments).toEqual([{
      network: 'default', role: 'primary', interfaceName: 'eth0', ips: ['10.244.0.3/24'],
      mac: '0a:58:0a:f4:00:03', gatewayIPs: ['10.244.0.1'],
    }]);
    expect(ips(pod(m, 'a', 'p2'))).toEqual(['10.244.0.4/24']);
  });

  it('gives every node its own host subnet, in node-name order', () => {
    const m = build(set(node('worker-b') + node('worker-a') + node('control') + ns('a')
      + podY('a', 'x', 'labels: {}') .replace('spec: {', 'spec: {nodeName: worker-b, ')
      + podY('a', 'y').replace('spec: {', 'spec: {nodeName: worker-a, ')));
    expect(m.nodes.map((n) => n.name)).toEqual(['control', 'worker-a', 'worker-b']);
    expect(m.networks[0]!.hostSubnets).toEqual({
      control: ['10.244.0.0/24'], 'worker-a': ['10.244.1.0/24'], 'worker-b': ['10.244.2.0/24'],
    });
    expect(ips(pod(m, 'a', 'x'))).toEqual(['10.244.2.3/24']);
    expect(ips(pod(m, 'a', 'y'))).toEqual(['10.244.1.3/24']);
    // nodes without InternalIP get kind-like addresses in name order
    expect(m.nodes.map((n) => n.hostAddresses[0])).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
  });

  it('uses InternalIP as the node host address', () => {
    const m = build(set(`apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: Hostname, address: n1}, {type: InternalIP, address: 10.0.0.7}]}
`));
    expect(m.nodes[0]!.hostAddresses).toEqual(['10.0.0.7']);
    expect(m.nodes[0]!.synthesized).toBe(false);
  });

  it('allocates a Layer2 network from one range across nodes', () => {
    const m = build(set(node('n1') + node('n2') + ns('blue', PRIMARY) + l2udn('blue', 'net', '[10.10.0.0/16]')
      + podY('blue', 'a').replace('spec: {', 'spec: {nodeName: n1, ')
      + podY('blue', 'b').replace('spec: {', 'spec: {nodeName: n2, ')));
    const net = m.networks.find((n) => n.id === 'udn:blue/net')!;
    expect(net.hostSubnets).toEqual({});
    expect(ips(pod(m, 'blue', 'a'))).toEqual(['10.10.0.3/16']);
    expect(ips(pod(m, 'blue', 'b'))).toEqual(['10.10.0.4/16']);
    expect(pod(m, 'blue', 'b').attachments.find((a) => a.role === 'primary')!.gatewayIPs).toEqual(['10.10.0.1']);
  });

  it('starts a Layer2 secondary network at .1 (no gateway or management port)', () => {
    const m = build(set(ns('s') + `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: l2, namespace: s}
spec: {config: '{"cniVersion":"0.4.0","name":"l2","type":"ovn-k8s-cni-overlay","topology":"layer2","subnets":"10.100.0.0/24","netAttachDefName":"s/l2"}'}
---
` + podY('s', 'p', "annotations: {k8s.v1.cni.cncf.io/networks: l2}")));
    const a = pod(m, 's', 'p').attachments.find((x) => x.role === 'secondary')!;
    expect(a).toMatchObject({ network: 'nad:s/l2', interfaceName: 'net1', ips: ['10.100.0.1/24'], gatewayIPs: [], nad: 's/l2' });
  });

  it('gives Layer3 UDNs per-node host subnets of the requested size', () => {
    const m = build(set(node('n1') + node('n2') + ns('g', PRIMARY) + `apiVersion: k8s.ovn.org/v1
kind: UserDefinedNetwork
metadata: {name: l3, namespace: g}
spec: {topology: Layer3, layer3: {role: Primary, subnets: [{cidr: 103.103.0.0/16, hostSubnet: 24}]}}
---
` + podY('g', 'p').replace('spec: {', 'spec: {nodeName: n2, ')));
    const net = m.networks.find((n) => n.id === 'udn:g/l3')!;
    expect(net.hostSubnets).toEqual({ n1: ['103.103.0.0/24'], n2: ['103.103.1.0/24'] });
    expect(ips(pod(m, 'g', 'p'))).toEqual(['103.103.1.3/24']);
  });

  it('honours status IPs before allocating, whatever the order', () => {
    const m = build(set(ns('a') + podY('a', 'a-first') + `apiVersion: v1
kind: Pod
metadata: {name: b-given, namespace: a}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, podIP: 10.244.0.3, podIPs: [{ip: 10.244.0.3}]}
`));
    expect(ips(pod(m, 'a', 'b-given'))).toEqual(['10.244.0.3/24']);
    expect(ips(pod(m, 'a', 'a-first'))).toEqual(['10.244.0.4/24']);
  });

  it('honours the k8s.ovn.org/pod-networks annotation on a UDN', () => {
    const ann = JSON.stringify({ 'blue/net': { ip_addresses: ['10.10.0.77/16'], mac_address: '0a:58:0a:0a:00:4d' } });
    const m = build(set(ns('blue', PRIMARY) + l2udn('blue', 'net', '[10.10.0.0/16]')
      + podY('blue', 'p', `annotations: {k8s.ovn.org/pod-networks: '${ann}'}`)));
    const a = pod(m, 'blue', 'p').attachments[0]!;
    expect(a).toMatchObject({ role: 'primary', ips: ['10.10.0.77/16'], mac: '0a:58:0a:0a:00:4d', interfaceName: 'ovn-udn1', nad: 'blue/net' });
  });

  it('rejects two pods holding the same IP, and reallocates on request', () => {
    const text = ns('a') + ['p', 'q'].map((n) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}, namespace: a}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.0.9}
---
`).join('');
    expect(errorsOf(() => build(set(text)))).toEqual([expect.stringContaining('IP 10.244.0.9 on network default (status.podIPs) is already used by pod a/p')]);
    const m = build(set(text), { reallocateConflictingIPs: true });
    expect(ips(pod(m, 'a', 'q'))).toEqual(['10.244.0.3/24']);
  });

  it('rejects a status IP on the gateway address', () => {
    const text = ns('a') + 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.244.0.1}\n';
    expect(errorsOf(() => build(set(text)))[0]).toContain('gateway or management port');
  });

  it('is dual-stack when a network has two subnets; IPv6-only MACs hash the address', () => {
    const m = build(set(ns('d', PRIMARY) + l2udn('d', 'net', '[10.20.0.0/16, "fd00:20::/64"]') + podY('d', 'p')));
    const a = pod(m, 'd', 'p').attachments[0]!;
    expect(a.ips).toEqual(['10.20.0.3/16', 'fd00:20::3/64']);
    expect(a.mac).toBe('0a:58:0a:14:00:03');
    expect(a.gatewayIPs).toEqual(['10.20.0.1', 'fd00:20::1']);
    const m6 = build(set(ns('d', PRIMARY) + l2udn('d', 'net', '["fd00:20::/64"]') + podY('d', 'p')));
    const mac6 = pod(m6, 'd', 'p').attachments[0]!.mac;
    expect(mac6).toMatch(/^0a:58:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(mac6).not.toBe('0a:58:00:00:00:03');
  });

  it('gives primary-UDN pods an infrastructure eth0 on the default network', () => {
    const m = build(set(ns('blue', PRIMARY) + l2udn('blue', 'net', '[10.10.0.0/16]') + podY('blue', 'p')));
    expect(pod(m, 'blue', 'p').attachments.map((a) => [a.role, a.network, a.interfaceName, a.ips[0]])).toEqual([
      ['primary', 'udn:blue/net', 'ovn-udn1', '10.10.0.3/16'],
      ['infrastructure', 'default', 'eth0', '10.244.0.3/24'],
    ]);
  });

  it('leaves hostNetwork and completed pods without attachments', () => {
    const m = build(set(ns('a') + `apiVersion: v1
kind: Pod
metadata: {name: h, namespace: a}
spec: {hostNetwork: true, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: done, namespace: a}
spec: {nodeName: ovn-worker, containers: [{name: c, image: x}]}
status: {phase: Succeeded, podIP: 10.244.0.3}
---
` + podY('a', 'z')));
    expect(pod(m, 'a', 'h')).toMatchObject({ hostNetwork: true, attachments: [], node: 'ovn-worker' });
    expect(pod(m, 'a', 'done')).toMatchObject({ phase: 'Succeeded', attachments: [] });
    expect(ips(pod(m, 'a', 'z'))).toEqual(['10.244.0.3/24']); // a completed pod's IP is free again
  });
});

describe('seed fixtures', () => {
  it('01: green namespace on a primary Layer2 UDN with a webserver and two VMs', async () => {
    const m = build(await fixture('01-namespace-isolation'));
    expect(m.networks.map((n) => [n.id, n.ovnName, n.prefix, n.role, n.topology, n.networkId])).toEqual([
      ['default', 'default', '', 'default', 'Layer3', 0],
      ['udn:green/namespace-scoped', 'green_namespace-scoped', 'green_namespace.scoped_', 'primary', 'Layer2', 1],
    ]);
    const udn = m.networks[1]!;
    expect(udn).toMatchObject({ subnets: [{ cidr: '192.168.0.0/16' }], joinSubnets: ['100.65.0.0/16'], transitSubnets: ['100.88.0.0/16'], namespaces: ['green'], nads: ['green/namespace-scoped'] });
    expect(m.namespaces.map((n) => [n.name, n.primaryNetwork])).toEqual([['default-client', 'default'], ['green', 'udn:green/namespace-scoped']]);
    const green = m.pods.filter((p) => p.namespace === 'green');
    expect(green).toHaveLength(3);
    const vms = green.filter((p) => p.workload.kind === 'VirtualMachine');
    expect(vms.map((p) => p.workload.name)).toEqual(['vm-a', 'vm-b']);
    for (const vm of vms) {
      expect(vm.name).toMatch(new RegExp(`^virt-launcher-${vm.workload.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(vm.labels).toMatchObject({ 'kubevirt.io': 'virt-launcher', 'kubevirt.io/domain': vm.workload.name, 'vm.kubevirt.io/name': vm.workload.name });
    }
    for (const p of green) {
      expect(p.attachments[0]!.network).toBe('udn:green/namespace-scoped');
      expect(p.attachments[0]!.ips[0]).toMatch(/^192\.168\.0\.\d+\/16$/);
    }
    expect(m.nodes.map((n) => [n.name, n.synthesized])).toEqual([['ovn-worker', true]]);
    expect(m.config.from).toBe('defaults');
  });

  it('03: two CUDNs, happy and sad, each serving two namespaces', async () => {
    const m = build(await fixture('03-cudn-interconnected-namespaces'));
    const happy = m.networks.find((n) => n.id === 'cudn:happy-tenant')!;
    const sad = m.networks.find((n) => n.id === 'cudn:sad-tenant')!;
    expect([happy.ovnName, happy.prefix, happy.networkId, happy.namespaces]).toEqual(['cluster_udn_happy-tenant', 'cluster_udn_happy.tenant_', 1, ['blue-namespace', 'red-namespace']]);
    expect([sad.ovnName, sad.networkId, sad.namespaces]).toEqual(['cluster_udn_sad-tenant', 2, ['green-namespace', 'orange-namespace']]);
    expect(Object.fromEntries(m.namespaces.map((n) => [n.name, n.primaryNetwork]))).toEqual({
      'blue-namespace': 'cudn:happy-tenant', 'red-namespace': 'cudn:happy-tenant',
      'green-namespace': 'cudn:sad-tenant', 'orange-namespace': 'cudn:sad-tenant', plain: 'default',
    });
    expect(ips(pod(m, 'red-namespace', 'red-pod'))![0]).toMatch(/^203\.203\.0\.\d+\/16$/);
    expect(pod(m, 'red-namespace', 'red-pod').attachments[0]!.nad).toBe('red-namespace/happy-tenant');
    expect(ips(pod(m, 'plain', 'plain-pod'))![0]).toMatch(/^10\.244\.0\.\d+\/24$/);
  });

  it('04: the LoadBalancer service keeps its given IPs and finds the VM on the CUDN', async () => {
    const m = build(await fixture('04-service-loadbalancer-on-cudn'));
    const svc = m.services.find((s) => s.name === 'webapp')!;
    const vm = m.pods.find((p) => p.workload.kind === 'VirtualMachine')!;
    expect(svc).toMatchObject({
      type: 'LoadBalancer', clusterIPs: ['172.30.162.106'], loadBalancerIPs: ['192.168.10.0'],
      ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30600 }], network: 'cudn:happy-tenant', endpointsFrom: 'selector',
    });
    expect(svc.endpoints.map((e) => [e.ip, e.ports[0]!.port, e.pod?.name])).toEqual([[vm.attachments[0]!.ips[0]!.split('/')[0], 80, vm.name]]);
    expect(m.notices.map((n) => n.message)).toEqual([expect.stringContaining('outside the default service network')]);
  });

  it('05: OpenShift Network config drives cluster and service networks', async () => {
    const m = build(await fixture('05-default-network-openshift'));
    expect(m.config.clusterNetwork).toEqual([{ cidr: '10.128.0.0/14', hostPrefix: 23 }]);
    expect(m.config.serviceNetwork).toEqual(['172.30.0.0/16']);
    expect(m.config.from).toMatchObject({ kind: 'Network', name: 'cluster' });
    expect(m.networks[0]!.hostSubnets).toEqual({ 'worker-0': ['10.128.0.0/23'], 'worker-1': ['10.128.2.0/23'] });
    const hello = m.pods.filter((p) => p.workload.name === 'hello');
    expect(hello).toHaveLength(3);
    expect(new Set(hello.map((p) => p.node))).toEqual(new Set(['worker-0', 'worker-1'])); // replicas spread
    const svc = m.services.find((s) => s.name === 'hello')!;
    expect(svc.clusterIPs[0]).toMatch(/^172\.30\./);
    expect(svc.endpoints.map((e) => e.ip).sort()).toEqual(hello.map((p) => p.attachments[0]!.ips[0]!.split('/')[0]).sort());
  });

  it('06: NADs outside OVN are recorded with ovn:false and a notice', async () => {
    const m = build(await fixture('06-multus-secondary-networks'));
    const byId = Object.fromEntries(m.networks.map((n) => [n.id, n]));
    for (const [id, type] of [['nad:sample/bridge-multiple-static-ip', 'bridge'], ['nad:sample/host-device-static-ip', 'host-device'], ['nad:sample/ipvlan-l2-whereabouts', 'ipvlan']] as const) {
      expect(byId[id]).toMatchObject({ ovn: false, cniType: type, networkId: -1 });
    }
    expect(byId['nad:sample/l2-secondary']).toMatchObject({ ovn: true, role: 'secondary', topology: 'Layer2', networkId: 1, ovnName: 'l2-secondary' });
    expect(m.notices.filter((n) => n.message.includes('outside OVN'))).toHaveLength(3);
    const nginx = m.pods.filter((p) => p.workload.name === 'nginx');
    expect(nginx).toHaveLength(2);
    for (const p of nginx) {
      expect(p.attachments.map((a) => [a.role, a.network, a.interfaceName])).toEqual([
        ['primary', 'default', 'eth0'],
        ['secondary', 'nad:sample/bridge-multiple-static-ip', 'net1'],
        ['secondary', 'nad:sample/l2-secondary', 'net2'],
      ]);
      expect(p.attachments[1]!.ips).toEqual(['172.16.10.2/24']); // the NAD's static IPAM
    }
    expect(nginx.map((p) => p.attachments[2]!.ips[0]).sort()).toEqual(['10.100.200.1/24', '10.100.200.2/24']);
  });

  it('02 and 07 build', async () => {
    const m2 = build(await fixture('02-networkpolicy-on-udn'));
    expect(m2.networkPolicies.map((p) => [p.namespace, p.name, p.spec.policyTypes])).toEqual([['green', 'ingress-port-9001-only', ['Ingress']]]);
    expect(pod(m2, 'green', 'new-webserver')).toMatchObject({ node: 'ovn-worker', ports: [{ containerPort: 9001, protocol: 'TCP' }] });
    const m7 = build(await fixture('07-anp-banp-cluster-guardrails'));
    expect(m7.adminNetworkPolicies.map((a) => [a.name, a.spec.priority])).toEqual([['cluster-control', 34]]);
    expect(m7.baselineAdminNetworkPolicy?.name).toBe('default');
    expect(m7.networkPolicies[0]!.spec.policyTypes).toEqual(['Ingress']);
    expect(m7.networkPolicies[0]!.spec.ingress![0]!.ports![0]!.protocol).toBe('TCP');
  });
});

describe('errors a real cluster would give', () => {
  it('primary UDN in a namespace without the primary-network label', () => {
    const e = errorsOf(() => build(set(ns('blue') + l2udn('blue', 'net', '[10.10.0.0/16]'))));
    expect(e).toEqual([expect.stringMatching(/^t0\.yaml:6: primary network blue_net in namespace blue, which lacks label k8s.ovn.org\/primary-user-defined-network/)]);
  });

  it('labelled namespace with pods but no primary network (a notice when it has no pods)', () => {
    const e = errorsOf(() => build(set(ns('blue', PRIMARY) + podY('blue', 'p'))));
    expect(e).toEqual([expect.stringMatching(/^t0\.yaml:1: namespace blue has label .* but no primary UserDefinedNetwork/)]);
    const m = build(set(ns('blue', PRIMARY)));
    expect(m.notices[0]!.message).toContain('no primary network');
  });

  it('two primary networks for one namespace: two UDNs, UDN + CUDN, overlapping CUDNs', () => {
    const cudn = (name: string, sel: string, subnet: string) => `apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata: {name: ${name}}
spec:
  namespaceSelector: ${sel}
  network: {topology: Layer2, layer2: {role: Primary, subnets: [${subnet}]}}
---
`;
    const two = errorsOf(() => build(set(ns('b', PRIMARY) + l2udn('b', 'one', '[10.10.0.0/16]') + l2udn('b', 'two', '[10.11.0.0/16]'))));
    expect(two).toEqual([expect.stringContaining('namespace b has more than one primary network: b_one (UserDefinedNetwork b/one (t0.yaml:7:1)), b_two (UserDefinedNetwork b/two (t0.yaml:12:1))')]);
    const mixed = errorsOf(() => build(set(ns('b', PRIMARY) + l2udn('b', 'one', '[10.10.0.0/16]') + cudn('c', '{matchLabels: {kubernetes.io/metadata.name: b}}', '10.12.0.0/16'))));
    expect(mixed).toEqual([expect.stringMatching(/namespace b has more than one primary network: b_one .*, cluster_udn_c /)]);
    const overlap = errorsOf(() => build(set(ns('b', PRIMARY) + ns('c', PRIMARY)
      + cudn('x', '{}', '10.12.0.0/16') + cudn('y', '{matchLabels: {kubernetes.io/metadata.name: c}}', '10.13.0.0/16'))));
    expect(overlap).toEqual([expect.stringMatching(/namespace c has more than one primary network: cluster_udn_x .*, cluster_udn_y /)]);
  });

  it('a CUDN selecting an unlabelled namespace skips it with a notice', () => {
    const m = build(set(ns('b', PRIMARY) + ns('plain') + `apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata: {name: all}
spec:
  namespaceSelector: {}
  network: {topology: Layer2, layer2: {role: Primary, subnets: [10.12.0.0/16]}}
`));
    expect(m.networks.find((n) => n.id === 'cudn:all')!.namespaces).toEqual(['b']);
    expect(m.namespaces.find((n) => n.name === 'plain')!.primaryNetwork).toBe('default');
    expect(m.notices.map((n) => n.message)).toEqual([expect.stringContaining('selects namespace plain, which lacks label')]);
  });

  it('objects in a namespace the manifests do not declare', () => {
    const text = podY('ghost', 'p') + `apiVersion: v1
kind: Service
metadata: {name: s, namespace: ghost}
spec: {ports: [{port: 80}]}
---
` + podY('default', 'ok');
    const e = errorsOf(() => build(set(text)));
    expect(e).toEqual([expect.stringContaining('namespace ghost does not exist (no Namespace object) but Pod p, Service s are in it')]);
    const m = build(set(text), { implicitNamespaces: true });
    expect(m.namespaces.map((n) => [n.name, n.synthesized, n.labels])).toEqual([
      ['default', true, { 'kubernetes.io/metadata.name': 'default' }],
      ['ghost', true, { 'kubernetes.io/metadata.name': 'ghost' }],
    ]);
  });

  it('implicit namespaces of a primary UDN get the primary-network label', () => {
    const m = build(set(l2udn('blue', 'net', '[10.10.0.0/16]') + podY('blue', 'p')), { implicitNamespaces: true });
    expect(m.namespaces[0]).toMatchObject({ name: 'blue', primaryNetwork: 'udn:blue/net', labels: { 'k8s.ovn.org/primary-user-defined-network': '' } });
  });

  it('a pod on a node that does not exist, when Node objects are given', () => {
    const e = errorsOf(() => build(set(node('n1') + ns('a') + podY('a', 'p').replace('spec: {', 'spec: {nodeName: n9, '))));
    expect(e).toEqual([expect.stringContaining('node n9 does not exist')]);
    // without Node objects the nodes come from the pods
    const m = build(set(ns('a') + podY('a', 'p').replace('spec: {', 'spec: {nodeName: n9, ') + podY('a', 'q')));
    expect(m.nodes.map((n) => [n.name, n.synthesized])).toEqual([['n9', true]]);
    expect(pod(m, 'a', 'q').node).toBe('n9');
  });

  it('an unknown NAD in the networks annotation; a primary network asked for as secondary', () => {
    const e = errorsOf(() => build(set(ns('a', PRIMARY) + l2udn('a', 'prim', '[10.10.0.0/16]')
      + podY('a', 'p', 'annotations: {k8s.v1.cni.cncf.io/networks: "nope, prim"}'))));
    expect(e).toEqual([
      expect.stringContaining('network a/nope in annotation k8s.v1.cni.cncf.io/networks does not exist'),
      expect.stringContaining('a/prim is a primary network and cannot be requested as a secondary attachment'),
    ]);
    const m = build(set(ns('a') + podY('a', 'p', 'annotations: {k8s.v1.cni.cncf.io/networks: nope}')), { ignoreUnknownNetworks: true });
    expect(pod(m, 'a', 'p').attachments).toHaveLength(1);
    expect(m.notices[0]!.message).toContain('attachment skipped');
  });

  it('reports every problem at once, with file:line', () => {
    const e = errorsOf(() => build(set(['a.yaml', ns('blue') + l2udn('blue', 'net', '[10.10.0.0/16]')], ['b.yaml', podY('ghost', 'p')])));
    expect(e).toHaveLength(2);
    expect(e).toEqual(expect.arrayContaining([expect.stringMatching(/^a\.yaml:6: primary network/), expect.stringMatching(/^b\.yaml:1: namespace ghost/)]));
  });
});

describe('networks', () => {
  const nad = (nsName: string, name: string, cfg: Record<string, unknown>, extra = '') => `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: ${name}, namespace: ${nsName}${extra}}
spec: {config: '${JSON.stringify(cfg)}'}
---
`;
  it('NADs naming the same OVN network share it; ids follow ovnName order unless annotated', () => {
    const cfg = { cniVersion: '0.3.1', name: 'shared', type: 'ovn-k8s-cni-overlay', topology: 'layer2', subnets: '10.50.0.0/24' };
    const m = build(set(ns('a') + ns('b') + nad('a', 'x', cfg) + nad('b', 'y', cfg)
      + nad('a', 'z', { ...cfg, name: 'aaa' }, ', annotations: {k8s.ovn.org/network-id: "7"}')
      + podY('a', 'p', 'annotations: {k8s.v1.cni.cncf.io/networks: x}') + podY('b', 'q', 'annotations: {k8s.v1.cni.cncf.io/networks: y}')));
    const shared = m.networks.find((n) => n.ovnName === 'shared')!;
    expect(shared).toMatchObject({ id: 'nad:a/x', namespaces: ['a', 'b'], nads: ['a/x', 'b/y'], networkId: 1 });
    expect(m.networks.find((n) => n.ovnName === 'aaa')!.networkId).toBe(7);
    expect(pod(m, 'a', 'p').attachments[1]).toMatchObject({ network: 'nad:a/x', nad: 'a/x', ips: ['10.50.0.1/24'] });
    expect(pod(m, 'b', 'q').attachments[1]).toMatchObject({ network: 'nad:a/x', nad: 'b/y', ips: ['10.50.0.2/24'] });
  });

  it('NADs of one network that disagree are an error; a trailing comma in config is read with a notice', () => {
    const cfg = { cniVersion: '0.3.1', name: 'shared', type: 'ovn-k8s-cni-overlay', topology: 'layer2', subnets: '10.50.0.0/24' };
    const e = errorsOf(() => build(set(ns('a') + ns('b') + nad('a', 'x', cfg) + nad('b', 'y', { ...cfg, subnets: '10.51.0.0/24' }))));
    expect(e).toEqual([expect.stringContaining('NetworkAttachmentDefinition b/y defines network shared differently')]);
    const m = build(set(ns('a') + `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: l2, namespace: a}
spec:
  config: |
    {"cniVersion": "0.3.1", "name": "l2", "type": "ovn-k8s-cni-overlay", "topology": "layer2", "mtu": 1300, }
`));
    expect(m.networks[1]).toMatchObject({ ovnName: 'l2', mtu: 1300, ovn: true, subnets: [] });
    expect(m.notices[0]!.message).toContain('trailing comma');
    expect(errorsOf(() => build(set(ns('a') + nad('a', 'x', { ...cfg, netAttachDefName: 'a/y' }))))).toEqual([
      expect.stringContaining('netAttachDefName a/y in spec.config does not name this NetworkAttachmentDefinition (a/x)'),
    ]);
  });

  it('secondary UDNs and CUDNs resolve from the networks annotation; JSON selections keep interface and IPs', () => {
    const m = build(set(ns('a') + l2udn('a', 'sec', '[10.60.0.0/24]', 'Secondary') + `apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata: {name: phys}
spec:
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}
  network: {topology: Localnet, localnet: {role: Secondary, physicalNetworkName: physnet, subnets: [192.0.2.0/24], excludeSubnets: [192.0.2.1/32], vlan: {mode: Access, access: {id: 100}}}}
---
` + podY('a', 'p', `annotations: {k8s.v1.cni.cncf.io/networks: '[{"name":"sec","interface":"blue0","ips":["10.60.0.50/24"]},{"name":"phys"}]'}`)));
    const p = pod(m, 'a', 'p');
    expect(p.attachments.slice(1)).toMatchObject([
      { network: 'udn:a/sec', interfaceName: 'blue0', ips: ['10.60.0.50/24'], nad: 'a/sec' },
      { network: 'cudn:phys', interfaceName: 'net2', ips: ['192.0.2.2/24'], nad: 'a/phys' },
    ]);
    expect(m.networks.find((n) => n.id === 'cudn:phys')).toMatchObject({ topology: 'Localnet', physicalNetworkName: 'physnet', vlanId: 100, role: 'secondary' });
  });

  it('UDN subnets overlapping the cluster ranges: an error with an explicit config, a notice with the defaults', () => {
    const osNet = `apiVersion: config.openshift.io/v1
kind: Network
metadata: {name: cluster}
spec: {clusterNetwork: [{cidr: 10.128.0.0/14, hostPrefix: 23}], serviceNetwork: [172.30.0.0/16]}
---
`;
    expect(errorsOf(() => build(set(osNet + ns('a', PRIMARY) + l2udn('a', 'n', '[10.128.0.0/16]'))))).toEqual([
      expect.stringContaining('subnet 10.128.0.0/16 of network a_n overlaps the cluster network 10.128.0.0/14'),
    ]);
    const m = build(set(ns('a', PRIMARY) + l2udn('a', 'n', '[10.244.0.0/16]')));
    expect(m.notices[0]!.message).toContain('overlaps the cluster network 10.244.0.0/16');
    expect(errorsOf(() => build(set(ns('a', PRIMARY) + l2udn('a', 'n', '[100.64.0.0/24]'))))[0]).toContain('default join subnet');
  });
});

describe('scheduling', () => {
  it('puts a dumped pod on the node its IP or hostIP belongs to; a pod that fits nowhere stays Pending', () => {
    const m = build(set(node('n1') + node('n2') + `apiVersion: v1
kind: Node
metadata: {name: n3}
status: {addresses: [{type: InternalIP, address: 10.0.0.3}]}
---
` + ns('a') + `apiVersion: v1
kind: Pod
metadata: {name: by-ip, namespace: a}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, podIP: 10.244.1.9}
---
apiVersion: v1
kind: Pod
metadata: {name: by-host, namespace: a}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, hostIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: picky, namespace: a}
spec: {nodeSelector: {disk: ssd}, containers: [{name: c, image: x}]}
`));
    expect(pod(m, 'a', 'by-ip')).toMatchObject({ node: 'n2', attachments: [{ ips: ['10.244.1.9/24'] }] });
    expect(pod(m, 'a', 'by-host').node).toBe('n3');
    expect(pod(m, 'a', 'picky')).toMatchObject({ node: '', phase: 'Pending', attachments: [] });
    expect(m.notices.map((n) => n.message)).toEqual([expect.stringContaining('pod a/picky fits no node')]);
  });
});

describe('workloads', () => {
  const wl = (kind: string, body: string, apiVersion = 'apps/v1') => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: web, namespace: w}
spec:
${body}
---
`;
  const tpl = `  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}`;
  const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';

  it('Deployment: <name>-<hash>-<suffix>, one per replica, template labels plus pod-template-hash', () => {
    const m = build(set(ns('w') + wl('Deployment', `  replicas: 3\n  selector: {matchLabels: {app: web}}\n${tpl}`)));
    expect(m.pods).toHaveLength(3);
    const hash = m.pods[0]!.labels['pod-template-hash']!;
    expect(hash).toMatch(new RegExp(`^${SAFE}{10}$`));
    for (const p of m.pods) {
      expect(p.name).toMatch(new RegExp(`^web-${hash}-${SAFE}{5}$`));
      expect(p.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.workload).toMatchObject({ kind: 'Deployment', namespace: 'w', name: 'web' });
      expect(p.ref.kind).toBe('Pod');
      expect(p.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    }
    expect(new Set(m.pods.map((p) => p.name)).size).toBe(3);
  });

  it('StatefulSet: <name>-<ordinal>', () => {
    const m = build(set(ns('w') + wl('StatefulSet', `  replicas: 3\n  serviceName: web\n${tpl}`)));
    expect(m.pods.map((p) => p.name)).toEqual(['web-0', 'web-1', 'web-2']);
    const o = build(set(ns('w') + wl('StatefulSet', `  replicas: 2\n  ordinals: {start: 5}\n${tpl}`)));
    expect(o.pods.map((p) => p.name)).toEqual(['web-5', 'web-6']);
    expect(m.pods[1]!.labels['statefulset.kubernetes.io/pod-name']).toBe('web-1');
  });

  it('DaemonSet: one pod per node that fits', () => {
    const m = build(set(node('a') + node('b') + node('tainted', 'labels: {}') + ns('w') + wl('DaemonSet', tpl)
      .replace('metadata: {name: tainted, labels: {}}', 'metadata: {name: tainted}')));
    expect(m.pods.map((p) => p.node).sort()).toEqual(['a', 'b', 'tainted']);
    const t = build(set(node('a') + `apiVersion: v1
kind: Node
metadata: {name: t}
spec: {taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}
---
` + ns('w') + wl('DaemonSet', tpl)));
    expect(t.pods.map((p) => p.node)).toEqual(['a']);
  });

  it('ReplicaSet, ReplicationController, Job (parallelism), CronJob (one pod), replicas 0', () => {
    const m = build(set(ns('w')
      + wl('ReplicaSet', `  replicas: 2\n${tpl}`).replace('name: web', 'name: rs')
      + wl('ReplicationController', `  replicas: 1\n${tpl}`, 'v1').replace('name: web', 'name: rc')
      + wl('Job', `  parallelism: 4\n  completions: 2\n${tpl}`, 'batch/v1').replace('name: web', 'name: job')
      + wl('CronJob', `  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n  ${tpl.replace(/\n/g, '\n  ')}`, 'batch/v1').replace('name: web', 'name: cron')
      + wl('Deployment', `  replicas: 0\n${tpl}`).replace('name: web', 'name: none')));
    const count = (w: string) => m.pods.filter((p) => p.workload.name === w).length;
    expect([count('rs'), count('rc'), count('job'), count('cron'), count('none')]).toEqual([2, 1, 2, 1, 0]);
    const job = m.pods.find((p) => p.workload.name === 'job')!;
    expect(job.labels['job-name']).toBe('job');
    expect(m.pods.find((p) => p.workload.name === 'cron')!.name).toMatch(new RegExp(`^cron-\\d{8}-${SAFE}{5}$`));
  });

  it('KubeVirt: a running VM gets a virt-launcher pod; a halted one none; multus networks become the annotation', () => {
    const vm = (name: string, strategy: string) => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: ${name}, namespace: w}
spec:
  runStrategy: ${strategy}
  template:
    metadata: {labels: {app: vm}}
    spec:
      domain: {devices: {interfaces: [{name: default, masquerade: {}, ports: [{port: 22}]}, {name: sec, bridge: {}}]}}
      networks: [{name: default, pod: {}}, {name: sec, multus: {networkName: l2}}]
---
`;
    const m = build(set(ns('w') + vm('up', 'Always') + vm('down', 'Halted') + `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: l2, namespace: w}
spec: {config: '{"cniVersion":"0.4.0","name":"l2","type":"ovn-k8s-cni-overlay","topology":"layer2","subnets":"10.100.0.0/24"}'}
`));
    expect(m.pods).toHaveLength(1);
    const p = m.pods[0]!;
    expect(p.labels).toMatchObject({ app: 'vm', 'kubevirt.io': 'virt-launcher', 'kubevirt.io/domain': 'up', 'vm.kubevirt.io/name': 'up' });
    expect(p.ports).toEqual([{ containerPort: 22, protocol: 'TCP' }]);
    expect(p.attachments.map((a) => [a.role, a.network])).toEqual([['primary', 'default'], ['secondary', 'nad:w/l2']]);
    expect(p.attachments[1]!.interfaceName).toMatch(/^pod[0-9a-f]{11}$/);
    expect(m.notices.map((n) => n.message)).toEqual([expect.stringContaining('VirtualMachine w/down is not running')]);
  });

  it('a dump with a controller and its pods does not double them', () => {
    const m = build(set(ns('w') + wl('ReplicaSet', `  replicas: 2\n${tpl}`) + `apiVersion: v1
kind: Pod
metadata:
  name: web-abcde
  namespace: w
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web, controller: true}]
spec: {containers: [{name: c, image: x}]}
`));
    expect(m.pods).toHaveLength(2);
    expect(m.pods.every((p) => p.workload.kind === 'ReplicaSet' && p.workload.name === 'web')).toBe(true);
  });
});

describe('services', () => {
  it('allocates ClusterIPs deterministically, honours given ones, and resolves named target ports', () => {
    const svc = (name: string, extra = '') => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: a}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]${extra}}
---
`;
    const m = build(set(ns('a') + svc('b-given', ', clusterIP: 10.96.1.0') + svc('a-alloc') + svc('none', ', clusterIP: None')
      + podY('a', 'web', 'labels: {app: web}').replace('image: x}', 'image: x, ports: [{name: http, containerPort: 8080}]}')
      + podY('a', 'other', 'labels: {app: web}')));
    const byName = Object.fromEntries(m.services.map((s) => [s.name, s]));
    expect(byName['b-given']!.clusterIPs).toEqual(['10.96.1.0']);
    expect(byName['a-alloc']!.clusterIPs).toEqual(['10.96.1.1']); // upper band starts at base+256; .1.0 was taken
    expect(byName.none).toMatchObject({ headless: true, clusterIPs: [] });
    // the pod without the named port is no endpoint
    expect(byName['a-alloc']!.endpoints).toEqual([{
      ip: ips(pod(m, 'a', 'web'))![0]!.split('/')[0], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      ready: true, serving: true, terminating: false, node: 'ovn-worker', pod: { namespace: 'a', name: 'web' },
    }]);
  });

  it('takes endpoints from EndpointSlices when present, on the UDN from the pods', () => {
    const m = build(set(ns('blue', PRIMARY) + l2udn('blue', 'net', '[10.10.0.0/16]') + podY('blue', 'p', 'labels: {app: x}') + `apiVersion: v1
kind: Service
metadata: {name: s, namespace: blue}
spec: {selector: {app: x}, ports: [{port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s-abc, namespace: blue, labels: {kubernetes.io/service-name: s}}
addressType: IPv4
endpoints: [{addresses: [10.244.0.3], conditions: {ready: true}, targetRef: {kind: Pod, name: p, namespace: blue}}]
ports: [{port: 80, protocol: TCP}]
`));
    const s = m.services[0]!;
    expect(s).toMatchObject({ network: 'udn:blue/net', endpointsFrom: 'EndpointSlice' });
    expect(s.endpoints.map((e) => e.ip)).toEqual(['10.10.0.3']); // mirrored onto the UDN
  });

  it('rejects a duplicate clusterIP and one outside an explicit service network', () => {
    const e = errorsOf(() => build(set(`apiVersion: config.openshift.io/v1
kind: Network
metadata: {name: cluster}
spec: {clusterNetwork: [{cidr: 10.128.0.0/14, hostPrefix: 23}], serviceNetwork: [172.30.0.0/16]}
---
` + ns('a') + ['x', 'y'].map((n) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${n}, namespace: a}\nspec: {clusterIP: 172.30.0.50, ports: [{port: 80}]}\n---\n`).join('')
      + 'apiVersion: v1\nkind: Service\nmetadata: {name: z, namespace: a}\nspec: {clusterIP: 10.96.0.5, ports: [{port: 80}]}\n')));
    expect(e).toEqual([
      expect.stringContaining('clusterIP 172.30.0.50 is already allocated to service a/x'),
      expect.stringContaining('clusterIP 10.96.0.5 is not in the service network 172.30.0.0/16'),
    ]);
  });
});

describe('policies', () => {
  it('applies the apiserver defaults to NetworkPolicy and ANP ports', () => {
    const np = (name: string, body: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: a}\nspec: ${body}\n---\n`;
    const m = build(set(ns('a') + np('empty-egress', '{egress: []}') + np('egress', '{egress: [{ports: [{port: 53}]}]}') + np('explicit', '{policyTypes: [Egress]}') + `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp}
spec: {priority: 5, subject: {namespaces: {}}, ingress: [{action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}}]}]}
`));
    expect(m.networkPolicies.map((p) => [p.name, p.spec.podSelector, p.spec.policyTypes])).toEqual([
      ['egress', {}, ['Ingress', 'Egress']], ['empty-egress', {}, ['Ingress']], ['explicit', {}, ['Egress']],
    ]);
    expect(m.networkPolicies[0]!.spec.egress![0]!.ports).toEqual([{ port: 53, protocol: 'TCP' }]);
    expect(m.adminNetworkPolicies[0]!.spec.ingress![0]!.ports).toEqual([{ portNumber: { port: 80, protocol: 'TCP' } }]);
    expect(m.adminNetworkPolicies[0]!.ref).toMatchObject({ kind: 'AdminNetworkPolicy', name: 'anp', source: { file: 't0.yaml' } });
  });
});

describe('snapshot', () => {
  it('is deeply frozen and does not freeze the input', () => {
    const s = set(ns('a') + podY('a', 'p'));
    const m = build(s);
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.pods[0]!.attachments[0]!.ips)).toBe(true);
    expect(Object.isFrozen(m.pods[0]!.ref.source)).toBe(true);
    expect(Object.isFrozen(s.objects[0]!.source)).toBe(false);
    expect(Object.isFrozen(s.objects[0]!.object)).toBe(false);
  });

  it('is identical for any file and document order', async () => {
    const base = await loadManifests(['fixtures/04-service-loadbalancer-on-cudn', 'fixtures/06-multus-secondary-networks']);
    const expected = JSON.stringify(build(base));
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let i = 0; i < 5; i++) {
      const objects = [...base.objects];
      for (let j = objects.length - 1; j > 0; j--) {
        const k = Math.floor(rnd() * (j + 1));
        [objects[j], objects[k]] = [objects[k]!, objects[j]!];
      }
      expect(JSON.stringify(build({ objects, notices: [] }))).toBe(expected);
    }
  });

  it('builds a 10,000-pod cluster (timing in the log)', () => {
    const parts: string[] = [];
    for (let n = 0; n < 50; n++) parts.push(node(`worker-${n}`));
    for (let i = 0; i < 50; i++) {
      parts.push(ns(`ns-${i}`));
      parts.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ns-${i}}
spec:
  replicas: 200
  template:
    metadata: {labels: {app: a${i}}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: ns-${i}}
spec: {selector: {app: a${i}}, ports: [{port: 80}]}
---
`);
    }
    const s = set(parts.join(''));
    // CPU time as well as wall time: the machine is shared, wall time mostly measures the neighbours
    const cpu = (f: () => void) => { const c0 = process.cpuUsage(); const t0 = performance.now(); f(); const c = process.cpuUsage(c0); return [performance.now() - t0, (c.user + c.system) / 1000]; };
    let frozen: ClusterModel | undefined;
    let plain: ClusterModel | undefined;
    const [wf, cf] = cpu(() => { frozen = build(s); });
    const [wp, cp] = cpu(() => { plain = build(s, { freeze: false }); });
    expect(frozen!.pods).toHaveLength(10000);
    expect(JSON.stringify(plain)).toBe(JSON.stringify(frozen));
    console.log(`model: 10,000 pods, 50 services: frozen ${wf!.toFixed(0)} ms wall / ${cf!.toFixed(0)} ms cpu; unfrozen ${wp!.toFixed(0)} ms wall / ${cp!.toFixed(0)} ms cpu`);
  }, 120_000);
});
