/**
 * Logical router flows of ovn-northd 25.03: admission, neighbor learning, router IP input
 * (ARP/ND/ICMP replies, drops), connected and static routes, ARP resolution towards the neighbor
 * switches and routers, ARP requests and delivery; for gateway routers (options:chassis) the
 * ovn-kubernetes subset: IPv4 SNAT entries, `lb_force_snat_ip=router_ip`,
 * `always_learn_from_arp_request=false`, `dynamic_neigh_routers=true`. Other NAT types,
 * distributed gateway ports and router load balancers are reported as unsupported.
 */
import { type IpNet, type Ipv4Net, type Ipv6Net, formatIpPort, parseIpNet, parseIpv4, parseIpv6 } from './addr.js';
import { type LbFlows, lbVips } from './switch.js';
import { type Cause, type LrpView, type LrView, isGatewayRouter } from './model.js';
import type { LoadBalancer, LogicalRouterStaticRoute, NAT } from '../northbound/types.js';
import { PIPELINE_25_03, PRIO, REG, type StageName } from './pipeline-25.03.js';
import { type FlowSink, type FlowText, flowText } from './sink.js';

const P = {
  ADMISSION: { TUNNEL_ICMP: 110, L2_DROP: 100, PORT: 50 },
  LOOKUP_NEIGHBOR: { LOOKUP_SELF: 110, LOOKUP: 100 },
  LEARN_NEIGHBOR: { KNOWN: 100, SPECIAL: 95, LEARN: 90 },
  IP_INPUT: {
    SRC_SELF: 100, MARTIAN: 100, ARP_ND_REPLY: 90, ECHO: 90, ARP_ND_DROP: 85, RS_RA: 84, MCAST_RSVD: 83, MCAST: 82,
    L4_UNREACH: 80, PROTO_UNREACH: 70, SELF_DROP: 60, BCAST: 50, TTL_MCAST: 32, TTL_EXCEEDED: 31, TTL_DROP: 30,
  },
  IP_ROUTING: { RS_RA: 10550 },
  ECMP: { NO_GROUP: 150, MEMBER: 100 },
  ARP_RESOLVE: { MCAST: 500, NEIGHBOR: 100, DROP_SNAT_IP: 2, DYNAMIC: 1 },
  ARP_REQUEST: { STATIC_ND: 200, UNKNOWN_MAC: 100 },
  SNAT: { ND_NS: 120, SKIP_SNAT_FOR_LB: 120, FORCE_SNAT_ROUTER_IP: 110 },
  UNSNAT: { FORCE_SNAT_ROUTER_IP: 110, NAT: 90 },
  UNDNAT: { ND: 100, CT: 50 },
  DEFRAG: { VIP: 100 },
  DNAT: { AFFINITY_BACKEND: 150, VIP_PORT: 120, VIP: 110, EST_FLAGS: 70, EST: 50 },
  LB_AFF: { CHECK: 100, LEARN: 100 },
  DELIVERY: { PORT: 100 },
  DEFAULT: 0,
} as const;

const T = {
  TUNNEL_ICMP: '((ip4 && icmp4.type == 3 && icmp4.code == 4) || (ip6 && icmp6.type == 2 && icmp6.code == 0))',
  MARTIAN:
    'ip4.src_mcast ||ip4.src == 255.255.255.255 || ip4.src == 127.0.0.0/8 || ip4.dst == 127.0.0.0/8 || ip4.src == 0.0.0.0/8 || ip4.dst == 0.0.0.0/8',
} as const;

const q = (s: string) => JSON.stringify(s);

function nextTo(stage: StageName): string {
  const s = PIPELINE_25_03.stage(stage);
  return `next(pipeline=${s.pipeline},table=${s.table});`;
}

const set = (xs: readonly string[]) => (xs.length === 1 ? xs[0]! : `{${xs.join(', ')}}`);

export function buildRouterFlows(sink: FlowSink, lr: LrView): string[] {
  const unsupported: string[] = [];
  const dp: Cause[] = [lr.row];
  const add = (stage: StageName, prio: number, match: string, actions: string, causes: readonly Cause[] = []) =>
    sink.add(lr.name, stage, prio, match, actions, dp, causes);

  const gw = isGatewayRouter(lr);
  const opt = lr.row.options;
  const learnFromArpRequest = opt['always_learn_from_arp_request'] !== 'false';
  const forceSnatRouterIp = gw && opt['lb_force_snat_ip'] === 'router_ip';
  const dynamicNeighRouters = opt['dynamic_neigh_routers'] === 'true';
  // SNAT entries of a gateway router (what ovn-kubernetes writes)
  const snats: Array<{ nat: NAT; ext: IpNet; logical: IpNet }> = [];
  for (const nat of lr.nats) {
    const ext = parseIpNet(nat.external_ip);
    const logical = parseIpNet(nat.logical_ip);
    if (gw && nat.type === 'snat' && ext && logical && ext.family === logical.family && nat.match === '' && !nat.logical_port &&
      (nat.external_port_range ?? '') === '' && nat.options['stateless'] !== 'true') {
      snats.push({ nat, ext, logical });
    } else {
      unsupported.push(`router ${lr.name}: NAT ${nat.type} ${nat.external_ip} ${nat.logical_ip} is not modelled`);
    }
  }
  const snatIps = new Set(snats.map((x) => x.ext.addr));
  const lbVipList = gw ? lr.lbs.flatMap((lb) => sink.memo(lb, 'vips', () => lbVips(lb))) : [];
  if (!gw && lr.lbs.some((lb) => Object.keys(lb.vips).length > 0)) unsupported.push(`router ${lr.name}: load balancers on a distributed router are not modelled`);
  const lbIps = new Set(lbVipList.map((v) => v.ip));
  for (const k of Object.keys(opt)) {
    if (!['chassis', 'always_learn_from_arp_request', 'lb_force_snat_ip', 'dynamic_neigh_routers', 'snat-ct-zone', 'requested-tnl-key', 'mac_binding_age_threshold'].includes(k)) {
      unsupported.push(`router ${lr.name}: option ${k} is not modelled`);
    }
  }
  if (opt['lb_force_snat_ip'] && !forceSnatRouterIp) unsupported.push(`router ${lr.name}: lb_force_snat_ip=${opt['lb_force_snat_ip']} is not modelled`);
  for (const p of lr.ports) {
    if (p.row.gateway_chassis.length > 0 || p.row.options['redirect-chassis']) {
      unsupported.push(`router port ${p.name}: distributed gateway port is not modelled`);
    }
  }

  // ---------------------------------------------------------------- admission
  add('lr_in_admission', P.ADMISSION.TUNNEL_ICMP, `${T.TUNNEL_ICMP} && flags.tunnel_rx == 1`, 'drop;');
  add('lr_in_admission', P.ADMISSION.L2_DROP, 'vlan.present || eth.src[40]', 'drop;');
  add('lr_in_admission', P.DEFAULT, '1', 'drop;');
  for (const p of lr.ports) {
    const mac = p.networks.mac;
    const act = `${REG.INPORT_ETH_ADDR} = ${mac}; next;`;
    add('lr_in_admission', P.ADMISSION.PORT, `eth.mcast && inport == ${q(p.name)}`, act, [p.row]);
    add('lr_in_admission', P.ADMISSION.PORT, `eth.dst == ${mac} && inport == ${q(p.name)}`, act, [p.row]);
  }

  // ---------------------------------------------------------------- neighbor lookup / learning
  const R = REG.LOOKUP_NEIGHBOR_RESULT;
  const RIP = REG.LOOKUP_NEIGHBOR_IP_RESULT;
  const lookupArp = `${R} = lookup_arp(inport, arp.spa, arp.sha); `;
  const lookupNa = `${R} = lookup_nd(inport, nd.target, nd.tll); `;
  const lookupNs = `${R} = lookup_nd(inport, ip6.src, nd.sll); `;
  // with always_learn_from_arp_request=false, reg9[3] says whether the sender may be learnt
  const ip1 = learnFromArpRequest ? '' : `${RIP} = 1; `;
  add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP, 'arp.op == 2', `${lookupArp}${ip1}next;`);
  add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP, 'nd_na', `${lookupNa}${ip1}next;`);
  add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP, 'nd_ns',
    `${lookupNs}${learnFromArpRequest ? '' : `${RIP} = lookup_nd_ip(inport, ip6.src); `}next;`);
  add('lr_in_lookup_neighbor', P.DEFAULT, '1', `${R} = 1; next;`);
  if (!learnFromArpRequest) {
    add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP_SELF, 'nd_na && ip6.src == fe80::/10 && ip6.dst == ff00::/8',
      `${lookupNa}${RIP} = lookup_nd_ip(inport, nd.target); next;`);
  }
  for (const p of lr.ports) {
    for (const n of p.networks.ipv4) {
      const m = `inport == ${q(p.name)} && arp.spa == ${n.network}/${n.plen}`;
      add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP, `${m} && arp.op == 1`,
        `${lookupArp}${learnFromArpRequest ? '' : `${RIP} = lookup_arp_ip(inport, arp.spa); `}next;`, [p.row]);
      if (!learnFromArpRequest) {
        add('lr_in_lookup_neighbor', P.LOOKUP_NEIGHBOR.LOOKUP_SELF, `${m} && arp.tpa == ${n.addr} && arp.op == 1`, `${lookupArp}${RIP} = 1; next;`, [p.row]);
      }
    }
  }
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.KNOWN, learnFromArpRequest ? `${R} == 1` : `${R} == 1 || ${RIP} == 0`, 'mac_cache_use; next;');
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.SPECIAL, 'nd_na && nd.tll == 0', 'put_nd(inport, nd.target, eth.src); next;');
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.SPECIAL, 'nd_ns && (ip6.src == 0 || nd.sll == 0)', 'next;');
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.LEARN, 'arp', 'put_arp(inport, arp.spa, arp.sha); next;');
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.LEARN, 'nd_na', 'put_nd(inport, nd.target, nd.tll); next;');
  add('lr_in_learn_neighbor', P.LEARN_NEIGHBOR.LEARN, 'nd_ns', 'put_nd(inport, ip6.src, nd.sll); next;');
  add('lr_in_learn_neighbor', P.DEFAULT, '1', 'drop;');

  // ---------------------------------------------------------------- IP input
  const I = P.IP_INPUT;
  add('lr_in_ip_input', I.MARTIAN, T.MARTIAN, 'drop;');
  add('lr_in_ip_input', I.ARP_ND_DROP, 'arp || nd', 'drop;');
  add('lr_in_ip_input', I.RS_RA, 'nd_rs || nd_ra', 'next;');
  add('lr_in_ip_input', I.MCAST_RSVD, 'ip6.mcast_rsvd', 'drop;');
  add('lr_in_ip_input', I.MCAST, 'ip4.mcast || ip6.mcast', 'drop;');
  add('lr_in_ip_input', I.BCAST, 'eth.bcast', 'drop;');
  add('lr_in_ip_input', I.TTL_MCAST, 'ip.ttl == {0, 1} && !ip.later_frag && (ip4.mcast || ip6.mcast)', 'drop;');
  add('lr_in_ip_input', I.TTL_DROP, 'ip.ttl == {0, 1}', 'drop;');
  add('lr_in_ip_input', P.DEFAULT, '1', 'next;');
  for (const p of lr.ports) {
    const c = [p.row];
    const n4 = p.networks.ipv4;
    const n6 = p.networks.ipv6;
    if (n4.length > 0) {
      add('lr_in_ip_input', I.SRC_SELF, `ip4.src == {${n4.flatMap((n) => [n.addr, n.bcast]).join(', ')}} && ${REG.EGRESS_LOOPBACK} == 0`, 'drop;', c);
      add('lr_in_ip_input', I.ECHO, `ip4.dst == ${set(n4.map((n) => n.addr))} && icmp4.type == 8 && icmp4.code == 0`,
        'ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; flags.loopback = 1; next; ', c);
      if (!forceSnatRouterIp) {
        const own = n4.map((n) => n.addr).filter((a) => !snatIps.has(a) && !lbIps.has(a));
        if (own.length > 0) add('lr_in_ip_input', I.SELF_DROP, `ip4.dst == {${own.join(', ')}}`, 'drop;', c);
      }
      const snatOwn = n4.map((n) => n.addr).filter((a) => snatIps.has(a) || lbIps.has(a));
      if (gw && snatOwn.length > 0) add('lr_in_arp_resolve', P.ARP_RESOLVE.DROP_SNAT_IP, `ip4.dst == {${snatOwn.join(', ')}}`, 'drop;', c);
      for (const n of n4) {
        add('lr_in_ip_input', I.TTL_EXCEEDED, `inport == ${q(p.name)} && ip4 && ip.ttl == {0, 1} && !ip.later_frag`,
          `icmp4 {eth.dst <-> eth.src; icmp4.type = 11; /* Time exceeded */ icmp4.code = 0; /* TTL exceeded in transit */ ip4.dst = ip4.src; ip4.src = ${n.addr} ; ip.ttl = 254; outport = ${q(p.name)}; flags.loopback = 1; output; };`, c);
      }
    }
    for (const n of n4) {
      add('lr_in_ip_input', I.ARP_ND_REPLY, `inport == ${q(p.name)} && arp.op == 1 && arp.tpa == ${n.addr} && arp.spa == ${n.network}/${n.plen}`,
        `eth.dst = eth.src; eth.src = ${REG.INPORT_ETH_ADDR}; arp.op = 2; /* ARP reply */ arp.tha = arp.sha; arp.sha = ${REG.INPORT_ETH_ADDR}; arp.tpa <-> arp.spa; outport = inport; flags.loopback = 1; output;`, c);
      if (!gw) ipUnreach4(add, n, c);
    }
    add('lr_in_ip_input', I.ECHO, `ip6.dst == ${set(n6.map((n) => n.addr))} && icmp6.type == 128 && icmp6.code == 0`,
      'ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 129; flags.loopback = 1; next; ', c);
    if (!forceSnatRouterIp) {
      const own = n6.map((n) => n.addr).filter((a) => !snatIps.has(a) && !lbIps.has(a));
      if (own.length > 0) add('lr_in_ip_input', I.SELF_DROP, `ip6.dst == {${own.join(', ')}}`, 'drop;', c);
    }
    const snatOwn6 = n6.map((n) => n.addr).filter((a) => snatIps.has(a) || lbIps.has(a));
    if (gw && snatOwn6.length > 0) add('lr_in_arp_resolve', P.ARP_RESOLVE.DROP_SNAT_IP, `ip6.dst == {${snatOwn6.join(', ')}}`, 'drop;', c);
    for (const n of n6) {
      add('lr_in_ip_input', I.ARP_ND_REPLY, `inport == ${q(p.name)} && ip6.dst == {${n.addr}, ${n.snm}} && nd_ns && nd.target == ${n.addr}`,
        `nd_na_router { eth.src = ${REG.INPORT_ETH_ADDR}; ip6.src = nd.target; nd.tll = ${REG.INPORT_ETH_ADDR}; outport = inport; flags.loopback = 1; output; };`, c);
      if (!gw) ipUnreach6(add, n, c);
    }
    for (const first of n6.filter((n) => !n.isLla)) {
      add('lr_in_ip_input', I.TTL_EXCEEDED, `inport == ${q(p.name)} && ip6 && ip6.src == ${first.network}/${first.plen} && ip.ttl == {0, 1} && !ip.later_frag`,
        `icmp6 {eth.dst <-> eth.src; ip6.dst = ip6.src; ip6.src = ${first.addr} ; ip.ttl = 254; icmp6.type = 3; /* Time exceeded */ icmp6.code = 0; /* TTL exceeded in transit */ outport = ${q(p.name)}; flags.loopback = 1; output; };`, c);
    }
  }

  // ---------------------------------------------------------------- NAT (gateway router SNAT)
  const snatExts = new Map<string, IpNet>(snats.map((x) => [x.ext.addr, x.ext]));
  for (const [ip, ext] of [...snatExts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const causes = snats.filter((x) => x.ext.addr === ip).map((x) => x.nat);
    if (ext.family === 4) {
      add('lr_in_ip_input', I.ARP_ND_REPLY, `arp.op == 1 && arp.tpa == ${ip}`,
        `eth.dst = eth.src; eth.src = ${REG.INPORT_ETH_ADDR}; arp.op = 2; /* ARP reply */ arp.tha = arp.sha; arp.sha = ${REG.INPORT_ETH_ADDR}; arp.tpa <-> arp.spa; outport = inport; flags.loopback = 1; output;`, causes);
    } else {
      add('lr_in_ip_input', I.ARP_ND_REPLY, `ip6.dst == {${ip}, ${ext.snm}} && nd_ns && nd.target == ${ip}`,
        `nd_na { eth.src = ${REG.INPORT_ETH_ADDR}; ip6.src = nd.target; nd.tll = ${REG.INPORT_ETH_ADDR}; outport = inport; flags.loopback = 1; output; };`, causes);
    }
    add('lr_in_unsnat', P.UNSNAT.NAT, `ip && ip${ext.family}.dst == ${ip}`, 'ct_snat;', causes);
  }
  for (const x of snats) {
    const host = x.logical.plen === (x.logical.family === 4 ? 32 : 128);
    const src = host ? x.logical.addr : `${x.logical.network}/${x.logical.plen}`;
    add('lr_out_snat', x.logical.plen + 1, `ip && ip${x.logical.family}.src == ${src} && (!ct.trk || !ct.rpl)`, `ct_snat(${x.ext.addr});`, [x.nat]);
  }
  if (forceSnatRouterIp) {
    for (const p of lr.ports) {
      const firsts = [p.networks.ipv4[0], p.networks.ipv6.find((n) => !n.isLla)];
      for (const first of firsts) {
        if (!first) continue;
        const f = `ip${first.family}`;
        add('lr_in_unsnat', P.UNSNAT.FORCE_SNAT_ROUTER_IP, `inport == ${q(p.name)} && ${f}.dst == ${first.addr}`, 'ct_snat;', [p.row]);
        add('lr_out_snat', P.SNAT.FORCE_SNAT_ROUTER_IP, `flags.force_snat_for_lb == 1 && ${f} && outport == ${q(p.name)}`, `ct_snat(${first.addr});`, [p.row]);
      }
    }
  }
  if (lbVipList.some((v) => v.lb.options['skip_snat'] === 'true')) {
    add('lr_out_snat', P.SNAT.SKIP_SNAT_FOR_LB, 'flags.skip_snat_for_lb == 1 && ip', 'next;');
  }
  if (gw && (snats.length > 0 || forceSnatRouterIp || lbVipList.length > 0)) {
    add('lr_out_undnat', P.UNDNAT.ND, 'nd || nd_rs || nd_ra', 'next;');
    add('lr_out_undnat', P.UNDNAT.CT, 'ip', 'flags.loopback = 1; ct_dnat;');
    add('lr_out_post_undnat', P.UNDNAT.CT, 'ip && ct.new', 'ct_commit { } ; next; ');
  }

  // ---------------------------------------------------------------- gateway router load balancers
  if (lbVipList.length > 0) {
    const D = P.DNAT;
    add('lr_in_dnat', D.EST, 'ct.est && !ct.rel && !ct.new && !ct.rpl && ct_mark.natted', 'next;');
    add('lr_in_dnat', D.EST, 'ct.rel && !ct.est && !ct.new && !ct.rpl', 'ct_commit_nat;');
    add('lr_in_dnat', D.EST_FLAGS, 'ct.est && !ct.rel && !ct.new && !ct.rpl && ct_mark.natted && ct_mark.force_snat == 1', 'flags.force_snat_for_lb = 1; next;');
    add('lr_in_dnat', D.EST_FLAGS, 'ct.est && !ct.rel && !ct.new && !ct.rpl && ct_mark.natted && ct_mark.skip_snat == 1', 'flags.skip_snat_for_lb = 1; next;');
    add('lr_in_dnat', D.EST_FLAGS, 'ct.rel && !ct.est && !ct.new && !ct.rpl && ct_mark.force_snat == 1', 'flags.force_snat_for_lb = 1; ct_commit_nat;');
    add('lr_in_dnat', D.EST_FLAGS, 'ct.rel && !ct.est && !ct.new && !ct.rpl && ct_mark.skip_snat == 1', 'flags.skip_snat_for_lb = 1; ct_commit_nat;');
    for (const lb of lr.lbs) {
      const t = sink.memo(lb, forceSnatRouterIp ? 'router force_snat' : 'router', () => routerLbFlows(lb, forceSnatRouterIp));
      unsupported.push(...t.notes);
      sink.addBlock(lr.name, t, dp);
    }
  }

  // ---------------------------------------------------------------- pass-through stages
  for (const st of ['lr_in_dhcp_relay_req', 'lr_in_unsnat', 'lr_in_post_unsnat', 'lr_in_defrag', 'lr_in_lb_aff_check', 'lr_in_dnat',
    'lr_in_lb_aff_learn', 'lr_in_ecmp_stateful', 'lr_in_nd_ra_options', 'lr_in_nd_ra_response', 'lr_in_dhcp_relay_resp_chk',
    'lr_in_dhcp_relay_resp', 'lr_in_chk_pkt_len', 'lr_in_larger_pkts', 'lr_in_gw_redirect',
    'lr_out_undnat', 'lr_out_post_undnat', 'lr_out_post_snat', 'lr_out_egr_loop'] as const) {
    add(st, P.DEFAULT, '1', 'next;');
  }

  // ---------------------------------------------------------------- routing
  add('lr_in_ip_routing_pre', P.DEFAULT, '1', `${REG.ROUTE_TABLE_ID} = 0; next;`);
  add('lr_in_ip_routing', P.IP_ROUTING.RS_RA, 'nd_rs || nd_ra', 'drop;');
  add('lr_in_ip_routing', P.DEFAULT, '1', 'drop;');
  for (const st of ['lr_in_ip_routing_ecmp', 'lr_in_policy_ecmp'] as const) {
    add(st, P.ECMP.NO_GROUP, `${REG.ECMP_GROUP_ID} == 0`, 'next;');
    add(st, P.DEFAULT, '1', 'drop;');
  }
  add('lr_in_policy', P.DEFAULT, '1', `${REG.ECMP_GROUP_ID} = 0; next;`);
  const route4 = (nh: string, src: string, p: LrpView) =>
    `ip.ttl--; ${REG.ECMP_GROUP_ID} = 0; ${REG.NEXT_HOP_IPV4} = ${nh}; ${REG.SRC_IPV4} = ${src}; eth.src = ${p.networks.mac}; outport = ${q(p.name)}; flags.loopback = 1; ${REG.NEXTHOP_IS_IPV4} = 1; next;`;
  const route6 = (nh: string, src: string, p: LrpView) =>
    `ip.ttl--; ${REG.ECMP_GROUP_ID} = 0; ${REG.NEXT_HOP_IPV6} = ${nh}; ${REG.SRC_IPV6} = ${src}; eth.src = ${p.networks.mac}; outport = ${q(p.name)}; flags.loopback = 1; ${REG.NEXTHOP_IS_IPV4} = 0; next;`;
  for (const p of lr.ports) {
    const c = [p.row];
    for (const n of p.networks.ipv4) {
      add('lr_in_ip_routing', n.plen * PRIO.ROUTE_MULTIPLIER + PRIO.ROUTE_OFFSET_CONNECTED, `ip4.dst == ${n.network}/${n.plen}`, route4('ip4.dst', n.addr, p), c);
    }
    for (const n of p.networks.ipv6) {
      const m = n.isLla ? `inport == ${q(p.name)} && ip6.dst == ${n.network}/${n.plen}` : `ip6.dst == ${n.network}/${n.plen}`;
      add('lr_in_ip_routing', n.plen * PRIO.ROUTE_MULTIPLIER + PRIO.ROUTE_OFFSET_CONNECTED, m, route6('ip6.dst', n.addr, p), c);
    }
  }
  // static routes, grouped by (policy, prefix): a group of two or more is an ECMP route
  interface Resolved { r: LogicalRouterStaticRoute; prefix: IpNet; nh: string; out: { port: LrpView; src: string } }
  const groups = new Map<string, Resolved[]>();
  for (const r of lr.routes) {
    const prefix = parseIpNet(r.ip_prefix);
    if (!prefix) {
      unsupported.push(`route ${r.id}: bad ip_prefix ${r.ip_prefix}`);
      continue;
    }
    if (r.route_table !== '') {
      unsupported.push(`route ${r.id}: route_table ${r.route_table} is not modelled`);
      continue;
    }
    if (r.nexthop === 'discard') {
      unsupported.push(`route ${r.id}: discard routes are not modelled`);
      continue;
    }
    if (Object.keys(r.options).length > 0) unsupported.push(`route ${r.id}: route options are not modelled`);
    const nhParsed = parseIpNet(r.nexthop);
    const out = routeOutput(lr, r.output_port, r.nexthop, prefix.family === 4);
    if (!nhParsed || !out) {
      unsupported.push(`route ${r.id}: no output port for next hop ${r.nexthop}`);
      continue;
    }
    const key = `${r.policy === 'src-ip' ? 'src' : 'dst'}|${prefix.network}/${prefix.plen}`;
    const list = groups.get(key) ?? [];
    list.push({ r, prefix, nh: nhParsed.addr, out });
    groups.set(key, list);
  }
  let ecmpGroupId = 0;
  for (const key of [...groups.keys()].sort()) {
    const list = groups.get(key)!;
    const { prefix } = list[0]!;
    const srcRoute = key.startsWith('src|');
    const isV4 = prefix.family === 4;
    const prio = prefix.plen * PRIO.ROUTE_MULTIPLIER + (srcRoute ? PRIO.ROUTE_OFFSET_SRC : PRIO.ROUTE_OFFSET_STATIC);
    const match = `${REG.ROUTE_TABLE_ID} == 0 && ip${isV4 ? 4 : 6}.${srcRoute ? 'src' : 'dst'} == ${prefix.network}/${prefix.plen}`;
    // duplicate next hops collapse into one member
    const members = [...new Map(list.map((x) => [x.nh, x])).values()].sort((a, b) => (a.nh < b.nh ? -1 : a.nh > b.nh ? 1 : 0));
    if (members.length === 1) {
      const m = members[0]!;
      add('lr_in_ip_routing', prio, match, isV4 ? route4(m.nh, m.out.src, m.out.port) : route6(m.nh, m.out.src, m.out.port), [m.r, m.out.port.row]);
    } else {
      // ECMP: northd numbers groups and members in its own (UUID-dependent) order; udnc numbers
      // groups by sorted prefix and members by sorted next hop (comparisons normalize member ids)
      const gid = ++ecmpGroupId;
      add('lr_in_ip_routing', prio, match,
        `ip.ttl--; flags.loopback = 1; ${REG.ECMP_GROUP_ID} = ${gid}; ${REG.ECMP_MEMBER_ID} = select(${members.map((_, i) => i + 1).join(', ')});`,
        list.map((x) => x.r));
      members.forEach((m, i) => {
        const nhReg = isV4 ? REG.NEXT_HOP_IPV4 : REG.NEXT_HOP_IPV6;
        const srcReg = isV4 ? REG.SRC_IPV4 : REG.SRC_IPV6;
        add('lr_in_ip_routing_ecmp', P.ECMP.MEMBER, `${REG.ECMP_GROUP_ID} == ${gid} && ${REG.ECMP_MEMBER_ID} == ${i + 1}`,
          `${nhReg} = ${m.nh}; ${srcReg} = ${m.out.src}; eth.src = ${m.out.port.networks.mac}; outport = ${q(m.out.port.name)}; ${REG.NEXTHOP_IS_IPV4} = ${isV4 ? 1 : 0}; next;`,
          [m.r, m.out.port.row]);
      });
    }
    if (!isV4) {
      // IPv6 next hops of static routes get a solicited-node ND request of their own
      for (const m of members) {
        const g = parseIpv6(m.nh)!;
        const nh6 = parseIpNet(m.nh) as Ipv6Net;
        const hex2 = (x: number) => x.toString(16).padStart(2, '0');
        const mcMac = `33:33:ff:${hex2(g[6]! & 0xff)}:${hex2(g[7]! >> 8)}:${hex2(g[7]! & 0xff)}`;
        add('lr_in_arp_request', P.ARP_REQUEST.STATIC_ND, `eth.dst == 00:00:00:00:00:00 && ${REG.NEXTHOP_IS_IPV4} == 0 && ${REG.NEXT_HOP_IPV6} == ${nh6.addr}`,
          `nd_ns { eth.dst = ${mcMac}; ip6.dst = ${nh6.snm}; nd.target = ${nh6.addr}; output; }; output;`, [m.r]);
      }
    }
  }

  // ---------------------------------------------------------------- ARP resolve
  add('lr_in_arp_resolve', P.ARP_RESOLVE.MCAST, 'ip4.mcast || ip6.mcast', 'next;');
  add('lr_in_arp_resolve', P.ARP_RESOLVE.DYNAMIC, `${REG.NEXTHOP_IS_IPV4} == 0`, `get_nd(outport, ${REG.NEXT_HOP_IPV6}); next;`);
  add('lr_in_arp_resolve', P.ARP_RESOLVE.DYNAMIC, `${REG.NEXTHOP_IS_IPV4} == 1`, `get_arp(outport, ${REG.NEXT_HOP_IPV4}); next;`);
  add('lr_in_arp_resolve', P.DEFAULT, '1', 'drop;');
  for (const p of lr.ports) {
    const neighbors: Array<{ mac: string; ipv4: Ipv4Net[]; ipv6: Ipv6Net[]; cause: Cause; router: boolean }> = [];
    if (p.peerLsp) {
      for (const sp of p.peerLsp.ls.ports) {
        if (sp === p.peerLsp) continue;
        if (sp.type === '' || sp.type === 'localport') {
          for (const a of sp.addrs) neighbors.push({ ...a, cause: sp.row, router: false });
        } else if (sp.type === 'router' && sp.peer && !dynamicNeighRouters) {
          const n = sp.peer.networks;
          neighbors.push({ mac: n.mac, ipv4: n.ipv4, ipv6: n.ipv6, cause: sp.peer.row, router: true });
        }
      }
    }
    for (const nb of neighbors) {
      // a VIF gets one flow per address; a neighbor router one flow per family with the address set
      const groups = nb.router ? [nb.ipv4.map((a) => a.addr), nb.ipv6.map((a) => a.addr)] : [...nb.ipv4, ...nb.ipv6].map((a) => [a.addr]);
      for (const ips of groups) {
        if (ips.length === 0) continue;
        const reg = ips[0]!.includes(':') ? REG.NEXT_HOP_IPV6 : REG.NEXT_HOP_IPV4;
        add('lr_in_arp_resolve', P.ARP_RESOLVE.NEIGHBOR, `outport == ${q(p.name)} && ${reg} == ${set(ips)}`, `eth.dst = ${nb.mac}; next;`, [p.row, nb.cause]);
      }
    }
  }

  // a router port peered directly with another router port (northd prints `reg0==` without a space)
  for (const p of lr.ports) {
    if (!p.peerLrp) continue;
    const n = p.peerLrp.networks;
    for (const a of n.ipv4) {
      add('lr_in_arp_resolve', P.ARP_RESOLVE.NEIGHBOR, `outport == ${q(p.name)} && ${REG.NEXT_HOP_IPV4}== ${a.addr}`, `eth.dst = ${n.mac}; next;`, [p.row, p.peerLrp.row]);
    }
    for (const a of n.ipv6) {
      add('lr_in_arp_resolve', P.ARP_RESOLVE.NEIGHBOR, `outport == ${q(p.name)} && ${REG.NEXT_HOP_IPV6} == ${a.addr}`, `eth.dst = ${n.mac}; next;`, [p.row, p.peerLrp.row]);
    }
  }

  // ---------------------------------------------------------------- ARP request, egress
  add('lr_in_arp_request', P.ARP_REQUEST.UNKNOWN_MAC, `eth.dst == 00:00:00:00:00:00 && ${REG.NEXTHOP_IS_IPV4} == 0`,
    `nd_ns { nd.target = ${REG.NEXT_HOP_IPV6}; output; }; output;`);
  add('lr_in_arp_request', P.ARP_REQUEST.UNKNOWN_MAC, `eth.dst == 00:00:00:00:00:00 && ${REG.NEXTHOP_IS_IPV4} == 1`,
    `arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = ${REG.SRC_IPV4}; arp.tpa = ${REG.NEXT_HOP_IPV4}; arp.op = 1; output; }; output;`);
  add('lr_in_arp_request', P.DEFAULT, '1', 'output;');
  add('lr_out_chk_dnat_local', P.DEFAULT, '1', `${REG.DST_NAT_IP_LOCAL} = 0; next;`);
  add('lr_out_snat', P.SNAT.ND_NS, 'nd_ns', 'next;');
  add('lr_out_snat', P.DEFAULT, '1', 'next;');
  add('lr_out_delivery', P.DEFAULT, '1', 'drop;');
  for (const p of lr.ports) add('lr_out_delivery', P.DELIVERY.PORT, `outport == ${q(p.name)}`, 'output;', [p.row]);

  return unsupported;
}

type Add = (stage: StageName, prio: number, match: string, actions: string, causes?: readonly Cause[]) => void;

function ipUnreach4(add: Add, n: Ipv4Net, c: readonly Cause[]): void {
  const I = P.IP_INPUT;
  const base = `ip4 && ip4.dst == ${n.addr} && !ip.later_frag`;
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && sctp`, 'sctp_abort {eth.dst <-> eth.src; ip4.dst <-> ip4.src; next; };', c);
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && tcp`, 'tcp_reset {eth.dst <-> eth.src; ip4.dst <-> ip4.src; next; };', c);
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && udp`,
    'icmp4 {eth.dst <-> eth.src; ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 3; icmp4.code = 3; next; };', c);
  add('lr_in_ip_input', I.PROTO_UNREACH, base,
    'icmp4 {eth.dst <-> eth.src; ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 3; icmp4.code = 2; next; };', c);
}

function ipUnreach6(add: Add, n: Ipv6Net, c: readonly Cause[]): void {
  const I = P.IP_INPUT;
  const base = `ip6 && ip6.dst == ${n.addr} && !ip.later_frag`;
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && sctp`, 'sctp_abort {eth.dst <-> eth.src; ip6.dst <-> ip6.src; next; };', c);
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && tcp`, 'tcp_reset {eth.dst <-> eth.src; ip6.dst <-> ip6.src; next; };', c);
  add('lr_in_ip_input', I.L4_UNREACH, `${base} && udp`,
    'icmp6 {eth.dst <-> eth.src; ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 1; icmp6.code = 4; next; };', c);
  add('lr_in_ip_input', I.PROTO_UNREACH, base,
    'icmp6 {eth.dst <-> eth.src; ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 1; icmp6.code = 3; next; };', c);
}

/** The port a static route leaves by and the source address it uses (northd `find_static_route_outport`). */
function routeOutput(lr: LrView, outputPort: string | undefined, nexthop: string, isV4: boolean): { port: LrpView; src: string } | undefined {
  const nh4 = isV4 ? parseIpv4(nexthop) : undefined;
  const nh6 = !isV4 ? parseIpv6(nexthop) : undefined;
  const inNet4 = (n: Ipv4Net) => {
    if (nh4 === undefined) return false;
    const net = parseIpv4(n.network)!;
    const mask = n.plen === 0 ? 0 : (0xffffffff << (32 - n.plen)) >>> 0;
    return ((nh4 & mask) >>> 0) === net;
  };
  const inNet6 = (n: Ipv6Net) => {
    if (!nh6) return false;
    const nh = parseIpNet(`${nexthop}/${n.plen}`);
    return nh !== undefined && nh.family === 6 && nh.network === n.network;
  };
  const candidates = outputPort ? lr.ports.filter((p) => p.name === outputPort) : lr.ports;
  for (const p of candidates) {
    if (isV4) {
      const n = p.networks.ipv4.find(inNet4);
      if (n) return { port: p, src: n.addr };
    } else {
      const n = p.networks.ipv6.find(inNet6);
      if (n) return { port: p, src: n.addr };
    }
  }
  if (outputPort && candidates[0]) {
    const p = candidates[0];
    const first = isV4 ? p.networks.ipv4[0] : p.networks.ipv6[0];
    if (first) return { port: p, src: first.addr };
  }
  return undefined;
}

/**
 * A load balancer's VIP flows on a gateway router depend only on the LB row and on the router's
 * `lb_force_snat_ip=router_ip` (northd groups the routers that share them): built once per
 * (LB, force-SNAT) per computation (FlowSink.memo).
 */
function routerLbFlows(lb: LoadBalancer, forceSnatRouterIp: boolean): LbFlows {
  const flows: FlowText[] = [];
  const notes: string[] = [];
  const add = (stage: StageName, prio: number, match: string, actions: string) => flows.push(flowText(stage, prio, match, actions));
  const D = P.DNAT;
  for (const v of lbVips(lb)) {
    const ipf = v.family === 4 ? 'ip4' : 'ip6';
    add('lr_in_defrag', P.DEFRAG.VIP, `ip && ${ipf}.dst == ${v.ip}`, 'ct_dnat;');
    for (const k of Object.keys(lb.options)) {
      if (!['event', 'hairpin_snat_ip', 'neighbor_responder', 'reject', 'skip_snat', 'affinity_timeout'].includes(k)) notes.push(`load balancer ${lb.name}: option ${k} on a router is not modelled`);
    }
    if (lb.options['neighbor_responder'] !== 'none') notes.push(`load balancer ${lb.name}: neighbor_responder other than none on a router is not modelled`);
    if (lb.selection_fields.length > 0) notes.push(`load balancer ${lb.name}: selection_fields on a router are not modelled`);
    const skipSnat = lb.options['skip_snat'] === 'true';
    const flag = skipSnat ? 'flags.skip_snat_for_lb = 1; ' : forceSnatRouterIp ? 'flags.force_snat_for_lb = 1; ' : '';
    const suffix = skipSnat ? '; skip_snat' : forceSnatRouterIp ? '; force_snat' : '';
    const m = v.port !== undefined
      ? `ct.new && !ct.rel && ${ipf} && ${ipf}.dst == ${v.ip} && ${v.proto} && ${v.proto}.dst == ${v.port}`
      : `ct.new && !ct.rel && ${ipf} && ${ipf}.dst == ${v.ip}`;
    const prio = v.port !== undefined ? D.VIP_PORT : D.VIP;
    if (v.backends.length === 0) {
      if (lb.options['reject'] === 'true') {
        add('lr_in_dnat', prio, m, `${flag}reg0 = 0; reject { outport <-> inport; ${nextTo('lr_out_snat')}};`);
      } else {
        add('lr_in_dnat', prio, m, 'drop;');
        notes.push(`load balancer ${lb.name}: VIP ${v.ip} without backends and without reject on a router is a guess`);
      }
      continue;
    }
    const affinity = Number(lb.options['affinity_timeout'] ?? '0');
    const reg = v.family === 4 ? REG.ORIG_DIP_IPV4 : REG.ORIG_DIP_IPV6;
    const load = affinity > 0 ? `${reg} = ${v.ip}; ${v.port !== undefined ? `${REG.ORIG_TP_DPORT} = ${v.port}; ` : ''}` : '';
    add('lr_in_dnat', prio, m, `${flag}${load}ct_lb_mark(backends=${v.backends.map(formatIpPort).join(',')}${suffix});`);
    if (affinity > 0) {
      add('lr_in_lb_aff_check', P.LB_AFF.CHECK, m, `${REG.LB_AFF_CHECK_RESULT} = chk_lb_aff(); next;`);
      for (const b of v.backends) {
        const bport = b.port !== undefined ? ` && ${REG.ORIG_TP_DPORT} == ${b.port}` : '';
        add('lr_in_dnat', D.AFFINITY_BACKEND, `${REG.LB_AFF_CHECK_RESULT} == 1 && ct.new && ${ipf}.dst == ${v.ip} && ${reg} == ${b.ip}${bport}`,
          `${flag}ct_lb_mark(backends=${formatIpPort(b)}${suffix});`);
        const vipPort = v.port !== undefined ? ` && ${REG.ORIG_TP_DPORT} == ${v.port}` : '';
        const bMatch = `${ipf}.dst == ${b.ip}${b.port !== undefined ? ` && ${v.proto}.dst == ${b.port}` : ''}`;
        add('lr_in_lb_aff_learn', P.LB_AFF.LEARN, `${REG.LB_AFF_CHECK_RESULT} == 0 && ct.new && ${ipf} && ${reg} == ${v.ip}${vipPort} && ${bMatch}`,
          `commit_lb_aff(vip = ${q(formatIpPort(v))}, backend = ${q(formatIpPort(b))}, proto = ${v.proto}, timeout = ${affinity}); /* drop */`);
      }
    }
  }
  return { flows, notes, causes: [lb] };
}
