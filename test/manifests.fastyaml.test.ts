/**
 * The fast YAML reader must agree with the `yaml` package whenever it accepts an input (values,
 * document positions, List item positions), and give up rather than guess otherwise.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { fastParseYaml } from '../src/manifests/fastyaml.js';
import { sharedPath } from './helpers/shared.js';

interface Exact {
  value: unknown;
  line: number;
  col: number;
  items?: Array<{ line: number; col: number }>;
}

/** The reference: every non-empty document, as the `yaml` package reads it. */
function exact(text: string): Exact[] | 'error' {
  const lc = new LineCounter();
  const out: Exact[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true }) as unknown as Array<ReturnType<typeof parseAllDocuments>[number] & { errors: unknown[] }>) {
    if (doc.errors.length > 0) return 'error';
    const root = doc.contents as YamlNode | null;
    const value = doc.toJS();
    if (root === null || value === null || value === undefined) continue;
    const p = lc.linePos(root.range![0]);
    const e: Exact = { value, line: p.line, col: p.col };
    const items = isMap(root) ? root.get('items', true) : undefined;
    if (isSeq(items)) e.items = items.items.map((it) => lc.linePos((it as YamlNode).range![0]));
    out.push(e);
  }
  return out;
}

function agree(text: string): 'fast' | 'fallback' {
  const fast = fastParseYaml(text);
  if (!fast) return 'fallback';
  const ref = exact(text);
  expect(ref, 'fast reader accepted a stream the yaml package rejects').not.toBe('error');
  const refDocs = ref as Exact[];
  expect(fast.map((d) => d.value)).toEqual(refDocs.map((d) => d.value));
  expect(fast.map((d) => [d.line, d.col])).toEqual(refDocs.map((d) => [d.line, d.col]));
  fast.forEach((d, i) => {
    if (refDocs[i]!.items && Array.isArray((d.value as { items?: unknown }).items) && (d.value as { kind?: unknown }).kind !== undefined) {
      if (d.itemPositions) expect(d.itemPositions).toEqual(refDocs[i]!.items);
    }
  });
  return 'fast';
}

const CASES: Record<string, string> = {
  scalars: 'a: 1\nb: -2\nc: 1.5\nd: .5\ne: true\nf: False\ng: ~\nh: null\ni:\nj: "x\\ty\\u00e9"\nk: \'it\'\'s\'\nl: 010\nm: 1_000\nn: 12:30\no: yes\np: "#not a comment" # a comment\nq: a#b\n',
  numbersTheFastReaderLeavesAlone: 'a: 0x1F\nb: 0o17\nc: 1e3\nd: .inf\ne: .NaN\n',
  literal: 'a: |\n  line1\n\n  line2\n\nb: |-\n  x\n  y\nc: |+\n  keep\n\n\nd: z\n',
  literalEmpty: 'a: |\nb: 1\n',
  literalIndented: 'a:\n  - |\n    one\n      two\n  - x\n',
  folded: 'a: >\n  folded\n  text\n',
  compactSeq: 'a:\n- 1\n- b: 2\n  c: 3\n-\n  d: 4\n- - nested\n',
  nested: 'kind: List\nitems:\n  - kind: Pod\n    metadata:\n      name: a\n  -   kind: Pod\n      metadata: {name: b}\n  -\n    kind: Pod\n',
  flow: 'a: {b: [1, "2", c], d: {}}\ne: []\nf: [x, {y: z}]\ng: {"json": true, "n": null}\n',
  flowMultiline: 'a: {b: 1,\n  c: 2}\n',
  multilinePlain: 'a: this is\n  continued\n',
  multilineQuoted: 'a: "this is\n  continued"\n',
  anchors: 'a: &x 1\nb: *x\n',
  tags: 'a: !!str 1\n',
  comments: '# head\n\na: 1 # tail\n  # indented comment\nb:\n  # before child\n  c: 2\n',
  markers: '---\na: 1\n...\n---\n# empty\n---\nb: 2\n',
  markerWithValue: '--- a: 1\n',
  duplicateKeys: 'a: 1\na: 2\n',
  quotedKeys: '"a b": 1\n\'c\': 2\nd e: 3\n',
  colonsInValues: 'url: http://example.com:8080/x\nimage: "reg:5000/a:b"\nk: a:b\n',
  badIndent: 'a:\n  b: 1\n c: 2\n',
  tabs: 'a:\n\tb: 1\n',
  crlf: 'a: 1\r\nb:\r\n  - x\r\n',
  dashValues: 'a: -x\nb: - x\n',
  keyOnlyAtEnd: 'a:\n  b:\n',
  emptyStream: '',
  onlyComments: '# nothing\n',
  scalarDoc: 'just a string\n',
  seqDoc: '- a\n- b\n',
  noTrailingNewline: 'a: 1\nb: 2',
  quotedSeqItems: 'args:\n- netexec\n- "--http-port"\n- \'8080\' # port\nexcept:\n  - "10.0.0.0/8"\n',
  quotedKeyInSeq: 'a:\n- "k": v\n  "l": w\n',
  quotedKeySpaceColon: 'a:\n- "k" : v\n',
};

describe('fast YAML reader', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`agrees with the yaml package or gives up: ${name}`, () => {
      agree(text);
    });
  }

  it('takes the fast path for ordinary manifests', () => {
    expect(agree(CASES.scalars!)).toBe('fast');
    expect(agree(CASES.literal!)).toBe('fast');
    expect(agree(CASES.compactSeq!.replace('- - nested\n', ''))).toBe('fast');
    expect(agree(CASES.nested!)).toBe('fast');
    expect(fastParseYaml(CASES.nested!)![0]!.itemPositions).toEqual([
      { line: 3, col: 5 },
      { line: 6, col: 7 },
      { line: 9, col: 5 },
    ]);
    expect(agree(CASES.flow!)).toBe('fast');
    expect(agree(CASES.markers!)).toBe('fast');
    expect(agree(CASES.crlf!)).toBe('fast');
    expect(agree(CASES.quotedSeqItems!)).toBe('fast');
    expect(agree(CASES.quotedKeyInSeq!)).toBe('fast');
  });

  it('gives up on what it does not handle', () => {
    for (const n of ['numbersTheFastReaderLeavesAlone', 'folded', 'flowMultiline', 'multilinePlain', 'multilineQuoted', 'anchors', 'tags', 'markerWithValue', 'duplicateKeys', 'badIndent', 'tabs']) {
      expect(fastParseYaml(CASES[n]!), n).toBeUndefined();
    }
  });

  it('agrees on every manifest in the repository and the shared corpora', () => {
    const roots = [
      fileURLToPath(new URL('../fixtures/', import.meta.url)),
      fileURLToPath(new URL('./data/manifests/', import.meta.url)),
      sharedPath('conformance'),
      sharedPath('seed-scenarios'),
    ].filter((r) => existsSync(r));
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir).sort()) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e)) files.push(p);
      }
    };
    roots.forEach(walk);
    let fast = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      try {
        if (agree(text) === 'fast') fast++;
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
    }
    console.log(`fast YAML reader: ${fast}/${files.length} files on the fast path, all agreeing with the yaml package`);
    expect(fast).toBeGreaterThan(files.length / 2);
  }, 120_000);
});
