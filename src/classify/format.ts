/**
 * Printing traces: every table visited with the flow that matched, the registers and ct state
 * after it, and the chain back to the logical flow, the NB rows (ACL, LB…) and the Kubernetes
 * objects with file:line.
 */
import { formatObjectRef } from '../common/source.js';
import type { OfProvenance } from '../openflow/types.js';
import type { ClassifyResult, TraceStep } from './interpreter.js';
import type { PacketSpec, ProbeClassification } from './probe.js';

export function formatProvenance(p: OfProvenance): string[] {
  switch (p.kind) {
    case 'lflow': {
      const l = p.lflow;
      const out = [`lflow ${l.datapath} ${l.pipeline} table=${l.table} priority=${l.priority}${p.conjMember ? ' (conjunction member)' : ''}`,
        `  match: ${l.match}`, `  actions: ${l.actions}`];
      for (const r of l.rows) out.push(`  NB ${r}`);
      for (const o of l.objects) out.push(`  k8s ${formatObjectRef(o)}`);
      return out;
    }
    case 'port': return [`port ${p.port} (${p.datapath}): ${p.reason}`, ...p.rows.map((r) => `  NB ${r}`), ...p.objects.map((o) => `  k8s ${formatObjectRef(o)}`)];
    case 'mcgroup': return [`multicast group ${p.group} (${p.datapath}): ${p.reason}`];
    case 'lb': return [`load balancer ${p.loadBalancer}: ${p.reason}`, ...p.rows.map((r) => `  NB ${r}`), ...p.objects.map((o) => `  k8s ${formatObjectRef(o)}`)];
    case 'fixed': return [`fixed flow: ${p.reason}`];
  }
}

export function formatPacket(p: PacketSpec): string {
  const l4 = p.proto === 'icmp' ? `icmp type ${p.icmpType ?? '(echo)'}` : `${p.proto} ${p.srcPort ?? 33333} → ${p.dstPort ?? 80}`;
  return `in_port=${p.inPort} ${p.ethSrc} → ${p.ethDst}  ${p.ipSrc} → ${p.ipDst}  ${l4}`;
}

export function formatSteps(steps: readonly TraceStep[], opts: { provenance?: boolean } = {}): string[] {
  const out: string[] = [];
  let pass = -1;
  for (const s of steps) {
    if (s.pass !== pass) {
      pass = s.pass;
      out.push(pass === 0 ? '--- pass 0 (packet as received)' : `--- pass ${pass} (recirculation after ct)`);
    }
    const ind = '  '.repeat(Math.min(s.depth, 20));
    if (!s.flow) {
      out.push(`${ind}${s.table}. ${s.note ?? 'no match'}`);
      continue;
    }
    const f = s.flow;
    out.push(`${ind}${s.table}. priority ${f.priority}${f.cookie ? ` cookie 0x${f.cookie.toString(16)}` : ''}${f.text ? `, ${f.text}` : ''}`);
    out.push(`${ind}    actions: ${s.actions}`);
    if (s.note) out.push(`${ind}    ${s.note}`);
    if (s.state && Object.keys(s.state).length) out.push(`${ind}    state: ${Object.entries(s.state).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (opts.provenance !== false) {
      for (const p of f.provenance) for (const l of formatProvenance(p)) out.push(`${ind}    ← ${l}`);
    }
  }
  return out;
}

export function formatResult(title: string, r: ClassifyResult): string[] {
  return [title, ...formatSteps(r.steps), ...r.notes.map((n) => `note: ${n}`), `verdict: ${r.verdict.kind}: ${r.verdict.summary}`];
}

export function formatProbeTrace(c: ProbeClassification): string {
  const out: string[] = [];
  if (!c.classifiable) return `not traceable: ${c.reason}\n`;
  out.push(`packet: ${formatPacket(c.packet!)}`);
  out.push(...formatResult('', c.forward!));
  if (c.reply && c.replyPacket) {
    out.push('', `reply: ${formatPacket(c.replyPacket)}`);
    out.push(...formatResult('', c.reply));
  }
  out.push('', `result: ${c.allowed ? 'ALLOWED' : 'DENIED'} (${c.reason})`);
  return out.filter((l, i) => !(l === '' && i > 0 && out[i - 1] === '')).join('\n') + '\n';
}
