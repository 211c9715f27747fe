/**
 * The real Open vSwitch as the judge of the classifier: udnc's own OpenFlow tables and groups of
 * each fixture are loaded into a second bridge of the real-OVS sandbox (br-test, dummy datapath,
 * one dummy port per ofport of the port map), and ≥1,000 seeded-random packets per fixture are run
 * through `ovs-appctl ofproto/trace` and through the classifier in its ofproto/trace-compatible
 * conntrack mode (`ctNext`). The verdicts (set of output ofports; else controller; else drop) must
 * be identical for every packet.
 *
 * Packets: from a random VIF (its pod's MAC/IP), to another pod's IP on the same or another network
 * (MAC: the on-link peer's or the gateway's, sometimes a random one), to a Service VIP, or to an
 * external IP; tcp/udp/sctp/icmp; container, policy, service and random ports. Direction: as
 * received (recirculations see trk|new), or mid-connection (`--ct-next trk,est` / `trk,est,rpl`,
 * the reply direction).
 *
 * ofproto/trace calls are batched: one `sh` inside the chroot runs a few hundred ovs-appctl calls.
 *
 * Limit of the judge: a `selection_method=dp_hash` select group (OVN load balancers) translates to
 * hash(l4(0)),recirc and ofproto/trace does not follow that recirculation ("no live bucket"), so
 * what a load-balancer bucket does after it is not judged here (the classifier's ofproto/trace
 * mode stops the pass there too); the bucket path is covered by test/classify.test.ts and the
 * classifier-vs-semantics service probes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CT, formatIpBig, packetFields, probeContext, type FlowFields, type PacketSpec, type ProbeContext } from '../src/classify/index.js';
import { compile } from '../src/compile.js';
import { formatAddFlows, formatGroups } from '../src/openflow/index.js';
import { describeRealOvn } from './oracle/vitest.js';
import type { OvnSandbox } from './oracle/ovn.js';
import { mulberry32 } from '../src/common/prng.js';

const FIXTURES = join(__dirname, '..', 'fixtures');
const fixtures = readdirSync(FIXTURES).filter((d) => /^\d/.test(d)).sort();
const PACKETS = Number(process.env.UDNC_CLASSIFY_ORACLE_PACKETS ?? 1000);
const BATCH = 250;
const CT_NEXT_REPEAT = 8;


interface Case { packet: PacketSpec; fields: FlowFields; ctNext: bigint; ctText: string }

const macText = (v: bigint): string => v.toString(16).padStart(12, '0').match(/../g)!.join(':');

/** The packet in ofproto/trace flow syntax. */
function traceFlow(f: FlowFields): string {
  const v6 = f['dl_type'] === 0x86ddn;
  const proto = Number(f['nw_proto'] ?? 0n);
  // the protocol keyword first: ovs-ofctl's flow parser checks prerequisites field by field
  const kw = ({ 6: 'tcp', 17: 'udp', 132: 'sctp', 1: 'icmp', 58: 'icmp6' } as Record<number, string>)[proto]!;
  const parts = [`${kw}${v6 && proto !== 58 ? '6' : ''}`, `in_port=${f['in_port']}`, `dl_src=${macText(f['dl_src'] ?? 0n)}`, `dl_dst=${macText(f['dl_dst'] ?? 0n)}`];
  if (v6) parts.push(`ipv6_src=${formatIpBig(f['ipv6_src'] ?? 0n, true)}`, `ipv6_dst=${formatIpBig(f['ipv6_dst'] ?? 0n, true)}`);
  else parts.push(`nw_src=${formatIpBig(f['nw_src'] ?? 0n, false)}`, `nw_dst=${formatIpBig(f['nw_dst'] ?? 0n, false)}`);
  parts.push(`nw_ttl=${f['nw_ttl'] ?? 64n}`);
  if (proto === 1 || proto === 58) parts.push(`icmp_type=${f['tp_src'] ?? 0n}`, `icmp_code=${f['tp_dst'] ?? 0n}`);
  else parts.push(`${kw}_src=${f['tp_src'] ?? 0n}`, `${kw}_dst=${f['tp_dst'] ?? 0n}`);
  if (proto === 6) parts.push(`tcp_flags=0x${(f['tcp_flags'] ?? 0n).toString(16).padStart(3, '0')}`);
  return parts.join(',');
}

function makeCases(pc: ProbeContext, n: number, seed: number): Case[] {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const vifs = pc.openflow.ports.map((p) => pc.vifAt(p.ofport)).filter((v) => v !== undefined);
  const dstIps = vifs.flatMap((v) => v.attachment.ips.map((i) => i.split('/')[0]!));
  const vips = pc.model.services.flatMap((s) => [...s.clusterIPs, ...s.loadBalancerIPs, ...s.externalIPs]);
  const svcPorts = pc.model.services.flatMap((s) => s.ports.map((p) => p.port));
  const podPorts = pc.model.pods.flatMap((p) => p.ports.map((x) => x.containerPort));
  const ports = [80, 443, 8080, 53, 9001, ...svcPorts, ...podPorts];
  const CTS: Array<[bigint, string]> = [[CT.trk | CT.new, 'trk,new'], [CT.trk | CT.est, 'trk,est'], [CT.trk | CT.est | CT.rpl, 'trk,est,rpl']];
  const out: Case[] = [];
  for (let i = 0; out.length < n && i < n * 10; i++) {
    const src = pick(vifs);
    const v4 = src.attachment.ips.map((x) => x.split('/')[0]!).filter((x) => !x.includes(':'));
    const v6 = src.attachment.ips.map((x) => x.split('/')[0]!).filter((x) => x.includes(':'));
    const fam6 = v6.length > 0 && (v4.length === 0 || rnd() < 0.2);
    const ipSrc = fam6 ? v6[0]! : v4[0];
    if (!ipSrc) continue;
    const r = rnd();
    const cands = (r < 0.6 ? dstIps : r < 0.8 && vips.length ? vips : [fam6 ? '2001:db8::7' : '198.51.100.7', fam6 ? 'fd99::1' : '8.8.8.8']).filter((x) => x.includes(':') === fam6);
    if (!cands.length) continue;
    const ipDst = pick(cands);
    const ethDst = rnd() < 0.9 ? pc.nextHopMac(src.attachment, ipDst) ?? '0a:58:00:00:00:99' : pick(['0a:58:00:00:00:99', 'ff:ff:ff:ff:ff:ff', src.attachment.mac]);
    const proto = pick(['tcp', 'tcp', 'tcp', 'udp', 'sctp', 'icmp'] as const);
    const packet: PacketSpec = {
      inPort: src.ofport, ethSrc: rnd() < 0.95 ? src.attachment.mac : '0a:58:de:ad:be:ef', ethDst, ipSrc, ipDst, proto,
      srcPort: 1024 + Math.floor(rnd() * 60000), dstPort: rnd() < 0.85 ? pick(ports) : 1 + Math.floor(rnd() * 65535),
    };
    const [ctNext, ctText] = rnd() < 0.6 ? CTS[0]! : pick(CTS);
    out.push({ packet, fields: packetFields(packet), ctNext, ctText });
  }
  return out;
}

interface RealVerdict { outputs: number[]; controller: boolean; text: string }

/** All datapath outputs of a trace (every recirculation pass), as ofports. */
function parseTrace(text: string, odpToOf: Map<number, number>): RealVerdict {
  const outs = new Set<number>();
  let controller = false;
  if (!/^Datapath actions: /m.test(text)) throw new Error(`ofproto/trace failed:\n${text}`);
  for (const line of text.split('\n')) {
    // a paused controller action freezes the translation and shows as `drop` in the datapath
    // actions, so controller actions are read from the OpenFlow part of the trace
    if (/^\s+controller\(/.test(line)) controller = true;
    const m = /^Datapath actions: (.*)$/.exec(line.trim());
    if (!m) continue;
    const acts = m[1]!;
    // bare decimal tokens are outputs; skip arguments like l4(0) and meter(N)
    const re = /(^|[,(])(\d+)(?=[,)]|$)/g;
    let t: RegExpExecArray | null;
    while ((t = re.exec(acts))) {
      const before = acts.slice(0, t.index + t[1]!.length);
      if (/(l4|meter|hash|recirc)\($/.test(before)) continue;
      const odp = Number(t[2]);
      outs.add(odpToOf.get(odp) ?? -odp);
    }
  }
  return { outputs: [...outs].sort((a, b) => a - b), controller, text };
}

async function traceBatch(sb: OvnSandbox, flows: Array<{ flow: string; ctText: string }>): Promise<string[]> {
  const ctl = (sb as unknown as { ctlPath(t: string): string }).ctlPath('vswitchd');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = flows.map(({ flow, ctText }) =>
    `ovs-appctl -t ${q(ctl)} ofproto/trace br-test ${q(flow)} ${Array.from({ length: CT_NEXT_REPEAT }, () => `--ct-next ${ctText}`).join(' ')} 2>&1; echo '@@UDNC-END@@'`).join('\n');
  const out = await sb.exec('sh', ['-s'], { input: script + '\n', timeoutMs: 600_000 });
  return out.split('@@UDNC-END@@\n').slice(0, flows.length);
}

describeRealOvn('classifier vs ovs-vswitchd ofproto/trace on udnc OpenFlow', (sandbox) => {
  for (const [fi, fx] of fixtures.entries()) {
    it(fx, async () => {
      const sb = sandbox();
      const compiled = await compile([join(FIXTURES, fx)], { until: 'openflow' });
      const of = compiled.openflow!;
      const pc = probeContext(compiled);
      // fresh bridge contents: ports of the port map (plus any other output target), flows, groups
      const existing = (await sb.vsctl('list-ports', 'br-test')).split('\n').filter(Boolean);
      for (const p of existing) await sb.vsctl('del-port', 'br-test', p);
      const outPorts = new Set(of.ports.map((p) => p.ofport));
      for (const f of of.flows) for (const a of f.actions) if (a.type === 'output') outPorts.add(a.port);
      const adds = [...outPorts].sort((a, b) => a - b).flatMap((n) => ['--', 'add-port', 'br-test', `u${fi}p${n}`, '--', 'set', 'interface', `u${fi}p${n}`, 'type=dummy', `ofport_request=${n}`]);
      await sb.vsctl(...adds.slice(1));
      await sb.replaceFlows('br-test', formatAddFlows(of), formatGroups(of));
      const show = await sb.appctl('vswitchd', 'dpif/show');
      const odpToOf = new Map<number, number>();
      let inTest = false;
      for (const line of show.split('\n')) {
        if (/^\s{2}\S+:$/.test(line)) inTest = line.trim() === 'br-test:';
        const m = /^\s{4}(\S+) (\d+)\/(\d+):/.exec(line);
        if (m && inTest) odpToOf.set(Number(m[3]), Number(m[2]));
      }
      const cases = makeCases(pc, PACKETS, 20251202 + fi);
      const real: RealVerdict[] = [];
      for (let i = 0; i < cases.length; i += BATCH) {
        const batch = cases.slice(i, i + BATCH);
        const texts = await traceBatch(sb, batch.map((c) => ({ flow: traceFlow(c.fields), ctText: c.ctText })));
        for (const t of texts) real.push(parseTrace(t, odpToOf));
      }
      let agree = 0;
      const counts = { delivered: 0, controller: 0, dropped: 0 };
      const bad: string[] = [];
      cases.forEach((c, i) => {
        const r = pc.classifier.run(c.fields, { ctNext: Array.from({ length: CT_NEXT_REPEAT }, () => c.ctNext) });
        const mine = [...new Set(r.verdict.outputs)].sort((a, b) => a - b);
        const theirs = real[i]!;
        const same = mine.join(',') === theirs.outputs.join(',') && (mine.length > 0 || (r.verdict.controller.length > 0) === theirs.controller);
        if (same) {
          agree++;
          if (mine.length) counts.delivered++;
          else if (theirs.controller) counts.controller++;
          else counts.dropped++;
        } else if (bad.length < 5) {
          bad.push(`${traceFlow(c.fields)} --ct-next ${c.ctText}: ovs ${JSON.stringify({ out: theirs.outputs, controller: theirs.controller })}, classifier ${JSON.stringify({ out: mine, controller: r.verdict.controller.map((x) => x.name), notes: r.notes })}\n${theirs.text.split('\n').slice(-30).join('\n')}`);
        }
      });
      console.log(`[classify-oracle] ${fx}: ${agree}/${cases.length} packets agree with ofproto/trace (delivered ${counts.delivered}, controller ${counts.controller}, dropped ${counts.dropped}); ${of.flows.length} flows, ${of.groups.length} groups`);
      for (const b of bad) console.log(`[classify-oracle] MISMATCH ${b}`);
      expect(cases.length).toBeGreaterThanOrEqual(Math.min(PACKETS, 1000));
      expect(agree).toBe(cases.length);
    }, 900_000);
  }
}, { northd: false, controller: false });
