/** udnc matrix / verify / conformance through the CLI entry (argument handling, formats, exit codes). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { sharedPath } from './helpers/shared.js';
import { GRAPH_MAX_NODES } from '../src/report/graph.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: () => out.join(''), err: () => err.join(''),
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => '' },
  };
}
const F07 = 'fixtures/07-anp-banp-cluster-guardrails';
const F02 = 'fixtures/02-networkpolicy-on-udn';
const tmp = mkdtempSync(join(tmpdir(), 'udnc-verify-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('udnc matrix', () => {
  it('prints one matrix per network with the tier decisions', async () => {
    const c = capture();
    expect(await main(['matrix', F07], c.io)).toBe(0);
    const out = c.out();
    expect(out).toContain('## network default');
    // prometheus may scrape web on 9090 only; tenant-a/client reaches web on 8080 only
    expect(out).toMatch(/\[0\] monitoring\/prometheus\s+all\s+9090\s+9090\s+9090/);
    expect(out).toMatch(/\[1\] tenant-a\/client\s+all\s+all\s+8080\s+-/);
  });
  it('csv with --port gives one row per pair and the per-direction verdicts', async () => {
    const c = capture();
    expect(await main(['matrix', F07, '-o', 'csv', '--port', '5432'], c.io)).toBe(0);
    const rows = c.out().trim().split('\n');
    expect(rows[0]).toBe('network,src,dst,protocol,port,allowed,egress,ingress');
    expect(rows).toHaveLength(1 + 16);
    expect(rows).toContain('default,tenant-a/client,tenant-b/db,TCP,5432,false,true,false');
  });
  it('json --explain carries reason chains with file:line', async () => {
    const c = capture();
    expect(await main(['matrix', F02, '-o', 'json', '--explain'], c.io)).toBe(0);
    const j = JSON.parse(c.out());
    const udn = j.networks.find((n: any) => n.network === 'udn:green/namespace-scoped');
    const cell = udn.cells.find((x: any) => x.src === 'green/vm-a[VirtualMachine]' && x.dst === 'green/new-webserver');
    expect(cell.results[0]).toMatchObject({ protocol: 'TCP', port: 9001, allowed: true });
    const np = cell.results[0].reasons.find((r: any) => r.stage === 'networkpolicy');
    expect(np.object).toMatchObject({ kind: 'NetworkPolicy', name: 'ingress-port-9001-only' });
    expect(np.object.source.file).toMatch(/02-networkpolicy-on-udn\.yaml$/);
  });
  it('md output and usage errors', async () => {
    const c = capture();
    expect(await main(['matrix', F07, '-o', 'md'], c.io)).toBe(0);
    expect(c.out()).toContain('| src \\ dst |');
    expect(await main(['matrix', F07, '-o', 'xml'], capture().io)).toBe(2);
    expect(await main(['matrix'], capture().io)).toBe(2);
    expect(await main(['matrix', F07, '--port', '0'], capture().io)).toBe(2);
  });
  it('option forms (node:util parseArgs): --opt=value, -o value, last repeat wins, "--" ends options, "-" reads stdin', async () => {
    const ref = capture();
    expect(await main(['matrix', F07, '-o', 'csv', '--port', '8080', '--no-cross-check'], ref.io)).toBe(0);
    const forms = [
      ['matrix', '--output=csv', '--port=8080', '--no-cross-check', F07],
      ['matrix', '-o', 'md', F07, '-o', 'csv', '--port', '8080', '--no-cross-check'],
      ['matrix', '-o', 'csv', '--port', '8080', '--no-cross-check', '--', F07],
    ];
    for (const argv of forms) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(0);
      expect(c.out()).toBe(ref.out());
    }
    const yaml = readdirSync(F07).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(F07, f), 'utf8')).join('\n---\n');
    const stdin = capture();
    expect(await main(['matrix', '-', '-o', 'csv', '--port', '8080', '--no-cross-check'], { ...stdin.io, readStdin: async () => yaml })).toBe(0);
    expect(stdin.out()).toBe(ref.out());
    // after "--" an option-looking word is a path
    const dashed = capture();
    expect(await main(['matrix', '--no-cross-check', '--', '--pods'], dashed.io)).toBe(2);
    expect(dashed.err()).toContain('--pods');
  });
});

describe('udnc verify', () => {
  it('exit 0 when every probe holds (terse YAML, pods, IPs, services)', async () => {
    const exp = file('ok.yaml', [
      '- {from: tenant-a/client, to: tenant-a/web, port: 8080, protocol: TCP, allowed: true}',
      '- {from: tenant-a/client, to: tenant-a/web, port: 9090, allowed: false}',
      '- {from: monitoring/prometheus, to: tenant-b/db, port: 9090, allowed: true}',
      '- {from: tenant-b/db, to: 8.8.8.8, port: 53, protocol: UDP, allowed: true}',
    ].join('\n'));
    const c = capture();
    expect(await main(['verify', F07, '--expect', exp], c.io)).toBe(0);
    expect(c.out()).toContain('4 passed, 0 failed');
  });
  it('-e - reads the expectations from stdin; -v prints passing probes; --verbose and -v agree', async () => {
    const exp = '- {from: tenant-a/client, to: tenant-a/web, port: 8080, protocol: TCP, allowed: true}\n';
    const quiet = capture();
    expect(await main(['verify', F07, '--expect', '-', '--no-cross-check'], { ...quiet.io, readStdin: async () => exp })).toBe(0);
    expect(quiet.out()).toBe('1 passed, 0 failed\n');
    const outs: string[] = [];
    for (const v of ['-v', '--verbose']) {
      const c = capture();
      expect(await main(['verify', F07, '-e', '-', v, '--no-cross-check'], { ...c.io, readStdin: async () => exp })).toBe(0);
      expect(c.out()).toMatch(/^ok {3}-:1: tenant-a\/client → tenant-a\/web TCP\/8080: expected allowed, got allowed\n/);
      outs.push(c.out());
    }
    expect(outs[0]).toBe(outs[1]);
    expect(await main(['verify', F07, '--no-cross-check'], capture().io)).toBe(2); // --expect is required
  });
  it('exit 1 and the reason chain for a failing probe', async () => {
    const exp = file('bad.yaml', '- {from: tenant-b/db, to: tenant-a/web, port: 8080, allowed: true}\n');
    const c = capture();
    expect(await main(['verify', F07, '-e', exp], c.io)).toBe(1);
    expect(c.out()).toMatch(/FAIL .*bad\.yaml:1: tenant-b\/db → tenant-a\/web TCP\/8080: expected allowed, got denied/);
    expect(c.out()).toContain('deny-other-tenants');
  });
  it('an unknown pod fails the probe whatever it expected', async () => {
    const exp = file('ghost.yaml', '- {from: tenant-a/ghost, to: tenant-a/web, port: 8080, allowed: false}\n');
    const c = capture();
    expect(await main(['verify', F07, '-e', exp], c.io)).toBe(1);
    expect(c.out()).toContain('no pod or workload tenant-a/ghost');
  });
  it('exit 2 on malformed expectations', async () => {
    const exp = file('malformed.yaml', '- {from: tenant-a/client, to: tenant-a/web, port: 99999, allowed: maybe}\n');
    const c = capture();
    expect(await main(['verify', F07, '-e', exp], c.io)).toBe(2);
    expect(c.err()).toMatch(/port must be 1-65535/);
    expect(await main(['verify', F07], capture().io)).toBe(2);
  });
  it('reads a conformance expected.json', async () => {
    const dir = sharedPath('conformance/kubernetes-e2e-netpol/should-support-a-default-deny-ingress-policy');
    if (!existsSync(dir)) return;
    const c = capture();
    const code = await main(['verify', `${dir}/manifests`, '-e', `${dir}/expected.json`, '--semantics', 'kubernetes'], c.io);
    expect(c.out()).toMatch(/\d+ passed, 0 failed/);
    expect(code).toBe(0);
  });
});

describe('udnc conformance', () => {
  const DIR = sharedPath('conformance');
  it.skipIf(!existsSync(`${DIR}/INDEX.json`))('one corpus: figures and the final line', async () => {
    const c = capture();
    expect(await main(['conformance', DIR, '--corpus', 'kubernetes-e2e-netpol', '--semantics', 'kubernetes'], c.io)).toBe(0);
    expect(c.out()).toMatch(/kubernetes-e2e-netpol\s+506\/506\s+100\.0%/);
    expect(c.out().trim().split('\n').at(-1)).toBe('506 passed, 0 failed');
    const o = capture();
    // under ovn-kubernetes the named-port cases disagree, each one a documented deviation
    expect(await main(['conformance', DIR, '--corpus', 'kubernetes-e2e-netpol'], o.io)).toBe(0);
    expect(o.out()).toMatch(/6  choice:npNamedPortWidens/);
    expect(o.out().trim().split('\n').at(-1)).toBe('500 passed, 6 failed');
  }, 120_000);
  it('usage errors', async () => {
    expect(await main(['conformance'], capture().io)).toBe(2);
    expect(await main(['conformance', '/nonexistent'], capture().io)).toBe(2);
  });
});

describe('udnc matrix -o dot|svg', () => {
  type Pair = string; // `network|src|dst`
  /** The matrix's own verdicts, read from `-o json`: allowed pairs, and diagonals with nothing allowed. */
  async function fromJson(dir: string): Promise<{ nodes: Map<string, string[]>; allowed: Set<Pair>; selfDenied: Set<Pair> }> {
    const c = capture();
    expect(await main(['matrix', dir, '-o', 'json', '--no-cross-check'], c.io)).toBe(0);
    const j = JSON.parse(c.out());
    const nodes = new Map<string, string[]>();
    const allowed = new Set<Pair>();
    const selfDenied = new Set<Pair>();
    for (const n of j.networks) {
      nodes.set(n.network, n.entities.map((e: any) => e.id));
      for (const cell of n.cells) {
        const ok = cell.results.some((r: any) => r.allowed);
        if (cell.src !== cell.dst && ok) allowed.add(`${n.network}|${cell.src}|${cell.dst}`);
        if (cell.src === cell.dst && !ok) selfDenied.add(`${n.network}|${cell.src}|${cell.dst}`);
      }
    }
    return { nodes, allowed, selfDenied };
  }

  /** A small DOT reader for what udnc writes: clusters labelled "network X", nodes with a label, edges. */
  function parseDot(dot: string) {
    const nodes = new Map<string, string[]>();
    const label = new Map<string, { network: string; id: string }>();
    const edges: Array<{ a: string; b: string; attrs: string }> = [];
    let network: string | undefined;
    for (const line of dot.split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^\s*label="network ([^"]+)";/.exec(line))) { network = m[1]!; nodes.set(network, []); }
      else if ((m = /^\s*"([^"]+)" \[label="((?:[^"\\]|\\.)*)"\];$/.exec(line))) {
        const id = m[2]!.split('\\n')[0]!;
        nodes.get(network!)!.push(id);
        label.set(m[1]!, { network: network!, id });
      } else if ((m = /^\s*"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?;$/.exec(line))) edges.push({ a: m[1]!, b: m[2]!, attrs: m[3] ?? '' });
    }
    const pair = (e: { a: string; b: string }): Pair => {
      const a = label.get(e.a)!;
      const b = label.get(e.b)!;
      expect(a.network).toBe(b.network); // edges never cross networks
      return `${a.network}|${a.id}|${b.id}`;
    };
    return {
      nodes,
      allowed: new Set(edges.filter((e) => !e.attrs.includes('label="denied"')).map(pair)),
      selfDenied: new Set(edges.filter((e) => e.attrs.includes('label="denied"')).map(pair)),
      edgeCount: edges.length,
    };
  }

  for (const dir of [F02, F07, 'fixtures/03-cudn-interconnected-namespaces']) {
    it(`dot: nodes and edges are the matrix's workloads and allowed pairs (${dir})`, async () => {
      const want = await fromJson(dir);
      const c = capture();
      expect(await main(['matrix', dir, '-o', 'dot', '--no-cross-check'], c.io)).toBe(0);
      const dot = c.out();
      expect(dot).toMatch(/^digraph connectivity \{\n[\s\S]*\}\n$/);
      const got = parseDot(dot);
      expect(got.nodes).toEqual(want.nodes);
      expect([...got.allowed].sort()).toEqual([...want.allowed].sort());
      expect([...got.selfDenied].sort()).toEqual([...want.selfDenied].sort());
      expect(got.edgeCount).toBe(want.allowed.size + want.selfDenied.size); // no duplicate edge
      expect(want.allowed.size).toBeGreaterThan(0);
      const again = capture();
      await main(['matrix', dir, '-o', 'dot', '--no-cross-check'], again.io);
      expect(again.out()).toBe(dot); // deterministic
    }, 120_000);
  }

  it('svg: well-formed XML (expat when python3 is there, else a tag-balance check), one <line> per allowed pair', async () => {
    const want = await fromJson(F02);
    const c = capture();
    expect(await main(['matrix', F02, '-o', 'svg', '--no-cross-check'], c.io)).toBe(0);
    const svg = c.out();
    expect(wellFormed(svg)).toEqual([]);
    const titles = [...svg.matchAll(/<line class="edge (?:all|some)"[^>]*><title>([^<]*)<\/title><\/line>/g)].map((m) => m[1]!);
    expect(titles).toHaveLength((svg.match(/<line /g) ?? []).length);
    const got = new Set<Pair>();
    // which network each line is in: the enclosing <g class="network" data-network=…>
    for (const g of svg.split('<g class="network" data-network="').slice(1)) {
      const network = unescapeXml(g.slice(0, g.indexOf('"')));
      for (const m of g.matchAll(/<line class="edge (?:all|some)"[^>]*><title>([^<]*)<\/title>/g)) {
        const [src, rest] = unescapeXml(m[1]!).split(' → ') as [string, string];
        got.add(`${network}|${src}|${rest.slice(0, rest.lastIndexOf(': '))}`);
      }
    }
    expect(got.size).toBe(titles.length);
    expect([...got].sort()).toEqual([...want.allowed].sort());
    const again = capture();
    await main(['matrix', F02, '-o', 'svg', '--no-cross-check'], again.io);
    expect(again.out()).toBe(svg);
  }, 120_000);

  it(`refuses (exit 2, nothing on stdout) above ${GRAPH_MAX_NODES} workloads in one network, and --explain with a graph`, async () => {
    const pods = Array.from({ length: GRAPH_MAX_NODES + 1 }, (_, i) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: big, labels: {app: p${i}}}\nspec: {containers: [{name: c, image: x}]}\n`).join('');
    const big = file('big.yaml', `apiVersion: v1\nkind: Namespace\nmetadata: {name: big}\n${pods}`);
    for (const fmt of ['dot', 'svg']) {
      const c = capture();
      expect(await main(['matrix', big, '-o', fmt, '--no-cross-check'], c.io)).toBe(2);
      expect(c.out()).toBe('');
      expect(c.err()).toContain(`more than ${GRAPH_MAX_NODES} workloads per network is unreadable: network default has ${GRAPH_MAX_NODES + 1}`);
    }
    const ok = capture();
    expect(await main(['matrix', big, '-o', 'csv', '--port', '80', '--no-cross-check'], ok.io)).toBe(0);
    const e = capture();
    expect(await main(['matrix', F07, '-o', 'dot', '--explain'], e.io)).toBe(2);
    expect(e.err()).toContain('--explain does not apply to -o dot');
  }, 120_000);
});

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Well-formedness problems of an XML text: a real parser (python3's expat) when present, and always a tag-balance check. */
function wellFormed(xml: string): string[] {
  const problems: string[] = [];
  const py = spawnSync('python3', ['-c', 'import sys, xml.parsers.expat as e; e.ParserCreate().Parse(sys.stdin.buffer.read(), True)'], { input: xml });
  if (!py.error && py.status !== 0) problems.push(`expat: ${py.stderr.toString().trim().split('\n').at(-1)}`);
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|#\d+);)/g)) {
    if (m[2] === undefined) { problems.push(`stray '${m[0]}' at ${m.index}`); continue; }
    if (m[1]) { if (stack.pop() !== m[2]) problems.push(`unbalanced </${m[2]}> at ${m.index}`); }
    else if (!m[4]) { if (!stack.length) roots++; stack.push(m[2]); }
    else if (!stack.length) roots++;
  }
  if (stack.length) problems.push(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
