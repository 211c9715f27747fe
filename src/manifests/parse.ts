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
} from 'yaml';
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

/**
 * Map of field path → position, built lazily: most objects never need a field position (only
 * diagnostics do), and walking every node of a 50 MB input up front doubles the load time.
 */
class LazyPositions implements ReadonlyMap<string, SourceRef> {
  private map: Map<string, SourceRef> | undefined;
  constructor(
    private readonly root: YamlNode | null,
    private readonly file: string,
    private readonly lc: LineCounter,
  ) {}
  private get m(): Map<string, SourceRef> {
    if (!this.map) {
      this.map = new Map();
      if (this.root) walkPositions(this.root, this.file, this.lc, this.map, '');
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

function posOf(node: { range?: [number, number, number] | null } | null | undefined, file: string, lc: LineCounter): SourceRef | undefined {
  const off = node?.range?.[0];
  if (off === undefined) return undefined;
  const { line, col } = lc.linePos(off);
  return { file, line, col };
}

/** Records positions relative to the object's root node (document or list item). */
function walkPositions(
  node: YamlNode,
  file: string,
  lc: LineCounter,
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
      const pos = posOf(valNode, file, lc) ?? posOf(pair.key as YamlNode, file, lc);
      if (pos) out.set(p, pos);
      if (valNode && (isMap(valNode) || isSeq(valNode))) walkPositions(valNode, file, lc, out, p);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = joinPath(path, i);
      const pos = posOf(item as YamlNode, file, lc);
      if (pos) out.set(p, pos);
      if (item && (isMap(item) || isSeq(item))) walkPositions(item as YamlNode, file, lc, out, p);
    });
  }
}

function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && (kind === 'List' || (kind.endsWith('List') && kind.length > 4));
}

/** Parses one file's text: multi-document YAML or JSON; `List`/`*List` are flattened. */
export function parseText(text: string, file: string): ParsedText {
  const lc = new LineCounter();
  const docs: RawDocument[] = [];
  const notices: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const pos = (off: number): SourceRef => ({ file, ...lc.linePos(off) });

  let all: Document.Parsed[];
  try {
    all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }) as unknown as Document.Parsed[];
  } catch (e) {
    errors.push({ severity: 'error', source: { file, line: 1, col: 1 }, message: `cannot parse: ${(e as Error).message}` });
    return { docs, notices, errors };
  }
  /** Pushes an object, or the items of a `List`/`*List` (recursively: kubectl accepts nested lists). */
  const flatten = (obj: Record<string, unknown>, node: YamlNode | null, src: SourceRef): void => {
    if (!(isListKind(obj.kind) && 'items' in obj)) {
      docs.push({ value: obj, source: src, positions: new LazyPositions(node, file, lc) });
      return;
    }
    const itemsNode = isMap(node) ? (node.get('items', true) as YamlNode | undefined) : undefined;
    if (!Array.isArray(obj.items)) {
      if (obj.items !== null && obj.items !== undefined) {
        errors.push({ severity: 'error', source: posOf(itemsNode, file, lc) ?? src, path: 'items', message: `${String(obj.kind)}.items must be a list` });
      }
      return;
    }
    obj.items.forEach((item, i) => {
      const itemNode = isSeq(itemsNode) ? ((itemsNode.items[i] as YamlNode | null) ?? null) : null;
      const itemSrc = posOf(itemNode, file, lc) ?? src;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        notices.push({ severity: 'notice', source: itemSrc, message: `skipped: ${String(obj.kind)} item ${i} is not an object` });
        return;
      }
      const it = item as Record<string, unknown>;
      // Items of a typed list (NamespaceList, PodList...) may omit kind/apiVersion: the typed
      // decoder knows them from the list type, so fill them in as kubectl would.
      const listKind = String(obj.kind);
      if (listKind !== 'List' && it.kind === undefined) it.kind = listKind.slice(0, -4);
      if (listKind !== 'List' && it.apiVersion === undefined && typeof obj.apiVersion === 'string') it.apiVersion = obj.apiVersion;
      flatten(it, itemNode, itemSrc);
    });
  };

  // parseAllDocuments returns an EmptyStream (array-like, no docs) for empty input.
  for (const doc of Array.from(all)) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        errors.push({ severity: 'error', source: pos(err.pos[0]), message: `YAML syntax: ${firstLine(err.message)}` });
      }
      continue;
    }
    const root = doc.contents as YamlNode | null;
    const docStart = root?.range ? pos(root.range[0]) : pos(doc.range[0]);
    if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) continue; // empty document
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push({
        severity: 'error',
        source: docStart,
        message: `refused: ${firstLine((e as Error).message)} (alias expansion is capped at ${MAX_ALIAS_COUNT} to stop "billion laughs" inputs)`,
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      notices.push({ severity: 'notice', source: docStart, message: `skipped: document is a ${Array.isArray(value) ? 'sequence' : typeof value}, not a Kubernetes object` });
      continue;
    }
    flatten(value as Record<string, unknown>, root, docStart);
  }
  return { docs, notices, errors };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
