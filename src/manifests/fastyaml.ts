/**
 * A fast reader for the plain block-style YAML that Kubernetes manifests are almost always written
 * in. The `yaml` package is exact but slow (tens of seconds for 50 MB); this handles the common
 * subset line by line and gives up (returns undefined) on anything outside it, in which case the
 * caller parses the whole file with the `yaml` package instead. Giving up is always safe: it never
 * guesses. test/manifests.fastyaml.test.ts checks it against the `yaml` package on every manifest
 * in the repository and the conformance corpora.
 *
 * Subset: block mappings and sequences (including `- key: v` compact mappings and `key:\n- a`
 * sequences), single-line plain / single-quoted / double-quoted scalars with YAML 1.2 core-schema
 * resolution (as the `yaml` package does by default), one-line flow collections, literal block
 * scalars (`|`, `|-`, `|+`), comments, `---` / `...` document markers.
 * Not handled (falls back): anchors, aliases, tags, directives, folded `>` scalars, multi-line
 * plain or quoted scalars, multi-line flow collections, explicit `?` keys, tabs in indentation,
 * duplicate keys, non-string keys, hex/octal/inf/nan/exponent numbers.
 */

export interface FastDoc {
  value: unknown;
  /** 1-based position of the document's root node */
  line: number;
  col: number;
  /** first and last line (0-based, inclusive) of the document's text, and its [start, end) offsets */
  firstLine: number;
  lastLine: number;
  startOffset: number;
  endOffset: number;
  /** for a root mapping with an `items:` block sequence: 1-based position of each item */
  itemPositions?: Array<{ line: number; col: number }>;
}

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

const DOC_START = /^---(?:[ \t]+#.*)?[ \t]*$/;
const DOC_END = /^\.\.\.(?:[ \t]+#.*)?[ \t]*$/;

/** Resolves a plain scalar the way the `yaml` package's default (YAML 1.2 core) schema does. */
function resolvePlain(s: string): unknown {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  const c = s.charCodeAt(0);
  // Only strings that could be numbers need the regexes below.
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
    if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return Number(s);
    // hex, octal, exponents, .inf, .nan: rare in manifests, let the exact parser decide.
    if (/^(?:0o|0x)|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE]|^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(s)) giveUp();
  }
  return s;
}

const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

function stripComment(s: string): string {
  // A comment starts at ` #`; a plain scalar cannot contain that sequence.
  const i = s.indexOf(' #');
  return (i >= 0 ? s.slice(0, i) : s).trimEnd();
}

function parseDoubleQuoted(s: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"') return [out, i + 1];
    if (ch === '\\') {
      const e = s[i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case 'u': {
          const h = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) giveUp();
          out += String.fromCharCode(parseInt(h, 16));
          i += 4;
          break;
        }
        default: giveUp();
      }
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return giveUp(); // unterminated on this line: a multi-line scalar
}

function parseSingleQuoted(s: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === "'") {
      if (s[i + 1] === "'") { out += "'"; i += 2; continue; }
      return [out, i + 1];
    }
    out += ch;
    i++;
  }
  return giveUp();
}

/** After a quoted scalar or flow collection only spaces and a comment may follow. */
function expectLineEnd(s: string, i: number): void {
  const rest = s.slice(i);
  if (rest.trim() === '') return;
  if (/^[ \t]+#/.test(rest)) return;
  giveUp();
}

/** One-line flow collection (`{a: b, c: [1, 2]}`), JSON included. */
function parseFlow(s: string, start: number): [unknown, number] {
  let i = start;
  const ws = (): void => {
    while (s[i] === ' ') i++;
  };
  const scalar = (): unknown => {
    ws();
    const ch = s[i];
    if (ch === '"') { const [v, j] = parseDoubleQuoted(s, i); i = j; return v; }
    if (ch === "'") { const [v, j] = parseSingleQuoted(s, i); i = j; return v; }
    if (ch === '{' || ch === '[') { const [v, j] = parseFlow(s, i); i = j; return v; }
    let j = i;
    while (j < s.length && !',[]{}'.includes(s[j]!)) {
      if (s[j] === ':' && (s[j + 1] === ' ' || ',[]{}'.includes(s[j + 1] ?? ','))) break;
      if (s[j] === '#' || s[j] === ':') giveUp();
      j++;
    }
    const text = s.slice(i, j).trim();
    if (text === '' || INDICATOR_START.test(text)) giveUp();
    i = j;
    return resolvePlain(text);
  };
  if (s[i] === '[') {
    i++;
    const out: unknown[] = [];
    ws();
    if (s[i] === ']') return [out, i + 1];
    for (;;) {
      out.push(scalar());
      ws();
      if (s[i] === ',') { i++; ws(); if (s[i] === ']') return [out, i + 1]; continue; }
      if (s[i] === ']') return [out, i + 1];
      return giveUp();
    }
  }
  i++; // '{'
  const out: Record<string, unknown> = {};
  ws();
  if (s[i] === '}') return [out, i + 1];
  for (;;) {
    const k = scalar();
    if (typeof k !== 'string' || Object.prototype.hasOwnProperty.call(out, k)) giveUp();
    ws();
    if (s[i] !== ':') giveUp();
    i++;
    ws();
    const v = s[i] === ',' || s[i] === '}' ? null : scalar();
    out[k as string] = v;
    ws();
    if (s[i] === ',') { i++; ws(); if (s[i] === '}') return [out, i + 1]; continue; }
    if (s[i] === '}') return [out, i + 1];
    return giveUp();
  }
}

class DocParser {
  private i: number;
  itemPositions: Array<{ line: number; col: number }> | undefined;
  constructor(
    private readonly lines: string[],
    start: number,
    private readonly end: number, // exclusive
    private readonly lineBase = 0, // 0-based file line number of lines[0]
  ) {
    this.i = start;
  }

  /** Index of the next line with content (not blank, not a comment), or -1. */
  private next(): number {
    while (this.i < this.end) {
      const l = this.lines[this.i]!;
      const t = l.trimStart();
      if (t === '' || t.startsWith('#')) { this.i++; continue; }
      return this.i;
    }
    return -1;
  }

  private indentOf(l: string): number {
    let n = 0;
    while (l.charCodeAt(n) === 32) n++;
    if (l[n] === '\t') giveUp();
    return n;
  }

  parseRoot(): { value: unknown; line: number; col: number } | undefined {
    const k = this.next();
    if (k < 0) return undefined;
    const l = this.lines[k]!;
    const n = this.indentOf(l);
    const pos = { line: this.lineBase + k + 1, col: n + 1 };
    const t = l.slice(n);
    let value: unknown;
    if (isSeqEntry(t)) value = this.parseSeq(n);
    else if (mapKey(t)) value = this.parseMap(n, undefined, true);
    else giveUp(); // a top-level scalar: rare, exact parser
    if (this.next() >= 0) giveUp(); // leftover content at a lower indentation: malformed
    return { value, ...pos };
  }

  /** Value of `key:` or `-` with nothing after it: a nested block or null. */
  private blockValue(parentIndent: number, allowSameIndentSeq: boolean): unknown {
    const k = this.next();
    if (k < 0) return null;
    const l = this.lines[k]!;
    const n = this.indentOf(l);
    const t = l.slice(n);
    if (n > parentIndent) {
      if (isSeqEntry(t)) return this.parseSeq(n);
      if (mapKey(t)) return this.parseMap(n);
      return giveUp(); // multi-line scalar
    }
    if (n === parentIndent && allowSameIndentSeq && isSeqEntry(t)) return this.parseSeq(n);
    return null;
  }

  private parseSeq(n: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const k = this.next();
      if (k < 0) break;
      const l = this.lines[k]!;
      const ind = this.indentOf(l);
      if (ind < n) break;
      if (ind > n) giveUp();
      const t = l.slice(n);
      if (!isSeqEntry(t)) break;
      this.i++;
      let off = 1;
      while (t[off] === ' ') off++;
      const rest = t.slice(off);
      const col = n + off;
      if (rest === '' || rest.startsWith('#')) {
        out.push(this.blockValue(n, false));
      } else if (isSeqEntry(rest)) {
        giveUp(); // `- - a`
      } else if (mapKey(rest)) {
        out.push(this.parseMap(col, rest));
      } else {
        out.push(this.inlineValue(rest, n));
      }
    }
    return out;
  }

  /**
   * Mapping whose keys sit at column `n`. `first`: the first entry's text when it shares a line
   * with a sequence dash (`- name: x`); that line is already consumed.
   */
  private parseMap(n: number, first?: string, root = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let pending = first;
    for (;;) {
      let t: string;
      let lineNo: number;
      if (pending !== undefined) {
        t = pending;
        pending = undefined;
        lineNo = this.i - 1;
      } else {
        const k = this.next();
        if (k < 0) break;
        const l = this.lines[k]!;
        const ind = this.indentOf(l);
        if (ind < n) break;
        if (ind > n) giveUp();
        t = l.slice(n);
        if (isSeqEntry(t)) break; // belongs to an enclosing `key:\n- a` sequence
        this.i++;
        lineNo = k;
      }
      const mk = mapKey(t);
      if (!mk) giveUp();
      const [key, restStart] = mk!;
      if (Object.prototype.hasOwnProperty.call(out, key) || key === '<<' || key === '__proto__') giveUp();
      const rest = t.slice(restStart).trimStart();
      if (rest === '' || rest.startsWith('#')) {
        const before = this.i;
        const v = this.blockValue(n, true);
        if (root && key === 'items' && Array.isArray(v)) this.itemPositions = this.seqItemPositions(before, n);
        out[key] = v;
      } else {
        out[key] = this.inlineValue(rest, n);
      }
      void lineNo;
    }
    return out;
  }

  /** Positions of the entries of a block sequence that starts at or after line `from`. */
  private seqItemPositions(from: number, parentIndent: number): Array<{ line: number; col: number }> {
    const out: Array<{ line: number; col: number }> = [];
    let seqIndent = -1;
    for (let k = from; k < this.i; k++) {
      const l = this.lines[k]!;
      const t = l.trimStart();
      if (t === '' || t.startsWith('#')) continue;
      const n = l.length - t.length;
      if (seqIndent < 0) {
        if (n < parentIndent) break;
        seqIndent = n;
      }
      if (n === seqIndent && isSeqEntry(t)) {
        let off = 1;
        while (t[off] === ' ') off++;
        const empty = t.slice(off) === '' || t.slice(off).startsWith('#');
        if (empty) {
          // `-` alone: the item starts on the next content line
          let j = k + 1;
          for (; j < this.i; j++) {
            const lj = this.lines[j]!;
            const tj = lj.trimStart();
            if (tj !== '' && !tj.startsWith('#')) break;
          }
          const lj = this.lines[j] ?? '';
          out.push({ line: this.lineBase + j + 1, col: lj.length - lj.trimStart().length + 1 });
        } else out.push({ line: this.lineBase + k + 1, col: n + off + 1 });
      }
    }
    return out;
  }

  /** A value written on the same line as its key or dash. */
  private inlineValue(rest: string, parentIndent: number): unknown {
    const c = rest[0]!;
    if (c === '"') { const [v, j] = parseDoubleQuoted(rest, 0); expectLineEnd(rest, j); return v; }
    if (c === "'") { const [v, j] = parseSingleQuoted(rest, 0); expectLineEnd(rest, j); return v; }
    if (c === '{' || c === '[') { const [v, j] = parseFlow(rest, 0); expectLineEnd(rest, j); return v; }
    if (c === '|') return this.literal(rest, parentIndent);
    if (INDICATOR_START.test(rest) && !/^-[^ ]/.test(rest) && !/^[?:][^ ]/.test(rest)) giveUp();
    const text = stripComment(rest);
    if (text.includes(': ') || text.endsWith(':')) giveUp(); // `a: b: c` is an error in YAML
    // The next content line must not be a continuation of this scalar.
    const k = this.next();
    if (k >= 0 && this.indentOf(this.lines[k]!) > parentIndent) {
      const t = this.lines[k]!.trimStart();
      // deeper line after an inline value: multi-line plain scalar (or an error)
      if (!(isSeqEntry(t) && this.indentOf(this.lines[k]!) === parentIndent)) giveUp();
    }
    return resolvePlain(text);
  }

  /** `|`, `|-`, `|+` literal block scalars. */
  private literal(header: string, parentIndent: number): string {
    const h = stripComment(header);
    if (h !== '|' && h !== '|-' && h !== '|+') giveUp();
    const chomp = h === '|-' ? 'strip' : h === '|+' ? 'keep' : 'clip';
    const body: string[] = [];
    let indent = -1;
    while (this.i < this.end) {
      const l = this.lines[this.i]!;
      if (l.trim() === '') {
        if (indent < 0 && l.length > parentIndent + 1) giveUp(); // spaces-only line before content
        body.push(indent >= 0 && l.length > indent ? l.slice(indent) : '');
        this.i++;
        continue;
      }
      const n = this.indentOf(l);
      if (indent < 0) {
        if (n <= parentIndent) break;
        indent = n;
      }
      if (n < indent) {
        if (n > parentIndent) giveUp(); // less indented than the content: an error in YAML
        break;
      }
      body.push(l.slice(indent));
      this.i++;
    }
    // Trailing blank lines belong to the scalar only for keep chomping.
    let lastContent = body.length - 1;
    while (lastContent >= 0 && body[lastContent] === '') lastContent--;
    const content = body.slice(0, lastContent + 1);
    if (content.length === 0) return chomp === 'keep' ? '\n'.repeat(body.length) : '';
    const text = content.join('\n');
    if (chomp === 'strip') return text;
    if (chomp === 'clip') return `${text}\n`;
    return `${text}\n${'\n'.repeat(body.length - content.length)}`;
  }
}

function isSeqEntry(t: string): boolean {
  return t[0] === '-' && (t.length === 1 || t[1] === ' ');
}

/** `key: ...` → [key, index after the colon]; undefined if the line is not a simple mapping entry. */
function mapKey(t: string): [string, number] | undefined {
  const c = t[0];
  if (c === '"' || c === "'") {
    const [k, j] = c === '"' ? parseDoubleQuoted(t, 0) : parseSingleQuoted(t, 0);
    // a quoted scalar alone (`- "8080"`) is not a key; the caller reads it as a value
    if (t[j] !== ':') return undefined;
    if (j + 1 < t.length && t[j + 1] !== ' ') return giveUp();
    return [k, j + 1];
  }
  if (c === undefined || INDICATOR_START.test(t)) return undefined;
  let j = t.indexOf(':');
  while (j >= 0 && j + 1 < t.length && t[j + 1] !== ' ') j = t.indexOf(':', j + 1);
  if (j <= 0) return undefined;
  const key = t.slice(0, j);
  if (key.includes(' #') || key.endsWith(' ')) return giveUp();
  if (typeof resolvePlain(key) !== 'string') giveUp(); // `1:`, `true:` keys: exact parser
  return [key, j + 1];
}

/**
 * Parses a whole YAML stream, or returns undefined when it uses anything outside the subset
 * (the caller then uses the `yaml` package for the whole file).
 */
export function fastParseYaml(text: string): FastDoc[] | undefined {
  if (text.includes('\t') || text.includes('\r')) {
    // Tabs are legal in some places only; CR needs line-ending care. Both are rare: be exact.
    if (text.includes('\t')) return undefined;
    text = text.replace(/\r\n/g, '\n');
    if (text.includes('\r')) return undefined;
  }
  const docs: FastDoc[] = [];
  // Documents are parsed one at a time from their own line array, so the per-line strings die
  // young (a single split of a 50 MB stream keeps millions of strings alive and GC dominates).
  try {
    let docStart = 0; // offset of the document's first line
    let docLine = 0; // its 0-based line number
    let lineNo = 0;
    let pos = 0;
    const flush = (end: number, endLine: number): void => {
      const lines = text.slice(docStart, end).split('\n');
      const p = new DocParser(lines, 0, lines.length, docLine);
      const r = p.parseRoot();
      if (r) {
        const d: FastDoc = { value: r.value, line: r.line, col: r.col, firstLine: docLine, lastLine: endLine, startOffset: docStart, endOffset: end };
        if (p.itemPositions) d.itemPositions = p.itemPositions;
        docs.push(d);
      }
    };
    while (pos <= text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const c = text.charCodeAt(pos);
      if (c === 37 /* % */) return undefined; // directives
      if ((c === 45 /* - */ && text.startsWith('---', pos)) || (c === 46 /* . */ && text.startsWith('...', pos))) {
        const l = text.slice(pos, nl);
        if (!(c === 45 ? DOC_START : DOC_END).test(l)) return undefined; // `--- value` on the marker line
        flush(pos > docStart ? pos - 1 : pos, lineNo - 1);
        docStart = nl + 1;
        docLine = lineNo + 1;
      }
      pos = nl + 1;
      lineNo++;
    }
    if (docStart < text.length) flush(text.length, lineNo - 1);
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
  return docs;
}
