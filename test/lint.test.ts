import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile, compileManifests } from '../src/compile.js';
import { loadManifests } from '../src/manifests/index.js';
import { InputError, type Diagnostic } from '../src/common/errors.js';
import { lint, RULES, THRESHOLDS } from '../src/lint/index.js';
import { main } from '../src/cli/main.js';

const DIR = join(__dirname, 'data/lint');

async function lintFile(file: string) {
  const manifests = await loadManifests([file]);
  try {
    return { findings: lint(compileManifests(manifests, { until: 'nb' })), rejected: false };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { findings: lint({ manifests }, { modelErrors: e.diagnostics as Diagnostic[] }), rejected: true };
  }
}

describe('lint rules are data', () => {
  it('ids are unique, ordered and explained', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(r.explain.length).toBeGreaterThan(40);
    expect(THRESHOLDS.anpPriorityMax).toBe(99);
  });
});

describe('lint fixtures: each triggers exactly its rule', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
  for (const f of files) {
    const n = f.slice(0, 2);
    it(f, async () => {
      const { findings, rejected } = await lintFile(join(DIR, f));
      expect(rejected).toBe(false);
      const ids = [...new Set(findings.map((x) => x.rule))];
      if (n === '00') expect(findings).toEqual([]);
      else expect(ids).toEqual([`UDNC-L0${n}`]);
      for (const x of findings) {
        expect(x.source?.file).toContain(f);
        expect(x.source!.line).toBeGreaterThan(0);
      }
    }, 120_000);
  }
});

describe('lint details', () => {
  it('field paths point at the offending field', async () => {
    const { findings } = await lintFile(join(DIR, '08-named-port-widened.yaml'));
    expect(findings[0]!.path).toBe('spec.ingress[0].ports[0].port');
    const { findings: f5 } = await lintFile(join(DIR, '05-anp-priority-unsupported.yaml'));
    expect(f5[0]!.path).toBe('spec.priority');
  }, 120_000);

  it('a primary UDN in an unlabelled namespace: model rejects, manifest rules still report', async () => {
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: blue
---
apiVersion: k8s.ovn.org/v1
kind: UserDefinedNetwork
metadata:
  name: net
  namespace: blue
spec:
  topology: Layer2
  layer2:
    role: Primary
    subnets: ["10.100.0.0/16"]
`;
    const result = await compile([{ file: 'mem.yaml', text }], { until: 'manifests' });
    let errors: Diagnostic[] = [];
    try { compileManifests(result.manifests, { until: 'model' }); } catch (e) { errors = (e as InputError).diagnostics; }
    expect(errors.length).toBeGreaterThan(0);
    const ids = lint(result, { modelErrors: errors }).map((f) => f.rule);
    expect(ids).toContain('UDNC-L004');
    expect(ids).toContain('UDNC-L000');
  });

  it('shadowing is reported only when certain: an ANP Pass or a partial cover is not a shadow', async () => {
    const { readFileSync } = await import('node:fs');
    const base = readFileSync(join(DIR, '07-np-rule-shadowed.yaml'), 'utf8');
    for (const text of [
      base.replace('action: Deny', 'action: Pass'),
      // the ANP denies only TCP/9999, not the NP rule's TCP/8080
      base.replace('action: Deny\n      from:', 'action: Deny\n      ports:\n        - portNumber: {protocol: TCP, port: 9999}\n      from:'),
    ]) {
      expect(text).not.toBe(base);
      const r = await compile([{ file: 'mem.yaml', text }], { until: 'nb' });
      expect(lint(r).map((f) => f.rule)).not.toContain('UDNC-L007');
    }
  }, 120_000);

  it('the shipped fixtures are clean', async () => {
    for (const fx of ['02-networkpolicy-on-udn', '07-anp-banp-cluster-guardrails']) {
      const r = await compile([join(__dirname, '../fixtures', fx)], { until: 'nb' });
      expect(lint(r).filter((f) => f.severity !== 'info')).toEqual([]);
    }
  }, 120_000);
});

describe('udnc lint CLI', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, readStdin: async () => '' });
    return { code, out, err };
  };
  it('exit codes 0 / 1 and --explain', async () => {
    expect((await run(['lint', join(DIR, '00-clean.yaml')])).code).toBe(0);
    const r = await run(['lint', join(DIR, '11-service-no-endpoints.yaml'), '-o', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)[0].rule).toBe('UDNC-L011');
    const e = await run(['lint', '--explain', 'UDNC-L008']);
    expect(e.code).toBe(0);
    expect(e.out).toContain('2117');
    expect((await run(['lint', '--explain', 'nope'])).code).toBe(2);
    const rej = await run(['lint', join(DIR, 'rejected/udn-without-label.yaml')]);
    expect(rej.code).toBe(2);
    expect(rej.err).toMatch(/UDNC-L004 metadata\.labels: namespace blue/);
    expect(rej.err).toContain('UDNC-L000');
  }, 120_000);
});
