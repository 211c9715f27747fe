/**
 * The cross-check: every probe through the semantics evaluator (what the manifests mean) and
 * through the classifier running the compiled OpenFlow (what udnc's dataplane does). The compiled
 * dataplane implements ovn-kubernetes, so the evaluator always runs with the 'ovn-kubernetes'
 * semantics here. A disagreement is a compiler bug (exit 3, EXIT.INTERNAL_DISAGREEMENT).
 *
 * Probes the classifier cannot turn into a packet (hostNetwork ends, loopback, a pod without an
 * interface on the probed network, …) are counted as `skipped` with the reason, never compared.
 */
import type { CompileResult } from '../compile.js';
import { formatObjectRef } from '../common/source.js';
import type { ClusterModel } from '../model/types.js';
import { evaluate } from '../semantics/evaluate.js';
import { reasonText } from '../semantics/matrix.js';
import type { Probe, Verdict } from '../semantics/types.js';
import type { ClassifyResult, TraceStep } from './interpreter.js';
import { classifyProbeIn, probeContext, type ProbeClassification, type ProbeContext } from './probe.js';
import { formatProvenance } from './format.js';

export interface Disagreement {
  probe: Probe;
  semantics: Verdict;
  classifier: ProbeClassification;
  /** the semantics reason chain, one line per step */
  semanticsReasons: string[];
  /** the classifier's chain: the deciding flow back to lflow, NB rows and k8s objects */
  classifierReasons: string[];
}

export interface CrossCheckReport {
  probes: number;
  compared: number;
  agreed: number;
  skipped: Array<{ probe: Probe; reason: string }>;
  disagreements: Disagreement[];
}

export const probeText = (p: Probe): string => `${peer(p.src)} → ${peer(p.dst)} ${p.protocol}/${p.port}`;
function peer(s: Probe['src']): string {
  switch (s.kind) {
    case 'pod': return `${s.namespace}/${s.name}${s.network ? ` [${s.network}]` : ''}`;
    case 'ip': return s.ip;
    case 'service': return `svc/${s.namespace}/${s.name}`;
  }
}

/** The flow that decided a classifier run: the last drop/controller/output step, else the last hit. */
export function decisiveSteps(r: ClassifyResult): TraceStep[] {
  const hits = r.steps.filter((s) => s.flow);
  const last = [...hits].reverse().find((s) => s.flow!.actions.length === 0 || s.flow!.actions.some((a) => a.type === 'controller' || a.type === 'output'))
    ?? hits[hits.length - 1];
  // the ACL stages the packet went through explain allow/deny decisions too
  const acl = hits.filter((s) => s.flow!.provenance.some((p) => p.kind === 'lflow' && p.lflow.rows.some((x) => x.startsWith('ACL:'))));
  const out = [...acl, ...(last ? [last] : [])];
  return out.filter((s, i) => out.indexOf(s) === i);
}

export function classifierReasonLines(c: ProbeClassification): string[] {
  const out = [`classifier: ${c.allowed ? 'allowed' : 'denied'}: ${c.reason}`];
  const runs: Array<[string, ClassifyResult | undefined]> = [['forward', c.forward], ['reply', c.reply]];
  for (const [name, r] of runs) {
    if (!r) continue;
    for (const s of decisiveSteps(r)) {
      out.push(`${name} pass ${s.pass} table ${s.table} priority ${s.flow!.priority}: ${s.flow!.text || '(any)'} actions=${s.actions}`);
      for (const p of s.flow!.provenance) for (const l of formatProvenance(p)) out.push(`    ${l}`);
    }
    for (const n of r.notes) out.push(`${name} note: ${n}`);
  }
  return out;
}

/** Runs the probes through both and compares. */
export function crossCheck(compiled: CompileResult, probes: readonly Probe[], pc: ProbeContext = probeContext(compiled)): CrossCheckReport {
  const model = compiled.model!;
  const rep: CrossCheckReport = { probes: probes.length, compared: 0, agreed: 0, skipped: [], disagreements: [] };
  for (const probe of probes) {
    const c = classifyProbeIn(pc, probe);
    if (!c.classifiable) { rep.skipped.push({ probe, reason: c.reason }); continue; }
    const v = evaluate(model, probe, { semantics: 'ovn-kubernetes' });
    rep.compared++;
    if (v.allowed === c.allowed) { rep.agreed++; continue; }
    const traced = classifyProbeIn(pc, probe, { trace: true });
    rep.disagreements.push({
      probe, semantics: v, classifier: traced, semanticsReasons: reasonText(v), classifierReasons: classifierReasonLines(traced),
    });
  }
  return rep;
}

export function formatDisagreements(rep: CrossCheckReport): string {
  const out: string[] = [];
  for (const d of rep.disagreements) {
    out.push(`DISAGREEMENT (compiler bug): ${probeText(d.probe)}: semantics says ${d.semantics.allowed ? 'allowed' : 'denied'}, the compiled OpenFlow ${d.classifier.allowed ? 'allows' : 'denies'} it`);
    out.push('  semantics:');
    for (const l of d.semanticsReasons) out.push(`    ${l}`);
    out.push('  classifier:');
    for (const l of d.classifierReasons) out.push(`    ${l}`);
  }
  out.push(`cross-check: ${rep.compared} probes compared, ${rep.agreed} agree, ${rep.disagreements.length} disagree, ${rep.skipped.length} not classifiable`);
  return out.join('\n') + '\n';
}

/**
 * A probe set that exercises the dataplane broadly: every pod to every other pod on its primary
 * network and across networks (its primary to the other's primary), to every Service VIP port,
 * and to an external IP; ports: the destination's container ports, else TCP/80.
 */
export function crossCheckProbes(model: ClusterModel, opts: { externalIp?: string; maxPorts?: number } = {}): Probe[] {
  const out: Probe[] = [];
  const pods = model.pods.filter((p) => !p.hostNetwork && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  for (const s of pods) {
    for (const d of pods) {
      if (s === d) continue;
      const ports = d.ports.length ? d.ports.slice(0, opts.maxPorts ?? 3).map((p) => ({ protocol: p.protocol, port: p.containerPort })) : [{ protocol: 'TCP' as const, port: 80 }];
      for (const p of ports) {
        out.push({ src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'pod', namespace: d.namespace, name: d.name }, ...p });
        // on every secondary network both are attached to
        for (const a of s.attachments) {
          if (a.role !== 'secondary' || !d.attachments.some((b) => b.network === a.network)) continue;
          out.push({ src: { kind: 'pod', namespace: s.namespace, name: s.name, network: a.network }, dst: { kind: 'pod', namespace: d.namespace, name: d.name, network: a.network }, ...p });
        }
        // and by IP: each of the destination's addresses seen from the source's primary network
        // (crossing networks when they differ)
        for (const a of d.attachments) {
          const ip = a.ips[0]?.split('/')[0];
          if (ip) out.push({ src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'ip', ip }, ...p });
        }
      }
    }
    for (const svc of model.services) {
      if (svc.headless || svc.type === 'ExternalName') continue;
      for (const p of svc.ports) out.push({ src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'service', namespace: svc.namespace, name: svc.name }, protocol: p.protocol, port: p.port });
    }
    out.push({ src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'ip', ip: opts.externalIp ?? '198.51.100.7' }, protocol: 'TCP', port: 443 });
  }
  return out;
}

export const refText = formatObjectRef;
