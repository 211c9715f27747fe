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
import { EXT, LB, MASQUERADE } from './constants.js';
import type { NetCtx } from './context.js';
import { isIPv6 } from './ip.js';
import { goStringCompare } from './selectors.js';
import { grName, lbGroupNames } from './topology.js';
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
    if (svc.internalTrafficPolicy === 'Local') {
      b.notices.push({ message: `Service ${svc.namespace}/${svc.name}: internalTrafficPolicy=Local is lowered as Cluster (per-node switch LBs not implemented)`, ref: svc.ref });
    }
    for (const proto of protocolsOf(svc)) {
      const ports = svc.ports.filter((p) => p.protocol === proto);
      // cluster LB
      const vips: Record<string, string> = {};
      const clusterVipIPs = [...clusterIPs, ...(svc.externalTrafficPolicy === 'Cluster' ? [...svc.externalIPs, ...svc.loadBalancerIPs] : [])];
      for (const sp of ports) for (const ip of clusterVipIPs) vips[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip));
      if (Object.keys(vips).length) {
        const id = addLb(b, ctx, svc, lbName(ctx, svc, proto, 'cluster'), proto, vips);
        if (clusterGroup && !clusterGroup.load_balancer.includes(id)) clusterGroup.load_balancer.push(id);
      }
      // per-node LBs (NodePort / LoadBalancer node ports; ETP=Local external IPs)
      const nodePorts = ports.filter((p) => p.nodePort && (svc.type === 'NodePort' || svc.type === 'LoadBalancer'));
      const localExternal = svc.externalTrafficPolicy === 'Local' ? [...svc.externalIPs, ...svc.loadBalancerIPs] : [];
      if (!nodePorts.length && !localExternal.length) continue;
      for (const node of nodes) lowerNodeLBs(b, ctx, svc, proto, ports, nodePorts, localExternal, eps, node);
    }
  }
}

function lowerNodeLBs(
  b: NbBuilder, ctx: NetCtx, svc: Service, proto: Proto, ports: ServicePort[], nodePorts: ServicePort[], localExternal: string[],
  eps: Endpoint[], node: Node,
): void {
  const hostIPs = node.hostAddresses;
  const own = new Set(hostIPs);
  const local = eps.filter((e) => e.node === node.name);
  const swId = rowId('Logical_Switch', ctx.podSwitch(node.name));
  const grId = rowId('Logical_Router', grName(ctx, node.name));
  const sw = ctx.net.topology === 'Layer2' ? undefined : b.switches.get(swId);
  const gr = b.routers.get(grId);
  const toHost = (ip: string) => (own.has(ip) ? MASQUERADE.v4HostIP : ip);
  const attach = (id: string, where: 'switch' | 'router' | 'both') => {
    if ((where === 'switch' || where === 'both') && sw && !sw.load_balancer.includes(id)) sw.load_balancer.push(id);
    if ((where === 'router' || where === 'both') && gr && !gr.load_balancer.includes(id)) gr.load_balancer.push(id);
  };
  if (svc.externalTrafficPolicy === 'Cluster') {
    const swVips: Record<string, string> = {};
    const rtVips: Record<string, string> = {};
    for (const sp of nodePorts) {
      for (const ip of hostIPs) {
        swVips[hostPort(ip, sp.nodePort!)] = targetsFor(sp, eps, isIPv6(ip));
        rtVips[hostPort(ip, sp.nodePort!)] = targetsFor(sp, eps, isIPv6(ip), toHost);
      }
    }
    if (!Object.keys(swVips).length) return;
    if (JSON.stringify(swVips) === JSON.stringify(rtVips)) {
      attach(addLb(b, ctx, svc, lbName(ctx, svc, proto, `node_router+switch_${node.name}`), proto, swVips), 'both');
    } else {
      attach(addLb(b, ctx, svc, lbName(ctx, svc, proto, `node_router_${node.name}`), proto, rtVips), 'router');
      attach(addLb(b, ctx, svc, lbName(ctx, svc, proto, `node_switch_${node.name}`), proto, swVips), 'switch');
    }
    return;
  }
  // ETP=Local: the router keeps local targets only (skip_snat); the switch gets all targets plus the
  // ETP=local masquerade VIP 169.254.169.3:<nodePort> with local targets.
  const swVips: Record<string, string> = {};
  const rtVips: Record<string, string> = {};
  for (const sp of ports) {
    for (const ip of localExternal) {
      rtVips[hostPort(ip, sp.port)] = targetsFor(sp, local, isIPv6(ip), toHost);
      swVips[hostPort(ip, sp.port)] = targetsFor(sp, eps, isIPv6(ip));
    }
  }
  for (const sp of nodePorts) {
    for (const ip of hostIPs) {
      rtVips[hostPort(ip, sp.nodePort!)] = targetsFor(sp, local, isIPv6(ip), toHost);
      swVips[hostPort(ip, sp.nodePort!)] = targetsFor(sp, eps, isIPv6(ip));
    }
    swVips[hostPort(MASQUERADE.v4EtpLocal, sp.nodePort!)] = targetsFor(sp, local, false);
  }
  if (Object.keys(rtVips).length) attach(addLb(b, ctx, svc, lbName(ctx, svc, proto, `node_local_router_${node.name}`), proto, rtVips, { skip_snat: 'true' }), 'router');
  if (Object.keys(swVips).length) attach(addLb(b, ctx, svc, lbName(ctx, svc, proto, `node_switch_${node.name}`), proto, swVips), 'switch');
}
