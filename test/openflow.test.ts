/**
 * src/openflow without root: the real ovn-controller 25.03 dump of br-int for the ground-truth NB
 * (shared/reference/ovn-ground-truth/v25.03.0: nb-part1/2.nbctl, portmap.json →
 * openflow-br-int.txt, groups-br-int.txt) reproduced by udnc, plus unit properties.
 *
 * Normalization (the dump comes from a real SB whose UUIDs udnc cannot know): cookies are dropped
 * (lflow and Port_Binding UUIDs are random), conjunction ids are renumbered canonically (by the
 * flows that use them), and the CT zones are the ones the real controller chose (read off the dump's
 * table-0 flows and passed to udnc). Everything else is compared literally, as multisets of lines.
 * The live differential with real UUIDs and zones is test/openflow-oracle.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeLogicalFlows, parseNbctlScript } from '../src/lflow/index.js';
import { compileOpenFlow, formatAddFlows, formatDumpLine, formatGroups, formatPortMap, hash2words } from '../src/openflow/index.js';
import { compile } from '../src/compile.js';
import { sharedPath } from './helpers/shared.js';

const GT_DIR = sharedPath('reference/ovn-ground-truth/v25.03.0');
const read = (f: string) => readFileSync(join(GT_DIR, f), 'utf8');
const PINNED = { svc_monitor_mac: '0a:00:00:00:00:fe', mac_prefix: '0a:00:00' };

/** Drop cookies, renumber conjunction ids by the (id-free) lines that use them. */
export function normalizeDump(lines: string[]): string[] {
  const base = lines.map((l) => l.trim().replace(/^cookie=0x[0-9a-f]+, /, '').replace(/learn\(table=69,delete_learned,cookie=0x[0-9a-f]+/, 'learn(table=69,delete_learned,cookie=LB'));
  const users = new Map<string, string[]>();
  for (const l of base) {
    for (const m of l.matchAll(/conj(?:unction\(|_id=)(\d+)/g)) {
      const list = users.get(m[1]!) ?? [];
      list.push(l.replace(/conj(unction\(|_id=)\d+/g, 'conj$1#'));
      users.set(m[1]!, list);
    }
  }
  const sig = [...users].map(([id, ls]) => [id, ls.sort().join('\n')] as const).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const rank = new Map(sig.map(([id], i) => [id, i + 1]));
  return base.map((l) => l.replace(/conj(unction\(|_id=)(\d+)/g, (_, p: string, id: string) => `conj${p}C${rank.get(id)}`)).sort();
}

function diff(ours: string[], real: string[]): { missing: string[]; extra: string[] } {
  const count = (a: string[]) => { const m = new Map<string, number>(); for (const x of a) m.set(x, (m.get(x) ?? 0) + 1); return m; };
  const A = count(ours);
  const B = count(real);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, v] of B) for (let i = A.get(k) ?? 0; i < v; i++) missing.push(k);
  for (const [k, v] of A) for (let i = B.get(k) ?? 0; i < v; i++) extra.push(k);
  return { missing, extra };
}

function groundTruth() {
  const nb = parseNbctlScript(read('nb-part1.nbctl') + read('nb-part2.nbctl'), PINNED);
  // tunnel keys as the real SB had them (creation order)
  const lf = computeLogicalFlows(nb, { datapathKeys: { sw0: 1, swt: 2, r0: 3 }, portKeys: { p1: 2, p2: 1, 'sw0-r0': 3, t1: 1, t2: 2, 'r0-sw0': 1 } });
  const ofports = JSON.parse(read('portmap.json')) as Record<string, number>;
  // zones the real ovn-controller allocated (visible in the dump's table 0/43 flows)
  const zones = { ports: { p1: 5, p2: 7, t1: 9, t2: 6 }, dnat: { sw0: 8, swt: 1, r0: 4 }, snat: { sw0: 10, swt: 2, r0: 3 } };
  return { nb, lf, of: compileOpenFlow(lf, { nb, ofports, zones }) };
}

describe('openflow: real ovn-controller 25.03 ground truth (openflow-br-int.txt)', () => {
  it('reproduces every flow of br-int', () => {
    const { of } = groundTruth();
    expect(of.errors).toEqual([]);
    const real = normalizeDump(read('openflow-br-int.txt').split('\n').filter((l) => l.trim()));
    const ours = normalizeDump(of.flows.map(formatDumpLine));
    const d = diff(ours, real);
    console.log(`openflow ground truth: real ${real.length} flows, udnc ${ours.length}, missing ${d.missing.length}, extra ${d.extra.length}`);
    expect(d).toEqual({ missing: [], extra: [] });
  });

  it('reproduces the select group of the load balancer', () => {
    const { of } = groundTruth();
    const real = read('groups-br-int.txt').split('\n').filter((l) => l.includes('group_id='));
    expect(of.groups.length).toBe(real.length);
    const backends = (t: string) => [...t.matchAll(/nat\(dst=([^)]*)\)/g)].map((m) => m[1]).sort();
    expect(of.groups.map((g) => backends(g.text))).toEqual(real.map(backends));
    expect(of.groups[0]!.buckets.map((b) => b.backend)).toEqual([{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 8080 }]);
    expect(of.groups[0]!.type).toBe('select');
  });

  it('port map: ofport ↔ iface-id', () => {
    const { of } = groundTruth();
    expect(of.ports.map((p) => [p.ofport, p.ifaceId])).toEqual([[1, 'p1'], [2, 'p2'], [3, 't1'], [4, 't2']]);
    expect(JSON.parse(formatPortMap(of)).ports).toHaveLength(4);
  });

  it('provenance: every flow has a reason; lflow flows carry their lflow', () => {
    const { of } = groundTruth();
    for (const f of of.flows) expect(f.provenance.length).toBeGreaterThan(0);
    const acl = of.flows.find((f) => f.provenance.some((p) => p.kind === 'lflow' && p.lflow.match.includes('tcp.dst == 22')));
    expect(acl).toBeDefined();
  });
});

describe('openflow: determinism and helpers', () => {
  it('hash_2words matches lflow-conj-ids.c (verified pair)', () => {
    expect(hash2words(0xdcf21d09, 0xa6bb0163)).toBe(2590407751);
  });

  it('same input → same text (flows, groups, port map)', () => {
    const a = groundTruth().of;
    const b = groundTruth().of;
    expect(formatAddFlows(a)).toBe(formatAddFlows(b));
    expect(formatGroups(a)).toBe(formatGroups(b));
    expect(formatPortMap(a)).toBe(formatPortMap(b));
  });

  it('add-flows lines carry table, priority and cookie', () => {
    const text = formatAddFlows(groundTruth().of);
    for (const l of text.trim().split('\n')) expect(l).toMatch(/^table=\d+,priority=\d+,cookie=0x[0-9a-f]+(,\S+)? actions=\S+$/);
  });

  it('fixture pipeline reaches the openflow stage with pods in the port map', async () => {
    const r = await compile([join(import.meta.dirname, '../fixtures/07-anp-banp-cluster-guardrails')], { until: 'openflow' });
    const of = r.openflow!;
    expect(of.errors).toEqual([]);
    expect(of.ports.length).toBeGreaterThan(0);
    expect(of.ports.every((p) => p.pod !== undefined || p.ifaceId?.startsWith('k8s-'))).toBe(true);
    expect(of.flows.some((f) => f.table === 0 && f.match['in_port'] !== undefined)).toBe(true);
  }, 60_000);
});
