/**
 * Cluster configuration and nodes.
 *
 * Defaults are those of a kind cluster built by ovn-kubernetes' contrib/kind.sh: pod network
 * 10.244.0.0/16 with a /24 per node, services 10.96.0.0/16, join 100.64.0.0/16, masquerade
 * 169.254.169.0/29 (default network) and 169.254.0.0/17 (UDNs). An OpenShift
 * `config.openshift.io/v1 Network` (or `operator.openshift.io/v1 Network`) named `cluster`
 * overrides the cluster and service networks (and, for the operator object, the join and
 * masquerade subnets of ovnKubernetesConfig).
 */
import type { ManifestObject } from '../manifests/types.js';
import { formatIP, parseCIDR, parseIP } from './ip.js';
import type { ClusterConfig, Node } from './types.js';
import { cmp, isRecord, type Problems, refOf, stringMap } from './util.js';
import type { Toleration } from './workloads.js';

export const DEFAULT_CLUSTER_NETWORK = { cidr: '10.244.0.0/16', hostPrefix: 24 };
export const DEFAULT_SERVICE_NETWORK = '10.96.0.0/16';
export const DEFAULT_JOIN_SUBNET = '100.64.0.0/16';
export const DEFAULT_MASQUERADE_SUBNET = '169.254.169.0/29';
export const DEFAULT_UDN_MASQUERADE_SUBNET = '169.254.0.0/17';
/** kind's worker name; seed scenarios pin pods to it (`nodeName: ovn-worker`) */
export const DEFAULT_NODE_NAME = 'ovn-worker';
/**
 * Synthetic node addresses: kind's docker network 172.18.0.0/16, from 172.18.0.2 (.1 is the
 * docker gateway) in node-name order, skipping addresses that real nodes declare.
 */
export const SYNTHETIC_NODE_BASE = '172.18.0.2';

function isOpenShiftNetwork(mo: ManifestObject): boolean {
  return mo.object.kind === 'Network' && /^(config|operator)\.openshift\.io\//.test(mo.object.apiVersion);
}

export function buildConfig(objs: ManifestObject[], p: Problems): ClusterConfig {
  const cfg: ClusterConfig = {
    clusterNetwork: [{ ...DEFAULT_CLUSTER_NETWORK }],
    serviceNetwork: [DEFAULT_SERVICE_NETWORK],
    from: 'defaults',
    masqueradeSubnet: DEFAULT_MASQUERADE_SUBNET,
    udnMasqueradeSubnet: DEFAULT_UDN_MASQUERADE_SUBNET,
    joinSubnet: DEFAULT_JOIN_SUBNET,
  };
  const candidates = objs.filter(isOpenShiftNetwork);
  for (const mo of objs) {
    if (mo.object.kind === 'Network' && !isOpenShiftNetwork(mo)) {
      p.notice(`Network of apiVersion ${mo.object.apiVersion} is not an OpenShift cluster network config; ignored`, refOf(mo));
    }
  }
  // config.openshift.io first: it is the user-facing object; the operator one only adds OVN details
  const sorted = [...candidates].sort((a, b) => cmp(a.object.apiVersion, b.object.apiVersion));
  let haveConfig = false;
  for (const mo of sorted) {
    if (mo.object.metadata.name !== 'cluster') {
      p.notice(`OpenShift Network ${mo.object.metadata.name} ignored: only the one named "cluster" configures the cluster`, refOf(mo));
      continue;
    }
    const spec = isRecord(mo.object.spec) ? mo.object.spec : {};
    const cn: Array<{ cidr: string; hostPrefix: number }> = [];
    if (Array.isArray(spec.clusterNetwork)) {
      spec.clusterNetwork.forEach((e: unknown, i: number) => {
        const path = `spec.clusterNetwork[${i}]`;
        if (!isRecord(e) || typeof e.cidr !== 'string' || !parseCIDR(e.cidr)) {
          p.error(mo, 'clusterNetwork entries need a valid cidr', path);
          return;
        }
        const c = parseCIDR(e.cidr)!;
        const hp = typeof e.hostPrefix === 'number' ? e.hostPrefix : c.v6 ? 64 : 23; // OpenShift's documented defaults
        if (hp < c.prefix || hp > (c.v6 ? 128 : 32)) {
          p.error(mo, `hostPrefix ${hp} does not fit in ${e.cidr}`, `${path}.hostPrefix`);
          return;
        }
        cn.push({ cidr: e.cidr, hostPrefix: hp });
      });
    }
    const sn = Array.isArray(spec.serviceNetwork) ? spec.serviceNetwork.filter((s: unknown): s is string => typeof s === 'string') : [];
    for (const s of sn) if (!parseCIDR(s)) p.error(mo, `invalid service network ${s}`, 'spec.serviceNetwork');
    if (cn.length > 0 && (!haveConfig || mo.object.apiVersion.startsWith('config.'))) cfg.clusterNetwork = cn;
    if (sn.length > 0 && (!haveConfig || mo.object.apiVersion.startsWith('config.'))) cfg.serviceNetwork = sn;
    const ovnk = isRecord(spec.defaultNetwork) && isRecord(spec.defaultNetwork.ovnKubernetesConfig) ? spec.defaultNetwork.ovnKubernetesConfig : undefined;
    if (ovnk) {
      const v4 = isRecord(ovnk.ipv4) ? ovnk.ipv4 : {};
      if (typeof v4.internalJoinSubnet === 'string') cfg.joinSubnet = v4.internalJoinSubnet;
      else if (typeof ovnk.v4InternalSubnet === 'string') cfg.joinSubnet = ovnk.v4InternalSubnet;
      const gw = isRecord(ovnk.gatewayConfig) && isRecord(ovnk.gatewayConfig.ipv4) ? ovnk.gatewayConfig.ipv4 : {};
      if (typeof gw.internalMasqueradeSubnet === 'string') cfg.udnMasqueradeSubnet = gw.internalMasqueradeSubnet;
    }
    if (!haveConfig) cfg.from = refOf(mo);
    haveConfig = true;
  }
  return cfg;
}

export interface NodeDraft {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Toleration[];
  unschedulable: boolean;
  hostAddresses: string[];
  synthesized: boolean;
  ref: Node['ref'];
}

/**
 * Nodes from Node objects; when there are none, from the pods' nodeNames, or one default node.
 * Returns nodes sorted by name.
 */
export function buildNodes(objs: ManifestObject[], podNodeNames: Iterable<string>, defaultName: string): NodeDraft[] {
  const nodes: NodeDraft[] = [];
  const nodeObjs = objs.filter((mo) => mo.object.kind === 'Node');
  if (nodeObjs.length > 0) {
    for (const mo of nodeObjs) {
      const o = mo.object;
      const spec = isRecord(o.spec) ? o.spec : {};
      const status = isRecord(o.status) ? o.status : {};
      const addrs: string[] = [];
      if (Array.isArray(status.addresses)) {
        for (const a of status.addresses) {
          if (isRecord(a) && a.type === 'InternalIP' && typeof a.address === 'string' && parseIP(a.address)) addrs.push(formatIP(parseIP(a.address)!));
        }
      }
      nodes.push({
        name: o.metadata.name,
        labels: { 'kubernetes.io/hostname': o.metadata.name, 'kubernetes.io/os': 'linux', ...stringMap(o.metadata.labels) },
        annotations: stringMap(o.metadata.annotations),
        taints: Array.isArray(spec.taints) ? spec.taints.filter(isRecord).map((t) => t as Toleration) : [],
        unschedulable: spec.unschedulable === true,
        hostAddresses: addrs,
        synthesized: false,
        ref: refOf(mo),
      });
    }
  } else {
    const names = new Set(podNodeNames);
    if (names.size === 0) names.add(defaultName);
    for (const name of names) {
      nodes.push({
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
        annotations: {},
        taints: [],
        unschedulable: false,
        // some providers name nodes by their IP (IBM Cloud): use it
        hostAddresses: parseIP(name) ? [formatIP(parseIP(name)!)] : [],
        synthesized: true,
        ref: { kind: 'Node', name },
      });
    }
  }
  nodes.sort((a, b) => cmp(a.name, b.name));
  // synthetic addresses for nodes that declare none
  const used = new Set(nodes.flatMap((n) => n.hostAddresses));
  let next = parseIP(SYNTHETIC_NODE_BASE)!.n;
  for (const n of nodes) {
    if (n.hostAddresses.length > 0) continue;
    while (used.has(formatIP({ v6: false, n: next }))) next++;
    const a = formatIP({ v6: false, n: next });
    used.add(a);
    n.hostAddresses = [a];
    next++;
  }
  return nodes;
}
