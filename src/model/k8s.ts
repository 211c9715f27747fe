/**
 * Typed subsets of the Kubernetes and OVN-Kubernetes APIs the model keeps, after apiserver defaulting.
 * Names follow the upstream Go types.
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
/** `{}` selects everything; a missing selector is represented by `undefined` where the API distinguishes. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

// ---- networking.k8s.io/v1 NetworkPolicy ----
export interface NetworkPolicyPort {
  protocol: Protocol; // defaulted to TCP
  port?: number | string; // number or named port
  endPort?: number;
}
export interface IPBlock {
  cidr: string;
  except?: string[];
}
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}
export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}
export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: Array<'Ingress' | 'Egress'>; // defaulted as the apiserver does
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

// ---- policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy ----
export interface NamespacedPod {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}
export interface AdminNetworkPolicySubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}
export interface AdminNetworkPolicyPort {
  portNumber?: { protocol: Protocol; port: number };
  namedPort?: string;
  portRange?: { protocol: Protocol; start: number; end: number };
}
export interface AdminNetworkPolicyIngressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}
export interface AdminNetworkPolicyEgressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  nodes?: LabelSelector;
  networks?: string[]; // CIDRs
}
export type AdminNetworkPolicyRuleAction = 'Allow' | 'Deny' | 'Pass';
export type BaselineAdminNetworkPolicyRuleAction = 'Allow' | 'Deny';
export interface AdminNetworkPolicyIngressRule<A = AdminNetworkPolicyRuleAction> {
  name?: string;
  action: A;
  from: AdminNetworkPolicyIngressPeer[];
  ports?: AdminNetworkPolicyPort[];
}
export interface AdminNetworkPolicyEgressRule<A = AdminNetworkPolicyRuleAction> {
  name?: string;
  action: A;
  to: AdminNetworkPolicyEgressPeer[];
  ports?: AdminNetworkPolicyPort[];
}
export interface AdminNetworkPolicySpec {
  priority: number;
  subject: AdminNetworkPolicySubject;
  ingress?: AdminNetworkPolicyIngressRule[];
  egress?: AdminNetworkPolicyEgressRule[];
}
export interface BaselineAdminNetworkPolicySpec {
  subject: AdminNetworkPolicySubject;
  ingress?: AdminNetworkPolicyIngressRule<BaselineAdminNetworkPolicyRuleAction>[];
  egress?: AdminNetworkPolicyEgressRule<BaselineAdminNetworkPolicyRuleAction>[];
}

// ---- v1 Service ----
export interface ServicePort {
  name?: string;
  protocol: Protocol; // defaulted TCP
  port: number;
  targetPort: number | string; // defaulted to port
  nodePort?: number;
}
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
