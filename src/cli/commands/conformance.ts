import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { formatConformance, recordDeviations, runConformance } from '../../semantics/index.js';
import { parseArgs, semanticsFlag, usage } from '../../semantics/cli-util.js';

const FLAGS = {
  '--corpus': { value: true },
  '--case': { value: true },
  '--semantics': { value: true },
  '--verbose': { value: false, alias: '-v' },
  '--record-deviations': { value: false },
};

export const conformance: Command = {
  name: 'conformance',
  summary: 'run the peer conformance suites through the semantics evaluator',
  help: `udnc conformance DIR [options]

Runs every case of DIR (INDEX.json + <corpus>/<case>/expected.json + manifests, the layout of
shared/conformance) through the evaluator; prints agreement per corpus and per feature, the
documented deviations by reason (src/semantics/deviations.json), every unexplained disagreement
with its reason chain, and finally "N passed, N failed" (probes).

Options:
  --corpus NAME     only this corpus
  --case NAME       only this case
  --semantics S     ovn-kubernetes (default) or kubernetes
  -v, --verbose     list every unexplained disagreement
  --record-deviations
                    run both semantics and print deviations.json content for every disagreement
                    that flipping one documented choice explains (unattributed ones are never listed)

Exit: 0 if every disagreement is a documented deviation, 1 otherwise, 2 bad input.
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'conformance');
    const dir = a.positional[0];
    if (!dir || a.positional.length > 1) throw usage('conformance', 'exactly one directory expected');
    if (!existsSync(path.join(dir, 'INDEX.json'))) throw usage('conformance', `${dir} has no INDEX.json`);
    const corpus = a.flags.get('--corpus');
    const kase = a.flags.get('--case');
    const run = (semantics: 'ovn-kubernetes' | 'kubernetes') => runConformance(dir, {
      semantics,
      ...(typeof corpus === 'string' ? { corpus } : {}),
      ...(typeof kase === 'string' ? { case: kase } : {}),
      ...(io.isTTY ? { onCase: (p: string) => io.stderr(`\r\x1b[K${p}`) } : {}),
    });
    if (a.flags.has('--record-deviations')) {
      const reports = [await run('ovn-kubernetes'), await run('kubernetes')];
      if (io.isTTY) io.stderr('\r\x1b[K');
      io.stdout(JSON.stringify(recordDeviations(reports), null, 1) + '\n');
      return EXIT.OK;
    }
    const report = await run(semanticsFlag(a.flags.get('--semantics'), 'conformance'));
    if (io.isTTY) io.stderr('\r\x1b[K');
    if (!report.cases.length) throw usage('conformance', 'no case matched');
    io.stdout(formatConformance(report, { verbose: a.flags.has('--verbose') }));
    return report.unexplained.length || report.staleDeviations.length ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
