/**
 * Policies, copied into the model with the apiserver's defaulting applied (so later stages need
 * not repeat it): NetworkPolicy podSelector `{}` and policyTypes, port protocol TCP.
 */
import type { ManifestObject } from '../manifests/types.js';
import type { AdminNetworkPolicySpec, BaselineAdminNetworkPolicySpec, NetworkPolicySpec } from './k8s.js';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, NetworkPolicy } from './types.js';
import { isRecord, type Problems, refOf, stringMap } from './util.js';

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function defaultPorts(ports: unknown): void {
  if (!Array.isArray(ports)) return;
  for (const pt of ports) {
    if (isRecord(pt) && pt.protocol === undefined) pt.protocol = 'TCP';
  }
}

export function networkPolicyOf(mo: ManifestObject): NetworkPolicy {
  const o = mo.object;
  const spec = clone(isRecord(o.spec) ? o.spec : {}) as Record<string, unknown>;
  if (!isRecord(spec.podSelector)) spec.podSelector = {};
  for (const r of [...(Array.isArray(spec.ingress) ? spec.ingress : []), ...(Array.isArray(spec.egress) ? spec.egress : [])]) {
    if (isRecord(r)) defaultPorts(r.ports);
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    // SetDefaults_NetworkPolicySpec: Ingress, plus Egress when there is at least one egress rule
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  return {
    namespace: o.metadata.namespace ?? 'default',
    name: o.metadata.name,
    spec: spec as unknown as NetworkPolicySpec,
    annotations: stringMap(o.metadata.annotations),
    ref: refOf(mo),
  };
}

function defaultAnpPorts(spec: Record<string, unknown>): void {
  for (const dir of ['ingress', 'egress']) {
    const rules = spec[dir];
    if (!Array.isArray(rules)) continue;
    for (const r of rules) {
      if (!isRecord(r) || !Array.isArray(r.ports)) continue;
      for (const pt of r.ports) {
        if (!isRecord(pt)) continue;
        for (const k of ['portNumber', 'portRange']) {
          const x = pt[k];
          if (isRecord(x) && x.protocol === undefined) x.protocol = 'TCP';
        }
      }
    }
  }
}

export function adminNetworkPolicyOf(mo: ManifestObject): AdminNetworkPolicy {
  const o = mo.object;
  const spec = clone(isRecord(o.spec) ? o.spec : {}) as Record<string, unknown>;
  defaultAnpPorts(spec);
  return { name: o.metadata.name, spec: spec as unknown as AdminNetworkPolicySpec, annotations: stringMap(o.metadata.annotations), ref: refOf(mo) };
}

export function baselineAdminNetworkPolicyOf(mos: ManifestObject[], p: Problems): BaselineAdminNetworkPolicy | undefined {
  let out: BaselineAdminNetworkPolicy | undefined;
  for (const mo of mos) {
    const o = mo.object;
    if (o.metadata.name !== 'default') {
      // the CRD admits only the singleton named "default"
      p.error(mo, `BaselineAdminNetworkPolicy must be named "default", not ${JSON.stringify(o.metadata.name)}`, 'metadata.name');
      continue;
    }
    const spec = clone(isRecord(o.spec) ? o.spec : {}) as Record<string, unknown>;
    defaultAnpPorts(spec);
    out = { name: o.metadata.name, spec: spec as unknown as BaselineAdminNetworkPolicySpec, annotations: stringMap(o.metadata.annotations), ref: refOf(mo) };
  }
  return out;
}
