/**
 * Load-balancer hairpin flows ovn-controller 25.03 derives from SB Load_Balancer rows
 * (controller/lflow.c consider_lb_hairpin_flows): table CHK_LB_HAIRPIN (68) marks a packet that a
 * backend sends to itself through its own VIP and learns the reply flow into CHK_LB_HAIRPIN_REPLY
 * (69); table CT_SNAT_HAIRPIN (70) SNATs such packets to the VIP (or to `hairpin_snat_ip`, per
 * switch datapath). A load balancer counts when one of its switch or router datapaths is local.
 */
import type { OftableConstants } from '../expr/actions/tables.js';
import type { Ofpact } from '../expr/actions/ofpact.js';
import { subfield } from '../expr/actions/mf.js';
import type { LoadBalancer } from '../northbound/types.js';
import { mkFlow, setReg } from './physical.js';
import type { OfFlow, OfMatch, OfProvenance } from './types.js';

const PROTO: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };
const L4_NXM: Record<string, [string, string]> = {
  tcp: ['NXM_OF_TCP_SRC[]', 'NXM_OF_TCP_DST[]'],
  udp: ['NXM_OF_UDP_SRC[]', 'NXM_OF_UDP_DST[]'],
  sctp: ['OXM_OF_SCTP_SRC[]', 'OXM_OF_SCTP_DST[]'],
};

interface Addr { ip: string; v6: boolean; value: bigint; port?: number }

function parseIp(ip: string): { v6: boolean; value: bigint } {
  if (!ip.includes(':')) return { v6: false, value: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) };
  const [head, tail] = ip.includes('::') ? (ip.split('::') as [string, string]) : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return { v6: true, value: groups.reduce((a: bigint, g: string) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n) };
}

/** `10.0.0.1:80`, `[fd00::1]:80`, `10.0.0.1`, `fd00::1` */
function parseAddr(s: string): Addr | null {
  const t = s.trim();
  if (!t) return null;
  let ip = t;
  let port: number | undefined;
  const b = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (b) { ip = b[1]!; if (b[2]) port = Number(b[2]); }
  else if (/^[\d.]+:\d+$/.test(t)) { const i = t.lastIndexOf(':'); ip = t.slice(0, i); port = Number(t.slice(i + 1)); }
  return { ip, port, ...parseIp(ip) };
}

const E = (v: bigint, bits: number) => ({ value: v, mask: (1n << BigInt(bits)) - 1n });

function vipMatch(vip: Addr): OfMatch {
  const m: OfMatch = {};
  if (vip.v6) {
    for (let i = 0; i < 4; i++) m[`reg${4 + i}`] = E((vip.value >> BigInt(96 - 32 * i)) & 0xffffffffn, 32);
  } else m['reg4'] = E(vip.value, 32);
  if (vip.port !== undefined) m['reg2'] = { value: BigInt(vip.port), mask: 0xffffn };
  return m;
}

export interface LbDatapaths { lb: LoadBalancer; switches: { name: string; key: number }[]; routers: { name: string; key: number }[] }

export function lbHairpinFlows(x: LbDatapaths, cookie: number, T: OftableConstants): OfFlow[] {
  const { lb } = x;
  const proto = lb.protocol ?? 'tcp';
  const out: OfFlow[] = [];
  const prov: OfProvenance = { kind: 'lb', loadBalancer: lb.name, reason: 'load balancer hairpin', rows: [lb.id], objects: lb.provenance };
  const snat = (lb.options['hairpin_snat_ip'] ?? '').split(/\s+/).filter(Boolean).map(parseAddr).filter((a): a is Addr => a !== null);
  const snat4 = snat.find((a) => !a.v6);
  const snat6 = snat.find((a) => a.v6);
  for (const [vipText, backendsText] of Object.entries(lb.vips)) {
    const vip = parseAddr(vipText);
    if (!vip) continue;
    const ethType = E(vip.v6 ? 0x86ddn : 0x800n, 16);
    const snatIp = vip.v6 ? snat6 : snat4;
    for (const bt of backendsText.split(',')) {
      const be = parseAddr(bt);
      if (!be || be.v6 !== vip.v6) continue;
      const m: OfMatch = { ct_mark: { value: 2n, mask: 2n }, dl_type: ethType, ...vipMatch(vip) };
      if (be.v6) { m['ipv6_src'] = E(be.value, 128); m['ipv6_dst'] = E(be.value, 128); }
      else { m['nw_src'] = E(be.value, 32); m['nw_dst'] = E(be.value, 32); }
      if (be.port !== undefined) { m['nw_proto'] = E(BigInt(PROTO[proto]!), 8); m['tp_dst'] = E(BigInt(be.port), 16); }
      const replyDst = snatIp?.ip ?? vip.ip;
      const spec = [
        `table=${T.chkLbHairpinReply}`, 'delete_learned', `cookie=0x${cookie.toString(16)}`, 'OXM_OF_METADATA[]',
        `eth_type=${vip.v6 ? '0x86dd' : '0x800'}`, vip.v6 ? 'NXM_NX_IPV6_SRC[]' : 'NXM_OF_IP_SRC[]', `${vip.v6 ? 'ipv6_dst' : 'ip_dst'}=${replyDst}`,
        ...(be.port !== undefined ? [`nw_proto=${PROTO[proto]}`, `${L4_NXM[proto]![0]}=${L4_NXM[proto]![1]}`] : ['NXM_OF_IP_PROTO[]']),
        'load:0x1->NXM_NX_REG10[7]',
      ].join(',');
      const acts: Ofpact[] = [setReg('reg10', 0x80n, 0x80n), { type: 'learn', text: spec, wireText: spec }];
      out.push(mkFlow(T.chkLbHairpin, 100, cookie, m, acts, prov));
    }
    const m: OfMatch = { dl_type: ethType, ...vipMatch(vip) };
    if (vip.port !== undefined) m['nw_proto'] = E(BigInt(PROTO[proto]!), 8);
    const natTo = snatIp ?? vip;
    const ct = (): Ofpact[] => [{
      type: 'ct', commit: true, table: null, zone: subfield('reg12', 0, 16),
      actions: [{ type: 'nat', kind: 'src', family: natTo.v6 ? 'ipv6' : 'ipv4', addr: natTo.value, portMin: 0, portMax: 0, random: false }],
    }];
    // VIPs with an L4 port take precedence over port-less ones
    if (!snatIp) out.push(mkFlow(T.ctSnatHairpin, vip.port !== undefined ? 100 : 90, cookie, m, ct(), prov));
    else for (const sw of x.switches) out.push(mkFlow(T.ctSnatHairpin, vip.port !== undefined ? 200 : 190, cookie, { ...m, metadata: E(BigInt(sw.key), 64) }, ct(), prov));
  }
  return out;
}
