/**
 * Pipeline benchmarks: udnc per stage and end to end on generated clusters (bench/generate.ts),
 * against the real ovn-northd / ovn-controller 25.03 on the same northbound database.
 *
 *   npx tsx bench/pipeline.bench.ts --case small        benchmark.js, per stage (small cluster, repeated)
 *   npx tsx bench/pipeline.bench.ts --case issue4       1,000 ns × 10 pods × 2 NPs → lflow; vs real northd
 *   npx tsx bench/pipeline.bench.ts --case issue5       same cluster → OpenFlow; vs northd + ovn-controller
 *   npx tsx bench/pipeline.bench.ts --case issue6       10k pods, 1k ns, 2k NPs, 20 ANPs, 500 Services → OpenFlow,
 *                                                      peak RSS; vs northd + ovn-controller
 *   npx tsx bench/pipeline.bench.ts --case linearity    100/200/400/800 namespaces, fitted exponent
 *   options: --no-real (udnc only), --real-only (real OVN only), --until lflow / --real-until lflow
 *            (stop udnc / the real run after lflow, i.e. northd only), --json FILE (append JSON lines),
 *            --sizes 100,200,400,800 (linearity), --real-timeout SECONDS (default 900),
 *            --linearity-shape namespaces|pods|pods-policies, --linearity-namespaces N (default 100),
 *            --linearity-warmup (run the first size once, unrecorded),
 *            --expect-flows N (with --real-only: udnc's OpenFlow count to check br-int against),
 *            --real-mgmt-probe (keep ovs-vswitchd's 60 s probe on br-int.mgmt; see runReal)
 *            --node NODE (that node's view on both sides — udnc compile --node, real chassis NODE
 *            with the other nodes as remote chassis, see runReal; issue4: northd on the node-view NB)
 * A real run whose br-int does not hold the flows after hv_cfg (realRunProblems) is printed and
 * recorded as invalid ("valid": false) and the process exits 1.
 *
 * Why two methods: benchmark.js repeats a function until the statistics settle, which is right for
 * sub-second work (the small case) and pointless for a 10,000-pod compile that takes minutes on a
 * loaded machine and allocates a GB: those are single timed runs, each in a fresh process, with
 * wall time and this process' CPU time (process.cpuUsage, which includes GC threads) side by side.
 * Real OVN is timed from the commit of one NB transaction (which also bumps NB_Global.nb_cfg) until
 * NB_Global.sb_cfg (northd done and SB written) / hv_cfg (ovn-controller installed the flows in
 * OVS) reach that nb_cfg, polled over the NB socket; daemon CPU comes from /proc/<pid>/stat.
 */
import { createHash } from 'node:crypto';
import { readFileSync, appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import Benchmark from 'benchmark';
import { generateCluster, toFiles, type GenerateOptions } from './generate.js';
import { compareObjects, parseManifestText } from '../src/manifests/index.js';
import type { ManifestSet } from '../src/manifests/types.js';
import { buildModel } from '../src/model/index.js';
import type { ClusterModel } from '../src/model/types.js';
import { formatTransact, lowerToNorthbound, type NorthboundDB } from '../src/northbound/index.js';
import { computeLogicalFlows } from '../src/lflow/index.js';
import type { LflowResult } from '../src/lflow/types.js';
import { compileOpenFlow, writeAddFlows } from '../src/openflow/index.js';
import type { OpenFlowResult } from '../src/openflow/types.js';
import type { DaemonName } from '../test/oracle/ovn.js';

// ---- measuring -----------------------------------------------------------------------------

export interface Timing { stage: string; wallMs: number; cpuMs: number; rssMb: number }

function timed<T>(stage: string, out: Timing[], fn: () => T): T {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const v = fn();
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  out.push({ stage, wallMs, cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 });
  return v;
}

/** Peak resident set of this process so far (VmHWM), in MiB. */
export function peakRssMb(pid: number | 'self' = 'self'): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

export interface UdncRun {
  timings: Timing[];
  counts: Record<string, number>;
  peakRssMb: number;
  heapLimitMb: number;
  nb: NorthboundDB;
  of?: OpenFlowResult;
  /** sha256 of the add-flows text */
  textSha?: string;
  /** OpenFlow flows per table */
  flowsPerTable?: Record<number, number>;
  lf: LflowResult;
}

function parseFiles(files: Array<{ file: string; text: string }>): ManifestSet {
  const sets = files.map((d) => parseManifestText(d.text, d.file));
  return { objects: sets.flatMap((s) => s.objects).sort(compareObjects), notices: sets.flatMap((s) => s.notices) };
}

/**
 * One timed run of the pipeline, stage by stage (as compileManifests chains them). `node`: the
 * openflow stage compiles that node's view (its pods local, the other nodes remote chassis), as
 * `udnc compile DIR --node NODE`; else the single-chassis view.
 */
export function runUdnc(gen: GenerateOptions, until: 'lflow' | 'openflow', node?: string): UdncRun {
  const files = toFiles(generateCluster(gen));
  const timings: Timing[] = [];
  const set = timed('manifests', timings, () => parseFiles(files));
  const model: ClusterModel = timed('model', timings, () => buildModel(set));
  const nb = timed('northbound', timings, () => lowerToNorthbound(model));
  const lf = timed('lflow', timings, () => computeLogicalFlows(nb));
  const of = until === 'openflow' ? timed('openflow', timings, () => compileOpenFlow(lf, { nb, ...(node !== undefined ? { node } : {}) })) : undefined;
  // reaching OpenFlow includes the add-flows text: streamed into a hash (at issue-6 size it exceeds a JS string)
  let textChars = 0;
  let textSha = '';
  if (of) {
    timed('openflow text', timings, () => {
      const h = createHash('sha256');
      writeAddFlows(of, (s) => { h.update(s); textChars += s.length; });
      textSha = h.digest('hex');
    });
  }
  const total = timings.reduce((a, t) => ({ wallMs: a.wallMs + t.wallMs, cpuMs: a.cpuMs + t.cpuMs }), { wallMs: 0, cpuMs: 0 });
  timings.push({ stage: 'total', ...total, rssMb: process.memoryUsage().rss / 2 ** 20 });
  const counts: Record<string, number> = {
    yamlBytes: files.reduce((a, f) => a + f.text.length, 0),
    objects: set.objects.length,
    pods: model.pods.length,
    nbAcls: nb.acls.length,
    nbPortGroups: nb.portGroups.length,
    // Σ over port groups of their ports: what policies × the pods they select amounts to
    nbPortGroupPorts: nb.portGroups.reduce((a, g) => a + g.ports.length, 0),
    nbAddressSets: nb.addressSets.length,
    nbSwitchPorts: nb.logicalSwitchPorts.length,
    nbLoadBalancers: nb.loadBalancers.length,
    lflows: lf.flows.length,
  };
  if (of) {
    // flowTable: counted without materialising the flows as objects
    counts['openflowFlows'] = of.flowTable?.size ?? of.flows.length;
    counts['openflowTextChars'] = textChars;
    counts['openflowGroups'] = of.groups.length;
    counts['openflowErrors'] = of.errors.length;
    counts['vifs'] = of.ports.filter((p) => p.kind === 'vif').length;
  }
  // flows per OpenFlow table (one at a time off flowTable), to set beside br-int's by table; node views only
  // (the single-chassis view has 22 M flows at issue 6 and no per-table real count to compare with)
  const flowsPerTable: Record<number, number> = {};
  if (of && node !== undefined) for (const f of of.flowTable ?? of.flows) flowsPerTable[f.table] = (flowsPerTable[f.table] ?? 0) + 1;
  const heapLimitMb = (v8HeapLimit() ?? NaN) / 2 ** 20;
  return { timings, counts, peakRssMb: peakRssMb(), heapLimitMb, nb, lf, ...(of ? { of, textSha, flowsPerTable } : {}) };
}

function v8HeapLimit(): number | undefined {
  const m = /--max-old-space-size[= ](\d+)/.exec([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
  return m ? Number(m[1]) * 2 ** 20 : undefined;
}

function printUdnc(label: string, r: UdncRun): void {
  console.log(`\n## udnc ${label}  (load average ${load()})`);
  console.log('| stage | wall s | CPU s | RSS after, MiB |\n|---|---|---|---|');
  for (const t of r.timings) console.log(`| ${t.stage} | ${(t.wallMs / 1000).toFixed(2)} | ${(t.cpuMs / 1000).toFixed(2)} | ${t.rssMb.toFixed(0)} |`);
  console.log(`peak RSS (VmHWM) ${r.peakRssMb.toFixed(0)} MiB${Number.isFinite(r.heapLimitMb) ? `, --max-old-space-size ${r.heapLimitMb} MiB` : ''}`);
  console.log(`counts: ${JSON.stringify(r.counts)}`);
  if (r.textSha) console.log(`add-flows text sha256 ${r.textSha}`);
}

// ---- real OVN ------------------------------------------------------------------------------


/** utime + stime of a process, in ms. */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14, 15 (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

export interface RealRun {
  vifBindS?: number;
  loadS: number;
  northdS: number;
  /** commit → hv_cfg of the nb_cfg that counts (node view: the second one, after the remote binds) */
  controllerS?: number;
  /** Node view: the sandbox's chassis; the other nodes are remote chassis. */
  node?: string;
  /** Node view: commit → hv_cfg of the first nb_cfg (remote ports maybe not yet bound). */
  firstHvS?: number;
  /** Node view: commit → start of the one SB transaction binding the remote ports, and its duration. */
  remoteBindAtS?: number;
  remoteBindS?: number;
  /** br-int flows per OpenFlow table after hv_cfg (node view). */
  flowsPerTable?: Record<number, number>;
  reached: 'sb' | 'hv' | 'timeout-sb' | 'timeout-hv';
  cpuS: Record<string, number>;
  peakRssMb: Record<string, number>;
  counts: Record<string, number>;
  transactBytes: number;
  /** Log lines after the NB commit that make a flow count untrustworthy (see realRunProblems). */
  logEvents?: string[];
  /** Why the run does not show the flows installed (empty: valid). */
  problems?: string[];
}

/**
 * What in controller.log / vswitchd.log shows the controller lost or reset its OpenFlow state:
 * a dropped or reprobed connection makes ovn-controller clear every flow (ofctrl S_CLEAR_FLOWS)
 * and drop its pending nb_cfg updates; a bundle error rolls back the whole flow batch.
 */
const CONTROLLER_TROUBLE = /connection dropped|inactivity probe|reconnected,force recompute|OFPBFC|bundle|OpenFlow error/i;
// not "connection dropped" here: an ovs-ofctl someone interrupts logs that too
const VSWITCHD_TROUBLE = /inactivity probe|OFPBFC|bundle/i;

function logLinesSince(path: string, sinceIso: string, trouble: RegExp): string[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return []; }
  // OVS log lines start with the same 24-character UTC ISO time as Date.toISOString()
  return text.split('\n').filter((l) => l.slice(0, 24) >= sinceIso && trouble.test(l));
}

/**
 * Whether a real run really installed the flows: hv_cfg reached, no connection reset or bundle
 * error after the commit, at least one OpenFlow flow per logical flow (single-chassis view only:
 * there every datapath is local; the 15 flows of the 2026-12-02 issue-5 run were the startup
 * flows. In a node view the other nodes' switches and gateway routers are not local datapaths, so
 * their lflows give no flow on this chassis and br-int rightly holds fewer flows than SB lflows),
 * and, when udnc's count is known, within 1 % of it.
 */
export function realRunProblems(r: RealRun, expectFlows?: number): string[] {
  const p: string[] = [];
  if (r.reached !== 'hv' && r.reached !== 'sb') p.push(`stopped before ${r.reached === 'timeout-sb' ? 'sb_cfg' : 'hv_cfg'}`);
  if (r.reached === 'hv') {
    const of = r.counts['openflowFlows'] ?? NaN;
    const lf = r.counts['lflowsPerDatapath'] ?? NaN;
    if (r.node === undefined && !(of >= lf)) p.push(`br-int holds ${of} flows after hv_cfg, fewer than the ${lf} logical flows`);
    if (expectFlows !== undefined && !(Math.abs(of - expectFlows) <= expectFlows * 0.01)) {
      p.push(`br-int holds ${of} flows after hv_cfg, udnc ${expectFlows} (more than 1 % apart)`);
    }
  }
  if (r.logEvents?.length) p.push(`${r.logEvents.length} OpenFlow connection/bundle event(s) after the commit, first: ${r.logEvents[0]}`);
  return p;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Loads udnc's NB (single-chassis view) into a fresh real-OVN sandbox in one transaction and waits
 * for northd (sb_cfg) and, with `vifs`, for ovn-controller (hv_cfg) after binding those VIFs first.
 *
 * With `node` (and `vifs`), that node's view instead: the NB as ovn-kubernetes writes it (nodeView),
 * the sandbox's chassis is `node`, the other nodes are registered as chassis with a geneve encap
 * (one SB transaction, before the commit), and as soon as northd has written the SB (sb_cfg) their
 * ports (remoteBindings) are bound to them in one SB transaction, as their ovn-controllers would;
 * then nb_cfg is bumped again and the run waits for hv_cfg of that second nb_cfg, so br-int's
 * count includes the flows to remote ports.
 */
export async function runReal(nb0: NorthboundDB, opts: {
  vifs?: Array<{ ifaceId: string; ofport: number }>;
  timeoutS: number;
  /** udnc's OpenFlow flow count for the same view, to check the real count against. */
  expectFlows?: number;
  /**
   * Keep ovs-vswitchd's fixed 60 s probe on br-int.mgmt (default false here: at issue-5 size one
   * ovn-controller recompute takes > 120 s wall on this shared machine and the probe resets it forever).
   */
  mgmtProbe?: boolean;
  /** Node view of this node (without `vifs`: northd only, on the NB as ovn-k writes it). */
  node?: string;
}): Promise<RealRun> {
  const { startOvn } = await import('../test/oracle/ovn.js');
  const { singleChassisView } = await import('../test/oracle/single-chassis.js');
  const { nodeView, remoteBindings } = await import('../test/oracle/node-view.js');
  const withController = opts.vifs !== undefined;
  const node = opts.node;
  const sb = await startOvn({
    controller: withController, testBridge: false, timeoutMs: opts.timeoutS * 1000, openflowMgmtProbe: opts.mgmtProbe ?? false,
    ...(node !== undefined ? { systemId: node } : {}),
  });
  try {
    const pids = sb.pids();
    const daemons: DaemonName[] = ['northd', 'nb-db', 'sb-db', ...(withController ? ['controller', 'vswitchd', 'ovs-db'] as const : [])];
    const res: RealRun = { loadS: NaN, northdS: NaN, reached: 'timeout-sb', cpuS: {}, peakRssMb: {}, counts: {}, transactBytes: 0, ...(node !== undefined ? { node } : {}) };
    const nb = node !== undefined ? nodeView(nb0) : singleChassisView(nb0);

    if (opts.vifs) {
      // bind every VIF in one OVS transaction, then wait until vswitchd has applied it
      const ops: unknown[] = [];
      const portUuids: unknown[] = [];
      opts.vifs.forEach((v, i) => {
        ops.push({ op: 'insert', table: 'Interface', 'uuid-name': `i${i}`, row: { name: `vif${v.ofport}`, type: 'dummy', ofport_request: v.ofport, external_ids: ['map', [['iface-id', v.ifaceId]]] } });
        ops.push({ op: 'insert', table: 'Port', 'uuid-name': `p${i}`, row: { name: `vif${v.ofport}`, interfaces: ['named-uuid', `i${i}`] } });
        portUuids.push(['named-uuid', `p${i}`]);
      });
      ops.push({ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['set', portUuids]]] });
      ops.push({ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] });
      ops.push({ op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] });
      const t0 = performance.now();
      const r = await sb.transact('ovs', ops);
      const want = (r[r.length - 1] as { rows: Array<{ next_cfg: number }> }).rows[0]!.next_cfg;
      for (;;) {
        const [s] = await sb.transact('ovs', [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['cur_cfg'] }]) as [{ rows: Array<{ cur_cfg: number }> }];
        if (s.rows[0]!.cur_cfg >= want) break;
        await sleep(100);
      }
      res.vifBindS = (performance.now() - t0) / 1000;
    }
    // node view: the other nodes as chassis (Chassis + geneve Encap rows, one SB transaction)
    const remote = node !== undefined && withController ? remoteBindings(nb, node) : new Map<string, string[]>();
    const chassisUuid = new Map<string, string>();
    if (remote.size) {
      const names = [...remote.keys()].sort();
      if (names.length > 250) throw new Error(`${names.length} remote chassis: more than 127.0.0.2-251`);
      const ops: unknown[] = names.flatMap((ch, i) => [
        { op: 'insert', table: 'Encap', 'uuid-name': `e${i}`, row: { type: 'geneve', ip: `127.0.0.${i + 2}`, chassis_name: ch, options: ['map', [['csum', 'true']]] } },
        { op: 'insert', table: 'Chassis', 'uuid-name': `c${i}`, row: { name: ch, hostname: ch, encaps: ['named-uuid', `e${i}`] } },
      ]);
      const r = await sb.sbTransact(ops);
      names.forEach((ch, i) => chassisUuid.set(ch, (r[2 * i + 1] as { uuid: [string, string] }).uuid[1]));
      res.counts['remoteChassis'] = names.length;
      res.counts['remotePorts'] = [...remote.values()].reduce((a, l) => a + l.length, 0);
    }
    if (withController) await sb.sync(); // controller idle again (VIFs bound, tunnels made) before the measured load

    const ops = (JSON.parse(formatTransact(nb)) as Array<{ op?: string; table?: string; row?: unknown }>).map((op) =>
      op && op.table === 'NB_Global' && op.op === 'insert' ? { op: 'update', table: 'NB_Global', where: [], row: op.row } : op);
    const body: unknown[] = [
      ...ops.filter((o) => typeof o !== 'string'),
      { op: 'mutate', table: 'NB_Global', where: [], mutations: [['nb_cfg', '+=', 1]] },
      { op: 'select', table: 'NB_Global', where: [], columns: ['nb_cfg'] },
    ];
    res.transactBytes = JSON.stringify(body).length;
    const cpu0 = Object.fromEntries(daemons.map((d) => [d, procCpuMs(pids[d])]));
    const commitIso = new Date().toISOString();
    const t0 = performance.now();
    const r = await sb.nbTransact(body);
    const tCommit = performance.now();
    res.loadS = (tCommit - t0) / 1000;
    const progress = (what: string): void => console.log(`[real] ${what} at +${((performance.now() - tCommit) / 1000).toFixed(1)} s after commit (load ${res.loadS.toFixed(1)} s); CPU s ${daemons.map((d) => `${d} ${((procCpuMs(pids[d]) - cpu0[d]!) / 1000).toFixed(1)}`).join(', ')}; load average ${load()}`);
    progress('NB committed');
    let lastReport = performance.now();
    const want = (r[r.length - 1] as { rows: Array<{ nb_cfg: number }> }).rows[0]!.nb_cfg;
    const deadline = t0 + opts.timeoutS * 1000;
    let tSb: number | undefined;
    let tHv: number | undefined;
    // node view: hv_cfg of the first nb_cfg, and the nb_cfg bumped after the remote binds
    let tHv1: number | undefined;
    let wantFinal = remote.size ? undefined : want;
    while (performance.now() < deadline) {
      const [s] = await sb.nbTransact([{ op: 'select', table: 'NB_Global', where: [], columns: ['sb_cfg', 'hv_cfg'] }]) as [{ rows: Array<{ sb_cfg: number; hv_cfg: number }> }];
      const row = s.rows[0]!;
      if (tSb === undefined && row.sb_cfg >= want) { tSb = performance.now(); progress('northd done (sb_cfg)'); }
      if (remote.size && tHv1 === undefined && row.hv_cfg >= want) { tHv1 = performance.now(); progress('ovn-controller done with the first nb_cfg (hv_cfg)'); }
      if (tSb !== undefined && wantFinal === undefined) {
        // the remote ports, as their nodes' ovn-controllers would claim them: one SB transaction
        const pbOps = [...remote].flatMap(([ch, lps]) => lps.map((lp) => ({
          op: 'update', table: 'Port_Binding', where: [['logical_port', '==', lp]], row: { chassis: ['uuid', chassisUuid.get(ch)!] },
        })));
        const b0 = performance.now();
        res.remoteBindAtS = (b0 - tCommit) / 1000;
        const br = await sb.sbTransact(pbOps);
        res.remoteBindS = (performance.now() - b0) / 1000;
        // an update whose where matched nothing counts 0: a port northd did not create
        res.counts['remotePortsBound'] = br.reduce((a: number, x) => a + ((x as { count?: number }).count ?? 0), 0);
        const [, sel] = await sb.nbTransact([
          { op: 'mutate', table: 'NB_Global', where: [], mutations: [['nb_cfg', '+=', 1]] },
          { op: 'select', table: 'NB_Global', where: [], columns: ['nb_cfg'] },
        ]) as [unknown, { rows: Array<{ nb_cfg: number }> }];
        wantFinal = sel.rows[0]!.nb_cfg;
        progress(`${res.counts['remotePortsBound']} remote ports bound to ${remote.size} chassis in ${res.remoteBindS.toFixed(1)} s, nb_cfg ${wantFinal}`);
      }
      if (withController && wantFinal !== undefined && tHv === undefined && row.hv_cfg >= wantFinal) { tHv = performance.now(); progress('ovn-controller done (hv_cfg)'); }
      if (performance.now() - lastReport > 60_000) {
        lastReport = performance.now();
        progress('still waiting');
        if (withController) await reportOpenFlowQueue(sb, res);
      }
      if (tSb !== undefined && (!withController || tHv !== undefined)) break;
      await sleep(100);
    }
    if (tSb !== undefined) res.northdS = (tSb - tCommit) / 1000;
    if (tHv1 !== undefined) res.firstHvS = (tHv1 - tCommit) / 1000;
    if (tHv !== undefined) res.controllerS = (tHv - tCommit) / 1000;
    res.reached = tSb === undefined ? 'timeout-sb' : withController ? (tHv === undefined ? 'timeout-hv' : 'hv') : 'sb';
    for (const d of daemons) {
      res.cpuS[d] = (procCpuMs(pids[d]) - cpu0[d]!) / 1000;
      res.peakRssMb[d] = peakRssMb(pids[d]!);
    }
    // what they produced
    const [lfs, grps] = await sb.sbTransact([
      { op: 'select', table: 'Logical_Flow', where: [], columns: ['_uuid', 'logical_datapath', 'logical_dp_group'] },
      { op: 'select', table: 'Logical_DP_Group', where: [], columns: ['_uuid', 'datapaths'] },
    ]) as [{ rows: Array<{ logical_datapath: unknown; logical_dp_group: unknown }> }, { rows: Array<{ _uuid: [string, string]; datapaths: unknown }> }];
    const groupSize = new Map(grps.rows.map((g) => [g._uuid[1], setSize(g.datapaths)]));
    res.counts['sbLogicalFlowRows'] = lfs.rows.length;
    res.counts['lflowsPerDatapath'] = lfs.rows.reduce((a, f) => a + (setSize(f.logical_datapath) > 0 ? 1 : groupSize.get(uuidOf(f.logical_dp_group)) ?? 0), 0);
    if (withController) {
      const agg = await sb.ofctl('-O', 'OpenFlow15', 'dump-aggregate', 'br-int');
      res.counts['openflowFlows'] = Number(/flow_count=(\d+)/.exec(agg)?.[1] ?? NaN);
      res.counts['openflowGroups'] = (await sb.dumpGroups('br-int')).length;
      if (node !== undefined && res.reached === 'hv') res.flowsPerTable = await flowsPerTable(sb);
      res.logEvents = [
        ...logLinesSince(sb.hostLogPath('controller'), commitIso, CONTROLLER_TROUBLE).map((l) => `controller: ${l}`),
        ...logLinesSince(sb.hostLogPath('vswitchd'), commitIso, VSWITCHD_TROUBLE).map((l) => `vswitchd: ${l}`),
      ];
    }
    res.problems = realRunProblems(res, opts.expectFlows);
    return res;
  } finally {
    await sb.stop();
  }
}

/**
 * ovn-controller's OpenFlow messages queued to / sent to ovs-vswitchd so far (coverage counters
 * rconn_queued / rconn_sent, all its connections): after a recompute the whole flow table is queued
 * at once as one bundle, so this shows when the flows were computed and how far their transfer is.
 * The controller answers between main-loop iterations only; a busy one is skipped (5 s timeout).
 */
async function reportOpenFlowQueue(sb: { appctl: (d: DaemonName, ...a: string[]) => Promise<string> }, res: RealRun): Promise<void> {
  let cov: string;
  try { cov = await sb.appctl('controller', '--timeout=5', 'coverage/show'); } catch { console.log('[real]   controller busy (coverage/show timed out)'); return; }
  const total = (name: string): number => Number(new RegExp(`^${name}\\s.*total: (\\d+)`, 'm').exec(cov)?.[1] ?? NaN);
  res.counts['ofMessagesQueued'] = total('rconn_queued');
  res.counts['ofMessagesSent'] = total('rconn_sent');
  console.log(`[real]   ovn-controller OpenFlow messages: queued ${res.counts['ofMessagesQueued']}, sent ${res.counts['ofMessagesSent']}`);
}

/**
 * br-int's flows in each non-empty table (ovs-ofctl dump-aggregate per table: no dump of the flows
 * themselves). Not table 254: vswitchd's own hidden flows, which the bridge-wide count leaves out too.
 */
async function flowsPerTable(sb: { ofctl: (...a: string[]) => Promise<string> }): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  for (let t = 0; t < 254; t++) {
    const n = Number(/flow_count=(\d+)/.exec(await sb.ofctl('-O', 'OpenFlow15', 'dump-aggregate', 'br-int', `table=${t}`))?.[1] ?? NaN);
    if (n !== 0) out[t] = n;
  }
  return out;
}

function setSize(c: unknown): number {
  if (Array.isArray(c) && c[0] === 'set') return (c[1] as unknown[]).length;
  return Array.isArray(c) && c[0] === 'uuid' ? 1 : 0;
}
function uuidOf(c: unknown): string {
  if (Array.isArray(c) && c[0] === 'uuid') return String(c[1]);
  if (Array.isArray(c) && c[0] === 'set' && (c[1] as unknown[]).length === 1) return String((c[1] as [string, string][])[0]![1]);
  return '';
}

function printReal(label: string, r: RealRun): void {
  console.log(`\n## real OVN 25.03 ${label}  (load average ${load()})`);
  console.log(`reached: ${r.reached}; NB transaction ${(r.transactBytes / 2 ** 20).toFixed(1)} MiB`);
  if (r.vifBindS !== undefined) console.log(`VIF binding (not counted): ${r.vifBindS.toFixed(1)} s`);
  console.log(`NB load (transaction commit, not counted): ${r.loadS.toFixed(1)} s`);
  console.log(`northd, commit → sb_cfg: ${r.northdS.toFixed(1)} s`);
  if (r.node !== undefined) {
    console.log(`node view of ${r.node}: ${r.counts['remoteChassis'] ?? 0} remote chassis, ${r.counts['remotePortsBound'] ?? '?'} of ${r.counts['remotePorts'] ?? 0} remote ports bound`);
    if (r.firstHvS !== undefined) console.log(`northd + ovn-controller, commit → first hv_cfg: ${r.firstHvS.toFixed(1)} s`);
    if (r.remoteBindAtS !== undefined) console.log(`remote ports bound (one SB transaction) at +${r.remoteBindAtS.toFixed(1)} s, taking ${(r.remoteBindS ?? NaN).toFixed(1)} s`);
  }
  if (r.controllerS !== undefined) console.log(`northd + ovn-controller, commit → ${r.node !== undefined ? 'final ' : ''}hv_cfg: ${r.controllerS.toFixed(1)} s`);
  console.log(`daemon CPU s: ${JSON.stringify(Object.fromEntries(Object.entries(r.cpuS).map(([k, v]) => [k, +v.toFixed(1)])))}`);
  console.log(`daemon peak RSS MiB: ${JSON.stringify(Object.fromEntries(Object.entries(r.peakRssMb).map(([k, v]) => [k, +v.toFixed(0)])))}`);
  console.log(`counts: ${JSON.stringify(r.counts)}`);
  if (r.problems?.length) {
    console.log(`\n**INVALID real run** (its times are not "until the flows were installed"):`);
    for (const p of r.problems) console.log(`- ${p}`);
    process.exitCode = 1;
  }
}

/** OpenFlow tables where br-int's count and udnc's differ. */
function printTableDiff(udnc: Record<number, number>, real: Record<number, number>): void {
  const tables = [...new Set([...Object.keys(udnc), ...Object.keys(real)].map(Number))].sort((a, b) => a - b);
  const diff = tables.filter((t) => (udnc[t] ?? 0) !== (real[t] ?? 0));
  console.log(`\nflows per table: ${tables.length} tables, ${diff.length} differ${diff.length ? ':' : ''}`);
  if (diff.length) {
    console.log('| table | real | udnc | udnc − real |\n|---|---|---|---|');
    for (const t of diff) console.log(`| ${t} | ${real[t] ?? 0} | ${udnc[t] ?? 0} | ${(udnc[t] ?? 0) - (real[t] ?? 0)} |`);
  }
}

// ---- cases ---------------------------------------------------------------------------------

export const CASES = {
  issue4: { namespaces: 1000, pods: 10, policies: 2 } satisfies GenerateOptions,
  issue6: { namespaces: 1000, pods: 10, policies: 2, anps: 20, services: 500 } satisfies GenerateOptions,
  small: { namespaces: 20, pods: 10, policies: 2, anps: 2, services: 10 } satisfies GenerateOptions,
};

function benchmarkJs(gen: GenerateOptions): Promise<void> {
  const files = toFiles(generateCluster(gen));
  const set = parseFiles(files);
  const model = buildModel(set);
  const nb = lowerToNorthbound(model);
  const lf = computeLogicalFlows(nb);
  const of = compileOpenFlow(lf, { nb });
  console.log(`\n## benchmark.js, ${JSON.stringify(gen)}: ${set.objects.length} objects, ${model.pods.length} pods, ${nb.acls.length} ACLs, ${lf.flows.length} lflows, ${of.flows.length} OpenFlow flows  (load average ${load()})`);
  const opt = { minSamples: 5, maxTime: 8 };
  return new Promise((done) => {
    new Benchmark.Suite('pipeline')
      .add('manifests (parse + validate)', () => { parseFiles(files); }, opt)
      .add('model', () => { buildModel(set); }, opt)
      .add('northbound', () => { lowerToNorthbound(model); }, opt)
      .add('lflow', () => { computeLogicalFlows(nb); }, opt)
      .add('openflow', () => { compileOpenFlow(lf, { nb }); }, opt)
      .add('end to end (→ openflow)', () => {
        const m = buildModel(parseFiles(files));
        const n = lowerToNorthbound(m);
        compileOpenFlow(computeLogicalFlows(n), { nb: n });
      }, opt)
      .on('cycle', (e: Benchmark.Event) => {
        const b = e.target as Benchmark.Target & { stats: { mean: number; rme: number; sample: number[] } };
        console.log(`| ${b.name} | ${(b.stats.mean * 1000).toFixed(1)} ms | ±${b.stats.rme.toFixed(1)} % | ${b.stats.sample.length} |`);
      })
      .on('complete', () => done())
      .run({ async: true });
  });
}

/** Least-squares slope of log(y) on log(x). */
export function fitExponent(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', default: 'small' }, 'no-real': { type: 'boolean' }, json: { type: 'string' },
      sizes: { type: 'string', default: '100,200,400,800' }, 'real-timeout': { type: 'string', default: '900' },
      until: { type: 'string' }, 'real-only': { type: 'boolean' }, 'real-until': { type: 'string' }, 'linearity-until': { type: 'string', default: 'openflow' },
      'linearity-shape': { type: 'string', default: 'namespaces' }, 'expect-flows': { type: 'string' }, 'real-mgmt-probe': { type: 'boolean' }, 'linearity-warmup': { type: 'boolean' }, 'linearity-namespaces': { type: 'string', default: '100' },
      node: { type: 'string' },
    },
  });
  const record = (x: unknown): void => { if (values.json) appendFileSync(values.json, JSON.stringify(x) + '\n'); };
  const started = new Date().toISOString();
  let real = !values['no-real'];
  if (real) {
    const { ovnAvailable } = await import('../test/oracle/ovn.js');
    const a = ovnAvailable();
    if (!a.ok) {
      console.log(`real OVN unavailable (${a.why}): udnc only`);
      real = false;
    }
  }
  const timeoutS = Number(values['real-timeout']);
  console.log(`# pipeline bench --case ${values.case}  ${started}  node ${process.version}  load average ${load()}`);

  switch (values.case) {
    case 'small':
      await benchmarkJs(CASES.small);
      break;
    case 'issue4':
    case 'issue5':
    case 'issue6': {
      const gen = values.case === 'issue6' ? CASES.issue6 : CASES.issue4;
      // --until lflow: stop udnc after the lflow stage (the real run still binds every VIF udnc would)
      const until = values.case === 'issue4' || values.until === 'lflow' ? 'lflow' : 'openflow';
      const realUntil: 'lflow' | 'openflow' = values.case === 'issue4' || values['real-until'] === 'lflow' ? 'lflow' : 'openflow';
      const loadBefore = load();
      // --node NODE: that node's view on both sides (udnc compile --node; real chassis = NODE, the other nodes remote)
      const node = values.node;
      // (issue4 / --until lflow: udnc's lflows do not depend on the node; the real northd gets the node-view NB)
      if (node !== undefined && (values['real-only'] || (until === 'lflow' && realUntil === 'openflow'))) {
        throw new Error('--node: the real ovn-controller binds udnc\'s node-view VIFs, so udnc must reach openflow (no --real-only, no --until lflow without --real-until lflow)');
      }
      if (values['real-only']) {
        // udnc only as far as the NB (not reported); the VIFs are the NB's type-"" switch ports
        const nb = lowerToNorthbound(buildModel(parseFiles(toFiles(generateCluster(gen)))));
        const vifs = realUntil === 'lflow' ? undefined
          : nb.logicalSwitchPorts.filter((p) => p.type === '').map((p) => p.name).sort().map((ifaceId, i) => ({ ifaceId, ofport: i + 1 }));
        const expectFlows = values['expect-flows'] === undefined ? undefined : Number(values['expect-flows']);
        const r = await runReal(nb, { ...(vifs ? { vifs } : {}), timeoutS, mgmtProbe: !!values['real-mgmt-probe'], ...(expectFlows !== undefined ? { expectFlows } : {}) });
        printReal(`${values.case}`, r);
        record({ case: values.case, started, loadBefore, loadAfter: load(), realOnly: true, valid: !r.problems?.length, real: r });
        break;
      }
      const u = runUdnc(gen, until, node);
      printUdnc(`${values.case} ${JSON.stringify(gen)} → ${until}${node !== undefined ? `, node view of ${node}` : ''}`, u);
      const { nb, of } = u;
      record({ case: values.case, started, loadBefore, loadAfter: load(), gen, until, ...(node !== undefined ? { node } : {}), udnc: { timings: u.timings, counts: u.counts, peakRssMb: u.peakRssMb, heapLimitMb: u.heapLimitMb, ...(u.textSha ? { addFlowsSha256: u.textSha } : {}), ...(node !== undefined ? { flowsPerTable: u.flowsPerTable } : {}) } });
      if (real) {
        // the VIFs udnc's single-chassis view binds: every SB Port_Binding of type '' (ofports 1.. in name order)
        const vifs = realUntil === 'lflow' ? undefined : of
          ? of.ports.filter((p) => p.kind === 'vif' && p.ifaceId).map((p) => ({ ifaceId: p.ifaceId!, ofport: p.ofport }))
          : u.lf.southbound.portBindings.filter((p) => p.type === '').map((p) => p.logicalPort).sort().map((ifaceId, i) => ({ ifaceId, ofport: i + 1 }));
        // keep only what the real run needs before the sandbox starts
        (u as Partial<UdncRun>).of = undefined;
        const expectFlows = realUntil === 'openflow' ? u.counts['openflowFlows'] : undefined;
        const r = await runReal(nb, { ...(vifs ? { vifs } : {}), timeoutS, mgmtProbe: !!values['real-mgmt-probe'], ...(expectFlows !== undefined ? { expectFlows } : {}), ...(node !== undefined ? { node } : {}) });
        printReal(`${values.case}${node !== undefined ? `, node view of ${node}` : ''}`, r);
        if (r.flowsPerTable && u.flowsPerTable) printTableDiff(u.flowsPerTable, r.flowsPerTable);
        const udncS = u.timings.find((t) => t.stage === 'total')!;
        const realS = realUntil === 'lflow' ? r.northdS : r.controllerS ?? NaN;
        const realCpu = realUntil === 'lflow' ? r.cpuS['northd']! : Object.values(r.cpuS).reduce((a, b) => a + b, 0);
        console.log(`\nratio real(→${realUntil})/udnc(→${until}): wall ${(realS / (udncS.wallMs / 1000)).toFixed(2)}×, CPU ${(realCpu / (udncS.cpuMs / 1000)).toFixed(2)}× (real CPU = ${realUntil === 'lflow' ? 'northd' : 'all daemons'})`);
        record({ case: values.case, started, loadAfter: load(), valid: !r.problems?.length, real: r });
      }
      break;
    }
    case 'linearity': {
      const sizes = values.sizes.split(',').map(Number);
      const rows: Array<{ n: number; t: Timing[]; c: Record<string, number> }> = [];
      // --linearity-shape: namespaces (N × 10 pods × 2 NPs); pods (--linearity-namespaces fixed, N pods
      // each, same 2 NPs: each policy selects more pods); pods-policies (N pods and N/5 NPs per namespace:
      // policies × selected pods grows as N² while pods and policies grow as N)
      const shape = values['linearity-shape'];
      const fixedNs = Number(values['linearity-namespaces']);
      const genOf = (n: number): GenerateOptions =>
        shape === 'pods' ? { namespaces: fixedNs, pods: n, policies: 2, anps: 0, services: 0 }
          : shape === 'pods-policies' ? { namespaces: fixedNs, pods: n, policies: Math.max(1, Math.round(n / 5)), anps: 0, services: 0 }
            : { namespaces: n, pods: 10, policies: 2, anps: 0, services: 0 };
      // --linearity-warmup: run the first size once, unrecorded, so the first point does not pay JIT warm-up
      if (values['linearity-warmup']) runUdnc(genOf(sizes[0]!), values['linearity-until'] === 'lflow' ? 'lflow' : 'openflow');
      for (const n of sizes) {
        const gen = genOf(n);
        const u = runUdnc(gen, values['linearity-until'] === 'lflow' ? 'lflow' : 'openflow');
        rows.push({ n, t: u.timings, c: u.counts });
        console.log(`${shape}=${n}: ${u.timings.map((t) => `${t.stage} ${(t.wallMs / 1000).toFixed(2)}/${(t.cpuMs / 1000).toFixed(2)}s`).join(', ')}; lflows ${u.counts['lflows']}, OF ${u.counts['openflowFlows']}  (load ${load()})`);
        record({ case: 'linearity', started, load: load(), gen, udnc: { timings: u.timings, counts: u.counts } });
      }
      const ns = rows.map((r) => r.n);
      console.log(`\n| metric | exponent (log-log fit over ${shape}) |\n|---|---|`);
      for (const stage of rows[0]!.t.map((t) => t.stage)) {
        console.log(`| ${stage} CPU | ${fitExponent(ns, rows.map((r) => r.t.find((t) => t.stage === stage)!.cpuMs)).toFixed(2)} |`);
      }
      for (const k of ['pods', 'nbAcls', 'nbPortGroupPorts', 'lflows', 'openflowFlows'].filter((k) => rows[0]!.c[k] !== undefined)) console.log(`| ${k} | ${fitExponent(ns, rows.map((r) => r.c[k]!)).toFixed(2)} |`);
      // the same CPU figures against the work the cluster asks for: pods + port-group memberships
      const work = rows.map((r) => r.c['pods']! + r.c['nbPortGroupPorts']!);
      console.log(`\n| metric | exponent vs pods + Σ port-group ports |\n|---|---|`);
      for (const stage of rows[0]!.t.map((t) => t.stage)) {
        console.log(`| ${stage} CPU | ${fitExponent(work, rows.map((r) => r.t.find((t) => t.stage === stage)!.cpuMs)).toFixed(2)} |`);
      }
      break;
    }
    default:
      throw new Error(`unknown --case ${values.case}`);
  }
}

// run only as a script, so runReal/realRunProblems can be imported
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
