/**
 * Conformance runner: replays the peer suites of shared/conformance (SCHEMA.md) through the
 * evaluator and compares. Every disagreement is either listed, with its reason, in
 * deviations.json (a documented semantic choice) or reported as unexplained.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadManifests } from '../manifests/index.js';
import type { ManifestSet } from '../manifests/types.js';
import { buildModel } from '../model/index.js';
import type { ClusterModel, Pod } from '../model/types.js';
import type { Protocol } from '../model/k8s.js';
import { evaluate } from './evaluate.js';
import { parseIP } from './net.js';
import { SEMANTICS_PRESETS, type Choices, type PeerSpec, type Probe, type Semantics, type Verdict } from './types.js';
import deviationData from './deviations.json' with { type: 'json' };

// ---- expected.json (schema_version 1), only the fields the runner reads ----
export interface CasePeerRef {
  namespace?: string;
  pod?: string | null;
  workload?: string;
  kind?: string;
  ip?: string;
  host_network?: boolean;
}
export interface CaseProbe {
  src: CasePeerRef;
  dst: CasePeerRef;
  protocol: Protocol;
  port: number;
  allowed: boolean | null;
  ingress_allowed?: boolean | null;
  egress_allowed?: boolean | null;
  loopback?: boolean;
  network?: string;
  subtest?: string;
}
type Allowed = 'all' | Partial<Record<Protocol, Array<[number, number]>>>;
interface ConnEnd { peer?: string; ip_range?: string; ingress_controller?: boolean }
export interface CaseConnection { network: string; src: ConnEnd; dst: ConnEnd; allowed: Allowed }
export interface ExpectedCase {
  schema_version: number;
  corpus: string;
  case: string;
  granularity: 'pod' | 'workload';
  closed_world: boolean;
  manifest_files: string[];
  features: string[];
  probes: CaseProbe[];
  peers?: Array<{ id: string; namespace: string; workload: string; kind: string; primary_network: string; secondary_networks: string[] }>;
  connections?: CaseConnection[] | null;
  upstream_point_checks?: CaseProbe[];
}

// ---- deviations ----
export interface DeviationRule {
  corpus: string;
  case: string;
  /** which semantics the deviation belongs to */
  semantics: Semantics | 'both';
  /** optional narrowing; a missing field matches anything */
  src?: string; // "ns/pod" or "ns/workload" or an IP
  dst?: string;
  protocol?: Protocol;
  port?: number;
  network?: string;
  /** the expected number of probes this rule explains (keeps the list honest) */
  count: number;
  /** key into `reasons`: `choice:<Choices key>` or a named limitation */
  reason: string;
  note?: string;
}
export interface DeviationFile {
  reasons: Record<string, string>;
  deviations: DeviationRule[];
}
export const DEVIATIONS = deviationData as DeviationFile;

// ---- results ----
export interface ProbeOutcome {
  corpus: string;
  case: string;
  index: number;
  probe: CaseProbe;
  expected: boolean;
  expectedIngress?: boolean;
  expectedEgress?: boolean;
  got?: Verdict;
  /** set when the probe could not be run (unknown pod...) */
  error?: string;
  pass: boolean;
  /**
   * why it disagrees, found mechanically: `choice:<name>` when flipping that one documented
   * semantic choice makes the evaluator agree; a named limitation otherwise (see attribute())
   */
  attribution?: string;
  deviation?: DeviationRule;
}
export interface CaseResult {
  corpus: string;
  case: string;
  features: string[];
  outcomes: ProbeOutcome[];
  /** closed-world expectations that contradict the probe's own `allowed` field (corpus inconsistencies) */
  corpusInconsistencies: number;
  error?: string;
}
export interface ConformanceReport {
  semantics: Semantics;
  cases: CaseResult[];
  passed: number;
  failed: number;
  explained: number;
  unexplained: ProbeOutcome[];
  /** deviation rules whose count did not match what they explained */
  staleDeviations: Array<{ rule: DeviationRule; matched: number }>;
}

export interface ConformanceOptions {
  corpus?: string;
  case?: string;
  semantics?: Semantics;
  deviations?: DeviationFile;
  /** progress callback (case path) */
  onCase?: (path: string) => void;
}

interface IndexRow { corpus: string; case: string; path: string }

export async function runConformance(dir: string, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const semantics = opts.semantics ?? 'ovn-kubernetes';
  const index = JSON.parse(await fs.readFile(path.join(dir, 'INDEX.json'), 'utf8')) as IndexRow[];
  const rows = index
    .filter((r) => !opts.corpus || r.corpus === opts.corpus)
    .filter((r) => !opts.case || r.case === opts.case)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const cases: CaseResult[] = [];
  for (const row of rows) {
    opts.onCase?.(row.path);
    cases.push(await runCase(path.join(dir, row.path), semantics));
  }
  return summarize(cases, semantics, opts.deviations ?? DEVIATIONS, Boolean(opts.corpus || opts.case));
}

export async function loadCaseModel(caseDir: string, exp: ExpectedCase): Promise<ClusterModel> {
  return (await loadCase(caseDir, exp)).model;
}

/** One probe of a case, resolved as runCase resolves it (or why it could not be). */
export interface CaseProbeSpec {
  /** `probes[i]` or `upstream_point_checks[i]` */
  origin: string;
  record: CaseProbe;
  probe?: Probe;
  error?: string;
}

/**
 * A case's model and every probe record (including loopback ones with `allowed: null` and the
 * upstream point checks) as evaluator probes, resolved exactly as runCase resolves them: what the
 * classifier cross-check runs.
 */
export async function loadCaseProbes(caseDir: string): Promise<{ exp: ExpectedCase; set: ManifestSet; model: ClusterModel; probes: CaseProbeSpec[] }> {
  const exp = JSON.parse(await fs.readFile(path.join(caseDir, 'expected.json'), 'utf8')) as ExpectedCase;
  const { set, model } = await loadCase(caseDir, exp, { reallocateDuplicateIPs: true });
  const workloads = workloadIndex(model);
  const records: Array<[string, CaseProbe]> = [
    ...exp.probes.map((p, i): [string, CaseProbe] => [`probes[${i}]`, p]),
    ...(exp.upstream_point_checks ?? []).map((p, i): [string, CaseProbe] => [`upstream_point_checks[${i}]`, p]),
  ];
  const probes = records.map(([origin, record]): CaseProbeSpec => {
    try {
      const src = toPeerSpec(model, workloads, record.src, record.network);
      const dst = toPeerSpec(model, workloads, record.dst, record.network);
      return { origin, record, probe: { src, dst, protocol: record.protocol, port: record.port } };
    } catch (e) {
      return { origin, record, error: e instanceof Error ? e.message : String(e) };
    }
  });
  return { exp, set, model, probes };
}

/** The case's model, and how many documents the lenient loader skipped (unreadable YAML...). */
export async function loadCase(
  caseDir: string, exp: ExpectedCase, opts: { reallocateDuplicateIPs?: boolean } = {},
): Promise<{ set: ManifestSet; model: ClusterModel; skippedDocs: number }> {
  // netpol-analyzer lists its files relative to manifests/; the other corpora relative to the case.
  const files = exp.manifest_files.map((f) => {
    const direct = path.join(caseDir, f);
    return existsSync(direct) ? direct : path.join(caseDir, 'manifests', f);
  });
  const set = await loadManifests(files, { lenient: true });
  const { set: split, restore } = splitDuplicatePodIPs(set);
  const unique = placeOnNodesOfTheirIPs(split);
  const model = buildModel(unique, { implicitNamespaces: true, ignoreUnknownNetworks: true });
  const skippedDocs = set.notices.filter((n) => n.severity === 'warning' && /^skipped/.test(n.message)).length;
  // The dataplane cannot hold two pods on one address: the classifier cross-check keeps the
  // reallocated ones (the model stays one a cluster could run).
  const keep = opts.reallocateDuplicateIPs || !restore.size;
  return { set: unique, model: keep ? model : restorePodIPs(model, restore), skippedDocs };
}

/**
 * cyclonus' probe.json gives several pods the same IP, which no real cluster (and not the model's
 * IPAM) allows. The runner removes the repeated addresses before the model is built and puts them
 * back on the built pods afterwards, so ipBlock peers still see the IPs the corpus assumes.
 */
function splitDuplicatePodIPs(set: ManifestSet): { set: ManifestSet; restore: Map<string, string[]> } {
  const seen = new Set<string>();
  const restore = new Map<string, string[]>();
  const objects = set.objects.map((mo) => {
    const o = mo.object;
    if (o.kind !== 'Pod' || !o.status) return mo;
    const ips: string[] = (o.status.podIPs as Array<{ ip: string }> | undefined)?.map((x) => x.ip) ?? (o.status.podIP ? [o.status.podIP as string] : []);
    if (!ips.some((ip) => seen.has(ip))) {
      ips.forEach((ip) => seen.add(ip));
      return mo;
    }
    restore.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, ips);
    const { podIP: _a, podIPs: _b, ...status } = o.status as Record<string, unknown>;
    return { ...mo, object: { ...o, status } };
  });
  return { set: { ...set, objects }, restore };
}

const NODE_SUBNETS_ANNOTATION = 'k8s.ovn.org/node-subnets';
const HOST_PREFIX_V4 = 24; // the default cluster network's per-node prefix (model/config.ts)

/**
 * Corpora that give pods IPs (the e2e ipBlock cases, cyclonus' probe.json) took them from a
 * multi-node cluster: 10.244.0.x and 10.244.1.x are two nodes' /24s, 192.168.1.x some other
 * CNI's range. On udnc's single made-up node those addresses lie outside the node's host subnet,
 * so the compiled dataplane has no route for them. When the case names no Node and no pod names
 * its node (only bare Pods), the runner declares one Node per /24 the IPs fall in, with that
 * block as its host subnet (k8s.ovn.org/node-subnets); the scheduler stand-in then places each pod
 * on the node whose subnet holds its IP. Addresses and verdicts are unchanged.
 */
function placeOnNodesOfTheirIPs(set: ManifestSet): ManifestSet {
  const objs = set.objects.map((mo) => mo.object);
  if (objs.some((o) => o.kind === 'Node' || o.kind === 'Network' || /^VirtualMachine/.test(o.kind)
    || (o.kind !== 'Pod' && o.spec?.template !== undefined))) return set;
  const blocks = new Set<bigint>();
  for (const o of objs) {
    if (o.kind !== 'Pod' || o.spec?.hostNetwork === true) continue;
    if (o.spec?.nodeName !== undefined) return set;
    const ips: string[] = (o.status?.podIPs as Array<{ ip: string }> | undefined)?.map((x) => x.ip) ?? (o.status?.podIP ? [o.status.podIP as string] : []);
    for (const ip of ips) {
      const x = parseIP(ip);
      if (!x) continue;
      if (x.v6) return set; // no dual-stack corpus case: keep the single node
      blocks.add(x.n >> BigInt(32 - HOST_PREFIX_V4));
    }
  }
  const sorted = [...blocks].sort((a, b) => (a < b ? -1 : 1));
  const first = parseIP('10.244.0.0')!.n >> BigInt(32 - HOST_PREFIX_V4); // what the one made-up node gets
  if (!sorted.length || (sorted.length === 1 && sorted[0] === first)) return set;
  const nodes = sorted.map((b, i) => {
    const n = b << BigInt(32 - HOST_PREFIX_V4);
    const cidr = `${[24n, 16n, 8n, 0n].map((sh) => String((n >> sh) & 255n)).join('.')}/${HOST_PREFIX_V4}`;
    const name = i === 0 ? 'ovn-worker' : `ovn-worker${i + 1}`;
    return {
      object: {
        apiVersion: 'v1', kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations: { [NODE_SUBNETS_ANNOTATION]: JSON.stringify({ default: cidr }) } },
      },
      source: { file: '(conformance runner: node of the host subnet holding the given pod IPs)', line: 1, col: 1 },
    } as ManifestSet['objects'][number];
  });
  return { ...set, objects: [...nodes, ...set.objects] };
}

function restorePodIPs(model: ClusterModel, restore: Map<string, string[]>): ClusterModel {
  const pods = model.pods.map((p) => {
    const ips = restore.get(`${p.namespace}/${p.name}`);
    if (!ips) return p;
    return {
      ...p,
      attachments: p.attachments.map((a) => (a.role === 'primary' && a.network === 'default' ? { ...a, ips } : a)),
    };
  });
  return { ...model, pods };
}

export async function runCase(caseDir: string, semantics: Semantics): Promise<CaseResult> {
  const exp = JSON.parse(await fs.readFile(path.join(caseDir, 'expected.json'), 'utf8')) as ExpectedCase;
  const res: CaseResult = { corpus: exp.corpus, case: exp.case, features: exp.features, outcomes: [], corpusInconsistencies: 0 };
  let model: ClusterModel;
  let skippedDocs = 0;
  try {
    ({ model, skippedDocs } = await loadCase(caseDir, exp));
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    exp.probes.forEach((p, i) => {
      if (p.allowed === null) return;
      res.outcomes.push({ corpus: exp.corpus, case: exp.case, index: i, probe: p, expected: p.allowed, pass: false, error: `model: ${res.error}` });
    });
    return res;
  }
  const workloads = workloadIndex(model);
  // netpol-analyzer's extra point checks (eval_test.go) are direct expectations, not closed-world.
  const points = (exp.upstream_point_checks ?? []).map((p) => ({ ...p, subtest: 'upstream_point_check' }));
  [...exp.probes, ...points].forEach((p, i) => {
    let expected: boolean | null = p.allowed;
    if (exp.connections && exp.granularity === 'workload' && p.subtest !== 'upstream_point_check') {
      const cw = closedWorldExpectation(exp, p);
      if (cw !== p.allowed) res.corpusInconsistencies++;
      expected = cw;
    }
    if (expected === null) return;
    const o: ProbeOutcome = { corpus: exp.corpus, case: exp.case, index: i, probe: p, expected, pass: false };
    if (typeof p.ingress_allowed === 'boolean') o.expectedIngress = p.ingress_allowed;
    if (typeof p.egress_allowed === 'boolean') o.expectedEgress = p.egress_allowed;
    try {
      const src = toPeerSpec(model, workloads, p.src, p.network);
      const dst = toPeerSpec(model, workloads, p.dst, p.network);
      const v = evaluate(model, { src, dst, protocol: p.protocol, port: p.port }, { semantics });
      o.got = v;
      o.pass = agrees(o, v);
      if (!o.pass) o.attribution = attribute(model, o, exp, { src, dst, protocol: p.protocol, port: p.port }, semantics, skippedDocs > 0);
    } catch (e) {
      o.error = e instanceof Error ? e.message : String(e);
    }
    res.outcomes.push(o);
  });
  return res;
}

function agrees(o: ProbeOutcome, v: Verdict): boolean {
  return v.allowed === o.expected
    && (o.expectedIngress === undefined || v.ingress.allowed === o.expectedIngress)
    && (o.expectedEgress === undefined || v.egress.allowed === o.expectedEgress);
}

const CHOICE_ORDER: Array<keyof Choices> = [
  'loopbackBypassesPolicy', 'npNamedPortWidens', 'npPortlessDroppedWithNumbered', 'anpPriorityLimit',
  'adminPoliciesDefaultNetworkOnly', 'hostNetworkOutsidePolicy', 'ipBlockMatchesPodIPs',
  'lbAffinityDropsFirstConnection', 'routerDropsMartians',
];

/**
 * Names the cause of a disagreement without trusting a list: flip each documented choice alone
 * and re-evaluate; the first flip that agrees with the corpus is the cause. Secondary-network
 * probes of cases that ship MultiNetworkPolicy (a kind udnc does not model) are named as such.
 */
function attribute(
  model: ClusterModel, o: ProbeOutcome, exp: ExpectedCase, probe: Probe, semantics: Semantics, skipped: boolean,
): string | undefined {
  const preset = SEMANTICS_PRESETS[semantics];
  for (const k of CHOICE_ORDER) {
    const v = evaluate(model, probe, { semantics, choices: { [k]: !preset[k] } });
    if (agrees(o, v)) return `choice:${k}`;
  }
  if (o.probe.network?.startsWith('nad:') && exp.features.includes('multinetworkpolicy')
    && o.got?.reasons.some((r) => r.stage === 'isolation' && /MultiNetworkPolicy/.test(r.message))) {
    return 'multinetworkpolicy-not-modeled';
  }
  if (skipped && o.got?.reasons.some((r) => r.stage === 'isolation' && /has no interface on network/.test(r.message))) {
    return 'manifest-document-skipped';
  }
  return undefined;
}

/** pods by workload key `ns/name[Kind]` (first pod by name) and by `ns/name` for bare pods */
function workloadIndex(model: ClusterModel): Map<string, Pod> {
  const m = new Map<string, Pod>();
  for (const p of [...model.pods].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const w = p.workload;
    const k = `${w.namespace ?? p.namespace}/${w.name}[${w.kind}]`;
    if (!m.has(k)) m.set(k, p);
  }
  return m;
}

function toPeerSpec(model: ClusterModel, workloads: Map<string, Pod>, r: CasePeerRef, network: string | undefined): PeerSpec {
  if (r.ip) return { kind: 'ip', ip: r.ip };
  if (!r.namespace) throw new Error('probe peer without namespace or ip');
  let podName = r.pod ?? undefined;
  const exact = podName !== undefined && model.pods.some((p) => p.namespace === r.namespace && p.name === podName);
  if (r.workload && r.kind && !exact) {
    const p = workloads.get(`${r.namespace}/${r.workload}[${r.kind}]`)
      ?? workloads.get(`${r.namespace}/${r.workload}[${r.kind === 'VirtualMachine' ? 'VirtualMachineInstance' : r.kind}]`);
    if (!p) throw new Error(`no pod for workload ${r.namespace}/${r.workload}[${r.kind}]`);
    podName = p.name;
  }
  if (!podName && r.workload) {
    // a workload named without its kind (upstream point checks): its first pod
    podName = [...model.pods].filter((p) => p.namespace === r.namespace && p.workload.name === r.workload)
      .sort((a, b) => (a.name < b.name ? -1 : 1))[0]?.name ?? r.workload;
  }
  if (!podName) throw new Error('probe peer without pod or workload');
  const spec: PeerSpec = { kind: 'pod', namespace: r.namespace, name: podName };
  // netpol-analyzer names secondary networks 'nad:<name>'; pick the pod's attachment of that NAD.
  if (network?.startsWith('nad:')) {
    const nad = network.slice(4);
    const pod = model.pods.find((p) => p.namespace === r.namespace && p.name === podName);
    const att = pod?.attachments.find((a) => a.role === 'secondary' && (a.nad?.split('/')[1] === nad || a.network.endsWith(`/${nad}`)));
    spec.network = att?.network ?? `nad:${r.namespace}/${nad}`;
  }
  return spec;
}

// ---- netpol-analyzer closed world (SCHEMA.md "Closed-world evaluation") ----

interface ParsedRange { v6: boolean; lo: bigint; hi: bigint; allowed: Allowed }
interface ClosedWorld {
  pairs: Map<string, Allowed>; // net|src|dst
  toIP: Map<string, ParsedRange[]>; // net|src peer
  fromIP: Map<string, ParsedRange[]>; // net|dst peer
}
const closedWorlds = new WeakMap<ExpectedCase, ClosedWorld>();

/** Index `connections` once per case: large cases list tens of thousands of them. */
function closedWorld(exp: ExpectedCase): ClosedWorld {
  let cw = closedWorlds.get(exp);
  if (cw) return cw;
  cw = { pairs: new Map(), toIP: new Map(), fromIP: new Map() };
  const range = (r: string, allowed: Allowed): ParsedRange | undefined => {
    const [lo, hi] = r.split('-');
    const l = lo ? parseIP(lo) : undefined;
    const h = hi ? parseIP(hi) : undefined;
    return l && h && l.v6 === h.v6 ? { v6: l.v6, lo: l.n, hi: h.n, allowed } : undefined;
  };
  const push = (m: Map<string, ParsedRange[]>, k: string, r: ParsedRange | undefined) => {
    if (!r) return;
    const l = m.get(k) ?? [];
    l.push(r);
    m.set(k, l);
  };
  for (const c of exp.connections ?? []) {
    if (c.src.peer && c.dst.peer) cw.pairs.set(`${c.network}|${c.src.peer}|${c.dst.peer}`, c.allowed);
    else if (c.src.peer && c.dst.ip_range) push(cw.toIP, `${c.network}|${c.src.peer}`, range(c.dst.ip_range, c.allowed));
    else if (c.dst.peer && c.src.ip_range) push(cw.fromIP, `${c.network}|${c.dst.peer}`, range(c.src.ip_range, c.allowed));
  }
  closedWorlds.set(exp, cw);
  return cw;
}

function allowedCovers(a: Allowed, protocol: Protocol, port: number): boolean {
  if (a === 'all') return true;
  return (a[protocol] ?? []).some(([lo, hi]) => lo <= port && port <= hi);
}

/** SCHEMA.md "Closed-world evaluation": a pair not listed in `connections` is denied. */
export function closedWorldExpectation(exp: ExpectedCase, p: CaseProbe): boolean {
  const net = p.network ?? 'pod-network';
  if (net.includes('|')) return false; // different primary networks: isolated
  const id = (r: CasePeerRef) => `${r.namespace}/${r.workload}[${r.kind}]`;
  const cw = closedWorld(exp);
  const inRange = (list: ParsedRange[] | undefined, ip: string) => {
    const x = parseIP(ip);
    return x ? list?.find((r) => r.v6 === x.v6 && r.lo <= x.n && x.n <= r.hi) : undefined;
  };
  let a: Allowed | undefined;
  if (p.src.ip) a = inRange(cw.fromIP.get(`${net}|${id(p.dst)}`), p.src.ip)?.allowed;
  else if (p.dst.ip) a = inRange(cw.toIP.get(`${net}|${id(p.src)}`), p.dst.ip)?.allowed;
  else a = cw.pairs.get(`${net}|${id(p.src)}|${id(p.dst)}`);
  return a ? allowedCovers(a, p.protocol, p.port) : false;
}

// ---- summary ----

export function probeKey(o: { probe: CaseProbe }): { src: string; dst: string } {
  const s = (r: CasePeerRef) => r.ip ?? `${r.namespace}/${r.pod ?? r.workload}`;
  return { src: s(o.probe.src), dst: s(o.probe.dst) };
}

export function matchDeviation(rule: DeviationRule, o: ProbeOutcome, semantics: Semantics): boolean {
  if (rule.corpus !== o.corpus || rule.case !== o.case) return false;
  if (rule.semantics !== 'both' && rule.semantics !== semantics) return false;
  if (!o.attribution || rule.reason !== o.attribution) return false;
  const k = probeKey(o);
  if (rule.src !== undefined && rule.src !== k.src) return false;
  if (rule.dst !== undefined && rule.dst !== k.dst) return false;
  if (rule.protocol !== undefined && rule.protocol !== o.probe.protocol) return false;
  if (rule.port !== undefined && rule.port !== o.probe.port) return false;
  if (rule.network !== undefined && rule.network !== (o.probe.network ?? '')) return false;
  return true;
}

function summarize(cases: CaseResult[], semantics: Semantics, devs: DeviationFile, partial: boolean): ConformanceReport {
  const rules = devs.deviations.filter((d) => d.semantics === 'both' || d.semantics === semantics);
  const matched = new Map<DeviationRule, number>();
  let passed = 0, failed = 0, explained = 0;
  const unexplained: ProbeOutcome[] = [];
  for (const c of cases) {
    for (const o of c.outcomes) {
      if (o.pass) { passed++; continue; }
      failed++;
      const rule = rules.find((r) => matchDeviation(r, o, semantics));
      if (rule) {
        o.deviation = rule;
        matched.set(rule, (matched.get(rule) ?? 0) + 1);
        explained++;
      } else unexplained.push(o);
    }
  }
  const ran = new Set(cases.map((c) => `${c.corpus}/${c.case}`));
  const staleDeviations = rules
    .filter((r) => !partial || ran.has(`${r.corpus}/${r.case}`))
    .filter((r) => (matched.get(r) ?? 0) !== r.count)
    .map((rule) => ({ rule, matched: matched.get(rule) ?? 0 }));
  return { semantics, cases, passed, failed, explained, unexplained, staleDeviations };
}

export interface Tally { passed: number; failed: number; explained: number }

export function tallyBy(report: ConformanceReport, key: (c: CaseResult) => string[]): Map<string, Tally> {
  const m = new Map<string, Tally>();
  for (const c of report.cases) {
    for (const k of key(c)) {
      const t = m.get(k) ?? { passed: 0, failed: 0, explained: 0 };
      for (const o of c.outcomes) {
        if (o.pass) t.passed++;
        else { t.failed++; if (o.deviation) t.explained++; }
      }
      m.set(k, t);
    }
  }
  return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

export function formatConformance(r: ConformanceReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const pct = (t: Tally) => (t.passed + t.failed ? ((100 * t.passed) / (t.passed + t.failed)).toFixed(1) : '100.0');
  lines.push(`semantics: ${r.semantics}`, '', 'per corpus (probes agreeing / total, documented deviations, unexplained):');
  for (const [k, t] of tallyBy(r, (c) => [c.corpus])) {
    lines.push(`  ${k.padEnd(32)} ${String(t.passed).padStart(6)}/${String(t.passed + t.failed).padEnd(6)} ${pct(t).padStart(5)}%  deviations ${t.explained}  unexplained ${t.failed - t.explained}`);
  }
  lines.push('', 'per feature:');
  for (const [k, t] of tallyBy(r, (c) => c.features)) {
    lines.push(`  ${k.padEnd(32)} ${String(t.passed).padStart(6)}/${String(t.passed + t.failed).padEnd(6)} ${pct(t).padStart(5)}%  deviations ${t.explained}`);
  }
  const errs = r.cases.filter((c) => c.error);
  if (errs.length) {
    lines.push('', 'cases that did not load:');
    for (const c of errs) lines.push(`  ${c.corpus}/${c.case}: ${c.error!.split('\n')[0]}`);
  }
  const inc = r.cases.filter((c) => c.corpusInconsistencies);
  if (inc.length) {
    lines.push('', 'closed-world expectation differs from the probe record (corpus inconsistency):');
    for (const c of inc) lines.push(`  ${c.corpus}/${c.case}: ${c.corpusInconsistencies}`);
  }
  if (r.explained) {
    const byReason = new Map<string, number>();
    for (const c of r.cases) for (const o of c.outcomes) if (o.deviation) byReason.set(o.deviation.reason, (byReason.get(o.deviation.reason) ?? 0) + 1);
    lines.push('', 'documented deviations by reason:');
    for (const [k, n] of [...byReason].sort()) lines.push(`  ${String(n).padStart(5)}  ${k}`);
  }
  if (r.unexplained.length) {
    lines.push('', `unexplained disagreements (${r.unexplained.length}):`);
    const shown = opts.verbose ? r.unexplained : r.unexplained.slice(0, 50);
    for (const o of shown) lines.push(...formatOutcome(o).map((l) => `  ${l}`));
    if (shown.length < r.unexplained.length) lines.push(`  ... ${r.unexplained.length - shown.length} more (--verbose)`);
  }
  if (r.staleDeviations.length) {
    lines.push('', 'deviation entries whose count does not match:');
    for (const s of r.staleDeviations) lines.push(`  ${s.rule.corpus}/${s.rule.case} [${s.rule.reason}] expected ${s.rule.count}, matched ${s.matched}`);
  }
  lines.push('', `${r.passed} passed, ${r.failed} failed`);
  return lines.join('\n') + '\n';
}

export function formatOutcome(o: ProbeOutcome): string[] {
  const k = probeKey(o);
  const net = o.probe.network ? ` [${o.probe.network}]` : '';
  const got = o.got ? `${o.got.allowed ? 'allowed' : 'denied'} (egress ${o.got.egress.allowed ? 'allow' : 'deny'}, ingress ${o.got.ingress.allowed ? 'allow' : 'deny'})` : `error: ${o.error}`;
  const exp = `${o.expected ? 'allowed' : 'denied'}${o.expectedEgress !== undefined ? ` (egress ${o.expectedEgress ? 'allow' : 'deny'}, ingress ${o.expectedIngress ? 'allow' : 'deny'})` : ''}`;
  const out = [`${o.corpus}/${o.case}: ${k.src} → ${k.dst} ${o.probe.protocol}/${o.probe.port}${net}: expected ${exp}, got ${got}`];
  for (const r of o.got?.reasons ?? []) out.push(`    ${r.direction ? `${r.direction} ` : ''}${r.stage} ${r.verdict}: ${r.message}`);
  return out;
}

/** Text of each deviation reason, for deviations.json and the README. */
export const DEVIATION_REASONS: Record<string, string> = {
  'choice:loopbackBypassesPolicy':
    'ovn-k: a pod talking to its own IP never leaves its network namespace, so no policy applies; cyclonus evaluates loopback like any pair',
  'choice:npNamedPortWidens':
    'ovn-k: a NetworkPolicy named port is read as port 0 and widens to every port of its protocol (ovn-kubernetes#2117); the corpus resolves it on the destination pod',
  'choice:npPortlessDroppedWithNumbered':
    'ovn-k: getProtocolPortsMap drops a port-less entry when the rule also lists a numbered port of the same protocol',
  'choice:anpPriorityLimit':
    'ovn-k: an AdminNetworkPolicy with spec.priority > 99 is not programmed (event ANPWithUnsupportedPriority); the corpus applies it',
  'choice:adminPoliciesDefaultNetworkOnly':
    'ovn-k: ANP/BANP are enforced by the default network controller only, never on primary UDN/CUDN traffic; the corpus applies them there',
  'choice:hostNetworkOutsidePolicy':
    'ovn-k: hostNetwork pods are host traffic, outside every pod port group (no ingress/egress policy, not selected by namespaceSelector-only peers); the corpus treats them as ordinary pods',
  'choice:lbAffinityDropsFirstConnection':
    'ovn-k: OVN drops a client\'s first connection to a ClientIP-affinity Service (affinity learn stage ends without next, ovn-kubernetes#4066); the corpus lets it through',
  'choice:routerDropsMartians':
    'ovn-k: OVN\'s logical routers drop IPv4 to/from 0.0.0.0/8 and 127.0.0.0/8 (lr_in_ip_input); netpol-analyzer uses 0.0.0.0 to stand for any external address',
  'choice:ipBlockMatchesPodIPs':
    'ovn-k matches ipBlock/networks on the packet IP, so in-cluster pod IPs match too (as the e2e suite and cyclonus expect); netpol-analyzer treats ipBlock peers as cluster-external only',
  'manifest-document-skipped':
    'a manifest document udnc cannot parse (a multi-line quoted scalar whose closing line is not indented past its key, invalid YAML 1.2) was read by the upstream analyzer; udnc skips it with a warning, so the network it defines is missing',
  'multinetworkpolicy-not-modeled':
    'MultiNetworkPolicy (k8s.cni.cncf.io) is not modeled: udnc applies no policy on secondary networks, the corpus enforces MultiNetworkPolicy there',
};

/** Deviation entries for every attributed disagreement of the reports (one entry per case and reason). */
export function recordDeviations(reports: ConformanceReport[]): DeviationFile {
  const counts = new Map<string, { rule: DeviationRule; by: Set<Semantics> }>();
  for (const r of reports) {
    for (const c of r.cases) for (const o of c.outcomes) {
      if (o.pass || !o.attribution) continue;
      const k = `${o.corpus}|${o.case}|${o.attribution}|${r.semantics}`;
      const e = counts.get(k) ?? { rule: { corpus: o.corpus, case: o.case, semantics: r.semantics, reason: o.attribution, count: 0 }, by: new Set([r.semantics]) };
      e.rule.count++;
      counts.set(k, e);
    }
  }
  // An identical entry under both semantics becomes one 'both' entry.
  const rules: DeviationRule[] = [];
  const seen = new Set<string>();
  for (const [k, e] of counts) {
    const base = k.slice(0, k.lastIndexOf('|'));
    if (seen.has(base)) continue;
    const other = [...counts].find(([k2, e2]) => k2 !== k && k2.startsWith(`${base}|`) && e2.rule.count === e.rule.count);
    if (other) { seen.add(base); rules.push({ ...e.rule, semantics: 'both' }); } else rules.push(e.rule);
  }
  rules.sort((a, b) => (`${a.corpus}/${a.case}/${a.reason}/${a.semantics}` < `${b.corpus}/${b.case}/${b.reason}/${b.semantics}` ? -1 : 1));
  const used = new Set(rules.map((r) => r.reason));
  return { reasons: Object.fromEntries(Object.entries(DEVIATION_REASONS).filter(([k]) => used.has(k))), deviations: rules };
}
