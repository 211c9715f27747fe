/** Which upstream CRD file (in /work/shared/schemas) each generated schema comes from. */
export const CRD_SOURCES = [
  { kind: 'AdminNetworkPolicy', crdFile: 'policy.networking.k8s.io_adminnetworkpolicies.yaml', version: 'v1alpha1', schemaFile: 'adminnetworkpolicy.json' },
  { kind: 'BaselineAdminNetworkPolicy', crdFile: 'policy.networking.k8s.io_baselineadminnetworkpolicies.yaml', version: 'v1alpha1', schemaFile: 'baselineadminnetworkpolicy.json' },
  { kind: 'UserDefinedNetwork', crdFile: 'k8s.ovn.org_userdefinednetworks.yaml', version: 'v1', schemaFile: 'userdefinednetwork.json' },
  { kind: 'ClusterUserDefinedNetwork', crdFile: 'k8s.ovn.org_clusteruserdefinednetworks.yaml', version: 'v1', schemaFile: 'clusteruserdefinednetwork.json' },
] as const;

type Json = Record<string, any>;

/**
 * The shared ANP/BANP CRDs are the network-policy-api *standard* channel (v0.1.7). OVN-Kubernetes
 * installs and implements the *experimental* channel, which adds two fields udnc must accept:
 * `ports[].namedPort` (ingress and egress rules) and the egress peer `nodes` (a label selector).
 * Written by hand here (from the network-policy-api API reference) and merged into the
 * generated schema; the standard CRD's one-of constraints (min/maxProperties 1) still apply.
 */
export function applyExperimentalOverlay(kind: string, schema: Json): void {
  if (kind !== 'AdminNetworkPolicy' && kind !== 'BaselineAdminNetworkPolicy') return;
  const spec = schema.properties?.spec?.properties;
  if (!spec) throw new Error(`${kind}: unexpected schema shape`);
  for (const dir of ['ingress', 'egress']) {
    const rule = spec[dir]?.items?.properties;
    if (!rule) throw new Error(`${kind}: no ${dir} rules in schema`);
    rule.ports.items.properties.namedPort = { type: 'string', 'x-udnc-experimental': true };
  }
  const egressPeer = spec.egress.items.properties.to.items.properties;
  egressPeer.nodes = { $ref: 'k8s-common.json#/definitions/LabelSelector', 'x-udnc-experimental': true };
}
