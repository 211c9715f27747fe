/**
 * The connectivity oracle: evaluate(model, probe) → verdict with its reason chain.
 * A pure function of the model; it never looks at NB rows, flows or the classifier, because it is
 * what those are checked against. Each semantic choice is documented in ./README.md.
 */
import type { ObjectRef } from '../common/source.js';
import type {
  AdminNetworkPolicyEgressPeer, AdminNetworkPolicyIngressPeer, AdminNetworkPolicyPort,
  NetworkPolicyPeer, NetworkPolicyPort, Protocol,
} from '../model/k8s.js';
import type { Attachment, Network, Node, Pod, Service } from '../model/types.js';
import { canonicalIP, indexModel, type ModelIndex } from './model-index.js';
import { cidrContains, parseIP, stripPrefix, type ParsedIP } from './net.js';
import {
  SEMANTICS_PRESETS, type Choices, type DirectionVerdict, type EvalOptions, type PeerSpec, type Probe,
  type ReasonStep, type Verdict,
} from './types.js';
import type { ClusterModel } from '../model/types.js';

/** A resolved end of a connection as seen on one network. */
interface Party {
  /** the pod (including hostNetwork pods) */
  pod?: Pod;
  attachment?: Attachment;
  /** address on the wire, without prefix */
  ip?: string;
  parsed?: ParsedIP;
  /** the node when the party is a node host address or a hostNetwork pod */
  node?: Node;
  /** hostNetwork pod or node: outside every pod port group */
  host: boolean;
  label: string;
}

interface Ctx {
  idx: ModelIndex;
  c: Choices;
  protocol: Protocol;
  port: number;
}

export function evaluate(model: ClusterModel, probe: Probe, opts: EvalOptions = {}): Verdict {
  const idx = indexModel(model);
  const c = { ...SEMANTICS_PRESETS[opts.semantics ?? 'ovn-kubernetes'], ...opts.choices };
  const ctx: Ctx = { idx, c, protocol: probe.protocol, port: probe.port };
  const pre: ReasonStep[] = [];

  // Destinations given as a VIP are Services; resolve them to endpoints first.
  let dstSpec = probe.dst;
  if (dstSpec.kind === 'ip') {
    const svc = idx.serviceIPs.get(canonicalIP(dstSpec.ip));
    if (svc) return evaluateService(ctx, probe.src, svc, probe, opts, stripPrefix(dstSpec.ip));
  }
  if (dstSpec.kind === 'service') {
    const svc = idx.services.get(`${dstSpec.namespace}/${dstSpec.name}`);
    if (!svc) return denied([step('input', 'deny', `no Service ${dstSpec.namespace}/${dstSpec.name} in the manifests`)]);
    return evaluateService(ctx, probe.src, svc, probe, opts);
  }
  if (probe.src.kind === 'service') {
    return denied([step('input', 'deny', 'a Service cannot be the source of a probe; use one of its pods')]);
  }
  const network = probe.src.kind === 'pod' ? probe.src.network ?? (dstSpec.kind === 'pod' ? dstSpec.network : undefined)
    : dstSpec.kind === 'pod' ? dstSpec.network : undefined;
  const src = resolve(ctx, probe.src, network, pre);
  if (!src) return denied(pre);
  // A pod destination uses its own primary network unless the probe names one; an IP destination
  // is looked up on the source's network first (overlapping UDN subnets reuse addresses).
  const dst = resolve(ctx, dstSpec, dstSpec.kind === 'pod' ? network : network ?? src.attachment?.network, pre);
  if (!dst) return denied(pre);
  return evaluatePair(ctx, src, dst, pre);
}

// ---------------------------------------------------------------------------------------------
// Resolution

function resolve(ctx: Ctx, spec: PeerSpec, network: string | undefined, out: ReasonStep[]): Party | undefined {
  const { idx } = ctx;
  if (spec.kind === 'pod') {
    const pod = idx.pods.get(`${spec.namespace}/${spec.name}`);
    if (!pod) {
      out.push(step('input', 'deny', `no pod ${spec.namespace}/${spec.name} in the model`));
      return undefined;
    }
    return podParty(ctx, pod, network, out);
  }
  if (spec.kind === 'ip') {
    const parsed = parseIP(spec.ip);
    if (!parsed) {
      out.push(step('input', 'deny', `'${spec.ip}' is not an IP address`));
      return undefined;
    }
    const key = canonicalIP(spec.ip);
    const owners = idx.podIPs.get(key);
    if (owners?.length) {
      const o = owners.find((x) => network === undefined || x.attachment.network === network) ?? owners[0]!;
      return { pod: o.pod, attachment: o.attachment, ip: stripPrefix(spec.ip), parsed, host: false, label: podName(o.pod) };
    }
    const node = idx.nodeIPs.get(key);
    if (node) return { node, ip: stripPrefix(spec.ip), parsed, host: true, label: `node ${node.name} (${stripPrefix(spec.ip)})` };
    return { ip: stripPrefix(spec.ip), parsed, host: false, label: stripPrefix(spec.ip) };
  }
  out.push(step('input', 'deny', 'a Service is only a destination'));
  return undefined;
}

/** Parties are immutable per (pod, network, hostNetwork reading): cache them per model index. */
const partyCache = new WeakMap<ModelIndex, WeakMap<Pod, Map<string, Party | undefined>>>();

function podParty(ctx: Ctx, pod: Pod, network: string | undefined, out: ReasonStep[]): Party | undefined {
  let byPod = partyCache.get(ctx.idx);
  if (!byPod) partyCache.set(ctx.idx, (byPod = new WeakMap()));
  let cache = byPod.get(pod);
  if (!cache) byPod.set(pod, (cache = new Map()));
  const key = (ctx.c.hostNetworkOutsidePolicy ? 'h|' : 'k|') + (network ?? '');
  if (cache.has(key)) {
    const hit = cache.get(key);
    if (!hit) computeParty(ctx, pod, network, out); // re-run for its reason step
    return hit;
  }
  const p = computeParty(ctx, pod, network, out);
  cache.set(key, p);
  return p;
}

function computeParty(ctx: Ctx, pod: Pod, network: string | undefined, out: ReasonStep[]): Party | undefined {
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') {
    // ovn-k releases a completed pod's port and address; nothing answers or sends for it.
    out.push(step('input', 'deny', `${podName(pod)} has completed (phase ${pod.phase}): it has no network endpoint`, pod.ref));
    return undefined;
  }
  if (pod.hostNetwork) {
    const node = ctx.idx.nodes.get(pod.node);
    const ip = node?.hostAddresses[0];
    if (!ctx.c.hostNetworkOutsidePolicy) {
      // The NetworkPolicy spec leaves hostNetwork pods undefined; read literally, policies select
      // them by labels like any pod (as netpol-analyzer does). They sit on the default network.
      const attachment: Attachment = {
        network: 'default', role: 'primary', interfaceName: 'host', ips: ip ? [ip] : [], mac: '', gatewayIPs: [],
      };
      return { pod, node, attachment, ip, parsed: ip ? parseIP(ip) : undefined, host: false, label: `${podName(pod)} (hostNetwork)` };
    }
    return { pod, node, ip, parsed: ip ? parseIP(ip) : undefined, host: true, label: `${podName(pod)} (hostNetwork)` };
  }
  const att = network
    ? pod.attachments.find((a) => a.network === network && a.role !== 'infrastructure')
      ?? pod.attachments.find((a) => a.network === network)
    : pod.attachments.find((a) => a.role === 'primary');
  if (!att) {
    out.push(step('isolation', 'deny', network
      ? `${podName(pod)} has no interface on network ${network}`
      : `${podName(pod)} has no primary network interface`, pod.ref));
    return undefined;
  }
  const ip = att.ips[0] ? stripPrefix(att.ips[0]) : undefined;
  return { pod, attachment: att, ip, parsed: ip ? parseIP(ip) : undefined, host: false, label: podName(pod) };
}

/**
 * ovn-kubernetes (services/lb_config.go, ovn-kubernetes#4066) gives a ClientIP Service OVN's
 * affinity_timeout, except for the largest timeout, 86400 s, which it programs as permanent
 * affinity (selection_fields ip_src/ip_dst, no learn stage and no drop). Restated here, not read
 * from src/northbound: the evaluator is the independent oracle of the lowering.
 */
const PERMANENT_AFFINITY_SECONDS = 86400;
const DEFAULT_AFFINITY_SECONDS = 10800;
function affinityTimeout(svc: Service): number | undefined {
  if (svc.sessionAffinity !== 'ClientIP') return undefined;
  const t = svc.affinityTimeoutSeconds ?? DEFAULT_AFFINITY_SECONDS;
  return t === PERMANENT_AFFINITY_SECONDS ? undefined : t;
}

function evaluateService(
  ctx: Ctx, srcSpec: PeerSpec, svc: Service, probe: Probe, opts: EvalOptions, vip?: string,
): Verdict {
  const pre: ReasonStep[] = [];
  const sp = svc.ports.find((p) => p.protocol === probe.protocol && p.port === probe.port);
  const what = `Service ${svc.namespace}/${svc.name}${vip ? ` (${vip})` : ''}`;
  if (svc.type === 'ExternalName') {
    return denied([step('service', 'deny', `${what} is an ExternalName service: OVN programs no load balancer for it`, svc.ref)]);
  }
  if (!sp) {
    return denied([step('service', 'deny', `${what} has no port ${probe.protocol}/${probe.port}`, svc.ref)]);
  }
  const eligible = svc.endpoints.filter((e) => e.ready || svc.publishNotReadyAddresses);
  const eps = eligible.length ? eligible : svc.endpoints.filter((e) => e.serving && e.terminating);
  if (!eps.length) {
    return denied([step('service', 'deny',
      `${what} port ${sp.name ? `'${sp.name}' ` : ''}${sp.port} has no ready endpoints: the load balancer rejects the connection`, svc.ref)]);
  }
  const results: NonNullable<Verdict['endpoints']> = [];
  for (const ep of eps) {
    const epPort = ep.ports.find((p) => p.protocol === sp.protocol && (p.name ?? '') === (sp.name ?? ''))
      ?? (ep.ports.length === 1 && svc.ports.length === 1 ? ep.ports[0] : undefined);
    let target: number | undefined = epPort?.port;
    if (target === undefined && typeof sp.targetPort === 'number') target = sp.targetPort;
    const podKey = ep.pod ? `${ep.pod.namespace}/${ep.pod.name}` : undefined;
    if (target === undefined) {
      const pod = podKey ? ctx.idx.pods.get(podKey) : undefined;
      target = pod?.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol)?.containerPort;
    }
    if (target === undefined) {
      results.push({ pod: podKey, ip: ep.ip, port: 0, verdict: denied([step('service', 'deny',
        `${what}: endpoint ${ep.ip} does not resolve target port '${String(sp.targetPort)}'`, svc.ref)]) });
      continue;
    }
    const dst: PeerSpec = podKey
      ? { kind: 'pod', namespace: ep.pod!.namespace, name: ep.pod!.name, network: svc.network }
      : { kind: 'ip', ip: ep.ip };
    const inner = evaluate(ctx.idx.model, { src: srcSpec, dst, protocol: probe.protocol, port: target }, opts);
    const via = step('service', 'info', `${what} port ${sp.port} → endpoint ${podKey ?? ep.ip} ${ep.ip}:${target}`, svc.ref);
    results.push({ pod: podKey, ip: ep.ip, port: target, verdict: { ...inner, reasons: [via, ...inner.reasons] } });
  }
  results.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
  // Reachable when at least one endpoint accepts (the load balancer picks one per connection).
  const ok = results.filter((r) => r.verdict.allowed);
  const chosen = ok[0] ?? results[0]!;
  pre.push(step('service', ok.length ? 'allow' : 'deny',
    `${what}: ${ok.length} of ${results.length} endpoint(s) reachable`, svc.ref));
  const firstDropped = ok.length > 0 && ctx.c.lbAffinityDropsFirstConnection && affinityTimeout(svc) !== undefined;
  if (firstDropped) {
    pre.push(step('service', 'deny',
      `${what} has ClientIP session affinity (affinity_timeout ${affinityTimeout(svc)} s): OVN drops a client's first connection. `
      + 'Its first packet reaches the affinity learn stage, which records client → backend and ends without `next` '
      + '(northd 25.03 ls_in_lb_aff_learn / lr_in_lb_aff_learn); the connection\'s retransmissions stay +new in conntrack and are dropped the same way. '
      + 'Later connections from the client within the timeout go to the learned backend (ovn-kubernetes#4066; seen on the real datapath)', svc.ref));
  }
  return {
    allowed: ok.length > 0 && !firstDropped,
    ingress: chosen.verdict.ingress,
    egress: chosen.verdict.egress,
    reasons: [...pre, ...chosen.verdict.reasons],
    network: chosen.verdict.network ?? svc.network,
    endpoints: results,
  };
}

// ---------------------------------------------------------------------------------------------
// Pair evaluation

function evaluatePair(ctx: Ctx, src: Party, dst: Party, pre: ReasonStep[]): Verdict {
  const { idx, c } = ctx;

  if (src.pod && dst.pod && src.pod === dst.pod && c.loopbackBypassesPolicy) {
    const s = step('loopback', 'allow', `${src.label} to itself: the packet stays in the pod's network namespace and never reaches OVN`, src.pod.ref);
    return verdict(pre, allow([s]), allow([s]), src.attachment?.network);
  }

  // Tier 0: network segmentation.
  for (const [p, other] of [[src, dst], [dst, src]] as const) {
    if (p.attachment?.role === 'infrastructure' && !(other.host && other.node?.name === p.pod?.node)) {
      const s = step('isolation', 'deny',
        `${p.label} is on a primary user-defined network: its default-network port is locked by the UDNIsolation ACLs ` +
        '(only kubelet probes from its own node pass)', idx.networks.get(p.pod!.attachments.find((a) => a.role === 'primary')?.network ?? '')?.owner);
      return verdict([...pre, s], deny([s]), deny([s]), undefined);
    }
  }
  const netId = src.attachment?.network ?? dst.attachment?.network ?? 'default';
  if (src.attachment && dst.attachment && src.attachment.network !== dst.attachment.network) {
    const sn = idx.networks.get(src.attachment.network);
    const dn = idx.networks.get(dst.attachment.network);
    const s = step('isolation', 'deny',
      `${src.label} is on network ${src.attachment.network}, ${dst.label} on ${dst.attachment.network}: ` +
      'different primary networks never connect pod to pod (separate OVN switches/routers; UDNIsolation ACLs on the default network)',
      (dn ?? sn)?.owner);
    return verdict([...pre, s], deny([s]), deny([s]), undefined);
  }
  const network = idx.networks.get(netId);
  if (src.host && dst.attachment && network && network.role !== 'default') {
    const s = step('isolation', 'deny', `${src.label} is host traffic; ${dst.label} sits on ${netId}, which the host does not reach (kubelet probes go to the pod's default-network port)`, network.owner);
    return verdict([...pre, s], deny([s]), deny([s]), netId);
  }
  if (dst.host && src.attachment && network && network.role === 'secondary') {
    const s = step('isolation', 'deny', `${dst.label} is a host address; secondary network ${netId} has no gateway to it`, network.owner);
    return verdict([...pre, s], deny([s]), deny([s]), netId);
  }
  if (network && (network.role === 'secondary' || !network.ovn)) {
    const s = step('isolation', 'allow', network.ovn
      ? `secondary network ${netId}: NetworkPolicy, ANP and BANP do not apply (MultiNetworkPolicy is not modeled)`
      : `network ${netId} is not programmed by OVN (${network.cniType ?? 'unknown CNI'}): no OVN policy applies ` +
        '(MultiNetworkPolicy, enforced outside OVN, is not modeled)', network.owner);
    return verdict([...pre, s], allow([s]), allow([s]), netId);
  }
  if (c.routerDropsMartians) {
    const m = martian(src, 'src') ?? martian(dst, 'dst');
    if (m) {
      const s = step('isolation', 'deny',
        `${m}: OVN's logical routers drop it before routing (northd lr_in_ip_input priority 100, ` +
        '`ip4.src_mcast || ip4.src == 255.255.255.255 || ip4.{src,dst} == 127.0.0.0/8 || ip4.{src,dst} == 0.0.0.0/8` → drop), whatever the policies say',
        network?.owner);
      return verdict([...pre, s], deny([s]), deny([s]), netId);
    }
  }
  const admin = network?.role === 'default' || !c.adminPoliciesDefaultNetworkOnly;
  const egress = src.pod && !src.host
    ? direction(ctx, 'egress', src, dst, admin, network)
    : allow([step('host', 'allow', src.pod || src.node
      ? `${src.label} is host traffic: no egress policy applies to it`
      : `${src.label} is outside the cluster: only the destination's ingress applies`)]);
  const ingress = dst.pod && !dst.host
    ? direction(ctx, 'ingress', dst, src, admin, network)
    : allow([step('host', 'allow', dst.pod || dst.node
      ? `${dst.label} is a host address: no ingress policy applies to it`
      : `${dst.label} is outside the cluster: only the source's egress applies`)]);
  return verdict(pre, ingress, egress, netId);
}

/** Addresses northd's lr_in_ip_input priority-100 flow drops, restated (the evaluator is an independent oracle). */
const MARTIAN_V4: Array<{ base: bigint; len: number; text: string; side: 'src' | 'both' }> = [
  { base: 0x00000000n, len: 8, text: '0.0.0.0/8', side: 'both' },
  { base: 0x7f000000n, len: 8, text: '127.0.0.0/8', side: 'both' },
  { base: 0xffffffffn, len: 32, text: '255.255.255.255', side: 'src' },
  { base: 0xe0000000n, len: 4, text: '224.0.0.0/4 (multicast)', side: 'src' },
];
/** Why OVN's router drops an outside party's address, or undefined. Pods and hosts are never martians here. */
function martian(p: Party, side: 'src' | 'dst'): string | undefined {
  if (p.pod || p.host || !p.parsed || p.parsed.v6) return undefined;
  for (const r of MARTIAN_V4) {
    if (r.side === 'src' && side !== 'src') continue;
    if (p.parsed.n >> BigInt(32 - r.len) === r.base >> BigInt(32 - r.len)) {
      return `${side === 'src' ? 'source' : 'destination'} ${p.label} is in ${r.text}`;
    }
  }
  return undefined;
}

/**
 * One direction: `subject` is the pod whose policies are evaluated (the source for egress, the
 * destination for ingress); `peer` is the other end.
 */
function direction(
  ctx: Ctx, dir: 'ingress' | 'egress', subject: Party, peer: Party, admin: boolean, network: Network | undefined,
): DirectionVerdict {
  const pod = subject.pod!;
  const steps: ReasonStep[] = [];
  // Traffic from the pod's own node (kubelet probes via the management port) is always allowed
  // by ovn-k's NetpolNode ACL, in tier 2; ANP peers never match the management IP.
  const sameNodeHost = dir === 'ingress' && peer.host && (peer.node?.name === pod.node) && ctx.c.hostNetworkOutsidePolicy;

  // Tier 1: AdminNetworkPolicy.
  if (admin) {
    const r = anpTier(ctx, dir, subject, peer);
    if (r) {
      steps.push(...r.steps);
      if (r.action === 'Allow') return allow(steps);
      if (r.action === 'Deny') return deny(steps);
    }
  }
  if (sameNodeHost) {
    steps.push(step('host', 'allow', `${peer.label} is ${pod.node}'s own host: ovn-kubernetes always allows it (NetpolNode ACL)`, peer.node?.ref));
    return allow(steps);
  }
  // Tier 2: NetworkPolicy.
  const np = npTier(ctx, dir, subject, peer, network);
  steps.push(...np.steps);
  if (np.isolated) return np.allowed ? allow(steps) : deny(steps);
  // Tier 3: BaselineAdminNetworkPolicy, only for pods no NetworkPolicy isolates.
  if (admin) {
    const r = banpTier(ctx, dir, subject, peer);
    if (r) {
      steps.push(r.step);
      return r.action === 'Allow' ? allow(steps) : deny(steps);
    }
  }
  steps.push(step('default', 'allow', `no policy isolates ${podName(pod)} for ${dir}: allowed by default`, undefined, dir));
  return allow(steps);
}

// ---------------------------------------------------------------------------------------------
// Tier 1 and 3

function adminSubjectMatches(ctx: Ctx, subject: { namespaces?: any; pods?: any }, pod: Pod): boolean {
  const { idx } = ctx;
  if (subject.namespaces) return idx.matches(subject.namespaces, idx.nsLabels(pod.namespace));
  if (subject.pods) {
    return idx.matches(subject.pods.namespaceSelector, idx.nsLabels(pod.namespace))
      && idx.matches(subject.pods.podSelector, pod.labels);
  }
  return false;
}

function adminPeerMatches(
  ctx: Ctx, peer: AdminNetworkPolicyIngressPeer & AdminNetworkPolicyEgressPeer, p: Party,
): string | undefined {
  const { idx } = ctx;
  if (peer.namespaces && p.pod && !p.host) {
    if (idx.matches(peer.namespaces, idx.nsLabels(p.pod.namespace))) return 'namespaces';
  }
  if (peer.pods && p.pod && !p.host) {
    if (idx.matches(peer.pods.namespaceSelector, idx.nsLabels(p.pod.namespace))
      && idx.matches(peer.pods.podSelector, p.pod.labels)) return 'pods';
  }
  if (peer.nodes && p.node && p.host && p.ip && p.node.hostAddresses.some((a) => stripPrefix(a) === p.ip)) {
    if (idx.matches(peer.nodes, p.node.labels)) return `nodes (${p.node.name})`;
  }
  if (peer.networks && p.parsed && !(p.pod && !ctx.c.ipBlockMatchesPodIPs)) {
    for (const n of peer.networks) {
      const c = idx.cidr(n);
      if (c && cidrContains(c, p.parsed)) return `networks ${n}`;
    }
  }
  return undefined;
}

function adminPortsMatch(ctx: Ctx, ports: AdminNetworkPolicyPort[] | undefined, dstPod: Pod | undefined): string | undefined {
  if (!ports || ports.length === 0) return 'all ports';
  for (const p of ports) {
    if (p.portNumber && p.portNumber.protocol === ctx.protocol && p.portNumber.port === ctx.port) {
      return `${p.portNumber.protocol}/${p.portNumber.port}`;
    }
    if (p.portRange && p.portRange.protocol === ctx.protocol && p.portRange.start <= ctx.port && ctx.port <= p.portRange.end) {
      return `${p.portRange.protocol}/${p.portRange.start}-${p.portRange.end}`;
    }
    // Named ports resolve on the destination pod (ovn-k: to pod IP:port terms).
    if (p.namedPort !== undefined && dstPod && !dstPod.hostNetwork) {
      const cp = dstPod.ports.find((c) => c.name === p.namedPort && c.protocol === ctx.protocol && c.containerPort === ctx.port);
      if (cp) return `namedPort '${p.namedPort}' = ${cp.protocol}/${cp.containerPort} on ${podName(dstPod)}`;
    }
  }
  return undefined;
}

function ruleLabel(dir: string, i: number, name?: string): string {
  return `${dir}[${i}]${name ? ` "${name}"` : ''}`;
}

function anpTier(ctx: Ctx, dir: 'ingress' | 'egress', subject: Party, peer: Party):
  { action: 'Allow' | 'Deny' | 'Pass'; steps: ReasonStep[] } | undefined {
  const pod = subject.pod!;
  const dstPod = dir === 'ingress' ? pod : peer.pod;
  const steps: ReasonStep[] = [];
  for (const anp of ctx.idx.anps) {
    if (ctx.c.anpPriorityLimit && (anp.spec.priority < 0 || anp.spec.priority > 99)) continue;
    if (!adminSubjectMatches(ctx, anp.spec.subject, pod)) continue;
    const rules = (dir === 'ingress' ? anp.spec.ingress : anp.spec.egress) ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const peers = (dir === 'ingress' ? (rule as any).from : (rule as any).to) as Array<AdminNetworkPolicyEgressPeer> ?? [];
      let how: string | undefined;
      for (const pe of peers) if ((how = adminPeerMatches(ctx, pe, peer))) break;
      if (!how) continue;
      const ports = adminPortsMatch(ctx, rule.ports, dstPod);
      if (!ports) continue;
      const v = rule.action === 'Allow' ? 'allow' : rule.action === 'Deny' ? 'deny' : 'pass';
      steps.push(step('anp', v,
        `AdminNetworkPolicy ${anp.name} (priority ${anp.spec.priority}) ${ruleLabel(dir, i, rule.name)} ${rule.action}: ` +
        `${peer.label} matches ${how}, ${ports}` + (rule.action === 'Pass' ? '; skip to the NetworkPolicy tier' : ''),
        anp.ref, dir, ruleLabel(dir, i, rule.name)));
      return { action: rule.action, steps };
    }
  }
  return undefined;
}

function banpTier(ctx: Ctx, dir: 'ingress' | 'egress', subject: Party, peer: Party):
  { action: 'Allow' | 'Deny'; step: ReasonStep } | undefined {
  const banp = ctx.idx.model.baselineAdminNetworkPolicy;
  if (!banp) return undefined;
  const pod = subject.pod!;
  if (!adminSubjectMatches(ctx, banp.spec.subject, pod)) return undefined;
  const dstPod = dir === 'ingress' ? pod : peer.pod;
  const rules = (dir === 'ingress' ? banp.spec.ingress : banp.spec.egress) ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const peers = (dir === 'ingress' ? (rule as any).from : (rule as any).to) as Array<AdminNetworkPolicyEgressPeer> ?? [];
    let how: string | undefined;
    for (const pe of peers) if ((how = adminPeerMatches(ctx, pe, peer))) break;
    if (!how) continue;
    const ports = adminPortsMatch(ctx, rule.ports, dstPod);
    if (!ports) continue;
    return {
      action: rule.action,
      step: step('banp', rule.action === 'Allow' ? 'allow' : 'deny',
        `BaselineAdminNetworkPolicy ${banp.name} ${ruleLabel(dir, i, rule.name)} ${rule.action}: ${peer.label} matches ${how}, ${ports}`,
        banp.ref, dir, ruleLabel(dir, i, rule.name)),
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Tier 2

function npTier(ctx: Ctx, dir: 'ingress' | 'egress', subject: Party, peer: Party, network: Network | undefined):
  { isolated: boolean; allowed: boolean; steps: ReasonStep[] } {
  const { idx } = ctx;
  const pod = subject.pod!;
  const type = dir === 'ingress' ? 'Ingress' : 'Egress';
  const policies = (idx.npByNamespace.get(pod.namespace) ?? []).filter(
    (np) => np.spec.policyTypes.includes(type) && idx.matches(np.spec.podSelector, pod.labels),
  );
  if (!policies.length) return { isolated: false, allowed: true, steps: [] };
  const dstPod = dir === 'ingress' ? pod : peer.pod;
  for (const np of policies) {
    const rules = (dir === 'ingress' ? np.spec.ingress : np.spec.egress) ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const peers = dir === 'ingress' ? (rule as { from?: NetworkPolicyPeer[] }).from : (rule as { to?: NetworkPolicyPeer[] }).to;
      const how = npPeersMatch(ctx, np.namespace, peers, peer);
      if (!how) continue;
      const ports = npPortsMatch(ctx, rule.ports, dstPod);
      if (!ports) continue;
      return {
        isolated: true, allowed: true,
        steps: [step('networkpolicy', 'allow',
          `NetworkPolicy ${np.namespace}/${np.name} ${dir}[${i}] allows ${peer.label} (${how}; ${ports})`,
          np.ref, dir, `${dir}[${i}]`)],
      };
    }
  }
  const names = policies.map((p) => `${p.namespace}/${p.name}`).join(', ');
  return {
    isolated: true, allowed: false,
    steps: [step('networkpolicy', 'deny',
      `${podName(pod)} is isolated for ${dir} by ${names}${network && network.role !== 'default' ? ` on ${network.id}` : ''}` +
      ` and no ${dir} rule allows ${peer.label} ${ctx.protocol}/${ctx.port}`,
      policies[0]!.ref, dir)],
  };
}

function npPeersMatch(ctx: Ctx, policyNs: string, peers: NetworkPolicyPeer[] | undefined, p: Party): string | undefined {
  if (!peers || peers.length === 0) return 'any peer';
  const { idx, c } = ctx;
  for (const pe of peers) {
    if (pe.ipBlock) {
      // ovn-k matches ipBlock on the packet's IP: it selects pod IPs too (see README).
      if (!p.parsed || (p.pod && !c.ipBlockMatchesPodIPs)) continue;
      const cidr = idx.cidr(pe.ipBlock.cidr);
      if (!cidr || !cidrContains(cidr, p.parsed)) continue;
      const ex = (pe.ipBlock.except ?? []).find((e) => {
        const ce = idx.cidr(e);
        return ce ? cidrContains(ce, p.parsed!) : false;
      });
      if (ex) continue;
      return `ipBlock ${pe.ipBlock.cidr}${pe.ipBlock.except?.length ? ` except ${pe.ipBlock.except.join(',')}` : ''}`;
    }
    if (!p.pod) continue;
    if (p.host) {
      // hostNetwork pods: ovn-k puts them (with their node IPs) only in peers that have a podSelector.
      if (!pe.podSelector) continue;
    }
    const nsOk = pe.namespaceSelector
      ? idx.matches(pe.namespaceSelector, idx.nsLabels(p.pod.namespace))
      : p.pod.namespace === policyNs;
    if (!nsOk) continue;
    if (pe.podSelector && !idx.matches(pe.podSelector, p.pod.labels)) continue;
    return pe.namespaceSelector && pe.podSelector ? 'namespaceSelector+podSelector'
      : pe.namespaceSelector ? 'namespaceSelector' : 'podSelector';
  }
  return undefined;
}

function npPortsMatch(ctx: Ctx, ports: NetworkPolicyPort[] | undefined, dstPod: Pod | undefined): string | undefined {
  if (!ports || ports.length === 0) return 'all ports';
  const { c, protocol, port } = ctx;
  let entries = ports.filter((p) => p.protocol === protocol);
  // ovn-k keeps only the numeric value of each entry (IntVal): a named port reads as 0, i.e. the
  // whole protocol; and getProtocolPortsMap forgets a port-less entry as soon as a numbered one
  // exists for the same protocol.
  const portless = (p: NetworkPolicyPort) => p.port === undefined || (typeof p.port === 'string' && c.npNamedPortWidens);
  if (c.npPortlessDroppedWithNumbered && entries.some((p) => typeof p.port === 'number')) {
    entries = entries.filter((p) => !portless(p));
  }
  for (const p of entries) {
    if (portless(p)) {
      return typeof p.port === 'string'
        ? `named port '${p.port}' widened to all ${protocol} ports (ovn-kubernetes#2117)` : `all ${protocol} ports`;
    }
    if (typeof p.port === 'number') {
      const hi = p.endPort && p.endPort > p.port ? p.endPort : p.port;
      if (p.port <= port && port <= hi) return hi === p.port ? `${protocol}/${p.port}` : `${protocol}/${p.port}-${hi}`;
      continue;
    }
    if (dstPod && !dstPod.hostNetwork) {
      const cp = dstPod.ports.find((x) => x.name === p.port && x.protocol === protocol && x.containerPort === port);
      if (cp) return `named port '${p.port}' = ${protocol}/${port}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// helpers

function step(
  stage: ReasonStep['stage'], verdict: ReasonStep['verdict'], message: string, object?: ObjectRef,
  direction?: 'ingress' | 'egress', rule?: string,
): ReasonStep {
  const s: ReasonStep = { stage, verdict, message };
  if (direction) s.direction = direction;
  if (object) s.object = object;
  if (rule) s.rule = rule;
  return s;
}

function allow(reasons: ReasonStep[]): DirectionVerdict {
  return { allowed: true, reasons };
}
function deny(reasons: ReasonStep[]): DirectionVerdict {
  return { allowed: false, reasons };
}

function verdict(pre: ReasonStep[], ingress: DirectionVerdict, egress: DirectionVerdict, network: string | undefined): Verdict {
  const reasons = [...pre];
  for (const r of [...egress.reasons, ...ingress.reasons]) if (!reasons.includes(r)) reasons.push(r);
  const v: Verdict = { allowed: ingress.allowed && egress.allowed, ingress, egress, reasons };
  if (network) v.network = network;
  return v;
}

function denied(reasons: ReasonStep[]): Verdict {
  return { allowed: false, ingress: deny(reasons), egress: deny(reasons), reasons };
}

export function podName(p: Pod): string {
  return `${p.namespace}/${p.name}`;
}
