/**
 * The logical pipelines of OVN 25.03.0 as data: stage names, pipeline, table number; the register
 * and bit names ovn-northd uses; and the fixed priorities of its flows.
 *
 * Read off the real `ovn-sbctl lflow-list` of OVN 25.03.0 (Debian trixie `ovn-central` 25.03.0-1,
 * shared/reference/ovn-ground-truth/v25.03.0/lflows-acl-tiers-lb-router.txt), which lists every
 * stage of both pipelines of both datapath types. A later OVN (26.03) is a second file like this
 * one, selected through {@link PipelineLayout}; nothing else in src/lflow hard-codes a table.
 */

export type DatapathKind = 'switch' | 'router';
export type PipelineName = 'ingress' | 'egress';

export interface StageDef {
  readonly name: string;
  readonly kind: DatapathKind;
  readonly pipeline: PipelineName;
  readonly table: number;
}

function stages<const N extends readonly string[]>(kind: DatapathKind, pipeline: PipelineName, names: N) {
  return names.map((name, table) => ({ name, kind, pipeline, table })) as unknown as {
    readonly [K in keyof N]: StageDef & { readonly name: N[K] };
  };
}

/** Logical switch ingress, tables 0..29 in order. */
const LS_IN = stages('switch', 'ingress', [
  'ls_in_check_port_sec',
  'ls_in_apply_port_sec',
  'ls_in_lookup_fdb',
  'ls_in_put_fdb',
  'ls_in_pre_acl',
  'ls_in_pre_lb',
  'ls_in_pre_stateful',
  'ls_in_acl_hint',
  'ls_in_acl_eval',
  'ls_in_acl_sample',
  'ls_in_acl_action',
  'ls_in_qos',
  'ls_in_lb_aff_check',
  'ls_in_lb',
  'ls_in_lb_aff_learn',
  'ls_in_pre_hairpin',
  'ls_in_nat_hairpin',
  'ls_in_hairpin',
  'ls_in_acl_after_lb_eval',
  'ls_in_acl_after_lb_sample',
  'ls_in_acl_after_lb_action',
  'ls_in_stateful',
  'ls_in_arp_rsp',
  'ls_in_dhcp_options',
  'ls_in_dhcp_response',
  'ls_in_dns_lookup',
  'ls_in_dns_response',
  'ls_in_external_port',
  'ls_in_l2_lkup',
  'ls_in_l2_unknown',
] as const);

/** Logical switch egress, tables 0..12. */
const LS_OUT = stages('switch', 'egress', [
  'ls_out_lookup_fdb',
  'ls_out_put_fdb',
  'ls_out_pre_acl',
  'ls_out_pre_lb',
  'ls_out_pre_stateful',
  'ls_out_acl_hint',
  'ls_out_acl_eval',
  'ls_out_acl_sample',
  'ls_out_acl_action',
  'ls_out_qos',
  'ls_out_stateful',
  'ls_out_check_port_sec',
  'ls_out_apply_port_sec',
] as const);

/** Logical router ingress, tables 0..25. */
const LR_IN = stages('router', 'ingress', [
  'lr_in_admission',
  'lr_in_lookup_neighbor',
  'lr_in_learn_neighbor',
  'lr_in_ip_input',
  'lr_in_dhcp_relay_req',
  'lr_in_unsnat',
  'lr_in_post_unsnat',
  'lr_in_defrag',
  'lr_in_lb_aff_check',
  'lr_in_dnat',
  'lr_in_lb_aff_learn',
  'lr_in_ecmp_stateful',
  'lr_in_nd_ra_options',
  'lr_in_nd_ra_response',
  'lr_in_ip_routing_pre',
  'lr_in_ip_routing',
  'lr_in_ip_routing_ecmp',
  'lr_in_policy',
  'lr_in_policy_ecmp',
  'lr_in_dhcp_relay_resp_chk',
  'lr_in_dhcp_relay_resp',
  'lr_in_arp_resolve',
  'lr_in_chk_pkt_len',
  'lr_in_larger_pkts',
  'lr_in_gw_redirect',
  'lr_in_arp_request',
] as const);

/** Logical router egress, tables 0..6. */
const LR_OUT = stages('router', 'egress', [
  'lr_out_chk_dnat_local',
  'lr_out_undnat',
  'lr_out_post_undnat',
  'lr_out_snat',
  'lr_out_post_snat',
  'lr_out_egr_loop',
  'lr_out_delivery',
] as const);

export const STAGES_25_03 = [...LS_IN, ...LS_OUT, ...LR_IN, ...LR_OUT] as const;
export type StageName = (typeof STAGES_25_03)[number]['name'];

/** A pipeline layout of one OVN version: stage lookup by name. */
export interface PipelineLayout {
  readonly ovnVersion: string;
  readonly stages: readonly StageDef[];
  stage(name: StageName): StageDef;
}

function layout(ovnVersion: string, all: readonly StageDef[]): PipelineLayout {
  const byName = new Map(all.map((s) => [s.name, s]));
  return {
    ovnVersion,
    stages: all,
    stage(name: StageName): StageDef {
      const s = byName.get(name);
      if (!s) throw new Error(`stage ${name} does not exist in OVN ${ovnVersion}`);
      return s;
    },
  };
}

export const PIPELINE_25_03: PipelineLayout = layout('25.03.0', STAGES_25_03);

/**
 * Register and bit names of ovn-northd 25.03 (northd/northd.c `REGBIT_*`, `REG_*`). Only the names
 * appear in lflow text; the meaning is documented next to each.
 */
export const REG = {
  // switch reg0 bits
  CONNTRACK_DEFRAG: 'reg0[0]', // send to conntrack (pre_acl → pre_stateful ct_next)
  CONNTRACK_COMMIT: 'reg0[1]', // commit in stateful
  CONNTRACK_NAT: 'reg0[2]', // ct_lb_mark in pre_stateful
  DHCP_OPTS_RESULT: 'reg0[3]',
  DNS_LOOKUP_RESULT: 'reg0[4]',
  ND_RA_OPTS_RESULT: 'reg0[5]',
  HAIRPIN: 'reg0[6]',
  ACL_HINT_ALLOW_NEW: 'reg0[7]',
  ACL_HINT_ALLOW: 'reg0[8]',
  ACL_HINT_DROP: 'reg0[9]',
  ACL_HINT_BLOCK: 'reg0[10]',
  LKUP_FDB: 'reg0[11]',
  HAIRPIN_REPLY: 'reg0[12]',
  ACL_LABEL: 'reg0[13]',
  FROM_RAMP: 'reg0[14]',
  PORT_SEC_DROP: 'reg0[15]',
  ACL_STATELESS: 'reg0[16]',
  ACL_HINT_ALLOW_REL: 'reg0[17]',
  FROM_ROUTER_PORT: 'reg0[18]',
  IP_FRAG: 'reg0[19]',
  ACL_PERSIST_ID: 'reg0[20]',
  ACL_HINT_ALLOW_PERSISTED: 'reg0[21]',
  // switch registers
  ORIG_DIP_IPV4: 'reg4',
  ORIG_DIP_IPV6: 'xxreg1',
  ORIG_TP_DPORT: 'reg2[0..15]',
  ACL_ID: 'reg2[16..31]',
  LABEL: 'reg3',
  OBS_POINT_ID_NEW: 'reg3',
  OBS_POINT_ID_EST: 'reg9',
  LB_AFF_BACKEND_IP4: 'reg4',
  LB_AFF_MATCH_PORT: 'reg8[0..15]',
  LB_AFF_CHECK_RESULT: 'reg9[6]',
  // ACL verdicts and tier
  ACL_VERDICT_ALLOW: 'reg8[16]',
  ACL_VERDICT_DROP: 'reg8[17]',
  ACL_VERDICT_REJECT: 'reg8[18]',
  ACL_OBS_STAGE: 'reg8[19..20]',
  OBS_COLLECTOR_ID_NEW: 'reg8[0..7]',
  OBS_COLLECTOR_ID_EST: 'reg8[8..15]',
  ACL_TIER: 'reg8[30..31]',
  // router
  EGRESS_LOOPBACK: 'reg9[0]',
  PKT_LARGER: 'reg9[1]',
  LOOKUP_NEIGHBOR_RESULT: 'reg9[2]',
  LOOKUP_NEIGHBOR_IP_RESULT: 'reg9[3]',
  DST_NAT_IP_LOCAL: 'reg9[4]',
  KNOWN_LB_SESSION: 'reg9[6]',
  NEXTHOP_IS_IPV4: 'reg9[9]',
  INPORT_ETH_ADDR: 'xreg0[0..47]',
  ECMP_GROUP_ID: 'reg8[0..15]',
  ECMP_MEMBER_ID: 'reg8[16..31]',
  NEXT_HOP_IPV4: 'reg0',
  NEXT_HOP_IPV6: 'xxreg0',
  SRC_IPV4: 'reg5',
  SRC_IPV6: 'xxreg1',
  ROUTE_TABLE_ID: 'reg7',
  // flags
  FLAG_NOT_VXLAN: 'flags[1] == 0',
} as const;

/** Fixed numbers of ovn-northd 25.03. */
export const PRIO = {
  ACL_OFFSET: 1000, // OVN_ACL_PRI_OFFSET: lflow priority = ACL priority + 1000
  ACL_FIXED: 65532, // conntrack/ND fixed flows in acl_eval and acl_after_lb_eval
  ACL_NO_ACLS: 65535, // acl_hint/acl_eval pass-through when the switch has no ACL
  ACL_SVC_MONITOR: 34000,
  ACL_ACTION_VERDICT: 1000,
  ACL_ACTION_TIER: 500,
  /** route priority = plen * ROUTE_MULTIPLIER + offset */
  ROUTE_MULTIPLIER: 8,
  ROUTE_OFFSET_SRC: 0,
  ROUTE_OFFSET_STATIC: 4,
  ROUTE_OFFSET_CONNECTED: 6,
} as const;

/** Multicast group tunnel keys (lib/mcast-group-index.h). Port keys are 1..32767. */
export const MC = {
  FLOOD: { name: '_MC_flood', key: 32768 },
  UNKNOWN: { name: '_MC_unknown', key: 32769 },
  MROUTER_FLOOD: { name: '_MC_mrouter_flood', key: 32770 },
  STATIC: { name: '_MC_static', key: 32771 },
  FLOOD_L2: { name: '_MC_flood_l2', key: 32772 },
} as const;

/** ACL observation stage written to reg8[19..20] (25.03 `enum acl_observation_stage`). */
export const ACL_OBS_STAGE = { FROM_LPORT: 0, FROM_LPORT_AFTER_LB: 1, TO_LPORT: 2 } as const;
