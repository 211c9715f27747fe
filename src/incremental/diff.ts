/**
 * Keyed diffs between two results of the same stage, and the inverse: applying a diff to a keyed
 * view. Keys are the stable identities each stage already has:
 *  - NB rows: the row id `<Table>:<key>` (unique across the DB, see src/northbound/types.ts);
 *  - logical flows: datapath, pipeline, table, priority, match, actions;
 *  - OpenFlow flows: table, priority, match text (OpenFlow holds one flow per match);
 *  - OpenFlow groups: the group id.
 * Should a key ever occur twice in one result, later copies get `#2`, `#3`, … so that the view
 * stays a bijection (never the case for outputs the stages produce today).
 */
import type { Lflow } from '../lflow/types.js';
import { NB_TABLES, TABLE_FIELDS, type NorthboundDB } from '../northbound/types.js';
import type { OfFlow, OfGroup } from '../openflow/types.js';

/** Any row of the NB tables udnc emits. */
export type NbRow = NorthboundDB['nbGlobal'] | Exclude<NorthboundDB[(typeof TABLE_FIELDS)[Exclude<keyof typeof TABLE_FIELDS, 'NB_Global'>]], unknown[] | undefined>[number];

/** An item present on both sides whose content differs. */
export interface Changed<T> {
  key: string;
  before: T;
  after: T;
}

/** What changed between two keyed collections. Every list is sorted by key. */
export interface KeyedDiff<T> {
  added: T[];
  removed: T[];
  changed: Array<Changed<T>>;
}

/** The identity of a logical flow: `datapath|pipeline|table|priority|match|actions`. */
export const lflowIdentity = (f: Lflow): string => `${f.datapath}|${f.pipeline}|${f.table}|${f.priority}|${f.match}|${f.actions}`;
/** The identity of an OpenFlow flow: `table|priority|match text`. */
export const ofFlowIdentity = (f: OfFlow): string => `${f.table}|${f.priority}|${f.text}`;
/** The identity of an OpenFlow group: its id. */
export const ofGroupIdentity = (g: OfGroup): string => String(g.id);

/** Items by key (later duplicates get `#n`), in input order. */
export function keyed<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) {
    const k = keyOf(it);
    if (!m.has(k)) {
      m.set(k, it);
      continue;
    }
    let n = 2;
    while (m.has(`${k}#${n}`)) n++;
    m.set(`${k}#${n}`, it);
  }
  return m;
}

/** Every row of the DB by row id. */
export function nbRows(nb: NorthboundDB): Map<string, NbRow> {
  const m = new Map<string, NbRow>();
  for (const t of NB_TABLES) {
    const v = nb[TABLE_FIELDS[t]] as NbRow | NbRow[];
    if (Array.isArray(v)) for (const r of v) m.set(r.id, r);
    else m.set(v.id, v);
  }
  return m;
}

const jsonCache = new WeakMap<object, string>();

const replacer = (_k: string, x: unknown): unknown => {
  if (typeof x === 'bigint') return `0x${x.toString(16)}n`;
  if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString('hex')}`;
  return x;
};

/**
 * JSON with bigints (`0x…n`) and byte arrays (hex) — the flow types carry both. Objects are
 * treated as immutable: the text of an object is cached (stage outputs are never mutated).
 */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v, replacer) ?? 'undefined';
  const hit = jsonCache.get(v);
  if (hit !== undefined) return hit;
  let s: string;
  try {
    // fast path: no replacer call per value; byte arrays serialize as index maps, still exact
    s = JSON.stringify(v);
    if (s.includes('"0":')) s = JSON.stringify(v, replacer); // maybe a byte array: canonical form
  } catch {
    s = JSON.stringify(v, replacer); // a bigint somewhere
  }
  jsonCache.set(v, s);
  return s;
}

/**
 * Structural equality of plain data as canonicalJSON sees it (bigints, byte arrays, properties
 * holding `undefined` are absent, key order ignored) without serialising: stages rebuild their
 * outputs as new objects, and most of them are equal to the previous ones.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let na = 0;
  for (const k in ao) {
    const v = ao[k];
    if (v === undefined) continue;
    na++;
    if (!deepEqual(v, bo[k])) return false;
  }
  let nb = 0;
  for (const k in bo) if (bo[k] !== undefined) nb++;
  return na === nb;
}

/**
 * canonicalJSON(a) === canonicalJSON(b) without serialising: {@link deepEqual} that also wants
 * object keys in the same order (JSON text depends on it; deepEqual does not).
 */
export function sameJSONValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // JSON text of `undefined` in an array is null
    return (a === undefined && b === null) || (a === null && b === undefined);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJSONValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) return deepEqual(a, b);
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ka = Object.keys(ao);
  const kb = Object.keys(bo);
  // walk both key lists in order, skipping keys whose value is undefined (absent from JSON)
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && ao[ka[i]!] === undefined) i++;
    while (j < kb.length && bo[kb[j]!] === undefined) j++;
    if (i >= ka.length || j >= kb.length) return i >= ka.length && j >= kb.length;
    if (ka[i] !== kb[j] || !sameJSONValue(ao[ka[i]!], bo[kb[j]!])) return false;
    i++;
    j++;
  }
}

/**
 * Diff of two keyed collections. Content is compared structurally ({@link deepEqual}); identical
 * objects short-circuit (stages that were not recomputed hand back the very same items).
 */
export function diffKeyed<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, same: (a: T, b: T) => boolean = deepEqual): KeyedDiff<T> {
  const added: Array<[string, T]> = [];
  const removed: Array<[string, T]> = [];
  const changed: Array<Changed<T>> = [];
  for (const [k, a] of after) {
    const b = before.get(k);
    if (b === undefined) added.push([k, a]);
    else if (b !== a && !same(b, a)) changed.push({ key: k, before: b, after: a });
  }
  for (const [k, b] of before) if (!after.has(k)) removed.push([k, b]);
  const byKey = (x: [string, T], y: [string, T]): number => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
  added.sort(byKey);
  removed.sort(byKey);
  changed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { added: added.map((x) => x[1]), removed: removed.map((x) => x[1]), changed };
}

export function isEmptyDiff(d: KeyedDiff<unknown>): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

/** Applies `d` to `view` in place: removes `removed`, sets `added` and the `after` of `changed`. */
export function applyKeyedDiff<T>(view: Map<string, T>, d: KeyedDiff<T>, keyOf: (t: T) => string): void {
  for (const r of d.removed) {
    const k = keyOf(r);
    if (!view.delete(k)) throw new Error(`delta removes ${k}, which the view does not hold`);
  }
  for (const c of d.changed) {
    if (!view.has(c.key)) throw new Error(`delta changes ${c.key}, which the view does not hold`);
    view.set(c.key, c.after);
  }
  for (const a of d.added) {
    const k = keyOf(a);
    if (view.has(k)) throw new Error(`delta adds ${k}, which the view already holds`);
    view.set(k, a);
  }
}

/**
 * Diff of two lists sorted by the same total order `cmp`, in which equal items have equal keys
 * (e.g. OpenFlow flows: table, priority descending, match text): one merge pass, no maps.
 * Lists of the result are sorted by key, as {@link diffKeyed}'s.
 */
export function diffSorted<T>(before: readonly T[], after: readonly T[], cmp: (a: T, b: T) => number, keyOf: (t: T) => string, same: (a: T, b: T) => boolean = deepEqual): KeyedDiff<T> {
  const added: Array<[string, T]> = [];
  const removed: Array<[string, T]> = [];
  const changed: Array<Changed<T>> = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    const c = i >= before.length ? 1 : j >= after.length ? -1 : cmp(b!, a!);
    // the merge is only right for sorted input: refuse anything else rather than diff wrongly
    if ((c <= 0 && i > 0 && cmp(before[i - 1]!, b!) >= 0) || (c >= 0 && j > 0 && cmp(after[j - 1]!, a!) >= 0)) throw new Error('diffSorted: input not sorted');
    if (c < 0) { removed.push([keyOf(b!), b!]); i++; } else if (c > 0) { added.push([keyOf(a!), a!]); j++; } else {
      if (b !== a && !same(b!, a!)) changed.push({ key: keyOf(a!), before: b!, after: a! });
      i++;
      j++;
    }
  }
  const byKey = (x: [string, T], y: [string, T]): number => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
  added.sort(byKey);
  removed.sort(byKey);
  changed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { added: added.map((x) => x[1]), removed: removed.map((x) => x[1]), changed };
}
