import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { CliIO, Command } from './command.js';
import { EXIT, InputError, formatDiagnostic } from '../common/errors.js';
import { matrix } from './commands/matrix.js';
import { verify } from './commands/verify.js';
import { conformance } from './commands/conformance.js';
import { compile } from './commands/compile.js';
import { expr } from './commands/expr.js';
import { action } from './commands/action.js';
import { trace } from './commands/trace.js';
import { golden } from './commands/golden.js';
import { diff } from './commands/diff.js';
import { cost } from './commands/cost.js';
import { report } from './commands/report.js';
import { lint } from './commands/lint.js';

// A 64 MiB young generation (V8's default is 16): the openflow stage makes millions of short-lived
// match objects and texts, and with the default semi-space too many of them survive into the old
// generation. Measured on the issue-6 shape at 300 namespaces: openflow 35 → 29 s CPU, text 11 → 8 s.
// An explicit --max-semi-space-size (node flag or NODE_OPTIONS) wins.
if (![...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((a) => a.includes('semi-space'))) setFlagsFromString('--max-semi-space-size=64');

const COMMANDS: Command[] = [compile, matrix, verify, trace, conformance, expr, action, golden, diff, cost, lint, report];

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'udnc — offline compiler for OVN-Kubernetes networking',
    '',
    'Usage: udnc <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Run `udnc <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 internal disagreement (a udnc bug).',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return EXIT.OK;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return EXIT.OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`udnc: unknown command '${name}'\n\n${usage()}`);
    return EXIT.BAD_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(cmd.help);
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof InputError) {
      for (const d of e.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
}

const VERSION = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
})();

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

const isMain = process.argv[1] && /(?:cli\.js|main\.ts)$/.test(process.argv[1]);
if (isMain) {
  // Collect stdout and write it only on success, so a failing run leaves nothing half-written.
  const out: string[] = [];
  let streaming = false;
  const io: CliIO = {
    stdout: (s) => { if (streaming) process.stdout.write(s); else out.push(s); },
    stream: () => { for (const s of out) process.stdout.write(s); out.length = 0; streaming = true; },
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    readStdin,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      if (code !== EXIT.BAD_INPUT) for (const s of out) process.stdout.write(s);
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`udnc: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
