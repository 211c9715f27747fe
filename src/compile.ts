/**
 * The whole pipeline as one library call: manifests → model → northbound → logical flows → OpenFlow.
 * Each stage is computed only when a later one (or the caller) needs it; stages exchange plain data.
 */
import { compareObjects, loadManifests, parseManifestText, type LoadOptions } from './manifests/index.js';
import type { ManifestSet } from './manifests/types.js';
import { buildModel, type ModelOptions } from './model/index.js';
import type { ClusterModel } from './model/types.js';
import { lowerToNorthbound } from './northbound/index.js';
import type { NorthboundDB } from './northbound/types.js';
import { computeLogicalFlows } from './lflow/index.js';
import type { LflowResult } from './lflow/types.js';
import { compileOpenFlow } from './openflow/index.js';
import type { OpenFlowResult } from './openflow/types.js';

export type Stage = 'manifests' | 'model' | 'nb' | 'lflow' | 'openflow';
export const STAGES: readonly Stage[] = ['manifests', 'model', 'nb', 'lflow', 'openflow'];

export interface CompileOptions extends ModelOptions, Pick<LoadOptions, 'lenient' | 'readStdin'> {
  /** the last stage to compute (default 'lflow'; 'openflow' must be asked for, it is the costliest) */
  until?: Stage;
  /** openflow stage: the node whose chassis view to compute (default: one chassis hosting everything) */
  node?: string;
  /** called as each stage starts (progress display) */
  onStage?: (stage: Stage) => void;
}

export interface CompileResult {
  manifests: ManifestSet;
  model?: ClusterModel;
  nb?: NorthboundDB;
  lflow?: LflowResult;
  openflow?: OpenFlowResult;
}

/** Input: paths (files, directories, `-`), or in-memory documents `{ file, text }`. */
export type CompileInput = string[] | Array<{ file: string; text: string }>;

export async function compile(input: CompileInput, opts: CompileOptions = {}): Promise<CompileResult> {
  opts.onStage?.('manifests');
  const manifests = await loadInput(input, opts);
  return compileManifests(manifests, opts);
}

export function compileManifests(manifests: ManifestSet, opts: CompileOptions = {}): CompileResult {
  const until = STAGES.indexOf(opts.until ?? 'lflow');
  const result: CompileResult = { manifests };
  if (until < 1) return result;
  opts.onStage?.('model');
  const model = buildModel(manifests, opts);
  result.model = model;
  if (until < 2) return result;
  opts.onStage?.('nb');
  const nb = lowerToNorthbound(model);
  result.nb = nb;
  if (until < 3) return result;
  opts.onStage?.('lflow');
  const lflow = computeLogicalFlows(nb);
  result.lflow = lflow;
  if (until < 4) return result;
  opts.onStage?.('openflow');
  result.openflow = compileOpenFlow(lflow, { nb, ...(opts.node !== undefined ? { node: opts.node } : {}) });
  return result;
}

async function loadInput(input: CompileInput, opts: CompileOptions): Promise<ManifestSet> {
  if (input.length > 0 && typeof input[0] !== 'string') {
    const docs = input as Array<{ file: string; text: string }>;
    const sets = docs.map((d) => parseManifestText(d.text, d.file, { lenient: opts.lenient }));
    // one set, re-sorted as the loader sorts
    const objects = sets.flatMap((s) => s.objects);
    const notices = sets.flatMap((s) => s.notices);
    return { objects: objects.sort(compareObjects), notices };
  }
  return loadManifests(input as string[], { lenient: opts.lenient, readStdin: opts.readStdin });
}

