/**
 * `lint(compileResult) → Finding[]`: problems ovn-kubernetes would silently accept (or quietly
 * reinterpret), each with file:line:col and, where meaningful, the field path.
 *
 * Stages: manifest-level rules (L003–L006) need only `result.manifests`, so they run even when the
 * model rejects the input; model rules need `result.model`; L010 needs `result.nb`. A stage that
 * is missing simply skips its rules. Rule ids, severities and thresholds: rules.ts.
 */
import type { CompileResult } from '../compile.js';
import type { Diagnostic } from '../common/errors.js';
import { formatSource, type ObjectRef, type SourceRef } from '../common/source.js';
import type { ManifestObject } from '../manifests/types.js';
import type { ClusterModel, Namespace, Pod } from '../model/types.js';
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../model/k8s.js';
import { selectorMatches } from '../semantics/net.js';
import { evaluate } from '../semantics/index.js';
import { cidrOverlaps, parseCIDR } from '../model/ip.js';
import { exprToMatchObjects, type ExprEnv } from '../expr/index.js';
import { PRIMARY_UDN_LABEL, RULES, THRESHOLDS, ruleByName, type LintSeverity } from './rules.js';

export { RULES, RULE_BY_ID, THRESHOLDS, type LintRule, type LintSeverity } from './rules.js';

export interface Finding {
  rule: string;
  name: string;
  severity: LintSeverity;
  message: string;
  object?: ObjectRef;
  source?: SourceRef;
  path?: string;
}

type Labels = Readonly<Record<string, string>>;

class Ctx {
  readonly out: Finding[] = [];
  private readonly byKey = new Map<string, ManifestObject>();
  constructor(readonly result: CompileResult) {
    for (const mo of result.manifests.objects) this.byKey.set(key(mo.object.kind, mo.object.metadata.namespace, mo.object.metadata.name), mo);
  }
  manifest(ref: ObjectRef): ManifestObject | undefined {
    return this.byKey.get(key(ref.kind, ref.namespace, ref.name));
  }
  add(ruleName: string, message: string, where: { ref?: ObjectRef; mo?: ManifestObject; path?: string }): void {
    const rule = ruleByName(ruleName);
    const mo = where.mo ?? (where.ref ? this.manifest(where.ref) : undefined);
    const ref = where.ref ?? (mo ? refOf(mo) : undefined);
    const source = (where.path !== undefined ? nearestPosition(mo, where.path) : undefined) ?? mo?.source ?? ref?.source;
    this.out.push({
      rule: rule.id, name: rule.name, severity: rule.severity, message,
      ...(ref ? { object: ref } : {}), ...(source ? { source } : {}), ...(where.path !== undefined ? { path: where.path } : {}),
    });
  }
}

function key(kind: string, ns: string | undefined, name: string): string {
  return `${kind}/${ns ?? ''}/${name}`;
}

function refOf(mo: ManifestObject): ObjectRef {
  const m = mo.object.metadata;
  return { kind: mo.object.kind, ...(m.namespace ? { namespace: m.namespace } : {}), name: m.name, source: mo.source };
}

/** position of `path`, or of its closest recorded ancestor (defaulted fields have none) */
function nearestPosition(mo: ManifestObject | undefined, path: string): SourceRef | undefined {
  if (!mo?.positions) return undefined;
  let p = path;
  for (;;) {
    const s = mo.positions.get(p);
    if (s) return s;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}

export interface LintOptions {
  /** diagnostics of a model build that failed (reported as UDNC-L000) */
  modelErrors?: readonly Diagnostic[];
}

export function lint(result: CompileResult, opts: LintOptions = {}): Finding[] {
  const c = new Ctx(result);
  for (const d of opts.modelErrors ?? []) {
    const rule = RULES[0]!;
    c.out.push({ rule: rule.id, name: rule.name, severity: 'error', message: d.message, ...(d.source ? { source: d.source } : {}), ...(d.path ? { path: d.path } : {}) });
  }
  manifestRules(c);
  const model = result.model;
  if (model) {
    policySelectionRules(c, model);
    portRules(c, model);
    serviceRules(c, model);
    udnPolicyRules(c, model);
    shadowRules(c, model);
  }
  if (result.nb) flowExplosion(c);
  return sortFindings(c.out);
}

export function sortFindings(fs: Finding[]): Finding[] {
  const k = (f: Finding): string => `${f.source?.file ?? '~'}\u0000${String(f.source?.line ?? 0).padStart(8, '0')}\u0000${String(f.source?.col ?? 0).padStart(6, '0')}\u0000${f.rule}\u0000${f.message}`;
  return fs.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

// ---------------------------------------------------------------- manifest-level (L003–L006)

function manifestNamespaces(c: Ctx): Array<{ name: string; labels: Labels }> {
  if (c.result.model) return c.result.model.namespaces.map((n) => ({ name: n.name, labels: n.labels }));
  return c.result.manifests.objects
    .filter((mo) => mo.object.kind === 'Namespace')
    .map((mo) => ({ name: mo.object.metadata.name, labels: { 'kubernetes.io/metadata.name': mo.object.metadata.name, ...(mo.object.metadata.labels ?? {}) } }));
}

function manifestRules(c: Ctx): void {
  const namespaces = manifestNamespaces(c);
  const anps: Array<{ mo: ManifestObject; priority: number }> = [];
  for (const mo of c.result.manifests.objects) {
    const o = mo.object;
    if (o.kind === 'ClusterUserDefinedNetwork') {
      const sel = (o.spec?.namespaceSelector ?? {}) as LabelSelector;
      const selected = namespaces.filter((n) => selectorMatches(sel, n.labels));
      if (selected.length === 0) c.add('cudn-selects-no-namespace', `ClusterUserDefinedNetwork ${o.metadata.name} selects no namespace`, { mo, path: 'spec.namespaceSelector' });
      const net = o.spec?.network ?? {};
      const role = net.layer3?.role ?? net.layer2?.role;
      if (role === 'Primary') {
        for (const n of selected) {
          if (!(PRIMARY_UDN_LABEL in n.labels)) {
            c.add('primary-udn-label-missing', `namespace ${n.name} is selected by primary ClusterUserDefinedNetwork ${o.metadata.name} but lacks label ${PRIMARY_UDN_LABEL}: it stays on the default network`, { mo, path: 'spec.namespaceSelector' });
          }
        }
      }
    } else if (o.kind === 'UserDefinedNetwork') {
      const role = o.spec?.layer3?.role ?? o.spec?.layer2?.role;
      const ns = o.metadata.namespace;
      if (role === 'Primary' && ns) {
        const n = namespaces.find((x) => x.name === ns);
        const nsMo = c.manifest({ kind: 'Namespace', name: ns });
        if (n && !(PRIMARY_UDN_LABEL in n.labels)) {
          c.add('primary-udn-label-missing', `namespace ${ns} has primary UserDefinedNetwork ${o.metadata.name} but lacks label ${PRIMARY_UDN_LABEL}`, nsMo ? { mo: nsMo, path: 'metadata.labels' } : { mo });
        }
      }
    } else if (o.kind === 'AdminNetworkPolicy') {
      const p = o.spec?.priority;
      if (typeof p === 'number') {
        anps.push({ mo, priority: p });
        if (p < THRESHOLDS.anpPriorityMin || p > THRESHOLDS.anpPriorityMax) {
          c.add('anp-priority-unsupported', `AdminNetworkPolicy ${o.metadata.name} has priority ${p}; ovn-kubernetes supports ${THRESHOLDS.anpPriorityMin}–${THRESHOLDS.anpPriorityMax} and ignores it`, { mo, path: 'spec.priority' });
        }
      }
    }
  }
  const byPrio = new Map<number, ManifestObject[]>();
  for (const a of anps) byPrio.set(a.priority, [...(byPrio.get(a.priority) ?? []), a.mo]);
  for (const [p, mos] of byPrio) {
    if (mos.length < 2) continue;
    for (const mo of mos) {
      const others = mos.filter((x) => x !== mo).map((x) => x.object.metadata.name).join(', ');
      c.add('anp-priority-duplicate', `AdminNetworkPolicy ${mo.object.metadata.name} shares priority ${p} with ${others}: their order is undefined`, { mo, path: 'spec.priority' });
    }
  }
}

// ---------------------------------------------------------------- selection (L001, L002, L013, L014)

interface Sel { ns: Namespace[]; podsOf(ns: string): Pod[] }

function indexModel(model: ClusterModel): Sel {
  const by = new Map<string, Pod[]>();
  for (const p of model.pods) by.set(p.namespace, [...(by.get(p.namespace) ?? []), p]);
  return { ns: [...model.namespaces], podsOf: (n) => by.get(n) ?? [] };
}

function podsIn(s: Sel, nsSel: LabelSelector | undefined, fixedNs: string | undefined, podSel: LabelSelector | undefined): Pod[] {
  const nss = fixedNs !== undefined ? s.ns.filter((n) => n.name === fixedNs) : s.ns.filter((n) => selectorMatches(nsSel ?? {}, n.labels));
  return nss.flatMap((n) => s.podsOf(n.name).filter((p) => selectorMatches(podSel ?? {}, p.labels)));
}

function npPeerPods(s: Sel, ns: string, peer: NetworkPolicyPeer): Pod[] | undefined {
  if (peer.ipBlock) return undefined;
  return podsIn(s, peer.namespaceSelector, peer.namespaceSelector ? undefined : ns, peer.podSelector);
}

interface AdminSubject { namespaces?: LabelSelector; pods?: { namespaceSelector: LabelSelector; podSelector: LabelSelector } }
function adminPods(s: Sel, subj: AdminSubject): Pod[] {
  if (subj.namespaces) return podsIn(s, subj.namespaces, undefined, {});
  if (subj.pods) return podsIn(s, subj.pods.namespaceSelector ?? {}, undefined, subj.pods.podSelector ?? {});
  return [];
}

function policySelectionRules(c: Ctx, model: ClusterModel): void {
  const s = indexModel(model);
  const nsOf = new Map(model.namespaces.map((n) => [n.name, n]));
  for (const np of model.networkPolicies) {
    const subj = podsIn(s, undefined, np.namespace, np.spec.podSelector);
    if (subj.length === 0) c.add('subject-selects-nothing', `NetworkPolicy ${np.namespace}/${np.name} selects no pod`, { ref: np.ref, path: 'spec.podSelector' });
    const hn = subj.filter((p) => p.hostNetwork);
    if (hn.length) c.add('hostnetwork-selected', `NetworkPolicy ${np.namespace}/${np.name} selects hostNetwork pod(s) ${names(hn)}, which it cannot police`, { ref: np.ref, path: 'spec.podSelector' });
    for (const [dir, rules] of [['ingress', np.spec.ingress ?? []], ['egress', np.spec.egress ?? []]] as const) {
      rules.forEach((r, i) => {
        const peers = ('from' in r ? r.from : (r as { to?: NetworkPolicyPeer[] }).to) ?? [];
        const field = dir === 'ingress' ? 'from' : 'to';
        peers.forEach((peer, j) => {
          const pods = npPeerPods(s, np.namespace, peer);
          if (pods && pods.length === 0) c.add('peer-selects-nothing', `NetworkPolicy ${np.namespace}/${np.name} ${dir}[${i}].${field}[${j}] selects no pod`, { ref: np.ref, path: `spec.${dir}[${i}].${field}[${j}]` });
        });
      });
    }
  }
  const admins = [
    ...model.adminNetworkPolicies.map((a) => ({ kind: 'AdminNetworkPolicy', name: a.name, spec: a.spec, ref: a.ref })),
    ...(model.baselineAdminNetworkPolicy ? [{ kind: 'BaselineAdminNetworkPolicy', name: model.baselineAdminNetworkPolicy.name, spec: model.baselineAdminNetworkPolicy.spec, ref: model.baselineAdminNetworkPolicy.ref }] : []),
  ];
  for (const a of admins) {
    const subj = adminPods(s, a.spec.subject);
    const label = `${a.kind} ${a.name}`;
    if (subj.length === 0) c.add('subject-selects-nothing', `${label} selects no pod`, { ref: a.ref, path: 'spec.subject' });
    const hn = subj.filter((p) => p.hostNetwork);
    if (hn.length) c.add('hostnetwork-selected', `${label} selects hostNetwork pod(s) ${names(hn)}, which it cannot police`, { ref: a.ref, path: 'spec.subject' });
    const udn = subj.filter((p) => !p.hostNetwork && (nsOf.get(p.namespace)?.primaryNetwork ?? 'default') !== 'default');
    if (udn.length) {
      const nets = [...new Set(udn.map((p) => nsOf.get(p.namespace)!.primaryNetwork))].sort().join(', ');
      c.add('admin-policy-on-udn', `${label} selects ${udn.length} pod(s) on primary UDN ${nets} (${names(udn)}); ANP/BANP do not apply there`, { ref: a.ref, path: 'spec.subject' });
    }
    for (const [dir, rules] of [['ingress', a.spec.ingress ?? []], ['egress', a.spec.egress ?? []]] as const) {
      (rules as Array<{ from?: unknown[]; to?: unknown[] }>).forEach((r, i) => {
        const field = dir === 'ingress' ? 'from' : 'to';
        const peers = (dir === 'ingress' ? r.from : r.to) ?? [];
        peers.forEach((peerRaw, j) => {
          const peer = peerRaw as AdminSubject & { nodes?: LabelSelector; networks?: string[] };
          let empty: boolean | undefined;
          if (peer.namespaces || peer.pods) empty = adminPods(s, peer).length === 0;
          else if (peer.nodes) empty = !model.nodes.some((n) => selectorMatches(peer.nodes!, n.labels));
          if (empty) c.add('peer-selects-nothing', `${label} ${dir}[${i}].${field}[${j}] selects no ${peer.nodes ? 'node' : 'pod'}`, { ref: a.ref, path: `spec.${dir}[${i}].${field}[${j}]` });
        });
      });
    }
  }
}

function names(pods: Pod[], max = 3): string {
  const n = pods.map((p) => `${p.namespace}/${p.name}`);
  return n.length > max ? `${n.slice(0, max).join(', ')} and ${n.length - max} more` : n.join(', ');
}

// ---------------------------------------------------------------- NP ports (L008, L009)

function portRules(c: Ctx, model: ClusterModel): void {
  for (const np of model.networkPolicies) {
    for (const [dir, rules] of [['ingress', np.spec.ingress ?? []], ['egress', np.spec.egress ?? []]] as const) {
      rules.forEach((r, i) => {
        const ports: NetworkPolicyPort[] = r.ports ?? [];
        const numbered = new Set(ports.filter((p) => typeof p.port === 'number').map((p) => p.protocol));
        ports.forEach((p, k) => {
          const path = `spec.${dir}[${i}].ports[${k}]`;
          if (typeof p.port === 'string') {
            c.add('named-port-widened', `NetworkPolicy ${np.namespace}/${np.name} ${dir}[${i}]: named port "${p.port}" matches every ${p.protocol} port in ovn-kubernetes (#2117)`, { ref: np.ref, path: `${path}.port` });
          }
          if (typeof p.port !== 'number' && numbered.has(p.protocol)) {
            const what = p.port === undefined ? `port-less ${p.protocol} entry` : `${p.protocol} entry with named port "${p.port}"`;
            c.add('portless-entry-dropped', `NetworkPolicy ${np.namespace}/${np.name} ${dir}[${i}]: the ${what} is dropped because the rule also lists numbered ${p.protocol} ports; only those are allowed`, { ref: np.ref, path });
          }
        });
      });
    }
  }
}

// ---------------------------------------------------------------- services (L011)

function serviceRules(c: Ctx, model: ClusterModel): void {
  for (const svc of model.services) {
    if (svc.type === 'ExternalName') continue;
    const where = { ref: svc.ref, ...(svc.selector ? { path: 'spec.selector' } : {}) };
    if (svc.endpoints.length === 0) {
      const why = svc.endpointsFrom === 'selector' ? 'its selector matches no running pod' : svc.endpointsFrom === 'none' ? 'it has no selector and no EndpointSlice' : 'its EndpointSlices list no endpoint';
      c.add('service-no-endpoints', `Service ${svc.namespace}/${svc.name} has no endpoints: ${why}`, where);
    } else if (!svc.publishNotReadyAddresses && !svc.endpoints.some((e) => e.ready || (e.serving && e.terminating))) {
      // ovn-k's LB builder: ready endpoints, else serving+terminating ones, else none
      c.add('service-no-endpoints', `Service ${svc.namespace}/${svc.name} has ${svc.endpoints.length} endpoint(s) but none ready or serving: its load balancer has no backend`, where);
    }
  }
}

// ---------------------------------------------------------------- policies on primary UDNs (L012)

function udnPolicyRules(c: Ctx, model: ClusterModel): void {
  const nsOf = new Map(model.namespaces.map((n) => [n.name, n]));
  const defaults = [
    ...model.config.clusterNetwork.map((n) => ({ cidr: n.cidr, what: 'default cluster network' })),
    ...model.config.serviceNetwork.map((cidr) => ({ cidr, what: 'service network' })),
  ].flatMap((d) => { const p = parseCIDR(d.cidr); return p ? [{ ...d, parsed: p }] : []; });
  for (const np of model.networkPolicies) {
    const net = nsOf.get(np.namespace)?.primaryNetwork ?? 'default';
    if (net === 'default') continue;
    for (const [dir, rules] of [['ingress', np.spec.ingress ?? []], ['egress', np.spec.egress ?? []]] as const) {
      rules.forEach((r, i) => {
        const field = dir === 'ingress' ? 'from' : 'to';
        const peers = ('from' in r ? r.from : (r as { to?: NetworkPolicyPeer[] }).to) ?? [];
        peers.forEach((peer, j) => {
          if (!peer.ipBlock) return;
          const b = parseCIDR(peer.ipBlock.cidr);
          if (!b) return;
          const hit = defaults.find((d) => d.parsed.v6 === b.v6 && cidrOverlaps(d.parsed, b));
          if (hit) c.add('udn-policy-default-cidr', `NetworkPolicy ${np.namespace}/${np.name} is on primary network ${net} but its ipBlock ${peer.ipBlock.cidr} overlaps the ${hit.what} ${hit.cidr}`, { ref: np.ref, path: `spec.${dir}[${i}].${field}[${j}].ipBlock.cidr` });
        });
      });
    }
  }
}

// ---------------------------------------------------------------- shadowed NP rules (L007)

function shadowRules(c: Ctx, model: ClusterModel): void {
  if (model.adminNetworkPolicies.length === 0) return;
  const s = indexModel(model);
  const live = (p: Pod): boolean => !p.hostNetwork && p.node !== '' && p.attachments.length > 0 && (p.phase === 'Running' || p.phase === 'Pending');
  for (const np of model.networkPolicies) {
    const subjects = podsIn(s, undefined, np.namespace, np.spec.podSelector).filter(live);
    if (subjects.length === 0) continue;
    for (const [dir, rules] of [['ingress', np.spec.ingress ?? []], ['egress', np.spec.egress ?? []]] as const) {
      if (!np.spec.policyTypes.includes(dir === 'ingress' ? 'Ingress' : 'Egress')) continue;
      rules.forEach((r, i) => {
        const peers = ('from' in r ? r.from : (r as { to?: NetworkPolicyPeer[] }).to);
        const ports = r.ports ?? [];
        if (!peers || peers.length === 0 || ports.length === 0) return; // all peers / all ports: not provable on pods
        if (peers.some((p) => p.ipBlock)) return;
        if (ports.some((p) => typeof p.port !== 'number' || (p.endPort !== undefined && p.endPort !== p.port))) return;
        const peerPods = new Map<string, Pod>();
        for (const peer of peers) for (const p of npPeerPods(s, np.namespace, peer) ?? []) if (live(p)) peerPods.set(`${p.namespace}/${p.name}`, p);
        const probes = subjects.length * peerPods.size * ports.length;
        if (peerPods.size === 0 || probes > THRESHOLDS.shadowProbes) return;
        const deciders = new Map<string, ObjectRef>();
        let checked = 0;
        for (const subj of subjects) {
          for (const peer of peerPods.values()) {
            if (peer === subj) continue;
            for (const port of ports) {
              const a = { kind: 'pod' as const, namespace: subj.namespace, name: subj.name };
              const b = { kind: 'pod' as const, namespace: peer.namespace, name: peer.name };
              const v = evaluate(model, { src: dir === 'ingress' ? b : a, dst: dir === 'ingress' ? a : b, protocol: port.protocol, port: port.port as number });
              const steps = (dir === 'ingress' ? v.ingress : v.egress).reasons;
              const anp = steps.find((st) => st.stage === 'anp' && (st.verdict === 'allow' || st.verdict === 'deny'));
              if (!anp || steps.some((st) => st.stage === 'networkpolicy')) return;
              if (anp.object) deciders.set(`${anp.object.name}|${anp.rule ?? ''}|${anp.verdict}`, anp.object);
              checked++;
            }
          }
        }
        if (checked === 0) return;
        const by = [...deciders.keys()].map((k) => { const [n, rule, verdict] = k.split('|'); return `${n}${rule ? ` ${rule}` : ''} (${verdict})`; }).sort().join(', ');
        c.add('np-rule-shadowed', `NetworkPolicy ${np.namespace}/${np.name} ${dir}[${i}] never applies: all ${checked} of its connections are decided at tier 1 by AdminNetworkPolicy ${by}`, { ref: np.ref, path: `spec.${dir}[${i}]` });
      });
    }
  }
}

// ---------------------------------------------------------------- flow explosion (L010)

function flowExplosion(c: Ctx): void {
  const nb = c.result.nb!;
  const env: ExprEnv = { addressSets: {}, portGroups: {}, ports: { 'lint-port': 1 } };
  for (const as of nb.addressSets) {
    const fam = as.external_ids['ip-family'];
    env.addressSets[as.name] = as.addresses.length ? [as.addresses[0]!] : [fam === 'v6' ? 'fd00::1' : '10.0.0.1'];
  }
  for (const pg of nb.portGroups) env.portGroups[`0_${pg.name}`] = ['lint-port'];
  const POLICY = new Set(['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
  for (const acl of nb.acls) {
    const owners = acl.provenance.filter((o) => POLICY.has(o.kind));
    if (owners.length === 0) continue;
    let n: number;
    try {
      n = exprToMatchObjects(acl.match, env, { dpId: 0 }).matches.length;
    } catch {
      continue; // not compilable here: the openflow stage reports such lflows
    }
    if (n <= THRESHOLDS.flowsPerAcl) continue;
    const dir = acl.external_ids['direction'];
    const idx = acl.external_ids['gress-index'];
    const path = dir && idx !== undefined && /^(Ingress|Egress)$/.test(dir) ? `spec.${dir.toLowerCase()}[${idx}]` : undefined;
    for (const o of owners) {
      c.add('acl-flow-explosion', `ACL ${acl.name ?? acl.id} (${formatRef(o)}) compiles to ${n} OpenFlow flows per port and address (limit ${THRESHOLDS.flowsPerAcl}): ${acl.match}`, { ref: o, ...(path ? { path } : {}) });
    }
  }
}

function formatRef(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

// ---------------------------------------------------------------- output

export function formatFinding(f: Finding): string {
  const where = f.source ? `${formatSource(f.source)}: ` : '';
  const path = f.path ? ` ${f.path}:` : '';
  return `${where}${f.severity} ${f.rule}${path} ${f.message}`;
}

const ORDER: Record<LintSeverity, number> = { error: 0, warning: 1, info: 2 };
export function atLeast(fs: readonly Finding[], min: LintSeverity): Finding[] {
  return fs.filter((f) => ORDER[f.severity] <= ORDER[min]);
}
