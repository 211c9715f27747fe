import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import {
  ExprError, TEST_OVN_ENV, exprStep, exprToFlowsStrict, getSymtab, testSymtab, type ExprEnv, type ExprStep,
} from '../../expr/index.js';

const HELP = `udnc expr {parse|annotate|simplify|normalize|flows} 'EXPR' [options]

Runs one step of OVN 25.03's logical-flow match compiler (lib/expr.c) and
prints exactly what \`ovstest test-ovn <step>-expr\` / \`expr-to-flows\` prints.

Steps:
  parse      canonical form of the parsed expression
  annotate   predicates expanded, subfields resolved, prerequisites appended
  simplify   relational operators lowered, is_chassis_resident() evaluated
  normalize  OR of ANDs of single-symbol clauses
  flows      OpenFlow matches (ovs-ofctl syntax, conjunction(id, k/n), 0-based
             clauses, conj ids from 1), one per line in OVS's sorted order

Options (any of them replaces the whole test-ovn environment):
  --address-set NAME=a,b,c   address set $NAME (repeatable; empty: NAME=)
  --port-group NAME=p1,p2    port group @NAME (repeatable)
  --port NAME=KEY            logical port name -> tunnel key (repeatable)

Without options the test-ovn environment is used (address sets set1..set4,
port groups pg1/pg_empty, ports eth0=5 eth1=6 LOCAL=0xfffe lsp1..3=0x11..0x13,
plus test-ovn's extra symbols), so the upstream vectors reproduce.
Errors: OVN's message on stderr, exit 2.
`;

const STEPS: Record<string, ExprStep | 'flows'> = {
  parse: 'parse', annotate: 'annotate', simplify: 'simplify', normalize: 'normalize', flows: 'flows',
};

function splitKV(opt: string, v: string | undefined): [string, string] {
  if (v === undefined) throw new UsageError(`${opt} needs NAME=VALUE`);
  const i = v.indexOf('=');
  if (i <= 0) throw new UsageError(`${opt} needs NAME=VALUE, got '${v}'`);
  return [v.slice(0, i), v.slice(i + 1)];
}

class UsageError extends Error {}

function parseArgs(argv: string[]): { step: ExprStep | 'flows'; text: string; env: ExprEnv | null } {
  const pos: string[] = [];
  let env: ExprEnv | null = null;
  const e = (): ExprEnv => (env ??= { addressSets: {}, portGroups: {}, ports: {} });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const [opt, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const val = (): string | undefined => inline ?? argv[++i];
    if (opt === '--address-set') {
      const [k, v] = splitKV(opt, val());
      e().addressSets[k] = v === '' ? [] : v.split(',').map((s) => s.trim());
    } else if (opt === '--port-group') {
      const [k, v] = splitKV(opt, val());
      e().portGroups[k] = v === '' ? [] : v.split(',').map((s) => s.trim());
    } else if (opt === '--port') {
      const [k, v] = splitKV(opt, val());
      const n = Number(v);
      if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`--port ${k}: bad key '${v}'`);
      e().ports[k] = n;
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option '${a}'`);
    } else pos.push(a);
  }
  if (pos.length !== 2) throw new UsageError('expected a step and one expression');
  const step = STEPS[pos[0]!];
  if (!step) throw new UsageError(`unknown step '${pos[0]}'`);
  return { step, text: pos[1]!, env };
}

/** test-ovn prints flows unsorted; the upstream vectors pipe them through `sort` (C locale). */
const cSort = (lines: string[]): string[] => lines.slice().sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));

export const expr: Command = {
  name: 'expr',
  summary: 'run one step of the OVN match-expression compiler (parse/annotate/simplify/normalize/flows)',
  help: HELP,
  async run(argv, io) {
    let args;
    try {
      args = parseArgs(argv);
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr(`udnc expr: ${err.message}\n\n${HELP}`);
        return EXIT.BAD_INPUT;
      }
      throw err;
    }
    const env = args.env ?? TEST_OVN_ENV;
    const opts = { symtab: args.env ? getSymtab() : testSymtab() };
    try {
      if (args.step === 'flows') io.stdout(cSort(exprToFlowsStrict(args.text, env, opts)).join('\n') + '\n');
      else io.stdout(exprStep(args.step, args.text, env, opts) + '\n');
      return EXIT.OK;
    } catch (err) {
      if (err instanceof ExprError) {
        io.stderr(err.message + '\n');
        return EXIT.BAD_INPUT;
      }
      throw err;
    }
  },
};

