import { type Command, loadModel } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { clearingStderr, createProgress } from '../../common/progress.js';
import { buildMatrix, formatMatrix } from '../../semantics/index.js';
import { parseArgs, semanticsFlag, usage } from '../../semantics/cli-util.js';
import type { Protocol } from '../../model/k8s.js';
import { CROSS_CHECK_HELP, NO_CROSS_CHECK_FLAG, matrixProbes, runCrossCheck } from '../../classify/cli.js';
import { GRAPH_MAX_NODES, graphTooLarge, matrixToDot, matrixToSvg } from '../../report/graph.js';

const TABLE_FORMATS = ['txt', 'json', 'csv', 'md'] as const;
const GRAPH_FORMATS = ['dot', 'svg'] as const;

const FLAGS = {
  '--output': { value: true, alias: '-o' },
  '--explain': { value: false },
  '--port': { value: true },
  '--protocol': { value: true },
  '--semantics': { value: true },
  '--pods': { value: false },
  '--implicit-namespaces': { value: false },
  ...NO_CROSS_CHECK_FLAG,
  '--lenient': { value: false },
};

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
    const a = parseArgs(argv, FLAGS, 'matrix');
    if (!a.positional.length) throw usage('matrix', 'no input paths');
    const format = (a.flags.get('--output') ?? 'txt') as string;
    const graph = (GRAPH_FORMATS as readonly string[]).includes(format);
    if (!graph && !(TABLE_FORMATS as readonly string[]).includes(format)) {
      throw usage('matrix', `unknown output format '${format}' (${[...TABLE_FORMATS, ...GRAPH_FORMATS].join(', ')})`);
    }
    if (graph && a.flags.has('--explain')) throw usage('matrix', `--explain does not apply to -o ${format} (the svg shows each edge's ports on hover)`);
    const protocol = String(a.flags.get('--protocol') ?? 'TCP').toUpperCase() as Protocol;
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw usage('matrix', `unknown protocol '${protocol}'`);
    let ports: Array<{ protocol: Protocol; port: number }> | undefined;
    if (a.flags.has('--port')) {
      const p = Number(a.flags.get('--port'));
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw usage('matrix', `--port must be 1-65535`);
      ports = [{ protocol, port: p }];
    } else if (a.flags.has('--protocol')) throw usage('matrix', '--protocol needs --port');
    const semantics = semanticsFlag(a.flags.get('--semantics'), 'matrix');
    const progress = createProgress(io, 'matrix');
    let set;
    let m;
    try {
      let model;
      ({ set, model } = await loadModel(a.positional, a.flags, io, progress));
      m = buildMatrix(model, {
        semantics, granularity: a.flags.has('--pods') ? 'pod' : 'workload',
        explain: a.flags.has('--explain'), ...(ports ? { ports } : {}),
        onRow: (done, total) => progress.update('evaluating rows', done, total),
      });
    } finally {
      progress.done();
    }
    for (const n of set.notices) if (n.severity !== 'notice') io.stderr(`${formatDiagnostic(n)}\n`);
    const explain = a.flags.has('--explain');
    if (graph) {
      const tooLarge = graphTooLarge(m);
      if (tooLarge) throw usage('matrix', `-o ${format}: ${tooLarge}; use -o txt or csv, or udnc report for a heat map`);
      io.stdout(format === 'dot' ? matrixToDot(m) : matrixToSvg(m));
    } else io.stdout(formatMatrix(m, format as 'txt', { explain }));
    if (a.flags.has('--no-cross-check')) return EXIT.OK;
    progress.stage('cross-check: compiling to OpenFlow, classifying every probe');
    try {
      return runCrossCheck(set, matrixProbes(m), clearingStderr(io, progress), { implicitNamespaces: a.flags.has('--implicit-namespaces') }).code;
    } finally {
      progress.done();
    }
  },
};
