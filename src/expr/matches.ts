/**
 * expr_to_matches() (lib/expr.c) and the subset of OVS's `struct match` +
 * match_format() (lib/match.c) needed to print its result the way
 * `ovstest test-ovn expr-to-flows` does.
 *
 * A match is modelled as OVS flow "slots" (the struct flow members that the
 * OVN-visible fields land in) each with value/mask; a field write replaces all
 * of its slots, exactly like mf_mask_subfield()/mf_set() do.
 */
import { formatIPv4, formatIPv6, formatMac } from '../../grammar/lexer.js';
import { uniqueSymbol, type AndOrExpr, type CmpExpr, type Expr } from './ast.js';
import type { ExprSymbol } from './symtab.js';

/** A flow slot (struct flow member) with its width in bits. */
const SLOT_BITS: Record<string, number> = {
  pkt_mark: 32, conj_id: 32, ct_state: 8, ct_mark: 32, ct_label: 128, dl_type: 16, nw_proto: 8,
  metadata: 64, vlan_tci: 16, dl_src: 48, dl_dst: 48, ipv6_src: 128, ipv6_dst: 128, ipv6_label: 20,
  nw_src: 32, nw_dst: 32, arp_sha: 48, arp_tha: 48, nw_tos: 8, nw_ttl: 8, nw_frag: 8, tp_src: 16,
  tp_dst: 16, nd_target: 128, tcp_flags: 16,
};
for (let i = 0; i < 16; i++) SLOT_BITS[`reg${i}`] = 32;

/** OVS mf field -> the slots it occupies: [slot, bit offset of the slot inside the field, n bits, shift within slot]. */
type SlotPart = [slot: string, fieldOfs: number, nBits: number, slotShift: number];
const FIELD_SLOTS: Record<string, SlotPart[]> = {
  xxreg0: [['reg0', 96, 32, 0], ['reg1', 64, 32, 0], ['reg2', 32, 32, 0], ['reg3', 0, 32, 0]],
  xxreg1: [['reg4', 96, 32, 0], ['reg5', 64, 32, 0], ['reg6', 32, 32, 0], ['reg7', 0, 32, 0]],
  xreg0: [['reg0', 32, 32, 0], ['reg1', 0, 32, 0]],
  xreg4: [['reg8', 32, 32, 0], ['reg9', 0, 32, 0]],
  ct_mark: [['ct_mark', 0, 32, 0]],
  ct_label: [['ct_label', 0, 128, 0]],
  // struct flow keeps ct_state in a uint8_t (match_set_ct_state_masked: UINT8_MAX).
  ct_state: [['ct_state', 0, 8, 0]],
  eth_src: [['dl_src', 0, 48, 0]],
  eth_dst: [['dl_dst', 0, 48, 0]],
  eth_type: [['dl_type', 0, 16, 0]],
  vlan_tci: [['vlan_tci', 0, 16, 0]],
  nw_proto: [['nw_proto', 0, 8, 0]],
  ip_dscp: [['nw_tos', 0, 6, 2]],
  nw_ecn: [['nw_tos', 0, 2, 0]],
  nw_ttl: [['nw_ttl', 0, 8, 0]],
  ip_frag: [['nw_frag', 0, 2, 0]],
  ip_src: [['nw_src', 0, 32, 0]],
  ip_dst: [['nw_dst', 0, 32, 0]],
  ipv6_src: [['ipv6_src', 0, 128, 0]],
  ipv6_dst: [['ipv6_dst', 0, 128, 0]],
  ipv6_label: [['ipv6_label', 0, 20, 0]],
  icmp_type: [['tp_src', 0, 8, 0]],
  icmp_code: [['tp_dst', 0, 8, 0]],
  icmpv6_type: [['tp_src', 0, 8, 0]],
  icmpv6_code: [['tp_dst', 0, 8, 0]],
  arp_op: [['nw_proto', 0, 8, 0]],
  arp_spa: [['nw_src', 0, 32, 0]],
  arp_tpa: [['nw_dst', 0, 32, 0]],
  arp_sha: [['arp_sha', 0, 48, 0]],
  arp_tha: [['arp_tha', 0, 48, 0]],
  nd_target: [['nd_target', 0, 128, 0]],
  nd_sll: [['arp_sha', 0, 48, 0]],
  nd_tll: [['arp_tha', 0, 48, 0]],
  tcp_src: [['tp_src', 0, 16, 0]], tcp_dst: [['tp_dst', 0, 16, 0]],
  udp_src: [['tp_src', 0, 16, 0]], udp_dst: [['tp_dst', 0, 16, 0]],
  sctp_src: [['tp_src', 0, 16, 0]], sctp_dst: [['tp_dst', 0, 16, 0]],
  tcp_flags: [['tcp_flags', 0, 12, 0]],
  pkt_mark: [['pkt_mark', 0, 32, 0]],
};
for (let i = 0; i < 16; i++) FIELD_SLOTS[`reg${i}`] = [[`reg${i}`, 0, 32, 0]];

interface SlotPartC { slot: string; ofs: bigint; bits: bigint; shift: bigint; shared: boolean; own: bigint }
/** FIELD_SLOTS with the bigint constants precomputed. */
const SLOT_PARTS: Record<string, SlotPartC[]> = Object.fromEntries(Object.entries(FIELD_SLOTS).map(([mf, parts]) => [mf, parts.map(([slot, ofs, n, shift]) => {
  const bits = (1n << BigInt(n)) - 1n;
  return { slot, ofs: BigInt(ofs), bits, shift: BigInt(shift), shared: mf === 'ip_dscp' || mf === 'nw_ecn', own: bits << BigInt(shift) };
})]));

/** Non-maskable OVS fields that OVS stores with a wider exact mask (mf_set_value). */
const EXACT_SLOT_MASK: Record<string, bigint> = {
  icmp_type: 0xffffn, icmp_code: 0xffffn, icmpv6_type: 0xffffn, icmpv6_code: 0xffffn, arp_op: 0xffn,
};

export interface SlotValue {
  value: bigint;
  mask: bigint;
  /** memoized key fragment (SlotValues are immutable once stored) */
  repr?: string;
}

/** One OpenFlow match (struct match restricted to the slots above), field -> value/mask. */
export class FlowMatch {
  readonly slots = new Map<string, SlotValue>();

  clone(): FlowMatch {
    // SlotValues are never mutated in place (setField stores new objects), so sharing them is safe.
    const m = new FlowMatch();
    for (const [k, v] of this.slots) m.slots.set(k, v);
    m.cachedKey = this.cachedKey;
    return m;
  }

  /** mf_mask_subfield()/mf_set(): replace the field's whole value and mask. */
  setField(mf: string, value: bigint, mask: bigint, fieldBits: number, maskable: boolean): void {
    const parts = SLOT_PARTS[mf];
    if (!parts) throw new Error(`no OpenFlow slot mapping for field ${mf}`);
    const full = (1n << BigInt(fieldBits)) - 1n;
    mask &= full;
    value &= mask;
    // mf_set(): a mask that is not all-ones over the field's *bytes* on a
    // non-maskable field is ignored (OFPUTIL_P_NONE).  For sub-byte fields
    // (ip_dscp: 6 bits, nw_ecn: 2 bits) that is every exact match too, so
    // `ip.dscp == 46` constrains nothing — as the real 25.03 controller shows.
    if (!maskable && mask !== 0n && (mask !== full || fieldBits % 8 !== 0)) return;
    const exact = EXACT_SLOT_MASK[mf];
    for (const p of parts) {
      let v = p.ofs ? (value >> p.ofs) & p.bits : value & p.bits;
      let m = p.ofs ? (mask >> p.ofs) & p.bits : mask & p.bits;
      if (p.shift) {
        v <<= p.shift;
        m <<= p.shift;
      }
      if (m !== 0n && exact !== undefined) m = exact;
      if (p.shared) {
        // nw_tos is shared by ip_dscp and nw_ecn: only replace this field's bits.
        const cur = this.slots.get(p.slot);
        if (cur) {
          v |= cur.value & ~p.own;
          m |= cur.mask & ~p.own;
        }
      }
      if (m === 0n) this.slots.delete(p.slot);
      else this.slots.set(p.slot, { value: v & m, mask: m });
    }
    this.cachedKey = undefined;
  }

  private cachedKey: string | undefined;

  /** match_set_conj_id() */
  setConjId(id: number): void {
    this.slots.set('conj_id', { value: BigInt(id), mask: 0xffffffffn });
    this.cachedKey = undefined;
  }

  get(slot: string): SlotValue | undefined {
    return this.slots.get(slot);
  }

  /** match_equal() key */
  key(): string {
    if (this.cachedKey !== undefined) return this.cachedKey;
    const names = [...this.slots.keys()].sort();
    let k = '';
    for (const n of names) {
      const v = this.slots.get(n)!;
      k += n + '=' + (v.repr ??= `${v.value.toString(36)}/${v.mask === v.value ? '=' : v.mask.toString(36)},`);
    }
    return (this.cachedKey = k);
  }
}

export interface Conjunction {
  id: number;
  clause: number;
  nClauses: number;
}

/** struct expr_match */
export interface ExprMatch {
  match: FlowMatch;
  conjunctions: Conjunction[];
}

export type LookupPort = (name: string) => number | undefined;

/** hmap of expr_match with expr_match_add()'s merge rule. */
class MatchSet {
  readonly byKey = new Map<string, ExprMatch>();
  add(m: ExprMatch): void {
    const k = m.match.key();
    const cur = this.byKey.get(k);
    if (!cur) {
      this.byKey.set(k, m);
      return;
    }
    // A plain flow with the same match makes the conjunctions moot.
    if (!cur.conjunctions.length || !m.conjunctions.length) cur.conjunctions = [];
    else cur.conjunctions.push(m.conjunctions[0]!);
  }
}

function baseField(symbol: ExprSymbol): ExprSymbol {
  let s = symbol;
  while (s.parent) s = s.parent;
  return s;
}

/** constrain_match() */
function constrainMatch(e: CmpExpr, lookupPort: LookupPort, m: FlowMatch): boolean {
  const sym = baseField(e.symbol);
  const f = sym.field!;
  if (e.symbol.width) {
    m.setField(f.mf, e.value, e.mask, f.nBits, f.maskable);
    return true;
  }
  const port = lookupPort(e.string!);
  if (port === undefined) return false;
  m.setField(f.mf, BigInt(port), (1n << BigInt(f.nBits)) - 1n, f.nBits, true);
  return true;
}

function addDisjunction(or: AndOrExpr, lookupPort: LookupPort, m: FlowMatch, clause: number, nClauses: number, conjId: number, out: MatchSet): boolean {
  let n = 0;
  for (const sub of or.subs) {
    const match = m.clone();
    if (constrainMatch(sub as CmpExpr, lookupPort, match)) {
      out.add({ match, conjunctions: conjId ? [{ id: conjId, clause, nClauses }] : [] });
      n++;
    }
  }
  return n > 0;
}

function addConjunction(and: AndOrExpr, lookupPort: LookupPort, state: { nConjs: number }, out: MatchSet): void {
  const match = new FlowMatch();
  let nClauses = 0;
  for (const sub of and.subs) {
    if (sub.type === 'cmp') {
      if (!constrainMatch(sub, lookupPort, match)) return;
    } else if (sub.type === 'or') nClauses++;
    else throw new Error('add_conjunction: unexpected ' + sub.type);
  }
  if (!nClauses) {
    out.add({ match, conjunctions: [] });
  } else if (nClauses === 1) {
    for (const sub of and.subs) if (sub.type === 'or') addDisjunction(sub, lookupPort, match, 0, 0, 0, out);
  } else {
    let clause = 0;
    state.nConjs++;
    for (const sub of and.subs) {
      if (sub.type === 'or' && !addDisjunction(sub, lookupPort, match, clause++, nClauses, state.nConjs, out)) return;
    }
    const c = match.clone();
    c.setConjId(state.nConjs);
    out.add({ match: c, conjunctions: [] });
  }
}

function addCmpFlow(cmp: CmpExpr, lookupPort: LookupPort, out: MatchSet): void {
  const m = new FlowMatch();
  if (constrainMatch(cmp, lookupPort, m)) out.add({ match: m, conjunctions: [] });
}

/**
 * expr_to_matches(): `expr` must be normalized.  Conjunction ids start at 1
 * (test-ovn does not offset them).  Returns matches in insertion order
 * (OVS iterates its hmap in hash order; compare as sets).
 */
export function exprToMatches(expr: Expr, lookupPort: LookupPort): { matches: ExprMatch[]; nConjs: number } {
  const out = new MatchSet();
  const state = { nConjs: 0 };
  switch (expr.type) {
    case 'cmp': addCmpFlow(expr, lookupPort, out); break;
    case 'and': addConjunction(expr, lookupPort, state, out); break;
    case 'or':
      if (uniqueSymbol(expr)) {
        for (const s of expr.subs) addCmpFlow(s as CmpExpr, lookupPort, out);
      } else {
        for (const s of expr.subs) {
          if (s.type === 'and') addConjunction(s, lookupPort, state, out);
          else addCmpFlow(s as CmpExpr, lookupPort, out);
        }
      }
      break;
    case 'boolean':
      if (expr.value) out.add({ match: new FlowMatch(), conjunctions: [] });
      break;
    default: throw new Error('expr_to_matches: conditions must be evaluated first');
  }
  return { matches: [...out.byKey.values()], nConjs: state.nConjs };
}

// ---------------------------------------------------------------- match_format

const hex = (v: bigint): string => (v === 0n ? '0' : '0x' + v.toString(16));
const all = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

function cidrLen(mask: bigint, bits: number): number {
  const inv = ~mask & all(bits);
  if ((inv & (inv + 1n)) !== 0n) return -1;
  let n = 0;
  for (let i = bits - 1; i >= 0 && ((mask >> BigInt(i)) & 1n) === 1n; i--) n++;
  return n;
}

const CT_STATE_NAMES = ['new', 'est', 'rel', 'rpl', 'inv', 'trk', 'snat', 'dnat'];
const TCP_FLAG_NAMES: Record<number, string> = { 0x1: 'fin', 0x2: 'syn', 0x4: 'rst', 0x8: 'psh', 0x10: 'ack', 0x20: 'urg', 0x40: 'ece', 0x80: 'cwr', 0x100: 'ns', 0x200: '[200]', 0x400: '[400]', 0x800: '[800]' };

/** format_flags() */
function formatFlags(flags: number, name: (bit: number) => string | undefined, del: string): string {
  if (!flags) return '0';
  const parts: string[] = [];
  let bad = 0;
  for (let f = flags; f; f &= f - 1) {
    const b = f & -f;
    const s = name(b);
    if (s) parts.push(s);
    else bad |= b;
  }
  if (bad) parts.push('0x' + bad.toString(16));
  return parts.join(del);
}

/** format_flags_masked() */
function formatFlagsMasked(flags: number, mask: number, maxMask: number, name: (bit: number) => string | undefined): string {
  if (mask === maxMask) return formatFlags(flags, name, '|');
  if (!mask) return '0/0';
  let s = '';
  for (let m = mask; m; m &= m - 1) {
    const b = m & -m;
    s += (flags & b ? '+' : '-') + (name(b) ?? '[Unknown]');
  }
  return s;
}

function fmtU32(out: string[], m: FlowMatch, name: string, k: string): void {
  const v = m.get(k);
  if (v) out.push(`${name}=${hex(v.value)}${v.mask !== 0xffffffffn ? '/' + hex(v.mask) : ''}`);
}
function fmtBe16(out: string[], m: FlowMatch, name: string, k: string): void {
  const v = m.get(k);
  if (v) out.push(v.mask === 0xffffn ? `${name}=${v.value}` : `${name}=0x${v.value.toString(16)}/0x${v.mask.toString(16)}`);
}
const ALL48 = all(48);
const ALL32 = all(32);
const ALL128 = all(128);
function fmtEth(out: string[], m: FlowMatch, name: string, k: string): void {
  const v = m.get(k);
  if (v) out.push(`${name}=${formatMac(v.value)}${v.mask !== ALL48 ? '/' + formatMac(v.mask) : ''}`);
}
function fmtIp4(out: string[], m: FlowMatch, name: string, k: string): void {
  const v = m.get(k);
  if (!v) return;
  let s = `${name}=${formatIPv4(v.value)}`;
  if (v.mask !== ALL32) {
    const c = cidrLen(v.mask, 32);
    s += c >= 0 ? `/${c}` : `/${formatIPv4(v.mask)}`;
  }
  out.push(s);
}
function fmtIp6(out: string[], m: FlowMatch, name: string, k: string): void {
  const v = m.get(k);
  if (!v) return;
  let s = `${name}=${formatIPv6(v.value)}`;
  if (v.mask !== ALL128) {
    const c = cidrLen(v.mask, 128);
    s += c >= 0 ? `/${c}` : `/${formatIPv6(v.mask)}`;
  }
  out.push(s);
}
const ctStateName = (b: number): string | undefined => CT_STATE_NAMES[31 - Math.clz32(b)];
const tcpFlagName = (b: number): string | undefined => TCP_FLAG_NAMES[b];
const IPV4_PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };
const IPV6_PROTO_NAMES: Record<number, string> = { 58: 'icmp6', 6: 'tcp6', 17: 'udp6', 132: 'sctp6' };
const REG_NAMES = Array.from({ length: 16 }, (_, i) => `reg${i}`);

/** match_format() for the slots modelled here (priority omitted). */
export function formatMatch(m: FlowMatch): string {
  const out: string[] = [];
  fmtU32(out, m, 'pkt_mark', 'pkt_mark');
  const conj = m.get('conj_id');
  if (conj) out.push(`conj_id=${conj.value}`);
  const cs = m.get('ct_state');
  if (cs) {
    out.push(cs.mask === 0xffn
      ? `ct_state=${cs.value ? formatFlags(Number(cs.value), ctStateName, '|') : '0'}`
      : `ct_state=${formatFlagsMasked(Number(cs.value), Number(cs.mask), 0xff, ctStateName)}`);
  }
  fmtU32(out, m, 'ct_mark', 'ct_mark');
  const cl = m.get('ct_label');
  if (cl) out.push(`ct_label=${hex(cl.value)}${cl.mask !== all(128) ? '/' + hex(cl.mask) : ''}`);

  const dlType = m.get('dl_type');
  const proto = m.get('nw_proto');
  const dl = dlType ? Number(dlType.value) : -1;
  let skipType = false;
  let skipProto = false;
  if (dlType) {
    skipType = true;
    if (dl === 0x0800) {
      if (proto) {
        skipProto = true;
        const p = Number(proto.value);
        const n = IPV4_PROTO_NAMES[p];
        if (n) out.push(n);
        else { out.push('ip'); skipProto = false; }
      } else out.push('ip');
    } else if (dl === 0x86dd) {
      if (proto) {
        skipProto = true;
        const p = Number(proto.value);
        const n = IPV6_PROTO_NAMES[p];
        if (n) out.push(n);
        else { out.push('ipv6'); skipProto = false; }
      } else out.push('ipv6');
    } else if (dl === 0x0806) out.push('arp');
    else if (dl === 0x8035) out.push('rarp');
    else if (dl === 0x8847) out.push('mpls');
    else if (dl === 0x8848) out.push('mplsm');
    else skipType = false;
  }
  for (let i = 0; i < 16; i++) fmtU32(out, m, REG_NAMES[i]!, REG_NAMES[i]!);
  const md = m.get('metadata');
  if (md) out.push(`metadata=${hex(md.value)}${md.mask !== all(64) ? '/' + hex(md.mask) : ''}`);
  const tci = m.get('vlan_tci');
  if (tci) {
    const vidMask = tci.mask & 0x0fffn;
    const pcpMask = tci.mask & 0xe000n;
    const cfi = tci.mask & 0x1000n;
    if (cfi && tci.value & 0x1000n && (!vidMask || vidMask === 0x0fffn) && (!pcpMask || pcpMask === 0xe000n) && (vidMask || pcpMask)) {
      if (vidMask) out.push(`dl_vlan=${tci.value & 0xfffn}`);
      if (pcpMask) out.push(`dl_vlan_pcp=${tci.value >> 13n}`);
    } else if (tci.mask === 0xffffn) out.push(`vlan_tci=0x${tci.value.toString(16).padStart(4, '0')}`);
    else out.push(`vlan_tci=0x${tci.value.toString(16).padStart(4, '0')}/0x${tci.mask.toString(16).padStart(4, '0')}`);
  }
  fmtEth(out, m, 'dl_src', 'dl_src');
  fmtEth(out, m, 'dl_dst', 'dl_dst');
  if (!skipType && dlType) out.push(`dl_type=0x${dlType.value.toString(16).padStart(4, '0')}`);
  const isArp = dl === 0x0806 || dl === 0x8035;
  if (dl === 0x86dd) {
    fmtIp6(out, m, 'ipv6_src', 'ipv6_src');
    fmtIp6(out, m, 'ipv6_dst', 'ipv6_dst');
    const lab = m.get('ipv6_label');
    if (lab) {
      const v = `0x${lab.value.toString(16).padStart(5, '0')}`;
      out.push(lab.mask === 0xfffffn ? `ipv6_label=${v}` : `ipv6_label=${v}/0x${lab.mask.toString(16).padStart(5, '0')}`);
    }
  } else if (isArp) {
    fmtIp4(out, m, 'arp_spa', 'nw_src');
    fmtIp4(out, m, 'arp_tpa', 'nw_dst');
  } else {
    fmtIp4(out, m, 'nw_src', 'nw_src');
    fmtIp4(out, m, 'nw_dst', 'nw_dst');
  }
  if (!skipProto && proto) out.push(`${isArp ? 'arp_op' : 'nw_proto'}=${proto.value}`);
  if (isArp) {
    fmtEth(out, m, 'arp_sha', 'arp_sha');
    fmtEth(out, m, 'arp_tha', 'arp_tha');
  }
  const tos = m.get('nw_tos');
  if (tos && tos.mask & 0xfcn) out.push(`nw_tos=${tos.value & 0xfcn}`);
  if (tos && tos.mask & 0x03n) out.push(`nw_ecn=${tos.value & 0x03n}`);
  const ttl = m.get('nw_ttl');
  if (ttl) out.push(`nw_ttl=${ttl.value}`);
  const frag = m.get('nw_frag');
  if (frag) {
    const f = Number(frag.value);
    switch (Number(frag.mask)) {
      case 3: out.push(`nw_frag=${f & 1 ? (f & 2 ? 'later' : 'first') : f & 2 ? '<error>' : 'no'}`); break;
      case 1: out.push(`nw_frag=${f & 1 ? 'yes' : 'no'}`); break;
      case 2: out.push(`nw_frag=${f & 2 ? 'later' : 'not_later'}`); break;
    }
  }
  const p = proto ? Number(proto.value) : -1;
  if (dl === 0x0800 && p === 1) {
    fmtBe16(out, m, 'icmp_type', 'tp_src');
    fmtBe16(out, m, 'icmp_code', 'tp_dst');
  } else if (dl === 0x0800 && p === 2) {
    fmtBe16(out, m, 'igmp_type', 'tp_src');
    fmtBe16(out, m, 'igmp_code', 'tp_dst');
  } else if (dl === 0x86dd && p === 58) {
    fmtBe16(out, m, 'icmp_type', 'tp_src');
    fmtBe16(out, m, 'icmp_code', 'tp_dst');
    fmtIp6(out, m, 'nd_target', 'nd_target');
    fmtEth(out, m, 'nd_sll', 'arp_sha');
    fmtEth(out, m, 'nd_tll', 'arp_tha');
  } else {
    fmtBe16(out, m, 'tp_src', 'tp_src');
    fmtBe16(out, m, 'tp_dst', 'tp_dst');
  }
  const tf = m.get('tcp_flags');
  if (tf && (dl === 0x0800 || dl === 0x86dd) && p === 6) {
    out.push(`tcp_flags=${formatFlagsMasked(Number(tf.value), Number(tf.mask & 0xfffn), 0xfff, tcpFlagName)}`);
  }
  return out.join(',');
}

/** expr_matches_print() line for one match. */
export function formatExprMatch(m: ExprMatch): string {
  let s = formatMatch(m.match);
  m.conjunctions.forEach((c, i) => {
    s += `${i === 0 ? ':' : ','} conjunction(${c.id}, ${c.clause}/${c.nClauses})`;
  });
  return s;
}
