/**
 * Probes from outside the cluster (an external IP as the source) through the compiled OpenFlow.
 *
 * The path (ovn-kubernetes shared gateway mode): the client's packet reaches the destination pod's
 * node on br-ex, which hands it to OVN by the patch port of the localnet port `breth0_<node>` of the
 * external switch `ext_<node>` (br-ex `table=1, priority=15, ip, nw_dst=<cluster subnet> →
 * output:<patch>`); the switch forwards it to the gateway router `GR_<node>` (eth.dst = the GR's
 * external MAC), which routes it unchanged to the pod subnet through the join switch and
 * `ovn_cluster_router` to the node switch: lr_in_unsnat and lr_in_defrag only act on the node IP
 * and Service VIPs, so the source address is preserved and the pod's ingress policy sees the
 * client. The GR's egress commits the connection (lr_out_post_undnat `ip && ct.new → ct_commit`),
 * so the pod's reply is `ct.rpl` in lr_out_snat and escapes the cluster-subnet SNAT to the node IP
 * (`(!ct.trk || !ct.rpl)`): it leaves by the same localnet port with the pod's own address, while
 * a connection the pod opens is SNATed. Both seen on real OVN 25.03 with real packets
 * (test/datapath-oracle.test.ts).
 *
 * udnc's single-chassis view has no bridge mapping, so the localnet port has no ofport. A probe
 * therefore starts where ovn-controller's table-0 flow for the localnet patch port would send it:
 * the ingress pipeline (table 8) with the zones, datapath and inport that flow loads (physical.c;
 * the same flow the real ovn-controller installs once `ovn-bridge-mappings=physnet:br-ex` is set).
 *
 * Whether the br-ex flow above exists is ovn-kubernetes configuration: it is installed when the
 * pod network is BGP-advertised or with `disable-snat-multiple-gws`; otherwise br-ex gives the
 * packet to the host, which routes it into OVN by ovn-k8s-mp0 and SNATs it to the management
 * port's address. src/semantics/README.md ("External peers") states the reading udnc takes.
 */
import type { Probe } from '../semantics/types.js';
import type { FlowFields } from './interpreter.js';
import { Conntrack } from './conntrack.js';
import { Learned, learnFlow } from './learn.js';
import type { OfFlow } from '../openflow/types.js';
import { PHYS_TABLES_25_03 } from '../openflow/physical.js';
import { OFTABLES_25_03 } from '../expr/actions/tables.js';
import {
  formatIpBig, packetFields, parseIp, replyPacketOf,
  type ClassifyProbeOptions, type L4, type PacketSpec, type ProbeClassification, type ProbeContext, type Vif,
} from './probe.js';

/** OVN 25.03 tables, from the declared table data: OFTABLE_PHY_TO_LOG (the localnet port's entry flow),
 * OFTABLE_LOG_INGRESS_PIPELINE (where it resubmits) and OFTABLE_MAC_BINDING (get_arp/get_nd look up
 * learned neighbors). */
const PHY_TO_LOG = PHYS_TABLES_25_03.phyToLog;
const LOG_INGRESS_PIPELINE = OFTABLES_25_03.logIngressPipeline;
const MAC_BINDING = OFTABLES_25_03.macBinding;

/** The client's MAC: locally administered, unicast, no cluster port's. */
export const EXTERNAL_CLIENT_MAC = '02:00:00:0e:0e:01';

/** One node's way in from outside for one network: its localnet port and gateway router. */
export interface ExternalGateway {
  node: string;
  /** Network.ovnName ('default' for the cluster network) */
  network: string;
  router: string;
  /** the GR port facing the external switch */
  routerPort: string;
  routerMac: string;
  /** the GR external port's addresses (the node IPs), without prefix */
  routerIps: string[];
  /** the external switch and its localnet port */
  switchName: string;
  localnet: string;
  dpKey: number;
  portKey: number;
  /** conntrack zones ovn-controller gives the localnet port (reg13) and the switch (reg11, reg12) */
  zone?: number;
  dnatZone?: number;
  snatZone?: number;
  /** the ofport the localnet's patch port stands for in packets (udnc's view has none: one past the VIFs) */
  ofport: number;
}

const gatewaysCache = new WeakMap<ProbeContext, Map<string, ExternalGateway>>();

/** Gateways by `${node}|${network ovnName}` (default network: 'default'). */
export function externalGateways(pc: ProbeContext): Map<string, ExternalGateway> {
  let m = gatewaysCache.get(pc);
  if (m) return m;
  m = new Map();
  const sb = pc.lflow.southbound;
  const dpKey = new Map(sb.datapaths.map((d) => [d.name, d.tunnelKey]));
  const pbByName = new Map(sb.portBindings.map((p) => [p.logicalPort, p]));
  const localnetByDp = new Map<string, (typeof sb.portBindings)[number]>();
  for (const p of sb.portBindings) if (p.type === 'localnet' && !localnetByDp.has(p.datapath)) localnetByDp.set(p.datapath, p);
  const routers = new Map(pc.nb.logicalRouters.map((r) => [r.name, r]));
  let ofport = pc.openflow.ports.reduce((m, p) => Math.max(m, p.ofport), 0);
  const zones = pc.openflow.zones;
  for (const p of [...sb.portBindings].sort((a, b) => (a.logicalPort < b.logicalPort ? -1 : a.logicalPort > b.logicalPort ? 1 : 0))) {
    const r = routers.get(p.datapath);
    const peer = p.options['peer'] ? pbByName.get(p.options['peer']) : undefined;
    const ln = peer ? localnetByDp.get(peer.datapath) : undefined;
    const node = r?.options['chassis'];
    if (!r || !peer || !ln || !node) continue;
    const [mac, ...nets] = (p.mac[0] ?? '').split(/\s+/);
    if (!mac) continue;
    const network = r.external_ids['k8s.ovn.org/network'] ?? 'default';
    const k = `${node}|${network}`;
    if (m.has(k)) continue;
    m.set(k, {
      node, network, router: r.name, routerPort: p.logicalPort, routerMac: mac, routerIps: nets.map((n) => n.split('/')[0]!),
      switchName: ln.datapath, localnet: ln.logicalPort, dpKey: dpKey.get(ln.datapath) ?? -1, portKey: ln.tunnelKey,
      zone: zones.ports[ln.logicalPort], dnatZone: zones.dnat[ln.datapath], snatZone: zones.snat[ln.datapath], ofport: ++ofport,
    });
  }
  gatewaysCache.set(pc, m);
  return m;
}

/**
 * What ovn-controller's table-0 flow for the localnet patch port loads before `resubmit(,8)`
 * (real 25.03 with a bridge mapping: `set_field:Z->reg13/0xffff, DNAT->reg11, SNAT->reg12,
 * DP->metadata, PORT->reg14, 0->reg13/0xffff0000`).
 */
export function entryFields(gw: ExternalGateway): FlowFields {
  return {
    reg13: BigInt(gw.zone ?? 0), reg11: BigInt(gw.dnatZone ?? 0), reg12: BigInt(gw.snatZone ?? 0),
    metadata: BigInt(gw.dpKey), reg14: BigInt(gw.portKey),
  };
}

/** That table-0 flow in `ovs-ofctl add-flows` text, for a bridge loaded with udnc's flows. */
export function entryFlowText(gw: ExternalGateway, ofport = gw.ofport): string {
  const loads = [
    ...(gw.zone !== undefined ? [`set_field:${hex(gw.zone)}/0xffff->reg13`] : []),
    `set_field:${hex(gw.dnatZone ?? 0)}->reg11`, `set_field:${hex(gw.snatZone ?? 0)}->reg12`,
    `set_field:${hex(gw.dpKey)}->metadata`, `set_field:${hex(gw.portKey)}->reg14`, 'set_field:0/0xffff0000->reg13',
  ];
  return `table=${PHY_TO_LOG},priority=100,in_port=${ofport},vlan_tci=0x0000/0x1000,actions=${loads.join(',')},resubmit(,${LOG_INGRESS_PIPELINE})`;
}
const hex = (n: number): string => `0x${n.toString(16)}`;

const neighborsCache = new WeakMap<ProbeContext, NeighborBinding[]>();

/**
 * The MAC_Binding flows ovn-controller holds once a gateway router has resolved its in-cluster
 * neighbors. ovn-k's GRs have `dynamic_neigh_routers=true`, so northd gives them no static
 * lr_in_arp_resolve entries for the routers on their join switch: the first packet a GR routes to
 * `ovn_cluster_router` (100.64.0.1) triggers an ARP, the reply is learned (SB MAC_Binding) and
 * the buffered packet is sent on. udnc runs no pinctrl, so the learned state is given here: for
 * every router port of such a router, the other router ports on the same switch (no localnet
 * switch: an outside next hop stays unresolved, as the classifier reports it). The flow is
 * ovn-controller's for a MAC_Binding row: table 66, `reg0=IP` (`xxreg0` for IPv6), `reg15=port`,
 * `metadata=router` → `eth.dst = MAC` (compared with the real table 66 in test/datapath-oracle.test.ts).
 */
export interface NeighborBinding { port: string; ip: string; mac: string; flow: OfFlow; /** `ovs-ofctl add-flows` text */ text: string }

export function neighborMacBindings(pc: ProbeContext): NeighborBinding[] {
  let out = neighborsCache.get(pc);
  if (out) return out;
  out = [];
  const sb = pc.lflow.southbound;
  const dpKey = new Map(sb.datapaths.map((d) => [d.name, d.tunnelKey]));
  const pbByName = new Map(sb.portBindings.map((p) => [p.logicalPort, p]));
  const dynamic = new Set(pc.nb.logicalRouters.filter((r) => r.options['dynamic_neigh_routers'] === 'true').map((r) => r.name));
  const withLocalnet = new Set(sb.portBindings.filter((p) => p.type === 'localnet').map((p) => p.datapath));
  // router ports by the switch their peer sits on
  const bySwitch = new Map<string, Array<(typeof sb.portBindings)[number]>>();
  for (const lsp of sb.portBindings) {
    const rp = lsp.options['peer'] ? pbByName.get(lsp.options['peer']) : undefined;
    if (!rp || rp.options['peer'] !== lsp.logicalPort || withLocalnet.has(lsp.datapath)) continue;
    const l = bySwitch.get(lsp.datapath) ?? [];
    l.push(rp);
    bySwitch.set(lsp.datapath, l);
  }
  for (const ports of bySwitch.values()) {
    for (const p of ports) {
      if (!dynamic.has(p.datapath)) continue;
      for (const q of ports) {
        if (q === p) continue;
        const [mac, ...nets] = (q.mac[0] ?? '').split(/\s+/);
        if (!mac) continue;
        for (const n of nets) {
          const ip = parseIp(n);
          const match = `${ip.v6 ? 'xxreg0' : 'reg0'}=0x${ip.v.toString(16)},reg15=0x${p.tunnelKey.toString(16)},metadata=0x${(dpKey.get(p.datapath) ?? 0).toString(16)}`;
          const f = learnFlow(`table=${MAC_BINDING},priority=100,${match},load:0x${mac.split(':').join('')}->NXM_OF_ETH_DST[]`, [], MAC_BINDING);
          const ipText = n.split('/')[0]!;
          out.push({
            port: p.logicalPort, ip: ipText, mac,
            flow: { ...f, provenance: [{ kind: 'fixed', reason: `MAC_Binding ${p.logicalPort} ${ipText} → ${mac}, learned by ARP/ND (dynamic_neigh_routers on ${p.datapath})` }] },
            text: `table=${MAC_BINDING},priority=100,${match},actions=set_field:${mac}->eth_dst`,
          });
        }
      }
    }
  }
  neighborsCache.set(pc, out);
  return out;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/') as [string, string | undefined];
  const a = parseIp(ip);
  const b = parseIp(base);
  if (a.v6 !== b.v6) return false;
  const bits = a.v6 ? 128 : 32;
  const l = Number(len ?? bits);
  const mask = l === 0 ? 0n : ((1n << BigInt(l)) - 1n) << BigInt(bits - l);
  return (a.v & mask) === (b.v & mask);
}

const notClassifiable = (probe: Probe, reason: string): ProbeClassification => ({ probe, classifiable: false, reason, allowed: false, expected: [] });

/** The client packet of an external probe: enters the ingress pipeline of the gateway's external switch. */
export function externalPacket(gw: ExternalGateway, clientIp: string, dstIp: string, proto: L4, srcPort: number, dstPort: number): PacketSpec {
  return {
    inPort: gw.ofport, ethSrc: EXTERNAL_CLIENT_MAC, ethDst: gw.routerMac, ipSrc: clientIp, ipDst: dstIp, proto,
    srcPort, dstPort, extra: entryFields(gw), table: LOG_INGRESS_PIPELINE,
  };
}

/**
 * An external source (not a pod or node address) to a pod: the client's packet through the pod's
 * node's gateway, then the pod's reply. Allowed iff the packet reaches the pod's VIF with the
 * client's address and the reply leaves the cluster by the same gateway.
 */
export function classifyExternalProbe(pc: ProbeContext, probe: Probe, opts: ClassifyProbeOptions = {}): ProbeClassification {
  const s = probe.src;
  if (s.kind !== 'ip') return notClassifiable(probe, 'the source must be an IP address');
  const clientIp = s.ip.split('/')[0]!;
  let client: { v: bigint; v6: boolean };
  try { client = parseIp(clientIp); } catch { return notClassifiable(probe, `'${s.ip}' is not an IP address`); }
  const owner = pc.podWithIp(clientIp);
  if (owner) {
    return notClassifiable(probe, `source ${clientIp} is ${owner.namespace}/${owner.name}'s address${owner.hostNetwork ? ' (hostNetwork: host traffic enters OVN by the management port)' : ''}: probe from the pod itself`);
  }
  if (pc.model.nodes.some((n) => n.hostAddresses.some((a) => a.split('/')[0] === clientIp))) {
    return notClassifiable(probe, `source ${clientIp} is a node address: host traffic enters OVN by the management port (ovn-k8s-mp0) after the host's own routing, which udnc does not model`);
  }
  const d = probe.dst;
  let dst: Vif | undefined;
  if (d.kind === 'service' || (d.kind === 'ip' && pc.serviceAt(d.ip.split('/')[0]!))) {
    return notClassifiable(probe, 'an external client reaches a Service by its NodePort, load-balancer or external IP on the gateway router (lb_force_snat_ip), not modeled for external sources yet');
  }
  if (d.kind === 'pod') {
    const pod = pc.pod(d.namespace, d.name);
    if (!pod) return notClassifiable(probe, `no pod ${d.namespace}/${d.name}`);
    if (pod.hostNetwork) return notClassifiable(probe, `${d.namespace}/${d.name} is hostNetwork: the packet goes to the node's host, not into OVN`);
    dst = pc.vif(pod, d.network);
    if (!dst) return notClassifiable(probe, `${d.namespace}/${d.name} has no interface${d.network ? ` on network ${d.network}` : ''}`);
  } else {
    const ip = d.ip.split('/')[0]!;
    const vifs = pc.vifsWithIp(ip);
    dst = vifs.find((v) => v.attachment.role === 'primary') ?? vifs[0];
    if (!dst) {
      const o = pc.podWithIp(ip);
      return notClassifiable(probe, o ? `${ip} belongs to ${o.namespace}/${o.name} on a network without an OVN port here` : `both ends are outside the cluster (${clientIp} → ${ip})`);
    }
  }
  const pod = dst.pod;
  const network = pc.model.networks.find((n) => n.id === dst!.attachment.network);
  if (!network) return notClassifiable(probe, `no network ${dst.attachment.network}`);
  const gw = externalGateways(pc).get(`${pod.node}|${network.ovnName}`);
  if (!gw) return notClassifiable(probe, `no gateway router for network ${network.id} on node ${pod.node || '(none)'}: nothing routes outside traffic to ${pod.namespace}/${pod.name}`);
  const dstIp = dst.attachment.ips.map((i) => i.split('/')[0]!).find((i) => parseIp(i).v6 === client.v6);
  if (!dstIp) return notClassifiable(probe, `${pod.namespace}/${pod.name} has no ${client.v6 ? 'IPv6' : 'IPv4'} address on ${network.id}`);
  const hostSubnets = network.hostSubnets[pod.node] ?? [];
  if (hostSubnets.length && !hostSubnets.some((c) => inCidr(dstIp, c))) {
    // the GR routes only the network's subnets inward: such an address (another CNI's, given by
    // the manifests) would be routed back out
    return notClassifiable(probe, `${pod.namespace}/${pod.name} has IP ${dstIp} (given by the manifests) outside the host subnet ${hostSubnets.join(', ')} of its node ${pod.node}: ovn-k never assigns such an address and the compiled flows route nothing to it`);
  }

  const proto: L4 = opts.icmp ? 'icmp' : (probe.protocol.toLowerCase() as L4);
  const packet = externalPacket(gw, clientIp, dstIp, proto, opts.srcPort ?? 33333, probe.port);
  const ct = new Conntrack();
  const learned = new Learned();
  for (const b of neighborMacBindings(pc)) learned.add(b.flow);
  const forward = pc.classifier.run(packetFields(packet), { conntrack: ct, learned, trace: opts.trace, table: packet.table });
  const expected = [dst.ofport];
  const res: ProbeClassification = { probe, classifiable: true, reason: '', allowed: false, packet, forward, expected };
  const recv = forward.deliveries.find((x) => x.ofport === dst!.ofport);
  if (!recv) { res.reason = `forward (from ${gw.localnet}): ${forward.verdict.summary}`; return res; }
  const f = recv.fields;
  const v6 = f['dl_type'] === 0x86ddn;
  const seenSrc = formatIpBig(v6 ? f['ipv6_src'] ?? 0n : f['nw_src'] ?? 0n, v6);
  if (parseIp(seenSrc).v !== client.v) {
    // the pod's policy judged another source: not the probe the semantics answer
    res.reason = `forward: delivered with source ${seenSrc}, not the client's ${clientIp} (rewritten on the way)`;
    return res;
  }
  if (opts.reply === false) { res.allowed = true; res.reason = `forward (from ${gw.localnet}): ${forward.verdict.summary}`; return res; }
  const rMac = pc.nextHopMac(dst.attachment, clientIp);
  if (!rMac) { res.reason = `reply: no next hop for ${clientIp} from ${network.id}`; return res; }
  const replyPacket = replyPacketOf(dst, rMac, dstIp, clientIp, proto, f, v6);
  const reply = pc.classifier.run(packetFields(replyPacket), { conntrack: ct, learned, trace: opts.trace });
  res.replyPacket = replyPacket;
  res.reply = reply;
  const ext = reply.verdict.kind === 'external' ? reply.verdict.external ?? '' : '';
  // out by the same gateway: its localnet port, or its GR port waiting for the next hop's MAC
  const back = ext === gw.localnet || ext.startsWith(`${gw.routerPort} `);
  res.allowed = back;
  res.reason = back
    ? `forward (from ${gw.localnet}): ${forward.verdict.summary}; reply: ${reply.verdict.summary}`
    : `reply: ${reply.verdict.summary}${ext ? ` (not by ${gw.localnet})` : ''} (forward: ${forward.verdict.summary})`;
  return res;
}
