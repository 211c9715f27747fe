/**
 * Keeps docs/design/ovs-pipeline.md honest: every number it states about the pipeline is compared
 * with udnc's declared data, every flow it quotes from a golden file must be in that file, and every
 * `$ udnc …` command it quotes is run (in process) with its output compared with what the document
 * shows. A moved table, a renamed stage or a changed flow fails here, so the document cannot drift.
 *
 * Conventions the document follows (and this test parses):
 * - The logical-stage table has the header `| stage | datapath | pipeline | logical table | OpenFlow table | …`.
 * - The physical-table table has the header `| OpenFlow table | OVN constant | udnc data | …`; `udnc data` names
 *   a key of `OFTABLES_25_03` or `PHYS_TABLES_25_03`.
 * - Register tables have a `register` column and a `udnc data` column naming `REG.X` or `LOG_REG.x`.
 * - The conntrack/flags bit table has the header `| field | bits | …`; `field` is an OVN symbol.
 * - In prose and headings, `` `stage` (N → M) `` states a stage's logical and OpenFlow table, and
 *   `### Table N: … (`OFTABLE_X`)` a physical table.
 * - A fenced block preceded by `<!-- quote: PATH -->` quotes lines of PATH (repository-relative).
 * - A fenced block whose first line is `$ udnc ARGS[; echo exit=$?]` quotes a command; the other
 *   lines are its output (stderr then stdout), in order; a last line `exit=N` is the exit code.
 * - In quoted lines `…` stands for elided text: the pieces between must appear, in order, in one
 *   line. A line that is only `…` stands for elided lines. Leading/trailing blanks are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { OFTABLES_25_03 } from '../src/expr/actions/tables.js';
import { SYMTAB_ROWS } from '../src/expr/symtab-data.js';
import { PIPELINE_25_03, REG } from '../src/lflow/pipeline-25.03.js';
import { LOG_REG, PHYS_TABLES_25_03 } from '../src/openflow/physical.js';
import { REPO_ROOT } from './helpers/shared.js';

const DOC_PATH = 'docs/design/ovs-pipeline.md';
const doc = readFileSync(join(REPO_ROOT, DOC_PATH), 'utf8');
const docLines = doc.split('\n');

// ---------- markdown parsing ----------

interface MdTable { header: string[]; rows: string[][]; line: number }

const cells = (l: string): string[] => l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
const unticked = (s: string): string => s.replace(/`/g, '').trim();

function mdTables(): MdTable[] {
  const out: MdTable[] = [];
  let inFence = false;
  for (let i = 0; i < docLines.length; i++) {
    if (docLines[i]!.startsWith('```')) inFence = !inFence;
    if (inFence || !docLines[i]!.trimStart().startsWith('|')) continue;
    if (i > 0 && docLines[i - 1]!.trimStart().startsWith('|')) continue; // not the first line of a table
    const header = cells(docLines[i]!).map((h) => h.toLowerCase());
    const rows: string[][] = [];
    let j = i + 2; // skip the |---| line
    for (; j < docLines.length && docLines[j]!.trimStart().startsWith('|'); j++) rows.push(cells(docLines[j]!));
    out.push({ header, rows, line: i + 1 });
  }
  return out;
}

interface Fence { lines: string[]; line: number; quote?: string }

function fences(): Fence[] {
  const out: Fence[] = [];
  for (let i = 0; i < docLines.length; i++) {
    if (!docLines[i]!.startsWith('```')) continue;
    let j = i + 1;
    while (j < docLines.length && !docLines[j]!.startsWith('```')) j++;
    let k = i - 1;
    while (k >= 0 && docLines[k]!.trim() === '') k--;
    const m = k >= 0 ? /^<!-- quote: (\S+) -->$/.exec(docLines[k]!.trim()) : null;
    out.push({ lines: docLines.slice(i + 1, j), line: i + 1, ...(m ? { quote: m[1]! } : {}) });
    i = j;
  }
  return out;
}

// ---------- quoted-line matching ----------

/** Does output line `have` show quoted line `want` (with `…` elisions)? */
function lineMatches(want: string, have: string): boolean {
  const w = want.trim();
  const h = have.trim();
  if (!w.includes('…')) return w === h;
  let at = 0;
  for (const piece of w.split('…').map((p) => p.trim()).filter((p) => p !== '')) {
    const k = h.indexOf(piece, at);
    if (k < 0) return false;
    at = k + piece.length;
  }
  return true;
}

const quoted = (lines: string[]): string[] => lines.filter((l) => l.trim() !== '' && l.trim() !== '…');

/** The quoted lines that are not found, in order, among the output lines. */
function missingInOrder(want: string[], have: string[]): string[] {
  const missing: string[] = [];
  let at = 0;
  for (const w of quoted(want)) {
    let k = at;
    while (k < have.length && !lineMatches(w, have[k]!)) k++;
    if (k === have.length) missing.push(w);
    else at = k + 1;
  }
  return missing;
}

// ---------- the checks ----------

const tables = mdTables();
const findTable = (...cols: string[]): MdTable[] => tables.filter((t) => cols.every((c, i) => t.header[i] === c));

describe(`${DOC_PATH}: numbers agree with udnc's declared data`, () => {
  const ofBase = { ingress: OFTABLES_25_03.logIngressPipeline, egress: OFTABLES_25_03.logEgressPipeline } as const;

  it('the logical-stage table lists every stage of PIPELINE_25_03 once, with its logical and OpenFlow table', () => {
    const ts = findTable('stage', 'datapath', 'pipeline', 'logical table', 'openflow table');
    expect(ts.length, 'the stage table').toBeGreaterThan(0);
    const seen = new Map<string, string[]>();
    for (const t of ts) for (const r of t.rows) seen.set(unticked(r[0]!), r);
    const rowsTotal = ts.reduce((n, t) => n + t.rows.length, 0);
    expect(rowsTotal, 'one row per stage, no duplicates').toBe(seen.size);
    expect([...seen.keys()].sort()).toEqual(PIPELINE_25_03.stages.map((s) => s.name).sort());
    for (const s of PIPELINE_25_03.stages) {
      const r = seen.get(s.name)!;
      expect([r[1], r[2], Number(r[3]), Number(r[4])], s.name).toEqual([s.kind, s.pipeline, s.table, ofBase[s.pipeline] + s.table]);
    }
  });

  it('every `stage` (N → M) mention in the prose states the right tables', () => {
    const re = /`((?:ls|lr)_(?:in|out)_[a-z0-9_]+)` \((\d+) → (\d+)\)/g;
    let n = 0;
    for (const m of doc.matchAll(re)) {
      n++;
      const s = PIPELINE_25_03.stages.find((x) => x.name === m[1]);
      expect(s, `${m[0]}: no such stage in OVN 25.03`).toBeDefined();
      expect([Number(m[2]), Number(m[3])], m[0]).toEqual([s!.table, ofBase[s!.pipeline] + s!.table]);
    }
    expect(n, 'the per-stage sections use the (N → M) form').toBeGreaterThan(30);
  });

  it('the overview diagram states each pipeline\'s stage count and OpenFlow range right', () => {
    const re = /((?:ls|lr)_(?:in|out))_\*\s+\((\d+) stages, (\d+)\.\.(\d+)\)/g;
    let n = 0;
    for (const m of doc.matchAll(re)) {
      n++;
      const [kind, pipeline] = m[1]!.startsWith('ls') ? ['switch', m[1]!.endsWith('in') ? 'ingress' : 'egress'] : ['router', m[1]!.endsWith('in') ? 'ingress' : 'egress'];
      const st = PIPELINE_25_03.stages.filter((s) => s.kind === kind && s.pipeline === pipeline);
      const base = ofBase[pipeline as 'ingress' | 'egress'];
      expect([Number(m[2]), Number(m[3]), Number(m[4])], m[0]).toEqual([st.length, base, base + st.length - 1]);
    }
    expect(n).toBe(4);
  });

  it('the physical-table table agrees with OFTABLES_25_03 / PHYS_TABLES_25_03 and covers every constant', () => {
    const [t] = findTable('openflow table', 'ovn constant', 'udnc data');
    expect(t, 'the physical table').toBeDefined();
    const data: Record<string, Readonly<Record<string, unknown>>> = { OFTABLES_25_03: { ...OFTABLES_25_03 }, PHYS_TABLES_25_03: { ...PHYS_TABLES_25_03 } };
    const named = new Set<string>();
    for (const r of t!.rows) {
      const [obj, key] = unticked(r[2]!).split('.');
      expect(data[obj!]?.[key!], `${r[2]} (doc line ${t!.line})`).toBe(Number(r[0]));
      named.add(`${obj}.${key}`);
    }
    const tableKeys = [
      ...Object.keys(OFTABLES_25_03).filter((k) => k !== 'version' && k !== 'logPipelineLen').map((k) => `OFTABLES_25_03.${k}`),
      ...Object.keys(PHYS_TABLES_25_03).map((k) => `PHYS_TABLES_25_03.${k}`),
    ];
    expect(tableKeys.filter((k) => !named.has(k)), 'constants the document does not list').toEqual([]);
    // the headings `### Table N: … (`OFTABLE_X`)` use the same numbers
    const byConst = new Map(t!.rows.map((r) => [unticked(r[1]!), Number(r[0])]));
    let headings = 0;
    for (const l of docLines) {
      const m = /^#+ Table (\d+)\b.*\(`(OFTABLE_[A-Z0-9_]+)`\)/.exec(l);
      if (!m) continue;
      headings++;
      expect(byConst.get(m[2]!), l).toBe(Number(m[1]));
    }
    expect(headings).toBeGreaterThan(10);
  });

  it('register tables agree with REG / LOG_REG', () => {
    const ts = tables.filter((t) => t.header.includes('register') && t.header.includes('udnc data'));
    expect(ts.length).toBeGreaterThan(0);
    const reg: Record<string, string> = REG;
    const logReg: Record<string, unknown> = LOG_REG;
    let n = 0;
    for (const t of ts) {
      const ri = t.header.indexOf('register');
      const di = t.header.indexOf('udnc data');
      for (const r of t.rows) {
        const d = unticked(r[di]!);
        if (d === '' || d === '—') continue;
        const [obj, key] = d.split('.');
        const want = obj === 'REG' ? reg[key!] : obj === 'LOG_REG' ? logReg[key!] : undefined;
        expect(want, `${d} (doc line ${t.line})`).toBe(unticked(r[ri]!));
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it('ct_mark / ct_label / flags bits agree with the 25.03 symbol table', () => {
    const [t] = findTable('field', 'bits');
    expect(t).toBeDefined();
    for (const r of t!.rows) {
      const name = unticked(r[0]!);
      const sym = SYMTAB_ROWS.find((s) => s.name === name) as { ofs?: number; width?: number } | undefined;
      expect(sym, `${name}: not an OVN 25.03 symbol`).toBeDefined();
      const [lo, hi] = unticked(r[1]!).split('..').map(Number);
      expect([lo, (hi ?? lo!) - lo! + 1], name).toEqual([sym!.ofs, sym!.width]);
    }
    expect(t!.rows.length).toBeGreaterThan(8);
  });
});

describe(`${DOC_PATH}: quoted flows are in the golden files`, () => {
  const blocks = fences().filter((f) => f.quote);
  it('quotes golden files', () => expect(blocks.length).toBeGreaterThan(15));
  for (const b of blocks) {
    it(`line ${b.line}: ${b.quote}`, () => {
      const path = join(REPO_ROOT, b.quote!);
      expect(existsSync(path), b.quote).toBe(true);
      const have = readFileSync(path, 'utf8').split('\n');
      const missing = quoted(b.lines).filter((w) => !have.some((h) => lineMatches(w, h)));
      expect(missing).toEqual([]);
    });
  }
});

describe(`${DOC_PATH}: quoted udnc commands run and print what the document shows`, () => {
  // a command line is `$ udnc …`; a bare `udnc SUBCOMMAND …` line would be a command the test does not run
  const isCommand = (l: string): boolean => /^\s*\$ udnc /.test(l) || /^\s*udnc [a-z]+ /.test(l);
  const blocks = fences().filter((f) => !f.quote && f.lines.some(isCommand));
  const runs = new Map<string, Promise<{ code: number; lines: string[] }>>();
  const run = (argv: string[]): Promise<{ code: number; lines: string[] }> => {
    const key = argv.join('\0');
    if (!runs.has(key)) {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => '' };
      runs.set(key, main(argv, io).then((code) => ({ code, lines: [...err.join('').split('\n'), ...out.join('').split('\n')] })));
    }
    return runs.get(key)!;
  };

  it('quotes commands, each in the checked form', () => {
    expect(blocks.length).toBeGreaterThan(3);
    for (const b of blocks) {
      expect(b.lines[0], `doc line ${b.line}: a command block starts with "$ udnc "`).toMatch(/^\$ udnc /);
      expect(b.lines.slice(1).filter(isCommand), `doc line ${b.line}: one command per block`).toEqual([]);
    }
    // file paths in the commands are relative to the repository root
    expect(process.cwd(), 'run vitest from the repository root').toBe(REPO_ROOT);
  });

  for (const b of blocks) {
    it(`line ${b.line}: ${b.lines[0]}`, async () => {
      const m = /^\$ udnc (.*?)(; echo exit=\$\?)?$/.exec(b.lines[0]!)!;
      expect(m[1], 'no shell syntax in a quoted command').not.toMatch(/[|<>&;]/);
      const body = b.lines.slice(1);
      const last = quoted(body).at(-1) ?? '';
      const exitLine = /^exit=(\d+)$/.exec(last.trim());
      expect(Boolean(exitLine), 'a block ends with exit=N exactly when the command echoes it').toBe(Boolean(m[2]));
      const r = await run(m[1]!.split(/\s+/));
      expect(r.code).toBe(exitLine ? Number(exitLine[1]) : 0);
      expect(missingInOrder(exitLine ? body.slice(0, body.lastIndexOf(last)) : body, r.lines)).toEqual([]);
    }, 180_000);
  }
});
