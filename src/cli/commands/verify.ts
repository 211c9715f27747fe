import { readFileSync } from 'node:fs';
import { type Command, MODEL_OPTIONS, loadModel, parseCommandArgs } from '../command.js';
import { EXIT, formatDiagnostic } from '../../common/errors.js';
import { clearingStderr, createProgress } from '../../common/progress.js';
import { parseExpectations, reasonText, verifyExpectations } from '../../semantics/index.js';
import { semanticsFlag, usage } from '../../semantics/cli-util.js';
import { CROSS_CHECK_HELP, runCrossCheck } from '../../classify/cli.js';
import type { Probe } from '../../semantics/types.js';

const OPTIONS = {
  expect: { type: 'string', short: 'e' },
  verbose: { type: 'boolean', short: 'v' },
  ...MODEL_OPTIONS,
} as const;

export const verify: Command = {
  name: 'verify',
  summary: 'check expected connectivity (probes) against the manifests',
  help: `udnc verify PATHS... --expect FILE [options]

Evaluates every probe of FILE against the manifests and prints each failing probe with its
reason chain. FILE is either
  - a conformance expected.json (shared/conformance/SCHEMA.md; closed-world "connections" honoured), or
  - a YAML/JSON list:  - {from: ns/pod, to: ns/pod | IP | svc/ns/name, port: 80, protocol: TCP, allowed: true}
    (optional: network: <Network id>; 'ns/name' may name a workload instead of a pod)

Options:
  -e, --expect FILE       the expectations (required)
  --semantics S           ovn-kubernetes (default) or kubernetes
  -v, --verbose           print passing probes too
  --implicit-namespaces   create Namespaces the manifests refer to but do not define
${CROSS_CHECK_HELP}  --lenient               skip unreadable or invalid documents with a warning (as upstream analyzers do)

Exit: 0 all probes hold, 1 some probe fails, 2 bad input, 3 the compiled OpenFlow disagrees with
the evaluator on some probe (a udnc bug; both reason chains are printed).
`,
  async run(argv, io) {
    const args = parseCommandArgs(verify, argv, OPTIONS, io);
    if (!args) return EXIT.BAD_INPUT;
    const opt = args.values;
    const verbose = opt.verbose === true;
    const file = opt.expect;
    if (file === undefined) throw usage('verify', '--expect FILE is required');
    if (!args.positionals.length) throw usage('verify', 'no input paths');
    let text: string;
    try {
      text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
    } catch (e) {
      throw usage('verify', `cannot read ${file}: ${(e as Error).message}`);
    }
    const exps = parseExpectations(text, file);
    const semantics = semanticsFlag(opt.semantics, 'verify');
    const progress = createProgress(io, 'verify');
    let set;
    let rep;
    try {
      let model;
      ({ set, model } = await loadModel(args.positionals, opt, io, progress));
      progress.stage(`evaluating ${exps.length} probes`);
      rep = verifyExpectations(model, exps, { semantics });
    } finally {
      progress.done();
    }
    for (const n of set.notices) if (n.severity !== 'notice') io.stderr(`${formatDiagnostic(n)}\n`);
    for (const r of rep.results) {
      if (r.ok && !verbose) continue;
      const e = r.expectation;
      io.stdout(`${r.ok ? 'ok  ' : 'FAIL'} ${e.origin}: ${e.text}: expected ${e.allowed ? 'allowed' : 'denied'}, ` +
        `got ${r.verdict.allowed ? 'allowed' : 'denied'}\n`);
      if (!r.ok || verbose) for (const l of reasonText(r.verdict)) io.stdout(`      ${l}\n`);
    }
    io.stdout(`${rep.results.length - rep.failed.length} passed, ${rep.failed.length} failed\n`);
    if (!opt['no-cross-check']) {
      const probes = rep.results.map((r) => r.probe).filter((p): p is Probe => p !== undefined);
      progress.stage(`cross-check: compiling to OpenFlow, classifying ${probes.length} probes`);
      let cc;
      try {
        cc = runCrossCheck(set, probes, clearingStderr(io, progress), { implicitNamespaces: opt['implicit-namespaces'] === true, verbose });
      } finally {
        progress.done();
      }
      if (cc.code !== EXIT.OK) return cc.code;
    }
    return rep.failed.length ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
