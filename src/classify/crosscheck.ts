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
import type { OfAction, OpenFlowResult } from '../openflow/types.js';
import type { Ofpact } from '../expr/actions/ofpact.js';
import { L4_READS, fieldLayout, isL4PortSlot, parseSubfieldText, type PortLookup } from './fields.js';
import { parseBucketActions } from './interpreter.js';
import { formatObjectRef } from '../common/source.js';
import type { ClusterModel } from '../model/types.js';
import { evaluate } from '../semantics/evaluate.js';
import { reasonText } from '../semantics/matrix.js';
import type { Choices, Probe, Verdict } from '../semantics/types.js';
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
  /** how the classifier verdicts were obtained: packets run, or taken from a port class (below) */
  classifier?: { ran: number; fromPortClass: number };
}

export interface CrossCheckOptions {
  /**
   * Port classes (default true): a probe (src, dst, protocol, port P) takes the classifier verdict
   * of an earlier probe (src, dst, protocol, P0) when every decision of P0's forward and reply runs
   * that depended on the port comes out the same for P (fields.ts L4_READS), neither port is the
   * probe's source port, and, if P0's run wrote a port, neither is a constant the dataplane writes
   * (PortClasses).
   */
  portClasses?: boolean;
  /** called every `progressEvery` probes (default 100,000) with the report so far */
  progress?: (rep: CrossCheckReport) => void;
  progressEvery?: number;
  /**
   * ovn-kubernetes semantic choices flipped for the evaluator side (what-if: which probes depend on
   * a choice); the classifier side is the compiled flows, unchanged
   */
  choices?: Partial<Choices>;
  /**
   * The evaluator's verdict on `probe` when it was already computed, e.g. by buildMatrix, which
   * ran evaluate() on every matrix probe (cli.ts iterMatrixCells); undefined: evaluate now. A
   * disagreement is always re-evaluated for its reasons.
   */
  evaluated?: (probe: Probe) => boolean | undefined;
}

/**
 * The megaflow-style memory of the cross-check, per (source, destination, protocol): for each run,
 * the lookups made with the port in the packet (in tables that match ports) with their winners,
 * the port bits actions read, and the verdict. Why a hit is the same verdict: if each recorded
 * lookup, replayed with P in place of P0, picks the same flow, and P agrees with P0 on the bits
 * actions read, the run with P takes the same steps (by induction: its state is P0's with P in
 * the port slots that held P0); the only other use of the ports is conntrack's exact tuple
 * comparison within the probe's own fresh conntrack, whose tuples hold ports copied from the
 * packets (P0 or the probe's source port) and, when the run wrote a port (NAT, set_field, move),
 * constants the dataplane writes. So P may take P0's class when neither is the source port and,
 * if P0's run wrote a port, neither is such a constant (`special`): swapping P and P0 then maps
 * one run onto the other. A run that wrote no port has only P0 and the source port in its tuples,
 * so any other port may join its class, a dataplane constant included.
 */
export class PortClasses {
  private readonly constants: Array<[number, number]> = [];
  /** the dataplane writes ports in a way the argument above does not cover: no class for a run that wrote one */
  readonly disabled: boolean;
  private readonly byKey = new Map<string, Array<{ port: number; mask: number; wrote: boolean; lookups: PortLookup[]; c: ProbeClassification }>>();
  ran = 0;
  fromPortClass = 0;

  constructor(of: OpenFlowResult, readonly sourcePort = 33333) {
    this.constants.push([sourcePort, sourcePort]);
    let disabled = false;
    const tp = (name: string): boolean => { try { return fieldLayout(name).pieces.some((p) => isL4PortSlot(p.slot)); } catch { return true; } };
    const tpSub = (text: string): boolean => { try { return parseSubfieldText(text).layout.pieces.some((p) => isL4PortSlot(p.slot)); } catch { return true; } };
    const walk = (acts: readonly (OfAction | Ofpact)[]): void => {
      for (const a of acts) {
        switch (a.type) {
          case 'nat': if (a.portMin) this.constants.push([a.portMin, a.portMax || a.portMin]); break;
          case 'ct': walk(a.actions); break;
          case 'clone': walk(a.actions); break;
          case 'set_field':
            if (tp(a.field.name)) {
              if (a.mask !== (1n << BigInt(fieldLayout(a.field.name).nBits)) - 1n) disabled = true;
              this.constants.push([Number(a.value), Number(a.value)]);
            }
            break;
          case 'move': if (tp(a.dst.field.name)) disabled = true; break;
          case 'pop': if (tp(a.sf.field.name)) disabled = true; break;
          case 'move_phys': if (tpSub(a.dst)) disabled = true; break;
          case 'pop_phys': if (tpSub(a.nxm)) disabled = true; break;
          case 'learn': break; // its reads go through readField (recorded), its flows through FlowTable
          default: break;
        }
      }
    };
    for (const f of of.flows) walk(f.actions);
    for (const g of of.groups) for (const b of g.buckets) {
      try { walk(b.actions.length ? b.actions as Ofpact[] : parseBucketActions(b.actionsText)); } catch { disabled = true; }
    }
    this.disabled = disabled;
  }

  /** a port a class may not hold: the probes' source port, or one the dataplane writes */
  special(port: number): boolean {
    return this.constants.some(([lo, hi]) => port >= lo && port <= hi);
  }

  /** The classification of `probe`, from its port class or by running it. */
  classify(pc: ProbeContext, probe: Probe): ProbeClassification {
    const port = probe.port;
    if (port === this.sourcePort || !(port >= 0 && port <= 0xffff)) { this.ran++; return classifyProbeIn(pc, probe, { srcPort: this.sourcePort }); }
    // a port the dataplane writes may join only classes whose run wrote no port (PortClasses)
    const special = this.special(port);
    const key = `${peer(probe.src)}\u0000${peer(probe.dst)}\u0000${probe.protocol}`;
    let l = this.byKey.get(key);
    if (l) {
      for (let i = 0; i < l.length; i++) {
        const e = l[i]!;
        if ((special && e.wrote) || !sameDecisions(e, port)) continue;
        if (i > 0) { l.splice(i, 1); l.unshift(e); } // the most used class first
        this.fromPortClass++;
        return { ...e.c, probe };
      }
    } else {
      // bounded: matrix probes come grouped by pair, so older pairs are not asked again
      if (this.byKey.size >= 4096) this.byKey.clear();
      l = [];
      this.byKey.set(key, l);
    }
    L4_READS.on = true;
    L4_READS.port = BigInt(port);
    L4_READS.mask = 0;
    L4_READS.opaque = false;
    L4_READS.wrote = false;
    L4_READS.lookups = [];
    let c: ProbeClassification;
    try {
      c = classifyProbeIn(pc, probe, { srcPort: this.sourcePort });
    } finally {
      L4_READS.on = false;
      L4_READS.port = -1n;
    }
    this.ran++;
    const wrote = L4_READS.wrote;
    if (!L4_READS.opaque && !(wrote && (special || this.disabled))) {
      // only what the verdict needs: the runs themselves are not kept
      l.push({ port, mask: L4_READS.mask, wrote, lookups: L4_READS.lookups, c: { probe, classifiable: c.classifiable, reason: c.reason, allowed: c.allowed, expected: c.expected } });
    }
    L4_READS.lookups = [];
    return c;
  }
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

function sameDecisions(e: { port: number; mask: number; lookups: PortLookup[] }, port: number): boolean {
  if ((port & e.mask) !== (e.port & e.mask)) return false;
  const from = BigInt(e.port);
  const to = BigInt(port);
  for (const x of e.lookups) if (!x.same(from, to)) return false;
  return true;
}

/** Runs the probes through both and compares (probes may be a lazy iterable: a matrix's are millions). */
export function crossCheck(compiled: CompileResult, probes: Iterable<Probe>, pc: ProbeContext = probeContext(compiled), opts: CrossCheckOptions = {}): CrossCheckReport {
  const model = compiled.model!;
  const rep: CrossCheckReport = { probes: 0, compared: 0, agreed: 0, skipped: [], disagreements: [] };
  const classes = opts.portClasses === false ? undefined : new PortClasses(compiled.openflow!);
  const every = opts.progressEvery ?? 100_000;
  for (const probe of probes) {
    rep.probes++;
    if (opts.progress && rep.probes % every === 0) {
      if (classes) rep.classifier = { ran: classes.ran, fromPortClass: classes.fromPortClass };
      opts.progress(rep);
    }
    const c = classes ? classes.classify(pc, probe) : classifyProbeIn(pc, probe);
    if (!c.classifiable) { rep.skipped.push({ probe, reason: c.reason }); continue; }
    const known = opts.evaluated?.(probe);
    rep.compared++;
    if (known === c.allowed) { rep.agreed++; continue; }
    const v = evaluate(model, probe, { semantics: 'ovn-kubernetes', ...(opts.choices ? { choices: opts.choices } : {}) });
    if (v.allowed === c.allowed) { rep.agreed++; continue; }
    const traced = classifyProbeIn(pc, probe, { trace: true });
    rep.disagreements.push({
      probe, semantics: v, classifier: traced, semanticsReasons: reasonText(v), classifierReasons: classifierReasonLines(traced),
    });
  }
  rep.classifier = classes ? { ran: classes.ran, fromPortClass: classes.fromPortClass } : { ran: rep.probes, fromPortClass: 0 };
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
