/**
 * Generates src/expr/symtab-data.ts from OVN 25.03's `ovstest test-ovn dump-symtab`
 * output (symtab.txt).  The dump gives each symbol's kind and definition; it does
 * not carry prerequisites, must_crossproduct or write scopes, so those come from
 * the table below, transcribed from lib/logical-fields.c (ovn_init_symtab) and
 * tests/test-ovn.c (create_symtab) at v25.03.0.  OVS field facts (width,
 * maskability, writability) are those of OVS lib/meta-flow.xml.
 *
 * Usage: npx tsx src/expr/tools/gen-symtab.ts [symtab.txt] > src/expr/symtab-data.ts
 */
import { readFileSync } from 'node:fs';

const src = process.argv[2] ?? 'vendor/shared/reference/ovn-expr-vectors/v25.03.0/symtab.txt';

/** OVS field: nx/oxm name -> [mf name, n_bits, maskable (MFM_FULLY), writable]. */
const OVS_FIELDS: Record<string, [string, number, boolean, boolean]> = {
  NXM_NX_XXREG0: ['xxreg0', 128, true, true],
  NXM_NX_XXREG1: ['xxreg1', 128, true, true],
  OXM_OF_PKT_REG0: ['xreg0', 64, true, true],
  OXM_OF_PKT_REG4: ['xreg4', 64, true, true],
  NXM_NX_REG1: ['reg1', 32, true, true],
  NXM_NX_REG10: ['reg10', 32, true, true],
  NXM_NX_REG14: ['reg14', 32, true, true],
  NXM_NX_REG15: ['reg15', 32, true, true],
  NXM_NX_CT_MARK: ['ct_mark', 32, true, true],
  NXM_NX_CT_LABEL: ['ct_label', 128, true, true],
  NXM_NX_CT_STATE: ['ct_state', 32, true, false],
  OXM_OF_ETH_SRC: ['eth_src', 48, true, true],
  OXM_OF_ETH_DST: ['eth_dst', 48, true, true],
  OXM_OF_ETH_TYPE: ['eth_type', 16, false, false],
  NXM_OF_VLAN_TCI: ['vlan_tci', 16, true, true],
  OXM_OF_IP_PROTO: ['nw_proto', 8, false, false],
  OXM_OF_IP_DSCP: ['ip_dscp', 6, false, true],
  OXM_OF_IP_ECN: ['nw_ecn', 2, false, true],
  NXM_NX_IP_TTL: ['nw_ttl', 8, false, true],
  NXM_NX_IP_FRAG: ['ip_frag', 2, true, false],
  OXM_OF_IPV4_SRC: ['ip_src', 32, true, true],
  OXM_OF_IPV4_DST: ['ip_dst', 32, true, true],
  OXM_OF_IPV6_SRC: ['ipv6_src', 128, true, true],
  OXM_OF_IPV6_DST: ['ipv6_dst', 128, true, true],
  OXM_OF_IPV6_FLABEL: ['ipv6_label', 20, true, true],
  OXM_OF_ICMPV4_TYPE: ['icmp_type', 8, false, true],
  OXM_OF_ICMPV4_CODE: ['icmp_code', 8, false, true],
  OXM_OF_ICMPV6_TYPE: ['icmpv6_type', 8, false, true],
  OXM_OF_ICMPV6_CODE: ['icmpv6_code', 8, false, true],
  OXM_OF_ARP_OP: ['arp_op', 16, false, true],
  OXM_OF_ARP_SPA: ['arp_spa', 32, true, true],
  OXM_OF_ARP_TPA: ['arp_tpa', 32, true, true],
  OXM_OF_ARP_SHA: ['arp_sha', 48, true, true],
  OXM_OF_ARP_THA: ['arp_tha', 48, true, true],
  OXM_OF_IPV6_ND_TARGET: ['nd_target', 128, true, true],
  OXM_OF_IPV6_ND_SLL: ['nd_sll', 48, true, true],
  OXM_OF_IPV6_ND_TLL: ['nd_tll', 48, true, true],
  OXM_OF_TCP_SRC: ['tcp_src', 16, true, true],
  OXM_OF_TCP_DST: ['tcp_dst', 16, true, true],
  OXM_OF_TCP_FLAGS: ['tcp_flags', 12, true, false],
  OXM_OF_UDP_SRC: ['udp_src', 16, true, true],
  OXM_OF_UDP_DST: ['udp_dst', 16, true, true],
  OXM_OF_SCTP_SRC: ['sctp_src', 16, true, true],
  OXM_OF_SCTP_DST: ['sctp_dst', 16, true, true],
  NXM_NX_PKT_MARK: ['pkt_mark', 32, true, true],
};

/** Prerequisites (logical-fields.c / test-ovn.c). */
const PREREQS: Record<string, string> = {
  'vlan.pcp': 'vlan.present', 'vlan.vid': 'vlan.present',
  'ip.proto': 'ip', 'ip.dscp': 'ip', 'ip.ecn': 'ip', 'ip.ttl': 'ip', 'ip.frag': 'ip',
  'ip4.src': 'ip4', 'ip4.dst': 'ip4', 'icmp4.type': 'icmp4', 'icmp4.code': 'icmp4',
  'ip6.src': 'ip6', 'ip6.dst': 'ip6', 'ip6.label': 'ip6', 'icmp6.type': 'icmp6', 'icmp6.code': 'icmp6',
  'arp.op': 'arp', 'arp.spa': 'arp', 'arp.sha': 'arp', 'arp.tpa': 'arp', 'arp.tha': 'arp',
  'rarp.op': 'rarp', 'rarp.spa': 'rarp', 'rarp.sha': 'rarp', 'rarp.tpa': 'rarp', 'rarp.tha': 'rarp',
  'nd.target': 'nd', 'nd.sll': 'nd_ns', 'nd.tll': 'nd_na',
  'tcp.src': 'tcp', 'tcp.dst': 'tcp', 'tcp.flags': 'tcp', 'udp.src': 'udp', 'udp.dst': 'udp',
  'sctp.src': 'sctp', 'sctp.dst': 'sctp',
  'ct.new': 'ct.trk', 'ct.est': 'ct.trk', 'ct.rel': 'ct.trk', 'ct.rpl': 'ct.trk', 'ct.inv': 'ct.trk',
  'ct.snat': 'ct.trk', 'ct.dnat': 'ct.trk',
  // test-ovn.c create_symtab
  bad_prereq: 'xyzzy', self_recurse: 'self_recurse != 0',
  mutual_recurse_1: 'mutual_recurse_2 != 0', mutual_recurse_2: 'mutual_recurse_1 != 0',
};
const MUST_CROSSPRODUCT = new Set(['eth.type', 'ip.proto', 'icmp6.type', 'icmp6.code']);
const STRING_FIELDS = new Set(['inport', 'outport', 'big_string']);
/** expr_symtab_add_*_scoped(..., WR_CT_COMMIT) */
const CT_COMMIT_SCOPE = (n: string): boolean => n === 'ct_mark' || n === 'ct_label' || n.startsWith('ct_mark.') || n.startsWith('ct_label.');
const TEST_ONLY = new Set(['bad_prereq', 'big_string', 'self_recurse', 'mutual_recurse_1', 'mutual_recurse_2']);
/** Predicates whose expansion looks like a subfield in the dump (expr_symtab_add_predicate with "x[n]"). */
const BIT_PREDICATES = new Set(['vlan.present', 'ip.is_frag', 'ip.later_frag']);
const OVN_FIELDS: Record<string, number> = { 'icmp4.frag_mtu': 16, 'icmp6.frag_mtu': 32 };

const rows: string[] = [];
for (const line of readFileSync(src, 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const i = line.indexOf(' = ');
  const name = line.slice(0, i);
  const def = line.slice(i + 3);
  const common = {
    name,
    prereqs: PREREQS[name] ?? null,
    ...(TEST_ONLY.has(name) ? { testOnly: true } : {}),
  };
  let row: Record<string, unknown>;
  if (name in OVN_FIELDS) {
    row = { ...common, kind: 'ovn_field', width: OVN_FIELDS[name] };
  } else if (def in OVS_FIELDS) {
    const [mf, bits, maskable, writable] = OVS_FIELDS[def]!;
    const scope = CT_COMMIT_SCOPE(name) ? 'ct_commit' : 'default';
    if (STRING_FIELDS.has(name)) {
      row = { ...common, kind: 'string', oxm: def, mf, fieldBits: bits, rw: writable ? scope : null };
    } else {
      row = {
        ...common, kind: 'field', oxm: def, mf, width: bits, maskable,
        mustCrossproduct: MUST_CROSSPRODUCT.has(name), rw: writable ? scope : null,
      };
    }
  } else {
    const m = BIT_PREDICATES.has(name) ? null : /^([A-Za-z_.0-9]+)\[(\d+)(?:\.\.(\d+))?\]$/.exec(def);
    if (m) {
      const lo = Number(m[2]);
      const hi = m[3] === undefined ? lo : Number(m[3]);
      row = { ...common, kind: 'subfield', parent: m[1], ofs: lo, width: hi - lo + 1, rwScope: CT_COMMIT_SCOPE(name) ? 'ct_commit' : 'default' };
    } else {
      row = { ...common, kind: 'predicate', expansion: def };
    }
  }
  rows.push('  ' + JSON.stringify(row) + ',');
}
process.stdout.write(`/* GENERATED by src/expr/tools/gen-symtab.ts from OVN 25.03.0 \`ovstest test-ovn dump-symtab\` — do not edit. */
import type { SymbolRow } from './symtab.js';

export const SYMTAB_ROWS: readonly SymbolRow[] = [
${rows.join('\n')}
];
`);
