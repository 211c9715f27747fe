/**
 * `udnc verify`: check user expectations (probes with an expected verdict) against the evaluator.
 * Two input formats: the conformance `expected.json` (SCHEMA.md), or a terse YAML/JSON list of
 * `{from, to, port, protocol, allowed}`.
 */
import { parseAllDocuments } from 'yaml';
import type { Protocol } from '../model/k8s.js';
import type { ClusterModel } from '../model/types.js';
import { InputError, type Diagnostic } from '../common/errors.js';
import { closedWorldExpectation, type CasePeerRef, type ExpectedCase } from './conformance.js';
import { evaluate } from './evaluate.js';
import type { EvalOptions, PeerSpec, Probe, Verdict } from './types.js';

/** A peer as the user wrote it; resolved against the model at verify time (pods, workloads, services). */
export type PeerRef =
  | { kind: 'pod'; namespace: string; name: string; network?: string }
  | { kind: 'workload'; namespace: string; name: string; workloadKind?: string; network?: string }
  | { kind: 'ip'; ip: string }
  | { kind: 'service'; namespace: string; name: string };

export interface Expectation {
  from: PeerRef;
  to: PeerRef;
  protocol: Protocol;
  port: number;
  allowed: boolean;
  ingress?: boolean;
  egress?: boolean;
  /** where it was written: `file:line` or `file#probes[i]` */
  origin: string;
  text: string;
}

export interface VerifyResult {
  expectation: Expectation;
  verdict: Verdict;
  ok: boolean;
  /** the probe evaluated (absent when the expectation names something the manifests lack) */
  probe?: Probe;
}

export interface VerifyReport {
  results: VerifyResult[];
  failed: VerifyResult[];
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

/** Parses either format; throws InputError (exit 2) on anything malformed. */
export function parseExpectations(text: string, file: string): Expectation[] {
  const errors: Diagnostic[] = [];
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  const out: Expectation[] = [];
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : text.slice(0, offset).split('\n').length);
  for (const doc of docs) {
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push({ severity: 'error', source: { file, line: e.linePos?.[0]?.line ?? 1, col: e.linePos?.[0]?.col ?? 1 }, message: e.message });
      continue;
    }
    const data = doc.toJS() as unknown;
    if (data === null || data === undefined) continue;
    if (isObject(data) && Array.isArray(data.probes)) {
      parseExpectedJSON(data as unknown as ExpectedCase, file, out, errors);
      continue;
    }
    const list = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.expectations) ? data.expectations : undefined;
    if (!list) {
      errors.push({ severity: 'error', source: { file, line: 1, col: 1 }, message: 'expected a list of {from, to, port, protocol, allowed} or an expected.json object with "probes"' });
      continue;
    }
    const seq = (doc.contents as any)?.items ?? (doc.contents as any)?.get?.('expectations', true)?.items ?? [];
    list.forEach((item: unknown, i: number) => {
      const line = lineOf(seq[i]?.range?.[0]);
      const where = { file, line, col: 1 };
      if (!isObject(item)) { errors.push({ severity: 'error', source: where, message: `item ${i}: not a mapping` }); return; }
      const from = parsePeer(item.from ?? item.src);
      const to = parsePeer(item.to ?? item.dst);
      const protocol = String(item.protocol ?? 'TCP').toUpperCase();
      const port = Number(item.port);
      const allowed = item.allowed;
      const bad: string[] = [];
      if (!from) bad.push(`'from' must be ns/pod, ns/workload, an IP (got ${JSON.stringify(item.from ?? item.src)})`);
      if (!to) bad.push(`'to' must be ns/pod, an IP or svc/ns/name (got ${JSON.stringify(item.to ?? item.dst)})`);
      if (!PROTOCOLS.has(protocol)) bad.push(`protocol must be TCP, UDP or SCTP (got ${String(item.protocol)})`);
      if (!Number.isInteger(port) || port < 1 || port > 65535) bad.push(`port must be 1-65535 (got ${String(item.port)})`);
      if (typeof allowed !== 'boolean') bad.push(`allowed must be true or false (got ${JSON.stringify(allowed)})`);
      if (from?.kind === 'service') bad.push("'from' cannot be a Service");
      if (bad.length) { for (const m of bad) errors.push({ severity: 'error', source: where, message: `item ${i}: ${m}` }); return; }
      const network = typeof item.network === 'string' ? item.network : undefined;
      if (network) for (const p of [from!, to!]) if (p.kind === 'pod' || p.kind === 'workload') p.network = network;
      out.push({
        from: from!, to: to!, protocol: protocol as Protocol, port, allowed: allowed as boolean, origin: `${file}:${line}`,
        text: `${String(item.from ?? item.src)} → ${String(item.to ?? item.dst)} ${protocol}/${port}${network ? ` [${network}]` : ''}`,
      });
    });
  }
  if (errors.length) throw new InputError(errors);
  return out;
}

function parseExpectedJSON(exp: ExpectedCase, file: string, out: Expectation[], errors: Diagnostic[]): void {
  exp.probes.forEach((p, i) => {
    let allowed: boolean | null = p.allowed;
    if (exp.connections && exp.granularity === 'workload') allowed = closedWorldExpectation(exp, p);
    if (allowed === null) return; // undefined in the source (loopback)
    const from = casePeer(p.src, p.network);
    const to = casePeer(p.dst, p.network);
    if (!from || !to || !PROTOCOLS.has(p.protocol) || !Number.isInteger(p.port)) {
      errors.push({ severity: 'error', source: { file, line: 1, col: 1 }, path: `probes[${i}]`, message: 'malformed probe' });
      return;
    }
    const e: Expectation = {
      from, to, protocol: p.protocol, port: p.port, allowed, origin: `${file}#probes[${i}]`,
      text: `${peerText(from)} → ${peerText(to)} ${p.protocol}/${p.port}${p.network ? ` [${p.network}]` : ''}`,
    };
    if (typeof p.ingress_allowed === 'boolean') e.ingress = p.ingress_allowed;
    if (typeof p.egress_allowed === 'boolean') e.egress = p.egress_allowed;
    out.push(e);
  });
}

function casePeer(r: CasePeerRef, network: string | undefined): PeerRef | undefined {
  if (r.ip) return { kind: 'ip', ip: r.ip };
  if (!r.namespace) return undefined;
  const net = network?.startsWith('nad:') ? network : undefined;
  if (r.workload && r.kind && r.kind !== 'Pod') {
    return { kind: 'workload', namespace: r.namespace, name: r.workload, workloadKind: r.kind, ...(net ? { network: net } : {}) };
  }
  const name = r.pod ?? r.workload;
  return name ? { kind: 'pod', namespace: r.namespace, name, ...(net ? { network: net } : {}) } : undefined;
}

/** `ns/name` (pod, or workload when no such pod), `svc/ns/name`, or an IP. */
export function parsePeer(v: unknown): PeerRef | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^[0-9.]+$/.test(s) || s.includes(':')) return { kind: 'ip', ip: s };
  const parts = s.split('/');
  if (parts[0] === 'svc' || parts[0] === 'service') {
    return parts.length === 3 && parts[1] && parts[2] ? { kind: 'service', namespace: parts[1], name: parts[2] } : undefined;
  }
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: 'pod', namespace: parts[0], name: parts[1] };
  return undefined;
}

function peerText(p: PeerRef): string {
  switch (p.kind) {
    case 'ip': return p.ip;
    case 'service': return `svc/${p.namespace}/${p.name}`;
    case 'workload': return `${p.namespace}/${p.name}[${p.workloadKind ?? '?'}]`;
    default: return `${p.namespace}/${p.name}`;
  }
}

/** Pod for a workload reference: the first pod (by name) the workload owns. */
function resolvePeer(model: ClusterModel, p: PeerRef): PeerSpec | string {
  if (p.kind === 'ip' || p.kind === 'service') return p;
  const exact = p.kind === 'pod' ? model.pods.find((x) => x.namespace === p.namespace && x.name === p.name) : undefined;
  const pod = exact ?? [...model.pods]
    .filter((x) => x.namespace === p.namespace && x.workload.name === p.name
      && (p.kind !== 'workload' || !p.workloadKind || x.workload.kind === p.workloadKind
        || (p.workloadKind === 'VirtualMachine' && x.workload.kind === 'VirtualMachineInstance')))
    .sort((a, b) => (a.name < b.name ? -1 : 1))[0];
  if (!pod) return `no pod or workload ${p.namespace}/${p.name} in the manifests`;
  let network = p.network;
  if (network?.startsWith('nad:')) {
    const nad = network.slice(4);
    network = pod.attachments.find((a) => a.role === 'secondary' && (a.nad?.split('/')[1] === nad || a.network.endsWith(`/${nad}`)))?.network ?? network;
  }
  return { kind: 'pod', namespace: pod.namespace, name: pod.name, ...(network ? { network } : {}) };
}

export function verifyExpectations(model: ClusterModel, exps: Expectation[], opts: EvalOptions = {}): VerifyReport {
  const results: VerifyResult[] = [];
  for (const e of exps) {
    const src = resolvePeer(model, e.from);
    const dst = resolvePeer(model, e.to);
    let verdict: Verdict;
    let probe: Probe | undefined;
    let resolved = true;
    if (typeof src === 'string' || typeof dst === 'string') {
      const msg = [src, dst].filter((x): x is string => typeof x === 'string').join('; ');
      const r = { stage: 'input' as const, verdict: 'deny' as const, message: msg };
      resolved = false;
      verdict = { allowed: false, ingress: { allowed: false, reasons: [r] }, egress: { allowed: false, reasons: [r] }, reasons: [r] };
    } else {
      probe = { src, dst, protocol: e.protocol, port: e.port };
      verdict = evaluate(model, probe, opts);
    }
    // An expectation naming something the manifests lack is a failure whatever it expected.
    const ok = resolved && verdict.allowed === e.allowed
      && (e.ingress === undefined || verdict.ingress.allowed === e.ingress)
      && (e.egress === undefined || verdict.egress.allowed === e.egress);
    results.push({ expectation: e, verdict, ok, ...(probe ? { probe } : {}) });
  }
  return { results, failed: results.filter((r) => !r.ok) };
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
