/**
 * The flows of controller/physical.c (OVN 25.03) that do not come from logical flows: physical
 * input (table 0), output tables 40–44, egress end 64/65, port security 73–75, CT zone lookup 80
 * and the ct-original-destination loaders 81–83. Text forms were checked against the real
 * ovn-controller 25.03 dump in shared/reference/ovn-ground-truth/v25.03.0/openflow-br-int.txt.
 */
import { mfField } from '../expr/actions/mf.js';
import type { Ofpact } from '../expr/actions/ofpact.js';
import type { OftableConstants } from '../expr/actions/tables.js';
import type { OfAction, OfFlow, OfMatch, OfProvenance } from './types.js';
import { formatOfMatch } from './format.js';

/** The physical tables that controller/lflow.h declares but OftableConstants (action encoder) does not need. */
export interface PhysTables {
  phyToLog: number;
  outputLargePktDetect: number;
  outputLargePktProcess: number;
  remoteOutput: number;
  localOutput: number;
  checkLoopback: number;
}
/** OVN 25.03.0 controller/lflow.h (ovn-internals.md §6). */
export const PHYS_TABLES_25_03: PhysTables = {
  phyToLog: 0, outputLargePktDetect: 40, outputLargePktProcess: 41, remoteOutput: 42, localOutput: 43, checkLoopback: 44,
};

/** Logical registers (include/ovn/logical-fields.h, 25.03). */
export const LOG_REG = {
  inport: 'reg14', outport: 'reg15', flags: 'reg10', dnatZone: 'reg11', snatZone: 'reg12', ctZone: 'reg13',
  /** MFF_LOG_FLAGS bits */
  flagLoopback: 0x1n, flagPortSecDrop: 0x1000n,
} as const;

const U32 = 0xffffffffn;
const exact = (v: number | bigint, bits = 32): { value: bigint; mask: bigint } => ({ value: BigInt(v), mask: (1n << BigInt(bits)) - 1n });
export const setReg = (reg: string, value: bigint | number, mask?: bigint): Ofpact => ({ type: 'set_field', field: mfField(reg), value: BigInt(value), mask: mask ?? U32 });
export const setMeta = (v: number): Ofpact => ({ type: 'set_field', field: mfField('metadata'), value: BigInt(v), mask: (1n << 64n) - 1n });
export const resubmit = (table: number): Ofpact => ({ type: 'resubmit', table });

export function mkFlow(table: number, priority: number, cookie: number, match: OfMatch, actions: OfAction[], prov: OfProvenance): OfFlow {
  return { table, priority, cookie, match, actions, text: formatOfMatch(match), provenance: [prov] };
}

export interface PhysPort {
  name: string;
  datapath: string;
  dpKey: number;
  portKey: number;
  kind: 'vif' | 'patch' | 'localnet';
  ofport?: number;
  zone?: number;
  cookie: number;
  /** patch: peer port and its datapath */
  peer?: { name: string; dpKey: number; portKey: number; datapath: string; zone?: number };
  portSecurity: string[];
  rows: string[];
}

export interface PhysDatapath {
  name: string;
  key: number;
  dnat: number;
  snat: number;
}

export interface PhysMcGroup {
  datapath: string;
  dpKey: number;
  name: string;
  key: number;
  cookie: number;
  /** member ports (local ones), in SB order */
  members: PhysPort[];
}

/** Fixed flows of every chassis. */
export function fixedFlows(T: OftableConstants, P: PhysTables): OfFlow[] {
  const fx = (reason: string): OfProvenance => ({ kind: 'fixed', reason });
  const zeroRegs: Ofpact[] = Array.from({ length: 10 }, (_, i) => setReg(`reg${i}`, 0));
  const ctNwDst: OfAction[] = [{ type: 'move_phys', src: 'NXM_NX_CT_NW_DST[]', dst: 'NXM_NX_REG1[]' }];
  return [
    mkFlow(P.phyToLog, 0, 0, {}, [], fx('physical input: unknown in_port')),
    mkFlow(P.outputLargePktDetect, 0, 0, {}, [resubmit(P.remoteOutput)], fx('output: no large-packet check')),
    mkFlow(P.outputLargePktProcess, 10, 0, { reg10: { value: 1n, mask: 1n } }, [resubmit(P.localOutput)], fx('output: loopback flag skips remote output')),
    mkFlow(P.outputLargePktProcess, 0, 0, {}, [resubmit(P.remoteOutput)], fx('output: default')),
    mkFlow(P.remoteOutput, 150, 0, { reg10: { value: 0x10n, mask: 0x10n } }, [resubmit(P.localOutput)], fx('remote output: MLF_LOCAL_ONLY (reg10 bit 4) set, the packet stays on this chassis')),
    mkFlow(P.remoteOutput, 150, 0, { reg10: { value: 0x2n, mask: 0x3n } }, [resubmit(P.localOutput)], fx('remote output: MLF_RCV_FROM_RAMP (reg10 bit 1) without MLF_ALLOW_LOOPBACK, not sent back to a tunnel')),
    mkFlow(P.remoteOutput, 0, 0, {}, [resubmit(P.localOutput)], fx('remote output: default to local output')),
    mkFlow(P.localOutput, 0, 0, {}, [], fx('local output: unknown outport')),
    mkFlow(P.checkLoopback, 0, 0, {}, [...zeroRegs, resubmit(T.logEgressPipeline)], fx('check loopback: clear registers, enter egress')),
    mkFlow(T.saveInport, 0, 0, {}, [resubmit(T.logToPhy)], fx('save inport: default')),
    mkFlow(T.logToPhy, 0, 0, {}, [], fx('log to phy: unknown outport')),
    mkFlow(T.ctZoneLookup, 0, 0, {}, [resubmit(T.logIngressPipeline)], fx('ct zone lookup: default')),
    mkFlow(T.ctOrigNwDstLoad, 100, 0, { ct_state: { value: 0x22n, mask: 0x22n }, dl_type: exact(0x800, 16) }, ctNwDst, fx('load ct original IPv4 destination')),
    mkFlow(T.ctOrigIp6DstLoad, 100, 0, { ct_state: { value: 0x22n, mask: 0x22n }, dl_type: exact(0x86dd, 16) },
      [{ type: 'move_phys', src: 'NXM_NX_CT_IPV6_DST[]', dst: 'NXM_NX_XXREG1[]' }], fx('load ct original IPv6 destination')),
    mkFlow(T.ctOrigTpDstLoad, 100, 0, { ct_state: { value: 0x22n, mask: 0x22n } },
      [{ type: 'move_phys', src: 'NXM_NX_CT_TP_DST[]', dst: 'NXM_NX_REG2[0..15]' }], fx('load ct original L4 destination')),
  ];
}

const zoneLoads = (p: PhysPort, dp: PhysDatapath): Ofpact[] => [
  ...(p.zone !== undefined ? [setReg(LOG_REG.ctZone, p.zone, 0xffffn)] : []),
  setReg(LOG_REG.dnatZone, dp.dnat),
  setReg(LOG_REG.snatZone, dp.snat),
];

/** Flows of one local port binding (VIF, patch/l3gateway). */
export function portFlows(p: PhysPort, dps: ReadonlyMap<string, PhysDatapath>, T: OftableConstants, P: PhysTables): OfFlow[] {
  const dp = dps.get(p.datapath)!;
  const out: OfFlow[] = [];
  const prov = (reason: string): OfProvenance => ({ kind: 'port', port: p.name, datapath: p.datapath, reason, rows: p.rows, objects: [] });
  const md = { metadata: exact(p.dpKey, 64) };
  if (p.kind === 'localnet') return out;
  if (p.kind === 'vif' && p.ofport !== undefined) {
    out.push(mkFlow(P.phyToLog, 100, p.cookie, { in_port: exact(p.ofport) }, [
      ...zoneLoads(p, dp), setMeta(p.dpKey), setReg(LOG_REG.inport, p.portKey), setReg(LOG_REG.ctZone, 0n, 0xffff0000n), resubmit(T.logIngressPipeline),
    ], prov('physical input: VIF ofport → logical inport')));
    out.push(mkFlow(T.ctZoneLookup, 100, p.cookie, { reg14: exact(p.portKey), ...md }, [...zoneLoads(p, dp), resubmit(T.logIngressPipeline)], prov('ct zone lookup')));
  }
  out.push(mkFlow(P.localOutput, 100, p.cookie, { reg15: exact(p.portKey), ...md }, [...zoneLoads(p, dp), resubmit(P.checkLoopback)], prov('local output: set zones')));
  out.push(mkFlow(P.checkLoopback, 100, p.cookie, { reg10: { value: 0n, mask: 1n }, reg14: exact(p.portKey), reg15: exact(p.portKey), ...md }, [], prov('check loopback: drop hairpin to inport')));
  out.push(mkFlow(T.saveInport, 100, p.cookie, { reg10: { value: 1n, mask: 1n }, reg15: exact(p.portKey), ...md }, [
    { type: 'push_phys', nxm: 'NXM_OF_IN_PORT[]' }, { type: 'set_phys', field: 'in_port', value: 0xffffn }, resubmit(T.logToPhy), { type: 'pop_phys', nxm: 'NXM_OF_IN_PORT[]' },
  ], prov('save inport: allow loopback')));
  if (p.kind === 'vif' && p.ofport !== undefined) {
    out.push(mkFlow(T.logToPhy, 100, p.cookie, { reg15: exact(p.portKey), ...md }, [{ type: 'output', port: p.ofport }], prov('log to phy: deliver to VIF')));
  } else if (p.kind === 'patch' && p.peer) {
    const pdp = dps.get(p.peer.datapath);
    if (pdp) {
      out.push(mkFlow(T.logToPhy, 100, p.cookie, { reg15: exact(p.portKey), ...md }, [{
        type: 'clone',
        actions: [
          { type: 'ct_clear' }, setReg(LOG_REG.dnatZone, 0), setReg(LOG_REG.snatZone, 0), setReg(LOG_REG.ctZone, 0, 0xffffn),
          ...(p.peer.zone !== undefined ? [setReg(LOG_REG.ctZone, p.peer.zone, 0xffffn)] : []),
          setReg(LOG_REG.dnatZone, pdp.dnat), setReg(LOG_REG.snatZone, pdp.snat), setMeta(p.peer.dpKey), setReg(LOG_REG.inport, p.peer.portKey),
          setReg(LOG_REG.flags, 0), setReg(LOG_REG.outport, 0), ...Array.from({ length: 10 }, (_, i) => setReg(`reg${i}`, 0)), resubmit(T.logIngressPipeline),
        ],
      }], prov(`log to phy: patch to ${p.peer.name}`)));
    }
  }
  if (p.kind === 'vif') out.push(...portSecurityFlows(p, T));
  return out;
}

/** Multicast group flows (consider_mc_group): local members in LOCAL_OUTPUT, patch members in REMOTE_OUTPUT. */
export function mcGroupFlows(g: PhysMcGroup, T: OftableConstants, P: PhysTables, tunnels: number[] = []): OfFlow[] {
  void T;
  const prov: OfProvenance = { kind: 'mcgroup', datapath: g.datapath, group: g.name, reason: 'multicast group flood' };
  const md = { reg15: exact(g.key), metadata: exact(g.dpKey, 64) };
  const local: Ofpact[] = [];
  const remote: Ofpact[] = [];
  for (const p of g.members) {
    if ((p.kind === 'vif' && p.ofport !== undefined) || (p.kind === 'patch' && p.zone !== undefined)) {
      // bound VIFs and local l3gateway ports
      if (p.zone !== undefined) local.push(setReg(LOG_REG.ctZone, p.zone, 0xffffn));
      local.push(setReg(LOG_REG.outport, p.portKey), resubmit(P.checkLoopback));
    } else if (p.kind === 'localnet') {
      // no bridge mapping on this chassis: only the zone load remains
      if (p.zone !== undefined) local.push(setReg(LOG_REG.ctZone, p.zone, 0xffffn));
    } else if (p.kind === 'patch') {
      remote.push(setReg(LOG_REG.outport, p.portKey), resubmit(P.checkLoopback));
    }
  }
  const out: OfFlow[] = [];
  // the local flow exists as soon as the group has members here or behind a tunnel
  if (local.length || tunnels.length) out.push(mkFlow(P.localOutput, 100, g.cookie, md, [setReg('reg6', 0), ...local, setReg(LOG_REG.outport, g.key)], prov));
  if (remote.length || tunnels.length) {
    out.push(mkFlow(P.remoteOutput, 100, g.cookie, md, [
      setReg('reg6', 0), ...remote, ...(remote.length ? [setReg(LOG_REG.outport, g.key)] : []),
      ...tunnels.flatMap((t) => geneveOutput(g.dpKey, g.key, t)), resubmit(P.localOutput),
    ], prov));
  }
  return out;
}

// ------------------------------------------------------------------------------ port security
const macToBig = (mac: string): bigint => BigInt('0x' + mac.split(':').join(''));
const ip4ToBig = (ip: string): bigint => ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
function ip6ToBig(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((a: bigint, g: string) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}
function lla(mac: string): bigint {
  const b = macToBig(mac);
  const eui = ((b >> 24n) << 40n) | (0xfffen << 24n) | (b & 0xffffffn);
  return (0xfe80n << 112n) | (eui ^ (0x02n << 56n));
}
const prefixMask = (len: number, bits: number): bigint => (len === 0 ? 0n : (((1n << BigInt(len)) - 1n) << BigInt(bits - len)));

interface PortSec { mac: string; ip4: { addr: bigint; len: number }[]; ip6: { addr: bigint; len: number }[] }
function parsePortSecurity(entries: string[]): PortSec[] {
  const out: PortSec[] = [];
  for (const e of entries) {
    const [mac, ...ips] = e.trim().split(/\s+/);
    if (!mac || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) continue;
    const ps: PortSec = { mac: mac.toLowerCase(), ip4: [], ip6: [] };
    for (const ip of ips) {
      const [a, l] = ip.split('/') as [string, string | undefined];
      // an IPv6 prefix length is ignored (the real controller matches the address); IPv4 keeps the prefix
      if (a.includes(':')) ps.ip6.push({ addr: ip6ToBig(a), len: 128 });
      else ps.ip4.push({ addr: ip4ToBig(a), len: l ? Number(l) : 32 });
    }
    out.push(ps);
  }
  return out;
}

/** Port security (build_in_port_sec / build_out_port_sec in controller/physical.c / lport.c). */
export function portSecurityFlows(p: PhysPort, T: OftableConstants): OfFlow[] {
  const sec = parsePortSecurity(p.portSecurity);
  if (!sec.length) return [];
  const out: OfFlow[] = [];
  const prov: OfProvenance = { kind: 'port', port: p.name, datapath: p.datapath, reason: 'port security', rows: p.rows, objects: [] };
  const allow: Ofpact[] = [setReg(LOG_REG.flags, 0n, LOG_REG.flagPortSecDrop)];
  const deny: Ofpact[] = [setReg(LOG_REG.flags, LOG_REG.flagPortSecDrop, LOG_REG.flagPortSecDrop)];
  const inM = (m: OfMatch): OfMatch => ({ reg14: exact(p.portKey), metadata: exact(p.dpKey, 64), ...m });
  const outM = (m: OfMatch): OfMatch => ({ reg15: exact(p.portKey), metadata: exact(p.dpKey, 64), ...m });
  const add = (t: number, pr: number, m: OfMatch, a: Ofpact[]): void => { out.push(mkFlow(t, pr, p.cookie, m, a, prov)); };
  const E = (v: bigint, bits: number) => ({ value: v, mask: (1n << BigInt(bits)) - 1n });
  const pfx = (v: bigint, len: number, bits: number) => ({ value: v & prefixMask(len, bits), mask: prefixMask(len, bits) });
  const IP = E(0x800n, 16);
  const IP6 = E(0x86ddn, 16);
  const ARP = E(0x806n, 16);
  const icmp6 = (type: number): OfMatch => ({ dl_type: IP6, nw_proto: E(58n, 8), nw_ttl: E(255n, 8), tp_src: E(BigInt(type), 16) });
  // table 73: in port security (L2/L3)
  add(T.chkInPortSec, 95, inM({ dl_type: ARP }), [resubmit(T.chkInPortSecNd)]);
  for (const s of sec) {
    const src = E(macToBig(s.mac), 48);
    const toNd: Ofpact[] = [resubmit(T.chkInPortSecNd)];
    if (!s.ip4.length && !s.ip6.length) {
      add(T.chkInPortSec, 90, inM({ dl_src: src }), toNd);
      continue;
    }
    if (s.ip4.length) {
      for (const ip of s.ip4) add(T.chkInPortSec, 90, inM({ dl_type: IP, dl_src: src, nw_src: pfx(ip.addr, ip.len, 32) }), allow);
      add(T.chkInPortSec, 90, inM({ dl_type: IP, nw_proto: E(17n, 8), dl_src: src, nw_src: E(0n, 32), nw_dst: E(0xffffffffn, 32), tp_src: E(68n, 16), tp_dst: E(67n, 16) }), allow);
    }
    if (s.ip6.length) {
      // IPv6 sources continue to the ND checks; DAD/MLD from :: are allowed (NS goes to the ND checks)
      add(T.chkInPortSec, 90, inM({ dl_type: IP6, dl_src: src, ipv6_src: E(lla(s.mac), 128) }), toNd);
      for (const ip of s.ip6) add(T.chkInPortSec, 90, inM({ dl_type: IP6, dl_src: src, ipv6_src: pfx(ip.addr, ip.len, 128) }), toNd);
      for (const t of [131, 135, 143]) {
        add(T.chkInPortSec, 90, inM({
          dl_type: IP6, nw_proto: E(58n, 8), dl_src: src, ipv6_src: E(0n, 128), ipv6_dst: pfx(0xff02n << 112n, 16, 128), tp_src: E(BigInt(t), 16), tp_dst: E(0n, 16),
        }), t === 135 ? toNd : allow);
      }
    }
  }
  add(T.chkInPortSec, 80, inM({}), deny);
  // table 74: ARP / ND
  for (const s of sec) {
    const mac = E(macToBig(s.mac), 48);
    if (s.ip4.length) for (const ip of s.ip4) add(T.chkInPortSecNd, 90, inM({ dl_type: ARP, dl_src: mac, nw_src: pfx(ip.addr, ip.len, 32), arp_sha: mac }), allow);
    else if (!s.ip6.length) add(T.chkInPortSecNd, 90, inM({ dl_type: ARP, dl_src: mac, arp_sha: mac }), allow);
    for (const v of [0n, macToBig(s.mac)]) add(T.chkInPortSecNd, 90, inM({ ...icmp6(135), tp_dst: E(0n, 16), arp_sha: E(v, 48) }), allow);
    if (s.ip6.length) {
      // NA for the link-local address (with the hop limit), and for each address (with the source MAC)
      for (const v of [0n, macToBig(s.mac)]) add(T.chkInPortSecNd, 90, inM({ ...icmp6(136), tp_dst: E(0n, 16), nd_target: E(lla(s.mac), 128), arp_tha: E(v, 48) }), allow);
      for (const ip of s.ip6) {
        for (const v of [0n, macToBig(s.mac)]) {
          add(T.chkInPortSecNd, 90, inM({
            dl_type: IP6, nw_proto: E(58n, 8), dl_src: mac, tp_src: E(136n, 16), tp_dst: E(0n, 16), nd_target: E(ip.addr, 128), arp_tha: E(v, 48),
          }), allow);
        }
      }
    } else {
      for (const v of [0n, macToBig(s.mac)]) add(T.chkInPortSecNd, 90, inM({ ...icmp6(136), tp_dst: E(0n, 16), arp_tha: E(v, 48) }), allow);
    }
  }
  add(T.chkInPortSecNd, 80, inM({ dl_type: ARP }), deny);
  add(T.chkInPortSecNd, 80, inM(icmp6(136)), deny);
  add(T.chkInPortSecNd, 80, inM(icmp6(135)), allow);
  // table 75: out port security
  for (const s of sec) {
    const dst = E(macToBig(s.mac), 48);
    if (s.ip4.length) {
      for (const ip of s.ip4) add(T.chkOutPortSec, 95, outM({ dl_type: IP, dl_dst: dst, nw_dst: pfx(ip.addr, ip.len, 32) }), allow);
      add(T.chkOutPortSec, 95, outM({ dl_type: IP, dl_dst: dst, nw_dst: E(0xffffffffn, 32) }), allow);
      add(T.chkOutPortSec, 95, outM({ dl_type: IP, dl_dst: dst, nw_dst: pfx(0xe0000000n, 4, 32) }), allow);
    }
    if (s.ip6.length) {
      add(T.chkOutPortSec, 95, outM({ dl_type: IP6, dl_dst: dst, ipv6_dst: E(lla(s.mac), 128) }), allow);
      for (const ip of s.ip6) add(T.chkOutPortSec, 95, outM({ dl_type: IP6, dl_dst: dst, ipv6_dst: pfx(ip.addr, ip.len, 128) }), allow);
      add(T.chkOutPortSec, 95, outM({ dl_type: IP6, dl_dst: dst, ipv6_dst: pfx(0xffn << 120n, 8, 128) }), allow);
    }
    if (s.ip4.length || s.ip6.length) {
      add(T.chkOutPortSec, 90, outM({ dl_type: IP, dl_dst: dst }), deny);
      add(T.chkOutPortSec, 90, outM({ dl_type: IP6, dl_dst: dst }), deny);
    }
    add(T.chkOutPortSec, 85, outM({ dl_dst: dst }), allow);
  }
  add(T.chkOutPortSec, 80, outM({}), deny);
  return out;
}

// ------------------------------------------------------------------------------ tunnels (node view)
/** put_encapsulation() for Geneve: datapath key in tun_id, outport and inport in tun_metadata0. */
export function geneveOutput(dpKey: number, outport: number, ofport: number): OfAction[] {
  return [
    { type: 'set_phys', field: 'tun_id', value: BigInt(dpKey), mask: 0xffffffn },
    { type: 'set_phys', field: 'tun_metadata0', value: BigInt(outport) },
    { type: 'move_phys', src: 'NXM_NX_REG14[0..14]', dst: 'NXM_NX_TUN_METADATA0[16..30]' },
    { type: 'output', port: ofport },
  ];
}

/** Table 0 flows of a Geneve tunnel port: logical metadata from the tunnel header, then local output. */
export function tunnelFlows(ofports: number[], T: OftableConstants, P: PhysTables): OfFlow[] {
  const out: OfFlow[] = [];
  const fx: OfProvenance = { kind: 'fixed', reason: 'physical input: geneve tunnel from a remote chassis' };
  const decap: OfAction[] = [
    { type: 'move_phys', src: 'NXM_NX_TUN_ID[0..23]', dst: 'OXM_OF_METADATA[0..23]' },
    { type: 'move_phys', src: 'NXM_NX_TUN_METADATA0[16..30]', dst: 'NXM_NX_REG14[0..14]' },
    { type: 'move_phys', src: 'NXM_NX_TUN_METADATA0[0..15]', dst: 'NXM_NX_REG15[0..15]' },
  ];
  const E = (v: bigint, bits: number) => ({ value: v, mask: (1n << BigInt(bits)) - 1n });
  for (const of of ofports) {
    out.push(mkFlow(P.phyToLog, 100, 0, { in_port: exact(of) }, [...decap, resubmit(P.localOutput)], fx));
    // ICMP "fragmentation needed" / "packet too big" from a tunnel: also through the ingress pipeline
    const icmp = (v6: boolean, type: number, code: number): OfMatch => ({
      in_port: exact(of), dl_type: E(v6 ? 0x86ddn : 0x800n, 16), nw_proto: E(v6 ? 58n : 1n, 8), tp_src: E(BigInt(type), 16), tp_dst: E(BigInt(code), 16),
    });
    const pmtu: OfAction[] = [...decap, resubmit(P.localOutput), setReg(LOG_REG.flags, 0x10000n, 0x10000n), resubmit(T.ctZoneLookup)];
    out.push(mkFlow(P.phyToLog, 120, 0, icmp(false, 3, 4), pmtu, fx));
    out.push(mkFlow(P.phyToLog, 120, 0, icmp(true, 2, 0), pmtu, fx));
  }
  return out;
}

/** A port bound on another chassis, on a local datapath: send it through that chassis's tunnel. */
export function remotePortFlows(
  p: { name: string; datapath: string; dpKey: number; portKey: number; cookie: number; rows: string[]; vif: boolean },
  dp: PhysDatapath, ofport: number, T: OftableConstants, P: PhysTables,
): OfFlow[] {
  const prov = (reason: string): OfProvenance => ({ kind: 'port', port: p.name, datapath: p.datapath, reason, rows: p.rows, objects: [] });
  const out = [mkFlow(P.remoteOutput, 100, p.cookie, { reg13: { value: 0n, mask: 0xffff0000n }, reg15: exact(p.portKey), metadata: exact(p.dpKey, 64) },
    [...geneveOutput(p.dpKey, p.portKey, ofport), resubmit(P.localOutput)], prov('remote output: tunnel to the chassis the port is bound on'))];
  if (p.vif) {
    out.push(mkFlow(T.ctZoneLookup, 100, p.cookie, { reg14: exact(p.portKey), metadata: exact(p.dpKey, 64) },
      [setReg(LOG_REG.dnatZone, dp.dnat), setReg(LOG_REG.snatZone, dp.snat), resubmit(T.logIngressPipeline)], prov('ct zone lookup (remote VIF)')));
  }
  return out;
}
