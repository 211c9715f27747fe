import { type Command, parseCommandArgs, usageError } from '../command.js';
import { EXIT, InputError, formatDiagnostic, type Diagnostic } from '../../common/errors.js';
import { compileManifests, type CompileResult } from '../../compile.js';
import { loadManifests } from '../../manifests/index.js';
import { RULES, RULE_BY_ID, atLeast, formatFinding, lint as runLint, type LintSeverity } from '../../lint/index.js';

const HELP = `Usage: udnc lint PATHS... [-o txt|json] [--severity warning|info] [-q]
       udnc lint --explain ID
       udnc lint --rules

Reports what ovn-kubernetes v1.3.0 would accept silently but not do as written: policies and
peers selecting nothing, CUDNs selecting no namespace, missing primary-UDN namespace labels,
unsupported or duplicate ANP priorities, NetworkPolicy rules fully decided by ANPs, named ports
and port-less entries ovn-k widens or drops, ACLs that explode into many OpenFlow flows,
Services without endpoints, policies that do not apply on primary UDNs, hostNetwork subjects.
Each finding: file:line:col, severity, rule id, field path, message.

Options:
  -o, --output F       txt (default) or json
  --severity S         lowest severity shown: info (default, everything) or warning
  --explain ID         the rule's full explanation
  --rules              list the rules
  -q, --quiet          do not print the loader's notices on stderr

When the model rejects the input (a problem a real cluster rejects), the manifest-level rules
still run; everything is printed to stderr with UDNC-L000 findings for the model errors.

Exit codes: 0 no warnings, 1 warnings (info findings alone do not count), 2 bad input.
`;

export const lint: Command = {
  name: 'lint',
  summary: 'warn about policies, networks and services ovn-kubernetes would not do as written',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(lint, argv, {
      output: { type: 'string', short: 'o', default: 'txt' }, severity: { type: 'string', default: 'info' },
      explain: { type: 'string' }, rules: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' },
    }, io);
    if (!args) return EXIT.BAD_INPUT;
    const v = args.values;
    if (v.explain !== undefined) {
      const id = v.explain.toUpperCase().replace(/^(L\d+)$/, 'UDNC-$1');
      const r = RULE_BY_ID.get(id);
      if (!r) return usageError(io, lint, `unknown rule '${v.explain}' (see udnc lint --rules)`);
      io.stdout(`${r.id} ${r.name} (${r.severity})\n${r.summary}\n\n${r.explain}\n`);
      return EXIT.OK;
    }
    if (v.rules) {
      const w = Math.max(...RULES.map((r) => r.name.length));
      io.stdout(RULES.map((r) => `${r.id}  ${r.name.padEnd(w)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n') + '\n');
      return EXIT.OK;
    }
    if (!['txt', 'json'].includes(v.output)) return usageError(io, lint, `unknown -o '${v.output}' (expected txt or json)`);
    if (!['warning', 'info'].includes(v.severity)) return usageError(io, lint, `unknown --severity '${v.severity}' (expected warning or info)`);
    if (args.positionals.length === 0) return usageError(io, lint, 'no input given', true);
    const manifests = await loadManifests(args.positionals, { readStdin: io.readStdin });
    let result: CompileResult = { manifests };
    let modelErrors: Diagnostic[] | undefined;
    try {
      result = compileManifests(manifests, { until: 'nb' });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      modelErrors = e.diagnostics;
    }
    if (!v.quiet) for (const n of manifests.notices) io.stderr(formatDiagnostic(n) + '\n');
    const findings = atLeast(runLint(result, modelErrors ? { modelErrors } : {}), v.severity as LintSeverity);
    const text = v.output === 'json'
      ? JSON.stringify(findings, null, 2) + '\n'
      : findings.map(formatFinding).join('\n') + (findings.length ? '\n' : '');
    if (modelErrors) {
      io.stderr(text);
      return EXIT.BAD_INPUT;
    }
    io.stdout(text);
    return findings.some((f) => f.severity !== 'info') ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
