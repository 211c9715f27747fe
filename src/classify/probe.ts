/**
 * Probes → packets: which ofport a pod's packet enters br-int by, with which MACs/IPs/ports, and
 * what "allowed" means for the classifier (the packet reaches the destination's VIF, or an
 * endpoint's VIF for a Service, or leaves by a localnet port for an external IP; and the reply,
 * sent back by the receiver through the same conntrack, reaches the source's VIF).
 */
import type { CompileResult } from '../compile.js';
import type { Attachment, ClusterModel, Pod, Service } from '../model/types.js';
import type { NorthboundDB } from '../northbound/types.js';
import type { OpenFlowResult } from '../openflow/types.js';
import type { LflowResult } from '../lflow/types.js';
import type { Probe } from '../semantics/types.js';
import { Classifier, type ClassifyResult, type FlowFields, type LocalnetPort } from './interpreter.js';
import { Conntrack } from './conntrack.js';
import { Learned } from './learn.js';
import { classifyExternalProbe } from './external.js';

export type L4 = 'tcp' | 'udp' | 'sctp' | 'icmp';

export interface PacketSpec {
  inPort: number;
  ethSrc: string;
  ethDst: string;
  ipSrc: string;
  ipDst: string;
  proto: L4;
  srcPort?: number;
  dstPort?: number;
  /** ICMP type (default echo request: 8 / 128) */
  icmpType?: number;
  tcpFlags?: number;
  /** initial ct_state/ct_mark… (e.g. for a trace that starts mid-connection) */
  extra?: FlowFields;
  /** first OpenFlow table (default 0; external.ts starts at the ingress pipeline) */
  table?: number;
}

const PROTO_NUM: Record<L4, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1 };

export function parseIp(s: string): { v: bigint; v6: boolean } {
  const ip = s.split('/')[0]!;
  if (ip.includes(':')) {
    const [h, t] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
    const hs = h ? h.split(':') : [];
    const ts = t ? t.split(':') : [];
    const gs = t !== undefined ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
    return { v: gs.reduce((a: bigint, g: string) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n), v6: true };
  }
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) throw new Error(`not an IP address: ${s}`);
  return { v: parts.reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n), v6: false };
}

export const macToBig = (mac: string): bigint => BigInt('0x' + mac.split(':').join(''));

export function formatIpBig(v: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');
  const gs = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return gs.join(':').replace(/\b(?:0:){2,}0\b|(^|:)(0:){2,}/, '::');
}

/**
 * The reply `vif` sends to a packet it received with fields `f`: L4 ports swapped, a SYN+ACK for TCP,
 * an echo reply for ICMP. Addresses are the caller's: the received packet's, or the client's.
 */
export function replyPacketOf(vif: Vif, ethDst: string, ipSrc: string, ipDst: string, proto: L4, f: FlowFields, v6: boolean): PacketSpec {
  return {
    inPort: vif.ofport, ethSrc: vif.attachment.mac, ethDst, ipSrc, ipDst, proto,
    ...(proto === 'icmp' ? { icmpType: v6 ? 129 : 0 } : { srcPort: Number(f['tp_dst'] ?? 0n), dstPort: Number(f['tp_src'] ?? 0n), tcpFlags: 0x012 }),
  };
}

/** The struct-flow fields of a packet. */
export function packetFields(p: PacketSpec): FlowFields {
  const src = parseIp(p.ipSrc);
  const dst = parseIp(p.ipDst);
  if (src.v6 !== dst.v6) throw new Error(`mixed address families: ${p.ipSrc} → ${p.ipDst}`);
  const f: FlowFields = {
    in_port: BigInt(p.inPort), dl_src: macToBig(p.ethSrc), dl_dst: macToBig(p.ethDst),
    dl_type: src.v6 ? 0x86ddn : 0x800n, nw_ttl: 64n,
  };
  if (src.v6) { f['ipv6_src'] = src.v; f['ipv6_dst'] = dst.v; } else { f['nw_src'] = src.v; f['nw_dst'] = dst.v; }
  const proto = p.proto === 'icmp' && src.v6 ? 58 : PROTO_NUM[p.proto];
  f['nw_proto'] = BigInt(proto);
  if (p.proto === 'icmp') {
    f['tp_src'] = BigInt(p.icmpType ?? (src.v6 ? 128 : 8));
    f['tp_dst'] = 0n;
  } else {
    f['tp_src'] = BigInt(p.srcPort ?? 33333);
    f['tp_dst'] = BigInt(p.dstPort ?? 80);
    if (p.proto === 'tcp') f['tcp_flags'] = BigInt(p.tcpFlags ?? 0x002);
  }
  return { ...f, ...p.extra };
}

/** A pod interface as the classifier sees it. */
export interface Vif {
  pod: Pod;
  attachment: Attachment;
  lsp: string;
  ofport: number;
}

/** Everything needed to turn probes into packets for one compile result (build once). */
export class ProbeContext {
  readonly classifier: Classifier;
  private readonly vifByPod = new Map<string, Vif[]>();
  private readonly vifByOfport = new Map<number, Vif>();
  private readonly lrps: Array<{ mac: string; ip: bigint; v6: boolean }> = [];
  /** indexes so that a probe costs O(1) in the cluster size (a 1,000-pod matrix is 24M probes) */
  private readonly podByKey = new Map<string, Pod>();
  /** address text (canonical) → VIFs holding it, in pod order */
  private readonly vifsByIp = new Map<string, Vif[]>();
  /** address text → the first pod (in model order) with an attachment holding it */
  private readonly podByIp = new Map<string, Pod>();
  /** VIF creation order (the order nextHopMac used to scan them in) */
  private readonly vifRank = new Map<Vif, number>();
  private readonly nextHop = new WeakMap<Attachment, Map<string, string | undefined>>();
  private readonly services = new Map<string, Service>();
  private readonly serviceByIp = new Map<string, Service>();

  constructor(readonly model: ClusterModel, readonly nb: NorthboundDB, readonly lflow: LflowResult, readonly openflow: OpenFlowResult) {
    const dpKey = new Map(lflow.southbound.datapaths.map((d) => [d.name, d.tunnelKey]));
    const localnetPorts: LocalnetPort[] = lflow.southbound.portBindings.filter((p) => p.type === 'localnet')
      .map((p) => ({ name: p.logicalPort, dpKey: dpKey.get(p.datapath) ?? -1, portKey: p.tunnelKey }));
    const sbPorts = lflow.southbound.portBindings;
    const pbByName = new Map(sbPorts.map((p) => [p.logicalPort, p]));
    const dpsWithLocalnet = new Set(sbPorts.filter((p) => p.type === 'localnet').map((p) => p.datapath));
    const routerDps = new Set(lflow.southbound.datapaths.filter((d) => d.kind === 'router').map((d) => d.name));
    const externalRouterPorts: LocalnetPort[] = sbPorts.filter((p) => routerDps.has(p.datapath) && p.options['peer']
      && dpsWithLocalnet.has(pbByName.get(p.options['peer']!)?.datapath ?? ''))
      .map((p) => ({ name: p.logicalPort, dpKey: dpKey.get(p.datapath) ?? -1, portKey: p.tunnelKey }));
    this.classifier = new Classifier(openflow, { localnetPorts, externalRouterPorts });
    const ofByLsp = new Map(openflow.ports.map((p) => [p.ifaceId ?? p.name, p.ofport]));
    const podByKey = this.podByKey;
    for (const p of model.pods) if (!podByKey.has(`${p.namespace}/${p.name}`)) podByKey.set(`${p.namespace}/${p.name}`, p);
    for (const lsp of nb.logicalSwitchPorts) {
      if (!lsp.pod) continue;
      const pod = podByKey.get(`${lsp.pod.namespace}/${lsp.pod.name}`);
      const att = pod?.attachments.find((a) => a.interfaceName === lsp.pod!.interfaceName);
      const of = ofByLsp.get(lsp.name);
      if (!pod || !att || of === undefined) continue;
      const v: Vif = { pod, attachment: att, lsp: lsp.name, ofport: of };
      const k = `${pod.namespace}/${pod.name}`;
      this.vifByPod.set(k, [...(this.vifByPod.get(k) ?? []), v]);
      this.vifByOfport.set(of, v);
    }
    for (const p of nb.logicalRouterPorts) {
      for (const n of p.networks) {
        const ip = parseIp(n);
        this.lrps.push({ mac: p.mac, ip: ip.v, v6: ip.v6 });
      }
    }
    for (const vs of this.vifByPod.values()) for (const v of vs) this.vifRank.set(v, this.vifRank.size);
    for (const p of model.pods) {
      for (const v of this.vifs(p.namespace, p.name)) {
        for (const i of v.attachment.ips) {
          const k = ipKey(i);
          if (k === undefined) continue;
          const l = this.vifsByIp.get(k);
          if (!l) this.vifsByIp.set(k, [v]);
          else if (!l.includes(v)) l.push(v);
        }
      }
      for (const a of p.attachments) for (const i of a.ips) { const k = ipKey(i); if (k !== undefined && !this.podByIp.has(k)) this.podByIp.set(k, p); }
    }
    for (const svc of model.services) {
      const k = `${svc.namespace}/${svc.name}`;
      if (!this.services.has(k)) this.services.set(k, svc);
      for (const x of [...svc.clusterIPs, ...svc.externalIPs, ...svc.loadBalancerIPs]) {
        const ik = ipKey(x);
        if (ik !== undefined && !this.serviceByIp.has(ik)) this.serviceByIp.set(ik, svc);
      }
    }
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.podByKey.get(`${namespace}/${name}`);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  /** The Service one of whose cluster/external/load-balancer IPs is `ip` (first in model order). */
  serviceAt(ip: string): Service | undefined {
    const k = ipKey(ip);
    return k === undefined ? undefined : this.serviceByIp.get(k);
  }

  /** VIFs with address `ip`, in model pod order. */
  vifsWithIp(ip: string): Vif[] {
    const k = ipKey(ip);
    return (k === undefined ? undefined : this.vifsByIp.get(k)) ?? [];
  }

  /** The first pod (model order) with an address `ip` on any attachment. */
  podWithIp(ip: string): Pod | undefined {
    const k = ipKey(ip);
    return k === undefined ? undefined : this.podByIp.get(k);
  }

  vifs(namespace: string, name: string): Vif[] {
    return this.vifByPod.get(`${namespace}/${name}`) ?? [];
  }

  vifAt(ofport: number): Vif | undefined {
    return this.vifByOfport.get(ofport);
  }

  /** The pod's interface on `network` (default: its primary network). */
  vif(pod: Pod, network?: string): Vif | undefined {
    const vs = this.vifs(pod.namespace, pod.name);
    if (network) return vs.find((v) => v.attachment.network === network && v.attachment.role !== 'infrastructure') ?? vs.find((v) => v.attachment.network === network);
    return vs.find((v) => v.attachment.role === 'primary');
  }

  /** The MAC a pod uses to send to `ip`: the owner's MAC when on-link on its network, else its gateway's. */
  nextHopMac(from: Attachment, ip: string): string | undefined {
    let m = this.nextHop.get(from);
    if (!m) { m = new Map(); this.nextHop.set(from, m); }
    if (m.has(ip)) return m.get(ip);
    const mac = this.findNextHopMac(from, ip);
    m.set(ip, mac);
    return mac;
  }

  private findNextHopMac(from: Attachment, ip: string): string | undefined {
    const dst = parseIp(ip);
    for (const own of from.ips) {
      const [a, len] = own.split('/') as [string, string | undefined];
      const o = parseIp(a);
      if (o.v6 !== dst.v6) continue;
      const bits = o.v6 ? 128 : 32;
      const l = BigInt(len ?? bits);
      const mask = ((1n << l) - 1n) << BigInt(bits - Number(l));
      if ((o.v & mask) !== (dst.v & mask)) continue;
      // the first VIF (in VIF order) on this network holding the address
      let best: Vif | undefined;
      let bestRank = Infinity;
      for (const v of this.vifsWithIp(ip)) {
        if (v.attachment.network !== from.network) continue;
        const r = this.vifRank.get(v) ?? Infinity;
        if (r < bestRank) { best = v; bestRank = r; }
      }
      if (best) return best.attachment.mac;
    }
    for (const gw of from.gatewayIPs) {
      const g = parseIp(gw);
      if (g.v6 !== dst.v6) continue;
      const lrp = this.lrps.find((r) => r.ip === g.v && r.v6 === g.v6);
      if (lrp) return lrp.mac;
    }
    return undefined;
  }
}

const ctxCache = new WeakMap<OpenFlowResult, ProbeContext>();

export function probeContext(compiled: CompileResult): ProbeContext {
  const { model, nb, lflow, openflow } = compiled;
  if (!model || !nb || !lflow || !openflow) throw new Error("classifyProbe needs a compile result up to the 'openflow' stage");
  let c = ctxCache.get(openflow);
  if (!c) { c = new ProbeContext(model, nb, lflow, openflow); ctxCache.set(openflow, c); }
  return c;
}

export interface ProbeClassification {
  probe: Probe;
  /** false when the probe cannot be turned into a packet (reason says why) */
  classifiable: boolean;
  reason: string;
  allowed: boolean;
  packet?: PacketSpec;
  forward?: ClassifyResult;
  /** the reply, when the forward packet was delivered and the destination is a pod */
  replyPacket?: PacketSpec;
  reply?: ClassifyResult;
  /** ofports whose delivery counts as "reached the destination" */
  expected: number[];
}

export interface ClassifyProbeOptions {
  /** record trace steps */
  trace?: boolean;
  /** source L4 port (default 33333) */
  srcPort?: number;
  /** send the reply too (default true) */
  reply?: boolean;
  /** ICMP instead of the probe's protocol (trace CLI) */
  icmp?: boolean;
}

const notClassifiable = (probe: Probe, reason: string): ProbeClassification => ({ probe, classifiable: false, reason, allowed: false, expected: [] });

function serviceOf(pc: ProbeContext, probe: Probe): { svc: Service; vip: string } | undefined {
  const d = probe.dst;
  if (d.kind === 'service') {
    const svc = pc.service(d.namespace, d.name);
    if (!svc) return undefined;
    const vip = svc.clusterIPs[0] ?? svc.loadBalancerIPs[0] ?? svc.externalIPs[0];
    return vip ? { svc, vip } : undefined;
  }
  if (d.kind === 'ip') {
    const ip = d.ip.split('/')[0]!;
    const svc = pc.serviceAt(ip);
    return svc ? { svc, vip: ip } : undefined;
  }
  return undefined;
}

/** Canonical text of an address (prefix length dropped), or undefined when it is not one. */
function ipKey(s: string): string | undefined {
  try { const x = parseIp(s); return `${x.v6 ? 6 : 4}:${x.v.toString(16)}`; } catch { return undefined; }
}

const sameIp = (a: string, b: string): boolean => {
  try { const x = parseIp(a); const y = parseIp(b); return x.v6 === y.v6 && x.v === y.v; } catch { return false; }
};

/** Runs one probe (forward, then reply) through the classifier. */
export function classifyProbe(compiled: CompileResult, probe: Probe, opts: ClassifyProbeOptions = {}): ProbeClassification {
  return classifyProbeIn(probeContext(compiled), probe, opts);
}

export function classifyProbeIn(pc: ProbeContext, probe: Probe, opts: ClassifyProbeOptions = {}): ProbeClassification {
  const model = pc.model;
  if (probe.src.kind === 'ip') return classifyExternalProbe(pc, probe, opts);
  if (probe.src.kind !== 'pod') return notClassifiable(probe, 'the source must be a pod');
  const s = probe.src;
  const srcPod = pc.pod(s.namespace, s.name);
  if (!srcPod) return notClassifiable(probe, `no pod ${s.namespace}/${s.name}`);
  if (probe.dst.kind === 'pod' && probe.dst.namespace === s.namespace && probe.dst.name === s.name) {
    return notClassifiable(probe, 'loopback: a pod reaching itself stays in its network namespace and never enters OVN');
  }
  if (srcPod.hostNetwork) return notClassifiable(probe, `${s.namespace}/${s.name} is hostNetwork (host traffic does not enter from a pod VIF)`);
  const network = s.network ?? (probe.dst.kind === 'pod' ? probe.dst.network : undefined);
  const src = pc.vif(srcPod, network);
  if (!src) return notClassifiable(probe, `${s.namespace}/${s.name} has no local interface${network ? ` on network ${network}` : ''}`);

  let dstIp: string;
  let expected: number[] = [];
  let dstVif: Vif | undefined;
  let external = false;
  const svc = serviceOf(pc, probe);
  const d = probe.dst;
  if (svc) {
    dstIp = svc.vip;
    for (const ep of svc.svc.endpoints) {
      if (!ep.pod) continue;
      const pod = pc.pod(ep.pod.namespace, ep.pod.name);
      const v = pod ? pc.vifs(pod.namespace, pod.name).find((x) => x.attachment.ips.some((i) => sameIp(i, ep.ip))) : undefined;
      if (v) expected.push(v.ofport);
    }
  } else if (d.kind === 'service') {
    return notClassifiable(probe, `no Service ${d.namespace}/${d.name} with a VIP`);
  } else if (d.kind === 'pod') {
    const pod = pc.pod(d.namespace, d.name);
    if (!pod) return notClassifiable(probe, `no pod ${d.namespace}/${d.name}`);
    if (pod.hostNetwork) return notClassifiable(probe, `${d.namespace}/${d.name} is hostNetwork`);
    dstVif = pc.vif(pod, network);
    if (!dstVif) return notClassifiable(probe, `${d.namespace}/${d.name} has no interface${network ? ` on network ${network}` : ''}`);
    const fam = parseIp(src.attachment.ips[0] ?? '0.0.0.0').v6;
    const ip = dstVif.attachment.ips.find((i) => parseIp(i).v6 === fam) ?? dstVif.attachment.ips[0];
    if (!ip) return notClassifiable(probe, `${d.namespace}/${d.name} has no IP on ${dstVif.attachment.network}`);
    dstIp = ip.split('/')[0]!;
    expected = [dstVif.ofport];
  } else {
    dstIp = d.ip.split('/')[0]!;
    // a pod IP: the owner on the source's network first (overlapping UDN subnets)
    const owners = pc.vifsWithIp(dstIp);
    dstVif = owners.find((v) => v.attachment.network === src.attachment.network) ?? owners[0];
    if (dstVif && dstVif.ofport === src.ofport) {
      return notClassifiable(probe, 'loopback: the destination IP is the source\'s own address on its network; the packet never enters OVN');
    }
    if (dstVif) expected = [dstVif.ofport];
    else {
      const owner = pc.podWithIp(dstIp);
      if (owner) {
        return notClassifiable(probe, `${dstIp} belongs to ${owner.namespace}/${owner.name} on a network without an OVN port here; the packet leaves by the node gateway and where it goes is up to the underlay`);
      }
      external = true;
    }
  }
  let dstFamV6: boolean;
  try { dstFamV6 = parseIp(dstIp).v6; } catch { return notClassifiable(probe, `'${dstIp}' is not an IP address`); }
  const srcIp = src.attachment.ips.map((i) => i.split('/')[0]!).find((i) => parseIp(i).v6 === dstFamV6);
  if (!srcIp) return notClassifiable(probe, `${s.namespace}/${s.name} has no ${dstFamV6 ? 'IPv6' : 'IPv4'} address on ${src.attachment.network}`);
  const ethDst = pc.nextHopMac(src.attachment, dstIp);
  if (!ethDst) return notClassifiable(probe, `no next hop for ${dstIp} from ${src.attachment.network}`);
  const proto: L4 = opts.icmp ? 'icmp' : (probe.protocol.toLowerCase() as L4);
  const packet: PacketSpec = {
    inPort: src.ofport, ethSrc: src.attachment.mac, ethDst, ipSrc: srcIp, ipDst: dstIp, proto,
    srcPort: opts.srcPort ?? 33333, dstPort: probe.port,
  };
  const ct = new Conntrack();
  const learned = new Learned();
  const forward = pc.classifier.run(packetFields(packet), { conntrack: ct, learned, trace: opts.trace });
  const v = forward.verdict;
  const reached = external ? v.kind === 'external' : v.outputs.some((o) => expected.includes(o));
  const res: ProbeClassification = {
    probe, classifiable: true, reason: '', allowed: reached, packet, forward, expected,
  };
  if (!reached) {
    res.reason = `forward: ${v.summary}`;
    return res;
  }
  if (external || opts.reply === false) { res.reason = `forward: ${v.summary}`; return res; }
  // The reply: sent by the receiving VIF, addressed as the received packet says.
  const recv = forward.deliveries.find((x) => expected.includes(x.ofport))!;
  const rv = pc.vifAt(recv.ofport);
  if (!rv) { res.reason = 'forward delivered to an unknown VIF'; return res; }
  const f = recv.fields;
  const v6 = f['dl_type'] === 0x86ddn;
  const rSrc = formatIpBig(v6 ? f['ipv6_dst'] ?? 0n : f['nw_dst'] ?? 0n, v6);
  const rDst = formatIpBig(v6 ? f['ipv6_src'] ?? 0n : f['nw_src'] ?? 0n, v6);
  const rMac = pc.nextHopMac(rv.attachment, rDst);
  if (!rMac) { res.allowed = false; res.reason = `reply: no next hop for ${rDst} from ${rv.attachment.network}`; return res; }
  const replyPacket = replyPacketOf(rv, rMac, rSrc, rDst, proto, f, v6);
  const reply = pc.classifier.run(packetFields(replyPacket), { conntrack: ct, learned, trace: opts.trace });
  res.replyPacket = replyPacket;
  res.reply = reply;
  const back = reply.verdict.outputs.includes(src.ofport);
  res.allowed = back;
  res.reason = back ? `forward: ${v.summary}; reply: ${reply.verdict.summary}` : `reply: ${reply.verdict.summary} (forward: ${v.summary})`;
  return res;
}
