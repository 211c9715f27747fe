/**
 * The model stage: validated manifests → one immutable cluster snapshot (nodes, namespaces,
 * networks, pods with attachments, policies, services with endpoints), as ovn-kubernetes'
 * informers and cluster manager would see the cluster once everything has settled.
 *
 * Output is a function of the input *set*: objects are sorted before use and every allocation
 * (node subnets, pod IPs, network ids, ClusterIPs, NodePorts, pod names) is a deterministic
 * function of names, so any file order gives byte-identical JSON.
 *
 * Problems a real cluster would reject are collected and thrown together as one InputError.
 */
import { InputError } from '../common/errors.js';
import type { ManifestObject, ManifestSet } from '../manifests/types.js';
import { buildConfig, buildNodes, DEFAULT_NODE_NAME, type NodeDraft } from './config.js';
import { deepFreeze } from './freeze.js';
import { buildNetworks, type NsDraft } from './networks.js';
import { adminNetworkPolicyOf, baselineAdminNetworkPolicyOf, networkPolicyOf } from './policies.js';
import { canonicalIP, cidrContains, parseCIDR, parseIP } from './ip.js';
import { allocateHostSubnets } from './ipam.js';
import { assignHostSubnets, attachPods, presetHostSubnets, type ScheduledDraft } from './pods.js';
import { buildServices } from './services.js';
import type { ClusterModel, Namespace, Network, Node } from './types.js';
import { cmp, describe, fnv1a64, Problems, pushTo, refOf, stringMap } from './util.js';
import { expandDaemonSet, expandWorkloads, nodeFits, POD_KINDS, type PodDraft } from './workloads.js';

export type * from './types.js';
export { matchesSelector, matchesMap } from './selector.js';
export { networkPrefix, PRIMARY_UDN_LABEL } from './networks.js';
export { parseNetworkSelections } from './pods.js';
export { deepFreeze } from './freeze.js';
export {
  DEFAULT_CLUSTER_NETWORK, DEFAULT_SERVICE_NETWORK, DEFAULT_JOIN_SUBNET, DEFAULT_MASQUERADE_SUBNET,
  DEFAULT_UDN_MASQUERADE_SUBNET, DEFAULT_NODE_NAME, SYNTHETIC_NODE_BASE,
} from './config.js';

export interface ModelOptions {
  /**
   * Synthesize namespaces that objects use but the manifests do not declare (labels: only
   * kubernetes.io/metadata.name, plus the primary-UDN label when a primary (C)UDN targets it).
   * Off for the CLI (a real apiserver rejects objects in a missing namespace); the conformance
   * runner turns it on because those corpora often omit Namespace objects. The built-in
   * namespaces (default, kube-system, kube-public, kube-node-lease) exist either way.
   */
  implicitNamespaces?: boolean;
  /** node made up when the manifests have no Node and no pod names one (default `ovn-worker`) */
  defaultNodeName?: string;
  /**
   * A pod whose given IP (status.podIPs, pod-networks annotation) is already held by another pod:
   * an error by default (two pods cannot share an address); with this option the later pod (in
   * namespace/name order) gets a fresh address and a notice. For synthetic corpora only.
   */
  reallocateConflictingIPs?: boolean;
  /**
   * A k8s.v1.cni.cncf.io/networks entry naming a network that does not exist: an error by default
   * (Multus fails the pod's sandbox); with this option the attachment is skipped with a notice,
   * as netpol-analyzer does with NADs it cannot read.
   */
  ignoreUnknownNetworks?: boolean;
  /** deep-freeze the snapshot (default true; off only for measurements) */
  freeze?: boolean;
}

export const BUILTIN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'ClusterUserDefinedNetwork', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'Network',
]);

function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function objectKey(mo: ManifestObject): string {
  const o = mo.object;
  return `${groupOf(o.apiVersion ?? '')}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
}

function sortObjects(objs: readonly ManifestObject[]): ManifestObject[] {
  return [...objs].sort((a, b) =>
    cmp(objectKey(a), objectKey(b)) || cmp(a.source.file, b.source.file) || a.source.line - b.source.line || a.source.col - b.source.col);
}

/** The same object twice: identical copies collapse; differing ones are an error (kubectl create would refuse). */
function dedupe(objs: ManifestObject[], p: Problems): ManifestObject[] {
  const out: ManifestObject[] = [];
  let prev: ManifestObject | undefined;
  for (const mo of objs) {
    if (prev && objectKey(prev) === objectKey(mo)) {
      if (JSON.stringify(prev.object) !== JSON.stringify(mo.object)) {
        p.error(mo, `${mo.object.kind} ${mo.object.metadata.namespace ? `${mo.object.metadata.namespace}/` : ''}${mo.object.metadata.name} is defined twice, differently (first at ${describe(refOf(prev))})`);
      }
      continue;
    }
    out.push(mo);
    prev = mo;
  }
  return out;
}

/** Namespaced objects get `default` when they name none, as kubectl does. */
function withNamespaceDefault(mo: ManifestObject): ManifestObject {
  if (CLUSTER_SCOPED.has(mo.object.kind) || mo.object.metadata.namespace !== undefined) return mo;
  return { ...mo, object: { ...mo.object, metadata: { ...mo.object.metadata, namespace: 'default' } } };
}

export function buildModel(set: ManifestSet, opts: ModelOptions = {}): ClusterModel {
  const p = new Problems();
  const named = set.objects.filter((mo) => {
    // the loader rejects these; a hand-built set may still carry one (e.g. generateName only)
    if (typeof mo.object?.metadata?.name === 'string' && mo.object.metadata.name !== '' && typeof mo.object.kind === 'string') return true;
    p.notice(`a ${mo.object?.kind ?? 'document'} without kind or metadata.name is skipped`, { kind: String(mo.object?.kind ?? ''), name: '', source: { ...mo.source } });
    return false;
  });
  const objs = dedupe(sortObjects(named.map(withNamespaceDefault)), p);
  const kind = (k: string) => objs.filter((mo) => mo.object.kind === k);

  const config = buildConfig(kind('Network'), p);
  const { drafts, daemonSets, existing } = expandWorkloads(objs.filter((mo) => POD_KINDS.has(mo.object.kind)), p);

  // --- namespaces ---
  const namespaces = new Map<string, NsDraft>();
  for (const mo of kind('Namespace')) {
    const name = mo.object.metadata.name;
    namespaces.set(name, {
      name,
      labels: { ...stringMap(mo.object.metadata.labels), 'kubernetes.io/metadata.name': name },
      annotations: stringMap(mo.object.metadata.annotations),
      ref: refOf(mo),
      synthesized: false,
      implicit: false,
      primaryNetwork: 'default',
      hasPods: false,
    });
  }
  const users = new Map<string, ManifestObject[]>();
  for (const mo of objs) {
    if (CLUSTER_SCOPED.has(mo.object.kind)) continue;
    const ns = mo.object.metadata.namespace!;
    if (!namespaces.has(ns)) pushTo(users, ns, mo);
  }
  for (const [ns, list] of [...users].sort((a, b) => cmp(a[0], b[0]))) {
    const builtin = (BUILTIN_NAMESPACES as readonly string[]).includes(ns);
    if (builtin || opts.implicitNamespaces) {
      namespaces.set(ns, {
        name: ns,
        labels: { 'kubernetes.io/metadata.name': ns },
        annotations: {},
        ref: { kind: 'Namespace', name: ns },
        synthesized: true,
        implicit: !builtin,
        primaryNetwork: 'default',
        hasPods: false,
      });
      continue;
    }
    const shown = list.slice(0, 3).map((mo) => `${mo.object.kind} ${mo.object.metadata.name}`).join(', ');
    const more = list.length > 3 ? ` and ${list.length - 3} more` : '';
    p.error(list[0], `namespace ${ns} does not exist (no Namespace object) but ${shown}${more} ${list.length === 1 ? 'is' : 'are'} in it`, 'metadata.namespace');
  }
  for (const d of drafts) {
    const ns = namespaces.get(d.namespace);
    if (ns && d.phase !== 'Succeeded' && d.phase !== 'Failed') ns.hasPods = true;
  }
  for (const mo of daemonSets) {
    const ns = namespaces.get(mo.object.metadata.namespace!);
    if (ns) ns.hasPods = true;
  }

  // --- nodes and scheduling ---
  const nodeDrafts = buildNodes(objs, drafts.map((d) => d.nodeName).filter((n): n is string => n !== undefined), opts.defaultNodeName ?? DEFAULT_NODE_NAME);
  const nodeByName = new Map(nodeDrafts.map((n) => [n.name, n]));
  const defaultHostSubnets = allocateHostSubnets(
    config.clusterNetwork.map((c) => ({ cidr: c.cidr, hostSubnet: c.hostPrefix })),
    nodeDrafts.map((n) => n.name), presetHostSubnets(nodeDrafts).get('default') ?? new Map(),
  ).byNode;
  const scheduled: ScheduledDraft[] = [];
  for (const d of drafts) scheduled.push(schedule(d, nodeDrafts, nodeByName, defaultHostSubnets, p));
  for (const mo of daemonSets) {
    for (const d of expandDaemonSet(mo, nodeDrafts, p, existing.get(`DaemonSet/${mo.object.metadata.namespace}/${mo.object.metadata.name}`))) scheduled.push({ ...d, node: d.daemonNode! });
  }
  checkPodNames(scheduled, p);

  // --- networks, IPAM ---
  const nets = buildNetworks(objs, config, namespaces, p);
  const ipams = assignHostSubnets(nets, nodeDrafts, p);
  const pods = attachPods(scheduled, nets, ipams, namespaces, p, opts);

  // --- services, policies ---
  const services = buildServices(kind('Service'), kind('EndpointSlice'), pods, nodeByName, namespaces, config, p);
  const networkPolicies = kind('NetworkPolicy').map(networkPolicyOf);
  const adminNetworkPolicies = kind('AdminNetworkPolicy').map(adminNetworkPolicyOf);
  const baselineAdminNetworkPolicy = baselineAdminNetworkPolicyOf(kind('BaselineAdminNetworkPolicy'), p);

  if (p.errors.length > 0) throw new InputError(p.errors);

  const nodes: Node[] = nodeDrafts.map((n) => ({
    name: n.name, labels: sortRecord(n.labels), hostAddresses: n.hostAddresses, synthesized: n.synthesized, ref: n.ref,
  }));
  const nsList: Namespace[] = [...namespaces.values()].sort((a, b) => cmp(a.name, b.name)).map((n) => {
    const ns: Namespace = { name: n.name, labels: sortRecord(n.labels), annotations: n.annotations, primaryNetwork: n.primaryNetwork, ref: n.ref };
    if (n.synthesized) ns.synthesized = true;
    return ns;
  });
  const networks: Network[] = nets.drafts.map((d) => d.net).sort((a, b) =>
    (a.id === 'default' ? -1 : b.id === 'default' ? 1 : cmp(a.id, b.id)));
  const model: ClusterModel = {
    config,
    nodes,
    namespaces: nsList,
    networks,
    pods,
    networkPolicies: networkPolicies.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name)),
    adminNetworkPolicies: adminNetworkPolicies.sort((a, b) => cmp(a.name, b.name)),
    services,
    notices: p.notices,
  };
  if (baselineAdminNetworkPolicy) model.baselineAdminNetworkPolicy = baselineAdminNetworkPolicy;
  return opts.freeze === false ? model : deepFreeze(model);
}

function sortRecord(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort(cmp)) out[k] = m[k]!;
  return out;
}

/**
 * Where a pod runs: its spec.nodeName (which must exist when Node objects are given), else a
 * deterministic stand-in for the scheduler: among the nodes that fit (nodeSelector, taints,
 * schedulable), replica i of a workload goes to node (hash(workload) + i) mod n — spreading
 * replicas like the default scheduler's spread scoring, stable when other workloads change.
 */
function schedule(
  d: PodDraft, nodes: NodeDraft[], byName: Map<string, NodeDraft>, hostSubnets: Map<string, string[]>, p: Problems,
): ScheduledDraft {
  if (d.nodeName !== undefined) {
    if (!byName.has(d.nodeName)) {
      p.error(d.mo, `pod ${d.namespace}/${d.name}: node ${d.nodeName} does not exist (the manifests declare ${nodes.map((n) => n.name).join(', ')})`, 'spec.nodeName');
      return { ...d, node: '' }; // nothing more to say about it
    }
    return { ...d, node: d.nodeName };
  }
  if (d.phase === 'Succeeded' || d.phase === 'Failed') {
    // a completed pod without a node never ran anywhere udnc can know; it holds no address either way
    return { ...d, node: '' };
  }
  // a dumped pod without spec.nodeName still tells where it ran: status.hostIP, or its IP's node subnet
  if (d.statusHostIP !== undefined) {
    const ip = canonicalIP(d.statusHostIP);
    const hit = nodes.find((n) => ip !== undefined && n.hostAddresses.includes(ip));
    if (hit) return { ...d, node: hit.name };
  }
  for (const raw of d.statusIPs) {
    const ip = parseIP(raw.split('/')[0]!);
    if (!ip) continue;
    const hit = nodes.find((n) => (hostSubnets.get(n.name) ?? []).some((s) => { const c = parseCIDR(s); return c !== undefined && cidrContains(c, ip); }));
    if (hit) return { ...d, node: hit.name };
  }
  const fit = nodes.filter((n) => n.synthesized || (!n.unschedulable && nodeFits(n, d.nodeSelector, d.tolerations)));
  if (fit.length === 0) {
    p.notice(`pod ${d.namespace}/${d.name} fits no node (nodeSelector/taints): it stays Pending`, d.ref);
    return { ...d, node: '' };
  }
  const start = Number(fnv1a64(d.spreadKey) % BigInt(fit.length));
  return { ...d, node: fit[(start + d.spreadIndex) % fit.length]!.name };
}

/** Two workloads can produce the same pod name (a Pod web-0 and a StatefulSet web): the second would fail to create. */
function checkPodNames(pods: ScheduledDraft[], p: Problems): void {
  const seen = new Map<string, ScheduledDraft>();
  for (const d of [...pods].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`) || cmp(a.workload.kind, b.workload.kind))) {
    const key = `${d.namespace}/${d.name}`;
    const prev = seen.get(key);
    if (prev) {
      p.error(d.mo, `pod ${key} from ${describe(d.workload)} clashes with the pod of the same name from ${describe(prev.workload)}`);
      continue;
    }
    seen.set(key, d);
  }
}
