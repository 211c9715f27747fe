/** Lint rules: ids, severities, thresholds and explanations, declared once. */

export type LintSeverity = 'error' | 'warning' | 'info';

export interface LintRule {
  id: string;
  name: string;
  severity: LintSeverity;
  /** one line, for listings */
  summary: string;
  /** `udnc lint --explain ID` */
  explain: string;
}

/** Numeric limits the rules use. */
export const THRESHOLDS = {
  /** UDNC-L010: OpenFlow flows one ACL's expression compiles to (port groups and address sets counted as one member) */
  flowsPerAcl: 16,
  /** UDNC-L007: at most this many (subject, peer, port) probes per NP rule; bigger rules are not checked */
  shadowProbes: 4000,
  /** UDNC-L005: ovn-kubernetes v1.3.0 supports ANP spec.priority 0..99 */
  anpPriorityMin: 0,
  anpPriorityMax: 99,
} as const;

export const PRIMARY_UDN_LABEL = 'k8s.ovn.org/primary-user-defined-network';

const R = (id: string, name: string, severity: LintSeverity, summary: string, explain: string): LintRule => ({ id, name, severity, summary, explain });

export const RULES: readonly LintRule[] = [
  R('UDNC-L000', 'model-rejected', 'error', 'the cluster model rejects the input (ovn-kubernetes/apiserver would)',
    `udnc could not build the cluster model: the input has a problem a real cluster rejects (each
reported with file:line). Rules that need the model (pods, services, flows) did not run; the
manifest-level rules (L003, L004, L005, L006) still did. Exit code 2.`),
  R('UDNC-L001', 'subject-selects-nothing', 'warning', 'a policy subject selects no pod',
    `The NetworkPolicy spec.podSelector (or ANP/BANP spec.subject) selects no pod of the manifests.
The policy then does nothing, which is usually a typo in a label. Pods are matched with their
labels as written (workload templates included).`),
  R('UDNC-L002', 'peer-selects-nothing', 'warning', 'a policy peer selects no pod (or node)',
    `A from/to peer (podSelector/namespaceSelector of a NetworkPolicy, namespaces/pods/nodes of an
ANP/BANP) matches nothing in the manifests, so the rule allows (or denies) nothing through that
peer. ipBlock and networks peers are not checked.`),
  R('UDNC-L003', 'cudn-selects-no-namespace', 'warning', 'a ClusterUserDefinedNetwork selects no namespace',
    `spec.namespaceSelector of the ClusterUserDefinedNetwork matches no Namespace in the manifests:
no NAD is rendered and the network serves nobody.`),
  R('UDNC-L004', 'primary-udn-label-missing', 'warning', 'namespace targeted by a primary (C)UDN lacks the primary-UDN label',
    `A namespace served by a Primary UserDefinedNetwork, or selected by a Primary
ClusterUserDefinedNetwork, lacks the label ${PRIMARY_UDN_LABEL}. The label must be set
when the namespace is created; without it ovn-kubernetes' cluster manager does not render the
primary NAD (InvalidPrimaryNetworkError) and the pods stay on the default network. For a UDN the
udnc model rejects the input (L000 follows); for a CUDN the namespace is skipped with a notice.`),
  R('UDNC-L005', 'anp-priority-unsupported', 'warning', 'ANP spec.priority outside 0–99',
    `The API allows AdminNetworkPolicy priorities up to 1000, but ovn-kubernetes v1.3.0 supports only
0–99 (ACL priority 30000 − 100·priority must stay in tier 1's band). Others are rejected with the
event ANPWithUnsupportedPriority and the policy is not programmed at all.`),
  R('UDNC-L006', 'anp-priority-duplicate', 'warning', 'two ANPs share a spec.priority',
    `Two AdminNetworkPolicies with the same priority have an undefined relative order
(ovn-kubernetes only emits ANPWithDuplicatePriority); which rule wins depends on the ACL order
OVN happens to pick. Give each ANP its own priority.`),
  R('UDNC-L007', 'np-rule-shadowed', 'warning', 'a NetworkPolicy rule is fully decided by ANP rules (tier 1)',
    `Every connection the NetworkPolicy rule describes (each selected pod × each peer pod × each
listed port) is already allowed or denied by AdminNetworkPolicy rules, which are evaluated first
(tier 1), so the rule never takes effect. Checked conservatively with the semantics evaluator on
the pods of the manifests: only rules with pod/namespace-selector peers and numbered single ports
(no ipBlock, no port-less or named entries, no ranges) and at most ${THRESHOLDS.shadowProbes} probes.`),
  R('UDNC-L008', 'named-port-widened', 'warning', 'NetworkPolicy named port widens to the whole protocol',
    `ovn-kubernetes v1.3.0 reads NetworkPolicy ports with Port.IntVal, which is 0 for a named port, so
the entry matches every port of its protocol (ovn-kubernetes#2117). Use the port number.`),
  R('UDNC-L009', 'portless-entry-dropped', 'warning', 'port-less entry dropped next to a numbered entry of the same protocol',
    `In one NetworkPolicy rule, a ports entry with a protocol but no port (or a named port, which
ovn-k widens to the same) is lost when the rule also lists a numbered port of that protocol:
getProtocolPortsMap keeps only the port list, so the rule allows only the numbered ports.`),
  R('UDNC-L010', 'acl-flow-explosion', 'info', `an ACL match compiles to more than ${THRESHOLDS.flowsPerAcl} OpenFlow flows`,
    `The ACL's match expression, compiled with the OVN expression compiler (port groups and address
sets counted as one member, so the figure reflects the expression's shape), yields more than
${THRESHOLDS.flowsPerAcl} OpenFlow flows. Typical causes: '!=' on a field (one flow per bit),
ipBlock except lists (cidr && != {…}), port ranges (one flow per aligned block). Each such flow
is repeated per port-group member and address-set entry combination in practice.`),
  R('UDNC-L011', 'service-no-endpoints', 'warning', 'a Service has no endpoints',
    `The Service has no endpoints (no selected running pod, or no EndpointSlice), or none the load
balancer would use (ovn-kubernetes takes ready endpoints, else serving+terminating ones, all with
publishNotReadyAddresses): its load balancer has an empty backend list and OVN rejects
connections to it. ExternalName Services are not checked.`),
  R('UDNC-L012', 'udn-policy-default-cidr', 'warning', 'policy on a primary UDN uses an ipBlock of the default network',
    `The NetworkPolicy's namespace is served by a primary (C)UDN, but an ipBlock overlaps the default
cluster or service network. Pod IPs on the UDN come from the UDN's subnets and default-network
pods are isolated from it (tier 0), so the block does not mean what it seems.`),
  R('UDNC-L013', 'admin-policy-on-udn', 'warning', 'ANP/BANP selects pods on a primary UDN',
    `AdminNetworkPolicy and BaselineAdminNetworkPolicy are run only by ovn-kubernetes' default
network controller (v1.3.0): they never apply on UDN datapaths. Pods whose primary network is a
(C)UDN are selected in name only.`),
  R('UDNC-L014', 'hostnetwork-selected', 'warning', 'a policy selects hostNetwork pods',
    `hostNetwork pods have no OVN port: NetworkPolicy and ANP/BANP subjects never include them (their
traffic is host traffic), so selecting them has no effect.`),
];

export const RULE_BY_ID: ReadonlyMap<string, LintRule> = new Map(RULES.map((r) => [r.id, r]));

export function ruleByName(name: string): LintRule {
  const r = RULES.find((x) => x.name === name);
  if (!r) throw new Error(`internal error: no lint rule ${name}`);
  return r;
}
