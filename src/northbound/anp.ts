/**
 * AdminNetworkPolicy (tier 1) and BaselineAdminNetworkPolicy (tier 3) on the default network only
 * (pkg/ovn/controller/admin_network_policy; ovnk-lowering.md §2).
 */
import type { ObjectRef } from '../common/source.js';
import type { ClusterModel, Pod } from '../model/types.js';
import type {
  AdminNetworkPolicyEgressPeer, AdminNetworkPolicyIngressPeer, AdminNetworkPolicyPort, AdminNetworkPolicySubject, LabelSelector,
} from '../model/k8s.js';
import type { NbBuilder } from './builder.js';
import { type AclLogging, buildAcl, ensureAddressSets, ensurePortGroup, parseAclLogging } from './common.js';
import { ID_KEYS, NETPOL, OWNER, PRIORITY, TIER } from './constants.js';
import { type NetCtx, attachmentOn, isWiredPod, podIPs, podLspId } from './context.js';
import { dbObjectIDs } from './dbids.js';
import { compareIP, isIPv6, parseCidr, formatCidr } from './ip.js';
import { type PolicyPort, UNSPECIFIED_L4, l4MatchesFromPorts, ovnProtocol } from './l4.js';
import { goStringCompare, selectorMatches } from './selectors.js';
import type { AclAction } from './types.js';

type Dir = 'Ingress' | 'Egress';

/** GetACLActionForANPRule */
export function anpAction(a: 'Allow' | 'Deny' | 'Pass'): AclAction {
  return a === 'Allow' ? 'allow-related' : a === 'Deny' ? 'drop' : 'pass';
}

/** constructMatchFromAddressSet: `((ip4.src == $a))`, dual `((ip4.src == $a || ip6.src == $b))`. */
export function anpL3Match(dir: Dir, v4?: string, v6?: string): string {
  const d = dir === 'Ingress' ? 'src' : 'dst';
  let m = '';
  if (v4 && v6) m = `(ip4.${d} == $${v4} || ip6.${d} == $${v6})`;
  else if (v4) m = `(ip4.${d} == $${v4})`;
  else if (v6) m = `(ip6.${d} == $${v6})`;
  return `(${m})`;
}

export interface NamedPortRep {
  protocol: string;
  port: number;
  ip: string;
}

/** GetL3L4MatchesFromNamedPorts: protocol → `tcp && ((ip4.dst == IP && tcp.dst == P) || …)`. */
export function namedPortMatches(byName: ReadonlyMap<string, readonly NamedPortRep[]>): Array<[string, string]> {
  const per: Record<string, string[]> = { tcp: [], udp: [], sctp: [] };
  for (const name of [...byName.keys()].sort(goStringCompare)) {
    for (const r of byName.get(name)!) {
      per[r.protocol]?.push(`(${isIPv6(r.ip) ? 'ip6' : 'ip4'}.dst == ${r.ip} && ${r.protocol}.dst == ${r.port})`);
    }
  }
  const out: Array<[string, string]> = [];
  for (const p of ['tcp', 'udp', 'sctp']) if (per[p]!.length) out.push([p, `${p} && (${per[p]!.join(' || ')})`]);
  return out;
}

function nsMatches(model: ClusterModel, sel: LabelSelector, ns: string): boolean {
  const n = namespaceIndex(model).get(ns);
  return !!n && selectorMatches(sel, n.labels);
}

// name → Namespace, built once per (frozen) model: a linear find per pod and selector made ANP
// lowering selectors × pods × namespaces.
const nsIndexes = new WeakMap<ClusterModel, Map<string, ClusterModel['namespaces'][number]>>();
function namespaceIndex(model: ClusterModel): Map<string, ClusterModel['namespaces'][number]> {
  let m = nsIndexes.get(model);
  if (!m) nsIndexes.set(model, (m = new Map(model.namespaces.map((n) => [n.name, n]))));
  return m;
}

/** Pods selected by a namespaces/pods selector pair (subject or peer), excluding hostNetwork/completed/unscheduled. */
function selectPods(model: ClusterModel, sel: { namespaces?: LabelSelector; pods?: { namespaceSelector: LabelSelector; podSelector: LabelSelector } }): Pod[] {
  // ovn-k reads NamespacedPod's selectors as Go struct values: one the manifest omits (lenient
  // corpora do) is the zero LabelSelector, which selects everything, as the evaluator reads it.
  const nsSel = sel.namespaces ?? (sel.pods ? sel.pods.namespaceSelector ?? {} : undefined);
  const podSel = sel.namespaces ? {} : sel.pods ? sel.pods.podSelector ?? {} : undefined;
  if (!nsSel || !podSel) return [];
  return model.pods.filter((p) => isWiredPod(p) && nsMatches(model, nsSel, p.namespace) && selectorMatches(podSel, p.labels));
}

function namedPortReps(pod: Pod, ips: readonly string[], wanted: ReadonlySet<string>): Map<string, NamedPortRep[]> {
  const out = new Map<string, NamedPortRep[]>();
  for (const cp of pod.ports) {
    if (!cp.name || !wanted.has(cp.name)) continue;
    const list = out.get(cp.name) ?? [];
    for (const ip of ips) list.push({ protocol: ovnProtocol(cp.protocol), port: cp.containerPort, ip });
    out.set(cp.name, list);
  }
  return out;
}

function mergeNamed(into: Map<string, NamedPortRep[]>, from: Map<string, NamedPortRep[]>): void {
  for (const [k, v] of from) into.set(k, [...(into.get(k) ?? []), ...v]);
}

interface Rule {
  action: 'Allow' | 'Deny' | 'Pass';
  peers: Array<AdminNetworkPolicyIngressPeer | AdminNetworkPolicyEgressPeer>;
  ports?: AdminNetworkPolicyPort[];
}

function lowerOne(
  b: NbBuilder, model: ClusterModel, ctx: NetCtx, kind: 'anp' | 'banp', name: string, basePriority: number,
  subject: AdminNetworkPolicySubject, ingress: Rule[], egress: Rule[], logging: AclLogging | undefined, ref: ObjectRef,
): void {
  const owner = kind === 'anp' ? OWNER.anp : OWNER.banp;
  const tier = kind === 'anp' ? TIER.anp : TIER.banp;
  const prov = [ref];
  const pg = ensurePortGroup(b, ctx, dbObjectIDs(ctx.controller, owner, ID_KEYS.pgANP, { name }), prov);
  const subjectPods = selectPods(model, subject);
  const subjectIPs = new Map<Pod, string[]>();
  for (const pod of subjectPods) {
    const att = attachmentOn(pod, ctx.net.id);
    if (!att) continue;
    const lspId = podLspId(pod, att, ctx.net);
    if (!b.switchPorts.get(lspId)) continue;
    b.addPortToGroup(pg.id, lspId);
    subjectIPs.set(pod, podIPs(att));
  }
  for (const [dir, rules] of [['Ingress', ingress], ['Egress', egress]] as const) {
    if (rules.length > PRIORITY.anpMaxRules) {
      b.notices.push({ message: `${kind.toUpperCase()} ${name}: more than ${PRIORITY.anpMaxRules} ${dir.toLowerCase()} rules; extra rules ignored`, ref });
    }
    rules.slice(0, PRIORITY.anpMaxRules).forEach((rule, idx) => {
      const priority = basePriority - idx;
      const ports: PolicyPort[] = [];
      const wanted = new Set<string>();
      for (const p of rule.ports ?? []) {
        if (p.portNumber) ports.push({ protocol: ovnProtocol(p.portNumber.protocol), port: p.portNumber.port, endPort: 0 });
        else if (p.portRange) ports.push({ protocol: ovnProtocol(p.portRange.protocol), port: p.portRange.start, endPort: p.portRange.end });
        else if (p.namedPort) wanted.add(p.namedPort);
      }
      const addrs: string[] = [];
      const named = new Map<string, NamedPortRep[]>();
      for (const peer of rule.peers) {
        if (peer.namespaces || peer.pods) {
          for (const pod of selectPods(model, peer)) {
            const att = attachmentOn(pod, ctx.net.id);
            if (!att) continue;
            const ips = podIPs(att);
            addrs.push(...ips);
            if (dir === 'Egress' && wanted.size) mergeNamed(named, namedPortReps(pod, ips, wanted));
          }
        }
        const ep = peer as AdminNetworkPolicyEgressPeer;
        if (ep.nodes) for (const n of model.nodes) if (selectorMatches(ep.nodes, n.labels)) addrs.push(...n.hostAddresses);
        if (ep.networks) for (const c of ep.networks) addrs.push(formatCidr(parseCidr(c)));
      }
      if (dir === 'Ingress' && wanted.size) {
        for (const [pod, ips] of subjectIPs) mergeNamed(named, namedPortReps(pod, ips, wanted));
      }
      for (const v of named.values()) v.sort((x, y) => compareIP(x.ip, y.ip) || x.port - y.port);
      const as = ensureAddressSets(b, ctx, ctx.controller, owner, ID_KEYS.asANP, { name, direction: dir, 'gress-index': String(idx) }, addrs, prov);
      const l3 = anpL3Match(dir, as.v4, as.v6);
      const lport = dir === 'Ingress' ? `outport == @${pg.name}` : `inport == @${pg.name}`;
      const pipeline = dir === 'Ingress' ? 'to-lport' : 'from-lport-after-lb';
      const emit = (proto: string, match: string) => b.attachAcl(buildAcl({
        ids: dbObjectIDs(ctx.controller, owner, ID_KEYS.aclANP, { name, direction: dir, 'gress-index': String(idx), 'port-policy-protocol': proto }),
        name: `${kind === 'anp' ? 'ANP' : 'BANP'}:${name}:${dir}:${idx}`, priority, match, action: anpAction(rule.action), pipeline, tier,
        ...(logging ? { logging } : {}), attachedTo: pg.id, network: ctx.net.id, provenance: prov,
      }));
      for (const [proto, l4] of l4MatchesFromPorts(ports)) {
        if (l4 === UNSPECIFIED_L4) {
          if (wanted.size) continue;
          emit(proto, `${lport} && ${l3}`);
        } else {
          emit(proto, `${lport} && ${l3} && ${l4}`);
        }
      }
      for (const [proto, m] of namedPortMatches(named)) {
        emit(proto + NETPOL.namedPortSuffix, dir === 'Ingress' ? `${l3} && ${m}` : `${lport} && ${m}`);
      }
    });
  }
}

export function lowerAdminNetworkPolicies(b: NbBuilder, model: ClusterModel, def: NetCtx): void {
  const seen = new Map<number, string>();
  for (const anp of [...model.adminNetworkPolicies].sort((a, c) => goStringCompare(a.name, c.name))) {
    const p = anp.spec.priority;
    if (p < 0 || p > PRIORITY.anpMaxSpecPriority) {
      b.notices.push({ message: `AdminNetworkPolicy ${anp.name}: priority ${p} unsupported by ovn-kubernetes (0-${PRIORITY.anpMaxSpecPriority}); not programmed (ANPWithUnsupportedPriority)`, ref: anp.ref });
      continue;
    }
    if (seen.has(p)) b.notices.push({ message: `AdminNetworkPolicy ${anp.name}: priority ${p} duplicates ${seen.get(p)} (ANPWithDuplicatePriority); evaluation order undefined`, ref: anp.ref });
    else seen.set(p, anp.name);
    lowerOne(b, model, def, 'anp', anp.name, PRIORITY.anpBase - PRIORITY.anpStep * p, anp.spec.subject,
      (anp.spec.ingress ?? []).map((r) => ({ action: r.action, peers: r.from, ...(r.ports ? { ports: r.ports } : {}) })),
      (anp.spec.egress ?? []).map((r) => ({ action: r.action, peers: r.to, ...(r.ports ? { ports: r.ports } : {}) })),
      parseAclLogging(anp.annotations, NETPOL.aclLoggingAnnotation), anp.ref);
  }
  const banp = model.baselineAdminNetworkPolicy;
  if (banp) {
    if (banp.name !== 'default') {
      b.notices.push({ message: `BaselineAdminNetworkPolicy ${banp.name}: only 'default' is programmed`, ref: banp.ref });
      return;
    }
    lowerOne(b, model, def, 'banp', banp.name, PRIORITY.banpBase, banp.spec.subject,
      (banp.spec.ingress ?? []).map((r) => ({ action: r.action, peers: r.from, ...(r.ports ? { ports: r.ports } : {}) })),
      (banp.spec.egress ?? []).map((r) => ({ action: r.action, peers: r.to, ...(r.ports ? { ports: r.ports } : {}) })),
      parseAclLogging(banp.annotations, NETPOL.aclLoggingAnnotation), banp.ref);
  }
}
