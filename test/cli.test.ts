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

describe('usage errors of the node:util-parsed commands (src/cli/command.ts parseCommandArgs/usageError)', () => {
  const help = async (cmd: string) => { const c = capture(); await main([cmd, '--help'], c.io); return c.out.join(''); };
  const cases: Array<[string[], string, boolean]> = [
    [['cost', '--bogus'], "udnc cost: Unknown option '--bogus'", true],
    [['cost', 'x', '-o', 'xml'], "udnc cost: unknown -o 'xml' (expected txt, json or md)\n", false],
    [['cost', 'x', '--top', '1.5'], "udnc cost: --top wants a non-negative integer, got '1.5'\n", false],
    [['cost'], 'udnc cost: no input given\n', true],
    [['lint', '--bogus'], "udnc lint: Unknown option '--bogus'", true],
    [['lint', '--explain', 'L999'], "udnc lint: unknown rule 'L999' (see udnc lint --rules)\n", false],
    [['lint', 'x', '--severity', 'loud'], "udnc lint: unknown --severity 'loud' (expected warning or info)\n", false],
    [['lint'], 'udnc lint: no input given\n', true],
    [['compile', '--stage'], "udnc compile: Option '--stage <value>' argument missing", true],
    [['compile'], 'udnc compile: no input given\n', true],
    [['compile', 'x', '--stage', 'sb'], "udnc compile: unknown --stage 'sb' (expected one of: nb, lflow, openflow)\n", false],
    [['compile', 'x', '--stage', 'nb', '--format', 'add-flows'], "udnc compile: --format 'add-flows' is not available for --stage nb (expected one of: listing, nbctl, transact)\n", false],
    [['matrix', '--bogus'], "udnc matrix: Unknown option '--bogus'", true],
    [['matrix', 'x', '--port'], "udnc matrix: Option '--port <value>' argument missing", true],
    [['matrix', 'x', '--explain=yes'], "udnc matrix: Option '--explain' does not take an argument", true],
    [['verify', '--bogus'], "udnc verify: Unknown option '--bogus'", true],
    [['verify', 'x', '-e'], "udnc verify: Option '-e, --expect <value>' argument missing", true],
    // --port/--protocol: one helper (probePortOption) for matrix and report, checked before reading PATHS
    ...['matrix', 'report'].flatMap((cmd): Array<[string[], string, boolean]> => [
      [[cmd, 'x', '--port', '0'], `error: udnc ${cmd}: --port must be 1-65535 (see udnc ${cmd} --help)\n`, false],
      [[cmd, 'x', '--port', '80', '--protocol', 'icmp'], `error: udnc ${cmd}: unknown protocol 'ICMP' (see udnc ${cmd} --help)\n`, false],
      [[cmd, 'x', '--protocol', 'udp'], `error: udnc ${cmd}: --protocol needs --port (see udnc ${cmd} --help)\n`, false],
    ]),
  ];
  for (const [argv, msg, withHelp] of cases) {
    it(`${argv.join(' ')} → exit 2, '${msg.trim()}'${withHelp ? ' and the help' : ''}`, async () => {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.out.join('')).toBe('');
      const err = c.err.join('');
      expect(err.startsWith(msg)).toBe(true);
      if (withHelp) expect(err.endsWith(`\n\n${await help(argv[0]!)}`)).toBe(true);
      else expect(err).toBe(msg);
    });
  }
});

describe('every --help is honest', () => {
  const text = async (argv: string[]) => { const c = capture(); const code = await main(argv, c.io); return { code, out: c.out.join(''), err: c.err.join('') }; };
  it('udnc --help lists every command, and each command answers --help', async () => {
    const top = (await text(['--help'])).out;
    const names = [...top.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);
    expect(names).toEqual(['compile', 'matrix', 'verify', 'trace', 'conformance', 'expr', 'action', 'golden', 'diff', 'cost', 'lint', 'report']);
    for (const n of names) {
      const h = await text([n, '--help']);
      expect(h.code).toBe(0);
      expect(h.out).toContain(`udnc ${n}`);
    }
  });
  it('every option a help lists is accepted (no unknown-option error)', async () => {
    const top = (await text(['--help'])).out;
    for (const n of [...top.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!)) {
      const help = (await text([n, '--help'])).out;
      // options at the start of a help line, as the Options sections list them ("  -o, --output F", "  --lenient")
      const opts = new Set([...help.matchAll(/^ {2,}(?:-[a-zA-Z], )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!));
      expect(opts.size, n).toBeGreaterThan(0);
      for (const o of opts) {
        const r = await text([n, o, 'V', '/nonexistent-udnc-h5']);
        expect(`${n} ${o}: ${r.err}`).not.toMatch(/nknown option/);
      }
    }
  }, 120_000);
  it('-q/--quiet, which compile, cost and lint accept, is in their help', async () => {
    for (const n of ['compile', 'cost', 'lint']) expect((await text([n, '--help'])).out).toMatch(/^ +-q, --quiet /m);
  });
});
