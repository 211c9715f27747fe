/**
 * classify stage: an interpreter of the OpenFlow tables (src/openflow) as ovs-vswitchd runs them,
 * with a conntrack model, and the bridge from semantics probes to packets.
 *
 *   new Classifier(openflowResult, opts).run(fields, { trace, conntrack | ctNext }) → ClassifyResult
 *   classifyProbe(compileResult, probe, opts) → ProbeClassification     (probe.ts)
 *   crossCheck(compileResult, probes, semanticsVerdicts)                (crosscheck.ts)
 */
export { Classifier, MAX_DEPTH, MAX_RESUBMITS, parseBucketActions } from './interpreter.js';
export type { ClassifyResult, ClassifyVerdict, ControllerEvent, FlowFields, RunOptions, TraceStep, VerdictKind, ClassifierOptions, LocalnetPort } from './interpreter.js';
export { Conntrack } from './conntrack.js';
export type { CtEntry, CtTuple } from './conntrack.js';
export { FlowTable } from './table.js';
export { CT, formatCtState, parseCtState, SLOT_NAMES } from './fields.js';
export { classifyProbe, classifyProbeIn, probeContext, ProbeContext, packetFields, parseIp, formatIpBig } from './probe.js';
export type { PacketSpec, ProbeClassification, ClassifyProbeOptions, L4, Vif } from './probe.js';
export { crossCheck, crossCheckProbes, formatDisagreements, classifierReasonLines, decisiveSteps, probeText } from './crosscheck.js';
export type { CrossCheckReport, Disagreement } from './crosscheck.js';
export { formatProbeTrace, formatSteps, formatProvenance, formatPacket, formatResult } from './format.js';
export { Learned, learnFlow } from './learn.js';
