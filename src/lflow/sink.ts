/**
 * Collects flows the way ovn-northd's lflow table does: a flow is identified by (datapath, stage,
 * priority, match, actions); adding the same flow twice keeps one and merges provenance.
 *
 * Built for clusters with hundreds of thousands of flows per datapath group: northd stores a flow
 * text once and a datapath group beside it, so the same text (an LB VIP on every node switch and
 * gateway router) is held here once too — each (stage, priority, match, actions) is interned and
 * the per-datapath entries point at it; provenance is kept as the callers' cause lists and
 * resolved once per distinct list at the end.
 */
import type { ObjectRef } from '../common/source.js';
import type { Cause } from './model.js';
import type { PipelineLayout, StageName } from './pipeline-25.03.js';
import type { Lflow, LflowProvenance } from './types.js';

function refKey(r: ObjectRef): string {
  return `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}\u0000${r.source?.file ?? ''}\u0000${r.source?.line ?? 0}\u0000${r.source?.col ?? 0}`;
}

/** One distinct flow text, shared by every datapath that has it. */
interface Text {
  pipeline: Lflow['pipeline'];
  table: number;
  stage: StageName;
  priority: number;
  match: string;
  actions: string;
  /** position in lflow-list order within a datapath (set by flows()) */
  rank: number;
}

interface Entry {
  text: Text;
  /** the cause lists of the first add (the datapath's own list and the flow's) */
  dpCauses: readonly Cause[];
  causes: readonly Cause[];
  /** every cause list of later adds of the same flow, in order */
  more?: Array<readonly Cause[]>;
}

/**
 * A flow's text with its sink key computed once: builders that emit the same flows on many
 * datapaths (a load balancer's VIP flows on every switch and gateway router it is applied to) keep
 * these per NB row instead of rebuilding the strings per datapath.
 */
export interface FlowText {
  stage: StageName;
  priority: number;
  match: string;
  actions: string;
  key: string;
}

export function flowText(stage: StageName, priority: number, match: string, actions: string): FlowText {
  return { stage, priority, match, actions, key: `${stage}\u0000${priority}\u0000${match}\u0000${actions}` };
}

const NO_CAUSES: readonly Cause[] = [];
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A cause's Kubernetes objects keyed by refKey, sorted by key, later duplicates winning; cached per
 * provenance array (NB rows replace theirs when they change; the length check catches appends).
 */
const refsCache = new WeakMap<readonly ObjectRef[], { n: number; refs: ReadonlyArray<readonly [string, ObjectRef]> }>();
function refsOf(c: Cause): ReadonlyArray<readonly [string, ObjectRef]> {
  const hit = refsCache.get(c.provenance);
  if (hit && hit.n === c.provenance.length) return hit.refs;
  const m = new Map<string, ObjectRef>();
  for (const o of c.provenance) m.set(refKey(o), o);
  const refs = [...m.entries()].sort((a, b) => cmp(a[0], b[0]));
  refsCache.set(c.provenance, { n: c.provenance.length, refs });
  return refs;
}

function provenanceOf(lists: ReadonlyArray<readonly Cause[]>): LflowProvenance {
  const rows: string[] = [];
  const refs: Array<readonly [string, ObjectRef]> = [];
  for (const causes of lists) {
    for (const c of causes) {
      rows.push(c.id);
      for (const r of refsOf(c)) refs.push(r);
    }
  }
  // stable sort: among equal keys the later object stays last, and the last one wins (as a Map.set would)
  refs.sort((a, b) => cmp(a[0], b[0]));
  const objects: ObjectRef[] = [];
  for (let i = 0; i < refs.length; i++) if (i + 1 === refs.length || refs[i + 1]![0] !== refs[i]![0]) objects.push(refs[i]![1]);
  return { rows: rows.length > 1 ? [...new Set(rows)].sort() : rows, objects };
}

/**
 * Flows one NB row contributes, identically, to every datapath it applies to (a load balancer's
 * VIP flows: northd's datapath groups); added with {@link FlowSink.addBlock}.
 */
export interface FlowBlock {
  flows: readonly FlowText[];
  /** the row's cause list, passed with every flow of the block */
  causes: readonly Cause[];
}

/** Per-row memo store of {@link FlowSink.memo}: one per computation, or kept across computations (see the constructor). */
export interface SinkMemos {
  get(row: object): Map<string, unknown> | undefined;
  set(row: object, values: Map<string, unknown>): unknown;
}

export class FlowSink {
  private readonly texts = new Map<string, Text>();
  private readonly datapaths = new Map<string, Map<Text, Entry>>();
  private lastName: string | undefined;
  private lastEntries: Map<Text, Entry> | undefined;

  /**
   * @param memos where {@link memo} keeps its values: a fresh store per sink by default. A caller
   *   may pass one store (a WeakMap) to many sinks over many computations if it never mutates an
   *   NB row: a changed row must be a new object (src/incremental does so).
   */
  constructor(private readonly layout: PipelineLayout, private readonly memos: SinkMemos = new Map<object, Map<string, unknown>>()) {}

  /**
   * `build()` once per (row, tag) for the life of the memo store, by default of this sink, i.e. of
   * one computation: the NB rows are not changed while flows are built, but may be between
   * computations.
   */
  memo<T>(row: object, tag: string, build: () => T): T {
    let m = this.memos.get(row);
    if (!m) this.memos.set(row, (m = new Map()));
    if (m.has(tag)) return m.get(tag) as T;
    const v = build();
    m.set(tag, v);
    return v;
  }

  /**
   * `causes` and `more` together explain the flow; callers pass the datapath's own (shared) cause
   * list first so that equal lists can share one provenance object.
   */
  add(datapath: string, stageName: StageName, priority: number, match: string, actions: string, causes: readonly Cause[], more: readonly Cause[] = NO_CAUSES): void {
    this.addKeyed(datapath, `${stageName}\u0000${priority}\u0000${match}\u0000${actions}`, stageName, priority, match, actions, causes, more);
  }

  /** Every flow of `block` on `datapath` ({@link addText} with the block's causes). */
  addBlock(datapath: string, block: FlowBlock, causes: readonly Cause[]): void {
    for (const f of block.flows) this.addText(datapath, f, causes, block.causes);
  }

  /** {@link add} for a prepared {@link FlowText}. */
  addText(datapath: string, t: FlowText, causes: readonly Cause[], more: readonly Cause[] = NO_CAUSES): void {
    this.addKeyed(datapath, t.key, t.stage, t.priority, t.match, t.actions, causes, more);
  }

  private addKeyed(
    datapath: string, key: string, stageName: StageName, priority: number, match: string, actions: string,
    causes: readonly Cause[], more: readonly Cause[],
  ): void {
    let text = this.texts.get(key);
    if (!text) {
      const stage = this.layout.stage(stageName);
      text = { pipeline: stage.pipeline, table: stage.table, stage: stageName, priority, match, actions, rank: 0 };
      this.texts.set(key, text);
    }
    let entries = this.lastName === datapath ? this.lastEntries : this.datapaths.get(datapath);
    if (!entries) this.datapaths.set(datapath, (entries = new Map()));
    this.lastName = datapath;
    this.lastEntries = entries;
    const e = entries.get(text);
    if (!e) entries.set(text, { text, dpCauses: causes, causes: more });
    else if (more.length > 0 || causes !== e.dpCauses) (e.more ??= []).push(causes, more);
  }

  /** The flows, ordered by datapath name, then as lflow-list orders a datapath's flows. */
  flows(): Lflow[] {
    const texts = [...this.texts.values()].sort((a, b) =>
      (a.pipeline === b.pipeline ? 0 : a.pipeline === 'ingress' ? -1 : 1) ||
      a.table - b.table || b.priority - a.priority || cmp(a.match, b.match) || cmp(a.actions, b.actions));
    texts.forEach((t, i) => { t.rank = i; });
    // one provenance object per distinct (datapath list, flow list): most flows of a datapath share a few
    const memo = new Map<readonly Cause[], Map<unknown, LflowProvenance>>();
    const provenance = (e: Entry): LflowProvenance => {
      if (e.more) return provenanceOf([e.dpCauses, e.causes, ...e.more]);
      let byFlow = memo.get(e.dpCauses);
      if (!byFlow) memo.set(e.dpCauses, (byFlow = new Map()));
      const k = e.causes.length === 0 ? null : e.causes.length === 1 ? e.causes[0] : e.causes;
      let p = byFlow.get(k);
      if (!p) byFlow.set(k, (p = provenanceOf([e.dpCauses, e.causes])));
      return p;
    };
    const out: Lflow[] = [];
    for (const name of [...this.datapaths.keys()].sort(cmp)) {
      const entries = [...this.datapaths.get(name)!.values()].sort((a, b) => a.text.rank - b.text.rank);
      for (const e of entries) {
        const t = e.text;
        out.push({
          datapath: name, pipeline: t.pipeline, table: t.table, stage: t.stage, priority: t.priority, match: t.match, actions: t.actions,
          provenance: provenance(e),
        });
      }
    }
    return out;
  }
}

/**
 * The flows `block` alone gives `datapath`, one per FlowText in the block's order, with `causes`
 * as the datapath's cause list, as {@link FlowSink.flows} would give them where no other add on
 * the datapath has the same flow text (src/incremental keeps a datapath's flows per block and
 * merges such flows itself with {@link mergeProvenance}).
 */
export function blockFlows(layout: PipelineLayout, datapath: string, block: FlowBlock, causes: readonly Cause[]): Lflow[] {
  const provenance = provenanceOf([causes, block.causes]);
  return block.flows.map((t): Lflow => {
    const stage = layout.stage(t.stage);
    return { datapath, pipeline: stage.pipeline, table: stage.table, stage: t.stage, priority: t.priority, match: t.match, actions: t.actions, provenance };
  });
}

/**
 * The provenance of one flow added by several origins, from each origin's provenance: what
 * {@link FlowSink.flows} gives a flow whose adds are the union of theirs (rows: every row id,
 * sorted, once; objects: sorted by key, once).
 */
export function mergeProvenance(ps: readonly LflowProvenance[]): LflowProvenance {
  const rows = new Set<string>();
  const refs: Array<readonly [string, ObjectRef]> = [];
  for (const p of ps) {
    for (const r of p.rows) rows.add(r);
    for (const o of p.objects) refs.push([refKey(o), o]);
  }
  refs.sort((a, b) => cmp(a[0], b[0]));
  const objects: ObjectRef[] = [];
  for (let i = 0; i < refs.length; i++) if (i + 1 === refs.length || refs[i + 1]![0] !== refs[i]![0]) objects.push(refs[i]![1]);
  const all = [...rows];
  return { rows: all.length > 1 ? all.sort() : all, objects };
}
