/**
 * Semantics stage: the specification as code. `evaluate` is the connectivity oracle the packet
 * classifier is checked against; it depends on the cluster model only.
 */
export { SEMANTICS_PRESETS } from './types.js';
export type {
  Choices, DirectionVerdict, EvalOptions, PeerSpec, Probe, ReasonStep, Semantics, Stage, StepVerdict, Verdict,
} from './types.js';
export { evaluate } from './evaluate.js';
export { indexModel } from './model-index.js';
export {
  buildMatrix, formatMatrix, reasonText, policyPorts, destinationPorts, matrixEntities, cellSummary,
  type Matrix, type MatrixCell, type MatrixEntity, type MatrixOptions, type MatrixResult, type NetworkMatrix, type PortSpec,
} from './matrix.js';
export {
  parseExpectations, verifyExpectations, parsePeer,
  type Expectation, type PeerRef, type VerifyReport, type VerifyResult,
} from './verify.js';
export {
  runConformance, runCase, recordDeviations, DEVIATION_REASONS, formatConformance, formatOutcome, closedWorldExpectation, tallyBy, DEVIATIONS,
  type ConformanceOptions, type ConformanceReport, type CaseResult, type ProbeOutcome, type DeviationFile, type DeviationRule,
} from './conformance.js';
export { selectorMatches, parseCIDR, parseIP, cidrContains } from './net.js';
