/** Per-network lowering context: names, controller, addressing, derived once from the model. */
import type { ObjectRef } from '../common/source.js';
import type { ClusterModel, Network, Node, Pod, Attachment } from '../model/types.js';
import { NAMES, SUBNETS } from './constants.js';
import { bareIP, isIPv6, nthAddress, parseCidr } from './ip.js';
import { rowId } from './types.js';
import { goStringCompare } from './selectors.js';

export interface NetCtx {
  net: Network;
  /** `<ovnName>-network-controller` */
  controller: string;
  prefix: string;
  isDefault: boolean;
  /** default and primary networks get routers, gateways, services, policies */
  routed: boolean;
  ipv4: boolean;
  ipv6: boolean;
  /** Logical_Switch name holding a node's pods */
  podSwitch(node: string): string;
  /** management port IPs (bare) of a node on this network */
  mgmtIPs(node: string): string[];
  /** gateway-router join/transit IPs (bare) of a node, used by LNM host-network peers */
  grJoinIPs(node: string): string[];
  /** external_ids of UDN pod/ext switches: network, role, topology ({} on default) */
  netExternalIds: Record<string, string>;
  /** external_ids of other UDN topology rows (routers, ports, routes, NATs, join switch): network, topology */
  topoExternalIds: Record<string, string>;
  provenance: ObjectRef[];
}

export function controllerName(net: Network): string {
  return `${net.ovnName}-network-controller`;
}

export function isLayer3Like(net: Network): boolean {
  return net.role === 'default' || net.topology === 'Layer3';
}

/** Node host subnets on a network (default/Layer3), sorted v4 first. */
export function nodeSubnets(net: Network, node: string): string[] {
  return [...(net.hostSubnets[node] ?? [])].sort((a, b) => Number(isIPv6(a)) - Number(isIPv6(b)));
}

export function joinSubnets(net: Network): string[] {
  if (net.joinSubnets.length) return [...net.joinSubnets];
  return net.role === 'default' ? [SUBNETS.defaultJoinV4] : [SUBNETS.udnJoinV4];
}

export function makeNetCtx(model: ClusterModel, net: Network): NetCtx {
  const isDefault = net.role === 'default';
  const prefix = net.prefix;
  const families = new Set<number>();
  const cidrs = isDefault ? model.config.clusterNetwork.map((c) => c.cidr) : net.subnets.map((s) => s.cidr);
  for (const c of cidrs) families.add(isIPv6(c) ? 6 : 4);
  if (families.size === 0) families.add(4);
  const sortedNodes = [...model.nodes].map((n) => n.name).sort(goStringCompare);
  const nodeIndex = new Map(sortedNodes.map((n, i) => [n, i] as const));
  const l3 = isLayer3Like(net);
  const ext: Record<string, string> = isDefault
    ? {}
    : { 'k8s.ovn.org/network': net.ovnName, 'k8s.ovn.org/role': net.role, 'k8s.ovn.org/topology': net.topology.toLowerCase() };
  return {
    net,
    controller: controllerName(net),
    prefix,
    isDefault,
    routed: isDefault || net.role === 'primary',
    ipv4: families.has(4),
    ipv6: families.has(6),
    netExternalIds: ext,
    topoExternalIds: isDefault ? {} : { 'k8s.ovn.org/network': net.ovnName, 'k8s.ovn.org/topology': net.topology.toLowerCase() },
    provenance: [net.owner],
    podSwitch(node: string): string {
      if (net.topology === 'Localnet') return prefix + NAMES.localnetSwitch;
      return l3 ? prefix + node : prefix + NAMES.layer2Switch;
    },
    mgmtIPs(node: string): string[] {
      const subnets = l3 ? nodeSubnets(net, node) : net.subnets.map((s) => s.cidr);
      return subnets.map((s) => nthAddress(s, 2));
    },
    grJoinIPs(node: string): string[] {
      const i = nodeIndex.get(node) ?? 0;
      return joinSubnets(net).filter((s) => !isIPv6(s)).map((s) => nthAddress(s, i + 2));
    },
  };
}

/** The attachment of a pod on a network, for port-creating roles. */
export function attachmentOn(pod: Pod, networkId: string): Attachment | undefined {
  return pod.attachments.find((a) => a.network === networkId);
}

/** Pods ovnk wires: scheduled, not hostNetwork, not completed. */
export function isWiredPod(pod: Pod): boolean {
  return !pod.hostNetwork && pod.node !== '' && pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}

/**
 * LSP name of a pod attachment: `<ns>_<pod>` on the default network, else
 * `<nadKey with - and / replaced by .>_<ns>_<pod>` (util.GetUserDefinedNetworkPrefix of the NAD key).
 */
export function podPortName(pod: Pod, att: Attachment, net: Network): string {
  const base = `${pod.namespace}_${pod.name}`;
  if (net.role === 'default') return base;
  return `${nadKey(pod, att, net).replace(/[-/]/g, '.')}_${base}`;
}

export function nadKey(pod: Pod, att: Attachment, net: Network): string {
  if (att.nad) return att.nad;
  if (net.owner.kind === 'NetworkAttachmentDefinition' && net.owner.namespace) return `${net.owner.namespace}/${net.owner.name}`;
  return `${pod.namespace}/${net.owner.name}`;
}

export function podLspId(pod: Pod, att: Attachment, net: Network): string {
  return rowId('Logical_Switch_Port', podPortName(pod, att, net));
}

export function podIPs(att: Attachment): string[] {
  return att.ips.map(bareIP);
}

export function nodeHostIPs(node: Node): string[] {
  return [...node.hostAddresses];
}

export function prefixLen(cidr: string): number {
  return parseCidr(cidr).prefix;
}

/** Lookup tables over a model, built once per model (models are immutable snapshots). */
export interface ModelIndex {
  namespace: ReadonlyMap<string, import('../model/types.js').Namespace>;
  node: ReadonlyMap<string, Node>;
  podsByNamespace: ReadonlyMap<string, readonly Pod[]>;
}
const indexCache = new WeakMap<ClusterModel, ModelIndex>();
export function indexOf(model: ClusterModel): ModelIndex {
  let ix = indexCache.get(model);
  if (!ix) {
    const podsByNamespace = new Map<string, Pod[]>();
    for (const p of model.pods) podsByNamespace.set(p.namespace, [...(podsByNamespace.get(p.namespace) ?? []), p]);
    ix = {
      namespace: new Map(model.namespaces.map((n) => [n.name, n] as const)),
      node: new Map(model.nodes.map((n) => [n.name, n] as const)),
      podsByNamespace,
    };
    indexCache.set(model, ix);
  }
  return ix;
}
