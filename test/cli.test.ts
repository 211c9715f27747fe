import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => '' },
  };
}

describe('udnc CLI shell', () => {
  it('lists every command in --help', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    for (const name of ['compile', 'matrix', 'verify', 'conformance', 'expr', 'action']) {
      expect(c.out.join('')).toContain(`  ${name}`);
    }
  });
  it('rejects an unknown command with exit code 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err.join('')).toContain("unknown command 'frobnicate'");
  });
});
