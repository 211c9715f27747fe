/**
 * Line diffs: Myers' O(ND) shortest edit script and a `diff -u` style printer.
 * Used by `udnc golden check` and `udnc diff`; no dependency.
 */

export type EditOp = { op: 'equal' | 'delete' | 'insert'; line: string };

/** Shortest edit script turning `a` into `b` (Myers 1986, forward greedy with a saved trace). */
export function diffLines(a: readonly string[], b: readonly string[]): EditOp[] {
  // Trim the common prefix and suffix first: goldens usually change in a few places.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const head: EditOp[] = a.slice(0, pre).map((line) => ({ op: 'equal', line }));
  const tail: EditOp[] = a.slice(a.length - suf).map((line) => ({ op: 'equal', line }));
  return [...head, ...myers(A, B), ...tail];
}

function myers(a: readonly string[], b: readonly string[]): EditOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ op: 'insert', line }));
  if (m === 0) return a.map((line) => ({ op: 'delete', line }));
  const max = n + m;
  const off = max;
  let v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!)) x = v[off + k + 1]!; // down: insert
      else x = v[off + k - 1]! + 1; // right: delete
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      next[off + k] = x;
      if (x >= n && y >= m) { found = true; break; }
    }
    v = next;
  }
  trace.push(v.slice());
  // Backtrack from (n, m) through the saved V arrays.
  const out: EditOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && vd[off + k - 1]! < vd[off + k + 1]!)) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : vd[off + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) { out.push({ op: 'equal', line: a[x - 1]! }); x--; y--; }
    if (d === 0) break;
    if (x === prevX) out.push({ op: 'insert', line: b[y - 1]! });
    else out.push({ op: 'delete', line: a[x - 1]! });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) { out.push({ op: 'equal', line: a[x - 1]! }); x--; y--; }
  return out.reverse();
}

/** Splits text into lines; a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface UnifiedOptions {
  /** lines of context around each change (default 3) */
  context?: number;
}

/**
 * `diff -u` output for two texts, or '' when they are equal. Files that lack a final newline get
 * the `\ No newline at end of file` marker, as GNU diff prints it.
 */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, opts: UnifiedOptions = {}): string {
  if (oldText === newText) return '';
  const ctx = opts.context ?? 3;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const aNoEol = oldText !== '' && !oldText.endsWith('\n');
  const bNoEol = newText !== '' && !newText.endsWith('\n');
  const ops = diffLines(a, b);
  // Positions: index in ops, with old/new line numbers (0-based) before each op.
  const pos: Array<{ ai: number; bi: number }> = [];
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    pos.push({ ai, bi });
    if (o.op !== 'insert') ai++;
    if (o.op !== 'delete') bi++;
  }
  // Only the last line can differ in its final newline alone: treat it as a change.
  const lastChanged = aNoEol !== bNoEol;
  const changed = ops.map((o, i) => o.op !== 'equal' || (lastChanged && (pos[i]!.ai === a.length - 1 || pos[i]!.bi === b.length - 1)));
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  let i = 0;
  while (i < ops.length) {
    if (!changed[i]) { i++; continue; }
    // A hunk: from ctx lines before the first change to ctx lines after the last change of a run
    // whose gaps are at most 2*ctx equal lines.
    const start = Math.max(0, i - ctx);
    let end = i;
    let j = i;
    while (j < ops.length) {
      if (changed[j]) { end = j; j++; continue; }
      let k = j;
      while (k < ops.length && !changed[k]) k++;
      if (k < ops.length && k - j <= 2 * ctx) { j = k; continue; }
      break;
    }
    const stop = Math.min(ops.length, end + 1 + ctx);
    const lines: string[] = [];
    let aCount = 0;
    let bCount = 0;
    for (let h = start; h < stop; h++) {
      const o = ops[h]!;
      const p = pos[h]!;
      const isLastA = o.op !== 'insert' && p.ai === a.length - 1;
      const isLastB = o.op !== 'delete' && p.bi === b.length - 1;
      if (o.op === 'equal' && changed[h]) {
        // same text, different final newline
        lines.push(`-${o.line}`);
        if (aNoEol) lines.push('\\ No newline at end of file');
        lines.push(`+${o.line}`);
        if (bNoEol) lines.push('\\ No newline at end of file');
        aCount++;
        bCount++;
        continue;
      }
      lines.push(`${o.op === 'equal' ? ' ' : o.op === 'delete' ? '-' : '+'}${o.line}`);
      if (o.op !== 'insert') aCount++;
      if (o.op !== 'delete') bCount++;
      if ((o.op === 'equal' && isLastA && aNoEol && bNoEol) || (o.op === 'delete' && isLastA && aNoEol) || (o.op === 'insert' && isLastB && bNoEol)) {
        lines.push('\\ No newline at end of file');
      }
    }
    const aStart = aCount === 0 ? pos[start]!.ai : pos[start]!.ai + 1;
    const bStart = bCount === 0 ? pos[start]!.bi : pos[start]!.bi + 1;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`, ...lines);
    i = stop;
  }
  return `${out.join('\n')}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
