/**
 * Progress on stderr (src/common/progress.ts) for the long-running commands: shown only when
 * stderr is a terminal (CliIO.isTTY), always cleared before anything else is written to stderr,
 * and never a change to what the command prints: with the progress lines removed, a TTY run's
 * stderr and stdout equal those of a non-TTY run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

async function run(argv: string[], isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY, readStdin: async () => '' });
  return { code, out: out.join(''), err: err.join('') };
}

const CLEAR = '\r\x1b[K';
const F07 = 'fixtures/07-anp-banp-cluster-guardrails';
const expect07 = join(mkdtempSync(join(tmpdir(), 'udnc-progress-')), 'e.yaml');
writeFileSync(expect07, '- {from: tenant-a/client, to: tenant-a/web, port: 8080, allowed: true}\n- {from: tenant-b/db, to: tenant-a/web, port: 8080, allowed: true}\n');

const CASES: Array<[string, string[]]> = [
  ['compile', ['compile', F07, '--stage', 'lflow']],
  ['cost', ['cost', F07, '--top', '3']],
  ['diff', ['diff', F07, 'fixtures/08-policy-and-service-edge-cases', '--until', 'nb', '--limit', '2']],
  ['matrix', ['matrix', F07]],
  ['verify', ['verify', F07, '--expect', expect07]],
  ['trace', ['trace', F07, '--from', 'tenant-a/client', '--to', 'tenant-a/web', '--port', '8080']],
  ['report', ['report', F07, '--no-cost']],
  ['conformance', ['conformance', 'vendor/shared/conformance', '--case', 'analyze-probe-simple-example']],
  ['golden check', ['golden', 'check', '07-anp-banp-cluster-guardrails', '--file', 'nb.txt']],
];

describe('progress on stderr only when it is a TTY', () => {
  for (const [name, argv] of CASES) {
    it(`udnc ${name}`, async () => {
      const plain = await run(argv, false);
      expect(plain.err).not.toContain('\x1b');
      const tty = await run(argv, true);
      expect(tty.code).toBe(plain.code);
      expect(tty.out).toBe(plain.out);
      // at least one progress line, each drawn over the previous one
      const draws = tty.err.match(new RegExp(`\\r\\x1b\\[Kudnc ${name}: [^\\r\\n\\x1b]+`, 'g')) ?? [];
      expect(draws.length, JSON.stringify(tty.err.slice(0, 300))).toBeGreaterThan(0);
      // removing the progress lines and their clears leaves exactly the plain run's stderr: so every
      // other stderr line began on a cleared line (a line written over progress would lose its text)
      const rest = tty.err.replace(/\r\x1b\[K(?:udnc [^:\r\n]+: [^\r\n\x1b]*)?/g, '');
      expect(rest).toBe(plain.err);
      // and the line is cleared after the last progress draw
      expect(tty.err.slice(tty.err.lastIndexOf(draws.at(-1)!) + draws.at(-1)!.length).startsWith(CLEAR)).toBe(true);
    }, 300_000);
  }
});
