/**
 * The manifests stage: files, directories and stdin → validated, apiserver-defaulted Kubernetes
 * objects with source positions (behaves like `kubectl apply -R -f` against a real apiserver).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, InputError } from '../common/errors.js';
import type { SourceRef } from '../common/source.js';
import { isKnownKind, KIND_INFO } from './kinds.js';
import { parseText, type RawDocument } from './parse.js';
import { semanticChecks } from './checks.js';
import { applyCodeDefaults, dropNulls } from './defaults.js';
import { applySchemaDefaults, validateSchema } from './schemas.js';
import type { K8sObject, ManifestObject, ManifestSet } from './types.js';

export type { ManifestObject, ManifestSet, K8sObject } from './types.js';
export { KNOWN_KINDS } from './types.js';

export interface LoadOptions {
  /** reads all of stdin for the input `-` (default: process.stdin) */
  readStdin?: () => Promise<string>;
  /**
   * Read like the upstream analyzers of the conformance corpora (which decode by kind and do not
   * validate) instead of like the apiserver. Every per-document problem becomes a `warning` in
   * `notices` instead of an InputError:
   *  - documents that cannot be decoded (YAML syntax errors, no kind, no metadata.name, a field
   *    of the wrong JSON type) are skipped;
   *  - a known kind under the wrong apiVersion is read as the kind's served version;
   *  - objects that decode but fail validation (enums, required fields, CEL rules, cross-field
   *    checks) are kept;
   *  - of duplicate objects the first (in file/line order) is kept.
   * Off by default: the CLI is strict, like the apiserver. Problems with the inputs themselves
   * (a path that does not exist) stay errors.
   */
  lenient?: boolean;
}

/** File name extensions picked up when walking a directory (as `kubectl apply -R` does). */
const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);
export const STDIN_NAME = '<stdin>';

/** Loads every input (files, directories recursively, `-` for stdin) into one sorted set. */
export async function loadManifests(inputs: string[], opts: LoadOptions = {}): Promise<ManifestSet> {
  const errors: Diagnostic[] = [];
  const texts: Array<{ file: string; text: string }> = [];
  let stdinRead = false;
  const seenFiles = new Set<string>();
  for (const input of inputs) {
    if (input === '-') {
      if (stdinRead) continue; // stdin can only be read once; `- -` means the same stream
      stdinRead = true;
      const read = opts.readStdin ?? readProcessStdin;
      texts.push({ file: STDIN_NAME, text: await read() });
      continue;
    }
    let files: string[];
    try {
      files = await expandInput(input);
    } catch (e) {
      errors.push({ severity: 'error', source: { file: input, line: 1, col: 1 }, message: `cannot read: ${errnoMessage(e)}` });
      continue;
    }
    for (const file of files) {
      // The same file named twice (`dir dir/a.yaml`, or via a symlink) is read once, not
      // reported as duplicate objects.
      const real = await fs.realpath(file).catch(() => file);
      if (seenFiles.has(real)) continue;
      seenFiles.add(real);
      try {
        texts.push({ file, text: await fs.readFile(file, 'utf8') });
      } catch (e) {
        errors.push({ severity: 'error', source: { file, line: 1, col: 1 }, message: `cannot read: ${errnoMessage(e)}` });
      }
    }
  }
  // Input-level problems are never downgraded: a missing file is a usage error, not a bad document.
  if (errors.length > 0) throw new InputError(errors);
  return buildSet(texts, opts);
}

/** Parses manifest text (YAML or JSON, multi-document, Lists) as if it were the file `file`. */
export function parseManifestText(text: string, file: string, opts: Pick<LoadOptions, 'lenient'> = {}): ManifestSet {
  return buildSet([{ file, text }], opts);
}

function buildSet(texts: Array<{ file: string; text: string }>, opts: Pick<LoadOptions, 'lenient'>): ManifestSet {
  const lenient = opts.lenient === true;
  const notices: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const objects: ManifestObject[] = [];
  for (const { file, text } of texts) {
    const parsed = parseText(stripBom(text), file);
    pushAll(notices, parsed.notices);
    pushAll(errors, parsed.errors);
    for (const doc of parsed.docs) {
      const r = processDocument(doc, lenient);
      pushAll(notices, r.notices);
      if (r.errors.length > 0) pushAll(errors, r.errors);
      else if (r.object) objects.push(r.object);
    }
  }
  // Sort on precomputed keys (kind, namespace, name; NUL cannot occur in any of them).
  const keyed = objects.map((o) => ({ o, k: `${o.object.kind}\u0000${o.object.metadata.namespace ?? ''}\u0000${o.object.metadata.name}` }));
  keyed.sort((a, b) => cmp(a.k, b.k) || compareSource(a.o.source, b.o.source));
  for (let i = 0; i < keyed.length; i++) objects[i] = keyed[i]!.o;
  pushAll(errors, dropDuplicates(objects));
  if (errors.length > 0) {
    if (!lenient) throw new InputError(sortDiagnostics(errors));
    pushAll(notices, errors.map((d) => ({ ...d, severity: 'warning' as const, message: `skipped: ${d.message}` })));
  }
  return { objects, notices: sortDiagnostics(notices) };
}

interface Processed {
  object?: ManifestObject;
  errors: Diagnostic[];
  notices: Diagnostic[];
}

/** The position of `path`, or of its nearest enclosing field that was written in the file. */
function positionOf(doc: RawDocument, path: string): SourceRef {
  let p = path;
  for (;;) {
    const hit = doc.positions.get(p);
    if (hit) return hit;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return doc.source;
    p = p.slice(0, cut);
  }
}

/**
 * One document → one object: kind/apiVersion/metadata checks, namespace defaulting, schema
 * defaulting, schema + CEL validation, cross-field checks. All problems of the document at once.
 */
function processDocument(doc: RawDocument, lenient: boolean): Processed {
  const v = doc.value as Record<string, unknown>;
  const notices: Diagnostic[] = [];
  const err = (p: string | undefined, message: string): Processed => ({
    errors: [{ severity: 'error', source: p ? positionOf(doc, p) : doc.source, ...(p ? { path: p } : {}), message }],
    notices,
  });
  if (typeof v.kind !== 'string' || v.kind === '') return err(v.kind === undefined ? undefined : 'kind', "missing 'kind': not a Kubernetes object");
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') return err(v.apiVersion === undefined ? undefined : 'apiVersion', `${v.kind}: missing 'apiVersion'`);
  const kind = v.kind;
  const apiVersion = v.apiVersion;
  if (!isKnownKind(kind)) {
    return { errors: [], notices: [{ severity: 'notice', source: doc.source, message: `skipped ${apiVersion} ${kind}${nameSuffix(v)}: kind not used by udnc` }] };
  }
  const info = KIND_INFO[kind];
  if (!info.apiVersions.includes(apiVersion)) {
    // operator.openshift.io/v1 Network is a different object with the same kind name.
    if (kind === 'Network' && groupOf(apiVersion) !== 'config.openshift.io') {
      return { errors: [], notices: [{ severity: 'notice', source: doc.source, message: `skipped ${apiVersion} ${kind}${nameSuffix(v)}: kind not used by udnc` }] };
    }
    const msg = `apiVersion "${apiVersion}" is not served for kind ${kind} (udnc reads ${info.apiVersions.join(', ')})`;
    if (!lenient) return err('apiVersion', msg);
    // Upstream analyzers decode by kind alone; lenient mode does the same, and says so.
    notices.push({ severity: 'warning', source: positionOf(doc, 'apiVersion'), path: 'apiVersion', message: `${msg}; read as ${info.apiVersions[0]!} (lenient)` });
    v.apiVersion = info.apiVersions[0]!;
  }
  const meta = v.metadata;
  if (meta === undefined || meta === null) return err(undefined, `${kind}: missing metadata.name`);
  if (typeof meta !== 'object' || Array.isArray(meta)) return err('metadata', `${kind}: metadata must be an object`);
  const m = meta as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name === '') {
    return err(m.name === undefined ? 'metadata' : 'metadata.name', `${kind}: missing metadata.name${m.generateName ? ' (generateName needs a live apiserver)' : ''}`);
  }
  const defaulted: string[] = [];
  if (info.namespaced) {
    // kubectl apply puts a namespaced object without a namespace into the context namespace;
    // offline there is no context, so it is `default` (kubectl's own fallback).
    if (m.namespace === undefined || m.namespace === null || m.namespace === '') {
      m.namespace = 'default';
      defaulted.push('metadata.namespace');
    } else if (typeof m.namespace !== 'string') return err('metadata.namespace', 'must be a string');
  } else if (m.namespace !== undefined) {
    // The apiserver ignores (clears) metadata.namespace on cluster-scoped objects.
    delete m.namespace;
  }
  const id = `${kind} ${typeof m.namespace === 'string' ? `${m.namespace}/` : ''}${m.name}`;

  dropNulls(v);
  defaulted.push(...applySchemaDefaults(kind, v));
  defaulted.push(...applyCodeDefaults(kind, v));
  let issues = validateSchema(kind, v);
  if (issues.length === 0) issues = semanticChecks(kind, v);
  if (issues.length > 0) {
    const diags = issues.map((i) => ({ severity: 'error' as const, source: positionOf(doc, i.path), ...(i.path ? { path: i.path } : {}), message: `${id}: ${i.message}` }));
    if (!lenient || issues.some((i) => i.undecodable)) return { errors: diags, notices };
    // Lenient: an object a typed decoder can read is kept despite failing validation, as
    // upstream analyzers (which do not validate) would keep it; each problem becomes a warning.
    notices.push(...diags.map((d) => ({ ...d, severity: 'warning' as const, message: `${d.message} (kept: lenient)` })));
  }
  const object = v as K8sObject;
  const mo: ManifestObject = { object, source: doc.source, positions: doc.positions };
  if (defaulted.length > 0) mo.defaulted = defaulted;
  return { object: mo, errors: [], notices };
}

/** Deterministic order: kind, namespace, name, then where it was written. */
export function compareObjects(a: ManifestObject, b: ManifestObject): number {
  return (
    cmp(a.object.kind, b.object.kind) ||
    cmp(a.object.metadata.namespace ?? '', b.object.metadata.namespace ?? '') ||
    cmp(a.object.metadata.name, b.object.metadata.name) ||
    compareSource(a.source, b.source)
  );
}

function compareSource(a: SourceRef | undefined, b: SourceRef | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return cmp(a.file, b.file) || a.line - b.line || a.col - b.col;
}

/** Code-unit comparison: locale-independent, so output bytes do not depend on the machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => compareSource(a.source, b.source) || cmp(a.path ?? '', b.path ?? '') || cmp(a.message, b.message));
}

/**
 * Same kind/namespace/name twice: the apiserver would keep only the last applied, which depends
 * on file order, so it is an error. Removes the later copies from `objects` (sorted) in place.
 */
function dropDuplicates(objects: ManifestObject[]): Diagnostic[] {
  const errors: Diagnostic[] = [];
  let w = 0;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const prev = w > 0 ? objects[w - 1]! : undefined;
    if (
      prev &&
      prev.object.kind === o.object.kind &&
      (prev.object.metadata.namespace ?? '') === (o.object.metadata.namespace ?? '') &&
      prev.object.metadata.name === o.object.metadata.name
    ) {
      const ns = o.object.metadata.namespace ? `${o.object.metadata.namespace}/` : '';
      errors.push({
        severity: 'error',
        source: o.source,
        message: `duplicate ${o.object.kind} ${ns}${o.object.metadata.name}: also defined at ${fmt(prev.source)}`,
      });
      continue;
    }
    objects[w++] = o;
  }
  objects.length = w;
  return errors;
}

/** `a.push(...b)` overflows the call stack for very large `b` (hundreds of thousands of diagnostics). */
function pushAll<T>(a: T[], b: readonly T[]): void {
  for (const x of b) a.push(x);
}

function fmt(s: SourceRef): string {
  return `${s.file}:${s.line}:${s.col}`;
}

function nameSuffix(v: Record<string, unknown>): string {
  const m = v.metadata as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object' || typeof m.name !== 'string') return '';
  return typeof m.namespace === 'string' ? ` ${m.namespace}/${m.name}` : ` ${m.name}`;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  return err.message ?? String(e);
}

/** A file → itself; a directory → its .yaml/.yml/.json files, recursively, sorted by path. */
async function expandInput(input: string): Promise<string[]> {
  const st = await fs.stat(input);
  if (!st.isDirectory()) return [input];
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await fs.realpath(dir);
    if (visited.has(real)) return; // symlink loop
    visited.add(real);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => cmp(a.name, b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const t = await fs.stat(p).catch(() => undefined);
        isDir = t?.isDirectory() ?? false;
        isFile = t?.isFile() ?? false;
      }
      if (isDir) await walk(p);
      else if (isFile && MANIFEST_EXT.has(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  await walk(input);
  return out;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
