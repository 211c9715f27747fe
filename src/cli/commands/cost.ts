import { type Command, parseCommandArgs, usageError } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { compileStages, createProgress } from '../../common/progress.js';
import { compile as compilePipeline } from '../../compile.js';
import { computeCost, formatCost, type CostFormat } from '../../cost/index.js';

const HELP = `Usage: udnc cost PATHS... [-o txt|json|md] [--top N] [--node NODE] [-q]

What each Kubernetes object costs once compiled: OpenFlow flows (one chassis' br-int), logical
flows, ACLs, address-set entries and port-group members, per object (policy, with one line per
rule when the ACLs name it; Service; network, node and namespace infrastructure; workloads),
largest first, with totals and each object's share of the whole.

Attribution follows provenance (NB rows → lflows → OpenFlow). A flow or row caused by several
objects is counted in full for each of them and shown as "(N shared)"; sums over objects can
therefore exceed the totals. Flows of fixed tables with no object are listed as "(no object)".

Options:
  -o, --output F  txt (default), json, md
  --top N         show only the N largest objects (totals still cover everything)
  --node NODE     OpenFlow of that node's chassis (default: one chassis hosting everything)
  -q, --quiet     no notices and no lflow-skipped warnings on stderr

Exit codes: 0 ok, 2 bad input.
`;

export const cost: Command = {
  name: 'cost',
  summary: 'OpenFlow flows, lflows, ACLs per Kubernetes object (and per policy rule)',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(cost, argv, {
      output: { type: 'string', short: 'o', default: 'txt' }, top: { type: 'string' }, node: { type: 'string' }, quiet: { type: 'boolean', short: 'q' },
    }, io);
    if (!args) return EXIT.BAD_INPUT;
    const fmt = args.values.output;
    if (!['txt', 'json', 'md'].includes(fmt)) return usageError(io, cost, `unknown -o '${fmt}' (expected txt, json or md)`);
    let top: number | undefined;
    if (args.values.top !== undefined) {
      top = Number(args.values.top);
      if (!Number.isInteger(top) || top < 0) return usageError(io, cost, `--top wants a non-negative integer, got '${args.values.top}'`);
    }
    if (args.positionals.length === 0) return usageError(io, cost, 'no input given', true);
    const progress = createProgress(io, 'cost');
    let result;
    let costs;
    try {
      result = await compilePipeline(args.positionals, {
        until: 'openflow', readStdin: io.readStdin, onStage: compileStages(progress), ...(args.values.node !== undefined ? { node: args.values.node } : {}),
      });
      progress.stage('attributing flows to objects');
      costs = computeCost(result);
    } finally {
      progress.done();
    }
    if (!args.values.quiet) {
      for (const n of result.manifests.notices) io.stderr(formatDiagnostic(n) + '\n');
      for (const e of result.openflow?.errors ?? []) io.stderr(`warning: openflow: lflow skipped: ${e}\n`);
    }
    io.stdout(formatCost(costs, fmt as CostFormat, top !== undefined ? { top } : {}));
    return EXIT.OK;
  },
};
