/**
 * udnc library API: an offline compiler for OVN-Kubernetes networking.
 *
 * Kubernetes manifests → validated objects → cluster model → OVN northbound rows → logical flows
 * (ovn-northd) → OpenFlow (ovn-controller, one chassis), plus the connectivity oracle (semantics),
 * the packet classifier (trace) and an incremental {@link Compiler} for controllers. Each stage is
 * one folder under src/ with one entry function; stages exchange plain, typed, deterministic data.
 *
 * Quick start:
 * ```ts
 * import { compile, formatLflowList, trace } from 'udnc';
 * const r = await compile(['manifests/']);            // every stage, down to OpenFlow
 * console.log(formatLflowList(r.lflow));
 * const t = trace(r, { src: { kind: 'pod', namespace: 'a', name: 'p' },
 *                      dst: { kind: 'pod', namespace: 'b', name: 'q' }, protocol: 'TCP', port: 80 });
 * ```
 * See docs/api.md.
 *
 * @packageDocumentation
 */
import {
  compile as compileStages,
  compileManifests as compileManifestSet,
  type CompileInput,
  type CompileOptions as StageCompileOptions,
  type CompileResult,
  type Stage,
} from './compile.js';
import type { ManifestSet } from './manifests/types.js';
import type { ClusterModel } from './model/types.js';
import { classifyProbe, type ClassifyProbeOptions, type ProbeClassification } from './classify/index.js';
import { parseExpectations, verifyExpectations, type EvalOptions, type Expectation, type Probe, type VerifyReport } from './semantics/index.js';

// ------------------------------------------------------------------ pipeline

export { STAGES } from './compile.js';
export type { Stage, CompileInput, CompileResult } from './compile.js';

/** Options of {@link compile}: model options, lenient loading, the OpenFlow node view, and `until`. */
export interface CompileOptions<S extends Stage = Stage> extends Omit<StageCompileOptions, 'until'> {
  /** the last stage to compute (default `'openflow'`: every stage) */
  until?: S;
}

/** The stages computed up to and including `S`. */
export type StagesThrough<S extends Stage> = {
  manifests: 'manifests';
  model: 'manifests' | 'model';
  nb: 'manifests' | 'model' | 'nb';
  lflow: 'manifests' | 'model' | 'nb' | 'lflow';
  openflow: 'manifests' | 'model' | 'nb' | 'lflow' | 'openflow';
}[S];

/** A {@link CompileResult} whose stages up to `S` are present (not optional). */
export type CompiledThrough<S extends Stage> = CompileResult & Required<Pick<CompileResult, StagesThrough<S>>>;

/**
 * Compiles manifests through every stage (or up to `options.until`).
 *
 * @param input paths (files, directories recursively, `-` for stdin) or in-memory documents
 *   `{ file, text }` (YAML or JSON, multi-document)
 * @returns the output of each computed stage: `manifests`, `model`, `nb`, `lflow`, `openflow`
 * @throws {@link InputError} when the input is something a real cluster would reject (every
 *   problem found, with file:line:col)
 */
export async function compile<S extends Stage = 'openflow'>(input: CompileInput, options: CompileOptions<S> = {}): Promise<CompiledThrough<S>> {
  return (await compileStages(input, { ...options, until: options.until ?? 'openflow' })) as CompiledThrough<S>;
}

/**
 * {@link compile} for an already loaded {@link ManifestSet} (e.g. from {@link loadManifests} or
 * {@link parseManifestText}). Synchronous.
 */
export function compileManifests<S extends Stage = 'openflow'>(set: ManifestSet, options: CompileOptions<S> = {}): CompiledThrough<S> {
  return compileManifestSet(set, { ...options, until: options.until ?? 'openflow' }) as CompiledThrough<S>;
}

/**
 * Follows one probe (a packet from a pod to a pod, IP or Service, and by default its reply)
 * through the compiled OpenFlow tables with udnc's ovs-vswitchd interpreter and conntrack model.
 * Every step is recorded (table, matching flow, registers, provenance back to lflow, NB rows and
 * Kubernetes objects); format it with {@link formatProbeTrace}.
 *
 * @param compiled a result compiled through `'openflow'`
 * @returns `classifiable: false` (with `reason`) when no packet can be built for the probe
 */
export function trace(compiled: CompiledThrough<'openflow'> | CompileResult, probe: Probe, options: ClassifyProbeOptions = {}): ProbeClassification {
  if (!compiled.model || !compiled.openflow) throw new TypeError("trace: compile the input through 'openflow' first");
  return classifyProbe(compiled, probe, { trace: true, ...options });
}

/**
 * Checks connectivity expectations against the semantics oracle.
 *
 * @param target a compile result (its `model` is used) or a {@link ClusterModel}
 * @param expectations parsed expectations, or expectation YAML text (see `udnc verify --help`)
 * @param options which semantics (`ovn-kubernetes` by default) and choices
 */
export function verify(target: CompileResult | ClusterModel, expectations: Expectation[] | string, options: EvalOptions = {}): VerifyReport {
  const model = 'manifests' in target ? target.model : target;
  if (!model) throw new TypeError("verify: compile the input through 'model' first");
  const exps = typeof expectations === 'string' ? parseExpectations(expectations, '<expectations>') : expectations;
  return verifyExpectations(model, exps, options);
}

// ------------------------------------------------------------------ incremental

export {
  Compiler, applyDelta, keyedView, objectKey, diffKeyed, keyed, nbRows, canonicalJSON, lflowIdentity, ofFlowIdentity, ofGroupIdentity,
} from './incremental/index.js';
export type { Change, CompilerOptions, Delta, KeyedView, KeyedDiff, Changed, NbRow } from './incremental/index.js';

// ------------------------------------------------------------------ stages, one entry function each

/** Manifests stage: files/directories/stdin → validated, apiserver-defaulted objects with source positions. */
export { loadManifests, parseManifestText, compareObjects, KNOWN_KINDS } from './manifests/index.js';
export type { LoadOptions } from './manifests/index.js';
/** Model stage: objects → networks, nodes, pods with addresses, services, policies. */
export { buildModel, matchesSelector, BUILTIN_NAMESPACES } from './model/index.js';
export type { ModelOptions } from './model/index.js';
/** Northbound stage: model → the NB rows ovn-kubernetes v1.3.0 writes; formatters. */
export { lowerToNorthbound, formatNbctl, formatTransact, formatListing, rowId, NB_TABLES, TABLE_FIELDS } from './northbound/index.js';
export type { LowerOptions } from './northbound/index.js';
/** lflow stage: NB → the logical flows ovn-northd 25.03 computes (+ southbound rows). */
export { computeLogicalFlows, formatLflowList, formatLflowLine, compareLflows } from './lflow/index.js';
/** openflow stage: lflows → the OpenFlow tables ovn-controller 25.03 installs on one chassis. */
export { compileOpenFlow, formatAddFlows, writeAddFlows, formatGroups, formatPortMap, formatDumpLine, formatFlowLine, formatOfActions, formatOfMatch } from './openflow/index.js';
export type { CompileOpenFlowOptions, OfFlowTable } from './openflow/index.js';

// ------------------------------------------------------------------ semantics and classify

/** The connectivity oracle (depends on the model only). */
export {
  evaluate, buildMatrix, formatMatrix, parseExpectations, verifyExpectations, reasonText, SEMANTICS_PRESETS,
} from './semantics/index.js';
export type {
  Choices, DirectionVerdict, EvalOptions, PeerSpec, Probe, ReasonStep, Semantics, StepVerdict, Verdict,
  Matrix, MatrixCell, MatrixEntity, MatrixOptions, MatrixResult, NetworkMatrix, PortSpec,
  Expectation, PeerRef, VerifyReport, VerifyResult,
} from './semantics/index.js';
/** The packet classifier: an interpreter of the compiled OpenFlow tables. */
export { Classifier, classifyProbe, formatProbeTrace, formatSteps, formatPacket, formatResult } from './classify/index.js';
export type { ClassifyProbeOptions, ProbeClassification, ClassifyResult, ClassifyVerdict, FlowFields, TraceStep, PacketSpec } from './classify/index.js';

// ------------------------------------------------------------------ OVN match and action compilers

/** OVN match expressions → OpenFlow matches, as `ovstest test-ovn expr-to-flows` prints them. */
export { exprToFlows, exprToFlowsStrict, exprToMatchObjects, parseExpr, formatExpr, ExprError, TEST_OVN_ENV } from './expr/index.js';
export type { ExprEnv, ExprOptions, Expr, MatchObject } from './expr/index.js';
/** OVN logical-flow actions → OpenFlow actions, as ovn-controller encodes them. */
export { encodeActions, parseActions, formatActions, controllerContext, testOvnContext, ActionError, ExtendTable, OFTABLES_25_03 } from './expr/actions/index.js';
export type { ActionContext, EncodedActions, ParsedActionsResult, Ofpact, OvnAction } from './expr/actions/index.js';

// ------------------------------------------------------------------ errors, provenance, data types

export type { SourceRef, ObjectRef } from './common/source.js';
export { formatSource, formatObjectRef } from './common/source.js';
export type { Diagnostic } from './common/errors.js';
export { InputError, EXIT, formatDiagnostic } from './common/errors.js';
export type * from './manifests/types.js';
export type * from './model/types.js';
export type * from './model/k8s.js';
export type * from './northbound/types.js';
export type * from './lflow/types.js';
export type * from './openflow/types.js';
