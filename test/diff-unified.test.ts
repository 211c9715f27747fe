/**
 * src/diff/unified.ts: the edit script is minimal (checked against an LCS table) and the unified
 * diff applies with GNU patch(1) to give the new text (when patch is installed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffLines, splitLines, unifiedDiff } from '../src/diff/unified.js';
import { mulberry32 as rng } from '../src/common/prng.js';

function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) {
    t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  }
  return t[0]![0]!;
}


function randomPair(r: () => number): [string[], string[]] {
  const alphabet = ['a', 'b', 'c', 'd', 'e', 'f'];
  const a = Array.from({ length: Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]!);
  const b = a.filter(() => r() > 0.2).flatMap((x) => (r() < 0.15 ? [x, alphabet[Math.floor(r() * 6)]!] : [x]));
  return [a, b];
}

let havePatch = true;
try { execFileSync('patch', ['--version'], { stdio: 'ignore' }); } catch { havePatch = false; }

describe('diffLines', () => {
  it('is a valid and minimal edit script (500 random pairs)', () => {
    const r = rng(42);
    for (let n = 0; n < 500; n++) {
      const [a, b] = randomPair(r);
      const ops = diffLines(a, b);
      expect(ops.filter((o) => o.op !== 'insert').map((o) => o.line)).toEqual(a);
      expect(ops.filter((o) => o.op !== 'delete').map((o) => o.line)).toEqual(b);
      expect(ops.filter((o) => o.op === 'equal').length).toBe(lcsLength(a, b));
    }
  });
  it('handles empty sides', () => {
    expect(diffLines([], [])).toEqual([]);
    expect(diffLines(['x'], [])).toEqual([{ op: 'delete', line: 'x' }]);
    expect(diffLines([], ['y'])).toEqual([{ op: 'insert', line: 'y' }]);
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });
  it('prints hunks with context and line ranges like diff -u', () => {
    const old = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n') + '\n';
    const neu = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11', '12', '13'].join('\n') + '\n';
    expect(unifiedDiff(old, neu, 'a/f', 'b/f')).toBe([
      '--- a/f', '+++ b/f',
      '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8',
      '@@ -10,3 +10,4 @@', ' 10', ' 11', ' 12', '+13', '',
    ].join('\n'));
  });
  it('marks a missing final newline', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
  });
  it('creation from nothing uses -0,0', () => {
    expect(unifiedDiff('', 'a\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n');
  });
  it.skipIf(!havePatch)('applies with patch(1) (60 random pairs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'udnc-diff-'));
    try {
      const r = rng(7);
      for (let n = 0; n < 60; n++) {
        const [a, b] = randomPair(r);
        const oldText = a.map((x) => `${x}\n`).join('');
        const newText = b.map((x) => `${x}\n`).join('');
        const d = unifiedDiff(oldText, newText, 'f', 'f', { context: n % 4 });
        if (!d) { expect(oldText).toBe(newText); continue; }
        writeFileSync(join(dir, 'f'), oldText);
        writeFileSync(join(dir, 'p'), d);
        execFileSync('patch', ['-s', '-F0', '-o', join(dir, 'out'), join(dir, 'f'), join(dir, 'p')], { stdio: 'pipe' });
        expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(newText);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
  it('splitLines drops only the final newline', () => {
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});
