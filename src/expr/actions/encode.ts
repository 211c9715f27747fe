/**
 * ovnacts_encode(): parsed OVN actions → OpenFlow actions, mirroring every encode_* function of
 * lib/actions.c (OVN 25.03).  Pure given the EncodeParams (table numbers, port map, group/meter
 * allocators, lflow UUID, datapath key, OVS feature flags).
 */
import type { ExprField, OvnAction, GenOption } from '../../../grammar/actions-ast.js';
import { resolveField } from '../index.js';
import { type MfSubfield, mfField, subfield, formatIp6V } from './mf.js';
import { type Ofpact, type OfNat, encodeOfpactsOf15 } from './ofpact.js';
import { ACTION_OPCODE, type OftableConstants } from './tables.js';
import { Bytes, encodeDhcpv4Option, encodeDhcpv6Option, encodeNdRa } from './userdata.js';
import { tokenize, tokenPayload } from '../../../grammar/lexer.js';

/**
 * lib/extend-table.c: ids for group/meter definitions.  The same definition text gets the same id;
 * new ones take the lowest free id from 1.
 */
export class ExtendTable {
  private readonly byName = new Map<string, number>();
  private readonly used = new Set<number>();
  assign(name: string): number {
    const existing = this.byName.get(name);
    if (existing !== undefined) return existing;
    let id = 1;
    while (this.used.has(id)) id++;
    this.used.add(id);
    this.byName.set(name, id);
    return id;
  }
  entries(): { id: number; name: string }[] {
    return [...this.byName].map(([name, id]) => ({ id, name }));
  }
}

/** struct ovnact_encode_params. */
export interface EncodeParams {
  pipeline: 'ingress' | 'egress';
  isSwitch: boolean;
  tables: OftableConstants;
  /** lookup_port(): logical port / multicast group name → tunnel key. */
  ports: Readonly<Record<string, number>>;
  /** tunnel_ofport(): port name → OpenFlow port (fwd_group liveness). Defaults to `ports`. */
  tunnelOfports?: Readonly<Record<string, number>>;
  groups: ExtendTable;
  meters: ExtendTable;
  /** Logical_Flow UUID (its first 32 bits are the cookie). */
  lflowUuid: string;
  dpKey: number;
  /** ingress_ptable/egress_ptable default to the table constants. */
  ingressPtable?: number;
  egressPtable?: number;
  /** output_ptable: ovn-controller uses OUTPUT_INIT in ingress and SAVE_INPORT in egress. */
  outputPtable?: number;
  /** common_nat_ct_zone: the zone register for ct_[ds]nat_in_czone (default the DNAT zone reg11). */
  commonNatCtZone?: 'reg11' | 'reg12';
  /** ctrl_meter_id (NX_CTLR_NO_METER = null). */
  ctrlMeterId?: number | null;
  /** Collector set ids known to OVS (sample() is dropped for others). */
  collectorIds?: readonly number[];
  /** OVS features: ct zero-SNAT (adds nat(src) to ct_commit), datapath meters, dp_hash l4_sym. */
  ctZeroSnat?: boolean;
  dpMeterSupport?: boolean;
  dpHashL4Sym?: boolean;
  /** explicit_arp_ns_output: false adds an implicit output after arp{}/nd_ns{} (older northd). */
  explicitArpNsOutput?: boolean;
}

export interface EncodeResult {
  ofpacts: Ofpact[];
  /** Group definitions this flow uses: `{ id, name }` as ovn-controller installs them. */
  groups: { id: number; name: string }[];
  meters: { id: number; name: string }[];
}

const MLF_LOOKUP_MAC_BIT = 6;
const MLF_LOOKUP_LB_HAIRPIN_BIT = 7;
const MLF_LOOKUP_FDB_BIT = 8;
const MLF_CHECK_PORT_SEC_BIT = 12;
const MLF_LOOKUP_COMMIT_ECMP_NH_BIT = 13;
const MLF_USE_LB_AFF_SESSION_BIT = 14;
const CHASSIS_FLOOD_INDEX_START = 0x8000;

const OFS = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

interface Enc {
  ep: EncodeParams;
  out: Ofpact[];
  groups: { id: number; name: string }[];
  meters: { id: number; name: string }[];
}

/** expr_resolve_field(). */
function resolve(f: ExprField): MfSubfield {
  const r = resolveField(f.symbol, f.ofs, f.symbol.width ? f.nBits : undefined);
  return { field: mfField(r.mf), ofs: r.ofs, nBits: r.nBits };
}

const firstPtable = (ep: EncodeParams, p: 'ingress' | 'egress'): number =>
  p === 'ingress' ? ep.ingressPtable ?? ep.tables.logIngressPipeline : ep.egressPtable ?? ep.tables.logEgressPipeline;

const outputPtable = (ep: EncodeParams): number =>
  ep.outputPtable ?? (ep.pipeline === 'ingress' ? ep.tables.outputInit : ep.tables.saveInport);

const lookupPort = (ep: EncodeParams, name: string): number | null =>
  Object.prototype.hasOwnProperty.call(ep.ports, name) ? ep.ports[name]! : null;

const resubmit = (e: Enc, table: number): void => {
  e.out.push({ type: 'resubmit', table });
};

/** put_load(): set_field of `value` into bits [ofs, ofs+nBits) of `dst`. */
function putLoad(e: Enc, value: bigint, dst: string, ofs: number, nBits: number): void {
  e.out.push({ type: 'set_field', field: mfField(dst), value: (value & OFS(nBits)) << BigInt(ofs), mask: OFS(nBits) << BigInt(ofs) });
}

const move = (e: Enc, src: MfSubfield, dst: MfSubfield): void => {
  e.out.push({ type: 'move', src, dst });
};

interface Arg {
  src: MfSubfield;
  dst: string;
}

/** encode_setup_args(): save destinations, push sources (reverse), pop into destinations. */
function setupArgs(e: Enc, args: Arg[]): void {
  const differs = (a: Arg): boolean => a.src.field !== mfField(a.dst);
  for (const a of args) if (differs(a)) e.out.push({ type: 'push', sf: subfield(a.dst) });
  for (let i = args.length - 1; i >= 0; i--) if (differs(args[i]!)) e.out.push({ type: 'push', sf: args[i]!.src });
  for (const a of args) if (differs(a)) e.out.push({ type: 'pop', sf: subfield(a.dst) });
}

/** encode_restore_args(). */
function restoreArgs(e: Enc, args: Arg[]): void {
  for (let i = args.length - 1; i >= 0; i--) {
    const a = args[i]!;
    if (a.src.field !== mfField(a.dst)) e.out.push({ type: 'pop', sf: subfield(a.dst) });
  }
}

/** encode_start_controller_op() … encode_finish_controller_op(): struct action_header + body. */
function controllerOp(e: Enc, opcode: number, pause: boolean, body?: Bytes | Uint8Array, meterId?: number | null): void {
  const ud = new Bytes().u32(opcode).u32(0);
  if (body) ud.raw(body instanceof Bytes ? body.b : body);
  let meter = meterId === undefined ? e.ep.ctrlMeterId ?? null : meterId;
  if (!e.ep.dpMeterSupport) meter = null;
  e.out.push({ type: 'controller', userdata: Uint8Array.from(ud.b), pause, meterId: meter });
}

/** The OF1.5 NXM/OXM header of a field followed by the bit offset (put_dhcp_opts, dns_lookup, …). */
function dstHeader(f: ExprField): Bytes {
  const sf = resolve(f);
  return new Bytes().u32(sf.field.headerOf15).u32(sf.ofs);
}

/** encode_result_action___(). */
function resultAction(e: Enc, res: ExprField, table: number, dst: string, ofs: number, nBits: number): void {
  const resDst = resolve(res);
  putLoad(e, 0n, dst, ofs, Math.min(nBits, 64));
  if (nBits > 64) putLoad(e, 0n, dst, ofs + 64, nBits - 64);
  resubmit(e, table);
  move(e, subfield(dst, ofs, nBits), resDst);
}

const ctZone = (reg: string): MfSubfield => subfield(reg, 0, 16);

function encodeNested(e: Enc, acts: OvnAction[]): Ofpact[] {
  const inner: Enc = { ep: e.ep, out: [], groups: e.groups, meters: e.meters };
  for (const a of acts) encodeOne(inner, a);
  return inner.out;
}

/** encode_nested_actions(): nested actions as OF1.5 bytes in controller userdata. */
function nestedController(e: Enc, acts: OvnAction[], opcode: number): void {
  const inner = encodeNested(e, acts);
  const pause = opcode === ACTION_OPCODE.ARP || opcode === ACTION_OPCODE.ND_NS;
  controllerOp(e, opcode, pause, encodeOfpactsOf15(inner));
}

function assignGroup(e: Enc, name: string): void {
  const id = e.ep.groups.assign(name);
  if (!e.groups.some((g) => g.id === id)) e.groups.push({ id, name });
  e.out.push({ type: 'group', id });
}

function assignMeter(e: Enc, name: string): number {
  const id = e.ep.meters.assign(name);
  if (!e.meters.some((m) => m.id === id)) e.meters.push({ id, name });
  return id;
}

const ip4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');

function uuidParts(uuid: string): number[] {
  const hex = uuid.replace(/-/g, '');
  return [0, 8, 16, 24].map((i) => parseInt(hex.slice(i, i + 8) || '0', 16) >>> 0);
}

/** UUID_FMT of the lflow UUID. */
function uuidFmt(uuid: string): string {
  const h = uuid.replace(/-/g, '').toLowerCase().padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * commit_ecmp_learn_action(), as learn_format() prints it.  `wire` gives the text after the
 * OpenFlow round trip, where the swapped source subfields get their real width.
 */
function ecmpLearn(ep: EncodeParams, nwConn: boolean, ipv6: boolean, proto: number, wire = false): string {
  const ipS = ipv6 ? 'NXM_NX_IPV6_SRC[]' : 'NXM_OF_IP_SRC[]';
  const ipD = ipv6 ? 'NXM_NX_IPV6_DST[]' : 'NXM_OF_IP_DST[]';
  const tp = proto === 6 ? ['NXM_OF_TCP_SRC[]', 'NXM_OF_TCP_DST[]'] : proto === 17 ? ['NXM_OF_UDP_SRC[]', 'NXM_OF_UDP_DST[]'] : ['OXM_OF_SCTP_SRC[]', 'OXM_OF_SCTP_DST[]'];
  // The non-nw_conn specs leave src.n_bits = 0, which mf_format_subfield prints as [0..-1].
  const swapped = (dst: string, src: string): string => `${dst}=${wire ? src : src.replace('[]', '[0..-1]')}`;
  const parts = [
    `table=${nwConn ? ep.tables.ecmpNhMac : ep.tables.ecmpNh}`, 'idle_timeout=20', 'hard_timeout=30', 'delete_learned',
    'OXM_OF_METADATA[]',
  ];
  if (nwConn) parts.push('NXM_OF_ETH_SRC[]');
  parts.push(`eth_type=${ipv6 ? '0x86dd' : '0x800'}`);
  parts.push(nwConn ? ipS : swapped(ipS, ipD), nwConn ? ipD : swapped(ipD, ipS));
  parts.push(`nw_proto=${proto}`);
  parts.push(nwConn ? tp[0]! : swapped(tp[0]!, tp[1]!), nwConn ? tp[1]! : swapped(tp[1]!, tp[0]!));
  parts.push(`load:0x1->NXM_NX_REG10[${MLF_LOOKUP_COMMIT_ECMP_NH_BIT}]`);
  return parts.join(',');
}

function encodeOne(e: Enc, a: OvnAction): void {
  const ep = e.ep;
  const t = ep.tables;
  switch (a.type) {
    case 'OUTPUT':
      resubmit(e, outputPtable(ep));
      return;
    case 'NEXT':
      resubmit(e, firstPtable(ep, a.pipeline) + a.ltable);
      return;
    case 'LOAD': {
      const c = a.imm;
      const dst = resolve(a.dst);
      if (a.dst.symbol.width) {
        const v = c.kind === 'int' ? c.value : 0n;
        const m = c.kind === 'int' && c.mask !== null ? c.mask : OFS(dst.nBits);
        e.out.push({
          type: 'set_field', field: dst.field,
          value: (v & OFS(dst.nBits)) << BigInt(dst.ofs), mask: (m & OFS(dst.nBits)) << BigInt(dst.ofs),
        });
      } else {
        const port = (c.kind === 'str' ? lookupPort(ep, c.s) : null) ?? 0;
        e.out.push({ type: 'set_field', field: dst.field, value: BigInt(port), mask: OFS(dst.field.nBits) });
      }
      return;
    }
    case 'OVNFIELD_LOAD': {
      // encode_OVNFIELD_LOAD(): a note carrying struct ovn_field_note_header + value.
      const v = a.imm.kind === 'int' ? a.imm.value : 0n;
      const icmp6 = a.dst.symbol.name === 'icmp6.frag_mtu';
      const b = new Bytes().raw([0x6f, 0x76, 0x6e, 0x00]).u16(icmp6 ? 1 : 0).u16(0);
      b.big(v, icmp6 ? 4 : 2);
      e.out.push({ type: 'note', data: Uint8Array.from(b.b) });
      return;
    }
    case 'MOVE':
      move(e, resolve(a.rhs), resolve(a.lhs));
      return;
    case 'EXCHANGE':
      e.out.push({ type: 'push', sf: resolve(a.rhs) }, { type: 'push', sf: resolve(a.lhs) });
      e.out.push({ type: 'pop', sf: resolve(a.rhs) }, { type: 'pop', sf: resolve(a.lhs) });
      return;
    case 'PUSH':
      e.out.push({ type: 'push', sf: resolve(a.field) });
      return;
    case 'POP':
      e.out.push({ type: 'pop', sf: resolve(a.field) });
      return;
    case 'DEC_TTL':
      e.out.push({ type: 'dec_ttl' });
      return;
    case 'CT_NEXT':
      e.out.push({
        type: 'ct', commit: false, table: firstPtable(ep, ep.pipeline) + a.ltable,
        zone: ctZone(ep.isSwitch ? 'reg13' : a.dnatZone ? 'reg11' : 'reg12'), actions: [],
      });
      return;
    case 'CT_COMMIT_V2': {
      const acts: Ofpact[] = [];
      if (ep.ctZeroSnat) acts.push({ type: 'nat', kind: 'src', family: null, addr: 0n, portMin: 0, portMax: 0, random: false });
      acts.push(...encodeNested(e, a.nested));
      e.out.push({ type: 'ct', commit: true, table: null, zone: ctZone(ep.isSwitch ? 'reg13' : 'reg11'), actions: acts });
      return;
    }
    case 'CT_DNAT':
    case 'CT_SNAT':
    case 'CT_DNAT_IN_CZONE':
    case 'CT_SNAT_IN_CZONE': {
      // encode_ct_nat()
      const zone = a.type === 'CT_DNAT' ? 'reg11' : a.type === 'CT_SNAT' ? 'reg12' : ep.commonNatCtZone ?? 'reg11';
      const nat: OfNat = {
        type: 'nat', kind: a.natType, family: a.family, addr: a.ip,
        portMin: a.portRange?.lo ?? 0, portMax: a.portRange?.hi ?? 0, random: false,
      };
      if (a.portRange && nat.portMin && nat.portMax) nat.random = true;
      e.out.push({ type: 'ct', commit: a.commit, table: a.ltable + firstPtable(ep, ep.pipeline), zone: ctZone(zone), actions: [nat] });
      return;
    }
    case 'CT_COMMIT_NAT':
    case 'CT_COMMIT_TO_ZONE': {
      const zone = ep.isSwitch ? 'reg13' : a.dnatZone ? 'reg11' : 'reg12';
      const acts: Ofpact[] = a.doNat ? [{ type: 'nat', kind: null, family: null, addr: 0n, portMin: 0, portMax: 0, random: false }] : [];
      e.out.push({ type: 'ct', commit: true, table: a.ltable + firstPtable(ep, ep.pipeline), zone: ctZone(zone), actions: acts });
      return;
    }
    case 'CT_LB':
    case 'CT_LB_MARK': {
      const recirc = a.ltable + firstPtable(ep, ep.pipeline);
      if (!a.dsts.length) {
        e.out.push({
          type: 'ct', commit: false, table: recirc, zone: ctZone(ep.isSwitch ? 'reg13' : 'reg11'),
          actions: [{ type: 'nat', kind: null, family: null, addr: 0n, portMin: 0, portMax: 0, random: false }],
        });
        return;
      }
      const zoneReg = ep.isSwitch ? 13 : 11;
      const flagReg = a.type === 'CT_LB_MARK' ? 'ct_mark' : 'ct_label';
      const flag = a.ctFlag === 'skip_snat' ? '4/4' : a.ctFlag === 'force_snat' ? '8/8' : null;
      let s = `type=select,selection_method=${a.hashFields ? 'hash' : 'dp_hash'}`;
      if (a.hashFields) s += `,fields(${a.hashFields})`;
      a.dsts.forEach((d, i) => {
        const addr = d.family === 'ipv4' ? ip4(d.ip) : formatIp6V(d.ip);
        const br = d.family === 'ipv6' && d.port;
        s += `,bucket=bucket_id=${i},weight:100,actions=ct(nat(dst=${br ? '[' : ''}${addr}${br ? ']' : ''}`;
        if (d.port) s += `:${d.port}`;
        s += `),commit,table=${recirc},zone=NXM_NX_REG${zoneReg}[0..15],exec(set_field:2/2->${flagReg}`;
        if (flag) s += `,set_field:${flag}->${flagReg}`;
        s += '))';
      });
      assignGroup(e, s);
      return;
    }
    case 'SELECT': {
      const table = a.ltable + firstPtable(ep, ep.pipeline);
      let s = `type=select,selection_method=${a.hashFields ? 'hash' : 'dp_hash'}`;
      if (a.hashFields) s += `,fields(${a.hashFields})`;
      if (ep.dpHashL4Sym && !a.hashFields) s += ',selection_method_param=0x100000000';
      const sf = resolve(a.resField);
      a.dsts.forEach((d, i) => {
        s += `,bucket=bucket_id=${i},weight:${d.weight},actions=`;
        s += `load:${d.id}->${sf.field.name}[${sf.ofs}..${sf.ofs + sf.nBits - 1}],`;
        s += `resubmit(,${table})`;
      });
      assignGroup(e, s);
      return;
    }
    case 'CT_CLEAR':
      e.out.push({ type: 'ct_clear' });
      return;
    case 'ARP':
      nestedController(e, a.nested, ACTION_OPCODE.ARP);
      if (ep.explicitArpNsOutput === false) resubmit(e, outputPtable(ep));
      return;
    case 'ND_NS':
      nestedController(e, a.nested, ACTION_OPCODE.ND_NS);
      if (ep.explicitArpNsOutput === false) resubmit(e, outputPtable(ep));
      return;
    case 'ICMP4':
    case 'ICMP6':
      nestedController(e, a.nested, ACTION_OPCODE.ICMP);
      return;
    case 'ICMP4_ERROR':
      nestedController(e, a.nested, ACTION_OPCODE.ICMP4_ERROR);
      return;
    case 'ICMP6_ERROR':
      nestedController(e, a.nested, ACTION_OPCODE.ICMP6_ERROR);
      return;
    case 'TCP_RESET':
      nestedController(e, a.nested, ACTION_OPCODE.TCP_RESET);
      return;
    case 'SCTP_ABORT':
      nestedController(e, a.nested, ACTION_OPCODE.SCTP_ABORT);
      return;
    case 'REJECT':
      nestedController(e, a.nested, ACTION_OPCODE.REJECT);
      return;
    case 'ND_NA':
      nestedController(e, a.nested, ACTION_OPCODE.ND_NA);
      return;
    case 'ND_NA_ROUTER':
      nestedController(e, a.nested, ACTION_OPCODE.ND_NA_ROUTER);
      return;
    case 'CLONE':
      e.out.push({ type: 'clone', actions: encodeNested(e, a.nested) });
      return;
    case 'IGMP':
      controllerOp(e, ACTION_OPCODE.IGMP, false);
      return;
    case 'GET_ARP':
    case 'GET_ND': {
      const args: Arg[] = [{ src: resolve(a.port), dst: 'reg15' }, { src: resolve(a.ip), dst: a.type === 'GET_ARP' ? 'reg0' : 'xxreg1' }];
      setupArgs(e, args);
      putLoad(e, 0n, 'eth_dst', 0, 48);
      resubmit(e, t.macBinding);
      restoreArgs(e, args);
      return;
    }
    case 'PUT_ARP':
    case 'PUT_ND': {
      const args: Arg[] = [
        { src: resolve(a.port), dst: 'reg14' },
        { src: resolve(a.ip), dst: a.type === 'PUT_ARP' ? 'reg0' : 'xxreg0' },
        { src: resolve(a.mac), dst: 'eth_src' },
      ];
      setupArgs(e, args);
      controllerOp(e, a.type === 'PUT_ARP' ? ACTION_OPCODE.PUT_ARP : ACTION_OPCODE.PUT_ND, false);
      restoreArgs(e, args);
      return;
    }
    case 'LOOKUP_ARP':
    case 'LOOKUP_ND': {
      const args: Arg[] = [
        { src: resolve(a.port), dst: 'reg14' },
        { src: resolve(a.ip), dst: a.type === 'LOOKUP_ARP' ? 'reg0' : 'xxreg0' },
        { src: resolve(a.mac), dst: 'eth_src' },
      ];
      setupArgs(e, args);
      putLoad(e, 0n, 'reg10', MLF_LOOKUP_MAC_BIT, 1);
      resubmit(e, t.macLookup);
      move(e, subfield('reg10', MLF_LOOKUP_MAC_BIT, 1), resolve(a.dst));
      restoreArgs(e, args);
      return;
    }
    case 'LOOKUP_ARP_IP':
    case 'LOOKUP_ND_IP': {
      const args: Arg[] = [
        { src: resolve(a.port), dst: 'reg15' },
        { src: resolve(a.ip), dst: a.type === 'LOOKUP_ARP_IP' ? 'reg0' : 'xxreg1' },
      ];
      setupArgs(e, args);
      e.out.push({ type: 'push', sf: subfield('eth_dst') });
      putLoad(e, 0n, 'reg10', MLF_LOOKUP_MAC_BIT, 1);
      resubmit(e, t.macBinding);
      move(e, subfield('reg10', MLF_LOOKUP_MAC_BIT, 1), resolve(a.dst));
      e.out.push({ type: 'pop', sf: subfield('eth_dst') });
      restoreArgs(e, args);
      return;
    }
    case 'PUT_DHCPV4_OPTS': {
      const b = dstHeader(a.dst);
      const find = (code: number): GenOption | undefined => a.options.find((o) => o.option.code === code);
      const offer = find(0);
      const ov = offer?.value.values[0];
      b.big(ov && ov.kind === 'int' ? ov.value : 0n, 4);
      const boot = find(67);
      const bootAlt = find(254);
      const nextServer = find(253);
      for (const o of [boot, bootAlt]) {
        const c = o?.value.values[0];
        if (o && c) {
          const s = c.kind === 'str' ? c.s : '';
          b.u8(o.option.code).u8(Buffer.byteLength(s)).str(s);
        }
      }
      if (nextServer) {
        const c = nextServer.value.values[0];
        b.u8(nextServer.option.code).u8(4).big(c && c.kind === 'int' ? c.value : 0n, 4);
      }
      for (const o of a.options) {
        if (o !== offer && o !== boot && o !== bootAlt && o !== nextServer) encodeDhcpv4Option(o, b);
      }
      controllerOp(e, ACTION_OPCODE.PUT_DHCP_OPTS, true, b);
      return;
    }
    case 'PUT_DHCPV6_OPTS': {
      const b = dstHeader(a.dst);
      for (const o of a.options) encodeDhcpv6Option(o, b);
      controllerOp(e, ACTION_OPCODE.PUT_DHCPV6_OPTS, true, b);
      return;
    }
    case 'PUT_ND_RA_OPTS': {
      const b = dstHeader(a.dst);
      encodeNdRa(a.options, b, parseIp6Text);
      controllerOp(e, ACTION_OPCODE.PUT_ND_RA_OPTS, true, b);
      return;
    }
    case 'DNS_LOOKUP':
      controllerOp(e, ACTION_OPCODE.DNS_LOOKUP, true, dstHeader(a.dst));
      return;
    case 'CHK_LB_HAIRPIN':
      resultAction(e, a.dst, t.chkLbHairpin, 'reg10', MLF_LOOKUP_LB_HAIRPIN_BIT, 1);
      return;
    case 'CHK_LB_HAIRPIN_REPLY':
      resultAction(e, a.dst, t.chkLbHairpinReply, 'reg10', MLF_LOOKUP_LB_HAIRPIN_BIT, 1);
      return;
    case 'CHECK_IN_PORT_SEC':
      resultAction(e, a.dst, t.chkInPortSec, 'reg10', MLF_CHECK_PORT_SEC_BIT, 1);
      return;
    case 'CHECK_OUT_PORT_SEC':
      resultAction(e, a.dst, t.chkOutPortSec, 'reg10', MLF_CHECK_PORT_SEC_BIT, 1);
      return;
    case 'CHK_ECMP_NH_MAC':
      resultAction(e, a.dst, t.ecmpNhMac, 'reg10', MLF_LOOKUP_COMMIT_ECMP_NH_BIT, 1);
      return;
    case 'CHK_ECMP_NH':
      resultAction(e, a.dst, t.ecmpNh, 'reg10', MLF_LOOKUP_COMMIT_ECMP_NH_BIT, 1);
      return;
    case 'CHK_LB_AFF':
      resultAction(e, a.dst, t.chkLbAffinity, 'reg10', MLF_USE_LB_AFF_SESSION_BIT, 1);
      return;
    case 'CT_ORIG_NW_DST':
      // MFF_LOG_CT_ORIG_NW_DST_ADDR = reg1 in 25.03.
      resultAction(e, a.dst, t.ctOrigNwDstLoad, 'reg1', 0, 32);
      return;
    case 'CT_ORIG_IP6_DST':
      // MFF_LOG_CT_ORIG_IP6_DST_ADDR = xxreg1.
      resultAction(e, a.dst, t.ctOrigIp6DstLoad, 'xxreg1', 0, 128);
      return;
    case 'CT_ORIG_TP_DST':
      // MFF_LOG_CT_ORIG_TP_DST_PORT = reg2[0..15].
      resultAction(e, a.dst, t.ctOrigTpDstLoad, 'reg2', 0, 16);
      return;
    case 'SET_QUEUE':
      e.out.push({ type: 'set_queue', queueId: a.queueId });
      return;
    case 'LOG': {
      let meterId: number | null = null;
      if (a.meter !== null) meterId = assignMeter(e, a.meter);
      const b = new Bytes().u8(a.verdict).u8(a.severity);
      if (a.name !== null) b.str(a.name);
      controllerOp(e, ACTION_OPCODE.LOG, false, b, meterId);
      return;
    }
    case 'SET_METER': {
      const u = uuidFmt(ep.lflowUuid);
      const name = a.burst
        ? `__string: uuid ${u} kbps burst stats bands=type=drop rate=${a.rate} burst_size=${a.burst}`
        : `__string: uuid ${u} kbps stats bands=type=drop rate=${a.rate}`;
      e.out.push({ type: 'meter', id: assignMeter(e, name) });
      return;
    }
    case 'TRIGGER_EVENT': {
      const b = new Bytes().u32(a.eventType);
      for (const o of a.options) {
        const c = o.value.values[0];
        const s = c && c.kind === 'str' ? c.s : '';
        b.u16(o.option.code).u16(Buffer.byteLength(s)).str(s);
      }
      controllerOp(e, ACTION_OPCODE.EVENT, false, b);
      return;
    }
    case 'CHECK_PKT_LARGER':
      e.out.push({ type: 'check_pkt_larger', pktLen: a.pktLen, dst: resolve(a.dst) });
      return;
    case 'BIND_VPORT': {
      const key = lookupPort(ep, a.vport);
      if (key === null) return;
      const args: Arg[] = [{ src: resolve(a.vportParent), dst: 'reg14' }];
      setupArgs(e, args);
      controllerOp(e, ACTION_OPCODE.BIND_VPORT, false, new Bytes().u32(key));
      restoreArgs(e, args);
      return;
    }
    case 'HANDLE_SVC_CHECK': {
      const args: Arg[] = [{ src: resolve(a.port), dst: 'reg14' }];
      setupArgs(e, args);
      controllerOp(e, ACTION_OPCODE.HANDLE_SVC_CHECK, false);
      restoreArgs(e, args);
      return;
    }
    case 'FWD_GROUP': {
      if (!a.childPorts.length) return;
      let s = 'type=select,selection_method=dp_hash';
      for (const name of a.childPorts) {
        const key = lookupPort(ep, name);
        if (key === null) return;
        s += ',bucket=';
        if (a.liveness) {
          const ofports = ep.tunnelOfports ?? ep.ports;
          if (!Object.prototype.hasOwnProperty.call(ofports, name)) return;
          s += `watch_port:${ofports[name]},`;
        }
        // actions.c prints the key with "0x%d": a decimal number behind a hex prefix.
        s += `load=0x${key}->NXM_NX_REG15[0..15],resubmit(,${outputPtable(ep)})`;
      }
      assignGroup(e, s);
      return;
    }
    case 'DHCP6_REPLY':
      controllerOp(e, ACTION_OPCODE.DHCP6_SERVER, false);
      return;
    case 'BFD_MSG':
      controllerOp(e, ACTION_OPCODE.BFD_MSG, false);
      return;
    case 'CT_SNAT_TO_VIP':
      resubmit(e, t.ctSnatHairpin);
      return;
    case 'PUT_FDB': {
      const args: Arg[] = [{ src: resolve(a.port), dst: 'reg14' }, { src: resolve(a.mac), dst: 'eth_src' }];
      setupArgs(e, args);
      controllerOp(e, ACTION_OPCODE.PUT_FDB, false);
      restoreArgs(e, args);
      return;
    }
    case 'GET_FDB': {
      const dst = resolve(a.dst);
      const args: Arg[] = [{ src: resolve(a.mac), dst: 'eth_dst' }];
      setupArgs(e, args);
      putLoad(e, 0n, 'reg15', 0, 32);
      resubmit(e, t.getFdb);
      restoreArgs(e, args);
      if (dst.field !== mfField('reg15')) move(e, subfield('reg15'), dst);
      return;
    }
    case 'LOOKUP_FDB': {
      const args: Arg[] = [{ src: resolve(a.port), dst: 'reg14' }, { src: resolve(a.mac), dst: 'eth_src' }];
      setupArgs(e, args);
      putLoad(e, 0n, 'reg10', MLF_LOOKUP_FDB_BIT, 1);
      resubmit(e, t.lookupFdb);
      restoreArgs(e, args);
      move(e, subfield('reg10', MLF_LOOKUP_FDB_BIT, 1), resolve(a.dst));
      return;
    }
    case 'COMMIT_ECMP_NH':
      e.out.push({ type: 'learn', text: ecmpLearn(ep, true, a.ipv6, a.proto) });
      e.out.push({ type: 'learn', text: ecmpLearn(ep, false, a.ipv6, a.proto), wireText: ecmpLearn(ep, false, a.ipv6, a.proto, true) });
      return;
    case 'COMMIT_LB_AFF': {
      // encode_COMMIT_LB_AFF(), as learn_format() prints it (hard_timeout 0 and the default
      // priority are not printed).
      const parts = [
        `table=${t.chkLbAffinity}`, `idle_timeout=${a.timeout}`, 'delete_learned',
        `cookie=0x${uuidParts(ep.lflowUuid)[0]!.toString(16)}`, 'OXM_OF_METADATA[]',
        `eth_type=${a.ipv6 ? '0x86dd' : '0x800'}`, a.ipv6 ? 'NXM_NX_IPV6_SRC[]' : 'NXM_OF_IP_SRC[]',
        a.ipv6 ? `ipv6_dst=${formatIp6V(a.vip)}` : `ip_dst=${ip4(a.vip & 0xffffffffn)}`,
      ];
      if (a.proto) {
        parts.push(`nw_proto=${a.proto}`);
        const f = a.proto === 6 ? 'tcp_dst' : a.proto === 17 ? 'udp_dst' : 'sctp_dst';
        parts.push(`${f}=${a.vipPort}`);
      }
      parts.push(`load:0x1->NXM_NX_REG10[${MLF_USE_LB_AFF_SESSION_BIT}]`);
      if (a.ipv6) parts.push(`load:0x${a.backend.toString(16)}->NXM_NX_XXREG1[]`);
      else parts.push(`load:0x${(a.backend & 0xffffffffn).toString(16)}->NXM_NX_REG4[]`);
      if (a.backendPort) parts.push(`load:0x${a.backendPort.toString(16)}->NXM_NX_REG2[0..15]`);
      e.out.push({ type: 'learn', text: parts.join(',') });
      return;
    }
    case 'SAMPLE': {
      if (!ep.collectorIds || !ep.collectorIds.includes(a.collectorSetId)) return;
      e.out.push({
        type: 'sample', probability: a.probability, collectorSetId: a.collectorSetId,
        obsDomainId: ((a.obsDomainId << 24) | (ep.dpKey & 0xffffff)) >>> 0,
        obsPointImm: a.useCookie ? uuidParts(ep.lflowUuid)[0]! : a.obsPointId,
        obsPointSrc: !a.useCookie && a.obsPointSrc ? resolve(a.obsPointSrc) : null,
      });
      return;
    }
    case 'MAC_CACHE_USE':
      resubmit(e, t.macCacheUse);
      return;
    case 'FLOOD_REMOTE':
      putLoad(e, BigInt(CHASSIS_FLOOD_INDEX_START), 'reg6', 0, 32);
      resubmit(e, t.floodRemoteChassis);
      return;
    case 'DHCPV4_RELAY_REQ_CHK':
    case 'DHCPV4_RELAY_RESP_CHK': {
      const b = dstHeader(a.dst).big(a.relay, 4).big(a.server, 4);
      controllerOp(e, a.type === 'DHCPV4_RELAY_REQ_CHK' ? ACTION_OPCODE.DHCP_RELAY_REQ_CHK : ACTION_OPCODE.DHCP_RELAY_RESP_CHK, true, b);
      return;
    }
  }
}

function parseIp6Text(s: string): bigint | null {
  const toks = tokenize(s);
  if (toks.length !== 1) return null;
  const p = tokenPayload(toks[0]!);
  return toks[0]!.tokenType.name === 'Integer' && p.format === 'IPv6' ? p.value! : null;
}

/** ovnacts_encode(). */
export function encodeOvnActions(acts: OvnAction[], ep: EncodeParams): EncodeResult {
  const e: Enc = { ep, out: [], groups: [], meters: [] };
  for (const a of acts) encodeOne(e, a);
  return { ofpacts: e.out, groups: e.groups, meters: e.meters };
}
