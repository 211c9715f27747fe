/**
 * The real datapath as the judge: real packets, not ofproto/trace (which stops at the dp_hash
 * recirculation of OVN's load balancers). Fixture 08 is loaded into the real NB (single-chassis
 * view, as test/openflow-oracle.test.ts), its VIFs bound as dummy ports on br-int with udnc's
 * ofports, and each probe's packet is injected with `ovs-appctl netdev-dummy/receive` into the
 * source VIF; the ports whose tx counters grow (`ovs-ofctl dump-ports`) are what the datapath
 * delivered. The same is done on br-test loaded with udnc's own OpenFlow (flows and groups).
 *
 * The classifier replays each bridge's packets in the same order with one conntrack and one set of
 * learned flows per bridge (as the bridge has), and with the load-balancer bucket the real datapath
 * chose (read back from `dpctl/dump-conntrack`: the backend the connection was DNATed to), so every
 * packet's delivered ports must be identical. Per probe, the real outcome over several connections
 * (source ports) must then match the evaluator and the classifier's probe verdict:
 *  - a ClientIP-affinity Service: the first connection of the client (dropped: OVN's affinity
 *    learn stage ends without `next`; its retransmission too), later ones go through;
 *  - otherwise: allowed iff some connection reaches an expected VIF (the load balancer picks a
 *    backend per connection; an api pod reaching its own Service is delivered when it picks the
 *    pod itself, and dropped by the pod's egress policy otherwise).
 * Skips without real OVN (fails under UDNC_REQUIRE_OVN=1).
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Conntrack, Learned, classifyProbeIn, crossCheckProbes, packetFields, probeContext, probeText, type FlowFields, type PacketSpec, type ProbeContext } from '../src/classify/index.js';
import { compile, type CompileResult } from '../src/compile.js';
import { loadManifests } from '../src/manifests/index.js';
import { buildModel } from '../src/model/index.js';
import { formatTransact, lowerToNorthbound } from '../src/northbound/index.js';
import { formatAddFlows, formatGroups } from '../src/openflow/index.js';
import type { OfGroup } from '../src/openflow/types.js';
import { evaluate } from '../src/semantics/evaluate.js';
import type { Probe } from '../src/semantics/types.js';
import type { OvnSandbox } from './oracle/ovn.js';
import { describeRealOvn } from './oracle/vitest.js';
import { singleChassisView as singleChassis } from './oracle/single-chassis.js';

const FX = join(import.meta.dirname, '../fixtures/08-policy-and-service-edge-cases');

/** Fixture 08's former open disagreements, then controls (allowed and denied). */
const PROBES = [
  'shop/api-sq94gmfflq-4mfvp → svc/shop/api TCP/80',
  'shop/api-sq94gmfflq-4mfvp → svc/shop/api UDP/53',
  'shop/api-sq94gmfflq-4mfvp → svc/shop/api-sticky TCP/8080',
  'shop/api-sq94gmfflq-c5kjt → svc/shop/api UDP/53',
  'shop/api-sq94gmfflq-c5kjt → svc/shop/api-sticky TCP/8080',
  'shop/db → svc/shop/api-sticky TCP/8080',
  'web/frontend → svc/shop/api-sticky TCP/8080',
  'web/other → svc/shop/api-sticky TCP/8080',
  // controls
  'web/frontend → svc/shop/api TCP/80',
  'web/frontend → shop/api-sq94gmfflq-c5kjt TCP/8080',
  'shop/db → svc/shop/api TCP/80',
  'ops/scanner → svc/shop/api TCP/80',
  'web/other → svc/shop/api UDP/53',
  'shop/api-sq94gmfflq-c5kjt → shop/db TCP/5432',
  'web/frontend → shop/db TCP/5432',
];
/** connections per probe; the first is sent twice (a retransmission) */
const CONNECTIONS = 6;


const mac = (v: bigint): string => v.toString(16).padStart(12, '0').match(/../g)!.join(':');
const ip4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');

/** The packet in the datapath flow syntax netdev-dummy/receive composes packets from. */
function odpPacket(f: FlowFields): string {
  if (f['dl_type'] !== 0x800n) throw new Error('datapath oracle: IPv4 packets only');
  const proto = Number(f['nw_proto']);
  const l4 = proto === 6 ? `tcp(src=${f['tp_src']},dst=${f['tp_dst']}),tcp_flags(syn)` : proto === 17 ? `udp(src=${f['tp_src']},dst=${f['tp_dst']})` : undefined;
  if (!l4) throw new Error(`datapath oracle: protocol ${proto}`);
  return `eth(src=${mac(f['dl_src']!)},dst=${mac(f['dl_dst']!)}),eth_type(0x0800),`
    + `ipv4(src=${ip4(f['nw_src']!)},dst=${ip4(f['nw_dst']!)},proto=${proto},tos=0,ttl=${f['nw_ttl'] ?? 64n},frag=no),${l4}`;
}

function txCounts(dump: string): Map<number, number> {
  const m = new Map<number, number>();
  let port: number | undefined;
  for (const line of dump.split('\n')) {
    const p = /^\s*port\s+(\d+):/.exec(line);
    if (p) port = Number(p[1]);
    else if (/^\s*port\s/.test(line)) port = undefined;
    const t = /tx pkts=(\d+)/.exec(line);
    if (t && port !== undefined) m.set(port, Number(t[1]));
  }
  return m;
}

const SETTLE_READS = 3;
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Injects one packet into `vif`; returns the ofports that transmitted since, and conntrack after.
 * One shell in the chroot per packet: tx counters, receive, then counters read every 150 ms (the
 * packet and its recirculations run in vswitchd's main loop; outputs show in the first read), then
 * the conntrack table.
 */
async function inject(sb: OvnSandbox, bridge: string, vif: string, packet: string): Promise<{ out: number[]; conntrack: string }> {
  const ctl = q(sb.ctlPath('vswitchd'));
  const script = [
    `ovs-ofctl dump-ports ${bridge}`, 'echo @@',
    `ovs-appctl -t ${ctl} netdev-dummy/receive ${vif} ${q(packet)} >/dev/null`,
    ...Array.from({ length: SETTLE_READS }, () => `sleep 0.15; ovs-ofctl dump-ports ${bridge}; echo @@`),
    `ovs-appctl -t ${ctl} dpctl/dump-conntrack`,
  ].join('\n');
  const parts = (await sb.exec('sh', ['-s'], { input: script + '\n' })).split('@@\n');
  const before = txCounts(parts[0]!);
  const reads = parts.slice(1, 1 + SETTLE_READS).map((d) => [...txCounts(d)].filter(([p, n]) => n !== (before.get(p) ?? 0)));
  const last = reads[reads.length - 1]!;
  // settled: the last two reads agree
  const key = (r: Array<[number, number]>) => r.map(([p, n]) => `${p}:${n}`).sort().join(',');
  if (key(reads[reads.length - 2]!) !== key(last)) throw new Error(`datapath oracle: tx counters still moving after ${SETTLE_READS} reads`);
  return { out: last.map(([p]) => p).sort((a, b) => a - b), conntrack: parts[1 + SETTLE_READS] ?? '' };
}

/** The backend the datapath DNATed this connection to (a load-balanced one), from conntrack. */
function realBackend(conntrack: string, f: FlowFields): string | undefined {
  const want = `src=${ip4(f['nw_src']!)},dst=${ip4(f['nw_dst']!)},sport=${f['tp_src']},dport=${f['tp_dst']}`;
  for (const line of conntrack.split('\n')) {
    if (!line.includes(`orig=(${want})`)) continue;
    const r = /reply=\(src=([\d.]+),/.exec(line)?.[1];
    if (r && r !== ip4(f['nw_dst']!)) return r;
  }
  return undefined;
}

interface Sent { probe: string; conn: number; packet: PacketSpec; real: number[]; classifier: number[]; backend?: string; delivered: boolean }

/** Sends every probe's connections into `bridge` and replays them through the classifier. */
async function runProbes(sb: OvnSandbox, bridge: string, vifName: (ofport: number) => string, pc: ProbeContext, probes: Probe[], portBase: number): Promise<Sent[]> {
  const ct = new Conntrack();
  const learned = new Learned();
  const sent: Sent[] = [];
  for (const [pi, probe] of probes.entries()) {
    const ports = Array.from({ length: CONNECTIONS }, (_, k) => portBase + pi * 100 + k);
    for (const [k, srcPort] of [ports[0]!, ...ports].entries()) {
      const c = classifyProbeIn(pc, probe, { srcPort, reply: false });
      if (!c.classifiable || !c.packet) throw new Error(`${probeText(probe)}: not classifiable: ${c.reason}`);
      const fields = packetFields(c.packet);
      const { out: real, conntrack } = await inject(sb, bridge, vifName(c.packet.inPort), odpPacket(fields));
      const backend = realBackend(conntrack, fields);
      const pin = backend === undefined ? undefined : (g: OfGroup) => {
        const i = g.buckets.findIndex((b) => b.actionsText.includes(`nat(dst=${backend}:`));
        return i < 0 ? undefined : i;
      };
      const r = pc.classifier.run(fields, { conntrack: ct, learned, ...(pin ? { selectBucket: pin } : {}) });
      const mine = [...new Set(r.verdict.outputs)].sort((a, b) => a - b);
      sent.push({ probe: probeText(probe), conn: k === 0 ? 0 : k - 1, packet: c.packet, real, classifier: mine, backend, delivered: real.some((o) => c.expected.includes(o)) });
    }
  }
  return sent;
}

function report(bridge: string, sent: Sent[]): string[] {
  return sent.map((s) => `[datapath-oracle] ${bridge}: ${s.probe} sport ${s.packet.srcPort}${s.backend ? ` → backend ${s.backend}` : ''}: real ${JSON.stringify(s.real)}, classifier ${JSON.stringify(s.classifier)}`);
}

/** Per probe: the real outcome vs the evaluator and the classifier's probe verdict. */
function probeVerdicts(compiled: CompileResult, pc: ProbeContext, probes: Probe[], sent: Sent[]): Array<{ probe: string; real: boolean; semantics: boolean; classifier: boolean; affinity: boolean }> {
  return probes.map((probe) => {
    const t = probeText(probe);
    const mine = sent.filter((s) => s.probe === t);
    const d = probe.dst;
    const svc = d.kind === 'service' ? compiled.model!.services.find((s) => s.namespace === d.namespace && s.name === d.name) : undefined;
    const affinity = svc?.sessionAffinity === 'ClientIP';
    // affinity: the client's first connection (fresh bridge for this client and VIP); else any
    const real = affinity ? mine[0]!.delivered : mine.some((s) => s.delivered);
    return { probe: t, real, affinity, semantics: evaluate(compiled.model!, probe, { semantics: 'ovn-kubernetes' }).allowed, classifier: classifyProbeIn(pc, probe).allowed };
  });
}

describeRealOvn('datapath: real packets on fixture 08 (real ovn-controller br-int, udnc flows on br-test) vs classifier and semantics', (sandbox) => {
  let compiled: CompileResult;
  let pc: ProbeContext;
  let probes: Probe[];

  it('loads fixture 08 into the real OVN and binds its VIFs', async () => {
    const sb = sandbox();
    const nb = singleChassis(lowerToNorthbound(buildModel(await loadManifests([FX]))));
    const ops = (JSON.parse(formatTransact(nb)) as Array<{ op?: string; table?: string; row?: unknown }>).map((op) =>
      op && op.table === 'NB_Global' && op.op === 'insert' ? { op: 'update', table: 'NB_Global', where: [], row: op.row } : op);
    await sb.nbTransact(ops);
    await sb.nbctl('--wait=sb', 'sync');
    compiled = await compile([FX], { until: 'openflow' });
    pc = probeContext(compiled);
    const of = compiled.openflow!;
    for (const p of of.ports) if (p.kind === 'vif') await sb.addVif(`vif${p.ofport}`, p.ifaceId!, { ofport: p.ofport });
    await sb.nbctl('--wait=hv', 'sync');
    // udnc's flows on br-test, one dummy port per ofport
    const outPorts = new Set(of.ports.map((p) => p.ofport));
    for (const f of of.flows) for (const a of f.actions) if (a.type === 'output') outPorts.add(a.port);
    const adds = [...outPorts].sort((a, b) => a - b).flatMap((n) => ['--', 'add-port', 'br-test', `t${n}`, '--', 'set', 'interface', `t${n}`, 'type=dummy', `ofport_request=${n}`]);
    await sb.vsctl(...adds.slice(1));
    await sb.replaceFlows('br-test', formatAddFlows(of), formatGroups(of));
    const all = new Map(crossCheckProbes(compiled.model!).map((p) => [probeText(p), p]));
    probes = PROBES.map((t) => {
      const p = all.get(t);
      if (!p) throw new Error(`no probe ${t} in fixture 08`);
      return p;
    });
    // the real controller installed the fixture (5,194 flows when last compared, openflow-oracle)
    expect((await sb.dumpFlows('br-int')).length).toBeGreaterThan(of.flows.length / 2);
  }, 300_000);

  for (const bridge of ['br-int', 'br-test'] as const) {
    it(`${bridge}: every packet is delivered where the classifier says, and per probe real = semantics = classifier`, async () => {
      const sb = sandbox();
      expect(pc, 'setup ran').toBeDefined();
      // both bridges share the dummy datapath's conntrack
      await sb.appctl('vswitchd', 'dpctl/flush-conntrack');
      const sent = await runProbes(sb, bridge, (n) => (bridge === 'br-int' ? `vif${n}` : `t${n}`), pc, probes, bridge === 'br-int' ? 20000 : 40000);
      for (const l of report(bridge, sent)) console.log(l);
      const verdicts = probeVerdicts(compiled, pc, probes, sent);
      for (const v of verdicts) console.log(`[datapath-oracle] ${bridge}: ${v.probe}: real ${v.real ? 'delivered' : 'dropped'}${v.affinity ? ' (first connection)' : ' (some connection)'}, semantics ${v.semantics ? 'allowed' : 'denied'}, classifier ${v.classifier ? 'allowed' : 'denied'}`);
      const agree = sent.filter((s) => s.real.join(',') === s.classifier.join(',')).length;
      console.log(`[datapath-oracle] ${bridge}: ${agree}/${sent.length} packets delivered identically; ${sent.filter((s) => s.real.length).length} delivered, ${sent.filter((s) => !s.real.length).length} dropped`);
      expect(sent.map((s) => ({ p: `${s.probe} sport ${s.packet.srcPort}`, out: s.real }))).toEqual(sent.map((s) => ({ p: `${s.probe} sport ${s.packet.srcPort}`, out: s.classifier })));
      expect(verdicts.map((v) => ({ probe: v.probe, semantics: v.semantics, classifier: v.classifier })))
        .toEqual(verdicts.map((v) => ({ probe: v.probe, semantics: v.real, classifier: v.real })));
      // the settled cases are really exercised: a dropped first affinity connection with later
      // ones through, and a hairpin both delivered (own backend) and dropped (the other one)
      const sticky = sent.filter((s) => s.probe === 'web/frontend → svc/shop/api-sticky TCP/8080');
      expect(sticky.map((s) => s.delivered)).toEqual([false, false, ...Array(CONNECTIONS - 1).fill(true)]);
      const hairpin = sent.filter((s) => s.probe === 'shop/api-sq94gmfflq-4mfvp → svc/shop/api TCP/80');
      expect(new Set(hairpin.map((s) => s.delivered))).toEqual(new Set([true, false]));
      expect(hairpin.filter((s) => s.delivered).every((s) => s.backend === '10.244.1.3' && s.real.join() === '8')).toBe(true);
    }, 600_000);
  }
});
