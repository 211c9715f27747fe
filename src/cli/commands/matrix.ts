import { type Command, MODEL_OPTIONS, loadModel, parseCommandArgs, probePortOption } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { clearingStderr, createProgress } from '../../common/progress.js';
import { buildMatrix, formatMatrix } from '../../semantics/index.js';
import { semanticsFlag, usage } from '../../semantics/cli-util.js';
import { CROSS_CHECK_HELP, matrixProbes, runCrossCheck } from '../../classify/cli.js';
import { GRAPH_MAX_NODES, drawMatrixGraph, type GraphFormat } from '../../report/graph.js';

const TABLE_FORMATS = ['txt', 'json', 'csv', 'md'] as const;
const GRAPH_FORMATS = ['dot', 'svg'] as const;

const OPTIONS = {
  output: { type: 'string', short: 'o', default: 'txt' },
  explain: { type: 'boolean' },
  port: { type: 'string' },
  protocol: { type: 'string' },
  pods: { type: 'boolean' },
  ...MODEL_OPTIONS,
} as const;

export const matrix: Command = {
  name: 'matrix',
  summary: 'who can reach whom: connectivity matrix per network, with reasons',
  help: `udnc matrix PATHS... [options]

Connectivity between all workloads of the manifests, one matrix per network (default network,
each primary UDN/CUDN, each secondary network). Rows are sources, columns destinations.

Probe ports: for each destination its declared container ports, plus every port a policy names
(NetworkPolicy port/endPort, ANP/BANP portNumber and portRange edges); TCP/80 if both are empty.

Options:
  -o, --output FORMAT     txt (default), json, csv, md, dot or svg
                          dot: Graphviz DOT (render with \`dot -Tsvg\`); svg: drawn by udnc, no
                          Graphviz needed. One node per workload, one cluster per network, an
                          edge where at least one probed port is allowed (solid: every port;
                          dashed, labelled: only those ports); no edge = denied; a red self-loop
                          (svg: red ring) = a workload's replicas cannot reach each other.
                          Refused (exit 2) when a network has more than ${GRAPH_MAX_NODES} workloads (or
                          pods with --pods): use txt/csv, or \`udnc report\` for a heat map.
  --explain               add the reason chain of every cell (policy, rule, file:line);
                          not with dot/svg
  --port P                probe only port P (with --protocol, default TCP)
  --protocol PROTO        TCP, UDP or SCTP (with --port)
  --pods                  one row/column per pod instead of per workload
  --semantics S           ovn-kubernetes (default) or kubernetes (upstream spec text)
  --implicit-namespaces   create Namespaces the manifests refer to but do not define
${CROSS_CHECK_HELP}  --lenient               skip unreadable or invalid documents with a warning (as upstream analyzers do)
`,
  async run(argv, io) {
    const args = parseCommandArgs(matrix, argv, OPTIONS, io);
    if (!args) return EXIT.BAD_INPUT;
    const opt = args.values;
    if (!args.positionals.length) throw usage('matrix', 'no input paths');
    const format = opt.output;
    const graph = (GRAPH_FORMATS as readonly string[]).includes(format);
    if (!graph && !(TABLE_FORMATS as readonly string[]).includes(format)) {
      throw usage('matrix', `unknown output format '${format}' (${[...TABLE_FORMATS, ...GRAPH_FORMATS].join(', ')})`);
    }
    const explain = opt.explain === true;
    if (graph && explain) throw usage('matrix', `--explain does not apply to -o ${format} (the svg shows each edge's ports on hover)`);
    const ports = probePortOption('matrix', opt.port, opt.protocol);
    const semantics = semanticsFlag(opt.semantics, 'matrix');
    const progress = createProgress(io, 'matrix');
    let set;
    let m;
    try {
      let model;
      ({ set, model } = await loadModel(args.positionals, opt, io, progress));
      m = buildMatrix(model, {
        semantics, granularity: opt.pods ? 'pod' : 'workload',
        explain, ...(ports ? { ports } : {}),
        onRow: (done, total) => progress.update('evaluating rows', done, total),
      });
    } finally {
      progress.done();
    }
    for (const n of set.notices) if (n.severity !== 'notice') io.stderr(`${formatDiagnostic(n)}\n`);
    if (graph) {
      io.stdout(drawMatrixGraph(m, format as GraphFormat, (why) => usage('matrix', `-o ${format}: ${why}; use -o txt or csv, or udnc report for a heat map`)));
    } else io.stdout(formatMatrix(m, format as 'txt', { explain }));
    if (opt['no-cross-check']) return EXIT.OK;
    progress.stage('cross-check: compiling to OpenFlow, classifying every probe');
    try {
      return runCrossCheck(set, matrixProbes(m), clearingStderr(io, progress), { implicitNamespaces: opt['implicit-namespaces'] === true }).code;
    } finally {
      progress.done();
    }
  },
};
