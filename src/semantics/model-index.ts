/**
 * Per-model lookup tables, built once per ClusterModel (cached in a WeakMap) so that evaluating a
 * full matrix stays linear in the number of probes times the policies that select each pod.
 */
import type {
  AdminNetworkPolicy, Attachment, ClusterModel, Namespace, Network, NetworkPolicy, Node, Pod, Service,
} from '../model/types.js';
import { type Labels, parseCIDR, parseIP, selectorMatches, stripPrefix, type ParsedCIDR } from './net.js';
import type { LabelSelector } from '../model/k8s.js';

export interface IPOwner {
  pod: Pod;
  attachment: Attachment;
}

export interface ModelIndex {
  model: ClusterModel;
  pods: Map<string, Pod>; // ns/name
  namespaces: Map<string, Namespace>;
  networks: Map<string, Network>;
  nodes: Map<string, Node>;
  services: Map<string, Service>; // ns/name
  /** pod IPs (no prefix) → owning attachments, on any network (overlapping UDN subnets give several) */
  podIPs: Map<string, IPOwner[]>;
  /** service VIPs (ClusterIP, externalIP, LB ingress IP) → service */
  serviceIPs: Map<string, Service>;
  /** node host addresses → node */
  nodeIPs: Map<string, Node>;
  npByNamespace: Map<string, NetworkPolicy[]>;
  /** ANPs by ascending priority (ties by name, so the order is deterministic) */
  anps: AdminNetworkPolicy[];
  nsLabels(ns: string): Labels;
  cidr(text: string): ParsedCIDR | undefined;
  /** memoized: does the selector (by identity) match these labels (by identity)? */
  matches(sel: LabelSelector | undefined, labels: Labels): boolean;
}

const cache = new WeakMap<ClusterModel, ModelIndex>();

export function indexModel(model: ClusterModel): ModelIndex {
  const hit = cache.get(model);
  if (hit) return hit;
  const pods = new Map(model.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const namespaces = new Map(model.namespaces.map((n) => [n.name, n]));
  const networks = new Map(model.networks.map((n) => [n.id, n]));
  const nodes = new Map(model.nodes.map((n) => [n.name, n]));
  const services = new Map(model.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const podIPs = new Map<string, IPOwner[]>();
  for (const pod of model.pods) {
    if (pod.hostNetwork) continue;
    for (const a of pod.attachments) {
      for (const ip of a.ips) {
        const k = canonicalIP(ip);
        const l = podIPs.get(k) ?? [];
        l.push({ pod, attachment: a });
        podIPs.set(k, l);
      }
    }
  }
  const serviceIPs = new Map<string, Service>();
  for (const s of model.services) {
    for (const ip of [...s.clusterIPs, ...s.externalIPs, ...s.loadBalancerIPs]) {
      if (ip && ip !== 'None') serviceIPs.set(canonicalIP(ip), s);
    }
  }
  const nodeIPs = new Map<string, Node>();
  for (const n of model.nodes) for (const ip of n.hostAddresses) nodeIPs.set(canonicalIP(ip), n);
  const npByNamespace = new Map<string, NetworkPolicy[]>();
  for (const np of model.networkPolicies) {
    const l = npByNamespace.get(np.namespace) ?? [];
    l.push(np);
    npByNamespace.set(np.namespace, l);
  }
  const anps = [...model.adminNetworkPolicies].sort(
    (a, b) => a.spec.priority - b.spec.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const emptyLabels: Labels = Object.freeze({});
  const cidrs = new Map<string, ParsedCIDR | undefined>();
  const memo = new WeakMap<LabelSelector, WeakMap<Labels, boolean>>();
  const idx: ModelIndex = {
    model, pods, namespaces, networks, nodes, services, podIPs, serviceIPs, nodeIPs, npByNamespace, anps,
    nsLabels: (ns) => namespaces.get(ns)?.labels ?? emptyLabels,
    cidr(text) {
      if (!cidrs.has(text)) cidrs.set(text, parseCIDR(text));
      return cidrs.get(text);
    },
    matches(sel, labels) {
      // A missing selector where the API requires one (lenient corpora omit podSelector in ANP
      // `pods` peers) reads as `{}`, as upstream analyzers do.
      if (!sel) return true;
      let m = memo.get(sel);
      if (!m) memo.set(sel, (m = new WeakMap()));
      let r = m.get(labels);
      if (r === undefined) m.set(labels, (r = selectorMatches(sel, labels)));
      return r;
    },
  };
  cache.set(model, idx);
  return idx;
}

/** One spelling per address, so '10.0.0.1/24', '10.0.0.1' and v6 forms meet in one map key. */
export function canonicalIP(ip: string): string {
  const p = parseIP(stripPrefix(ip));
  if (!p) return stripPrefix(ip);
  return `${p.v6 ? '6' : '4'}:${p.n.toString(16)}`;
}
