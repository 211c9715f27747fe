import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { compileStages, createProgress } from '../../common/progress.js';
import { parseArgs, semanticsFlag, usage } from '../../semantics/cli-util.js';
import { compile, type Stage } from '../../compile.js';
import { connectivityChanged, diffClusters, formatDiff, type DiffFormat } from '../../diff/index.js';

const FLAGS = {
  '--output': { value: true, alias: '-o' },
  '--old': { value: true },
  '--new': { value: true },
  '--until': { value: true },
  '--limit': { value: true },
  '--semantics': { value: true },
  '--implicit-namespaces': { value: false },
};

export const diff: Command = {
  name: 'diff',
  summary: 'what a change to the manifests does: connectivity, then NB rows, lflows, OpenFlow',
  help: `udnc diff OLD NEW [options]
udnc diff --old OLD --new NEW [options]

OLD and NEW are each one input: a file, a directory (read recursively, as udnc compile), or a
comma-separated list of files/directories (a.yaml,b.yaml,dir). Both are compiled and compared:

  1. connectivity gained and lost: who can now reach whom on which protocol/port, per network,
     grouped by destination workload or Service, with the reason-chain steps that changed
     (the policy and rule that made the difference, as in udnc matrix --explain)
  2. NB rows added/removed/changed   3. logical flows added/removed
  4. OpenFlow flows added/removed (single-chassis view)
  (2)-(4) grouped per Kubernetes object by provenance, with counts.

Probes: every workload to every workload of a network, on the union of both sides' policy ports
(NP port/endPort, ANP/BANP portNumber and range edges) and container ports; every workload to
every Service of its network on the Service ports.

Options:
  -o, --output FORMAT   txt (default), md (a pull-request comment: long lists in <details>), json
  --until STAGE         last stage to compare: nb, lflow or openflow (default openflow)
  --limit N             items listed per object and stage in txt/md (default 50, 0 = all)
  --semantics S         ovn-kubernetes (default) or kubernetes
  --implicit-namespaces create Namespaces the manifests refer to but do not define

Exit codes: 0 no connectivity change, 1 connectivity changed, 2 bad input.
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'diff');
    const oldArg = a.flags.get('--old');
    const newArg = a.flags.get('--new');
    let sides: [string, string];
    if (typeof oldArg === 'string' || typeof newArg === 'string') {
      if (typeof oldArg !== 'string' || typeof newArg !== 'string' || a.positional.length) throw usage('diff', 'give --old and --new together, and no other paths');
      sides = [oldArg, newArg];
    } else {
      if (a.positional.length !== 2) throw usage('diff', `expected OLD and NEW, got ${a.positional.length} path argument(s)`);
      sides = [a.positional[0]!, a.positional[1]!];
    }
    const format = String(a.flags.get('--output') ?? 'txt');
    if (!['txt', 'md', 'json'].includes(format)) throw usage('diff', `unknown output format '${format}'`);
    const until = String(a.flags.get('--until') ?? 'openflow');
    if (!['nb', 'lflow', 'openflow'].includes(until)) throw usage('diff', `--until must be nb, lflow or openflow`);
    const limit = a.flags.has('--limit') ? Number(a.flags.get('--limit')) : 50;
    if (!Number.isInteger(limit) || limit < 0) throw usage('diff', '--limit must be a whole number >= 0');
    const semantics = semanticsFlag(a.flags.get('--semantics'), 'diff');
    const opts = { until: until as Stage, implicitNamespaces: a.flags.has('--implicit-namespaces'), readStdin: io.readStdin };
    const paths = (s: string) => s.split(',').filter((x) => x !== '');
    const progress = createProgress(io, 'diff');
    let d;
    try {
      const oldR = await compile(paths(sides[0]), { ...opts, onStage: compileStages(progress, 'OLD: ') });
      const newR = await compile(paths(sides[1]), { ...opts, onStage: compileStages(progress, 'NEW: ') });
      progress.stage('comparing (connectivity probes, NB rows, lflows, OpenFlow)');
      d = diffClusters(oldR, newR, { semantics });
    } finally {
      progress.done();
    }
    io.stdout(formatDiff(d, format as DiffFormat, { limit }));
    return connectivityChanged(d) ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
