/**
 * Apiserver defaulting that is not a plain schema `default:` (those are applied by ajv from the
 * schemas: protocol TCP on container/Service/NetworkPolicy/EndpointSlice/ANP/BANP ports, replicas 1,
 * Service type ClusterIP and sessionAffinity None, every UDN/CUDN CRD default). What lives here
 * depends on other fields, as in Kubernetes' SetDefaults_* functions (pkg/apis/core/v1/defaults.go and friends).
 */
import type { KnownKind } from './types.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Drops `null`-valued fields (recursively, not inside arrays' positions): the apiserver decodes
 * `field: null` (or `field:` with nothing after it in YAML) as "unset", for built-in types and
 * for CRDs (nulls in non-nullable fields are pruned before defaulting).
 */
export function dropNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) dropNulls(x);
  } else if (isObj(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else dropNulls(v[k]);
    }
  }
}

/** Applies the conditional defaults for one object, in place; returns the field paths it set. */
export function applyCodeDefaults(kind: KnownKind, obj: Json): string[] {
  const set: string[] = [];
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  switch (kind) {
    case 'Namespace': {
      // NamespaceDefaultLabelName (GA in 1.22): the apiserver always sets this label to the name.
      const meta = obj.metadata as Json;
      const labels = isObj(meta.labels) ? meta.labels : (meta.labels = {});
      if ((labels as Json)['kubernetes.io/metadata.name'] !== meta.name) set.push('metadata.labels["kubernetes.io/metadata.name"]');
      (labels as Json)['kubernetes.io/metadata.name'] = meta.name;
      break;
    }
    case 'NetworkPolicy': {
      if (!spec) break;
      // podSelector is a struct, not a pointer: absent means {} (all pods in the namespace).
      if (spec.podSelector === undefined) {
        spec.podSelector = {};
        set.push('spec.podSelector');
      }
      if (spec.policyTypes === undefined || (Array.isArray(spec.policyTypes) && spec.policyTypes.length === 0)) {
        spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
        set.push('spec.policyTypes');
      }
      break;
    }
    case 'Service': {
      if (!spec) break;
      const type = spec.type;
      if (Array.isArray(spec.ports)) {
        spec.ports.forEach((p: unknown, i: number) => {
          if (!isObj(p)) return;
          // targetPort unset (or 0 / "") means "same as port".
          if ((p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') && p.port !== undefined) {
            p.targetPort = p.port;
            set.push(`spec.ports[${i}].targetPort`);
          }
        });
      }
      if (spec.sessionAffinity === 'ClientIP') {
        const cfg = isObj(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : (spec.sessionAffinityConfig = {});
        const cip = isObj((cfg as Json).clientIP) ? ((cfg as Json).clientIP as Json) : ((cfg as Json).clientIP = {});
        if (cip.timeoutSeconds === undefined) {
          cip.timeoutSeconds = 10800;
          set.push('spec.sessionAffinityConfig.clientIP.timeoutSeconds');
        }
      }
      if ((type === 'NodePort' || type === 'LoadBalancer') && spec.externalTrafficPolicy === undefined) {
        spec.externalTrafficPolicy = 'Cluster';
        set.push('spec.externalTrafficPolicy');
      }
      if (type !== 'ExternalName' && spec.internalTrafficPolicy === undefined) {
        spec.internalTrafficPolicy = 'Cluster';
        set.push('spec.internalTrafficPolicy');
      }
      if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
        spec.allocateLoadBalancerNodePorts = true;
        set.push('spec.allocateLoadBalancerNodePorts');
      }
      break;
    }
    case 'ReplicationController': {
      // SetDefaults_ReplicationController: selector and labels default to the template's labels.
      if (!spec) break;
      const tpl = isObj(spec.template) ? spec.template : undefined;
      const tplLabels = tpl && isObj(tpl.metadata) && isObj(tpl.metadata.labels) ? tpl.metadata.labels : undefined;
      if (tplLabels && (spec.selector === undefined || (isObj(spec.selector) && Object.keys(spec.selector).length === 0))) {
        spec.selector = { ...tplLabels };
        set.push('spec.selector');
      }
      break;
    }
    default:
      break;
  }
  return set;
}
