import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, probePortOption } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { createProgress } from '../../common/progress.js';
import { GRAPH_MAX_NODES, buildReport, type ReportFormat } from '../../report/index.js';
import { parseArgs, semanticsFlag, usage } from '../../semantics/cli-util.js';

const FLAGS = {
  '--output': { value: true, alias: '-o' },
  '--format': { value: true, alias: '-f' },
  '--max-workloads': { value: true },
  '--port': { value: true },
  '--protocol': { value: true },
  '--semantics': { value: true },
  '--implicit-namespaces': { value: false },
  '--lenient': { value: false },
  '--no-cost': { value: false },
  '--timestamp': { value: false },
};

export const report: Command = {
  name: 'report',
  summary: 'one self-contained HTML page: networks, connectivity heat map with reasons, policy cost (or the matrix as dot/svg)',
  help: `udnc report PATHS... [-o FILE] [options]

HTML (default): one self-contained page (inline CSS/JS, no network access, opens from file://):
the networks (topology, subnets, network ids, non-OVN NADs marked) and namespaces; the
connectivity matrix as a heat map (rows = source workloads, columns = destinations, grouped by
network; green allowed, amber partial, red denied by policy, grey isolated by network; hover a
cell for its reason chain, click to pin it; a port selector recolours per port); the cost of each
policy (northbound ACLs, logical flows, OpenFlow flows, as udnc cost).

dot / svg: the connectivity matrix as a graph for small clusters (edge = allowed; dashed with a
label = only some ports; one cluster per network). SVG is laid out by udnc (no Graphviz).
Refused (exit 2, nothing written) when a network has more than ${GRAPH_MAX_NODES} workloads, as udnc matrix.

Options:
  -o, --output FILE       write there (default: stdout); .dot/.svg/.html choose the format
  -f, --format F          html (default), dot or svg
  --max-workloads N       heat-map cap (default 200); the rest is listed as left out
  --port P                probe only port P (with --protocol, default TCP)
  --protocol PROTO        TCP, UDP or SCTP (with --port)
  --semantics S           ovn-kubernetes (default) or kubernetes
  --implicit-namespaces   create Namespaces the manifests refer to but do not define
  --lenient               skip unreadable or invalid documents with a warning
  --no-cost               html: skip the OpenFlow compilation and the cost table
  --timestamp             html: print the generation time (off by default: output is deterministic)

Progress is shown on stderr when it is a terminal.
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'report');
    if (!a.positional.length) throw usage('report', 'no input paths');
    const output = a.flags.get('--output');
    if (output === true) throw usage('report', '-o needs a file');
    const fromExt = typeof output === 'string' ? /\.(dot|gv|svg|html?)$/i.exec(output)?.[1]?.toLowerCase() : undefined;
    const extFormat = fromExt === 'gv' ? 'dot' : fromExt === 'htm' ? 'html' : fromExt;
    const format = String(a.flags.get('--format') ?? extFormat ?? 'html');
    if (!['html', 'dot', 'svg'].includes(format)) throw usage('report', `unknown format '${format}' (html, dot or svg)`);
    let maxWorkloads: number | undefined;
    if (a.flags.has('--max-workloads')) {
      maxWorkloads = Number(a.flags.get('--max-workloads'));
      if (!Number.isInteger(maxWorkloads) || maxWorkloads < 1) throw usage('report', '--max-workloads wants a positive integer');
    }
    const str = (k: string) => { const v = a.flags.get(k); return typeof v === 'string' ? v : undefined; };
    const ports = probePortOption('report', str('--port'), str('--protocol'));

    const progress = createProgress(io, 'report');
    let result;
    try {
      result = await buildReport(a.positional, {
        format: format as ReportFormat,
        semantics: semanticsFlag(a.flags.get('--semantics'), 'report'),
        implicitNamespaces: a.flags.has('--implicit-namespaces'),
        lenient: a.flags.has('--lenient'),
        readStdin: io.readStdin,
        noCost: a.flags.has('--no-cost'),
        version: version(),
        progress,
        refuseGraph: (why) => usage('report', `-f ${format}: ${why}; use -f html for a heat map, or udnc matrix -o txt|csv`),
        ...(a.flags.has('--timestamp') ? { timestamp: new Date().toISOString() } : {}),
        ...(maxWorkloads !== undefined ? { maxWorkloads } : {}),
        ...(ports ? { ports } : {}),
      });
    } finally {
      progress.done();
    }
    for (const w of result.warnings) io.stderr(`${w}\n`);
    if (typeof output === 'string' && output !== '-') {
      writeFileSync(output, result.text);
      io.stderr(`udnc report: wrote ${output} (${format}, ${Buffer.byteLength(result.text)} bytes)\n`);
    } else io.stdout(result.text);
    return EXIT.OK;
  },
};

function version(): string {
  // src/cli/commands/report.ts (tsx) or dist/cli.js (bundle)
  for (const rel of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'udnc' && pkg.version) return pkg.version;
    } catch { /* try the next */ }
  }
  return 'unknown';
}

