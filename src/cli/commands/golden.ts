import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { createProgress } from '../../common/progress.js';
import { parseArgs, usage } from '../../semantics/cli-util.js';
import { GOLDEN_FILES, type GoldenFile, checkGoldens, updateGoldens } from '../../golden/index.js';

const FLAGS = {
  '--fixtures-dir': { value: true },
  '--golden-dir': { value: true },
  '--file': { value: true },
  '--strict': { value: false },
};

export const golden: Command = {
  name: 'golden',
  summary: 'check or update the golden outputs of the fixtures (golden/<fixture>/*)',
  help: `udnc golden check|update [FIXTURES...] [options]

Every fixture folder (fixtures/<name>/) has golden outputs in golden/<name>/:
  nb.txt        northbound listing          nb.nbctl      ovn-nbctl script
  lflow.txt     ovn-sbctl lflow-list        openflow.txt  ovs-ofctl add-flows (single chassis)
  groups.txt    ovs-ofctl add-groups        matrix.txt    connectivity matrix (udnc matrix)

  check    recompute them and print a unified diff (golden → current) for each change;
           exit 1 if anything changed. Golden files not committed yet (pending a real-OVN
           check, see golden/README.md) are reported as skipped, or as changes with --strict.
  update   rewrite them from the current output. Read every rewritten file and confirm it
           against real OVN before committing it (golden/README.md).

Options:
  --fixtures-dir DIR   default fixtures
  --golden-dir DIR     default golden
  --file F             only this golden file (repeatable as a comma list: lflow.txt,nb.txt)
  --strict             check: a missing golden file counts as a change
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'golden');
    const [action, ...fixtures] = a.positional;
    if (action !== 'check' && action !== 'update') throw usage('golden', `expected 'check' or 'update', got '${action ?? ''}'`);
    let files: GoldenFile[] | undefined;
    const f = a.flags.get('--file');
    if (typeof f === 'string') {
      files = f.split(',').filter(Boolean) as GoldenFile[];
      for (const x of files) if (!GOLDEN_FILES.includes(x)) throw usage('golden', `unknown golden file '${x}' (have: ${GOLDEN_FILES.join(', ')})`);
    }
    const opts = {
      fixtures, ...(files ? { files } : {}),
      ...(typeof a.flags.get('--fixtures-dir') === 'string' ? { fixturesDir: a.flags.get('--fixtures-dir') as string } : {}),
      ...(typeof a.flags.get('--golden-dir') === 'string' ? { goldenDir: a.flags.get('--golden-dir') as string } : {}),
    };
    let results;
    const progress = createProgress(io, `golden ${action}`);
    const onFixture = (fixture: string, i: number, n: number) => progress.stage(`fixture ${i + 1}/${n}: ${fixture}`);
    try {
      results = action === 'update' ? await updateGoldens({ ...opts, onFixture }) : await checkGoldens({ ...opts, onFixture, missingIsChange: a.flags.has('--strict') });
    } catch (e) {
      if (e instanceof Error && /^no fixture|no \.yaml|ENOENT/.test(e.message)) throw usage('golden', e.message);
      throw e;
    } finally {
      progress.done();
    }
    const count = (s: string) => results.filter((r) => r.status === s).length;
    for (const r of results) if (r.diff) io.stdout(r.diff);
    if (action === 'update') {
      for (const r of results) if (r.status === 'written') io.stderr(`wrote golden/${r.fixture}/${r.file}\n`);
      io.stderr(`golden update: ${count('written')} written, ${count('same')} unchanged\n`);
      return EXIT.OK;
    }
    const bad = results.filter((r) => r.status === 'changed' || r.status === 'missing');
    for (const r of bad) io.stderr(`${r.status}: golden/${r.fixture}/${r.file}\n`);
    const skipped = results.filter((r) => r.status === 'skipped');
    if (skipped.length) io.stderr(`not committed (pending, see golden/README.md): ${skipped.map((r) => `${r.fixture}/${r.file}`).join(', ')}\n`);
    io.stderr(`golden check: ${count('same')} same, ${count('changed')} changed, ${count('missing')} missing, ${skipped.length} skipped\n`);
    return bad.length ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};
