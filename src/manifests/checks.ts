/**
 * Apiserver validation that a JSON schema cannot express (cross-field rules from Kubernetes'
 * pkg/apis/.../validation and the admission webhooks udnc's inputs go through). Runs after the
 * schema passed, so field types can be trusted.
 */
import { parseCIDR, parseIP } from './cel.js';
import type { SchemaIssue } from './schemas.js';
import type { KnownKind } from './types.js';

type Json = Record<string, any>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function semanticChecks(kind: KnownKind, obj: Json): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  const add = (path: string, message: string): void => {
    out.push({ path, message });
  };
  const spec = isObj(obj.spec) ? obj.spec : {};
  switch (kind) {
    case 'NetworkPolicy':
      for (const dir of ['ingress', 'egress'] as const) {
        arr(spec[dir]).forEach((rule, i) => {
          if (!isObj(rule)) return;
          const base = `spec.${dir}[${i}]`;
          arr(rule.ports).forEach((p, j) => {
            if (!isObj(p) || p.endPort === undefined) return;
            const pp = `${base}.ports[${j}]`;
            if (typeof p.port !== 'number') add(`${pp}.endPort`, 'may not be specified when port is not a number');
            else if (p.endPort < p.port) add(`${pp}.endPort`, `must be greater than or equal to port (${p.port})`);
          });
          arr(rule[dir === 'ingress' ? 'from' : 'to']).forEach((peer, j) => {
            if (!isObj(peer)) return;
            const pp = `${base}.${dir === 'ingress' ? 'from' : 'to'}[${j}]`;
            if (peer.ipBlock !== undefined && (peer.podSelector !== undefined || peer.namespaceSelector !== undefined)) {
              add(pp, 'may not specify both ipBlock and another peer');
            }
            if (isObj(peer.ipBlock)) checkIPBlock(peer.ipBlock, `${pp}.ipBlock`, add);
          });
        });
      }
      break;
    case 'Service':
      checkService(spec, add);
      break;
    case 'Pod':
      checkPodSpec(spec, 'spec', add);
      if (isObj(obj.status)) {
        if (typeof obj.status.podIP === 'string' && obj.status.podIP !== '' && !parseIP(obj.status.podIP)) add('status.podIP', `must be a valid IP address, got ${JSON.stringify(obj.status.podIP)}`);
        arr(obj.status.podIPs).forEach((p, i) => {
          if (isObj(p) && typeof p.ip === 'string' && !parseIP(p.ip)) add(`status.podIPs[${i}].ip`, `must be a valid IP address, got ${JSON.stringify(p.ip)}`);
        });
      }
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      checkSelectorMatchesTemplate(spec, kind !== 'Job', add);
      if (isObj(spec.template) && isObj(spec.template.spec)) checkPodSpec(spec.template.spec, 'spec.template.spec', add);
      break;
    case 'ReplicationController': {
      const tplLabels = isObj(spec.template) && isObj(spec.template.metadata) && isObj(spec.template.metadata.labels) ? spec.template.metadata.labels : {};
      const sel = isObj(spec.selector) ? spec.selector : {};
      if (Object.keys(sel).length === 0) add('spec.selector', 'Required value');
      else if (!Object.entries(sel).every(([k, v]) => tplLabels[k] === v)) add('spec.template.metadata.labels', '`selector` does not match template `labels`');
      if (isObj(spec.template) && isObj(spec.template.spec)) checkPodSpec(spec.template.spec, 'spec.template.spec', add);
      break;
    }
    case 'CronJob': {
      const js = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
      if (isObj(js.template) && isObj(js.template.spec)) checkPodSpec(js.template.spec, 'spec.jobTemplate.spec.template.spec', add);
      break;
    }
    case 'EndpointSlice': {
      const fam = obj.addressType === 'IPv4' ? 4 : obj.addressType === 'IPv6' ? 6 : 0;
      arr(obj.endpoints).forEach((ep, i) => {
        if (!isObj(ep) || fam === 0) return;
        arr(ep.addresses).forEach((a, j) => {
          const ip = typeof a === 'string' ? parseIP(a) : undefined;
          if (!ip || ip.family !== fam) add(`endpoints[${i}].addresses[${j}]`, `must be a valid ${obj.addressType} address, got ${JSON.stringify(a)}`);
        });
      });
      break;
    }
    case 'NetworkAttachmentDefinition':
      if (typeof spec.config === 'string' && spec.config.trim() !== '') {
        try {
          JSON.parse(spec.config);
        } catch (e) {
          add('spec.config', `must be valid JSON (CNI configuration): ${(e as Error).message}`);
        }
      }
      break;
    case 'Network':
      arr(spec.clusterNetwork).forEach((n, i) => {
        if (!isObj(n)) return;
        const c = typeof n.cidr === 'string' ? parseCIDR(n.cidr) : undefined;
        if (!c) add(`spec.clusterNetwork[${i}].cidr`, `must be a valid CIDR, got ${JSON.stringify(n.cidr)}`);
        else if (typeof n.hostPrefix === 'number' && (n.hostPrefix < c.prefix || n.hostPrefix > c.width)) {
          add(`spec.clusterNetwork[${i}].hostPrefix`, `must be between the CIDR prefix length (${c.prefix}) and ${c.width}`);
        }
      });
      arr(spec.serviceNetwork).forEach((s, i) => {
        if (typeof s !== 'string' || !parseCIDR(s)) add(`spec.serviceNetwork[${i}]`, `must be a valid CIDR, got ${JSON.stringify(s)}`);
      });
      break;
    default:
      break;
  }
  return out;
}

function checkIPBlock(b: Json, path: string, add: (p: string, m: string) => void): void {
  const c = typeof b.cidr === 'string' ? parseCIDR(b.cidr) : undefined;
  if (!c) {
    add(`${path}.cidr`, `must be a valid CIDR (e.g. 10.0.0.0/16), got ${JSON.stringify(b.cidr)}`);
    return;
  }
  arr(b.except).forEach((e, i) => {
    const x = typeof e === 'string' ? parseCIDR(e) : undefined;
    if (!x) add(`${path}.except[${i}]`, `must be a valid CIDR, got ${JSON.stringify(e)}`);
    else if (!(c.containsCIDR(x) && x.prefix > c.prefix)) add(`${path}.except[${i}]`, `must be a strict subset of \`cidr\` (${String(b.cidr)})`);
  });
}

function checkService(spec: Json, add: (p: string, m: string) => void): void {
  const ports = arr(spec.ports);
  const type = spec.type;
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '') add('spec.externalName', 'Required value (type is ExternalName)');
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    add('spec.ports', 'Required value');
  }
  const names = new Map<string, number>();
  const pairs = new Map<string, number>();
  ports.forEach((p, i) => {
    if (!isObj(p)) return;
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && (typeof p.name !== 'string' || p.name === '')) add(`${pp}.name`, 'Required value (when a Service has more than one port, every port needs a name)');
    if (typeof p.name === 'string' && p.name !== '') {
      const prev = names.get(p.name);
      if (prev !== undefined) add(`${pp}.name`, `Duplicate value: ${JSON.stringify(p.name)} (also spec.ports[${prev}])`);
      else names.set(p.name, i);
    }
    const key = `${String(p.port)}/${String(p.protocol)}`;
    const prev = pairs.get(key);
    if (prev !== undefined) add(pp, `Duplicate value: port ${String(p.port)}/${String(p.protocol)} (also spec.ports[${prev}])`);
    else pairs.set(key, i);
    if (typeof p.nodePort === 'number' && p.nodePort !== 0 && type !== 'NodePort' && type !== 'LoadBalancer') {
      add(`${pp}.nodePort`, `may not be used when \`type\` is '${String(type)}'`);
    }
  });
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None' && !parseIP(spec.clusterIP)) {
    add('spec.clusterIP', `must be empty, 'None', or a valid IP address, got ${JSON.stringify(spec.clusterIP)}`);
  }
  arr(spec.clusterIPs).forEach((ip, i) => {
    if (typeof ip === 'string' && ip !== 'None' && !parseIP(ip)) add(`spec.clusterIPs[${i}]`, `must be a valid IP address, got ${JSON.stringify(ip)}`);
  });
  arr(spec.externalIPs).forEach((ip, i) => {
    if (typeof ip !== 'string' || !parseIP(ip)) add(`spec.externalIPs[${i}]`, `must be a valid IP address, got ${JSON.stringify(ip)}`);
  });
  if (spec.externalTrafficPolicy !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') {
    add('spec.externalTrafficPolicy', 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\'');
  }
}

function checkPodSpec(ps: Json, path: string, add: (p: string, m: string) => void): void {
  const names = new Map<string, string>();
  for (const field of ['initContainers', 'containers'] as const) {
    arr(ps[field]).forEach((c, i) => {
      if (!isObj(c)) return;
      const cp = `${path}.${field}[${i}]`;
      if (typeof c.name === 'string') {
        const prev = names.get(c.name);
        if (prev !== undefined) add(`${cp}.name`, `Duplicate value: ${JSON.stringify(c.name)} (also ${prev})`);
        else names.set(c.name, cp);
      }
      const portNames = new Set<string>();
      arr(c.ports).forEach((p, j) => {
        if (!isObj(p)) return;
        if (typeof p.name === 'string') {
          if (portNames.has(p.name)) add(`${cp}.ports[${j}].name`, `Duplicate value: ${JSON.stringify(p.name)}`);
          portNames.add(p.name);
        }
        if (ps.hostNetwork === true && typeof p.hostPort === 'number' && p.hostPort !== 0 && p.hostPort !== p.containerPort) {
          add(`${cp}.ports[${j}].hostPort`, 'must match `containerPort` when `hostNetwork` is true');
        }
      });
    });
  }
}

function selectorMatches(sel: Json, labels: Json): boolean {
  for (const [k, v] of Object.entries(isObj(sel.matchLabels) ? sel.matchLabels : {})) if (labels[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    if (!isObj(e)) continue;
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = arr(e.values);
    switch (e.operator) {
      case 'In': if (!has || !vals.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && vals.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

/** apps/v1 workloads: selector required, non-empty, and it must select the template's labels. */
function checkSelectorMatchesTemplate(spec: Json, required: boolean, add: (p: string, m: string) => void): void {
  const sel = spec.selector;
  const tplLabels = isObj(spec.template) && isObj(spec.template.metadata) && isObj(spec.template.metadata.labels) ? spec.template.metadata.labels : {};
  if (!isObj(sel)) return; // missing selector is reported by the schema where it is required
  const empty = Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length === 0 && arr(sel.matchExpressions).length === 0;
  if (empty) {
    if (required) add('spec.selector', 'empty selector is invalid for this kind');
    return;
  }
  if (!selectorMatches(sel, tplLabels)) add('spec.template.metadata.labels', '`selector` does not match template `labels`');
}
