/**
 * The golden outputs of every fixture (golden/<fixture>/*, see golden/README.md) must equal what
 * udnc computes now. After an intended change: `npx tsx src/cli/main.ts golden update`, read the
 * diff, re-run the real-OVN differentials, update golden/README.md.
 *
 * Also checks the premise golden/README.md relies on for lflow.txt: the lflows of the fixture's NB
 * as udnc writes it are the same set as those of the NB with NB_Global options pinned as in the
 * real-northd differential (test/lflow-oracle.test.ts), so that differential confirms this golden;
 * likewise openflow.txt/groups.txt are udnc's flows for the single-chassis NB that
 * test/openflow-oracle.test.ts loads into the real ovn-controller (before it swaps in the real SB
 * UUIDs, tunnel keys and zones).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_FILES, checkGoldens, listFixtures, readFixture } from '../src/golden/index.js';
import { compile } from '../src/compile.js';
import { computeLogicalFlows, formatLflowLine, lflowSet } from '../src/lflow/index.js';
import { compileOpenFlow, formatAddFlows, formatGroups } from '../src/openflow/index.js';
import { singleChassisView } from './oracle/single-chassis.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES_DIR = join(ROOT, 'fixtures');
const GOLDEN_DIR = join(ROOT, 'golden');
const fixtures = await listFixtures(FIXTURES_DIR);

describe('golden outputs', () => {
  it('every fixture has a golden folder', () => {
    for (const f of fixtures) expect(existsSync(join(GOLDEN_DIR, f)), f).toBe(true);
  });

  it.each(fixtures)('%s', async (fixture) => {
    const results = await checkGoldens({ fixturesDir: FIXTURES_DIR, goldenDir: GOLDEN_DIR, fixtures: [fixture] });
    const changed = results.filter((r) => r.status === 'changed');
    // print the diffs: that is what a failing CI run should show
    for (const r of changed) console.log(r.diff);
    expect(changed.map((r) => r.file)).toEqual([]);
    expect(results.filter((r) => r.status === 'same').length).toBeGreaterThan(0);
  }, 300_000);

  it.each(fixtures)('%s: lflow.txt is the set the real-northd differential compares', async (fixture) => {
    const path = join(GOLDEN_DIR, fixture, 'lflow.txt');
    if (!existsSync(path)) return; // pending (golden/README.md)
    const { nb } = await compile(await readFixture(FIXTURES_DIR, fixture), { until: 'nb' });
    const pinned = { ...nb!, nbGlobal: { ...nb!.nbGlobal, options: { ...nb!.nbGlobal.options, svc_monitor_mac: '0a:00:00:00:00:fe', mac_prefix: '0a:00:00' } } };
    const compared = lflowSet(computeLogicalFlows(pinned).flows.map((f) => `Datapath: "${f.datapath}" (0)  Pipeline: ${f.pipeline}\n${formatLflowLine(f)}`).join('\n'));
    expect(lflowSet(readFileSync(path, 'utf8'))).toEqual(compared);
  }, 300_000);

  it.each(fixtures)('%s: openflow.txt/groups.txt are the flows of the NB the real-controller differential loads', async (fixture) => {
    const path = join(GOLDEN_DIR, fixture, 'openflow.txt');
    if (!existsSync(path)) return; // pending (golden/README.md)
    const { nb: nb0 } = await compile(await readFixture(FIXTURES_DIR, fixture), { until: 'nb' });
    const nb = singleChassisView(nb0!);
    const of = compileOpenFlow(computeLogicalFlows(nb), { nb });
    expect(formatAddFlows(of)).toBe(readFileSync(path, 'utf8'));
    expect(formatGroups(of)).toBe(readFileSync(join(GOLDEN_DIR, fixture, 'groups.txt'), 'utf8'));
  }, 300_000);

  it('golden files are the known set', () => {
    expect(GOLDEN_FILES).toEqual(['nb.txt', 'nb.nbctl', 'lflow.txt', 'openflow.txt', 'groups.txt', 'matrix.txt']);
  });
});
