/**
 * Logical switch flows of ovn-northd 25.03 (northd/northd.c `build_lswitch_*`, `build_acls`,
 * `build_lb_*`, `build_stateful`): every text below was checked against the real 25.03
 * `ovn-sbctl lflow-list` (test/lflow*.test.ts).
 */
import type { ACL, LoadBalancer } from '../northbound/types.js';
import { type LportAddresses, formatIpPort, parseIpNet, parseIpPort } from './addr.js';
import { type AclView, type Cause, type LspView, type LsView, isGatewayRouter } from './model.js';
import { stableUuid } from './southbound.js';
import { ACL_OBS_STAGE, MC, type PipelineLayout, PRIO, REG, type StageName } from './pipeline-25.03.js';
import { type FlowSink, type FlowText, flowText } from './sink.js';

/** Priorities of the switch pipeline (northd.c), by stage. */
const P = {
  CHECK_PORT_SEC: { ROUTER_MAC_TUNNEL_ICMP: 120, PORT_TUNNEL_ICMP: 110, TUNNEL_ICMP_DROP: 105, L2_DROP: 100, FROM_ROUTER: 70, CHECK: 50 },
  APPLY_PORT_SEC: { DROP: 50 },
  FDB: { PORT: 100 },
  PRE_ACL: { SKIP: 110, CT: 100 },
  PRE_LB: { SKIP: 110, CT: 100 },
  PRE_STATEFUL: { VIP: 120, FRAG: 115, LB: 110, CT: 100 },
  ACL_HINT: [7, 6, 5, 4, 3, 2, 1] as const,
  ACL_EVAL: { DEFAULT_ALLOW_CT: 1 },
  LB: { AFFINITY_BACKEND: 150, VIP_PORT: 120, VIP: 110, FRAG: 110 },
  LB_AFF: { CHECK: 100, LEARN: 100 },
  HAIRPIN: { PRE: 100, NAT: 100, NAT_REPLY: 90, HAIRPIN: 1 },
  STATEFUL: { COMMIT: 100 },
  ARP_RSP: { SKIP_SELF: 100, REPLY: 50 },
  L2_LKUP: { SVC_MONITOR: 110, ROUTER_ARP_SELF: 80, ROUTER_FLOOD_L2: 75, MCAST: 70, MAC: 50 },
  L2_UNKNOWN: { NONE: 50 },
  OUT_CHECK_PORT_SEC: { MCAST: 100 },
  OUT_APPLY_PORT_SEC: { DROP: 50 },
  DEFAULT: 0,
} as const;

/** Match and action fragments northd writes verbatim. */
const T = {
  TUNNEL_ICMP: '((ip4 && icmp4.type == 3 && icmp4.code == 4) || (ip6 && icmp6.type == 2 && icmp6.code == 0))',
  // pre_lb spells it without the space after `||`
  TUNNEL_ICMP_PRE_LB: '((ip4 && icmp4.type == 3 && icmp4.code == 4) ||(ip6 && icmp6.type == 2 && icmp6.code == 0))',
  TUNNEL_RX: 'flags.tunnel_rx == 1',
  SVC_MON_IN: 'eth.dst == $svc_monitor_mac',
  SVC_MON_OUT: 'eth.src == $svc_monitor_mac',
  ND_MLD: 'nd || nd_rs || nd_ra || mldv1 || mldv2',
  ND_MLD_DHCP6: 'nd || nd_rs || nd_ra || mldv1 || mldv2 || (udp && udp.src == 546 && udp.dst == 547)',
  ND_MLD_ACL: 'nd || nd_ra || nd_rs || mldv1 || mldv2',
  ACL_CLEAR: `${REG.ACL_VERDICT_ALLOW} = 0; ${REG.ACL_VERDICT_DROP} = 0; ${REG.ACL_VERDICT_REJECT} = 0; `,
  REJECT_BODY: '/* eth.dst <-> eth.src; ip.dst <-> ip.src; is implicit. */ outport <-> inport;',
  CT_COMMIT_BLOCK: 'ct_commit { ct_mark.blocked = 1; ct_label.obs_point_id = 0; }; ',
  STATEFUL_COMMIT:
    'ct_commit { ct_mark.blocked = 0; ct_mark.allow_established = reg0[20]; ct_label.acl_id = reg2[16..31]; }; next;',
  STATEFUL_COMMIT_LABEL:
    'ct_commit { ct_mark.blocked = 0; ct_mark.allow_established = reg0[20]; ct_mark.obs_stage = reg8[19..20]; ct_mark.obs_collector_id = reg8[8..15]; ct_label.obs_point_id = reg9; ct_label.acl_id = reg2[16..31]; }; next;',
  BCAST: 'ff:ff:ff:ff:ff:ff',
} as const;

/** The acl_hint table (priority → match, bits set). */
const ACL_HINTS: ReadonlyArray<readonly [number, string, readonly string[]]> = [
  [P.ACL_HINT[0], 'ct.new && !ct.est', [REG.ACL_HINT_ALLOW_NEW, REG.ACL_HINT_DROP]],
  [P.ACL_HINT[1], '!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 1', [REG.ACL_HINT_ALLOW_NEW, REG.ACL_HINT_DROP]],
  [P.ACL_HINT[2], '!ct.trk', [REG.ACL_HINT_ALLOW, REG.ACL_HINT_DROP]],
  [P.ACL_HINT[3], '!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 0', [REG.ACL_HINT_ALLOW, REG.ACL_HINT_BLOCK]],
  [P.ACL_HINT[4], '!ct.est', [REG.ACL_HINT_DROP]],
  [P.ACL_HINT[5], 'ct.est && ct_mark.blocked == 1', [REG.ACL_HINT_DROP]],
  [P.ACL_HINT[6], 'ct.est && ct_mark.blocked == 0', [REG.ACL_HINT_BLOCK]],
];

const q = (s: string) => JSON.stringify(s);

interface Ctx {
  sink: FlowSink;
  layout: PipelineLayout;
  ls: LsView;
  dp: Cause[];
  fairMeters: ReadonlySet<string>;
}

function add(c: Ctx, stage: StageName, prio: number, match: string, actions: string, causes: readonly Cause[] = []): void {
  c.sink.add(c.ls.name, stage, prio, match, actions, c.dp, causes);
}

/** `next(pipeline=…,table=…);` to a stage. */
function nextTo(layout: PipelineLayout, stage: StageName): string {
  const s = layout.stage(stage);
  return `next(pipeline=${s.pipeline},table=${s.table});`;
}

// ------------------------------------------------------------------------------------------ LBs
interface Vip {
  lb: LoadBalancer;
  family: 4 | 6;
  ip: string;
  port?: number;
  proto: 'tcp' | 'udp' | 'sctp';
  backends: Array<{ family: 4 | 6; ip: string; port?: number }>;
}

export function lbVips(lb: LoadBalancer): Vip[] {
  const out: Vip[] = [];
  for (const [k, v] of Object.entries(lb.vips).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const vip = parseIpPort(k);
    if (!vip) continue;
    const backends = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(parseIpPort)
      .filter((b): b is NonNullable<typeof b> => b !== undefined);
    out.push({ lb, family: vip.family, ip: vip.ip, ...(vip.port !== undefined ? { port: vip.port } : {}), proto: lb.protocol ?? 'tcp', backends });
  }
  return out;
}

function hasLbVip(ls: LsView): boolean {
  return ls.lbs.some((lb) => Object.keys(lb.vips).length > 0);
}

// ------------------------------------------------------------------------------------------ main
export function buildSwitchFlows(sink: FlowSink, layout: PipelineLayout, ls: LsView, fairMeters: ReadonlySet<string> = new Set()): string[] {
  const unsupported: string[] = [];
  const c: Ctx = { sink, layout, ls, dp: [ls.row], fairMeters };
  const acls = ls.acls;
  const hasAcls = acls.length > 0;
  const hasStatefulAcl = acls.some((a) => a.row.action === 'allow-related');
  const hasLb = hasLbVip(ls);
  const hasStateful = hasStatefulAcl || hasLb;
  const vifPorts = ls.ports.filter((p) => p.type === '' || p.type === 'localport');
  const skipCtPorts = [...ls.routerPorts, ...ls.localnetPorts];

  // ---------------------------------------------------------------- ingress port security
  for (const p of vifPorts.filter((x) => x.type === '')) {
    for (const a of p.addrs) {
      add(
        c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.PORT_TUNNEL_ICMP,
        `${T.TUNNEL_ICMP} && eth.src == ${a.mac} && outport == ${q(p.name)} && !is_chassis_resident(${q(p.name)}) && ${T.TUNNEL_RX}`,
        'outport <-> inport; next;', [p.row],
      );
    }
  }
  for (const rp of ls.routerPorts) {
    if (isGatewayRouter(rp.peer!.lr)) {
      add(
        c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.ROUTER_MAC_TUNNEL_ICMP,
        `${T.TUNNEL_ICMP} && eth.src == ${rp.peer!.networks.mac} && outport == ${q(rp.name)} && ${T.TUNNEL_RX}`,
        'outport <-> inport; next;', [rp.row, rp.peer!.row],
      );
    } else {
      add(
        c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.ROUTER_MAC_TUNNEL_ICMP,
        `${T.TUNNEL_ICMP} && eth.dst == ${rp.peer!.networks.mac} && ${T.TUNNEL_RX}`,
        `outport <-> inport; ${nextTo(layout, 'ls_in_l2_lkup')}`, [rp.row, rp.peer!.row],
      );
    }
    add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.FROM_ROUTER, `inport == ${q(rp.name)}`, `${REG.FROM_ROUTER_PORT} = 1; next;`, [rp.row]);
  }
  for (const p of ls.ports.filter((x) => x.row.enabled === false)) {
    add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.L2_DROP, `inport == ${q(p.name)}`, `${REG.PORT_SEC_DROP} = 1; next;`, [p.row]);
    add(c, 'ls_in_l2_unknown', P.L2_UNKNOWN.NONE, `outport == ${q(p.name)}`, 'drop;', [p.row]);
  }
  add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.TUNNEL_ICMP_DROP, `${T.TUNNEL_ICMP} && ${T.TUNNEL_RX}`, 'drop;');
  add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.L2_DROP, 'eth.src[40]', 'drop;');
  add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.L2_DROP, 'vlan.present', 'drop;');
  add(c, 'ls_in_check_port_sec', P.CHECK_PORT_SEC.CHECK, '1', `${REG.PORT_SEC_DROP} = check_in_port_sec(); next;`);
  add(c, 'ls_in_apply_port_sec', P.APPLY_PORT_SEC.DROP, `${REG.PORT_SEC_DROP} == 1`, 'drop;');
  add(c, 'ls_in_apply_port_sec', P.DEFAULT, '1', 'next;');

  // ---------------------------------------------------------------- FDB
  for (const p of ls.ports.filter((x) => x.hasUnknown && (x.type === '' || x.type === 'localnet'))) {
    if (p.type === 'localnet') continue;
    add(c, 'ls_in_lookup_fdb', P.FDB.PORT, `inport == ${q(p.name)}`, `${REG.LKUP_FDB} = lookup_fdb(inport, eth.src); next;`, [p.row]);
    add(c, 'ls_in_put_fdb', P.FDB.PORT, `inport == ${q(p.name)} && ${REG.LKUP_FDB} == 0`, 'put_fdb(inport, eth.src); next;', [p.row]);
  }
  for (const st of ['ls_in_lookup_fdb', 'ls_in_put_fdb', 'ls_out_lookup_fdb', 'ls_out_put_fdb'] as const) add(c, st, P.DEFAULT, '1', 'next;');

  // ---------------------------------------------------------------- pre_acl
  add(c, 'ls_in_pre_acl', P.PRE_ACL.SKIP, T.SVC_MON_IN, 'next;');
  add(c, 'ls_out_pre_acl', P.PRE_ACL.SKIP, T.SVC_MON_OUT, 'next;');
  add(c, 'ls_in_pre_acl', P.DEFAULT, '1', 'next;');
  add(c, 'ls_out_pre_acl', P.DEFAULT, '1', 'next;');
  if (hasStatefulAcl) {
    for (const p of skipCtPorts) {
      add(c, 'ls_in_pre_acl', P.PRE_ACL.SKIP, `ip && inport == ${q(p.name)}`, 'next;', [p.row]);
      add(c, 'ls_out_pre_acl', P.PRE_ACL.SKIP, `ip && outport == ${q(p.name)}`, 'next;', [p.row]);
    }
    add(c, 'ls_in_pre_acl', P.PRE_ACL.SKIP, `${T.TUNNEL_ICMP} && ${T.TUNNEL_RX}`, 'next;');
    for (const st of ['ls_in_pre_acl', 'ls_out_pre_acl'] as const) {
      add(c, st, P.PRE_ACL.SKIP, 'eth.mcast', 'next;');
      add(c, st, P.PRE_ACL.SKIP, T.ND_MLD_DHCP6, 'next;');
      add(c, st, P.PRE_ACL.CT, 'ip', `${REG.CONNTRACK_DEFRAG} = 1; next;`);
    }
  }

  // ---------------------------------------------------------------- pre_lb
  add(c, 'ls_in_pre_lb', P.PRE_LB.SKIP, `${T.TUNNEL_ICMP_PRE_LB} && ${T.TUNNEL_RX}`, 'next;');
  add(c, 'ls_in_pre_lb', P.PRE_LB.SKIP, T.SVC_MON_IN, 'next;');
  add(c, 'ls_out_pre_lb', P.PRE_LB.SKIP, T.SVC_MON_OUT, 'next;');
  for (const st of ['ls_in_pre_lb', 'ls_out_pre_lb'] as const) {
    add(c, st, P.PRE_LB.SKIP, 'eth.mcast', 'next;');
    add(c, st, P.PRE_LB.SKIP, T.ND_MLD, 'next;');
    add(c, st, P.PRE_LB.SKIP, `${REG.ACL_STATELESS} == 1`, 'next;');
    add(c, st, P.DEFAULT, '1', 'next;');
    if (hasLb) add(c, st, P.PRE_LB.CT, 'ip', `${REG.CONNTRACK_NAT} = 1; next;`, ls.lbCauses);
  }
  for (const p of skipCtPorts) {
    add(c, 'ls_in_pre_lb', P.PRE_LB.SKIP, `ip && inport == ${q(p.name)}`, 'next;', [p.row]);
    add(c, 'ls_out_pre_lb', P.PRE_LB.SKIP, `ip && outport == ${q(p.name)}`, hasStatefulAcl ? 'next;' : 'ct_clear; next;', [p.row]);
  }

  // ---------------------------------------------------------------- pre_stateful
  add(c, 'ls_in_pre_stateful', P.PRE_STATEFUL.FRAG, `${REG.CONNTRACK_NAT} == 1 && ip.is_frag`, `${REG.IP_FRAG} = 1; ct_lb_mark;`);
  for (const st of ['ls_in_pre_stateful', 'ls_out_pre_stateful'] as const) {
    add(c, st, P.PRE_STATEFUL.LB, `${REG.CONNTRACK_NAT} == 1`, 'ct_lb_mark;');
    add(c, st, P.PRE_STATEFUL.CT, `${REG.CONNTRACK_DEFRAG} == 1`, 'ct_next;');
    add(c, st, P.DEFAULT, '1', 'next;');
  }

  // ---------------------------------------------------------------- ACLs
  buildAclFlows(c, acls, hasAcls, hasStateful, hasLb);

  // ---------------------------------------------------------------- QoS (ovn-k sets none)
  add(c, 'ls_in_qos', P.DEFAULT, '1', 'next;');
  add(c, 'ls_out_qos', P.DEFAULT, '1', 'next;');

  // ---------------------------------------------------------------- LB
  buildLbFlows(c, unsupported);

  // ---------------------------------------------------------------- stateful
  for (const st of ['ls_in_stateful', 'ls_out_stateful'] as const) {
    add(c, st, P.STATEFUL.COMMIT, `${REG.CONNTRACK_COMMIT} == 1 && ${REG.ACL_LABEL} == 0`, T.STATEFUL_COMMIT);
    add(c, st, P.STATEFUL.COMMIT, `${REG.CONNTRACK_COMMIT} == 1 && ${REG.ACL_LABEL} == 1`, T.STATEFUL_COMMIT_LABEL);
    add(c, st, P.DEFAULT, '1', 'next;');
  }

  // ---------------------------------------------------------------- ARP/ND responder
  for (const p of ls.localnetPorts) add(c, 'ls_in_arp_rsp', P.ARP_RSP.SKIP_SELF, `inport == ${q(p.name)}`, 'next;', [p.row]);
  for (const p of ls.ports) {
    if (p.type === '' || p.type === 'localport') {
      if (p.hasUnknown && p.addrs.length === 0) continue;
      for (const a of p.addrs) arpNdResponder(c, p, a, false);
    } else if (p.type === 'router' && p.peer) {
      const n = p.peer.networks;
      if (p.routerAddresses) arpNdResponder(c, p, { mac: n.mac, ipv4: n.ipv4, ipv6: n.ipv6 }, true);
      for (const a of p.addrs) arpNdResponder(c, p, a, true);
    }
  }
  add(c, 'ls_in_arp_rsp', P.DEFAULT, '1', 'next;');
  for (const st of ['ls_in_dhcp_options', 'ls_in_dhcp_response', 'ls_in_dns_lookup', 'ls_in_dns_response', 'ls_in_external_port'] as const) {
    add(c, st, P.DEFAULT, '1', 'next;');
  }

  // ---------------------------------------------------------------- L2 lookup
  add(c, 'ls_in_l2_lkup', P.L2_LKUP.SVC_MONITOR, `${T.SVC_MON_IN} && (tcp || icmp || icmp6)`, 'handle_svc_check(inport);');
  add(c, 'ls_in_l2_lkup', P.L2_LKUP.MCAST, 'eth.mcast', `outport = ${q(MC.FLOOD.name)}; output;`);
  add(c, 'ls_in_l2_lkup', P.DEFAULT, '1', 'outport = get_fdb(eth.dst); next;');
  for (const p of ls.ports) {
    if (p.type === '' || p.type === 'localport') {
      const act = p.row.enabled === false ? 'drop;' : `outport = ${q(p.name)}; output;`;
      for (const a of p.addrs) add(c, 'ls_in_l2_lkup', P.L2_LKUP.MAC, `eth.dst == ${a.mac}`, act, [p.row]);
    } else if (p.type === 'router' && p.peer) {
      const lrp = p.peer;
      const n = lrp.networks;
      const causes = [p.row, lrp.row];
      const macs = new Set([...(p.routerAddresses ? [n.mac] : []), ...p.addrs.map((a) => a.mac)]);
      for (const mac of macs) add(c, 'ls_in_l2_lkup', P.L2_LKUP.MAC, `eth.dst == ${mac}`, `outport = ${q(p.name)}; output;`, causes);
      // only router ports on this switch: send straight to the router, nothing to flood
      const onlyRouters = ls.routerPorts.length === ls.ports.length;
      const self = onlyRouters
        ? `outport = ${q(p.name)}; output;`
        : `clone {outport = ${q(p.name)}; output; }; outport = ${q(MC.FLOOD_L2.name)}; output;`;
      const v4 = new Set(n.ipv4.map((a) => a.addr));
      const v6 = new Set(n.ipv6.map((a) => a.addr));
      const natCauses: Cause[] = [];
      if (isGatewayRouter(lrp.lr)) {
        // NAT external IPs, except those owned by another port of the same router
        const otherPortIps = new Set(lrp.lr.ports.filter((o) => o !== lrp).flatMap((o) => [...o.networks.ipv4, ...o.networks.ipv6].map((a) => a.addr)));
        for (const nat of lrp.lr.nats) {
          const ext = parseIpNet(nat.external_ip);
          if (!ext || otherPortIps.has(ext.addr)) continue;
          (ext.family === 4 ? v4 : v6).add(ext.addr);
          natCauses.push(nat);
        }
      }
      for (const a of v4) {
        add(c, 'ls_in_l2_lkup', P.L2_LKUP.ROUTER_ARP_SELF, `${REG.FLAG_NOT_VXLAN} && arp.op == 1 && arp.tpa == ${a}`, self, [...causes, ...natCauses]);
      }
      for (const a of v6) {
        add(c, 'ls_in_l2_lkup', P.L2_LKUP.ROUTER_ARP_SELF, `${REG.FLAG_NOT_VXLAN} && nd_ns && nd.target == ${a}`, self, [...causes, ...natCauses]);
      }
      if (!onlyRouters) {
        add(
          c, 'ls_in_l2_lkup', P.L2_LKUP.ROUTER_FLOOD_L2, `eth.src == {${n.mac}} && (arp.op == 1 || rarp.op == 3 || nd_ns)`,
          `outport = ${q(MC.FLOOD_L2.name)}; output;`, causes,
        );
      }
    }
  }
  add(
    c, 'ls_in_l2_unknown', P.L2_UNKNOWN.NONE, 'outport == "none"',
    ls.hasUnknown ? `outport = ${q(MC.UNKNOWN.name)}; output;` : 'drop;',
  );
  add(c, 'ls_in_l2_unknown', P.DEFAULT, '1', 'output;');

  // ---------------------------------------------------------------- egress port security
  add(c, 'ls_out_check_port_sec', P.OUT_CHECK_PORT_SEC.MCAST, 'eth.mcast', `${REG.PORT_SEC_DROP} = 0; next;`);
  add(c, 'ls_out_check_port_sec', P.DEFAULT, '1', `${REG.PORT_SEC_DROP} = check_out_port_sec(); next;`);
  add(c, 'ls_out_apply_port_sec', P.OUT_APPLY_PORT_SEC.DROP, `${REG.PORT_SEC_DROP} == 1`, 'drop;');
  add(c, 'ls_out_apply_port_sec', P.DEFAULT, '1', 'output;');

  for (const p of ls.ports) {
    if (p.type !== '' && p.type !== 'router' && p.type !== 'localport' && p.type !== 'localnet') {
      unsupported.push(`switch port ${p.name}: type ${p.type} is not modelled`);
    }
  }
  return unsupported;
}

function arpNdResponder(c: Ctx, p: LspView, a: LportAddresses, router: boolean): void {
  const causes = router && p.peer ? [p.row, p.peer.row] : [p.row];
  for (const ip of a.ipv4) {
    const m = `arp.tpa == ${ip.addr} && arp.op == 1 && eth.dst == ${T.BCAST}`;
    add(c, 'ls_in_arp_rsp', P.ARP_RSP.SKIP_SELF, `${m} && inport == ${q(p.name)}`, 'next;', causes);
    add(
      c, 'ls_in_arp_rsp', P.ARP_RSP.REPLY, m,
      `eth.dst = eth.src; eth.src = ${a.mac}; arp.op = 2; /* ARP reply */ arp.tha = arp.sha; arp.sha = ${a.mac}; arp.tpa = arp.spa; arp.spa = ${ip.addr}; outport = inport; flags.loopback = 1; output;`,
      causes,
    );
  }
  for (const ip of a.ipv6) {
    const m = `nd_ns_mcast && ip6.dst == ${ip.snm} && nd.target == ${ip.addr}`;
    add(c, 'ls_in_arp_rsp', P.ARP_RSP.SKIP_SELF, `${m} && inport == ${q(p.name)}`, 'next;', causes);
    add(
      c, 'ls_in_arp_rsp', P.ARP_RSP.REPLY, m,
      `${router ? 'nd_na_router' : 'nd_na'} { eth.src = ${a.mac}; ip6.src = ${ip.addr}; nd.target = ${ip.addr}; nd.tll = ${a.mac}; outport = inport; flags.loopback = 1; output; };`,
      causes,
    );
  }
}

// ------------------------------------------------------------------------------------------ ACLs
type AclStage = 'in' | 'in_after_lb' | 'out';
const ACL_STAGES: Record<AclStage, { eval: StageName; sample: StageName; action: StageName; obs: number; rejectTo: StageName }> = {
  in: { eval: 'ls_in_acl_eval', sample: 'ls_in_acl_sample', action: 'ls_in_acl_action', obs: ACL_OBS_STAGE.FROM_LPORT, rejectTo: 'ls_out_qos' },
  in_after_lb: {
    eval: 'ls_in_acl_after_lb_eval', sample: 'ls_in_acl_after_lb_sample', action: 'ls_in_acl_after_lb_action',
    obs: ACL_OBS_STAGE.FROM_LPORT_AFTER_LB, rejectTo: 'ls_out_qos',
  },
  out: { eval: 'ls_out_acl_eval', sample: 'ls_out_acl_sample', action: 'ls_out_acl_action', obs: ACL_OBS_STAGE.TO_LPORT, rejectTo: 'ls_in_l2_lkup' },
};

function aclStage(acl: ACL): AclStage {
  if (acl.direction === 'to-lport') return 'out';
  return acl.options['apply-after-lb'] === 'true' ? 'in_after_lb' : 'in';
}

/**
 * `log(...)` of a logged ACL. With a fair meter northd gives every ACL its own meter named
 * `<meter>__<ACL UUID>`; NB UUIDs are random, so udnc writes {@link stableUuid} of the ACL row id
 * there (comparisons with a real SB normalize that suffix).
 */
function aclLog(acl: ACL, fairMeters: ReadonlySet<string>): string {
  if (!acl.log) return '';
  const parts: string[] = [];
  if (acl.name) parts.push(`name=${q(acl.name)}`);
  parts.push(`severity=${acl.severity ?? 'info'}`);
  const verdict = acl.action === 'drop' ? 'drop' : acl.action === 'reject' ? 'reject' : acl.action === 'pass' ? 'pass' : 'allow';
  parts.push(`verdict=${verdict}`);
  if (acl.meter) parts.push(`meter=${q(fairMeters.has(acl.meter) ? `${acl.meter}__${stableUuid('ACL', acl.id)}` : acl.meter)}`);
  return `log(${parts.join(', ')}); `;
}

function buildAclFlows(c: Ctx, acls: readonly AclView[], hasAcls: boolean, hasStateful: boolean, hasLb: boolean): void {
  const { layout } = c;
  const maxTier: Record<AclStage, number> = { in: 0, in_after_lb: 0, out: 0 };
  for (const a of acls) maxTier[aclStage(a.row)] = Math.max(maxTier[aclStage(a.row)], a.row.tier);

  // hint
  for (const st of ['ls_in_acl_hint', 'ls_out_acl_hint'] as const) {
    if (!hasAcls && !hasLb) add(c, st, PRIO.ACL_NO_ACLS, '1', 'next;');
    else {
      if (hasStateful) {
        for (const [prio, m, bits] of ACL_HINTS) add(c, st, prio, m, `${bits.map((b) => `${b} = 1; `).join('')}next;`);
      }
      add(c, st, P.DEFAULT, '1', 'next;');
    }
  }

  // eval: fixed flows
  const allow = `${REG.ACL_VERDICT_ALLOW} = 1; `;
  add(c, 'ls_in_acl_eval', PRIO.ACL_FIXED, T.ND_MLD_ACL, `${allow}next;`);
  add(c, 'ls_out_acl_eval', PRIO.ACL_FIXED, T.ND_MLD_ACL, `${allow}next;`);
  add(c, 'ls_in_acl_after_lb_eval', PRIO.ACL_FIXED, T.ND_MLD_ACL, `${allow}next;`);
  add(c, 'ls_in_acl_after_lb_eval', P.DEFAULT, '1', 'next;');
  if (!hasAcls && !hasLb) {
    add(c, 'ls_in_acl_eval', PRIO.ACL_NO_ACLS, '1', 'next;');
    add(c, 'ls_out_acl_eval', PRIO.ACL_NO_ACLS, '1', 'next;');
  } else {
    add(c, 'ls_in_acl_eval', PRIO.ACL_SVC_MONITOR, T.SVC_MON_IN, `${allow}next;`);
    add(c, 'ls_out_acl_eval', PRIO.ACL_SVC_MONITOR, T.SVC_MON_OUT, `${allow}next;`);
    add(c, 'ls_in_acl_eval', P.DEFAULT, '1', 'next;');
    add(c, 'ls_out_acl_eval', P.DEFAULT, '1', 'next;');
  }
  if (hasStateful) {
    const rel = '!ct.est && ct.rel && !ct.new && !ct.inv && ct_mark.blocked == 0';
    const rpl = 'ct.est && !ct.rel && !ct.new && !ct.inv && ct.rpl && ct_mark.blocked == 0';
    const est = 'ct.est && ct_mark.allow_established == 1';
    const inv = 'ct.inv || (ct.est && ct.rpl && ct_mark.blocked == 1)';
    add(c, 'ls_in_acl_eval', PRIO.ACL_FIXED, rel, `${REG.ACL_HINT_ALLOW_REL} = 1; ${allow}ct_commit_nat;`);
    add(c, 'ls_out_acl_eval', PRIO.ACL_FIXED, rel, `${allow}ct_commit_nat;`);
    add(c, 'ls_in_acl_eval', PRIO.ACL_FIXED, rpl, `${REG.ACL_HINT_DROP} = 0; ${REG.ACL_HINT_BLOCK} = 0; ${REG.ACL_HINT_ALLOW_REL} = 1; ${allow}next;`);
    add(c, 'ls_out_acl_eval', PRIO.ACL_FIXED, rpl, `${allow}next;`);
    add(c, 'ls_in_acl_eval', PRIO.ACL_FIXED, est, `${REG.ACL_HINT_ALLOW_PERSISTED} = 1; ${allow}next;`);
    add(c, 'ls_out_acl_eval', PRIO.ACL_FIXED, est, `${allow}next;`);
    for (const st of ['ls_in_acl_eval', 'ls_out_acl_eval'] as const) {
      add(c, st, PRIO.ACL_FIXED, inv, `${REG.ACL_VERDICT_DROP} = 1; next;`);
      add(c, st, P.ACL_EVAL.DEFAULT_ALLOW_CT, 'ip && !ct.est', `${REG.CONNTRACK_COMMIT} = 1; next;`);
      add(c, st, P.ACL_EVAL.DEFAULT_ALLOW_CT, 'ip && ct.est && ct_mark.blocked == 1', `${REG.CONNTRACK_COMMIT} = 1; ${allow}next;`);
    }
    add(c, 'ls_in_acl_after_lb_eval', PRIO.ACL_FIXED, `${REG.ACL_HINT_ALLOW_REL} == 1`, `${allow}next;`);
    add(c, 'ls_in_acl_after_lb_eval', PRIO.ACL_FIXED, `${REG.ACL_HINT_ALLOW_PERSISTED} == 1`, `${allow}next;`);
  }

  // sample
  for (const k of Object.keys(ACL_STAGES) as AclStage[]) add(c, ACL_STAGES[k].sample, P.DEFAULT, '1', 'next;');

  // action
  for (const k of Object.keys(ACL_STAGES) as AclStage[]) {
    const s = ACL_STAGES[k];
    if (!hasAcls) {
      add(c, s.action, P.DEFAULT, '1', 'next;');
      continue;
    }
    const clear = T.ACL_CLEAR + (maxTier[k] > 0 ? `${REG.ACL_TIER} = 0; ` : '');
    add(c, s.action, PRIO.ACL_ACTION_VERDICT, `${REG.ACL_VERDICT_ALLOW} == 1`, `${clear}next;`);
    add(c, s.action, PRIO.ACL_ACTION_VERDICT, `${REG.ACL_VERDICT_DROP} == 1`, `${clear}/* drop */`);
    add(
      c, s.action, PRIO.ACL_ACTION_VERDICT, `${REG.ACL_VERDICT_REJECT} == 1`,
      `${clear}reg0 = 0; reject { ${T.REJECT_BODY} ${nextTo(layout, s.rejectTo)} };`,
    );
    for (let t = 0; t < maxTier[k]; t++) {
      add(c, s.action, PRIO.ACL_ACTION_TIER, `${REG.ACL_TIER} == ${t}`, `${REG.ACL_TIER} = ${t + 1}; ${nextTo(layout, s.eval)}`);
    }
    add(c, s.action, P.DEFAULT, '1', `${clear}next;`);
  }

  // the ACLs themselves
  for (const a of acls) {
    const acl = a.row;
    const k = aclStage(acl);
    const s = ACL_STAGES[k];
    const causes: Cause[] = [acl, a.via];
    const prio = acl.priority + PRIO.ACL_OFFSET;
    const tier = maxTier[k] > 0 ? `${REG.ACL_TIER} == ${acl.tier} && ` : '';
    const m = `(${acl.match})`;
    const log = aclLog(acl, c.fairMeters);
    const label =
      acl.label !== 0
        ? `${REG.ACL_LABEL} = 1; ${REG.LABEL} = ${acl.label}; ${REG.OBS_POINT_ID_EST} = ${acl.label}; ${REG.OBS_COLLECTOR_ID_NEW} = 0; ${REG.OBS_COLLECTOR_ID_EST} = 0; ${REG.ACL_OBS_STAGE} = ${s.obs}; `
        : '';
    switch (acl.action) {
      case 'allow-stateless': {
        add(c, s.eval, prio, `${tier}${m}`, `${log}${allow}next;`, causes);
        if (hasStateful) {
          const pre: StageName = k === 'out' ? 'ls_out_pre_acl' : 'ls_in_pre_acl';
          add(c, pre, prio, acl.match, `${REG.ACL_STATELESS} = 1; next;`, causes);
        }
        break;
      }
      case 'allow':
      case 'allow-related': {
        if (hasStateful) {
          const commit = `${REG.CONNTRACK_COMMIT} = 1; `;
          add(c, s.eval, prio, `${tier}${REG.ACL_HINT_ALLOW_NEW} == 1 && ${m}`, `${log}${allow}${commit}${label}next;`, causes);
          add(c, s.eval, prio, `${tier}${REG.ACL_HINT_ALLOW} == 1 && ${m}`, `${log}${allow}${label ? commit : ''}${label}next;`, causes);
        } else {
          add(c, s.eval, prio, `${tier}${m}`, `${log}${allow}${label}next;`, causes);
        }
        break;
      }
      case 'drop':
      case 'reject': {
        const v = `${acl.action === 'drop' ? REG.ACL_VERDICT_DROP : REG.ACL_VERDICT_REJECT} = 1; `;
        if (hasStateful) {
          add(c, s.eval, prio, `${tier}${REG.ACL_HINT_BLOCK} == 1 && ${m}`, `${log}${v}${T.CT_COMMIT_BLOCK}next;`, causes);
          add(c, s.eval, prio, `${tier}${REG.ACL_HINT_DROP} == 1 && ${m}`, `${log}${v}next;`, causes);
        } else {
          add(c, s.eval, prio, `${tier}${m}`, `${log}${v}next;`, causes);
        }
        break;
      }
      case 'pass':
        add(c, s.eval, prio, `${tier}${m}`, `${log}next;`, causes);
        break;
    }
  }
}

// ------------------------------------------------------------------------------------------ LB flows
function buildLbFlows(c: Ctx, unsupported: string[]): void {
  const { ls } = c;
  const hasLb = hasLbVip(ls);
  for (const st of ['ls_in_lb_aff_check', 'ls_in_lb', 'ls_in_lb_aff_learn', 'ls_in_pre_hairpin', 'ls_in_nat_hairpin', 'ls_in_hairpin'] as const) {
    add(c, st, P.DEFAULT, '1', 'next;');
  }
  if (!hasLb) return;
  const lbc = ls.lbCauses;
  add(c, 'ls_in_lb', P.LB.FRAG, `ct.trk && !ct.rpl && ${REG.IP_FRAG} == 1 && ip4`, `${REG.ORIG_DIP_IPV4} = ct_nw_dst(); ${REG.ORIG_TP_DPORT} = ct_tp_dst(); next;`, lbc);
  add(c, 'ls_in_lb', P.LB.FRAG, `ct.trk && !ct.rpl && ${REG.IP_FRAG} == 1 && ip6`, `${REG.ORIG_DIP_IPV6} = ct_ip6_dst(); ${REG.ORIG_TP_DPORT} = ct_tp_dst(); next;`, lbc);
  add(c, 'ls_in_pre_hairpin', P.HAIRPIN.PRE, 'ip && ct.trk', `${REG.HAIRPIN} = chk_lb_hairpin(); ${REG.HAIRPIN_REPLY} = chk_lb_hairpin_reply(); next;`, lbc);
  add(c, 'ls_in_nat_hairpin', P.HAIRPIN.NAT, `ip && ct.est && ct.trk && ${REG.HAIRPIN} == 1`, 'ct_snat;', lbc);
  add(c, 'ls_in_nat_hairpin', P.HAIRPIN.NAT, `ip && ct.new && ct.trk && ${REG.HAIRPIN} == 1`, 'ct_snat_to_vip; next;', lbc);
  add(c, 'ls_in_nat_hairpin', P.HAIRPIN.NAT_REPLY, `ip && ${REG.HAIRPIN_REPLY} == 1`, 'ct_snat;', lbc);
  add(
    c, 'ls_in_hairpin', P.HAIRPIN.HAIRPIN, `(${REG.HAIRPIN} == 1 || ${REG.HAIRPIN_REPLY} == 1)`,
    'eth.dst <-> eth.src; outport = inport; flags.loopback = 1; output;', lbc,
  );

  for (const lb of ls.lbs) {
    const t = c.sink.memo(lb, 'switch', () => switchLbFlows(c.layout, lb));
    unsupported.push(...t.notes);
    c.sink.addBlock(ls.name, t, c.dp);
  }
}

/**
 * A load balancer's VIP flows on a switch do not depend on the switch (northd puts them in one
 * Logical_Flow row with a datapath group): built once per LB row (FlowSink.memo), added to
 * every switch the LB applies to.
 */
export interface LbFlows { flows: FlowText[]; notes: string[]; causes: readonly Cause[] }

function switchLbFlows(layout: PipelineLayout, lb: LoadBalancer): LbFlows {
  const flows: FlowText[] = [];
  const notes: string[] = [];
  const add = (stage: StageName, prio: number, match: string, actions: string) => flows.push(flowText(stage, prio, match, actions));
  const known = new Set(['affinity_timeout', 'reject', 'event', 'skip_snat', 'hairpin_snat_ip', 'neighbor_responder']);
  for (const k of Object.keys(lb.options)) if (!known.has(k)) notes.push(`load balancer ${lb.name}: option ${k} is not modelled`);
  const hashFields = lb.selection_fields.length > 0 ? `; hash_fields=${q([...lb.selection_fields].sort().join(','))}` : '';
  const affinity = Number(lb.options['affinity_timeout'] ?? '0');
  for (const v of lbVips(lb)) {
    const ipf = v.family === 4 ? 'ip4' : 'ip6';
    const reg = v.family === 4 ? REG.ORIG_DIP_IPV4 : REG.ORIG_DIP_IPV6;
    const portMatch = v.port !== undefined ? ` && ${v.proto}.dst == ${v.port}` : '';
    const load = `${reg} = ${v.ip}; ${v.port !== undefined ? `${REG.ORIG_TP_DPORT} = ${v.port}; ` : ''}`;
    const vipMatch = `${ipf}.dst == ${v.ip}${portMatch}`;
    add('ls_in_pre_stateful', P.PRE_STATEFUL.VIP, `${REG.CONNTRACK_NAT} == 1 && ${vipMatch}`, `${load}ct_lb_mark;`);
    const prio = v.port !== undefined ? P.LB.VIP_PORT : P.LB.VIP;
    let action: string;
    if (v.backends.length === 0) {
      action = lb.options['reject'] === 'true'
        ? `reg0 = 0; reject { outport <-> inport; ${nextTo(layout, 'ls_out_qos')}};`
        : 'drop;';
    } else {
      action = `${load}ct_lb_mark(backends=${v.backends.map(formatIpPort).join(',')}${hashFields});`;
    }
    add('ls_in_lb', prio, `ct.new && ${vipMatch}`, action);
    if (affinity > 0 && v.backends.length > 0) {
      add(
        'ls_in_lb_aff_check', P.LB_AFF.CHECK,
        `ct.new && ${ipf} && ${ipf}.dst == ${v.ip}${v.port !== undefined ? ` && ${v.proto} && ${v.proto}.dst == ${v.port}` : ''}`,
        `${REG.LB_AFF_CHECK_RESULT} = chk_lb_aff(); next;`,
      );
      for (const b of v.backends) {
        const bport = b.port !== undefined ? ` && ${REG.ORIG_TP_DPORT} == ${b.port}` : '';
        add(
          'ls_in_lb', P.LB.AFFINITY_BACKEND,
          `${REG.LB_AFF_CHECK_RESULT} == 1 && ct.new && ${ipf}.dst == ${v.ip} && ${reg} == ${b.ip}${bport}`,
          `${load}ct_lb_mark(backends=${formatIpPort(b)});`,
        );
        const vipPort = v.port !== undefined ? ` && ${REG.ORIG_TP_DPORT} == ${v.port}` : '';
        const bMatch = `${ipf}.dst == ${b.ip}${b.port !== undefined ? ` && ${v.proto}.dst == ${b.port}` : ''}`;
        add(
          'ls_in_lb_aff_learn', P.LB_AFF.LEARN,
          `${REG.LB_AFF_CHECK_RESULT} == 0 && ct.new && ${ipf} && ${reg} == ${v.ip}${vipPort} && ${bMatch}`,
          `commit_lb_aff(vip = ${q(formatIpPort(v))}, backend = ${q(formatIpPort(b))}, proto = ${v.proto}, timeout = ${affinity}); /* drop */`,
        );
      }
    }
  }
  return { flows, notes, causes: [lb] };
}
