/**
 * AST of OVN's logical-flow action language: one variant per `struct ovnact_*` kind of
 * include/ovn/actions.h (OVN 25.03), named after its OVNACT_* enum.
 */
import type { LexFormat } from './lexer.js';
import type { ExprSymbol } from '../src/expr/index.js';

/** struct expr_field: a symbol and a bit range within it (n_bits = 0 for string fields). */
export interface ExprField {
  symbol: ExprSymbol;
  ofs: number;
  nBits: number;
}

/** union expr_constant. */
export type ExprConstant =
  | { kind: 'int'; value: bigint; mask: bigint | null; format: LexFormat }
  | { kind: 'str'; s: string };

/** struct expr_constant_set. */
export interface ExprConstantSet {
  type: 'int' | 'str';
  values: ExprConstant[];
  inCurlies: boolean;
}

/** struct gen_opts_map: one DHCPv4/DHCPv6/ND-RA/event option. */
export interface GenOpt {
  name: string;
  code: number;
  type: string;
}

export interface GenOption {
  option: GenOpt;
  value: ExprConstantSet;
}

export type Pipeline = 'ingress' | 'egress';

export type NestKind =
  | 'ARP' | 'ICMP4' | 'ICMP4_ERROR' | 'ICMP6' | 'ICMP6_ERROR' | 'TCP_RESET' | 'SCTP_ABORT'
  | 'ND_NA' | 'ND_NA_ROUTER' | 'ND_NS' | 'CLONE' | 'REJECT' | 'CT_COMMIT_V2';

export type ResultKind =
  | 'DNS_LOOKUP' | 'CHK_LB_HAIRPIN' | 'CHK_LB_HAIRPIN_REPLY' | 'CHECK_IN_PORT_SEC' | 'CHECK_OUT_PORT_SEC'
  | 'CHK_ECMP_NH_MAC' | 'CHK_ECMP_NH' | 'CHK_LB_AFF' | 'CT_ORIG_NW_DST' | 'CT_ORIG_IP6_DST' | 'CT_ORIG_TP_DST';

export type NullKind =
  | 'OUTPUT' | 'DEC_TTL' | 'CT_CLEAR' | 'IGMP' | 'DHCP6_REPLY' | 'BFD_MSG' | 'CT_SNAT_TO_VIP'
  | 'MAC_CACHE_USE' | 'FLOOD_REMOTE';

export type CtNatKind = 'CT_DNAT' | 'CT_SNAT' | 'CT_DNAT_IN_CZONE' | 'CT_SNAT_IN_CZONE';

export interface CtLbDst {
  family: 'ipv4' | 'ipv6';
  ip: bigint;
  port: number;
}

export type OvnAction =
  | { type: NullKind }
  | { type: 'NEXT'; pipeline: Pipeline; ltable: number; srcPipeline: Pipeline; srcLtable: number }
  | { type: 'LOAD' | 'OVNFIELD_LOAD'; dst: ExprField; imm: ExprConstant }
  | { type: 'MOVE' | 'EXCHANGE'; lhs: ExprField; rhs: ExprField }
  | { type: 'PUSH' | 'POP'; field: ExprField }
  | { type: 'CT_NEXT'; dnatZone: boolean; ltable: number }
  | { type: NestKind; nested: OvnAction[] }
  | {
      type: CtNatKind;
      ltable: number;
      commit: boolean;
      family: 'ipv4' | 'ipv6' | null;
      ip: bigint;
      natType: 'src' | 'dst' | null;
      portRange: { lo: number; hi: number } | null;
    }
  | { type: 'CT_COMMIT_NAT' | 'CT_COMMIT_TO_ZONE'; ltable: number; doNat: boolean; dnatZone: boolean }
  | {
      type: 'CT_LB' | 'CT_LB_MARK';
      ltable: number;
      dsts: CtLbDst[];
      hashFields: string | null;
      ctFlag: 'none' | 'skip_snat' | 'force_snat';
    }
  | { type: 'SELECT'; ltable: number; dsts: { id: number; weight: number }[]; resField: ExprField; hashFields: string | null }
  | { type: 'GET_ARP' | 'GET_ND'; port: ExprField; ip: ExprField }
  | { type: 'PUT_ARP' | 'PUT_ND'; port: ExprField; ip: ExprField; mac: ExprField }
  | { type: 'LOOKUP_ARP' | 'LOOKUP_ND'; dst: ExprField; port: ExprField; ip: ExprField; mac: ExprField }
  | { type: 'LOOKUP_ARP_IP' | 'LOOKUP_ND_IP'; dst: ExprField; port: ExprField; ip: ExprField }
  | { type: 'PUT_DHCPV4_OPTS' | 'PUT_DHCPV6_OPTS' | 'PUT_ND_RA_OPTS'; dst: ExprField; options: GenOption[] }
  | { type: ResultKind; dst: ExprField }
  | { type: 'SET_QUEUE'; queueId: number }
  | { type: 'LOG'; name: string | null; verdict: number; severity: number; meter: string | null }
  | { type: 'SET_METER'; rate: bigint; burst: bigint }
  | { type: 'TRIGGER_EVENT'; eventType: number; options: GenOption[] }
  | { type: 'CHECK_PKT_LARGER'; dst: ExprField; pktLen: number }
  | { type: 'BIND_VPORT'; vport: string; vportParent: ExprField }
  | { type: 'HANDLE_SVC_CHECK'; port: ExprField }
  | { type: 'FWD_GROUP'; ltable: number; liveness: boolean; childPorts: string[] }
  | { type: 'PUT_FDB'; port: ExprField; mac: ExprField }
  | { type: 'GET_FDB'; dst: ExprField; mac: ExprField }
  | { type: 'LOOKUP_FDB'; dst: ExprField; port: ExprField; mac: ExprField }
  | { type: 'COMMIT_ECMP_NH'; ipv6: boolean; proto: number }
  | {
      type: 'COMMIT_LB_AFF';
      ipv6: boolean;
      vip: bigint;
      vipPort: number;
      backend: bigint;
      backendPort: number;
      proto: number;
      timeout: number;
    }
  | {
      type: 'SAMPLE';
      probability: number;
      collectorSetId: number;
      obsDomainId: number;
      obsPointId: number;
      obsPointSrc: ExprField | null;
      useCookie: boolean;
    }
  | { type: 'DHCPV4_RELAY_REQ_CHK' | 'DHCPV4_RELAY_RESP_CHK'; dst: ExprField; relay: bigint; server: bigint };
