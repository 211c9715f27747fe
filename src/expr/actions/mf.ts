/**
 * The subset of OVS meta-flow fields (lib/meta-flow.h, lib/nx-match.c) that OVN's symbol table
 * maps to, with what the action encoder needs: the ovs-ofctl name printed after `set_field:…->`,
 * the NXM/OXM name printed by mf_format_subfield() in move/push/pop, the 32-bit NXM/OXM headers
 * used when ofpacts are serialized to OpenFlow 1.5 (controller() userdata), and the value syntax
 * mf_format() uses.
 */
import { formatIpv6Bigint } from '../../common/ipv6.js';

export type MfFormat = 'hex' | 'dec' | 'eth' | 'ipv4' | 'ipv6' | 'frag' | 'ct_state' | 'tcp_flags';

export interface MfField {
  /** mf_field.name, e.g. `eth_dst`, `reg15`, `xxreg0`. */
  name: string;
  nBits: number;
  /** mf_field.n_bytes: the value's width on the wire (ipv6_label is 20 bits in 4 bytes). */
  nBytes: number;
  /** Name of nxm_field_by_mf_id(id, 0): what mf_format_subfield() prints. */
  nxmName: string;
  /** Header chosen for OpenFlow 1.0 (nx_put_header(…, 0, …), used by NXAST stack push/pop). */
  headerOf10: number;
  /** Header chosen for OpenFlow 1.5 (set_field / copy_field in OF1.5 userdata). */
  headerOf15: number;
  fmt: MfFormat;
}

const NXM0 = 0x0000;
const NXM1 = 0x0001;
const OXM = 0x8000;
const OXM_PKT_REG = 0x8001;

const hdr = (cls: number, field: number, nBytes: number): number => ((cls << 16) | (field << 9) | nBytes) >>> 0;

function mk(
  name: string, nBits: number, fmt: MfFormat, nxm: [string, number, number] | null, oxm: [string, number, number] | null,
  nBytes = Math.ceil(nBits / 8),
): MfField {
  const first = nxm ?? oxm!;
  const last = oxm ?? nxm!;
  return {
    name,
    nBits,
    nBytes,
    fmt,
    nxmName: first[0],
    headerOf10: hdr(first[1], first[2], nBytes),
    headerOf15: hdr(last[1], last[2], nBytes),
  };
}

const FIELDS: MfField[] = [
  mk('metadata', 64, 'hex', null, ['OXM_OF_METADATA', OXM, 2]),
  mk('eth_src', 48, 'eth', ['NXM_OF_ETH_SRC', NXM0, 2], ['OXM_OF_ETH_SRC', OXM, 4]),
  mk('eth_dst', 48, 'eth', ['NXM_OF_ETH_DST', NXM0, 1], ['OXM_OF_ETH_DST', OXM, 3]),
  mk('eth_type', 16, 'hex', ['NXM_OF_ETH_TYPE', NXM0, 3], ['OXM_OF_ETH_TYPE', OXM, 5]),
  mk('vlan_tci', 16, 'hex', ['NXM_OF_VLAN_TCI', NXM0, 4], null),
  mk('ip_src', 32, 'ipv4', ['NXM_OF_IP_SRC', NXM0, 7], ['OXM_OF_IPV4_SRC', OXM, 11]),
  mk('ip_dst', 32, 'ipv4', ['NXM_OF_IP_DST', NXM0, 8], ['OXM_OF_IPV4_DST', OXM, 12]),
  mk('ipv6_src', 128, 'ipv6', ['NXM_NX_IPV6_SRC', NXM1, 19], ['OXM_OF_IPV6_SRC', OXM, 26]),
  mk('ipv6_dst', 128, 'ipv6', ['NXM_NX_IPV6_DST', NXM1, 20], ['OXM_OF_IPV6_DST', OXM, 27]),
  mk('ipv6_label', 20, 'hex', ['NXM_NX_IPV6_LABEL', NXM1, 27], ['OXM_OF_IPV6_FLABEL', OXM, 28], 4),
  mk('nw_proto', 8, 'dec', ['NXM_OF_IP_PROTO', NXM0, 6], ['OXM_OF_IP_PROTO', OXM, 10]),
  mk('ip_dscp', 6, 'dec', null, ['OXM_OF_IP_DSCP', OXM, 8]),
  mk('nw_ecn', 2, 'dec', ['NXM_NX_IP_ECN', NXM1, 28], ['OXM_OF_IP_ECN', OXM, 9]),
  mk('nw_ttl', 8, 'dec', ['NXM_NX_IP_TTL', NXM1, 29], null),
  mk('ip_frag', 2, 'frag', ['NXM_NX_IP_FRAG', NXM1, 26], null),
  mk('arp_op', 16, 'dec', ['NXM_OF_ARP_OP', NXM0, 15], ['OXM_OF_ARP_OP', OXM, 21]),
  mk('arp_spa', 32, 'ipv4', ['NXM_OF_ARP_SPA', NXM0, 16], ['OXM_OF_ARP_SPA', OXM, 22]),
  mk('arp_tpa', 32, 'ipv4', ['NXM_OF_ARP_TPA', NXM0, 17], ['OXM_OF_ARP_TPA', OXM, 23]),
  mk('arp_sha', 48, 'eth', ['NXM_NX_ARP_SHA', NXM1, 17], ['OXM_OF_ARP_SHA', OXM, 24]),
  mk('arp_tha', 48, 'eth', ['NXM_NX_ARP_THA', NXM1, 18], ['OXM_OF_ARP_THA', OXM, 25]),
  mk('tcp_src', 16, 'dec', ['NXM_OF_TCP_SRC', NXM0, 9], ['OXM_OF_TCP_SRC', OXM, 13]),
  mk('tcp_dst', 16, 'dec', ['NXM_OF_TCP_DST', NXM0, 10], ['OXM_OF_TCP_DST', OXM, 14]),
  mk('tcp_flags', 12, 'tcp_flags', ['NXM_NX_TCP_FLAGS', NXM1, 34], null),
  mk('udp_src', 16, 'dec', ['NXM_OF_UDP_SRC', NXM0, 11], ['OXM_OF_UDP_SRC', OXM, 15]),
  mk('udp_dst', 16, 'dec', ['NXM_OF_UDP_DST', NXM0, 12], ['OXM_OF_UDP_DST', OXM, 16]),
  mk('sctp_src', 16, 'dec', null, ['OXM_OF_SCTP_SRC', OXM, 17]),
  mk('sctp_dst', 16, 'dec', null, ['OXM_OF_SCTP_DST', OXM, 18]),
  mk('icmp_type', 8, 'dec', ['NXM_OF_ICMP_TYPE', NXM0, 13], ['OXM_OF_ICMPV4_TYPE', OXM, 19]),
  mk('icmp_code', 8, 'dec', ['NXM_OF_ICMP_CODE', NXM0, 14], ['OXM_OF_ICMPV4_CODE', OXM, 20]),
  mk('icmpv6_type', 8, 'dec', ['NXM_NX_ICMPV6_TYPE', NXM1, 21], ['OXM_OF_ICMPV6_TYPE', OXM, 29]),
  mk('icmpv6_code', 8, 'dec', ['NXM_NX_ICMPV6_CODE', NXM1, 22], ['OXM_OF_ICMPV6_CODE', OXM, 30]),
  mk('nd_target', 128, 'ipv6', ['NXM_NX_ND_TARGET', NXM1, 23], ['OXM_OF_IPV6_ND_TARGET', OXM, 31]),
  mk('nd_sll', 48, 'eth', ['NXM_NX_ND_SLL', NXM1, 24], ['OXM_OF_IPV6_ND_SLL', OXM, 32]),
  mk('nd_tll', 48, 'eth', ['NXM_NX_ND_TLL', NXM1, 25], ['OXM_OF_IPV6_ND_TLL', OXM, 33]),
  mk('pkt_mark', 32, 'hex', ['NXM_NX_PKT_MARK', NXM1, 33], null),
  mk('ct_state', 32, 'ct_state', ['NXM_NX_CT_STATE', NXM1, 105], null),
  mk('ct_mark', 32, 'hex', ['NXM_NX_CT_MARK', NXM1, 107], null),
  mk('ct_label', 128, 'hex', ['NXM_NX_CT_LABEL', NXM1, 108], null),
];
for (let i = 0; i < 16; i++) FIELDS.push(mk(`reg${i}`, 32, 'hex', [`NXM_NX_REG${i}`, NXM1, i], null));
for (let i = 0; i < 8; i++) FIELDS.push(mk(`xreg${i}`, 64, 'hex', null, [`OXM_OF_PKT_REG${i}`, OXM_PKT_REG, i]));
for (let i = 0; i < 4; i++) FIELDS.push(mk(`xxreg${i}`, 128, 'hex', [`NXM_NX_XXREG${i}`, NXM1, 111 + i], null));

const BY_NAME = new Map<string, MfField>();
for (const f of FIELDS) BY_NAME.set(f.name, f);

/** Names OVN's symbol table uses for fields (symtab dump: NXM/OXM names), mapped to the mf field. */
const ALIASES: Record<string, string> = {
  OXM_OF_METADATA: 'metadata',
  OXM_OF_ETH_SRC: 'eth_src', NXM_OF_ETH_SRC: 'eth_src',
  OXM_OF_ETH_DST: 'eth_dst', NXM_OF_ETH_DST: 'eth_dst',
  OXM_OF_ETH_TYPE: 'eth_type', NXM_OF_ETH_TYPE: 'eth_type',
  NXM_OF_VLAN_TCI: 'vlan_tci',
  OXM_OF_IPV4_SRC: 'ip_src', NXM_OF_IP_SRC: 'ip_src',
  OXM_OF_IPV4_DST: 'ip_dst', NXM_OF_IP_DST: 'ip_dst',
  OXM_OF_IPV6_SRC: 'ipv6_src', NXM_NX_IPV6_SRC: 'ipv6_src',
  OXM_OF_IPV6_DST: 'ipv6_dst', NXM_NX_IPV6_DST: 'ipv6_dst',
  OXM_OF_IPV6_FLABEL: 'ipv6_label', NXM_NX_IPV6_LABEL: 'ipv6_label',
  OXM_OF_IP_PROTO: 'nw_proto', NXM_OF_IP_PROTO: 'nw_proto',
  OXM_OF_IP_DSCP: 'ip_dscp',
  OXM_OF_IP_ECN: 'nw_ecn', NXM_NX_IP_ECN: 'nw_ecn',
  NXM_NX_IP_TTL: 'nw_ttl',
  NXM_NX_IP_FRAG: 'ip_frag',
  OXM_OF_ARP_OP: 'arp_op', NXM_OF_ARP_OP: 'arp_op',
  OXM_OF_ARP_SPA: 'arp_spa', NXM_OF_ARP_SPA: 'arp_spa',
  OXM_OF_ARP_TPA: 'arp_tpa', NXM_OF_ARP_TPA: 'arp_tpa',
  OXM_OF_ARP_SHA: 'arp_sha', NXM_NX_ARP_SHA: 'arp_sha',
  OXM_OF_ARP_THA: 'arp_tha', NXM_NX_ARP_THA: 'arp_tha',
  OXM_OF_TCP_SRC: 'tcp_src', NXM_OF_TCP_SRC: 'tcp_src',
  OXM_OF_TCP_DST: 'tcp_dst', NXM_OF_TCP_DST: 'tcp_dst',
  OXM_OF_TCP_FLAGS: 'tcp_flags', NXM_NX_TCP_FLAGS: 'tcp_flags',
  OXM_OF_UDP_SRC: 'udp_src', NXM_OF_UDP_SRC: 'udp_src',
  OXM_OF_UDP_DST: 'udp_dst', NXM_OF_UDP_DST: 'udp_dst',
  OXM_OF_SCTP_SRC: 'sctp_src',
  OXM_OF_SCTP_DST: 'sctp_dst',
  OXM_OF_ICMPV4_TYPE: 'icmp_type', NXM_OF_ICMP_TYPE: 'icmp_type',
  OXM_OF_ICMPV4_CODE: 'icmp_code', NXM_OF_ICMP_CODE: 'icmp_code',
  OXM_OF_ICMPV6_TYPE: 'icmpv6_type', NXM_NX_ICMPV6_TYPE: 'icmpv6_type',
  OXM_OF_ICMPV6_CODE: 'icmpv6_code', NXM_NX_ICMPV6_CODE: 'icmpv6_code',
  OXM_OF_IPV6_ND_TARGET: 'nd_target', NXM_NX_ND_TARGET: 'nd_target',
  OXM_OF_IPV6_ND_SLL: 'nd_sll', NXM_NX_ND_SLL: 'nd_sll',
  OXM_OF_IPV6_ND_TLL: 'nd_tll', NXM_NX_ND_TLL: 'nd_tll',
  NXM_NX_PKT_MARK: 'pkt_mark',
  NXM_NX_CT_STATE: 'ct_state',
  NXM_NX_CT_MARK: 'ct_mark',
  NXM_NX_CT_LABEL: 'ct_label',
};
for (let i = 0; i < 16; i++) ALIASES[`NXM_NX_REG${i}`] = `reg${i}`;
for (let i = 0; i < 8; i++) ALIASES[`OXM_OF_PKT_REG${i}`] = `xreg${i}`;
for (let i = 0; i < 4; i++) ALIASES[`NXM_NX_XXREG${i}`] = `xxreg${i}`;

/** mf_from_id() by ovs-ofctl name (`reg10`, `eth_dst`) or by NXM/OXM name (`NXM_NX_REG10`). */
export function mfField(name: string): MfField {
  const f = BY_NAME.get(name) ?? BY_NAME.get(ALIASES[name] ?? '');
  if (!f) throw new Error(`unknown OpenFlow field ${name}`);
  return f;
}

export function mfFieldOrNull(name: string): MfField | null {
  return BY_NAME.get(name) ?? BY_NAME.get(ALIASES[name] ?? '') ?? null;
}

/** An OpenFlow subfield (struct mf_subfield). */
export interface MfSubfield {
  field: MfField;
  ofs: number;
  nBits: number;
}

export const subfield = (name: string, ofs = 0, nBits?: number): MfSubfield => {
  const field = mfField(name);
  return { field, ofs, nBits: nBits ?? field.nBits };
};

/** mf_format_subfield(): `NXM_NX_XXREG0[96..127]`, `NXM_NX_REG14[]`, `NXM_NX_REG10[12]`. */
export function formatSubfield(sf: MfSubfield): string {
  let s = sf.field.nxmName;
  if (sf.ofs === 0 && sf.nBits === sf.field.nBits) s += '[]';
  else if (sf.nBits === 1) s += `[${sf.ofs}]`;
  else s += `[${sf.ofs}..${sf.ofs + sf.nBits - 1}]`;
  return s;
}

const allOnes = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** ds_put_hex(): "0x" + minimal hex digits, "0" for zero. */
export const putHex = (v: bigint): string => (v === 0n ? '0' : '0x' + v.toString(16));

function formatMacV(v: bigint): string {
  const b: string[] = [];
  for (let i = 5; i >= 0; i--) b.push(Number((v >> BigInt(i * 8)) & 0xffn).toString(16).padStart(2, '0'));
  return b.join(':');
}

function formatIp4V(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');
}

/** glibc inet_ntop(AF_INET6) as used by OVS ipv6_format_addr() (src/common/ipv6.ts). */
export const formatIp6V = formatIpv6Bigint;

function cidrLen(mask: bigint, bits: number): number {
  const full = allOnes(bits);
  const inv = ~mask & full;
  if ((inv & (inv + 1n)) !== 0n) return -1;
  let n = 0;
  for (let m = mask; m !== 0n; m = (m << 1n) & full) n++;
  return n;
}

/**
 * mf_format(): a value (and optional mask) of `field` as ovs-ofctl prints it.  Like OVS, the mask
 * is omitted only when it is all-ones over the field's whole bytes, so a 6-bit ip_dscp written in
 * full still prints as `10/0x3f`.
 */
export function mfFormat(field: MfField, value: bigint, mask: bigint | null): string {
  const full = allOnes(field.nBytes * 8);
  if (mask !== null) {
    if ((mask & full) === 0n) return 'ANY';
    if ((mask & full) === full) mask = null;
  }
  switch (field.fmt) {
    case 'hex':
    case 'dec':
    case 'frag':
    case 'ct_state':
    case 'tcp_flags': {
      // frag/ct_state/tcp_flags never appear as set_field targets OVN can write; print like integers.
      let s = field.fmt === 'dec' ? value.toString(10) : putHex(value);
      if (mask !== null) s += '/' + putHex(mask);
      return s;
    }
    case 'eth':
      return formatMacV(value) + (mask !== null ? '/' + formatMacV(mask) : '');
    case 'ipv4': {
      let s = formatIp4V(value);
      if (mask !== null) {
        const n = cidrLen(mask, 32);
        s += '/' + (n >= 0 ? String(n) : formatIp4V(mask));
      }
      return s;
    }
    case 'ipv6': {
      let s = formatIp6V(value);
      if (mask !== null) {
        const n = cidrLen(mask, 128);
        s += '/' + (n >= 0 ? String(n) : formatIp6V(mask));
      }
      return s;
    }
  }
}
