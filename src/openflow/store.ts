/**
 * The flow table of one compile, kept compact: ~40 bytes per flow in all (issue-6 shape at 300 namespaces:
 * 31 MB of heap + 57 MB of typed arrays for 2,140,739 flows) instead of ~830 (an OfFlow
 * object with its own match object, metadata bigints, match text and provenance array).
 *
 * The flows of one logical flow on one datapath share everything but their compiled match: the
 * cookie, the actions, the provenance and the table/priority. So a logical flow's translation is
 * kept once ({@link LflowRec}) and each of its flows is two numbers: the record and the index of
 * its match in the record's compiled matches (which MatchCompiler shares across datapaths when it
 * can). Texts are not kept, nor made to find duplicates: two flows print the same match exactly when
 * they have the same interned field values (MatchInterner, names sorted), so the dedup key is four
 * integers — table/priority, the field-set id without metadata and conj_id, the metadata (the
 * datapath) and the conj_id (relative id + the lflow's base). Texts are made only to sort and print
 * one (table, priority) bucket at a time. Flows that are objects anyway (physical, LB hairpin,
 * translations an incremental cache replays) are kept as they are, keyed the same way.
 *
 * Output is what the eager version produced, byte for byte: OpenFlow holds one flow per
 * (table, priority, match), so a flow whose match text equals an earlier one's is chained to it and
 * merged when materialised, in insertion order, with the same rule (conjunction-only actions are
 * unioned, equal actions add provenance, different actions are `shadowed`); flows are sorted by
 * table, priority descending, match text.
 */
import type { CompiledMatches } from '../expr/index.js';
import type { Lflow } from '../lflow/types.js';
import { formatFlowLine, formatOfActions, formatOfMatch } from './format.js';
import type { LflowRef, OfAction, OfFlow, OfMatch, OfMatchField } from './types.js';

/** One logical flow translated on one local datapath: what all its OpenFlow flows share. */
export interface LflowRec {
  lflow: Lflow;
  dpKey: number;
  /** SB Logical_Flow UUID (stand-in or real); its first 32 bits are `cookie` */
  uuid: string;
  cookie: number;
  /** OpenFlow table */
  table: number;
  /** encoded actions, shared by the lflow's non-conjunction flows */
  acts: OfAction[];
  /** conjunction id base (first id - 1) */
  base: number;
  /** made on first materialisation, then shared by the lflow's flows as before */
  ref?: LflowRef;
}

const META_MASK = (1n << 64n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** 32-bit FNV-1a of a match text, mixed with table/priority (kept for callers hashing texts). */
export function hashText(s: string, tp: number): number {
  let h = (0x811c9dc5 ^ tp) | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
/** The dedup hash of a flow key (table/priority, field-set id, metadata, conj_id); murmur3's finaliser per word. */
export function hashKey(tp: number, fk: number, meta: number, conj: number): number {
  let h = Math.imul(tp ^ 0x9e3779b9, 0xcc9e2d51);
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ fk;
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  h = Math.imul(h ^ meta, 0x85ebca6b);
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  h ^= conj | 0;
  h ^= (conj / 4294967296) | 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A growable Int32 column in fixed chunks: no doubling copies, no spare half at 20 M entries. */
class Column {
  private readonly chunks: Int32Array[] = [];
  get(i: number): number { return this.chunks[i >>> 16]![i & 0xffff]!; }
  set(i: number, v: number): void {
    const c = i >>> 16;
    if (c === this.chunks.length) this.chunks.push(new Int32Array(0x10000));
    this.chunks[c]![i & 0xffff] = v;
  }
}
/** in the tp column: the entry is merged into an earlier one */
const DUP = 0x1000000;
/** a metadata value no datapath has, printed once per compiled match and replaced by the real one */
const META_SENTINEL = 0xfedcba987654321n;
const META_SENTINEL_TEXT = `metadata=0x${META_SENTINEL.toString(16)}`;

/**
 * The flows of an OpenFlowResult without materialising them. `size` counts flows as printed
 * (merged). Iterating yields OfFlow objects in output order, made one at a time (the same objects
 * as `result.flows` once that has been read).
 */
export class OfFlowTable implements Iterable<OfFlow> {
  /** entries (before merging) */
  private n = 0;
  /** ≥ 0: index into recs (sub = the match's index in `matches`); < 0: -1 - index into objs */
  private readonly rec = new Column();
  private readonly sub = new Column();
  /** table * 0x10000 + (0xffff - priority) (ascending = output order), | DUP */
  private readonly tp = new Column();
  /** entry → next entry merged into the same flow, in insertion order (few: 0.3 % of entries) */
  private readonly next = new Map<number, number>();
  /** last entry of a head's chain, for heads that have one */
  private readonly tails = new Map<number, number>();
  private readonly recs: LflowRec[] = [];
  private readonly objs: OfFlow[] = [];
  /** per object: its dedup key (field-set id, metadata, conj_id), three numbers each */
  private readonly objKeys: number[] = [];
  /** open addressing: entry + 1, 0 = empty */
  private slots = new Int32Array(1 << 10);
  private heads = 0;
  private sealed = false;
  private materialised: OfFlow[] | undefined;
  /** @param keys the interner whose match ids logical entries hold (and which keys every flow) */
  constructor(private readonly keys: MatchInterner = new MatchInterner()) {}
  get size(): number { return this.heads; }

  /** Adds the translation of one lflow; returns its index for {@link addMatch}. */
  addRec(r: LflowRec): number { this.recs.push(r); return this.recs.length - 1; }

  /** Adds the flow of record `ri` with match `matches[sub]` (an id from the table's interner). */
  addMatch(ri: number, sub: number): void {
    const r = this.recs[ri]!;
    const c = this.keys.conjRel.get(sub);
    this.insert(ri, sub, r.table * 0x10000 + (0xffff - r.lflow.priority), this.keys.fkey.get(sub), r.dpKey, c < 0 ? -1 : c + r.base);
  }

  /**
   * Adds a flow made as an object. With `interner` (flows nobody else holds) it is kept without
   * its text and with its match values shared (sub = 1); otherwise as it is (sub = 0).
   */
  addFlow(f: OfFlow, interner?: MatchInterner): void {
    const same = formatOfMatch(f.match) === f.text;
    const [fk, meta, conj] = this.keys.objectKey(f.match, same ? undefined : f.text);
    this.objKeys.push(fk, meta, conj);
    if (interner && same) {
      this.objs.push({ ...f, match: interner.fieldsOf(f.match), text: '' });
      this.insert(-this.objs.length, 1, f.table * 0x10000 + (0xffff - f.priority), fk, meta, conj);
      return;
    }
    this.objs.push(f);
    this.insert(-this.objs.length, 0, f.table * 0x10000 + (0xffff - f.priority), fk, meta, conj);
  }

  // the key of entry e, in kf/km/kc (no allocation)
  private kf = 0; private km = 0; private kc = 0;
  private loadKey(e: number): void {
    const ri = this.rec.get(e);
    if (ri >= 0) {
      const r = this.recs[ri]!;
      const s = this.sub.get(e);
      const c = this.keys.conjRel.get(s);
      this.kf = this.keys.fkey.get(s); this.km = r.dpKey; this.kc = c < 0 ? -1 : c + r.base;
    } else {
      const i = 3 * (-1 - ri);
      this.kf = this.objKeys[i]!; this.km = this.objKeys[i + 1]!; this.kc = this.objKeys[i + 2]!;
    }
  }

  private insert(rec: number, sub: number, tp: number, fk: number, meta: number, conj: number): void {
    if (this.sealed) throw new Error('OfFlowTable: flows added after seal()');
    const mask = this.slots.length - 1;
    let s = hashKey(tp, fk, meta, conj) & mask;
    const id = this.n++;
    this.rec.set(id, rec); this.sub.set(id, sub);
    for (;;) {
      const e = this.slots[s]! - 1;
      if (e < 0) break;
      if (this.tp.get(e) === tp) {
        this.loadKey(e);
        if (this.kf === fk && this.km === meta && this.kc === conj) {
          this.tp.set(id, tp | DUP);
          this.next.set(this.tails.get(e) ?? e, id);
          this.tails.set(e, id);
          return;
        }
      }
      s = (s + 1) & mask;
    }
    this.tp.set(id, tp);
    this.slots[s] = id + 1;
    this.heads++;
    if (this.heads * 4 > this.slots.length * 3) this.rehash();
  }

  /** No more flows: drop the dedup index. */
  seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    this.slots = new Int32Array(0);
    this.tails.clear();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.n; e++) {
      const tp = this.tp.get(e);
      if (tp & DUP) continue;
      this.loadKey(e);
      let s = hashKey(tp, this.kf, this.km, this.kc) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
  }

  /** The match of a logical entry, built as the eager version built it (key order included). */
  private matchOf(r: LflowRec, sub: number): OfMatch {
    const match = this.keys.match(sub).fields;
    match['metadata'] = { value: BigInt(r.dpKey), mask: META_MASK };
    if (match['conj_id']) match['conj_id'] = { value: match['conj_id'].value + BigInt(r.base), mask: 0xffffffffn };
    return match;
  }

  /**
   * Per bucket: a compiled match's text with the sentinel metadata, cut around it (the same match on
   * every node switch prints the same but for `metadata=`). Matches with conj_id print whole.
   */
  private pieces = new Map<number, [string, string] | null>();
  private textOf(e: number): string {
    const ri = this.rec.get(e);
    if (ri < 0) { const o = this.objs[-1 - ri]!; return this.sub.get(e) ? formatOfMatch(o.match) : o.text; }
    const r = this.recs[ri]!;
    const sub = this.sub.get(e);
    let p = this.pieces.get(sub);
    if (p === undefined) {
      p = null;
      if (this.keys.conjRel.get(sub) < 0) {
        const match = this.keys.match(sub).fields;
        match['metadata'] = { value: META_SENTINEL, mask: META_MASK };
        const t = formatOfMatch(match);
        const i = t.indexOf(META_SENTINEL_TEXT);
        if (i >= 0 && t.lastIndexOf(META_SENTINEL_TEXT) === i) p = [`${t.slice(0, i)}metadata=0x`, t.slice(i + META_SENTINEL_TEXT.length)];
      }
      this.pieces.set(sub, p);
    }
    return p ? p[0] + r.dpKey.toString(16) + p[1] : formatOfMatch(this.matchOf(r, sub));
  }

  /** Entry e as the OfFlow the eager version made for it (before merging). */
  private entry(e: number, text?: string): OfFlow {
    const ri = this.rec.get(e);
    if (ri < 0) {
      const o = this.objs[-1 - ri]!;
      return this.sub.get(e) ? { ...o, match: { ...o.match }, text: text ?? formatOfMatch(o.match) } : o;
    }
    const r = this.recs[ri]!;
    const l = r.lflow;
    const ref = (r.ref ??= {
      datapath: l.datapath, dpKey: r.dpKey, pipeline: l.pipeline, table: l.table, priority: l.priority,
      match: l.match, actions: l.actions, uuid: r.uuid, rows: l.provenance.rows, objects: l.provenance.objects,
    });
    const m = { conjunctions: this.keys.conjunctionsOf(this.sub.get(e)) };
    const match = this.matchOf(r, this.sub.get(e));
    const t = text ?? formatOfMatch(match);
    if (m.conjunctions.length === 0) {
      return { table: r.table, priority: l.priority, cookie: r.cookie, match, actions: r.acts, text: t, provenance: [{ kind: 'lflow', lflow: ref }] };
    }
    const conj: OfAction[] = m.conjunctions.map((c) => ({ type: 'conjunction', id: c.id + r.base, clause: c.clause + 1, nClauses: c.nClauses }));
    return { table: r.table, priority: l.priority, cookie: 0, match, actions: conj, text: t, provenance: [{ kind: 'lflow', lflow: ref, conjMember: true }] };
  }

  /** Head e with the entries chained to it merged, in insertion order (never mutating a shared or stored flow). */
  private flow(e: number, text?: string): OfFlow {
    const head = this.entry(e, text);
    if (!this.next.has(e)) return head;
    const cur: OfFlow = { ...head, actions: [...head.actions], provenance: [...head.provenance], ...(head.shadowed ? { shadowed: [...head.shadowed] } : {}) };
    for (let d = this.next.get(e); d !== undefined; d = this.next.get(d)) {
      const f = this.entry(d);
      const curConj = cur.actions.length > 0 && cur.actions.every((a) => a.type === 'conjunction');
      const newConj = f.actions.length > 0 && f.actions.every((a) => a.type === 'conjunction');
      if (curConj && newConj) {
        for (const a of f.actions) if (!cur.actions.some((b) => b.type === 'conjunction' && a.type === 'conjunction' && b.id === a.id && b.clause === a.clause)) cur.actions.push(a);
        cur.provenance.push(...f.provenance);
      } else if (formatOfActions(cur.actions) === formatOfActions(f.actions)) {
        cur.provenance.push(...f.provenance);
      } else {
        (cur.shadowed ??= []).push({ cookie: f.cookie, actions: f.actions, provenance: f.provenance });
      }
    }
    return cur;
  }

  /**
   * Heads in output order, one (table, priority) bucket at a time: the bucket's entries sorted by
   * match text, with their texts. Only one bucket's texts are alive at a time.
   */
  private *buckets(): Generator<{ ids: Int32Array; texts: string[] }> {
    this.seal();
    // counting sort of the heads by table/priority
    const counts = new Map<number, number>();
    for (let e = 0; e < this.n; e++) { const k = this.tp.get(e); if (!(k & DUP)) counts.set(k, (counts.get(k) ?? 0) + 1); }
    const keys = [...counts.keys()].sort((a, b) => a - b);
    const fill = new Map<number, number>();
    let off = 0;
    for (const k of keys) { fill.set(k, off); off += counts.get(k)!; }
    const order = new Int32Array(off);
    for (let e = 0; e < this.n; e++) { const k = this.tp.get(e); if (!(k & DUP)) { const i = fill.get(k)!; order[i] = e; fill.set(k, i + 1); } }
    off = 0;
    for (const k of keys) {
      const ids = order.subarray(off, (off += counts.get(k)!));
      const texts = Array.from(ids, (e) => this.textOf(e));
      this.pieces.clear();
      const idx = Array.from(ids.keys()).sort((a, b) => byText(texts[a]!, texts[b]!));
      yield { ids: Int32Array.from(idx, (i) => ids[i]!), texts: idx.map((i) => texts[i]!) };
    }
  }

  /** All flows in output order (made once, then kept: `OpenFlowResult.flows`). */
  toArray(): OfFlow[] {
    if (!this.materialised) this.materialised = [...this];
    return this.materialised;
  }

  *[Symbol.iterator](): IterableIterator<OfFlow> {
    if (this.materialised) { yield* this.materialised; return; }
    for (const { ids, texts } of this.buckets()) for (let i = 0; i < ids.length; i++) yield this.flow(ids[i]!, texts[i]!);
  }

  /**
   * `ovs-ofctl add-flows` lines in output order, handed to `write` in chunks (no whole-table string).
   * A logical entry nothing was merged into is printed from its record without making an OfFlow.
   */
  writeAddFlows(write: (chunk: string) => void): void {
    if (this.materialised) { writeLines(this.materialised, write); return; }
    let s = '';
    let k = 0;
    const actsText = new Map<OfAction[], string>();
    for (const { ids, texts } of this.buckets()) {
      for (let i = 0; i < ids.length; i++) {
        const e = ids[i]!;
        const ri = this.rec.get(e);
        let line: string;
        if (ri >= 0 && !this.next.has(e)) {
          const r = this.recs[ri]!;
          const m = { conjunctions: this.keys.conjunctionsOf(this.sub.get(e)) };
          let a: string;
          if (m.conjunctions.length === 0) {
            const x = actsText.get(r.acts);
            a = x ?? formatOfActions(r.acts);
            if (x === undefined) actsText.set(r.acts, a);
          } else {
            a = '';
            for (const c of m.conjunctions) a += `${a ? ',' : ''}conjunction(${c.id + r.base},${c.clause + 1}/${c.nClauses})`;
          }
          const t = texts[i]!;
          line = `table=${r.table},priority=${r.lflow.priority},cookie=0x${(m.conjunctions.length ? 0 : r.cookie).toString(16)}${t ? ',' + t : ''} actions=${a}`;
        } else line = formatFlowLine(this.flow(e, texts[i]!));
        s += line + '\n';
        if (++k === CHUNK) { write(s); s = ''; k = 0; }
      }
    }
    if (s) write(s);
  }
}

function writeLines(flows: readonly OfFlow[], write: (chunk: string) => void): void {
  for (let i = 0; i < flows.length; i += CHUNK) write(flows.slice(i, i + CHUNK).map((f) => formatFlowLine(f) + '\n').join(''));
}

const CHUNK = 4096;

type CompiledMatch = CompiledMatches['matches'][number];
const NO_CONJUNCTIONS: CompiledMatch['conjunctions'] = [];

/**
 * Compiled matches shared by value: a cluster has few distinct field values (26,005 at the issue-6
 * shape with 300 namespaces) and far fewer distinct matches than flows (262,531 for 2,140,739), but
 * MatchCompiler gives every lflow that names a port or port group matches of its own. Each distinct
 * match is kept as a few integers in a pool — its field-value ids in key order and its conjunctions —
 * not as objects (≈ 300 bytes each, over 1 GB at issue 6 in the single-chassis view); objects are
 * made again when a flow is materialised. The maps live for one compile.
 */
export class MatchInterner {
  private readonly fields = new Map<string, Map<bigint, Map<bigint, FieldVal>>>();
  private readonly smallFields = new Map<string, Map<number, Map<number, FieldVal>>>();
  /** field values by id */
  private readonly fieldVals: FieldVal[] = [];
  private readonly arrays = new WeakMap<object, Int32Array>();

  /** matches, each the sequence nFields, field ids (key order), nConj, (id, clause, nClauses) × nConj */
  private readonly matches = new IntSeqTable();
  /** Per match id: the id of its field values other than metadata and conj_id (see {@link fieldSetId}). */
  readonly fkey = new Column();
  /** Per match id: its conj_id before the lflow's base is added, -1 without one. */
  readonly conjRel = new Column();
  /** field sets, each the sorted field ids */
  private readonly fieldSets = new IntSeqTable();
  private readonly texts = new Map<string, number>();

  private readonly actionLists = new Map<string, OfAction[]>();
  /**
   * One actions array per distinct printed form (17,473 lflow translations have 2,961 at 100
   * namespaces: the same lflow on every node switch encodes the same actions).
   */
  actions(list: OfAction[]): OfAction[] {
    const k = formatOfActions(list);
    const x = this.actionLists.get(k);
    if (x) return x;
    this.actionLists.set(k, list);
    return list;
  }

  /** An object match with its values shared (a new object: the caller may keep it). */
  fieldsOf(match: OfMatch): OfMatch { return this.match(this.one(match, NO_CONJUNCTIONS)).fields; }

  /** The ids of `matches` (for {@link match}, {@link fkey}, {@link conjRel}). */
  intern(matches: CompiledMatches['matches']): Int32Array {
    let out = this.arrays.get(matches);
    if (!out) this.arrays.set(matches, (out = Int32Array.from(matches, (m) => this.one(m.fields, m.conjunctions))));
    return out;
  }

  /** Match `id` as an object (fields in the compiled key order, values shared between matches). */
  match(id: number): CompiledMatch {
    const t = this.matches;
    let p = t.start(id);
    const n = t.at(p++);
    const fields: OfMatch = {};
    for (let i = 0; i < n; i++) { const v = this.fieldVals[t.at(p++)]!; fields[v.name] = v.f; }
    return { fields, conjunctions: this.conjunctionsOf(id) };
  }

  /** The conjunction actions of match `id` (0-based clauses, as compiled). */
  conjunctionsOf(id: number): CompiledMatch['conjunctions'] {
    const t = this.matches;
    let p = t.start(id);
    p += 1 + t.at(p);
    const c = t.at(p++);
    if (c === 0) return NO_CONJUNCTIONS;
    const out: { id: number; clause: number; nClauses: number }[] = [];
    for (let i = 0; i < c; i++, p += 3) out.push({ id: t.at(p), clause: t.at(p + 1), nClauses: t.at(p + 2) });
    return out;
  }

  /**
   * The dedup key [field-set id, metadata, conj_id] of a flow made as an object, comparable with
   * logical entries' keys: a full-mask metadata and conj_id are keyed as numbers, like theirs (-1:
   * none). `text`: the flow prints a text other than its match's, so it is keyed by that text.
   */
  objectKey(match: OfMatch, text?: string): [number, number, number] {
    if (text !== undefined) {
      let t = this.texts.get(text);
      if (t === undefined) this.texts.set(text, (t = this.texts.size));
      return [-2 - t, -1, -1];
    }
    const md = match['metadata'];
    const cj = match['conj_id'];
    const meta = md !== undefined && md.mask === META_MASK && md.value < 2n ** 53n;
    const conj = cj !== undefined && cj.mask === 0xffffffffn;
    const ids: number[] = [];
    for (const k in match) {
      if ((k === 'metadata' && meta) || (k === 'conj_id' && conj)) continue;
      ids.push(this.field(k, match[k]!).id);
    }
    return [this.fieldSetId(ids), meta ? Number(md.value) : -1, conj ? Number(cj.value) : -1];
  }

  /**
   * One number per distinct set of field values, whatever the key order: equal ids ⇔ the same
   * fields ⇔ the same printed match (match_format() prints a canonical order). Sorts `ids`.
   */
  private fieldSetId(ids: number[]): number {
    ids.sort((a, b) => a - b);
    return this.fieldSets.intern(ids);
  }

  private field(k: string, v: OfMatchField): FieldVal {
    // most values (registers, IPv4, ports) fit a double: number-keyed maps hash faster than bigint ones
    return v.value <= MAX_SAFE && v.mask <= MAX_SAFE
      ? this.fieldIn(this.smallFields, k, Number(v.value), Number(v.mask), v)
      : this.fieldIn(this.fields, k, v.value, v.mask, v);
  }
  private fieldIn<K>(maps: Map<string, Map<K, Map<K, FieldVal>>>, k: string, value: K, mask: K, v: OfMatchField): FieldVal {
    let byValue = maps.get(k);
    if (!byValue) maps.set(k, (byValue = new Map()));
    let byMask = byValue.get(value);
    if (!byMask) byValue.set(value, (byMask = new Map()));
    let x = byMask.get(mask);
    if (!x) byMask.set(mask, (x = this.newField(k, v)));
    return x;
  }
  private newField(name: string, v: OfMatchField): FieldVal {
    const x: FieldVal = { id: this.fieldVals.length, name, f: { value: v.value, mask: v.mask } };
    this.fieldVals.push(x);
    return x;
  }

  private readonly seq: number[] = [];
  /**
   * The id of a match (fields in key order + conjunctions), added if new. Runs once per compiled
   * match (22 M times at issue 6 in the single-chassis view): no string key, no object kept.
   */
  private one(fields: OfMatch, cs: CompiledMatch['conjunctions']): number {
    const seq = this.seq;
    seq.length = 1;
    for (const k in fields) seq.push(this.field(k, fields[k]!).id);
    seq[0] = seq.length - 1;
    seq.push(cs.length);
    for (const c of cs) seq.push(c.id, c.clause, c.nClauses);
    const id = this.matches.intern(seq);
    if (!this.matches.added) return id;
    // a logical flow's metadata is its datapath's and its conj_id is offset by the lflow's base
    let conj = -1;
    const rest: number[] = [];
    for (let i = 1; i <= seq[0]!; i++) {
      const v = this.fieldVals[seq[i]!]!;
      if (v.name === 'conj_id') conj = Number(v.f.value);
      else if (v.name !== 'metadata') rest.push(v.id);
    }
    this.fkey.set(id, this.fieldSetId(rest));
    this.conjRel.set(id, conj);
    return id;
  }
}

interface FieldVal { id: number; name: string; f: OfMatchField }

/**
 * Integer sequences interned: one id per distinct sequence (ids 0, 1, … in first-seen order), the
 * sequences kept end to end in one chunked pool, found by open addressing on an FNV hash.
 */
class IntSeqTable {
  private readonly off = new Column();
  private readonly pool = new Column();
  private readonly hashes = new Column();
  private len = 0;
  private n = 0;
  private slots = new Int32Array(1 << 12);
  /** whether the last {@link intern} added its sequence */
  added = false;

  /** Pool offset of sequence `id`'s first element (read with {@link at}); its length is at start - 1. */
  start(id: number): number { return this.off.get(id) + 1; }
  at(p: number): number { return this.pool.get(p); }

  intern(seq: readonly number[]): number {
    let h = 0x811c9dc5 | 0;
    for (const x of seq) h = Math.imul(h ^ x, 0x01000193);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) break;
      if (this.hashes.get(e) === h && this.equals(e, seq)) { this.added = false; return e; }
    }
    const id = this.n++;
    this.off.set(id, this.len);
    this.pool.set(this.len++, seq.length);
    for (const x of seq) this.pool.set(this.len++, x);
    this.hashes.set(id, h);
    if (this.n * 4 > this.slots.length * 3) {
      this.slots = new Int32Array(this.slots.length * 2);
      for (let e = 0; e < this.n; e++) this.place(this.hashes.get(e), e);
    } else this.place(h, id);
    this.added = true;
    return id;
  }

  private equals(e: number, seq: readonly number[]): boolean {
    let p = this.off.get(e);
    if (this.pool.get(p++) !== seq.length) return false;
    for (let i = 0; i < seq.length; i++) if (this.pool.get(p + i) !== seq[i]) return false;
    return true;
  }

  private place(h: number, id: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = id + 1;
  }
}
