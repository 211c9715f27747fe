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

/** Applies the conditional defaults for one object, in place. */
export function applyCodeDefaults(kind: KnownKind, obj: Json): void {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  switch (kind) {
    case 'Namespace': {
      // NamespaceDefaultLabelName (GA in 1.22): the apiserver always sets this label to the name.
      const meta = obj.metadata as Json;
      const labels = isObj(meta.labels) ? meta.labels : (meta.labels = {});
      (labels as Json)['kubernetes.io/metadata.name'] = meta.name;
      break;
    }
    case 'NetworkPolicy': {
      if (!spec) break;
      // podSelector is a struct, not a pointer: absent means {} (all pods in the namespace).
      if (spec.podSelector === undefined) spec.podSelector = {};
      if (spec.policyTypes === undefined || (Array.isArray(spec.policyTypes) && spec.policyTypes.length === 0)) {
        spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
      }
      break;
    }
    case 'Service': {
      if (!spec) break;
      const type = spec.type;
      if (Array.isArray(spec.ports)) {
        for (const p of spec.ports) {
          if (!isObj(p)) continue;
          // targetPort unset (or 0 / "") means "same as port".
          if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') {
            if (p.port !== undefined) p.targetPort = p.port;
          }
        }
      }
      if (spec.sessionAffinity === 'ClientIP') {
        const cfg = isObj(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : (spec.sessionAffinityConfig = {});
        const cip = isObj((cfg as Json).clientIP) ? ((cfg as Json).clientIP as Json) : ((cfg as Json).clientIP = {});
        if (cip.timeoutSeconds === undefined) cip.timeoutSeconds = 10800;
      }
      if ((type === 'NodePort' || type === 'LoadBalancer') && spec.externalTrafficPolicy === undefined) {
        spec.externalTrafficPolicy = 'Cluster';
      }
      if (type !== 'ExternalName' && spec.internalTrafficPolicy === undefined) spec.internalTrafficPolicy = 'Cluster';
      if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
      break;
    }
    case 'ReplicationController': {
      // SetDefaults_ReplicationController: selector and labels default to the template's labels.
      if (!spec) break;
      const tpl = isObj(spec.template) ? spec.template : undefined;
      const tplLabels = tpl && isObj(tpl.metadata) && isObj(tpl.metadata.labels) ? tpl.metadata.labels : undefined;
      if (tplLabels && (spec.selector === undefined || (isObj(spec.selector) && Object.keys(spec.selector).length === 0))) {
        spec.selector = { ...tplLabels };
      }
      break;
    }
    default:
      break;
  }
}

/**
 * Field paths present in `after` but not in `before`: what defaulting added. Reports the
 * outermost added field (`spec.sessionAffinityConfig`, not each leaf below it).
 */
export function addedPaths(before: unknown, after: unknown, path = '', out: string[] = []): string[] {
  if (Array.isArray(after) && Array.isArray(before)) {
    after.forEach((x, i) => addedPaths(before[i], x, `${path}[${i}]`, out));
  } else if (isObj(after) && isObj(before)) {
    for (const k of Object.keys(after)) {
      const p = /^[A-Za-z_$][\w$-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
      if (!(k in before)) out.push(p);
      else addedPaths(before[k], after[k], p, out);
    }
  }
  return out;
}
