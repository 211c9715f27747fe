/**
 * NetworkPolicy lowering (ovnk-lowering.md §1): per network controller, policy port groups, shared
 * default-deny port groups, PodSelector address sets, gress ACLs; plus hairpin and node allows.
 */
import type { ObjectRef } from '../common/source.js';
import type { ClusterModel, NetworkPolicy, Pod } from '../model/types.js';
import type { IPBlock, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../model/k8s.js';
import type { NbBuilder } from './builder.js';
import { type AclLogging, buildAcl, ensureAddressSets, ensurePortGroup, parseAclLogging } from './common.js';
import { HOST_NETWORK_NAMESPACE, ID_KEYS, MASQUERADE, NETPOL, OWNER, PRIORITY, TIER } from './constants.js';
import { type NetCtx, attachmentOn, indexOf, isWiredPod, podIPs, podLspId } from './context.js';
import { dbObjectIDs } from './dbids.js';
import { isIPv6 } from './ip.js';
import { type PolicyPort, UNSPECIFIED_L4, l4MatchesFromPorts, ovnProtocol } from './l4.js';
import { goStringCompare, podSelectorKey, selectorMatches } from './selectors.js';
import { clusterPortGroupId } from './topology.js';
import { rowId } from './types.js';

export type GressType = 'Ingress' | 'Egress';

export interface PolicyOptions {
  /** config.OVNKubernetesFeature.EnableStatelessNetPol (default false) */
  enableStatelessNetPol: boolean;
  /** config.OVNKubernetesFeature.AllowICMPNetworkPolicy (default false) */
  allowICMPNetworkPolicy: boolean;
}

// ---------------------------------------------------------------- match text (pure, unit-tested)

/** gressPolicy.getL3MatchFromAddressSet: `ip4.src == {$a, $b}`, dual `(… || …)`; sorted `$` names. */
export function l3MatchFromAddressSets(dir: GressType, v4: readonly string[], v6: readonly string[]): string {
  const d = dir === 'Ingress' ? 'src' : 'dst';
  const s4 = [...v4].map((n) => `$${n}`).sort(goStringCompare);
  const s6 = [...v6].map((n) => `$${n}`).sort(goStringCompare);
  const m4 = s4.length ? `ip4.${d} == {${s4.join(', ')}}` : '';
  const m6 = s6.length ? `ip6.${d} == {${s6.join(', ')}}` : '';
  if (m4 && m6) return `(${m4} || ${m6})`;
  return m4 || m6;
}

/** gressPolicy.allIPsMatch */
export function allIPsMatch(ipv4: boolean, ipv6: boolean): string {
  if (ipv4 && ipv6) return '(ip4 || ip6)';
  return ipv6 ? 'ip6' : 'ip4';
}

/**
 * v1.3.0 combined ipBlock match (gress_policy_test.go TestGetMatchFromIPBlockFallback):
 * one block `ip4.src == C`, with except `(ip4.src == C && ip4.src != {E1, E2})`, several `(A || B)`.
 */
export function ipBlockMatch(dir: GressType, blocks: readonly IPBlock[], lportMatch: string, l4: string): string {
  const d = dir === 'Ingress' ? 'src' : 'dst';
  const parts = blocks.map((b) => {
    const v = isIPv6(b.cidr) ? 'ip6' : 'ip4';
    const base = `${v}.${d} == ${b.cidr}`;
    return b.except && b.except.length ? `(${base} && ${v}.${d} != {${b.except.join(', ')}})` : base;
  });
  const l3 = parts.length > 1 ? `(${parts.join(' || ')})` : parts[0]!;
  return l4 === UNSPECIFIED_L4 ? `${l3} && ${lportMatch}` : `${l3} && ${l4} && ${lportMatch}`;
}

/** addPortPolicy: protocol default TCP; named port → IntVal 0 (widens to the whole protocol). */
export function toPolicyPort(p: NetworkPolicyPort): PolicyPort {
  const proto = ovnProtocol(p.protocol ?? 'TCP');
  const port = typeof p.port === 'number' ? p.port : 0;
  const endPort = p.port !== undefined && p.endPort !== undefined ? p.endPort : 0;
  return { protocol: proto, port, endPort };
}

// ---------------------------------------------------------------- lowering

interface Selected {
  pod: Pod;
  lspId: string;
}

/** Peer pod IPs for a PodSelector address set on this network. */
function peerAddresses(model: ClusterModel, ctx: NetCtx, peer: { podSelector: LabelSelector; namespaceSelector?: LabelSelector }, policyNs: string, lnm: boolean): string[] {
  const ix = indexOf(model);
  const namespaces = peer.namespaceSelector
    ? model.namespaces.filter((n) => selectorMatches(peer.namespaceSelector!, n.labels)).map((n) => n.name)
    : [policyNs];
  const out: string[] = [];
  for (const ns of namespaces) {
    for (const pod of ix.podsByNamespace.get(ns) ?? []) {
      if (pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
      if (!selectorMatches(peer.podSelector, pod.labels)) continue;
      if (pod.hostNetwork) {
        if (lnm) continue;
        const node = ix.node.get(pod.node);
        if (node) out.push(...node.hostAddresses);
        continue;
      }
      const att = attachmentOn(pod, ctx.net.id);
      if (att) out.push(...podIPs(att));
    }
  }
  if (lnm && peer.namespaceSelector) {
    const hostNs = ix.namespace.get(HOST_NETWORK_NAMESPACE);
    if (hostNs && selectorMatches(peer.namespaceSelector, hostNs.labels)) {
      for (const node of model.nodes) out.push(...ctx.mgmtIPs(node.name), ...ctx.grJoinIPs(node.name));
    }
  }
  return out;
}

const peerCache = new WeakMap<NetCtx, Map<string, string[]>>();
/** PodSelector address sets are shared by key; compute each key's contents once per network. */
function peerAddressesCached(_model: ClusterModel, ctx: NetCtx, key: string, compute: () => string[]): string[] {
  let m = peerCache.get(ctx);
  if (!m) { m = new Map(); peerCache.set(ctx, m); }
  let v = m.get(key);
  if (!v) { v = compute(); m.set(key, v); }
  return v;
}

function selectedPods(model: ClusterModel, ctx: NetCtx, np: NetworkPolicy): Selected[] {
  const out: Selected[] = [];
  for (const pod of indexOf(model).podsByNamespace.get(np.namespace) ?? []) {
    if (!isWiredPod(pod)) continue;
    if (!selectorMatches(np.spec.podSelector, pod.labels)) continue;
    const att = attachmentOn(pod, ctx.net.id);
    if (!att || att.role === 'infrastructure') continue;
    out.push({ pod, lspId: podLspId(pod, att, ctx.net) });
  }
  return out.sort((a, b) => goStringCompare(a.lspId, b.lspId));
}

/** Policies handled by this network's controller: those in namespaces whose primary network it is. */
export function policiesOfNetwork(model: ClusterModel, ctx: NetCtx): NetworkPolicy[] {
  const primary = new Map(model.namespaces.map((n) => [n.name, n.primaryNetwork] as const));
  return model.networkPolicies
    .filter((p) => (primary.get(p.namespace) ?? 'default') === ctx.net.id)
    .sort((a, b) => goStringCompare(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

export function lowerNetworkPolicies(b: NbBuilder, model: ClusterModel, ctx: NetCtx, opts: PolicyOptions): void {
  const policies = policiesOfNetwork(model, ctx);
  const byNs = new Map<string, NetworkPolicy[]>();
  for (const p of policies) byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), p]);

  for (const [ns, nps] of [...byNs.entries()].sort((a, c) => goStringCompare(a[0], c[0]))) {
    const nsObj = model.namespaces.find((n) => n.name === ns);
    const logging = parseAclLogging(nsObj?.annotations ?? {}, NETPOL.aclLoggingAnnotation);
    const nsProv: ObjectRef[] = nps.map((p) => p.ref);
    // shared default-deny port groups and ACLs
    const denyPG: Record<GressType, string> = { Ingress: '', Egress: '' };
    for (const dir of ['Ingress', 'Egress'] as const) {
      const pgIds = dbObjectIDs(ctx.controller, OWNER.netpolNamespace, ID_KEYS.pgNetpolNamespace, { name: ns, direction: dir });
      const pg = ensurePortGroup(b, ctx, pgIds, nsProv);
      denyPG[dir] = pg.id;
      const lport = dir === 'Ingress' ? `outport == @${pg.name}` : `inport == @${pg.name}`;
      const pipeline = dir === 'Ingress' ? 'to-lport' : 'from-lport-after-lb';
      const mk = (type: string, prio: number, match: string, action: 'drop' | 'allow', log?: AclLogging) =>
        b.attachAcl(buildAcl({
          ids: dbObjectIDs(ctx.controller, OWNER.netpolNamespace, ID_KEYS.aclNetpolNamespace, { name: ns, direction: dir, type }),
          name: `NP:${ns}:${dir}`, priority: prio, match, action, pipeline, tier: TIER.default,
          ...(log ? { logging: log } : {}),
          attachedTo: pg.id, network: ctx.net.id, provenance: nsProv,
        }));
      mk(NETPOL.defaultDenyType, PRIORITY.deny, lport, 'drop', logging);
      mk(NETPOL.arpAllowType, PRIORITY.allow, `${lport} && ${NETPOL.arpAllowMatch}`, 'allow');
      if (opts.allowICMPNetworkPolicy) mk('icmpAllow', PRIORITY.allow, `${lport} && (icmp || icmp6)`, 'allow');
    }

    for (const np of nps) {
      const prov = [np.ref];
      const pgIds = dbObjectIDs(ctx.controller, OWNER.networkPolicy, ID_KEYS.pgNetworkPolicy, { name: `${np.namespace}:${np.name}` });
      const pg = ensurePortGroup(b, ctx, pgIds, prov);
      const sel = selectedPods(model, ctx, np);
      const isIngress = np.spec.policyTypes.includes('Ingress');
      const isEgress = np.spec.policyTypes.includes('Egress');
      for (const s of sel) {
        b.addPortToGroup(pg.id, s.lspId);
        if (isIngress) b.addPortToGroup(denyPG.Ingress, s.lspId, prov);
        if (isEgress) b.addPortToGroup(denyPG.Egress, s.lspId, prov);
      }
      let stateless = np.annotations[NETPOL.statelessAnnotation] === 'true';
      if (stateless && !opts.enableStatelessNetPol) {
        b.notices.push({ message: `NetworkPolicy ${np.namespace}/${np.name}: ${NETPOL.statelessAnnotation} ignored (EnableStatelessNetPol is off)`, ref: np.ref });
        stateless = false;
      }
      const action = stateless ? 'allow-stateless' : 'allow-related';
      const gresses: Array<[GressType, Array<{ ports?: NetworkPolicyPort[]; peers?: NetworkPolicyPeer[] }>]> = [
        ['Ingress', (np.spec.ingress ?? []).map((r) => ({ ...(r.ports ? { ports: r.ports } : {}), ...(r.from ? { peers: r.from } : {}) }))],
        ['Egress', (np.spec.egress ?? []).map((r) => ({ ...(r.ports ? { ports: r.ports } : {}), ...(r.to ? { peers: r.to } : {}) }))],
      ];
      for (const [dir, rules] of gresses) {
        rules.forEach((rule, idx) => {
          lowerGress(b, model, ctx, np, dir, idx, rule.ports ?? [], rule.peers ?? [], pg.name, pg.id, action, logging);
        });
      }
    }
  }
}

function lowerGress(
  b: NbBuilder, model: ClusterModel, ctx: NetCtx, np: NetworkPolicy, dir: GressType, idx: number,
  ports: NetworkPolicyPort[], peers: NetworkPolicyPeer[], pgName: string, pgId: string,
  action: 'allow-related' | 'allow-stateless', logging: AclLogging | undefined,
): void {
  const prov = [np.ref];
  const lport = dir === 'Ingress' ? `outport == @${pgName}` : `inport == @${pgName}`;
  const pipeline = dir === 'Ingress' ? 'to-lport' : 'from-lport-after-lb';
  const ipBlocks: IPBlock[] = [];
  const v4: string[] = [];
  const v6: string[] = [];
  let hasPeerSelector = false;
  for (const peer of peers) {
    if (peer.ipBlock) { ipBlocks.push(peer.ipBlock); continue; }
    if (!peer.podSelector && !peer.namespaceSelector) continue;
    hasPeerSelector = true;
    const lnm = !peer.podSelector && !!peer.namespaceSelector;
    const podSelector = peer.podSelector ?? {};
    const key = podSelectorKey({ podSelector, namespaceSelector: peer.namespaceSelector, namespace: np.namespace, legacyNetpolMode: lnm });
    const addrs = peerAddressesCached(model, ctx, key, () => peerAddresses(model, ctx, { podSelector, ...(peer.namespaceSelector ? { namespaceSelector: peer.namespaceSelector } : {}) }, np.namespace, lnm));
    const names = ensureAddressSets(b, ctx, ctx.controller, OWNER.podSelector, ID_KEYS.asPodSelector, { name: key }, addrs, prov);
    if (names.v4) v4.push(names.v4);
    if (names.v6) v6.push(names.v6);
  }
  const isEmpty = !hasPeerSelector && ipBlocks.length === 0;
  for (const p of ports) {
    if (typeof p.port === 'string') {
      b.notices.push({ message: `NetworkPolicy ${np.namespace}/${np.name} ${dir.toLowerCase()}[${idx}]: named port '${p.port}' is unsupported by ovn-kubernetes and widens to all ${p.protocol} ports (ovn-kubernetes#2117)`, ref: np.ref });
    }
  }
  const mkIds = (proto: string, ipBlockIdx: number) => dbObjectIDs(ctx.controller, OWNER.networkPolicy, ID_KEYS.aclNetworkPolicy, {
    name: `${np.namespace}:${np.name}`, direction: dir, 'gress-index': String(idx), 'port-policy-protocol': proto, 'ip-block-index': String(ipBlockIdx),
  });
  for (const [proto, l4] of l4MatchesFromPorts(ports.map(toPolicyPort))) {
    const emit = (ipBlockIdx: number, match: string) => b.attachAcl(buildAcl({
      ids: mkIds(proto, ipBlockIdx), name: `NP:${np.namespace}:${np.name}:${dir}:${idx}`, priority: PRIORITY.allow, match, action,
      pipeline, tier: TIER.default, ...(logging ? { logging } : {}), attachedTo: pgId, network: ctx.net.id, provenance: prov,
    }));
    if (ipBlocks.length) emit(NETPOL.combinedIpBlockIndex, ipBlockMatch(dir, ipBlocks, lport, l4));
    if (hasPeerSelector || isEmpty) {
      const l3 = isEmpty ? allIPsMatch(ctx.ipv4, ctx.ipv6) : l3MatchFromAddressSets(dir, v4, v6);
      if (l3 === '') continue;
      emit(NETPOL.selectorIpBlockIndex, l4 === UNSPECIFIED_L4 ? `${l3} && ${lport}` : `${l3} && ${l4} && ${lport}`);
    }
  }
}

/** Hairpin allow ACLs on clusterPortGroup (addHairpinAllowACL). */
export function lowerHairpinAcls(b: NbBuilder, ctx: NetCtx): void {
  const m4 = `ip4.src == ${MASQUERADE.v4Hairpin}`;
  const m6 = `ip6.src == ${MASQUERADE.v6Hairpin}`;
  const match = ctx.ipv4 && ctx.ipv6 ? `(${m4} || ${m6})` : ctx.ipv6 ? m6 : m4;
  for (const dir of ['Ingress', 'Egress'] as const) {
    b.attachAcl(buildAcl({
      ids: dbObjectIDs(ctx.controller, OWNER.netpolDefault, ID_KEYS.aclNetpolDefault, { name: NETPOL.hairpinName, direction: dir }),
      name: '', priority: PRIORITY.allow, match, action: 'allow-related',
      pipeline: dir === 'Ingress' ? 'to-lport' : 'from-lport-after-lb', tier: TIER.default,
      attachedTo: clusterPortGroupId(ctx), network: ctx.net.id, provenance: [...ctx.provenance],
    }));
  }
}

/** addAllowACLFromNode: per pod switch, `ip4.src==<mgmtIP>` (no spaces), id keyed by switch name. */
export function lowerNodeAllowAcls(b: NbBuilder, model: ClusterModel, ctx: NetCtx): void {
  for (const node of [...model.nodes].sort((a, c) => goStringCompare(a.name, c.name))) {
    const swName = ctx.podSwitch(node.name);
    const swId = rowId('Logical_Switch', swName);
    if (!b.switches.get(swId)) continue;
    for (const ip of ctx.mgmtIPs(node.name)) {
      const fam = isIPv6(ip) ? 'ip6' : 'ip4';
      b.attachAcl(buildAcl({
        ids: dbObjectIDs(ctx.controller, OWNER.netpolNode, ID_KEYS.aclNetpolNode, { name: swName, ip }),
        name: '', priority: PRIORITY.allow, match: `${fam}.src==${ip}`, action: 'allow-related', pipeline: 'to-lport',
        tier: TIER.default, attachedTo: swId, network: ctx.net.id, provenance: [...ctx.provenance, node.ref],
      }));
    }
  }
}
