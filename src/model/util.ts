/** Small helpers shared by the model stage: stable hashing, name generation, ordering, diagnostics. */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../common/errors.js';
import { formatObjectRef, type ObjectRef, type SourceRef } from '../common/source.js';
import type { ManifestObject } from '../manifests/types.js';

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** FNV-1a 64 over the UTF-8 bytes of `s` (the hash ovn-kubernetes' HashForOVN uses). */
export function fnv1a64(s: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

/** k8s.io/apimachinery/pkg/util/rand alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A stand-in for the random suffixes controllers give pods (`utilrand.String(n)`): `n` characters
 * of the same alphabet, derived from `seed` so that the same input always yields the same name.
 */
export function safeSuffix(seed: string, n: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[digest[i]! % SAFE_ALPHABET.length];
  return out;
}

/** A UUID-shaped id derived from `seed` (RFC 4122 layout, version nibble 5), for objects without metadata.uid. */
export function stableUID(seed: string): string {
  const h = createHash('sha1').update(`udnc:${seed}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Code-point order: stable across locales, unlike localeCompare. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cmpBy<T>(...keys: Array<(x: T) => string | number>): (a: T, b: T) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = k(a);
      const y = k(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
}

/** The ObjectRef of a manifest object. */
export function refOf(mo: ManifestObject): ObjectRef {
  const md = mo.object.metadata;
  // copy the source: the snapshot is frozen, the caller's manifest set must not be
  const r: ObjectRef = { kind: mo.object.kind, name: md.name, source: { ...mo.source } };
  if (md.namespace !== undefined) r.namespace = md.namespace;
  return r;
}

export function describe(r: ObjectRef): string {
  return formatObjectRef(r);
}

export interface Notice {
  message: string;
  ref?: ObjectRef;
  source?: SourceRef;
}

/** Collects every problem of a build, so that one run reports them all. */
export class Problems {
  readonly errors: Diagnostic[] = [];
  readonly notices: Notice[] = [];

  /** An error about `mo`, positioned at field `path` when the loader recorded it. */
  error(mo: ManifestObject | undefined, message: string, path?: string): void {
    const d: Diagnostic = { severity: 'error', message };
    const source = (path !== undefined ? mo?.positions?.get(path) : undefined) ?? mo?.source;
    if (source) d.source = source;
    if (path !== undefined) d.path = path;
    this.errors.push(d);
  }

  notice(message: string, ref?: ObjectRef): void {
    const n: Notice = { message };
    if (ref) {
      n.ref = ref;
      if (ref.source) n.source = ref.source;
    }
    this.notices.push(n);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Record<string,string> from an untyped map, dropping non-string values (labels, annotations). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const k of Object.keys(v).sort(cmp)) {
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

/** Appends to a list in a map of lists (creating it). */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
