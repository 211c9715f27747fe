/** Hand-built ClusterModel pieces for northbound tests (no dependency on the manifest/model stages). */
import type { ClusterModel, Namespace, Network, Node, Pod } from '../../../src/model/types.js';

export function node(name: string, ip: string, labels: Record<string, string> = {}): Node {
  return { name, labels: { 'kubernetes.io/hostname': name, ...labels }, hostAddresses: [ip], synthesized: false, ref: { kind: 'Node', name } };
}

export function ns(name: string, labels: Record<string, string> = {}, primaryNetwork = 'default', annotations: Record<string, string> = {}): Namespace {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, annotations, primaryNetwork, ref: { kind: 'Namespace', name } };
}

export function defaultNetwork(hostSubnets: Record<string, string[]>): Network {
  return {
    id: 'default', ovnName: 'default', prefix: '', role: 'default', topology: 'Layer3', subnets: [{ cidr: '10.244.0.0/16', hostSubnet: 24 }],
    joinSubnets: ['100.64.0.0/16'], excludeSubnets: [], networkId: 0, namespaces: [], ovn: true, hostSubnets,
    owner: { kind: 'Network', name: 'default' },
  };
}

export function pod(namespace: string, name: string, nodeName: string, ip: string, opts: Partial<Pod> & { network?: string; extra?: Pod['attachments'] } = {}): Pod {
  const mac = `0a:58:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`;
  return {
    namespace, name, uid: `uid-${namespace}-${name}`, labels: {}, annotations: {}, node: nodeName, hostNetwork: false, phase: 'Running', ports: [],
    attachments: [
      { network: opts.network ?? 'default', role: 'primary', interfaceName: 'eth0', ips: [`${ip}/24`], mac, gatewayIPs: [] },
      ...(opts.extra ?? []),
    ],
    workload: { kind: 'Pod', namespace, name }, ref: { kind: 'Pod', namespace, name },
    ...opts,
  } as Pod;
}

export function baseModel(over: Partial<ClusterModel> = {}): ClusterModel {
  const nodes = [node('ovn-worker', '172.18.0.3'), node('ovn-worker2', '172.18.0.4')];
  return {
    config: {
      clusterNetwork: [{ cidr: '10.244.0.0/16', hostPrefix: 24 }], serviceNetwork: ['10.96.0.0/16'], from: 'defaults',
      masqueradeSubnet: '169.254.169.0/29', udnMasqueradeSubnet: '169.254.0.0/17', joinSubnet: '100.64.0.0/16',
    },
    nodes,
    namespaces: [ns('default'), ns('kube-system')],
    networks: [defaultNetwork({ 'ovn-worker': ['10.244.1.0/24'], 'ovn-worker2': ['10.244.2.0/24'] })],
    pods: [],
    networkPolicies: [],
    adminNetworkPolicies: [],
    services: [],
    notices: [],
    ...over,
  };
}

/** A dual-stack default network with a primary Layer3 UDN, a Service and policies: exercises most lowerings. */
export function richModel(): ClusterModel {
  const base = baseModel();
  const blue: Network = {
    id: 'udn:blue/blue-network', ovnName: 'blue_blue-network', prefix: 'blue_blue.network_', role: 'primary', topology: 'Layer3',
    subnets: [{ cidr: '10.128.0.0/16', hostSubnet: 24 }], joinSubnets: ['100.65.0.0/16'], excludeSubnets: [], networkId: 1, namespaces: ['blue'], ovn: true,
    hostSubnets: { 'ovn-worker': ['10.128.1.0/24'], 'ovn-worker2': ['10.128.2.0/24'] }, owner: { kind: 'UserDefinedNetwork', namespace: 'blue', name: 'blue-network' },
  };
  const green: Network = {
    id: 'cudn:green', ovnName: 'cluster_udn_green', prefix: 'cluster_udn_green_', role: 'primary', topology: 'Layer2',
    subnets: [{ cidr: '192.168.0.0/16' }], joinSubnets: [], excludeSubnets: [], networkId: 2, namespaces: ['green'], ovn: true,
    hostSubnets: {}, owner: { kind: 'ClusterUserDefinedNetwork', name: 'green' },
  };
  const dual = (p: Pod, v6: string): Pod => ({ ...p, attachments: [{ ...p.attachments[0]!, ips: [...p.attachments[0]!.ips, `${v6}/64`] }] });
  return baseModel({
    config: { ...base.config, clusterNetwork: [{ cidr: '10.244.0.0/16', hostPrefix: 24 }, { cidr: 'fd00:10:244::/48', hostPrefix: 64 }] },
    networks: [{ ...base.networks[0]!, subnets: [{ cidr: '10.244.0.0/16', hostSubnet: 24 }, { cidr: 'fd00:10:244::/48', hostSubnet: 64 }],
      hostSubnets: { 'ovn-worker': ['10.244.1.0/24', 'fd00:10:244:1::/64'], 'ovn-worker2': ['10.244.2.0/24', 'fd00:10:244:2::/64'] } }, blue, green],
    namespaces: [ns('default'), ns('kube-system'), ns('ns1', { team: 'a' }), ns('blue', { 'k8s.ovn.org/primary-user-defined-network': '' }, blue.id),
      ns('green', { 'k8s.ovn.org/primary-user-defined-network': '' }, green.id)],
    pods: [
      { ...dual(pod('ns1', 'web', 'ovn-worker', '10.244.1.5'), 'fd00:10:244:1::5'), labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
      { ...dual(pod('ns1', 'client', 'ovn-worker2', '10.244.2.6'), 'fd00:10:244:2::6'), labels: { app: 'client' } },
      { ...pod('blue', 'b1', 'ovn-worker', '10.128.1.3', { network: blue.id }), annotations: { 'k8s.ovn.org/open-default-ports': '[{"protocol":"tcp","port":80},{"protocol":"icmp"}]' },
        attachments: [
          { network: blue.id, role: 'primary', interfaceName: 'ovn-udn1', ips: ['10.128.1.3/24'], mac: '0a:58:0a:80:01:03', gatewayIPs: [] },
          { network: 'default', role: 'infrastructure', interfaceName: 'eth0', ips: ['10.244.1.7/24', 'fd00:10:244:1::7/64'], mac: '0a:58:0a:f4:01:07', gatewayIPs: [] },
        ] },
      { ...pod('green', 'g1', 'ovn-worker2', '192.168.0.3', { network: green.id }),
        attachments: [
          { network: green.id, role: 'primary', interfaceName: 'ovn-udn1', ips: ['192.168.0.3/16'], mac: '0a:58:c0:a8:00:03', gatewayIPs: [] },
          { network: 'default', role: 'infrastructure', interfaceName: 'eth0', ips: ['10.244.2.8/24', 'fd00:10:244:2::8/64'], mac: '0a:58:0a:f4:02:08', gatewayIPs: [] },
        ] },
    ],
    networkPolicies: [
      { namespace: 'ns1', name: 'web', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'ns1', name: 'web' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }, { ipBlock: { cidr: 'fd00::/8', except: ['fd00:10:244:2::/64'] } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
          egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] } },
      { namespace: 'blue', name: 'deny-all', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'blue', name: 'deny-all' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    ],
    adminNetworkPolicies: [{ name: 'guard', annotations: { 'k8s.ovn.org/acl-logging': '{"deny":"alert","pass":"info"}' }, ref: { kind: 'AdminNetworkPolicy', name: 'guard' },
      spec: { priority: 5, subject: { namespaces: { matchLabels: { team: 'a' } } },
        ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }], egress: [{ action: 'Deny', to: [{ networks: ['192.0.2.0/24'] }], ports: [{ portRange: { protocol: 'TCP', start: 1000, end: 2000 } }] }] } }],
    baselineAdminNetworkPolicy: { name: 'default', annotations: {}, ref: { kind: 'BaselineAdminNetworkPolicy', name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } },
    services: [{
      namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], externalIPs: [], loadBalancerIPs: [],
      ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }], sessionAffinity: 'None', externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster', publishNotReadyAddresses: false, network: 'default', endpointsFrom: 'none', endpoints: [],
      ref: { kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
    }, {
      namespace: 'ns1', name: 'web', type: 'LoadBalancer', clusterIPs: ['10.96.0.20', 'fd00:10:96::20'], externalIPs: [], loadBalancerIPs: ['172.18.255.1'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 31080 }],
      sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 600, externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster',
      publishNotReadyAddresses: false, network: 'default', endpointsFrom: 'selector', ref: { kind: 'Service', namespace: 'ns1', name: 'web' },
      endpoints: [
        { ip: '10.244.1.5', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false, node: 'ovn-worker' },
        { ip: 'fd00:10:244:1::5', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false, node: 'ovn-worker' },
      ],
    }],
  });
}
