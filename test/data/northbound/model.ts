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
