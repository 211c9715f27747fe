import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { compile as compilePipeline, type Stage } from '../../compile.js';
import { formatListing, formatNbctl, formatTransact } from '../../northbound/index.js';
import { formatLflowList } from '../../lflow/index.js';

const HELP = `Usage: udnc compile PATHS... [--stage nb|lflow] [--format F]

Compiles Kubernetes manifests (files, directories, or - for stdin) to what OVN would run.

Stages (--stage):
  nb      the OVN northbound rows ovn-kubernetes v1.3.0 would write
          --format listing   readable listing grouped by object, with provenance (default)
          --format nbctl     an ovn-nbctl batch a real NB database takes in one step
          --format transact  an ovsdb-client transact JSON (one transaction)
  lflow   the logical flows ovn-northd 25.03 computes, in ovn-sbctl lflow-list format (default)

Output goes to stdout only when the whole compilation succeeded. Notices (skipped kinds,
networks outside OVN) go to stderr. Exit codes: 0 ok, 2 bad input.
`;

export const compile: Command = {
  name: 'compile',
  summary: 'compile manifests to OVN northbound rows or logical flows',
  help: HELP,
  async run(argv, io) {
    let args;
    try {
      args = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { stage: { type: 'string', default: 'lflow' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
      });
    } catch (e) {
      io.stderr(`udnc compile: ${(e as Error).message}\n\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const { stage, format, quiet } = args.values;
    if (args.positionals.length === 0) {
      io.stderr(`udnc compile: no input given\n\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const formats: Record<string, string[]> = { nb: ['listing', 'nbctl', 'transact'], lflow: ['lflow-list'] };
    if (!(stage! in formats)) {
      io.stderr(`udnc compile: unknown --stage '${stage}' (expected one of: ${Object.keys(formats).join(', ')})\n`);
      return EXIT.BAD_INPUT;
    }
    const fmt = format ?? formats[stage!]![0]!;
    if (!formats[stage!]!.includes(fmt)) {
      io.stderr(`udnc compile: --format '${fmt}' is not available for --stage ${stage} (expected one of: ${formats[stage!]!.join(', ')})\n`);
      return EXIT.BAD_INPUT;
    }
    const result = await compilePipeline(args.positionals, { until: stage as Stage, readStdin: io.readStdin });
    if (!quiet) {
      for (const n of result.manifests.notices) io.stderr(formatDiagnostic(n) + '\n');
      for (const n of result.model?.notices ?? []) io.stderr(`notice: ${n.message}\n`);
    }
    if (stage === 'nb') {
      const nb = result.nb!;
      io.stdout(fmt === 'nbctl' ? formatNbctl(nb) : fmt === 'transact' ? formatTransact(nb) : formatListing(nb));
    } else {
      const lf = result.lflow!;
      if (!quiet && lf.unsupported.length) {
        for (const u of lf.unsupported) io.stderr(`warning: lflow: not modelled yet: ${u}\n`);
      }
      io.stdout(formatLflowList(lf));
    }
    return EXIT.OK;
  },
};
