import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { main } from '../src/cli/main.js';
import { createProgress } from '../src/common/progress.js';
import { InputError } from '../src/common/errors.js';
import {
  GRAPH_MAX_NODES, buildHeatMap, buildReport, CODE, esc, expandLine, matrixEdges, matrixToDot, matrixToSvg, renderHtml, scriptJSON,
} from '../src/report/index.js';
import { buildMatrix, type Matrix } from '../src/semantics/index.js';
import type { ClusterModel } from '../src/model/types.js';

const FIXTURES = readdirSync('fixtures', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `fixtures/${d.name}`).sort();
const F07 = 'fixtures/07-anp-banp-cluster-guardrails';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'area', 'base', 'wbr', 'source']);

/** A small well-formedness check: tags balance (void elements aside), script/style bodies skipped, attributes quoted. */
function checkMarkup(text: string, xml = false): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*"|='[^']*')?)*)\s*(\/?)>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<\?xml[^>]*\?>|<|>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0] === '<') { problems.push(`stray '<' at ${m.index}: ${text.slice(m.index, m.index + 30)}`); continue; }
    if (m[0] === '>') { problems.push(`stray '>' at ${m.index}: ${text.slice(Math.max(0, m.index - 30), m.index + 1)}`); continue; }
    if (!m[2]) continue;
    const name = xml ? m[2] : m[2].toLowerCase();
    if (m[1]) {
      const top = stack.pop();
      if (top !== name) { problems.push(`</${name}> closes <${top}> at ${m.index}`); break; }
    } else if (m[4] === '/' || (!xml && VOID.has(name))) {
      // self-closing
    } else {
      stack.push(name);
      if (!xml && (name === 'script' || name === 'style')) {
        const end = text.indexOf(`</${name}>`, re.lastIndex);
        if (end < 0) { problems.push(`unterminated <${name}>`); break; }
        re.lastIndex = end;
      }
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

async function model(dir: string): Promise<ClusterModel> {
  return (await compile([dir], { until: 'model' })).model!;
}

describe('report html', () => {
  it('is well formed, self-contained and deterministic (fixture 07)', async () => {
    const a = (await buildReport([F07], { version: 'x' })).text;
    const b = (await buildReport([F07], { version: 'x' })).text;
    expect(a).toBe(b);
    expect(a.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(checkMarkup(a)).toEqual([]);
    // no external resources, no clock
    expect(a).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(a).not.toMatch(/@import|url\(/);
    expect(a).not.toMatch(/generated \d{4}-/);
    const t = (await buildReport([F07], { version: 'x', timestamp: '2026-01-02T03:04:05.000Z' })).text;
    expect(t).toContain('generated 2026-01-02T03:04:05.000Z');
    // sections
    for (const id of ['networks', 'namespaces', 'connectivity', 'cost']) expect(a).toContain(`<section id="${id}">`);
    expect(a).toContain('cluster-control');
  }, 120_000);

  it('marks non-OVN NADs and renders every fixture', async () => {
    for (const f of FIXTURES) {
      const { text } = await buildReport([f], { version: 'x', noCost: true });
      expect(checkMarkup(text), f).toEqual([]);
      if (f.includes('06-multus')) {
        expect(text).toContain('not OVN · bridge');
        expect(text).toContain('not OVN · ipvlan');
      }
    }
  }, 300_000);

  it('escapes user strings in markup and in the embedded data', async () => {
    const m = structuredClone(await model(F07)) as ClusterModel;
    const evil = `</script><script>alert(1)</script><b x="'&">`;
    (m.namespaces[1]!.labels as Record<string, string>)['tenant'] = evil;
    const heat = buildHeatMap(m);
    heat.entities[0]!.id = evil;
    heat.lines[0] = evil;
    const html = renderHtml({ model: m, heat, meta: { inputs: [`dir<${evil}`], semantics: 'ovn-kubernetes', version: 'x' } });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b x=');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('\\u003c/script\\u003e');
    expect(checkMarkup(html)).toEqual([]);
    expect(esc(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    expect(JSON.parse(scriptJSON({ s: '</script>&\u2028' }))).toEqual({ s: '</script>&\u2028' });
  }, 60_000);

  it('heat-map blocks of one network agree with udnc matrix (every fixture)', async () => {
    for (const f of FIXTURES) {
      const mod = await model(f);
      const heat = buildHeatMap(mod);
      const mx = buildMatrix(mod);
      for (const n of mx.networks) {
        const g = heat.groups.find((x) => x.network === n.network)!;
        expect(g.count, `${f} ${n.network}`).toBe(n.entities.length);
        for (let i = 0; i < n.entities.length; i++) {
          for (let j = 0; j < n.entities.length; j++) {
            const cell = heat.cells[g.start + i]![g.start + j]!;
            const base = i * n.rowWidth + n.colOffset[j]!;
            const ours = cell.filter((_, k) => k % 2 === 0).map((c) => c & 7);
            expect(ours, `${f} ${n.entities[i]!.id} → ${n.entities[j]!.id}`).toEqual([...n.codes.subarray(base, base + n.ports[j]!.length)]);
          }
        }
      }
    }
  }, 300_000);

  it('reason-line templates expand back to the verbatim chains (every fixture)', async () => {
    for (const f of FIXTURES) {
      const mod = await model(f);
      const t = buildHeatMap(mod);
      const v = buildHeatMap(mod, { verbatim: true });
      expect(t.lines.length, f).toBeLessThanOrEqual(v.lines.length);
      t.cells.forEach((row, i) => row.forEach((cell, j) => {
        for (let k = 0; k < cell.length / 2; k++) {
          const dst = t.entities[i]!.id === t.entities[j]!.id && t.pods[j]!.replica ? t.pods[j]!.replica! : t.pods[j]!.pod;
          const got = t.chains[cell[2 * k + 1]!]!.map((l) => expandLine(t.lines[l]!, t.pods[i]!.pod, dst, t.ports[j]![k]!));
          const want = v.chains[v.cells[i]![j]![2 * k + 1]!]!.map((l) => v.lines[l]!);
          expect(got, `${f} ${t.entities[i]!.id} → ${t.entities[j]!.id} ${t.ports[j]![k]}`).toEqual(want);
        }
      }));
    }
  }, 300_000);

  it('cross-network cells are isolated (fixture 01) and the cap leaves a note', async () => {
    const mod = await model('fixtures/01-namespace-isolation');
    const heat = buildHeatMap(mod);
    const client = heat.entities.findIndex((e) => e.id === 'default-client/client');
    const web = heat.entities.findIndex((e) => e.id === 'green/webserver');
    const c = heat.cells[client]![web]!;
    expect(c[0]! & CODE.allowed).toBe(0);
    expect(c[0]! & CODE.isolated).toBe(CODE.isolated);
    expect(heat.chains[c[1]!]!.map((l) => heat.lines[l]).join('\n')).toContain('different primary networks');
    const capped = buildHeatMap(mod, { maxWorkloads: 2 });
    expect(capped.shownEntities).toBe(2);
    expect(capped.totalEntities).toBe(4);
    const html = renderHtml({ model: mod, heat: capped, meta: { inputs: ['x'], semantics: 'ovn-kubernetes', version: 'x' } });
    expect(html).toContain('Showing 2 of 4 workloads');
  }, 60_000);
});

describe('report graph (dot / svg)', () => {
  async function matrix(dir: string): Promise<Matrix> {
    return buildMatrix(await model(dir));
  }

  it('dot: one cluster per network, an edge per allowed pair', async () => {
    const m = await matrix(F07);
    const dot = matrixToDot(m);
    expect(dot).toMatch(/^digraph connectivity \{\n/);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect((dot.match(/\{/g) ?? []).length).toBe((dot.match(/\}/g) ?? []).length);
    const edges = matrixEdges(m.networks[0]!);
    expect((dot.match(/ -> /g) ?? []).length).toBe(edges.length);
    // tenant-b/db → tenant-a/web is denied: no edge; tenant-a/client → tenant-a/web: only 8080
    const idx = (id: string) => m.networks[0]!.entities.findIndex((e) => e.id === id);
    expect(edges.some((e) => e.src === idx('tenant-b/db') && e.dst === idx('tenant-a/web'))).toBe(false);
    expect(edges.find((e) => e.src === idx('tenant-a/client') && e.dst === idx('tenant-a/web'))).toMatchObject({ kind: 'some', label: '8080' });
    expect(dot).toContain(`"n0_${idx('tenant-a/client')}" -> "n0_${idx('tenant-a/web')}" [style=dashed, color="#d08a14", label="8080"];`);
    expect(matrixToDot(m)).toBe(dot);
  }, 60_000);

  it('svg: well-formed XML, escaped names, one line per edge, deterministic', async () => {
    const m = await matrix('fixtures/01-namespace-isolation');
    const svg = matrixToSvg(m);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(checkMarkup(svg, true)).toEqual([]);
    const edges = m.networks.flatMap((n) => matrixEdges(n).filter((e) => e.kind !== 'self-denied'));
    expect((svg.match(/<line class="edge/g) ?? []).length).toBe(edges.length);
    expect(matrixToSvg(m)).toBe(svg);
    const weird = structuredClone(m) as Matrix;
    weird.networks[0]!.entities[0]!.id = 'a<b>&"c';
    weird.networks[0]!.network = '<net>';
    const w = matrixToSvg(weird);
    expect(checkMarkup(w, true)).toEqual([]);
    expect(w).toContain('a&lt;b&gt;&amp;&quot;c');
    expect(matrixToDot(weird)).toContain('"a<b>&\\"c"');
  }, 60_000);
});

describe('progress and CLI', () => {
  it('progress is silent unless stderr is a TTY', () => {
    const err: string[] = [];
    const quiet = createProgress({ isTTY: false, stderr: (s) => err.push(s) }, 'report');
    quiet.stage('matrix', 10); quiet.tick(); quiet.done();
    expect(err).toEqual([]);
    const tty = createProgress({ isTTY: true, stderr: (s) => err.push(s) }, 'report');
    tty.stage('matrix', 4);
    for (let i = 0; i < 4; i++) tty.tick();
    tty.tick(); // past the end: stays at 100%, no redraw
    tty.done();
    expect(err.join('')).toBe(['0%', '25%', '50%', '75%', '100%'].map((p) => `\r\x1b[Kudnc report: matrix ${p}`).join('') + '\r\x1b[K');
  });

  it('udnc report writes html/svg/dot files; format from the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udnc-report-cli-'));
    for (const [file, head] of [['r.svg', '<svg'], ['r.dot', 'digraph'], ['r.html', '<!DOCTYPE html>']] as const) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['report', F07, '--no-cost', '-o', join(dir, file)], {
        stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, readStdin: async () => '',
      });
      expect(code).toBe(0);
      expect(out.join('')).toBe('');
      expect(err.join('')).toMatch(/^udnc report: wrote .* bytes\)\n$/); // no progress without a TTY
      expect(readFileSync(join(dir, file), 'utf8').startsWith(head)).toBe(true);
    }
    const err: string[] = [];
    const bad = await main(['report', F07, '--format', 'pdf'], { stdout: () => {}, stderr: (s) => err.push(s), isTTY: false, readStdin: async () => '' });
    expect(bad).toBe(2);
  }, 120_000);

  it(`dot/svg: refused above ${GRAPH_MAX_NODES} workloads per network, as udnc matrix (exit 2, nothing written)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udnc-report-big-'));
    const big = join(dir, 'big.yaml');
    const manifests = (n: number) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: big}\n` + Array.from({ length: n }, (_, i) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: big, labels: {app: p${i}}}\nspec: {containers: [{name: c, image: x}]}\n`).join('');
    writeFileSync(big, manifests(GRAPH_MAX_NODES + 1));
    for (const fmt of ['dot', 'svg']) {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => '' };
      expect(await main(['report', big, '-f', fmt], io)).toBe(2);
      expect(out.join('')).toBe('');
      expect(err.join('')).toContain(`udnc report: -f ${fmt}: a graph of more than ${GRAPH_MAX_NODES} workloads per network is unreadable: network default has ${GRAPH_MAX_NODES + 1}`);
      const file = join(dir, `big.${fmt}`);
      expect(await main(['report', big, '-o', file], io)).toBe(2);
      expect(existsSync(file)).toBe(false);
      // the library throws an InputError (exit 2 in the CLI) unless told otherwise
      await expect(buildReport([big], { format: fmt as 'dot' | 'svg' })).rejects.toBeInstanceOf(InputError);
    }
    // exactly at the limit it draws, and the html heat map has no such limit
    const edge = join(dir, 'edge.yaml');
    writeFileSync(edge, manifests(GRAPH_MAX_NODES));
    expect((await buildReport([edge], { format: 'dot' })).text).toMatch(/^digraph connectivity \{/);
    expect((await buildReport([big], { format: 'html', noCost: true })).text.startsWith('<!DOCTYPE html>')).toBe(true);
  }, 120_000);
});
