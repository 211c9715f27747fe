/**
 * Incremental compilation for controllers: hold a cluster's objects, apply add/update/delete
 * changes, get back what changed in every stage's output.
 *
 *   const c = new Compiler({ until: 'openflow' });
 *   const d = c.apply([{ op: 'add', object: ns }, { op: 'add', object: pod }]);
 *   d.nb.added / d.lflow.removed / d.openflow.flows.changed …
 *   c.snapshot()  // the full CompileResult of the current objects
 *
 * How: the changed object set is validated (as the apiserver would) and compiled through the model
 * and northbound stages; the stage outputs are diffed against the previous ones by their stable
 * identities (see ./diff.ts). Later stages are skipped, and their previous outputs reused, when
 * their inputs did not change: no NB row changed → logical flows and OpenFlow are reused; no
 * logical flow, southbound row or NB row OpenFlow reads changed → OpenFlow is reused. The result
 * after every `apply` equals a full `compileManifests` of the same objects (property-tested in
 * test/incremental.property.test.ts).
 */
import { InputError, type Diagnostic } from '../common/errors.js';
import type { ObjectRef, SourceRef } from '../common/source.js';
import { compareObjects, parseManifestText } from '../manifests/index.js';
import { isKnownKind, KIND_INFO } from '../manifests/kinds.js';
import type { K8sObject, ManifestObject, ManifestSet } from '../manifests/types.js';
import { buildModel } from '../model/index.js';
import { lowerToNorthbound } from '../northbound/index.js';
import { NB_TABLES, TABLE_FIELDS, type NorthboundDB } from '../northbound/types.js';
import type { Lflow, LflowResult } from '../lflow/types.js';
import { compileOpenFlow } from '../openflow/index.js';
import type { OfFlow, OfGroup, OpenFlowResult } from '../openflow/types.js';
import { STAGES, type CompileOptions, type CompileResult, type Stage } from '../compile.js';
import {
  applyKeyedDiff, canonicalJSON, deepEqual, sameJSONValue, diffKeyed, diffSorted, isEmptyDiff, keyed, lflowIdentity, nbRows, ofFlowIdentity, ofGroupIdentity,
  type KeyedDiff, type NbRow,
} from './diff.js';
import { lflowFull, lflowIncremental, type LflowState } from './lflow.js';
import { OpenFlowCache } from './openflow.js';
import { PhaseTimer } from './phases.js';

export {
  canonicalJSON, deepEqual, diffKeyed, diffSorted, keyed, lflowIdentity, nbRows, ofFlowIdentity, ofGroupIdentity, sameJSONValue,
  type Changed, type KeyedDiff, type NbRow,
} from './diff.js';

/** One change to the cluster, as a controller sees it from a watch. */
export interface Change {
  op: 'add' | 'update' | 'delete';
  /** the object (for `delete`, kind, apiVersion and metadata name/namespace suffice) */
  object: K8sObject;
  /**
   * where the object was written, for provenance. Default: the previous object's source on update,
   * else `{ file: 'api:<Kind>/<namespace>/<name>', line: 1, col: 1 }`.
   */
  source?: SourceRef;
}

/** Options of {@link Compiler}: those of `compile`, `until` defaults to `'openflow'`. */
export interface CompilerOptions extends Omit<CompileOptions, 'readStdin' | 'lenient'> {}

/** What one {@link Compiler.apply} changed. Lists are sorted by identity. */
export interface Delta {
  /** Kubernetes objects added, updated (content or source differ) and deleted */
  objects: { added: ObjectRef[]; updated: ObjectRef[]; deleted: ObjectRef[] };
  /** NB rows by row id (`<Table>:<key>`); `changed` has the row before and after */
  nb: KeyedDiff<NbRow>;
  /**
   * logical flows by identity (datapath, pipeline, table, priority, match, actions); `changed`
   * holds flows whose identity stayed but whose stage or provenance changed
   */
  lflow: KeyedDiff<Lflow>;
  /** OpenFlow flows by (table, priority, match) and groups by id; `changed`: actions, cookie or provenance */
  openflow: { flows: KeyedDiff<OfFlow>; groups: KeyedDiff<OfGroup> };
  /** stages run for this change, fully or partly (see `partial`); the others reused the previous output */
  recomputed: Stage[];
  /**
   * how much of a partly recomputed stage ran: `lflow`: datapaths whose flows were recomputed (of
   * all datapaths); `openflow`: logical flows translated again (of the local ones; the others
   * reused their translation). Absent for stages not run.
   */
  partial?: {
    lflow?: {
      datapaths: number; of: number;
      /**
       * of the recomputed datapaths: (datapath, load balancer flow block) pairs whose flows were
       * built again, of all such pairs (the others kept their flows)
       */
      blocks: { rebuilt: number; of: number };
    };
    openflow?: { lflows: number; of: number };
  };
}

/**
 * The outputs of a result by identity, the form a {@link Delta} applies to (see {@link applyDelta}).
 * A controller mirroring NB/SB/OpenFlow state holds exactly this.
 */
export interface KeyedView {
  nb: Map<string, NbRow>;
  lflow: Map<string, Lflow>;
  ofFlows: Map<string, OfFlow>;
  ofGroups: Map<string, OfGroup>;
}

/** The keyed view of a compile result (stages not computed give empty maps). */
export function keyedView(r: CompileResult): KeyedView {
  return {
    nb: r.nb ? nbRows(r.nb) : new Map(),
    lflow: r.lflow ? keyed(r.lflow.flows, lflowIdentity) : new Map(),
    ofFlows: r.openflow ? keyed(r.openflow.flows, ofFlowIdentity) : new Map(),
    ofGroups: r.openflow ? keyed(r.openflow.groups, ofGroupIdentity) : new Map(),
  };
}

/** Applies a delta to a keyed view in place; throws if the delta does not fit the view. */
export function applyDelta(view: KeyedView, d: Delta): void {
  applyKeyedDiff(view.nb, d.nb, (r) => r.id);
  applyKeyedDiff(view.lflow, d.lflow, lflowIdentity);
  applyKeyedDiff(view.ofFlows, d.openflow.flows, ofFlowIdentity);
  applyKeyedDiff(view.ofGroups, d.openflow.groups, ofGroupIdentity);
}

/** `Kind namespace/name` — the identity of an object in the cluster (namespace `default` filled in). */
export function objectKey(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** NB tables the OpenFlow stage reads directly (besides the logical flows and southbound rows). */
const OPENFLOW_NB_TABLES = ['Logical_Switch_Port:', 'Load_Balancer:', 'Load_Balancer_Group:', 'Logical_Switch:', 'Logical_Router:'];

interface Entry {
  mo: ManifestObject;
  notices: Diagnostic[];
  /** canonical JSON of object + source, to tell a real update from a no-op */
  fingerprint: string;
}

/**
 * A cluster's objects and their compiled outputs, kept up to date by {@link Compiler.apply}.
 * Starts from the empty cluster (which compiles to the default network's infrastructure).
 */
export class Compiler {
  private readonly opts: CompileOptions;
  private readonly until: number;
  private objects = new Map<string, Entry>();
  private result: CompileResult;
  private view: KeyedView;
  /** per-datapath logical flows and their NB inputs (until ≥ lflow) */
  private lflowState: LflowState | undefined;
  /** per-lflow OpenFlow translations */
  private readonly ofCache = new OpenFlowCache();
  /** CPU ms per phase of the last {@link apply} (model, nb, nb-diff, lflow-…, openflow, of-diff) */
  lastPhases: Record<string, number> = {};

  constructor(options: CompilerOptions = {}) {
    this.opts = { ...options, until: options.until ?? 'openflow' };
    this.until = STAGES.indexOf(this.opts.until!);
    this.result = this.compileAll(this.manifestSet(this.objects));
    this.view = keyedView(this.result);
  }

  /**
   * Applies the changes in order, as one transaction. Throws {@link InputError} (and changes
   * nothing) when a change is invalid: an object the apiserver would reject, `add` of an object
   * that exists, `update`/`delete` of one that does not, a kind udnc does not use, or an object
   * set the model rejects (e.g. a pod in a namespace that does not exist).
   */
  apply(changes: readonly Change[]): Delta {
    const next = new Map(this.objects);
    const touched = new Map<string, 'added' | 'updated' | 'deleted'>();
    const errors: Diagnostic[] = [];
    for (const ch of changes) {
      try {
        this.stage(next, ch, touched);
      } catch (e) {
        if (e instanceof InputError) errors.push(...e.diagnostics);
        else throw e;
      }
    }
    if (errors.length > 0) throw new InputError(errors);
    const objs: Delta['objects'] = { added: [], updated: [], deleted: [] };
    for (const k of [...touched.keys()].sort()) {
      const before = this.objects.get(k);
      const after = next.get(k);
      if (!before && !after) continue; // added and deleted again within the batch
      if (before && after && before.fingerprint === after.fingerprint) continue; // no-op update (or delete + add back)
      const e = (after ?? before)!;
      const ref = refOf(e.mo);
      if (before && after) objs.updated.push(ref);
      else if (after) objs.added.push(ref);
      else objs.deleted.push(ref);
    }
    const empty: Delta = {
      objects: objs, nb: none(), lflow: none(), openflow: { flows: none(), groups: none() }, recomputed: [],
    };
    if (objs.added.length + objs.updated.length + objs.deleted.length === 0) return empty;

    const timer = new PhaseTimer();
    const set = this.manifestSet(next);
    timer.mark('objects');
    const r = this.compileIncremental(set, empty, timer);
    // commit (the lflow and OpenFlow maps of the view are updated in place: nothing can fail now)
    this.objects = next;
    this.result = r.result;
    this.view.nb = r.nbView;
    if (r.lflowState) this.lflowState = r.lflowState;
    applyKeyedDiff(this.view.lflow, r.delta.lflow, lflowIdentity);
    applyKeyedDiff(this.view.ofFlows, r.delta.openflow.flows, ofFlowIdentity);
    applyKeyedDiff(this.view.ofGroups, r.delta.openflow.groups, ofGroupIdentity);
    timer.mark('commit');
    this.lastPhases = timer.ms;
    return r.delta;
  }

  /** The full result of the current objects, as `compileManifests` would return it. Do not mutate. */
  snapshot(): CompileResult {
    return this.result;
  }

  /** The current outputs by identity (a copy: the caller may apply deltas to it). */
  keyedView(): KeyedView {
    return { nb: new Map(this.view.nb), lflow: new Map(this.view.lflow), ofFlows: new Map(this.view.ofFlows), ofGroups: new Map(this.view.ofGroups) };
  }

  /** The objects currently held, sorted as the manifest loader sorts them. */
  manifests(): ManifestSet {
    return this.manifestSet(this.objects);
  }

  // ------------------------------------------------------------------ internals

  private stage(next: Map<string, Entry>, ch: Change, touched: Map<string, 'added' | 'updated' | 'deleted'>): void {
    const o = ch.object as Partial<K8sObject> | undefined;
    const where: SourceRef = ch.source ?? { file: '<change>', line: 1, col: 1 };
    const fail = (message: string): never => {
      throw new InputError([{ severity: 'error', source: where, message }]);
    };
    if (ch.op !== 'add' && ch.op !== 'update' && ch.op !== 'delete') fail(`unknown op '${String(ch.op)}' (add, update or delete)`);
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || !o.metadata || typeof o.metadata.name !== 'string' || o.metadata.name === '') {
      fail(`${ch.op}: not a Kubernetes object (kind and metadata.name are required)`);
    }
    const kind = o!.kind!;
    if (!isKnownKind(kind)) fail(`${kind} ${o!.metadata!.name}: kind not used by udnc`);
    if (ch.op === 'delete') {
      const meta = o!.metadata!;
      const ns = KIND_INFO[kind as keyof typeof KIND_INFO].namespaced ? (meta.namespace || 'default') : undefined;
      const key = objectKey({ kind, metadata: { name: meta.name, ...(ns ? { namespace: ns } : {}) } });
      if (!next.has(key)) fail(`delete ${key}: no such object`);
      next.delete(key);
      touched.set(key, 'deleted');
      return;
    }
    const provisional = `api:${kind}/${o!.metadata!.namespace ?? ''}${o!.metadata!.namespace ? '/' : ''}${o!.metadata!.name}`;
    const set = parseManifestText(JSON.stringify(o), ch.source?.file ?? provisional);
    if (set.objects.length !== 1) {
      fail(`${kind} ${o!.metadata!.name}: not used by udnc${set.notices.length ? ` (${set.notices.map((n) => n.message).join('; ')})` : ''}`);
    }
    const parsed = set.objects[0]!;
    const key = objectKey(parsed.object);
    const prev = next.get(key);
    if (ch.op === 'add' && prev) fail(`add ${key}: already exists (use update)`);
    if (ch.op === 'update' && !prev) fail(`update ${key}: no such object (use add)`);
    // Positions point into the JSON text udnc made up: keep them only for the made-up source.
    const source = ch.source ?? (ch.op === 'update' && prev ? prev.mo.source : { file: provisional, line: 1, col: 1 });
    const mo: ManifestObject = ch.source || (ch.op === 'update' && prev)
      ? { object: parsed.object, source: { ...source }, ...(parsed.defaulted ? { defaulted: parsed.defaulted } : {}) }
      : parsed;
    next.set(key, { mo, notices: set.notices, fingerprint: canonicalJSON([mo.object, mo.source]) });
    touched.set(key, ch.op === 'add' ? 'added' : 'updated');
  }

  private manifestSet(objects: ReadonlyMap<string, Entry>): ManifestSet {
    const entries = [...objects.values()];
    return { objects: entries.map((e) => e.mo).sort(compareObjects), notices: entries.flatMap((e) => e.notices) };
  }

  private compileAll(set: ManifestSet): CompileResult {
    const o = this.opts;
    const result: CompileResult = { manifests: set };
    if (this.until < 1) return result;
    result.model = buildModel(set, o);
    if (this.until < 2) return result;
    result.nb = lowerToNorthbound(result.model);
    if (this.until < 3) return result;
    this.lflowState = lflowFull(result.nb);
    result.lflow = this.lflowState.result;
    if (this.until < 4) return result;
    result.openflow = this.openflow(result.lflow, result.nb);
    return result;
  }

  private openflow(lflow: LflowResult, nb: NorthboundDB): OpenFlowResult {
    const of = compileOpenFlow(lflow, { nb, lflowCache: this.ofCache, ...(this.opts.node !== undefined ? { node: this.opts.node } : {}) });
    this.ofCache.compiled(of.localDatapaths);
    return of;
  }

  private compileIncremental(set: ManifestSet, delta: Delta, timer: PhaseTimer): { result: CompileResult; nbView: Map<string, NbRow>; lflowState?: LflowState; delta: Delta } {
    const prev = this.result;
    const result: CompileResult = { manifests: set };
    delta.recomputed.push('manifests');
    let nbView = this.view.nb;
    if (this.until < 1) return { result, nbView, delta };
    result.model = buildModel(set, this.opts); // throws InputError: nothing is committed yet
    delta.recomputed.push('model');
    timer.mark('model');
    if (this.until < 2) return { result, nbView, delta };
    const nb = internRows(lowerToNorthbound(result.model), this.view.nb);
    result.nb = nb;
    delta.recomputed.push('nb');
    timer.mark('nb');
    nbView = nbRows(nb);
    delta.nb = diffKeyed(this.view.nb, nbView);
    timer.mark('nb-diff');
    if (this.until < 3) return { result, nbView, delta };
    const nbSame = isEmptyDiff(delta.nb) && deepEqual([nb.networks, nb.notices], [prev.nb!.networks, prev.nb!.notices]);
    if (nbSame) {
      // The lflow and OpenFlow stages are functions of the NB (and fixed options) only.
      result.lflow = prev.lflow!;
      if (this.until >= 4) result.openflow = prev.openflow!;
      return { result, nbView, delta };
    }
    const inc = lflowIncremental(this.lflowState!, nb, delta.nb, timer);
    const lflow = inc.state.result;
    result.lflow = lflow;
    delta.recomputed.push('lflow');
    delta.partial = { lflow: { datapaths: inc.recomputed, of: inc.total, blocks: inc.blocks } };
    delta.lflow = inc.delta;
    if (this.until < 4) return { result, nbView, lflowState: inc.state, delta };
    const ofInputsSame =
      isEmptyDiff(delta.lflow) &&
      deepEqual([lflow.southbound, lflow.unsupported], [prev.lflow!.southbound, prev.lflow!.unsupported]) &&
      !touchesOpenFlowTables(delta.nb);
    if (ofInputsSame) {
      result.openflow = prev.openflow!;
      return { result, nbView, lflowState: inc.state, delta };
    }
    this.ofCache.invalidate({ lflow: prev.lflow!, nb: prev.nb! }, { lflow, nb }, delta.nb, this.opts.node !== undefined);
    timer.mark('of-invalidate');
    const of = this.openflow(lflow, nb);
    timer.mark('openflow');
    result.openflow = of;
    delta.recomputed.push('openflow');
    delta.partial.openflow = { lflows: this.ofCache.translated, of: this.ofCache.looked };
    delta.openflow = {
      // both lists are sorted as compileOpenFlow sorts them (diffSorted refuses anything else)
      flows: diffSorted(prev.openflow!.flows, of.flows, compareOfFlows, ofFlowIdentity),
      groups: diffKeyed(this.view.ofGroups, keyed(of.groups, ofGroupIdentity)),
    };
    timer.mark('of-diff');
    return { result, nbView, lflowState: inc.state, delta };
  }
}

/** compileOpenFlow's output order: table, priority descending, match text. */
function compareOfFlows(a: OfFlow, b: OfFlow): number {
  return a.table - b.table || b.priority - a.priority || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

/**
 * `nb` with every row whose JSON equals the previous row of its id replaced by that previous
 * object: an unchanged row keeps its identity across changes, so the lflow stage's per-row memos
 * (load balancer flow blocks) and the diffs hold across changes, and a changed row is a new
 * object. Equal JSON (not just deepEqual) so that the result stays byte-identical to a full
 * compile.
 */
function internRows(nb: NorthboundDB, prev: ReadonlyMap<string, NbRow>): NorthboundDB {
  const out: Record<string, unknown> = { ...nb };
  const same = <T extends NbRow>(r: T): T => {
    const o = prev.get(r.id);
    return o !== undefined && sameJSONValue(o, r) ? (o as T) : r;
  };
  for (const t of NB_TABLES) {
    const f = TABLE_FIELDS[t];
    const v = nb[f] as NbRow | NbRow[];
    out[f] = Array.isArray(v) ? v.map(same) : same(v);
  }
  return out as unknown as NorthboundDB;
}

function touchesOpenFlowTables(d: KeyedDiff<NbRow>): boolean {
  const hit = (id: string): boolean => OPENFLOW_NB_TABLES.some((p) => id.startsWith(p));
  return d.added.some((r) => hit(r.id)) || d.removed.some((r) => hit(r.id)) || d.changed.some((c) => hit(c.key));
}

function none<T>(): KeyedDiff<T> {
  return { added: [], removed: [], changed: [] };
}

function refOf(mo: ManifestObject): ObjectRef {
  const m = mo.object.metadata;
  return { kind: mo.object.kind, ...(m.namespace ? { namespace: m.namespace } : {}), name: m.name, source: { ...mo.source } };
}
