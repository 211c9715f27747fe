/** udnc matrix / verify / conformance through the CLI entry (argument handling, formats, exit codes). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { sharedPath } from './helpers/shared.js';

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
