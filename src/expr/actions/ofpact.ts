/**
 * OpenFlow actions as OVS represents them (struct ofpact, lib/ofp-actions.c), with
 *  - formatOfpacts(): ofpacts_format(), i.e. the ovs-ofctl syntax of `actions=` in dump-flows
 *    and of test-ovn's "encodes as" lines;
 *  - encodeOfpactsOf15(): ofpacts_put_openflow_actions(…, OFP15_VERSION), the binary form OVN
 *    puts inside controller(userdata=…) for nested actions (arp{}, reject{}, …).
 * Only the actions OVN's encoder emits are modelled.
 */
import { type MfField, type MfSubfield, formatSubfield, mfFormat, formatIp6V } from './mf.js';

export interface OfSetField { type: 'set_field'; field: MfField; value: bigint; mask: bigint }
export interface OfMove { type: 'move'; src: MfSubfield; dst: MfSubfield }
export interface OfStack { type: 'push' | 'pop'; sf: MfSubfield }
export interface OfResubmit { type: 'resubmit'; table: number }
export interface OfNat {
  type: 'nat';
  /** NX_NAT_F_SRC / NX_NAT_F_DST; neither = plain `nat`. */
  kind: 'src' | 'dst' | null;
  family: 'ipv4' | 'ipv6' | null;
  addr: bigint;
  portMin: number;
  portMax: number;
  random: boolean;
}
export interface OfCt {
  type: 'ct';
  commit: boolean;
  /** NX_CT_RECIRC_NONE = null. */
  table: number | null;
  zone: MfSubfield;
  /** Nested actions: a leading nat is printed outside exec(). */
  actions: Ofpact[];
}
export interface OfController { type: 'controller'; userdata: Uint8Array; pause: boolean; meterId: number | null }
export interface OfGroup { type: 'group'; id: number }
export interface OfMeter { type: 'meter'; id: number }
export interface OfSimple { type: 'ct_clear' | 'dec_ttl' }
export interface OfNote { type: 'note'; data: Uint8Array }
export interface OfClone { type: 'clone'; actions: Ofpact[] }
export interface OfSetQueue { type: 'set_queue'; queueId: number }
export interface OfCheckPktLarger { type: 'check_pkt_larger'; pktLen: number; dst: MfSubfield }
export interface OfSample {
  type: 'sample';
  probability: number;
  collectorSetId: number;
  obsDomainId: number;
  obsPointImm: number;
  obsPointSrc: MfSubfield | null;
}
/**
 * learn(): kept as its already-formatted argument list (only commit_ecmp_nh/commit_lb_aff emit it).
 * `wireText` is what ovs-ofctl shows after the OpenFlow round trip, when it differs.
 */
export interface OfLearn { type: 'learn'; text: string; wireText?: string }

export type Ofpact =
  | OfSetField | OfMove | OfStack | OfResubmit | OfNat | OfCt | OfController | OfGroup | OfMeter
  | OfSimple | OfNote | OfClone | OfSetQueue | OfCheckPktLarger | OfSample | OfLearn;

/**
 * How to print: 'test-ovn' prints the ofpacts as OVN built them in memory (what test-ovn's
 * "encodes as" shows); 'dump-flows' prints them as `ovs-ofctl dump-flows` shows them after the
 * OpenFlow 1.5 round trip through OVS, where a few actions decode to a different raw form:
 * OVN's dec_ttl has no controller ids and travels as NXAST_DEC_TTL_CNT_IDS (printed `dec_ttl()`),
 * a note keeps its padding bytes, and learn() source subfields get their real width.
 */
export type OfpactStyle = 'test-ovn' | 'dump-flows';

/** format_hex_arg(): bytes as `xx.xx.xx`. */
export const hexArg = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('.');

function formatNat(a: OfNat): string {
  let s = 'nat';
  if (a.kind) {
    s += `(${a.kind}`;
    if (a.family) {
      s += '=';
      if (a.family === 'ipv4') {
        s += [24n, 16n, 8n, 0n].map((sh) => Number((a.addr >> sh) & 0xffn)).join('.');
      } else {
        // ipv6_format_addr_bracket(): brackets only when a port follows.
        s += a.portMin ? `[${formatIp6V(a.addr)}]` : formatIp6V(a.addr);
      }
      if (a.portMin) {
        s += `:${a.portMin}`;
        if (a.portMax && a.portMax !== a.portMin) s += `-${a.portMax}`;
      }
      s += ',';
      if (a.random) s += 'random,';
    }
    if (s.endsWith(',')) s = s.slice(0, -1);
    s += ')';
  }
  return s;
}

function formatOne(a: Ofpact, style: OfpactStyle): string {
  switch (a.type) {
    case 'set_field':
      return `set_field:${mfFormat(a.field, a.value, a.mask)}->${a.field.name}`;
    case 'move':
      return `move:${formatSubfield(a.src)}->${formatSubfield(a.dst)}`;
    case 'push':
    case 'pop':
      return `${a.type}:${formatSubfield(a.sf)}`;
    case 'resubmit':
      return `resubmit(,${a.table})`;
    case 'nat':
      return formatNat(a);
    case 'ct': {
      // format_CT()
      let s = 'ct(';
      if (a.commit) s += 'commit,';
      if (a.table !== null) s += `table=${a.table},`;
      s += `zone=${formatSubfield(a.zone)},`;
      let rest = a.actions;
      if (rest.length && rest[0]!.type === 'nat') {
        s += formatNat(rest[0] as OfNat) + ',';
        rest = rest.slice(1);
      }
      if (rest.length) s += `exec(${formatOfpacts(rest, style)}),`;
      return s.replace(/,$/, '') + ')';
    }
    case 'controller': {
      // format_CONTROLLER() with reason=action, max_len=65535, controller_id=0.
      let s = 'controller(';
      if (a.userdata.length) s += `userdata=${hexArg(a.userdata)},`;
      if (a.pause) s += 'pause,';
      if (a.meterId !== null) s += `meter_id=${a.meterId},`;
      return s.replace(/,$/, '') + ')';
    }
    case 'group':
      return `group:${a.id}`;
    case 'meter':
      return `meter:${a.id}`;
    case 'ct_clear':
      return 'ct_clear';
    case 'dec_ttl':
      return style === 'dump-flows' ? 'dec_ttl()' : 'dec_ttl';
    case 'note': {
      if (style === 'test-ovn') return `note:${hexArg(a.data)}`;
      // decode_NXAST_RAW_NOTE keeps the zero padding up to the 8-byte action boundary.
      const padded = new Uint8Array(Math.max(6, Math.ceil((a.data.length + 10) / 8) * 8 - 10));
      padded.set(a.data);
      return `note:${hexArg(padded)}`;
    }
    case 'clone':
      return `clone(${formatOfpacts(a.actions, style)})`;
    case 'set_queue':
      return `set_queue:${a.queueId}`;
    case 'check_pkt_larger':
      return `check_pkt_larger(${a.pktLen})->${formatSubfield(a.dst)}`;
    case 'sample': {
      let s = `sample(probability=${a.probability},collector_set_id=${a.collectorSetId},obs_domain_id=${a.obsDomainId},`;
      s += a.obsPointSrc ? `obs_point_id=${formatSubfield(a.obsPointSrc)}` : `obs_point_id=${a.obsPointImm}`;
      return s + ')';
    }
    case 'learn':
      return `learn(${style === 'dump-flows' && a.wireText !== undefined ? a.wireText : a.text})`;
  }
}

/** ofpacts_format(): comma-separated; an empty list prints as `drop`. */
export function formatOfpacts(acts: Ofpact[], style: OfpactStyle = 'dump-flows'): string {
  if (!acts.length) return 'drop';
  return acts.map((a) => formatOne(a, style)).join(',');
}

// ---------------------------------------------------------------------------------------------
// OpenFlow 1.5 wire encoding (lib/ofp-actions.c encode_*).

class Buf {
  bytes: number[] = [];
  u8(v: number): void { this.bytes.push(v & 0xff); }
  u16(v: number): void { this.u8(v >> 8); this.u8(v); }
  u32(v: number): void { this.u16(v >>> 16); this.u16(v & 0xffff); }
  big(v: bigint, nBytes: number): void {
    for (let i = nBytes - 1; i >= 0; i--) this.u8(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  raw(b: Uint8Array | number[]): void { for (const x of b) this.u8(x); }
  zeros(n: number): void { for (let i = 0; i < n; i++) this.u8(0); }
  /** pad_ofpat(): pad the action that started at `start` to a multiple of 8 and fix its length. */
  finish(start: number): void {
    while ((this.bytes.length - start) % 8) this.u8(0);
    const len = this.bytes.length - start;
    this.bytes[start + 2] = (len >> 8) & 0xff;
    this.bytes[start + 3] = len & 0xff;
  }
}

const NX_VENDOR = 0x00002320;
const OFPAT_VENDOR = 0xffff;

function nxStart(b: Buf, subtype: number): number {
  const start = b.bytes.length;
  b.u16(OFPAT_VENDOR);
  b.u16(0); // length, fixed by finish()
  b.u32(NX_VENDOR);
  b.u16(subtype);
  return start;
}

function ofStart(b: Buf, type: number): number {
  const start = b.bytes.length;
  b.u16(type);
  b.u16(0);
  return start;
}

function encodeOne(b: Buf, a: Ofpact): void {
  switch (a.type) {
    case 'set_field': {
      // set_field_to_set_field(): OFPAT12_SET_FIELD with nx_put_entry() (masked only if not exact).
      const start = ofStart(b, 25);
      const nBytes = a.field.nBytes;
      // nx_put_entry(): masked unless the mask is all-ones over the field's bytes.
      const full = (1n << BigInt(8 * nBytes)) - 1n;
      const masked = (a.mask & full) !== full;
      const h = a.field.headerOf15;
      b.u32(masked ? ((h & ~0xff) | 0x100 | (2 * nBytes)) >>> 0 : h);
      b.big(a.value, nBytes);
      if (masked) b.big(a.mask, nBytes);
      b.finish(start);
      return;
    }
    case 'move': {
      // encode_REG_MOVE(): OFPAT15_COPY_FIELD.
      const start = ofStart(b, 28);
      b.u16(a.dst.nBits);
      b.u16(a.src.ofs);
      b.u16(a.dst.ofs);
      b.zeros(2);
      b.u32(a.src.field.headerOf15);
      b.u32(a.dst.field.headerOf15);
      b.finish(start);
      return;
    }
    case 'push':
    case 'pop': {
      // encode_STACK_op(): NXAST_STACK_PUSH/POP with an OpenFlow 1.0 header.
      const start = nxStart(b, a.type === 'push' ? 27 : 28);
      b.u16(a.sf.ofs);
      b.u32(a.sf.field.headerOf10);
      b.u16(a.sf.nBits);
      b.zeros(6);
      b.finish(start);
      return;
    }
    case 'resubmit': {
      // NXAST_RESUBMIT_TABLE, in_port = OFPP_IN_PORT.
      const start = nxStart(b, 14);
      b.u16(0xfff8);
      b.u8(a.table);
      b.zeros(3);
      b.finish(start);
      return;
    }
    case 'note': {
      const start = nxStart(b, 8);
      b.raw(a.data);
      if (b.bytes.length - start < 16) b.zeros(16 - (b.bytes.length - start));
      b.finish(start);
      return;
    }
    case 'dec_ttl': {
      // encode_DEC_TTL(): OVN's dec_ttl has no controller ids, so it is NXAST_DEC_TTL_CNT_IDS
      // with n_controllers = 0 rather than OFPAT_DEC_NW_TTL.
      const start = nxStart(b, 21);
      b.u16(0);
      b.zeros(4);
      b.finish(start);
      return;
    }
    case 'ct_clear': {
      const start = nxStart(b, 43);
      b.zeros(6);
      b.finish(start);
      return;
    }
    case 'clone': {
      const start = nxStart(b, 42);
      b.zeros(6);
      for (const x of a.actions) encodeOne(b, x);
      b.finish(start);
      return;
    }
    case 'set_queue': {
      const start = ofStart(b, 21);
      b.u32(a.queueId);
      b.finish(start);
      return;
    }
    case 'group': {
      const start = ofStart(b, 22);
      b.u32(a.id);
      b.finish(start);
      return;
    }
    case 'meter': {
      const start = ofStart(b, 29);
      b.u32(a.id);
      b.finish(start);
      return;
    }
    case 'ct': {
      // encode_CT(): struct nx_action_conntrack (NXAST_CT) followed by the nested actions.
      const start = nxStart(b, 35);
      b.u16(a.commit ? 1 : 0); // NX_CT_F_COMMIT
      b.u32(a.zone.field.headerOf10);
      b.u16((a.zone.ofs << 6) | (a.zone.nBits - 1)); // nxm_encode_ofs_nbits()
      b.u8(a.table === null ? 255 : a.table); // NX_CT_RECIRC_NONE
      b.zeros(3);
      b.u16(0); // alg
      for (const x of a.actions) encodeOne(b, x);
      b.finish(start);
      return;
    }
    case 'nat': {
      // encode_NAT(): struct nx_action_nat (NXAST_NAT) + the present range fields.
      const start = nxStart(b, 36);
      b.zeros(2);
      let flags = a.kind === 'src' ? 1 : a.kind === 'dst' ? 2 : 0;
      if (a.random) flags |= 16; // NX_NAT_F_PROTO_RANDOM
      b.u16(flags);
      let present = 0;
      if (a.family === 'ipv4' && a.addr) present |= 1; // NX_NAT_RANGE_IPV4_MIN
      if (a.family === 'ipv6' && a.addr) present |= 4; // NX_NAT_RANGE_IPV6_MIN
      if (a.portMin) present |= 16; // NX_NAT_RANGE_PROTO_MIN
      if (a.portMax) present |= 32; // NX_NAT_RANGE_PROTO_MAX
      b.u16(present);
      if (present & 1) b.big(a.addr, 4);
      if (present & 4) b.big(a.addr, 16);
      if (present & 16) b.u16(a.portMin);
      if (present & 32) b.u16(a.portMax);
      b.finish(start);
      return;
    }
    default:
      // controller(), learn(), sample(), check_pkt_larger() inside nested actions: OVN's northd
      // never nests them; refuse rather than invent bytes.
      throw new Error(`cannot serialize ${a.type} inside controller userdata`);
  }
}

/** ofpacts_put_openflow_actions(acts, OFP15_VERSION). */
export function encodeOfpactsOf15(acts: Ofpact[]): Uint8Array {
  const b = new Buf();
  for (const a of acts) encodeOne(b, a);
  return Uint8Array.from(b.bytes);
}
