/**
 * The packet/metadata state the interpreter works on: OVS `struct flow` as a flat array of
 * bigints, one slot per storage member (the slot names of src/openflow/types.ts SLOT_BITS), plus
 * the conntrack tuple fields and dp_hash that only ct()/group selection write.
 *
 * Action fields (meta-flow names: `eth_src`, `ip_dst`, `tcp_dst`, `xxreg0`, `NXM_NX_CT_NW_DST`…)
 * map onto slots with a bit offset, which is how OVS aliases them: ARP spa/tpa/op live in
 * nw_src/nw_dst/nw_proto, ICMP type/code in tp_src/tp_dst, ND sll/tll in arp_sha/arp_tha, xreg/xxreg
 * are concatenations of the 32-bit registers (xreg4 = reg8:reg9, xxreg0 = reg0:reg1:reg2:reg3,
 * the lower register number being the more significant half).
 */
import { SLOT_BITS } from '../openflow/types.js';
import { mfFieldOrNull, type MfField } from '../expr/actions/mf.js';

export const EXTRA_SLOTS = [
  'ct_zone', 'ct_nw_src', 'ct_nw_dst', 'ct_nw_proto', 'ct_tp_src', 'ct_tp_dst', 'ct_ipv6_src', 'ct_ipv6_dst', 'dp_hash',
] as const;

export const SLOT_NAMES: readonly string[] = [...Object.keys(SLOT_BITS), ...EXTRA_SLOTS];
export const SLOT: Readonly<Record<string, number>> = Object.fromEntries(SLOT_NAMES.map((n, i) => [n, i]));
export const N_SLOTS = SLOT_NAMES.length;
export const slotBits = (name: string): number =>
  SLOT_BITS[name] ?? ({ ct_zone: 16, ct_nw_proto: 8, ct_tp_src: 16, ct_tp_dst: 16, ct_ipv6_src: 128, ct_ipv6_dst: 128, dp_hash: 32 } as Record<string, number>)[name] ?? 32;

export const ones = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Where a field's bits live: one or more (slot, slot bit offset, field bit offset, width) pieces. */
export interface FieldPiece { slot: number; slotOfs: number; fieldOfs: number; nBits: number }
export interface FieldLayout { name: string; nBits: number; pieces: FieldPiece[] }

const one = (name: string, slot: string, nBits: number, slotOfs = 0): FieldLayout => ({
  name, nBits, pieces: [{ slot: SLOT[slot]!, slotOfs, fieldOfs: 0, nBits }],
});

const LAYOUTS = new Map<string, FieldLayout>();
const def = (l: FieldLayout, ...aliases: string[]): void => { for (const n of [l.name, ...aliases]) LAYOUTS.set(n, l); };

def(one('metadata', 'metadata', 64), 'OXM_OF_METADATA');
def(one('in_port', 'in_port', 32), 'NXM_OF_IN_PORT');
def(one('eth_src', 'dl_src', 48), 'NXM_OF_ETH_SRC', 'OXM_OF_ETH_SRC', 'dl_src');
def(one('eth_dst', 'dl_dst', 48), 'NXM_OF_ETH_DST', 'OXM_OF_ETH_DST', 'dl_dst');
def(one('eth_type', 'dl_type', 16), 'NXM_OF_ETH_TYPE', 'OXM_OF_ETH_TYPE', 'dl_type');
def(one('vlan_tci', 'vlan_tci', 16), 'NXM_OF_VLAN_TCI');
def(one('ip_src', 'nw_src', 32), 'NXM_OF_IP_SRC', 'OXM_OF_IPV4_SRC', 'nw_src');
def(one('ip_dst', 'nw_dst', 32), 'NXM_OF_IP_DST', 'OXM_OF_IPV4_DST', 'nw_dst');
def(one('arp_spa', 'nw_src', 32), 'NXM_OF_ARP_SPA', 'OXM_OF_ARP_SPA');
def(one('arp_tpa', 'nw_dst', 32), 'NXM_OF_ARP_TPA', 'OXM_OF_ARP_TPA');
def(one('arp_op', 'nw_proto', 16), 'NXM_OF_ARP_OP', 'OXM_OF_ARP_OP');
def(one('ipv6_src', 'ipv6_src', 128), 'NXM_NX_IPV6_SRC', 'OXM_OF_IPV6_SRC');
def(one('ipv6_dst', 'ipv6_dst', 128), 'NXM_NX_IPV6_DST', 'OXM_OF_IPV6_DST');
def(one('ipv6_label', 'ipv6_label', 20), 'NXM_NX_IPV6_LABEL', 'OXM_OF_IPV6_FLABEL');
def(one('nw_proto', 'nw_proto', 8), 'NXM_OF_IP_PROTO', 'OXM_OF_IP_PROTO');
def(one('ip_dscp', 'nw_tos', 6, 2), 'OXM_OF_IP_DSCP');
def(one('nw_ecn', 'nw_tos', 2), 'NXM_NX_IP_ECN', 'OXM_OF_IP_ECN');
def(one('nw_tos', 'nw_tos', 8));
def(one('nw_ttl', 'nw_ttl', 8), 'NXM_NX_IP_TTL');
def(one('ip_frag', 'nw_frag', 2), 'NXM_NX_IP_FRAG');
def(one('arp_sha', 'arp_sha', 48), 'NXM_NX_ARP_SHA', 'OXM_OF_ARP_SHA', 'nd_sll', 'NXM_NX_ND_SLL', 'OXM_OF_IPV6_ND_SLL');
def(one('arp_tha', 'arp_tha', 48), 'NXM_NX_ARP_THA', 'OXM_OF_ARP_THA', 'nd_tll', 'NXM_NX_ND_TLL', 'OXM_OF_IPV6_ND_TLL');
for (const p of ['tcp', 'udp', 'sctp']) {
  const P = p.toUpperCase();
  def(one(`${p}_src`, 'tp_src', 16), `NXM_OF_${P}_SRC`, `OXM_OF_${P}_SRC`);
  def(one(`${p}_dst`, 'tp_dst', 16), `NXM_OF_${P}_DST`, `OXM_OF_${P}_DST`);
}
def(one('tp_src', 'tp_src', 16));
def(one('tp_dst', 'tp_dst', 16));
def(one('icmp_type', 'tp_src', 8), 'NXM_OF_ICMP_TYPE', 'OXM_OF_ICMPV4_TYPE', 'icmpv6_type', 'NXM_NX_ICMPV6_TYPE', 'OXM_OF_ICMPV6_TYPE');
def(one('icmp_code', 'tp_dst', 8), 'NXM_OF_ICMP_CODE', 'OXM_OF_ICMPV4_CODE', 'icmpv6_code', 'NXM_NX_ICMPV6_CODE', 'OXM_OF_ICMPV6_CODE');
def(one('nd_target', 'nd_target', 128), 'NXM_NX_ND_TARGET', 'OXM_OF_IPV6_ND_TARGET');
def(one('tcp_flags', 'tcp_flags', 12), 'NXM_NX_TCP_FLAGS', 'OXM_OF_TCP_FLAGS');
def(one('pkt_mark', 'pkt_mark', 32), 'NXM_NX_PKT_MARK');
def(one('ct_state', 'ct_state', 32), 'NXM_NX_CT_STATE');
def(one('ct_mark', 'ct_mark', 32), 'NXM_NX_CT_MARK');
def(one('ct_label', 'ct_label', 128), 'NXM_NX_CT_LABEL');
def(one('ct_zone', 'ct_zone', 16), 'NXM_NX_CT_ZONE');
def(one('ct_nw_src', 'ct_nw_src', 32), 'NXM_NX_CT_NW_SRC');
def(one('ct_nw_dst', 'ct_nw_dst', 32), 'NXM_NX_CT_NW_DST');
def(one('ct_nw_proto', 'ct_nw_proto', 8), 'NXM_NX_CT_NW_PROTO');
def(one('ct_tp_src', 'ct_tp_src', 16), 'NXM_NX_CT_TP_SRC');
def(one('ct_tp_dst', 'ct_tp_dst', 16), 'NXM_NX_CT_TP_DST');
def(one('ct_ipv6_src', 'ct_ipv6_src', 128), 'NXM_NX_CT_IPV6_SRC');
def(one('ct_ipv6_dst', 'ct_ipv6_dst', 128), 'NXM_NX_CT_IPV6_DST');
def(one('tun_id', 'tun_id', 64), 'NXM_NX_TUN_ID');
def(one('tun_metadata0', 'tun_metadata0', 32), 'NXM_NX_TUN_METADATA0');
def(one('dp_hash', 'dp_hash', 32), 'NXM_NX_DP_HASH');
for (let i = 0; i < 16; i++) def(one(`reg${i}`, `reg${i}`, 32), `NXM_NX_REG${i}`);
// Wider register views: the lower-numbered 32-bit register holds the more significant bits.
for (let i = 0; i < 8; i++) {
  def({ name: `xreg${i}`, nBits: 64, pieces: [
    { slot: SLOT[`reg${2 * i}`]!, slotOfs: 0, fieldOfs: 32, nBits: 32 },
    { slot: SLOT[`reg${2 * i + 1}`]!, slotOfs: 0, fieldOfs: 0, nBits: 32 },
  ] }, `OXM_OF_PKT_REG${i}`);
}
for (let i = 0; i < 4; i++) {
  def({ name: `xxreg${i}`, nBits: 128, pieces: [0, 1, 2, 3].map((k) => ({ slot: SLOT[`reg${4 * i + k}`]!, slotOfs: 0, fieldOfs: 96 - 32 * k, nBits: 32 })) },
    `NXM_NX_XXREG${i}`);
}

export function fieldLayout(name: string): FieldLayout {
  const l = LAYOUTS.get(name);
  if (!l) throw new Error(`classifier: unknown field ${name}`);
  return l;
}

/** `NXM_NX_REG1[0..15]`, `NXM_OF_IN_PORT[]`, `NXM_NX_REG10[12]` → field, ofs, nBits. */
export function parseSubfieldText(s: string): { layout: FieldLayout; ofs: number; nBits: number } {
  const m = /^([A-Za-z0-9_]+)\[(?:(\d+)(?:\.\.(\d+))?)?\]$/.exec(s.trim());
  if (!m) throw new Error(`classifier: bad subfield ${s}`);
  const layout = fieldLayout(m[1]!);
  if (m[2] === undefined) return { layout, ofs: 0, nBits: layout.nBits };
  const lo = Number(m[2]);
  const hi = m[3] !== undefined ? Number(m[3]) : lo;
  return { layout, ofs: lo, nBits: hi - lo + 1 };
}

/**
 * What a classifier run's decisions owed to the probe's destination port P, for the cross-check's
 * port classes (crosscheck.ts PortClasses): OVS's megaflow idea (xlate's `wc`), but exact rather
 * than by masks. While `on`, every L4 port slot (PORT_SLOTS) holding P is "P-derived":
 * - FlowTable.lookup records each top-level lookup made with P in a port slot, in a table that has
 *   subtables matching ports (`lookups`: the state and the winning flow), so that another port can
 *   be checked by replaying just those lookups;
 * - readField (moves, pushes, learn) adds the P bits it read to `mask` (another port must agree on them);
 * - `opaque`: a flow using a group won (a select bucket is chosen by hashing the 5-tuple);
 * - `wrote`: the run wrote an L4 port (set_field/move/pop into a port slot, or NAT by ct()): a
 *   constant port may then be in conntrack next to P.
 */
/** A recorded lookup: would it pick the same flow with port `to` where the state held `from`? */
export interface PortLookup { same(from: bigint, to: bigint): boolean }
export const L4_READS = { on: false, port: -1n, mask: 0, opaque: false, wrote: false, lookups: [] as PortLookup[] };
const TP_SRC = SLOT['tp_src']!;
const TP_DST = SLOT['tp_dst']!;
/**
 * The slots that hold L4 ports: the packet's, and conntrack's copy of the original direction's
 * (ct_tp_src/ct_tp_dst, which ct() sets from the packet and flows can match).
 */
export const PORT_SLOTS: readonly number[] = [TP_SRC, TP_DST, SLOT['ct_tp_src']!, SLOT['ct_tp_dst']!];
const IS_PORT_SLOT = new Uint8Array(N_SLOTS);
for (const s of PORT_SLOTS) IS_PORT_SLOT[s] = 1;
export const isL4PortSlot = (slot: number): boolean => IS_PORT_SLOT[slot] === 1;
/** the state holds P (the watched port) in an L4 port slot */
export const holdsWatchedPort = (st: readonly bigint[]): boolean => {
  const p = L4_READS.port;
  for (const s of PORT_SLOTS) if (st[s] === p) return true;
  return false;
};
/** a copy of `st` with port `to` wherever an L4 port slot holds `from` */
export function withPort(st: readonly bigint[], from: bigint, to: bigint): bigint[] {
  const o = st.slice();
  for (const s of PORT_SLOTS) if (o[s] === from) o[s] = to;
  return o;
}

/** The bits [ofs, ofs+nBits) of a field. */
export function readField(st: bigint[], l: FieldLayout, ofs = 0, nBits = l.nBits): bigint {
  if (L4_READS.on) {
    for (const p of l.pieces) {
      if (IS_PORT_SLOT[p.slot] !== 1 || st[p.slot] !== L4_READS.port) continue;
      const lo = Math.max(ofs, p.fieldOfs);
      const hi = Math.min(ofs + nBits, p.fieldOfs + p.nBits);
      if (hi > lo) L4_READS.mask |= (2 ** (hi - lo) - 1) * 2 ** (lo - p.fieldOfs + p.slotOfs);
    }
  }
  let v = 0n;
  for (const p of l.pieces) v |= ((st[p.slot]! >> BigInt(p.slotOfs)) & ones(p.nBits)) << BigInt(p.fieldOfs);
  return (v >> BigInt(ofs)) & ones(nBits);
}

/** Writes `value` into bits [ofs, ofs+nBits) of a field, under `mask` (relative to those bits). */
export function writeField(st: bigint[], l: FieldLayout, value: bigint, mask: bigint, ofs = 0): void {
  const m = mask << BigInt(ofs);
  const v = (value << BigInt(ofs)) & m;
  if (L4_READS.on && !L4_READS.wrote) for (const p of l.pieces) if (IS_PORT_SLOT[p.slot] === 1) L4_READS.wrote = true;
  for (const p of l.pieces) {
    const pm = (m >> BigInt(p.fieldOfs)) & ones(p.nBits);
    if (pm === 0n) continue;
    const pv = (v >> BigInt(p.fieldOfs)) & ones(p.nBits);
    const sm = pm << BigInt(p.slotOfs);
    st[p.slot] = (st[p.slot]! & ~sm) | (pv << BigInt(p.slotOfs));
  }
}

/**
 * A constant write (set_field) compiled once: per slot, the bits kept and the bits set, so that
 * running it is one `&` and one `|` per slot (writeField shifts and masks on every call).
 */
export interface ConstWrite { slots: number[]; keep: bigint[]; set: bigint[]; port: boolean }
export function compileWrite(l: FieldLayout, value: bigint, mask: bigint): ConstWrite {
  const w: ConstWrite = { slots: [], keep: [], set: [], port: false };
  const v = value & mask;
  for (const p of l.pieces) {
    const pm = (mask >> BigInt(p.fieldOfs)) & ones(p.nBits);
    if (pm === 0n) continue;
    const pv = (v >> BigInt(p.fieldOfs)) & ones(p.nBits);
    w.slots.push(p.slot);
    w.keep.push(~(pm << BigInt(p.slotOfs)));
    w.set.push(pv << BigInt(p.slotOfs));
    if (IS_PORT_SLOT[p.slot] === 1) w.port = true;
  }
  return w;
}
export function runWrite(st: bigint[], w: ConstWrite): void {
  if (w.port && L4_READS.on) L4_READS.wrote = true;
  for (let i = 0; i < w.slots.length; i++) {
    const s = w.slots[i]!;
    st[s] = (st[s]! & w.keep[i]!) | w.set[i]!;
  }
}

export const CT = {
  new: 0x01n, est: 0x02n, rel: 0x04n, rpl: 0x08n, inv: 0x10n, trk: 0x20n, snat: 0x40n, dnat: 0x80n,
} as const;

export function formatCtState(v: bigint): string {
  if (v === 0n) return '0';
  return (Object.entries(CT) as Array<[string, bigint]>).filter(([, b]) => (v & b) !== 0n).map(([n]) => n).join('|');
}

/** `trk,est,rpl` / `+trk+est` / `trk|new` → ct_state bits. */
export function parseCtState(s: string): bigint {
  let v = 0n;
  for (const t of s.split(/[,|+]/).map((x) => x.trim()).filter(Boolean)) {
    const b = (CT as Record<string, bigint>)[t];
    if (b === undefined) throw new Error(`unknown ct_state flag '${t}'`);
    v |= b;
  }
  return v;
}

/** The meta-flow field of a layout, for building actions (printing needs its format). */
export function mfOf(l: FieldLayout): MfField {
  return mfFieldOrNull(l.name) ?? { name: l.name, nBits: l.nBits, nBytes: Math.ceil(l.nBits / 8), nxmName: l.name, headerOf10: 0, headerOf15: 0, fmt: 'hex' };
}
