import { type Command, parseCommandArgs, usageError } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { compileStages, createProgress } from '../../common/progress.js';
import { compile as compilePipeline, type Stage } from '../../compile.js';
import { formatListing, formatNbctl, formatTransact } from '../../northbound/index.js';
import { formatLflowList } from '../../lflow/index.js';
import { formatGroups, formatPortMap, writeAddFlows } from '../../openflow/index.js';
import { writeFileSync } from 'node:fs';

const HELP = `Usage: udnc compile PATHS... [--stage nb|lflow|openflow] [--format F] [--groups FILE] [--ports FILE] [--node NODE] [-q]

Compiles Kubernetes manifests (files, directories, or - for stdin) to what OVN would run.

Stages (--stage):
  nb      the OVN northbound rows ovn-kubernetes v1.3.0 would write
          --format listing   readable listing grouped by object, with provenance (default)
          --format nbctl     an ovn-nbctl batch a real NB database takes in one step
          --format transact  an ovsdb-client transact JSON (one transaction)
  lflow   the logical flows ovn-northd 25.03 computes, in ovn-sbctl lflow-list format
  openflow  the OpenFlow flows ovn-controller 25.03 installs on br-int of one chassis (default),
          as \`ovs-ofctl -O OpenFlow15 add-flows\` input
          --groups FILE  write the OpenFlow groups (ovs-ofctl add-groups input) to FILE
          --ports FILE   write the port map (ofport, iface-id, pod; JSON) to FILE
          --node NODE    that node's view (default: every pod and gateway router on one chassis)

Options of every stage:
  -q, --quiet     no notices and warnings on stderr (skipped kinds, not-modelled lflows, lflows
                  the OpenFlow stage skipped, the add-tlv-map hint); errors still print

Output goes to stdout only when the whole compilation succeeded. Notices (skipped kinds,
networks outside OVN) go to stderr. Exit codes: 0 ok, 2 bad input.
`;

export const compile: Command = {
  name: 'compile',
  summary: 'compile manifests to OpenFlow (default), logical flows or OVN northbound rows',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(compile, argv, {
      stage: { type: 'string', default: 'openflow' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' },
      groups: { type: 'string' }, ports: { type: 'string' }, node: { type: 'string' },
    }, io);
    if (!args) return EXIT.BAD_INPUT;
    const { stage, format, quiet } = args.values;
    if (args.positionals.length === 0) return usageError(io, compile, 'no input given', true);
    const formats: Record<string, string[]> = { nb: ['listing', 'nbctl', 'transact'], lflow: ['lflow-list'], openflow: ['add-flows'] };
    if (!(stage in formats)) return usageError(io, compile, `unknown --stage '${stage}' (expected one of: ${Object.keys(formats).join(', ')})`);
    const fmt = format ?? formats[stage]![0]!;
    if (!formats[stage]!.includes(fmt)) {
      return usageError(io, compile, `--format '${fmt}' is not available for --stage ${stage} (expected one of: ${formats[stage]!.join(', ')})`);
    }
    const progress = createProgress(io, 'compile');
    let result;
    try {
      result = await compilePipeline(args.positionals, {
        until: stage as Stage, readStdin: io.readStdin, onStage: compileStages(progress), ...(args.values.node !== undefined ? { node: args.values.node } : {}),
      });
    } finally {
      progress.done();
    }
    if (!quiet) {
      for (const n of result.manifests.notices) io.stderr(formatDiagnostic(n) + '\n');
      for (const n of result.model?.notices ?? []) io.stderr(`notice: ${n.message}\n`);
    }
    if (stage === 'nb') {
      const nb = result.nb!;
      io.stdout(fmt === 'nbctl' ? formatNbctl(nb) : fmt === 'transact' ? formatTransact(nb) : formatListing(nb));
    } else if (stage === 'openflow') {
      const of = result.openflow!;
      if (!quiet) {
        for (const u of result.lflow!.unsupported) io.stderr(`warning: lflow: not modelled yet: ${u}\n`);
        for (const u of of.unsupported) io.stderr(`warning: openflow: not modelled yet: ${u}\n`);
        for (const e of of.errors) io.stderr(`warning: openflow: lflow skipped (ovn-controller would log it): ${e}\n`);
      }
      if (!quiet && of.tlvMap.length) io.stderr(`note: load with \`ovs-ofctl add-tlv-map BRIDGE '${of.tlvMap.join(',')}'\` first (geneve metadata)\n`);
      if (args.values.groups) writeFileSync(args.values.groups, formatGroups(of));
      if (args.values.ports) writeFileSync(args.values.ports, formatPortMap(of));
      // nothing can fail from here: stream the flows (one (table, priority) bucket at a time)
      io.stream?.();
      writeAddFlows(of, io.stdout);
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
