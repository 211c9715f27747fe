/**
 * Services → Load_Balancer rows (pkg/ovn/controller/services; ovnk-lowering.md §4).
 *
 * Choice: NodePorts are emitted as per-node LBs (ovnk's non-template path, also used when LB
 * templates are off) rather than template LBs with Chassis_Template_Var, because an offline,
 * cluster-wide NB has no per-chassis template values; the resulting per-node datapath behaviour is
 * the same. ClusterIPs (and ExternalIPs/LB IPs with ETP=Cluster) are one `cluster` LB per protocol
 * in the network's clusterLBGroup.
 */
import type { ClusterModel, Endpoint, Node, Service } from '../model/types.js';
import type { ServicePort } from '../model/k8s.js';
import type { NbBuilder } from './builder.js';
import { EXT, LB, MASQUERADE, NAMES, UDN_ENABLED_SERVICES } from './constants.js';
import { ensureAddressSets } from './common.js';
import type { NetCtx } from './context.js';
import { isIPv6 } from './ip.js';
import { goStringCompare } from './selectors.js';
import { addRoute, grName, lbGroupNames } from './topology.js';
import { rowId, type LoadBalancer } from './types.js';

type Proto = 'TCP' | 'UDP' | 'SCTP';

export function lbName(ctx: NetCtx, svc: Service, proto: Proto, scope: string): string {
  return `${ctx.prefix}Service_${svc.namespace}/${svc.name}_${proto}_${scope}`;
}

export function hostPort(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Eligible endpoints: ready (or all with publishNotReadyAddresses); if none, serving+terminating. */
export function eligibleEndpoints(svc: Service, eps: readonly Endpoint[]): Endpoint[] {
  if (svc.publishNotReadyAddresses) return [...eps];
  const ready = eps.filter((e) => e.ready);
  if (ready.length) return ready;
  return eps.filter((e) => e.serving && e.terminating);
}

/** Targets for one service port and VIP family: `ip:tport,…` (IPs deduplicated and string-sorted per target port). */
export function targetsFor(sp: ServicePort, eps: readonly Endpoint[], v6: boolean, rewrite?: (ip: string) => string): string {
  const byPort = new Map<number, Set<string>>();
  for (const ep of eps) {
    if (isIPv6(ep.ip) !== v6) continue;
    for (const p of ep.ports) {
      if (p.protocol !== sp.protocol) continue;
      if ((p.name ?? '') !== (sp.name ?? '')) continue;
      const s = byPort.get(p.port) ?? new Set<string>();
      s.add(rewrite ? rewrite(ep.ip) : ep.ip);
      byPort.set(p.port, s);
    }
  }
  const out: string[] = [];
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    for (const ip of [...byPort.get(port)!].sort(goStringCompare)) out.push(hostPort(ip, port));
  }
  return out.join(',');
}

function lbOptions(svc: Service): { options: Record<string, string>; selection_fields: LoadBalancer['selection_fields'] } {
  const options: Record<string, string> = { ...LB.baseOptions };
  let selection_fields: LoadBalancer['selection_fields'] = [];
  if (svc.sessionAffinity === 'ClientIP') {
    const t = svc.affinityTimeoutSeconds ?? LB.defaultAffinityTimeout;
    if (t === LB.maxAffinityTimeout) selection_fields = ['ip_dst', 'ip_src'];
    else options.affinity_timeout = String(t);
  }
  return { options, selection_fields };
}

function lbExternalIds(ctx: NetCtx, svc: Service): Record<string, string> {
  const ext: Record<string, string> = { [EXT.kind]: LB.kind, [EXT.owner]: `${svc.namespace}/${svc.name}` };
  if (!ctx.isDefault) { ext[EXT.network] = ctx.net.ovnName; ext[EXT.role] = ctx.net.role; }
  return ext;
}

function addLb(b: NbBuilder, ctx: NetCtx, svc: Service, name: string, proto: Proto, vips: Record<string, string>, extraOptions: Record<string, string> = {}): string {
  const { options, selection_fields } = lbOptions(svc);
  const id = rowId('Load_Balancer', name);
  b.loadBalancers.add({
    id, network: ctx.net.id, provenance: [svc.ref], name, protocol: proto.toLowerCase() as 'tcp' | 'udp' | 'sctp',
    vips, options: { ...options, ...extraOptions }, selection_fields, external_ids: lbExternalIds(ctx, svc),
  });
  return id;
}

function protocolsOf(svc: Service): Proto[] {
  return [...new Set(svc.ports.map((p) => p.protocol))].sort() as Proto[];
}

/** True when some eligible endpoint is a node's host address (a host-network endpoint). */
function hasHostEndpoints(model: ClusterModel, eps: readonly Endpoint[]): boolean {
  const hostIPs = new Set(model.nodes.flatMap((n) => n.hostAddresses));
  return eps.some((e) => hostIPs.has(e.ip));
}

export function lowerServices(b: NbBuilder, model: ClusterModel, ctx: NetCtx): void {
  const services = model.services
    .filter((s) => s.network === ctx.net.id && s.type !== 'ExternalName')
    .sort((a, c) => goStringCompare(`${a.namespace}/${a.name}`, `${c.namespace}/${c.name}`));
  const groups = lbGroupNames(ctx);
  const clusterGroup = b.lbGroups.get(rowId('Load_Balancer_Group', groups.cluster));
  const nodes = [...model.nodes].sort((a, c) => goStringCompare(a.name, c.name));
  for (const svc of services) {
    const clusterIPs = svc.clusterIPs.filter((ip) => ip && ip !== 'None');
    const eps = eligibleEndpoints(svc, svc.endpoints);
    // buildServiceLBConfigs: ClusterIPs and (ETP=Cluster) ExternalIPs/LB IPs are cluster-wide configs,
    // unless an endpoint is host-network (every node gets its own copy: the GR rewrites its own host IP
    // to 169.254.169.2) or, for ClusterIPs, ITP=Local (node switches keep local endpoints only).
    const hostEps = hasHostEndpoints(model, eps);
    const itpLocal = svc.internalTrafficPolicy === 'Local';
    const cipPerNode = hostEps || itpLocal;
    const extPerNode = hostEps;
    for (const proto of protocolsOf(svc)) {
      const ports = svc.ports.filter((p) => p.protocol === proto);
      const externalVips = svc.externalTrafficPolicy === 'Cluster' ? [...svc.externalIPs, ...svc.loadBalancerIPs] : [];
      const clusterWide = [...(cipPerNode ? [] : clusterIPs), ...(extPerNode ? [] : externalVips)];
      const vips: Record<string, string> = {};
      for (const sp of ports) for (const ip of clusterWide) vips[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip));
      if (Object.keys(vips).length) {
        const id = addLb(b, ctx, svc, lbName(ctx, svc, proto, 'cluster'), proto, vips);
        if (clusterGroup && !clusterGroup.load_balancer.includes(id)) clusterGroup.load_balancer.push(id);
      }
      const nodePorts = ports.filter((p) => p.nodePort && (svc.type === 'NodePort' || svc.type === 'LoadBalancer'));
      const localExternal = svc.externalTrafficPolicy === 'Local' ? [...svc.externalIPs, ...svc.loadBalancerIPs] : [];
      const perNode: PerNodeVips = { clusterIPs: cipPerNode ? clusterIPs : [], itpLocal, external: extPerNode ? externalVips : [], localExternal };
      if (!perNode.clusterIPs.length && !perNode.external.length && !nodePorts.length && !localExternal.length) continue;
      const cands = nodes.flatMap((node) => nodeLBs(ctx, svc, proto, ports, perNode, nodePorts, eps, node));
      emitMerged(b, ctx, svc, proto, cands);
    }
  }
}

interface PerNodeVips {
  clusterIPs: string[];
  itpLocal: boolean;
  external: string[];
  localExternal: string[];
}

interface NodeLB {
  scope: string;
  vips: Record<string, string>;
  extraOptions: Record<string, string>;
  switches: string[];
  routers: string[];
}

/** buildPerNodeLBs for one node: router / switch (or router+switch) / local router LBs. */
function nodeLBs(
  ctx: NetCtx, svc: Service, _proto: Proto, ports: ServicePort[], vipsIn: PerNodeVips, nodePorts: ServicePort[], eps: Endpoint[], node: Node,
): NodeLB[] {
  const { localExternal } = vipsIn;
  const hostIPs = node.hostAddresses;
  const own = new Set(hostIPs);
  const local = eps.filter((e) => e.node === node.name);
  const toHost = (ip: string) => (own.has(ip) ? MASQUERADE.v4HostIP : ip);
  const sw = ctx.net.topology === 'Layer2' ? [] : [rowId('Logical_Switch', ctx.podSwitch(node.name))];
  const gr = [rowId('Logical_Router', grName(ctx, node.name))];
  const etpLocal = svc.externalTrafficPolicy === 'Local';
  const rt: Record<string, string> = {};
  const localRt: Record<string, string> = {};
  const swv: Record<string, string> = {};
  for (const sp of ports) {
    for (const ip of vipsIn.clusterIPs) {
      // GR LBs never filter for ITP=local; node switches keep local endpoints only
      rt[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip), toHost);
      swv[hostPort(ip, sp.port)] = targetsFor(sp, vipsIn.itpLocal ? local : eps, isIPv6(ip));
    }
    for (const ip of vipsIn.external) {
      rt[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip), toHost);
      swv[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip));
    }
    for (const ip of localExternal) {
      const lt = targetsFor(sp, local, isIPv6(ip), toHost);
      (lt ? localRt : rt)[hostPort(ip, sp.port)] = lt;
      swv[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip));
    }
  }
  for (const sp of nodePorts) {
    for (const ip of hostIPs) {
      const key = hostPort(ip, sp.nodePort!);
      if (etpLocal) {
        const lt = targetsFor(sp, local, isIPv6(ip), toHost);
        (lt ? localRt : rt)[key] = lt;
      } else {
        rt[key] = targetsFor(sp, eps, isIPv6(ip), toHost);
      }
      swv[key] = targetsFor(sp, eps, isIPv6(ip));
      if (etpLocal) swv[hostPort(isIPv6(ip) ? MASQUERADE.v6EtpLocal : MASQUERADE.v4EtpLocal, sp.nodePort!)] = targetsFor(sp, local, isIPv6(ip));
    }
  }
  const out: NodeLB[] = [];
  const same = Object.keys(rt).length > 0 && JSON.stringify(sortedMap(rt)) === JSON.stringify(sortedMap(swv));
  if (same) {
    out.push({ scope: `node_router+switch_${node.name}`, vips: rt, extraOptions: {}, switches: sw, routers: gr });
  } else {
    if (Object.keys(rt).length) out.push({ scope: `node_router_${node.name}`, vips: rt, extraOptions: {}, switches: [], routers: gr });
    if (Object.keys(swv).length) out.push({ scope: `node_switch_${node.name}`, vips: swv, extraOptions: {}, switches: sw, routers: [] });
  }
  if (Object.keys(localRt).length) out.push({ scope: `node_local_router_${node.name}`, vips: localRt, extraOptions: { skip_snat: 'true' }, switches: [], routers: gr });
  return out;
}

function sortedMap(m: Record<string, string>): Array<[string, string]> {
  return Object.keys(m).sort(goStringCompare).map((k) => [k, m[k]!]);
}

/** mergeLBs: per-node LBs with identical rules and options become one `<first name>_merged` LB. */
function emitMerged(b: NbBuilder, ctx: NetCtx, svc: Service, proto: Proto, cands: NodeLB[]): void {
  const groups = new Map<string, NodeLB[]>();
  for (const c of cands) {
    const key = JSON.stringify([sortedMap(c.vips), sortedMap(c.extraOptions)]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    // Layer2 networks have no per-node switch: such switch-only LBs attach nowhere and are not emitted
    if (group.every((c) => !c.switches.length && !c.routers.length)) continue;
    const name = lbName(ctx, svc, proto, group.length > 1 ? `${first.scope}_merged` : first.scope);
    const id = addLb(b, ctx, svc, name, proto, first.vips, first.extraOptions);
    for (const c of group) {
      for (const s of c.switches) { const row = b.switches.get(s); if (row && !row.load_balancer.includes(id)) row.load_balancer.push(id); }
      for (const r of c.routers) { const row = b.routers.get(r); if (row && !row.load_balancer.includes(id)) row.load_balancer.push(id); }
    }
  }
}

/**
 * UDN-enabled default services (kube-dns, kubernetes) on a primary UDN: a dst-ip static route
 * `<ClusterIP> → <node's UDN management IP>` per node, on the UDN cluster router (Layer3) or the
 * node's gateway router (Layer2); the host then serves the ClusterIP (configureUDNEnabledServiceRoute).
 */
export function lowerUdnEnabledServiceRoutes(b: NbBuilder, model: ClusterModel, ctx: NetCtx): void {
  if (ctx.isDefault || ctx.net.role !== 'primary') return;
  const nodes = [...model.nodes].sort((a, c) => goStringCompare(a.name, c.name));
  for (const key of UDN_ENABLED_SERVICES.services) {
    const svc = model.services.find((s) => `${s.namespace}/${s.name}` === key);
    const clusterIP = svc?.clusterIPs[0];
    if (!svc || !clusterIP || clusterIP === 'None') continue;
    for (const node of nodes) {
      const mgmt = ctx.mgmtIPs(node.name).find((ip) => isIPv6(ip) === isIPv6(clusterIP));
      if (!mgmt) continue;
      const routerName = ctx.net.topology === 'Layer2' ? grName(ctx, node.name) : `${ctx.prefix}${NAMES.clusterRouter}`;
      const r = b.routers.get(rowId('Logical_Router', routerName));
      if (!r) continue;
      addRoute(b, ctx, r, clusterIP, mgmt, { policy: 'dst-ip', external_ids: { [UDN_ENABLED_SERVICES.routeExternalId]: key }, provenance: [svc.ref] }, node);
    }
  }
}

/** The `udn-enabled-svc-cluster-ips` address sets (pkg/ovn/controller/udnenabledsvc), when primary UDNs exist. */
export function lowerUdnEnabledServiceAddressSet(b: NbBuilder, model: ClusterModel, def: NetCtx): void {
  if (!model.networks.some((n) => n.role === 'primary' && n.ovn)) return;
  const ips: string[] = [];
  const prov = [];
  for (const key of UDN_ENABLED_SERVICES.services) {
    const svc = model.services.find((s) => `${s.namespace}/${s.name}` === key);
    if (!svc) continue;
    ips.push(...svc.clusterIPs.filter((ip) => ip && ip !== 'None'));
    prov.push(svc.ref);
  }
  ensureAddressSets(b, def, UDN_ENABLED_SERVICES.addressSetController, UDN_ENABLED_SERVICES.addressSetOwner, ['name', 'ip-family'],
    { name: UDN_ENABLED_SERVICES.addressSetName }, ips, [...def.provenance, ...prov]);
}
