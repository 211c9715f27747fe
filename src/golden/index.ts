/**
 * Golden files: for every fixture folder, the output of each stage as text, committed under
 * `golden/<fixture>/` so that any change to what udnc produces shows up as a reviewable diff.
 *
 * Source positions in the outputs name files as `<fixture>/<file>` (relative to the fixtures
 * folder), so the goldens do not depend on the working directory or on `--fixtures-dir`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compile } from '../compile.js';
import { formatListing, formatNbctl } from '../northbound/index.js';
import { formatLflowList } from '../lflow/index.js';
import { formatAddFlows, formatGroups } from '../openflow/index.js';
import { buildMatrix, formatMatrix } from '../semantics/index.js';
import { unifiedDiff } from '../diff/unified.js';

/** The golden files of one fixture, in pipeline order. */
export const GOLDEN_FILES = ['nb.txt', 'nb.nbctl', 'lflow.txt', 'openflow.txt', 'groups.txt', 'matrix.txt'] as const;
export type GoldenFile = (typeof GOLDEN_FILES)[number];

export interface GoldenDirs {
  /** folder with one sub-folder per fixture (default `fixtures`) */
  fixturesDir: string;
  /** folder with one sub-folder of golden files per fixture (default `golden`) */
  goldenDir: string;
}

const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);

/** Fixture names: the sub-folders of the fixtures folder, sorted. */
export async function listFixtures(fixturesDir: string): Promise<string[]> {
  const entries = await fs.readdir(fixturesDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(cmp);
}

/** The manifests of one fixture as `{ file: '<fixture>/<relative path>', text }`, sorted by path. */
export async function readFixture(fixturesDir: string, fixture: string): Promise<Array<{ file: string; text: string }>> {
  const root = path.join(fixturesDir, fixture);
  const out: Array<{ file: string; text: string }> = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => cmp(a.name, b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && MANIFEST_EXT.has(path.extname(e.name).toLowerCase())) {
        out.push({ file: path.posix.join(fixture, path.relative(root, p).split(path.sep).join('/')), text: await fs.readFile(p, 'utf8') });
      }
    }
  };
  await walk(root);
  if (!out.length) throw new Error(`fixture ${fixture}: no .yaml/.yml/.json files in ${root}`);
  return out;
}

/** Computes every golden file of one fixture. */
export async function renderGoldens(fixturesDir: string, fixture: string): Promise<Record<GoldenFile, string>> {
  const docs = await readFixture(fixturesDir, fixture);
  const r = await compile(docs, { until: 'openflow' });
  const nb = r.nb!;
  const of = r.openflow!;
  return {
    'nb.txt': formatListing(nb),
    'nb.nbctl': formatNbctl(nb),
    'lflow.txt': formatLflowList(r.lflow!),
    'openflow.txt': formatAddFlows(of),
    'groups.txt': formatGroups(of),
    'matrix.txt': formatMatrix(buildMatrix(r.model!), 'txt'),
  };
}

export interface GoldenFileResult {
  fixture: string;
  file: GoldenFile;
  status: 'same' | 'changed' | 'missing' | 'written' | 'skipped';
  /** unified diff golden → current output (status 'changed' or 'missing') */
  diff?: string;
}

export interface GoldenOptions extends Partial<GoldenDirs> {
  /** fixtures to check (default: all) */
  fixtures?: string[];
  /** golden files to check (default: all) */
  files?: readonly GoldenFile[];
  /** progress: called before each fixture is rendered (index from 0) */
  onFixture?: (fixture: string, index: number, total: number) => void;
}

function dirs(o: GoldenOptions): GoldenDirs {
  return { fixturesDir: o.fixturesDir ?? 'fixtures', goldenDir: o.goldenDir ?? 'golden' };
}

async function fixturesOf(o: GoldenOptions, d: GoldenDirs): Promise<string[]> {
  const all = await listFixtures(d.fixturesDir);
  if (!o.fixtures?.length) return all;
  for (const f of o.fixtures) if (!all.includes(f)) throw new Error(`no fixture '${f}' in ${d.fixturesDir} (have: ${all.join(', ')})`);
  return o.fixtures;
}

/**
 * Compares the current output with the golden files. A golden file that does not exist is
 * 'skipped' (not yet committed, e.g. pending a real-OVN check; see golden/README.md) unless
 * `missingIsChange` is set.
 */
export async function checkGoldens(o: GoldenOptions & { missingIsChange?: boolean } = {}): Promise<GoldenFileResult[]> {
  const d = dirs(o);
  const out: GoldenFileResult[] = [];
  const fixtures = await fixturesOf(o, d);
  for (const [i, fixture] of fixtures.entries()) {
    o.onFixture?.(fixture, i, fixtures.length);
    const cur = await renderGoldens(d.fixturesDir, fixture);
    for (const file of o.files ?? GOLDEN_FILES) {
      const p = path.join(d.goldenDir, fixture, file);
      const old = await fs.readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      const label = path.posix.join('golden', fixture, file);
      if (old === undefined) {
        out.push(o.missingIsChange
          ? { fixture, file, status: 'missing', diff: unifiedDiff('', cur[file], '/dev/null', `${label} (current)`) }
          : { fixture, file, status: 'skipped' });
      } else if (old === cur[file]) out.push({ fixture, file, status: 'same' });
      else out.push({ fixture, file, status: 'changed', diff: unifiedDiff(old, cur[file], `${label} (golden)`, `${label} (current)`) });
    }
  }
  return out;
}

/** Rewrites the golden files (all, or the given fixtures/files) with the current output. */
export async function updateGoldens(o: GoldenOptions = {}): Promise<GoldenFileResult[]> {
  const d = dirs(o);
  const out: GoldenFileResult[] = [];
  const fixtures = await fixturesOf(o, d);
  for (const [i, fixture] of fixtures.entries()) {
    o.onFixture?.(fixture, i, fixtures.length);
    const cur = await renderGoldens(d.fixturesDir, fixture);
    await fs.mkdir(path.join(d.goldenDir, fixture), { recursive: true });
    for (const file of o.files ?? GOLDEN_FILES) {
      const p = path.join(d.goldenDir, fixture, file);
      const old = await fs.readFile(p, 'utf8').catch(() => undefined);
      if (old === cur[file]) { out.push({ fixture, file, status: 'same' }); continue; }
      await fs.writeFile(p, cur[file]);
      out.push({ fixture, file, status: 'written' });
    }
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
