/**
 * Services and their endpoints, as the apiserver (ClusterIP/NodePort allocation) and the
 * EndpointSlice controller would produce them.
 *
 * ClusterIPs: given ones are honoured (outside the service network or taken twice → error). The
 * rest are allocated in (namespace, name) order, as KEP-3070 does in shape: dynamic allocations
 * come from the upper band of the range (offset min(max(16, size/16), 256)), the first address
 * is kept for default/kubernetes and the tenth for kube-system/kube-dns (kubeadm/kind layout).
 * Real allocation is random. NodePorts: given ones honoured, the rest 30000, 30001, ... in the
 * same order.
 *
 * Endpoints: from EndpointSlices labelled kubernetes.io/service-name when any exist, else from the
 * selector over the namespace's Running pods, on the service's network (the namespace's primary
 * network: a primary-UDN service gets the pods' UDN IPs, like ovn-kubernetes' mirrored slices).
 */
import type { ManifestObject } from '../manifests/types.js';
import { type CIDR, cidrContains, cidrSize, compareIP, formatIP, type IP, parseCIDR, parseIP } from './ip.js';
import type { Protocol, ServicePort, ServiceType } from './k8s.js';
import type { NsDraft } from './networks.js';
import { matchesMap } from './selector.js';
import type { ClusterConfig, Endpoint, Pod, Service } from './types.js';
import { cmp, isRecord, type Problems, pushTo, refOf, stringMap } from './util.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MIRRORED_SERVICE_NAME_LABEL = 'k8s.ovn.org/service-name';
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

type Family = 'IPv4' | 'IPv6';

function protocolOf(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

function familyOf(ip: IP): Family {
  return ip.v6 ? 'IPv6' : 'IPv4';
}

class ServiceIPPool {
  private readonly used = new Set<string>();
  private readonly cursor: bigint;
  private readonly last: bigint;
  private next: bigint;
  constructor(readonly cidr: CIDR) {
    const size = cidrSize(cidr);
    const offset = size / 16n < 16n ? 16n : size / 16n > 256n ? 256n : size / 16n;
    this.cursor = cidr.base + (size > 32n ? offset : 1n);
    this.last = cidr.base + size - (cidr.v6 ? 1n : 2n);
    this.next = this.cursor;
  }
  has(ip: IP): boolean { return this.used.has(formatIP(ip)); }
  take(ip: IP): void { this.used.add(formatIP(ip)); }
  nth(i: bigint): IP { return { v6: this.cidr.v6, n: this.cidr.base + i }; }
  allocate(): IP | undefined {
    // upper band first, then wrap to the lower band
    for (const [from, to] of [[this.next, this.last], [this.cidr.base + 1n, this.cursor - 1n]] as const) {
      for (let n = from; n <= to; n++) {
        const ip: IP = { v6: this.cidr.v6, n };
        if (this.has(ip)) continue;
        this.take(ip);
        this.next = n + 1n;
        return ip;
      }
    }
    return undefined;
  }
}

interface SvcDraft {
  mo: ManifestObject;
  ns: string;
  name: string;
  type: ServiceType;
  headless: boolean;
  families: Family[];
  clusterIPs: string[];
  ports: ServicePort[];
  wantsNodePorts: boolean;
}

export function buildServices(
  svcObjs: ManifestObject[], sliceObjs: ManifestObject[], pods: readonly Pod[],
  nodesByName: Map<string, { hostAddresses: readonly string[] }>,
  namespaces: Map<string, NsDraft>, config: ClusterConfig, p: Problems,
): Service[] {
  const pools = config.serviceNetwork.map((s) => parseCIDR(s)).filter((c): c is CIDR => c !== undefined).map((c) => new ServiceIPPool(c));
  const clusterFamilies: Family[] = [];
  for (const pl of pools) if (!clusterFamilies.includes(pl.cidr.v6 ? 'IPv6' : 'IPv4')) clusterFamilies.push(pl.cidr.v6 ? 'IPv6' : 'IPv4');
  const poolFor = (f: Family) => pools.find((pl) => (pl.cidr.v6 ? 'IPv6' : 'IPv4') === f);
  const owners = new Map<string, string>();
  const drafts: SvcDraft[] = [];
  const sorted = [...svcObjs].sort((a, b) => cmp(a.object.metadata.namespace ?? 'default', b.object.metadata.namespace ?? 'default') || cmp(a.object.metadata.name, b.object.metadata.name));

  // pass 1: given clusterIPs and nodePorts
  const usedNodePorts = new Map<string, string>();
  for (const mo of sorted) {
    const o = mo.object;
    const ns = o.metadata.namespace ?? 'default';
    const who = `${ns}/${o.metadata.name}`;
    const spec = isRecord(o.spec) ? o.spec : {};
    const t = spec.type;
    const type: ServiceType = t === 'NodePort' || t === 'LoadBalancer' || t === 'ExternalName' ? t : 'ClusterIP';
    const given = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0
      ? spec.clusterIPs.filter((x: unknown): x is string => typeof x === 'string')
      : typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? [spec.clusterIP] : [];
    const headless = given[0] === 'None';
    const d: SvcDraft = { mo, ns, name: o.metadata.name, type, headless, families: [], clusterIPs: [], ports: [], wantsNodePorts: false };
    // families: the IPs', else spec.ipFamilies, else the policy over the cluster's families
    const polFams = Array.isArray(spec.ipFamilies) ? spec.ipFamilies.filter((f: unknown): f is Family => f === 'IPv4' || f === 'IPv6') : [];
    const policy = typeof spec.ipFamilyPolicy === 'string' ? spec.ipFamilyPolicy : 'SingleStack';
    if (type !== 'ExternalName') {
      if (!headless && given.length > 0) {
        for (const g of given) {
          const ip = parseIP(g);
          if (!ip) { p.error(mo, `invalid clusterIP ${JSON.stringify(g)}`, 'spec.clusterIP'); continue; }
          const pool = pools.find((pl) => cidrContains(pl.cidr, ip));
          if (!pool) {
            if (config.from !== 'defaults') {
              p.error(mo, `service ${who}: clusterIP ${g} is not in the service network ${config.serviceNetwork.join(',')}`, 'spec.clusterIP');
              continue;
            }
            // the defaults are udnc's guess, the manifest is evidence about the real cluster
            p.notice(`service ${who}: clusterIP ${g} is outside the default service network ${config.serviceNetwork.join(',')} (no cluster Network config given); kept as written`, refOf(mo));
          }
          const text = formatIP(ip);
          const prev = owners.get(text);
          if (prev) { p.error(mo, `service ${who}: clusterIP ${text} is already allocated to service ${prev}`, 'spec.clusterIP'); continue; }
          owners.set(text, who);
          pool?.take(ip);
          d.clusterIPs.push(text);
          d.families.push(familyOf(ip));
        }
      } else if (polFams.length > 0) {
        d.families = polFams;
      } else if (policy === 'SingleStack') {
        d.families = clusterFamilies.slice(0, 1);
      } else {
        d.families = [...clusterFamilies];
      }
      if (policy === 'RequireDualStack' && clusterFamilies.length < 2) {
        p.error(mo, `service ${who}: ipFamilyPolicy RequireDualStack on a single-stack cluster`, 'spec.ipFamilyPolicy');
      }
      for (const f of d.families) {
        if (!poolFor(f) && d.clusterIPs.length === 0) p.error(mo, `service ${who}: ip family ${f} is not configured in the service network ${config.serviceNetwork.join(',')}`, 'spec.ipFamilies');
      }
    }
    d.wantsNodePorts = (type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false));
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    ports.forEach((raw: unknown, i: number) => {
      if (!isRecord(raw) || typeof raw.port !== 'number') {
        p.error(mo, 'service ports need a numeric port', `spec.ports[${i}]`);
        return;
      }
      const sp: ServicePort = {
        protocol: protocolOf(raw.protocol),
        port: raw.port,
        targetPort: typeof raw.targetPort === 'number' || (typeof raw.targetPort === 'string' && raw.targetPort !== '')
          ? (typeof raw.targetPort === 'string' && /^\d+$/.test(raw.targetPort) ? Number(raw.targetPort) : raw.targetPort)
          : raw.port,
      };
      if (typeof raw.name === 'string' && raw.name) sp.name = raw.name;
      if (typeof raw.nodePort === 'number' && raw.nodePort > 0) {
        if (!d.wantsNodePorts) {
          p.error(mo, `service ${who}: nodePort set on a service of type ${type}`, `spec.ports[${i}].nodePort`);
        } else if (raw.nodePort < NODE_PORT_MIN || raw.nodePort > NODE_PORT_MAX) {
          p.error(mo, `service ${who}: nodePort ${raw.nodePort} is outside ${NODE_PORT_MIN}-${NODE_PORT_MAX}`, `spec.ports[${i}].nodePort`);
        } else {
          const key = `${sp.protocol}/${raw.nodePort}`;
          const prev = usedNodePorts.get(key);
          if (prev && prev !== who) p.error(mo, `service ${who}: nodePort ${raw.nodePort}/${sp.protocol} is already allocated to service ${prev}`, `spec.ports[${i}].nodePort`);
          usedNodePorts.set(key, who);
          sp.nodePort = raw.nodePort;
        }
      }
      d.ports.push(sp);
    });
    drafts.push(d);
  }

  // well-known addresses (kubeadm layout), kept even when those services are absent
  const wellKnown = new Map<string, bigint>([['default/kubernetes', 1n], ['kube-system/kube-dns', 10n]]);
  for (const pl of pools) for (const off of wellKnown.values()) {
    const ip = pl.nth(off);
    if (!owners.has(formatIP(ip))) pl.take(ip);
  }

  // pass 2: allocate
  let nextNodePort = NODE_PORT_MIN;
  for (const d of drafts) {
    const who = `${d.ns}/${d.name}`;
    if (d.type !== 'ExternalName' && !d.headless && d.clusterIPs.length === 0) {
      for (const f of d.families) {
        const pool = poolFor(f);
        if (!pool) continue;
        const off = wellKnown.get(who);
        let ip: IP | undefined;
        if (off !== undefined && !owners.has(formatIP(pool.nth(off)))) ip = pool.nth(off);
        else ip = pool.allocate();
        if (!ip) { p.error(d.mo, `service ${who}: the service network ${formatIP({ v6: pool.cidr.v6, n: pool.cidr.base })}/${pool.cidr.prefix} is full`); continue; }
        owners.set(formatIP(ip), who);
        d.clusterIPs.push(formatIP(ip));
      }
    }
    if (d.wantsNodePorts) {
      for (const sp of d.ports) {
        if (sp.nodePort !== undefined) continue;
        while (usedNodePorts.has(`${sp.protocol}/${nextNodePort}`) && nextNodePort <= NODE_PORT_MAX) nextNodePort++;
        if (nextNodePort > NODE_PORT_MAX) { p.error(d.mo, `service ${who}: no free nodePort`); break; }
        usedNodePorts.set(`${sp.protocol}/${nextNodePort}`, who);
        sp.nodePort = nextNodePort;
      }
    }
  }

  // EndpointSlices by service
  const slicesBySvc = new Map<string, ManifestObject[]>();
  const mirroredBySvc = new Map<string, ManifestObject[]>();
  for (const mo of sliceObjs) {
    const labels = mo.object.metadata.labels ?? {};
    const ns = mo.object.metadata.namespace ?? 'default';
    const mirrored = labels[MIRRORED_SERVICE_NAME_LABEL];
    const plain = labels[SERVICE_NAME_LABEL];
    if (mirrored !== undefined) pushTo(mirroredBySvc, `${ns}/${mirrored}`, mo);
    else if (plain !== undefined) pushTo(slicesBySvc, `${ns}/${plain}`, mo);
    else p.notice(`EndpointSlice ${ns}/${mo.object.metadata.name} has no ${SERVICE_NAME_LABEL} label: it belongs to no service`, refOf(mo));
  }
  const podsByNs = new Map<string, Pod[]>();
  for (const pod of pods) pushTo(podsByNs, pod.namespace, pod);
  const podByKey = new Map(pods.map((pd) => [`${pd.namespace}/${pd.name}`, pd]));

  return drafts.map((d) => {
    const o = d.mo.object;
    const spec = isRecord(o.spec) ? o.spec : {};
    const status = isRecord(o.status) ? o.status : {};
    const network = namespaces.get(d.ns)?.primaryNetwork ?? 'default';
    const key = `${d.ns}/${d.name}`;
    const affinity = spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None';
    const lbIPs: string[] = [];
    const lb = isRecord(status.loadBalancer) ? status.loadBalancer : {};
    if (Array.isArray(lb.ingress)) for (const i of lb.ingress) if (isRecord(i) && typeof i.ip === 'string') lbIPs.push(i.ip);
    const etpApplies = d.type === 'NodePort' || d.type === 'LoadBalancer' || (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
    const svc: Service = {
      namespace: d.ns,
      name: d.name,
      type: d.type,
      clusterIPs: d.clusterIPs,
      ports: d.ports,
      externalIPs: Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((x: unknown): x is string => typeof x === 'string') : [],
      loadBalancerIPs: lbIPs,
      sessionAffinity: affinity,
      externalTrafficPolicy: etpApplies && spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      internalTrafficPolicy: spec.internalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
      network,
      endpoints: [],
      endpointsFrom: 'none',
      ref: refOf(d.mo),
    };
    if (d.headless) svc.headless = true;
    if (d.families.length > 0) svc.ipFamilies = d.families;
    if (isRecord(spec.selector) && Object.keys(spec.selector).length > 0) svc.selector = stringMap(spec.selector);
    if (affinity === 'ClientIP') {
      const cfg = isRecord(spec.sessionAffinityConfig) && isRecord(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP : {};
      svc.affinityTimeoutSeconds = typeof cfg.timeoutSeconds === 'number' ? cfg.timeoutSeconds : 10800;
    }
    if (d.type === 'ExternalName') return svc;
    const mirrored = network !== 'default' ? mirroredBySvc.get(key) : undefined;
    const slices = mirrored ?? slicesBySvc.get(key);
    if (slices && slices.length > 0) {
      svc.endpointsFrom = 'EndpointSlice';
      svc.endpoints = sortEndpoints(slices.flatMap((s) => endpointsFromSlice(s, network, mirrored !== undefined, podByKey, p)));
    } else if (svc.selector) {
      svc.endpointsFrom = 'selector';
      svc.endpoints = sortEndpoints(endpointsFromSelector(svc, d.families, podsByNs.get(d.ns) ?? [], nodesByName));
      if (svc.endpoints.length === 0) p.notice(`service ${key} selects no running pod (or none with its target ports)`, svc.ref);
    }
    return svc;
  });
}

function sortEndpoints(eps: Endpoint[]): Endpoint[] {
  const keyed = eps.map((e) => ({ e, ip: parseIP(e.ip), ports: JSON.stringify(e.ports) }));
  keyed.sort((a, b) => (a.ip && b.ip ? compareIP(a.ip, b.ip) : cmp(a.e.ip, b.e.ip)) || cmp(a.ports, b.ports));
  return keyed.map((k) => k.e);
}

function endpointsFromSlice(
  mo: ManifestObject, network: string, mirrored: boolean, podByKey: Map<string, Pod>, p: Problems,
): Endpoint[] {
  const obj = mo.object;
  const ports: Array<{ name?: string; port: number; protocol: Protocol }> = [];
  if (Array.isArray(obj.ports)) {
    for (const pt of obj.ports) {
      if (!isRecord(pt) || typeof pt.port !== 'number') continue;
      const e: { name?: string; port: number; protocol: Protocol } = { port: pt.port, protocol: protocolOf(pt.protocol) };
      if (typeof pt.name === 'string' && pt.name) e.name = pt.name;
      ports.push(e);
    }
  }
  const out: Endpoint[] = [];
  if (!Array.isArray(obj.endpoints)) return out;
  for (const ep of obj.endpoints) {
    if (!isRecord(ep) || !Array.isArray(ep.addresses)) continue;
    const cond = isRecord(ep.conditions) ? ep.conditions : {};
    const ready = cond.ready !== false;
    const tref = isRecord(ep.targetRef) && ep.targetRef.kind === 'Pod' && typeof ep.targetRef.name === 'string'
      ? { namespace: typeof ep.targetRef.namespace === 'string' ? ep.targetRef.namespace : mo.object.metadata.namespace ?? 'default', name: ep.targetRef.name }
      : undefined;
    let addrs = ep.addresses.filter((x: unknown): x is string => typeof x === 'string');
    if (network !== 'default' && !mirrored) {
      // a slice of the default EndpointSlice controller lists eth0 (default network) IPs;
      // ovn-kubernetes mirrors it with the pods' IPs on the primary UDN
      const pod = tref ? podByKey.get(`${tref.namespace}/${tref.name}`) : undefined;
      const att = pod?.attachments.find((a) => a.network === network);
      if (att) {
        addrs = att.ips.map((x) => x.split('/')[0]!);
      } else if (!pod?.hostNetwork) {
        p.notice(`EndpointSlice ${mo.object.metadata.namespace}/${mo.object.metadata.name}: endpoint ${addrs.join(',')} has no pod on network ${network}; dropped`, refOf(mo));
        continue;
      }
    }
    for (const a of addrs) {
      const ip = parseIP(a);
      if (!ip) continue;
      const e: Endpoint = {
        ip: formatIP(ip),
        ports,
        ready,
        serving: cond.serving === undefined ? ready : cond.serving !== false,
        terminating: cond.terminating === true,
      };
      if (typeof ep.nodeName === 'string') e.node = ep.nodeName;
      if (tref) e.pod = tref;
      out.push(e);
    }
  }
  return out;
}

function endpointsFromSelector(
  svc: Service, families: Family[], pods: Pod[], nodesByName: Map<string, { hostAddresses: readonly string[] }>,
): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of pods) {
    if (pod.phase !== 'Running' || pod.node === '') continue;
    if (!matchesMap(svc.selector!, pod.labels)) continue;
    const ips = pod.hostNetwork
      ? [...(nodesByName.get(pod.node)?.hostAddresses ?? [])]
      : (pod.attachments.find((a) => a.network === svc.network && a.role === 'primary')?.ips ?? []).map((x) => x.split('/')[0]!);
    const ports: Array<{ name?: string; port: number; protocol: Protocol }> = [];
    for (const sp of svc.ports) {
      let port: number | undefined;
      if (typeof sp.targetPort === 'number') port = sp.targetPort;
      else port = pod.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.containerPort;
      if (port === undefined) continue;
      const e: { name?: string; port: number; protocol: Protocol } = { port, protocol: sp.protocol };
      if (sp.name !== undefined) e.name = sp.name;
      ports.push(e);
    }
    if (svc.ports.length > 0 && ports.length === 0) continue;
    for (const a of ips) {
      const ip = parseIP(a);
      if (!ip) continue;
      if (families.length > 0 && !families.includes(familyOf(ip))) continue;
      out.push({ ip: formatIP(ip), ports, ready: true, serving: true, terminating: false, node: pod.node, pod: { namespace: pod.namespace, name: pod.name } });
    }
  }
  return out;
}
