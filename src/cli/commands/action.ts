import type { CliIO, Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import {
  ActionError, encodeActions, formatActions, parseActions, testOvnContext, OFTABLES_25_03, type ActionContext,
} from '../../expr/actions/index.js';

const HELP = `udnc action: encode OVN logical-flow actions to OpenFlow, as OVN 25.03 does

Usage: udnc action 'ACTIONS' [options]
       udnc action - [options]          (actions read from stdin)

Prints what \`ovstest test-ovn parse-actions\` prints for the actions:
  formats as TEXT     OVN's canonical form (only when it differs from the input)
  encodes as OFPACTS  the OpenFlow actions, in ovs-ofctl syntax
  uses group: …       select groups the actions install
  uses meter: …       meters the actions use
  has prereqs EXPR    what the actions add to the flow's match
On a parse error, prints OVN's error message on stderr and exits 2.

Options:
  --table N                 logical table of the flow (default 10)
  --pipeline ingress|egress logical pipeline (default ingress)
  --router                  the flow belongs to a logical router (default: switch)
  --controller              ovn-controller's environment instead of test-ovn's: \`output;\` goes
                            to table 40 in ingress, 30 logical tables, ct zero-SNAT supported,
                            actions printed as ovs-ofctl dump-flows shows them (dec_ttl())
  --port NAME=KEY           logical port / multicast group tunnel key (repeatable; replaces
                            the default map eth0=5 eth1=6 LOCAL=0xfffe lsp1=0x11)
  --json                    print one JSON object instead
Defaults reproduce the upstream test vectors' environment (cur_ltable 10, ingress, switch,
n_tables 24, \`output;\` -> resubmit(,64), lflow UUID aaaaaaaa-bbbb-bbbb-cccc-ccccdddddddd,
datapath key 0xabcdef).
`;

function fail(io: CliIO, msg: string): number {
  io.stderr(`udnc action: ${msg}\n`);
  return EXIT.BAD_INPUT;
}

export const action: Command = {
  name: 'action',
  summary: 'encode OVN actions to OpenFlow (OVN 25.03 lib/actions.c)',
  help: HELP,
  async run(argv, io) {
    const ctx: ActionContext = testOvnContext();
    let text: string | undefined;
    let json = false;
    let ports: Record<string, number> | undefined;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const value = (): string | undefined => argv[++i];
      if (a === '--help' || a === '-h') {
        io.stdout(HELP);
        return EXIT.OK;
      } else if (a === '--table') {
        const v = value();
        if (v === undefined || !/^\d+$/.test(v)) return fail(io, '--table needs a non-negative integer');
        ctx.table = Number(v);
      } else if (a === '--pipeline') {
        const v = value();
        if (v !== 'ingress' && v !== 'egress') return fail(io, '--pipeline must be ingress or egress');
        ctx.pipeline = v;
      } else if (a === '--router') {
        ctx.isSwitch = false;
      } else if (a === '--controller') {
        ctx.nTables = OFTABLES_25_03.logPipelineLen;
        ctx.encode = { ...ctx.encode, outputPtable: undefined, ctZeroSnat: true };
        ctx.style = 'dump-flows';
      } else if (a === '--port') {
        const m = /^([^=]+)=(0x[0-9a-fA-F]+|\d+)$/.exec(value() ?? '');
        if (!m) return fail(io, '--port needs NAME=KEY');
        (ports ??= {})[m[1]!] = Number(m[2]);
      } else if (a === '--json') {
        json = true;
      } else if (a.startsWith('--')) {
        return fail(io, `unknown option ${a}`);
      } else if (text === undefined) {
        text = a;
      } else {
        return fail(io, 'expected one ACTIONS argument (quote it)');
      }
    }
    if (text === undefined) return fail(io, "missing ACTIONS (try `udnc action --help')");
    if (text === '-') text = (await io.readStdin()).replace(/\n+$/, '');
    if (ports) ctx.ports = ports;

    try {
      const parsed = parseActions(text, ctx);
      const formatted = formatActions(parsed.actions);
      const enc = encodeActions(text, ctx);
      if (json) {
        io.stdout(JSON.stringify({
          formatted, ofpacts: enc.ofpacts, prereqs: enc.prereqs, groups: enc.groups, meters: enc.meters,
        }, null, 2) + '\n');
        return EXIT.OK;
      }
      const lines: string[] = [];
      if (formatted !== text) lines.push(`formats as ${formatted}`);
      lines.push(`encodes as ${enc.ofpacts}`);
      for (const g of enc.groups) lines.push(`uses group: ${g}`);
      for (const m of enc.meters) lines.push(`uses meter: ${m}`);
      if (enc.prereqs) lines.push(`has prereqs ${enc.prereqs}`);
      io.stdout(lines.join('\n') + '\n');
      return EXIT.OK;
    } catch (e) {
      if (e instanceof ActionError) {
        io.stderr(`${e.message}\n`);
        return EXIT.BAD_INPUT;
      }
      throw e;
    }
  },
};
