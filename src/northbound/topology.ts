/**
 * Per-network switches, routers, ports, routes and NATs (ovnk-lowering.md §3), plus pod LSPs.
 *
 * One NB for the whole cluster (see types.ts): every node's switch hangs off the network's cluster
 * (Layer3/default) or transit (Layer2 primary) router directly, as in ovn-k's centralized mode, so no
 * interconnect transit switch or remote ports are emitted.
 *
 * Values ovn-k takes from the host (the node's gateway, the bridge MAC, the external prefix length)
 * are not in the manifests; udnc derives them deterministically and documents each below.
 */
import type { ObjectRef } from '../common/source.js';
import type { ClusterModel, Node, Pod } from '../model/types.js';
import type { NbBuilder } from './builder.js';
import { EXT, MASQUERADE, NAMES, OWNER, PG_NAMES, ID_KEYS, SUBNETS } from './constants.js';
import {
  type NetCtx, attachmentOn, isLayer3Like, isWiredPod, joinSubnets, nadKey, nodeSubnets, podIPs, podPortName, prefixLen,
} from './context.js';
import { dbObjectIDs, hashedName } from './dbids.js';
import { ipToMac, isIPv6, nthAddress, parseCidr, formatCidr } from './ip.js';
import { rowId, type LogicalSwitch, type LogicalRouter } from './types.js';
import { goStringCompare } from './selectors.js';

/** Prefix length udnc assumes for a node's external (host) address: not in the manifests. */
export const ASSUMED_HOST_PREFIX_V4 = 24;
export const ASSUMED_HOST_PREFIX_V6 = 64;

const ls = (name: string) => rowId('Logical_Switch', name);
const lsp = (name: string) => rowId('Logical_Switch_Port', name);
const lr = (name: string) => rowId('Logical_Router', name);
const lrp = (name: string) => rowId('Logical_Router_Port', name);
const lbg = (name: string) => rowId('Load_Balancer_Group', name);

export function clusterPortGroupIds(ctx: NetCtx) {
  return dbObjectIDs(ctx.controller, OWNER.cluster, ID_KEYS.pgCluster, { name: PG_NAMES.cluster });
}
export function clusterRtrPortGroupIds(ctx: NetCtx) {
  return dbObjectIDs(ctx.controller, OWNER.cluster, ID_KEYS.pgCluster, { name: PG_NAMES.clusterRtr });
}
export function clusterPortGroupId(ctx: NetCtx): string {
  return rowId('Port_Group', hashedName(clusterPortGroupIds(ctx)));
}
export function lbGroupNames(ctx: NetCtx) {
  return {
    cluster: ctx.prefix + NAMES.clusterLBGroup,
    clusterSwitch: ctx.prefix + NAMES.clusterSwitchLBGroup,
    clusterRouter: ctx.prefix + NAMES.clusterRouterLBGroup,
  };
}

/** Gateway router name: `GR_<P><node>`. */
export function grName(ctx: NetCtx, node: string): string {
  return `${NAMES.gwRouterPrefix}${ctx.prefix}${node}`;
}

function withPrefixLen(ip: string, cidr: string): string {
  return `${ip}/${prefixLen(cidr)}`;
}

function newSwitch(b: NbBuilder, ctx: NetCtx, name: string, other: Record<string, string>, node?: Node, ext = ctx.netExternalIds): LogicalSwitch {
  return b.switches.add({
    id: ls(name), network: ctx.net.id, provenance: node ? [...ctx.provenance, node.ref] : [...ctx.provenance],
    name, ports: [], acls: [], load_balancer: [], load_balancer_group: [], other_config: other, external_ids: { ...ext },
  });
}

function newRouter(b: NbBuilder, ctx: NetCtx, name: string, options: Record<string, string>, ext: Record<string, string>, node?: Node): LogicalRouter {
  return b.routers.add({
    id: lr(name), network: ctx.net.id, provenance: node ? [...ctx.provenance, node.ref] : [...ctx.provenance],
    name, ports: [], static_routes: [], nat: [], load_balancer: [], load_balancer_group: [], options,
    external_ids: { ...ctx.topoExternalIds, ...ext },
  });
}

function addLsp(b: NbBuilder, sw: LogicalSwitch, ctx: NetCtx, row: Omit<Parameters<NbBuilder['switchPorts']['add']>[0], 'id' | 'switch' | 'network'>): void {
  const id = lsp(row.name);
  b.switchPorts.add({ ...row, id, switch: sw.id, network: ctx.net.id });
  if (!sw.ports.includes(id)) sw.ports.push(id);
}

function addLrp(b: NbBuilder, r: LogicalRouter, ctx: NetCtx, name: string, networks: string[], provenance = ctx.provenance, peer?: string): void {
  const id = lrp(name);
  const first = networks[0]!.split('/')[0]!;
  b.routerPorts.add({
    id, router: r.id, network: ctx.net.id, provenance: [...provenance], name, mac: ipToMac(first), networks,
    options: {}, gateway_chassis: [], ipv6_ra_configs: {}, external_ids: { ...ctx.topoExternalIds }, ...(peer ? { peer } : {}),
  });
  if (!r.ports.includes(id)) r.ports.push(id);
}

/** Patch pair switch port (type router) ↔ router port. */
function connect(
  b: NbBuilder, ctx: NetCtx, sw: LogicalSwitch, r: LogicalRouter, lspName: string, lrpName: string, networks: string[], node?: Node,
  lsp: { addresses?: string[]; options?: Record<string, string> } = {},
): void {
  const prov = node ? [...ctx.provenance, node.ref] : ctx.provenance;
  addLrp(b, r, ctx, lrpName, networks, prov);
  addLsp(b, sw, ctx, {
    name: lspName, type: 'router', addresses: lsp.addresses ?? ['router'], port_security: [], options: { ...lsp.options, 'router-port': lrpName },
    external_ids: { ...ctx.topoExternalIds }, role: 'router', provenance: [...prov],
  });
}

export function addRoute(
  b: NbBuilder, ctx: NetCtx, r: LogicalRouter, prefix: string, nexthop: string,
  opts: { policy?: 'src-ip' | 'dst-ip'; output_port?: string; external_ids?: Record<string, string>; provenance?: ObjectRef[] } = {}, node?: Node,
): void {
  const id = rowId('Logical_Router_Static_Route', `${r.name}|${opts.policy ?? 'dst-ip'}|${prefix}|${nexthop}`);
  b.staticRoutes.add({
    id, router: r.id, network: ctx.net.id, provenance: [...ctx.provenance, ...(node ? [node.ref] : []), ...(opts.provenance ?? [])],
    ip_prefix: prefix, nexthop, route_table: '', options: {}, external_ids: { ...ctx.topoExternalIds, ...opts.external_ids },
    ...(opts.policy ? { policy: opts.policy } : {}), ...(opts.output_port ? { output_port: opts.output_port } : {}),
  });
  if (!r.static_routes.includes(id)) r.static_routes.push(id);
}

function addSnat(b: NbBuilder, ctx: NetCtx, r: LogicalRouter, externalIp: string, logicalIp: string, node: Node): void {
  const id = rowId('NAT', `${r.name}|snat|${logicalIp}|${externalIp}`);
  b.nats.add({
    id, router: r.id, network: ctx.net.id, provenance: [...ctx.provenance, node.ref], type: 'snat', external_ip: externalIp,
    logical_ip: logicalIp, external_port_range: '', match: '', priority: 0, options: { stateless: 'false' }, external_ids: { ...ctx.topoExternalIds },
  });
  if (!r.nat.includes(id)) r.nat.push(id);
}

/** Default network (ovnk `ovn-k8s-mp0` management, `169.254.169.0/29` masquerade) and per-network masquerade IPs. */
function grMasqueradeIP(model: ClusterModel, ctx: NetCtx): string {
  // pkg/generator/udn/masquerade_ips.go: GR IP = base + 10 + 2·id − 1
  return nthAddress(model.config.udnMasqueradeSubnet, 10 + 2 * ctx.net.networkId - 1);
}

function hostIPv4(node: Node): string | undefined {
  return node.hostAddresses.find((a) => !isIPv6(a));
}

/** The node's default gateway is not in the manifests: udnc assumes .1 of the host's assumed /24. */
function assumedHostGateway(ip: string): string {
  const c = parseCidr(`${ip}/${isIPv6(ip) ? ASSUMED_HOST_PREFIX_V6 : ASSUMED_HOST_PREFIX_V4}`);
  return nthAddress(c, 1);
}

/** Gateway router, join/transit link and external switch for one node of a routed network. */
function buildGateway(b: NbBuilder, model: ClusterModel, ctx: NetCtx, node: Node, uplink: (gr: LogicalRouter, i: number) => void, i: number): void {
  const P = ctx.prefix;
  const name = grName(ctx, node.name);
  const hostIP = hostIPv4(node);
  // gwRouterOptions() (layer3_user_defined_network_controller_test.go); dynamic_neigh_routers=true is the non-IC value
  const gr = newRouter(b, ctx, name, {
    always_learn_from_arp_request: 'false',
    chassis: node.name,
    dynamic_neigh_routers: 'true',
    lb_force_snat_ip: 'router_ip',
    mac_binding_age_threshold: '300',
  }, hostIP ? { physical_ip: hostIP, physical_ips: hostIP } : {}, node);
  const groups = lbGroupNames(ctx);
  gr.load_balancer_group.push(lbg(groups.cluster), lbg(groups.clusterRouter));
  uplink(gr, i);
  if (hostIP) {
    const extName = `${NAMES.extSwitchPrefix}${P}${node.name}`;
    const ext = newSwitch(b, ctx, extName, {}, node);
    const rtoe = `${NAMES.routerToExtPrefix}${name}`;
    // UDN GRs also own their masquerade IP on the external port (the SNAT address)
    const masq = ctx.isDefault ? undefined : grMasqueradeIP(model, ctx);
    const rtoeNets = [`${hostIP}/${ASSUMED_HOST_PREFIX_V4}`, ...(masq ? [`${masq}/${parseCidr(model.config.udnMasqueradeSubnet).prefix}`] : [])];
    // etor-: addresses = the GR port MAC, options as externalSwitchRouterPortOptions()
    connect(b, ctx, ext, gr, `${NAMES.extToRouterPrefix}${name}`, rtoe, rtoeNets, node,
      { addresses: [ipToMac(hostIP)], options: { 'exclude-lb-vips-from-garp': 'true', 'nat-addresses': 'router' } });
    addLsp(b, ext, ctx, {
      name: `${P}${NAMES.bridge}_${node.name}`, type: 'localnet', addresses: ['unknown'], port_security: [],
      options: { network_name: NAMES.physicalNetwork }, external_ids: { ...ctx.topoExternalIds }, role: 'localnet', provenance: [...ctx.provenance, node.ref],
    });
    addRoute(b, ctx, gr, '0.0.0.0/0', assumedHostGateway(hostIP), { output_port: rtoe }, node);
    addRoute(b, ctx, gr, formatCidr(parseCidr(model.config.masqueradeSubnet)), MASQUERADE.v4DummyNextHop, { output_port: rtoe }, node);
    // SNAT of the network's pod subnets on egress (default: to the node IP; UDN: to the GR masquerade IP,
    // plus the GR's own join IP, as expectedGWRouterPlusNATAndStaticRoutes)
    const subnets = ctx.isDefault ? model.config.clusterNetwork.map((c) => c.cidr) : ctx.net.subnets.map((s) => s.cidr);
    for (const s of subnets.filter((c) => !isIPv6(c))) addSnat(b, ctx, gr, masq ?? hostIP, s, node);
    if (masq && isLayer3Like(ctx.net)) for (const j of ctx.grJoinIPs(node.name)) addSnat(b, ctx, gr, masq, j, node);
  } else {
    b.notices.push({ message: `node ${node.name} has no IPv4 host address: gateway router ${name} has no external port`, ref: node.ref });
  }
}

/** Build all topology of one network. Returns the pod-switch ids. */
export function buildNetworkTopology(b: NbBuilder, model: ClusterModel, ctx: NetCtx): { switches: string[]; routers: string[] } {
  const P = ctx.prefix;
  const nodes = [...model.nodes].sort((a, c) => goStringCompare(a.name, c.name));
  const groups = lbGroupNames(ctx);
  const switches: string[] = [];
  const routers: string[] = [];

  if (ctx.routed) {
    for (const g of [groups.cluster, groups.clusterSwitch, groups.clusterRouter]) {
      b.lbGroups.add({ id: lbg(g), network: ctx.net.id, provenance: [...ctx.provenance], name: g, load_balancer: [] });
    }
    const cpg = clusterPortGroupIds(ctx);
    const rpg = clusterRtrPortGroupIds(ctx);
    for (const ids of [cpg, rpg]) {
      b.portGroups.add({
        id: rowId('Port_Group', hashedName(ids)), network: ctx.net.id, provenance: [...ctx.provenance],
        name: hashedName(ids), ports: [], acls: [], external_ids: ids.externalIds,
      });
    }
  }

  /** Adds the node's management LSP to `sw`; false when the network gives the node no management IP. */
  const mgmtPort = (sw: LogicalSwitch, node: Node): boolean => {
    const ips = ctx.mgmtIPs(node.name);
    if (!ips.length) return false;
    const name = `${NAMES.mgmtPortPrefix}${P}${node.name}`;
    addLsp(b, sw, ctx, {
      name, type: '', addresses: [`${ipToMac(ips[0]!)} ${ips.join(' ')}`], port_security: [], options: {},
      external_ids: {}, role: 'management', provenance: [...ctx.provenance, node.ref],
    });
    if (ctx.routed) b.addPortToGroup(clusterPortGroupId(ctx), lsp(name));
    return true;
  };

  const topo = ctx.net.topology;
  if (ctx.isDefault || topo === 'Layer3') {
    const cr = ctx.routed ? newRouter(b, ctx, P + NAMES.clusterRouter, {}, { 'k8s-cluster-router': 'yes' }) : undefined;
    if (cr) routers.push(cr.id);
    let join: LogicalSwitch | undefined;
    const joins = joinSubnets(ctx.net).filter((s) => !isIPv6(s));
    if (cr && joins.length) {
      join = newSwitch(b, ctx, P + NAMES.joinSwitch, {}, undefined, ctx.topoExternalIds);
      connect(b, ctx, join, cr, `${NAMES.joinToRouterPrefix}${P}${NAMES.clusterRouter}`, `${NAMES.routerToJoinPrefix}${P}${NAMES.clusterRouter}`,
        joins.map((s) => withPrefixLen(nthAddress(s, 1), s)));
    }
    nodes.forEach((node, i) => {
      const subnets = nodeSubnets(ctx.net, node.name);
      if (!subnets.length) {
        b.notices.push({ message: `network ${ctx.net.ovnName}: node ${node.name} has no host subnet; no switch`, ref: node.ref });
        return;
      }
      const v4 = subnets.find((s) => !isIPv6(s));
      const v6 = subnets.find((s) => isIPv6(s));
      const other: Record<string, string> = {};
      if (v4) other.subnet = formatCidr(parseCidr(v4));
      if (v6) other.ipv6_prefix = nthAddress(v6, 0);
      const sw = newSwitch(b, ctx, ctx.podSwitch(node.name), other, node);
      switches.push(sw.id);
      if (ctx.routed) sw.load_balancer_group.push(lbg(groups.cluster), lbg(groups.clusterSwitch));
      if (cr) {
        connect(b, ctx, sw, cr, `${NAMES.switchToRouterPrefix}${P}${node.name}`, `${NAMES.routerToSwitchPrefix}${P}${node.name}`,
          subnets.map((s) => withPrefixLen(nthAddress(s, 1), s)), node);
        b.addPortToGroup(rowId('Port_Group', hashedName(clusterRtrPortGroupIds(ctx))), lsp(`${NAMES.switchToRouterPrefix}${P}${node.name}`));
      }
      // createNodeLogicalSwitch writes exclude_ips=<.2>; syncNodeManagementPort then calls
      // UpdateNodeSwitchExcludeIPs, which deletes the key once the management LSP exists (hybrid
      // overlay off). So the key stays only on a switch without a management port: a secondary
      // Layer3 network's, as its controller syncs management ports for primary networks only.
      const hasMgmtPort = ctx.routed && mgmtPort(sw, node);
      if (!hasMgmtPort && v4) sw.other_config.exclude_ips = nthAddress(v4, 2);
      if (cr && join) {
        const jip = ctx.grJoinIPs(node.name);
        buildGateway(b, model, ctx, node, (gr) => {
          const gname = grName(ctx, node.name);
          connect(b, ctx, join!, gr, `${NAMES.joinToRouterPrefix}${gname}`, `${NAMES.routerToJoinPrefix}${gname}`,
            jip.map((ip) => withPrefixLen(ip, joins[0]!)), node);
          const clusterCidrs = ctx.isDefault ? model.config.clusterNetwork.map((c) => c.cidr) : ctx.net.subnets.map((s) => s.cidr);
          for (const c of clusterCidrs.filter((x) => !isIPv6(x))) addRoute(b, ctx, gr, c, nthAddress(joins[0]!, 1), {}, node);
          if (v4 && jip[0]) addRoute(b, ctx, cr, formatCidr(parseCidr(v4)), jip[0], { policy: 'src-ip' }, node);
        }, i);
        routers.push(lr(grName(ctx, node.name)));
      }
    });
  } else if (topo === 'Layer2') {
    const subnets = ctx.net.subnets.map((s) => s.cidr);
    // ovn-kubernetes initializeLogicalSwitch (primary and secondary alike) assigns a fresh map per
    // subnet, so other_config holds only the last subnet's key: `subnet` or `ipv6_prefix`, never both.
    // No exclude_ips: the reserved/infrastructure/.2 addresses go to ovn-k's own IPAM (lsManager), and
    // UpdateNodeSwitchExcludeIPs, run after each management LSP is added, only deletes the key.
    let other: Record<string, string> = {};
    for (const s of subnets) other = isIPv6(s) ? { ipv6_prefix: nthAddress(s, 0) } : { subnet: formatCidr(parseCidr(s)) };
    const sw = newSwitch(b, ctx, P + NAMES.layer2Switch, other);
    switches.push(sw.id);
    if (ctx.routed) {
      sw.load_balancer_group.push(lbg(groups.cluster), lbg(groups.clusterSwitch));
      const tr = newRouter(b, ctx, P + NAMES.transitRouter, {}, {});
      routers.push(tr.id);
      if (subnets.length) {
        connect(b, ctx, sw, tr, `${NAMES.switchToTransitRouterPrefix}${P}${NAMES.layer2Switch}`, `${NAMES.transitRouterToSwitchPrefix}${P}${NAMES.layer2Switch}`,
          subnets.map((s) => withPrefixLen(nthAddress(s, 1), s)));
        b.addPortToGroup(rowId('Port_Group', hashedName(clusterRtrPortGroupIds(ctx))), lsp(`${NAMES.switchToTransitRouterPrefix}${P}${NAMES.layer2Switch}`));
      }
      nodes.forEach((node, i) => {
        mgmtPort(sw, node);
        buildGateway(b, model, ctx, node, (gr) => {
          // transit link: udnc allocates a /31 pair per node from the transit subnet (ovnk: node-id based)
          const trIP = nthAddress(SUBNETS.transitV4, 2 * i);
          const grIP = nthAddress(SUBNETS.transitV4, 2 * i + 1);
          const gname = grName(ctx, node.name);
          addLrp(b, tr, ctx, `${NAMES.transitRouterToRouterPrefix}${gname}`, [`${trIP}/31`], [...ctx.provenance, node.ref], `${NAMES.routerToTransitRouterPrefix}${gname}`);
          addLrp(b, gr, ctx, `${NAMES.routerToTransitRouterPrefix}${gname}`, [`${grIP}/31`], [...ctx.provenance, node.ref], `${NAMES.transitRouterToRouterPrefix}${gname}`);
          for (const c of subnets.filter((x) => !isIPv6(x))) {
            addRoute(b, ctx, gr, c, trIP, {}, node);
            // egress of the network's pods via the gateway routers (one route per node: ECMP in one NB)
            addRoute(b, ctx, tr, formatCidr(parseCidr(c)), grIP, { policy: 'src-ip' }, node);
          }
        }, i);
        routers.push(lr(grName(ctx, node.name)));
      });
    }
  } else {
    const sw = newSwitch(b, ctx, P + NAMES.localnetSwitch, {});
    switches.push(sw.id);
    addLsp(b, sw, ctx, {
      name: P + NAMES.localnetPort, type: 'localnet', addresses: ['unknown'], port_security: [],
      options: { network_name: ctx.net.ovnName }, external_ids: {}, role: 'localnet', provenance: [...ctx.provenance],
    });
  }
  return { switches, routers: [...new Set(routers)] };
}

/** Pod LSPs of one network (ovnk pods.go / base_network_controller_pods.go). Returns lsp ids by pod key. */
export function buildPodPorts(b: NbBuilder, model: ClusterModel, ctx: NetCtx): void {
  const pods = [...model.pods].filter(isWiredPod).sort((a, c) => goStringCompare(`${a.namespace}/${a.name}`, `${c.namespace}/${c.name}`));
  for (const pod of pods) {
    const att = attachmentOn(pod, ctx.net.id);
    if (!att) continue;
    const swName = ctx.podSwitch(pod.node);
    const sw = b.switches.get(ls(swName));
    if (!sw) {
      b.notices.push({ message: `pod ${pod.namespace}/${pod.name}: no switch ${swName} on network ${ctx.net.ovnName}`, ref: pod.ref });
      continue;
    }
    const name = podPortName(pod, att, ctx.net);
    const ips = podIPs(att);
    const addr = ips.length ? `${att.mac} ${ips.join(' ')}` : att.mac;
    const ext: Record<string, string> = { namespace: pod.namespace, pod: 'true' };
    if (!ctx.isDefault) {
      ext[EXT.network] = ctx.net.ovnName;
      ext[EXT.nad] = nadKey(pod, att, ctx.net);
      ext[EXT.topology] = ctx.net.topology.toLowerCase();
    }
    addLsp(b, sw, ctx, {
      name, type: '', addresses: [addr], port_security: [addr],
      options: { 'iface-id-ver': pod.uid, 'requested-chassis': pod.node },
      external_ids: ext, role: 'pod', provenance: podProvenance(pod),
      pod: { namespace: pod.namespace, name: pod.name, interfaceName: att.interfaceName, attachmentRole: att.role },
    });
  }
}

export function podProvenance(pod: Pod) {
  const same = pod.workload.kind === pod.ref.kind && pod.workload.name === pod.ref.name && pod.workload.namespace === pod.ref.namespace;
  return same ? [pod.ref] : [pod.ref, pod.workload];
}

export { isLayer3Like };
