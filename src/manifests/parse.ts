/**
 * Text → raw Kubernetes-shaped documents with source positions.
 *
 * Everything (YAML and JSON) goes through the `yaml` package: JSON is a subset of YAML 1.2 in
 * practice, and one parser means one way of computing line/column for every node.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseAllDocuments,
  parseDocument,
} from 'yaml';
import { type FastDoc, fastParseYaml } from './fastyaml.js';
import type { Diagnostic } from '../common/errors.js';
import type { SourceRef } from '../common/source.js';

/** Refuse alias expansion beyond this (the "billion laughs" guard). Real manifests use a handful. */
export const MAX_ALIAS_COUNT = 1000;

/** One candidate object, before kind checks, validation and defaulting. */
export interface RawDocument {
  value: unknown;
  source: SourceRef;
  /** field path (`spec.ingress[0].ports[0].port`) → where that field's value starts */
  positions: ReadonlyMap<string, SourceRef>;
}

export interface ParsedText {
  docs: RawDocument[];
  notices: Diagnostic[];
  /** syntax errors; `docs` holds only the documents that parsed cleanly */
  errors: Diagnostic[];
}

/** Appends a key to a field path, quoting keys that are not plain identifiers. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Converts an offset in the text that was parsed into a position in the file. */
type OffsetMap = (offset: number) => SourceRef;

/**
 * Where an object was written: its start, and (lazily) the positions of its fields. The YAML
 * node tree is produced on demand, so the fast paths (fastyaml, JSON.parse) only pay for the
 * exact parser when a diagnostic needs a field position.
 */
class Locator {
  private node: YamlNode | null | undefined;
  constructor(
    private readonly nodeThunk: () => { node: YamlNode | null; map: OffsetMap },
    readonly source: SourceRef,
    private readonly itemSources?: ReadonlyArray<SourceRef>,
  ) {}
  resolve(): { node: YamlNode | null; map: OffsetMap } {
    return this.nodeThunk();
  }
  positions(): ReadonlyMap<string, SourceRef> {
    return new LazyPositions(() => this.resolve());
  }
  /** The locator of `items[i]` (List flattening). */
  item(i: number): Locator {
    const thunk = (): { node: YamlNode | null; map: OffsetMap } => {
      const { node, map } = this.resolve();
      const items = isMap(node) ? (node.get('items', true) as YamlNode | undefined) : undefined;
      return { node: isSeq(items) ? ((items.items[i] as YamlNode | null) ?? null) : null, map };
    };
    let src = this.itemSources?.[i];
    if (!src) {
      const r = thunk();
      src = posOf(r.node, r.map) ?? this.source;
    }
    return new Locator(thunk, src);
  }
  itemsSource(): SourceRef {
    const { node, map } = this.resolve();
    const items = isMap(node) ? (node.get('items', true) as YamlNode | undefined) : undefined;
    return posOf(items, map) ?? this.source;
  }
}

/** Map of field path → position, built on first use (most objects never need one). */
class LazyPositions implements ReadonlyMap<string, SourceRef> {
  private map: Map<string, SourceRef> | undefined;
  constructor(private readonly resolve: () => { node: YamlNode | null; map: OffsetMap }) {}
  private get m(): Map<string, SourceRef> {
    if (!this.map) {
      this.map = new Map();
      const { node, map } = this.resolve();
      if (node) walkPositions(node, map, this.map, '');
    }
    return this.map;
  }
  get size(): number { return this.m.size; }
  get(k: string): SourceRef | undefined { return this.m.get(k); }
  has(k: string): boolean { return this.m.has(k); }
  forEach(cb: (v: SourceRef, k: string, m: ReadonlyMap<string, SourceRef>) => void, thisArg?: unknown): void {
    this.m.forEach((v, k) => cb.call(thisArg, v, k, this));
  }
  entries(): MapIterator<[string, SourceRef]> { return this.m.entries(); }
  keys(): MapIterator<string> { return this.m.keys(); }
  values(): MapIterator<SourceRef> { return this.m.values(); }
  [Symbol.iterator](): MapIterator<[string, SourceRef]> { return this.m[Symbol.iterator](); }
}

function posOf(node: { range?: [number, number, number] | null } | null | undefined, map: OffsetMap): SourceRef | undefined {
  const off = node?.range?.[0];
  return off === undefined ? undefined : map(off);
}

/** Records positions relative to the object's root node (document or list item). */
function walkPositions(
  node: YamlNode,
  map: OffsetMap,
  out: Map<string, SourceRef>,
  path: string,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const p = joinPath(path, k);
      const valNode = pair.value as YamlNode | null;
      // Point at the value when there is one (that is what is wrong), else at the key.
      const pos = posOf(valNode, map) ?? posOf(pair.key as YamlNode, map);
      if (pos) out.set(p, pos);
      if (valNode && (isMap(valNode) || isSeq(valNode))) walkPositions(valNode, map, out, p);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = joinPath(path, i);
      const pos = posOf(item as YamlNode, map);
      if (pos) out.set(p, pos);
      if (item && (isMap(item) || isSeq(item))) walkPositions(item as YamlNode, map, out, p);
    });
  }
}

function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && (kind === 'List' || (kind.endsWith('List') && kind.length > 4));
}

/** Parses one file's text: multi-document YAML or JSON; `List`/`*List` are flattened. */
export function parseText(text: string, file: string): ParsedText {
  const out: ParsedText = { docs: [], notices: [], errors: [] };
  const first = text.search(/\S/);
  if (first >= 0 && (text[first] === '{' || text[first] === '[') && parseJsonFast(text, file, first, out)) return out;
  const fast = fastParseYaml(text);
  if (fast) {
    parseFromFast(text, file, fast, out);
    return out;
  }
  parseExact(text, file, out);
  return out;
}

/** Flattens `List`/`*List` and pushes each object with its locator. */
function flatten(obj: Record<string, unknown>, loc: Locator, out: ParsedText): void {
  if (!(isListKind(obj.kind) && 'items' in obj)) {
    out.docs.push({ value: obj, source: loc.source, positions: loc.positions() });
    return;
  }
  if (!Array.isArray(obj.items)) {
    if (obj.items !== null && obj.items !== undefined) {
      out.errors.push({ severity: 'error', source: loc.itemsSource(), path: 'items', message: `${String(obj.kind)}.items must be a list` });
    }
    return;
  }
  const listKind = String(obj.kind);
  obj.items.forEach((item, i) => {
    const itemLoc = loc.item(i);
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      out.notices.push({ severity: 'notice', source: itemLoc.source, message: `skipped: ${listKind} item ${i} is not an object` });
      return;
    }
    const it = item as Record<string, unknown>;
    // Items of a typed list (NamespaceList, PodList...) may omit kind/apiVersion: the typed
    // decoder knows them from the list type, so fill them in as kubectl would.
    if (listKind !== 'List' && it.kind === undefined) it.kind = listKind.slice(0, -4);
    if (listKind !== 'List' && it.apiVersion === undefined && typeof obj.apiVersion === 'string') it.apiVersion = obj.apiVersion;
    flatten(it, itemLoc, out);
  });
}

function pushDocument(value: unknown, loc: Locator, out: ParsedText): void {
  if (value === null || value === undefined) return; // empty document
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.notices.push({ severity: 'notice', source: loc.source, message: `skipped: document is a ${Array.isArray(value) ? 'sequence' : typeof value}, not a Kubernetes object` });
    return;
  }
  flatten(value as Record<string, unknown>, loc, out);
}

/** Parses `text` (a slice of the file starting at 1-based line/col) with the exact parser. */
function exactSlice(text: string, file: string, line: number, col: number): { node: YamlNode | null; map: OffsetMap } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const map: OffsetMap = (off) => {
    const p = lc.linePos(off);
    return { file, line: p.line + line - 1, col: p.line === 1 ? p.col + col - 1 : p.col };
  };
  return { node: doc.contents as YamlNode | null, map };
}

function parseFromFast(text: string, file: string, fast: FastDoc[], out: ParsedText): void {
  for (const d of fast) {
    let cached: { node: YamlNode | null; map: OffsetMap } | undefined;
    const thunk = (): { node: YamlNode | null; map: OffsetMap } =>
      (cached ??= exactSlice(text.slice(d.startOffset, d.endOffset), file, d.firstLine + 1, 1));
    const itemSources = d.itemPositions?.map((p) => ({ file, line: p.line, col: p.col }));
    pushDocument(d.value, new Locator(thunk, { file, line: d.line, col: d.col }, itemSources), out);
  }
}

/**
 * JSON files: JSON.parse is two orders of magnitude faster than a YAML parser. Returns false
 * (caller falls back to YAML) when the text is not strict JSON, e.g. `{a: 1}` flow YAML.
 */
function parseJsonFast(text: string, file: string, first: number, out: ParsedText): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const lc = new LineCounter();
  // LineCounter wants to be fed line starts; computing them is a single indexOf scan.
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  const at = (off: number): SourceRef => ({ file, ...lc.linePos(off) });
  const items = jsonItemSpans(text, first);
  let cached: { node: YamlNode | null; map: OffsetMap } | undefined;
  const thunk = (): { node: YamlNode | null; map: OffsetMap } => {
    cached ??= exactSlice(text, file, 1, 1);
    return cached;
  };
  const root = new Locator(thunk, at(first), items?.map((span) => at(span[0])));
  if (items && isListKind((value as Record<string, unknown>)?.kind)) {
    // Per-item locators parse only the item's own text when a field position is needed.
    const itemLocs = items.map(([s, e]) => {
      const p = at(s);
      let c: { node: YamlNode | null; map: OffsetMap } | undefined;
      return new Locator(() => (c ??= exactSlice(text.slice(s, e), file, p.line, p.col)), p);
    });
    const orig = root.item.bind(root);
    root.item = (i: number): Locator => itemLocs[i] ?? orig(i);
  }
  pushDocument(value, root, out);
  return true;
}

/** [start, end) offsets of the elements of the root object's `items` array, or undefined. */
function jsonItemSpans(text: string, first: number): Array<[number, number]> | undefined {
  if (text[first] !== '{') return undefined;
  let depth = 0;
  let i = first;
  let lastKey: string | undefined;
  let inItems = false;
  let itemStart = -1;
  const spans: Array<[number, number]> = [];
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const s = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
      if (depth === 2 && inItems && itemStart < 0) itemStart = s;
      if (depth === 1) lastKey = text.slice(s + 1, i);
      i++;
      continue;
    }
    if (c === 123 || c === 91) {
      // { [
      if (depth === 2 && inItems && itemStart < 0) itemStart = i;
      depth++;
      if (depth === 2 && c === 91 && lastKey === 'items') inItems = true;
      i++;
      continue;
    }
    if (c === 125 || c === 93) {
      // } ]
      depth--;
      if (depth === 1 && inItems) {
        if (itemStart >= 0) spans.push([itemStart, trimEndOffset(text, i)]);
        return spans;
      }
      i++;
      continue;
    }
    if (c === 44 && depth === 2 && inItems) {
      // , between items
      if (itemStart >= 0) spans.push([itemStart, trimEndOffset(text, i)]);
      itemStart = -1;
      i++;
      continue;
    }
    if (c === 58 && depth === 1) {
      // ':' after a key: the next value belongs to lastKey (already recorded)
      i++;
      continue;
    }
    if (depth === 2 && inItems && itemStart < 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) itemStart = i;
    i++;
  }
  return undefined;
}

function trimEndOffset(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  return e;
}

/** The exact path: the `yaml` package, with all its diagnostics. */
function parseExact(text: string, file: string, out: ParsedText): void {
  const lc = new LineCounter();
  const map: OffsetMap = (off) => ({ file, ...lc.linePos(off) });
  let all: Document.Parsed[];
  try {
    all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }) as unknown as Document.Parsed[];
  } catch (e) {
    out.errors.push({ severity: 'error', source: { file, line: 1, col: 1 }, message: `cannot parse: ${(e as Error).message}` });
    return;
  }
  // parseAllDocuments returns an EmptyStream (array-like, no docs) for empty input.
  for (const doc of Array.from(all)) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        out.errors.push({ severity: 'error', source: map(err.pos[0]), message: `YAML syntax: ${firstLine(err.message)}` });
      }
      continue;
    }
    const root = doc.contents as YamlNode | null;
    const docStart = root?.range ? map(root.range[0]) : map(doc.range[0]);
    if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) continue; // empty document
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      out.errors.push({
        severity: 'error',
        source: docStart,
        message: /alias count/i.test((e as Error).message)
          ? `refused: ${firstLine((e as Error).message)} (alias expansion is capped at ${MAX_ALIAS_COUNT} to stop "billion laughs" inputs)`
          : `YAML: ${firstLine((e as Error).message)}`,
      });
      continue;
    }
    pushDocument(value, new Locator(() => ({ node: root, map }), docStart), out);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
