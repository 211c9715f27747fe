/**
 * Test-only manifest reader for the model tests: YAML/JSON documents → ManifestObjects with the
 * line each document starts at. Deliberately tiny (no validation or defaulting); the real loader
 * lives in src/manifests.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { K8sObject, ManifestObject, ManifestSet } from '../../../src/manifests/types.js';

export function parseObjects(text: string, file: string): ManifestObject[] {
  const lc = new LineCounter();
  const out: ManifestObject[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lc })) {
    const v = doc.toJS() as unknown;
    if (!v || typeof v !== 'object') continue;
    const start = doc.contents?.range?.[0] ?? 0;
    const { line, col } = lc.linePos(start);
    const push = (o: K8sObject) => out.push({ object: o, source: { file, line, col } });
    const o = v as K8sObject;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray((o as { items?: unknown }).items)) {
      // items of a typed list (PodList) may omit kind/apiVersion, as kubectl prints them
      const itemKind = o.kind === 'List' ? undefined : o.kind.slice(0, -'List'.length);
      for (const it of (o as unknown as { items: K8sObject[] }).items) {
        push({ ...it, kind: it.kind ?? itemKind ?? '', apiVersion: it.apiVersion ?? o.apiVersion });
      }
    } else if (o.kind && o.metadata) {
      push(o);
    }
  }
  return out;
}

export function set(...texts: Array<string | [string, string]>): ManifestSet {
  const objects: ManifestObject[] = [];
  texts.forEach((t, i) => {
    const [file, text] = typeof t === 'string' ? [`t${i}.yaml`, t] : t;
    objects.push(...parseObjects(text, file));
  });
  return { objects, notices: [] };
}

export function loadDir(dir: string): ManifestSet {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e)) files.push(p);
    }
  };
  walk(dir);
  return set(...files.map((f): [string, string] => [f, readFileSync(f, 'utf8')]));
}
