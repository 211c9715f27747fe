/**
 * The cross-check's port classes (src/classify/crosscheck.ts PortClasses): a probe takes an
 * earlier probe's verdict only when every port-dependent decision of that run (lookups made with
 * the port in the packet, port bits read by actions) comes out the same. These tests compare
 * with plain runs, and show that an over-wide class (a forgotten lookup) would be caught.
 */
import { describe, expect, it } from 'vitest';
import { classifyProbeIn, probeContext } from '../src/classify/index.js';
import { PortClasses } from '../src/classify/crosscheck.js';
import { L4_READS } from '../src/classify/fields.js';
import { FlowTable } from '../src/classify/table.js';
import { compile } from '../src/compile.js';
import { formatOfMatch } from '../src/openflow/format.js';
import type { OfAction, OfFlow, OfMatch } from '../src/openflow/types.js';
import { destinationPorts, matrixEntities, policyPorts } from '../src/semantics/matrix.js';
import type { Probe } from '../src/semantics/types.js';
import { generateCluster, toFiles } from '../bench/generate.js';
import { SLOT } from '../src/classify/fields.js';

const E = (v: bigint | number, bits: number) => ({ value: BigInt(v), mask: (1n << BigInt(bits)) - 1n });
const flow = (priority: number, match: OfMatch, actions: OfAction[]): OfFlow =>
  ({ table: 8, priority, cookie: 0, match, actions, text: formatOfMatch(match), provenance: [{ kind: 'fixed', reason: 'test' }] });

function watch<T>(port: number, f: () => T): { r: T; lookups: typeof L4_READS.lookups; mask: number } {
  L4_READS.on = true;
  L4_READS.port = BigInt(port);
  L4_READS.mask = 0;
  L4_READS.opaque = false;
  L4_READS.lookups = [];
  try {
    const r = f();
    return { r, lookups: L4_READS.lookups, mask: L4_READS.mask };
  } finally {
    L4_READS.on = false;
    L4_READS.port = -1n;
    L4_READS.lookups = [];
  }
}

describe('FlowTable: lookups that depend on the watched port are recorded', () => {
  const t = new FlowTable([
    flow(200, { metadata: E(1, 64), dl_type: E(0x800, 16), nw_proto: E(6, 8), tp_dst: E(80, 16) }, [{ type: 'output', port: 1 }]),
    flow(100, { metadata: E(1, 64) }, [{ type: 'output', port: 2 }]),
    flow(100, { metadata: E(2, 64) }, [{ type: 'output', port: 3 }]),
  ]);
  const st = (md: number, tp: number): bigint[] => {
    const s = new Array<bigint>(128).fill(0n);
    s[SLOT['metadata']!] = BigInt(md); s[SLOT['dl_type']!] = 0x800n; s[SLOT['nw_proto']!] = 6n; s[SLOT['tp_src']!] = 33333n; s[SLOT['tp_dst']!] = BigInt(tp);
    return s;
  };

  it('a port the table matches is told apart; ports it does not are one class', () => {
    const a = watch(80, () => t.lookup(st(1, 80)));
    expect(a.r?.flow.priority).toBe(200);
    expect(a.lookups).toHaveLength(1);
    expect(a.lookups[0]!.same(80n, 81n)).toBe(false); // 81 differs from 80 in one bit: another flow wins
    expect(a.lookups[0]!.same(80n, 80n)).toBe(true);
    const b = watch(8080, () => t.lookup(st(1, 8080)));
    expect(b.r?.flow.priority).toBe(100);
    expect(b.lookups[0]!.same(8080n, 9090n)).toBe(true);
    expect(b.lookups[0]!.same(8080n, 80n)).toBe(false);
  });

  it('no record where no subtable matching ports can match (another datapath), or the port is not in the packet', () => {
    expect(watch(80, () => t.lookup(st(2, 80))).lookups).toHaveLength(0);
    expect(watch(443, () => t.lookup(st(1, 80))).lookups).toHaveLength(0);
  });
});

// with Services (their target ports are dataplane constants: always run) and without (no constant but the source port)
describe.each([2, 0])('cross-check port classes agree with plain runs (%i Services)', async (services) => {
  const cluster = generateCluster({ namespaces: 4, pods: 4, bareFraction: 1, policies: 2, services });
  const r = await compile(toFiles(cluster), { until: 'openflow' });
  const pc = probeContext(r);
  const ents = matrixEntities(r.model!, 'workload').get('default')!;
  const pp = policyPorts(r.model!);
  const probesOf = (s: (typeof ents)[number], d: (typeof ents)[number]): Probe[] => destinationPorts(d.pod, pp).map((p) => ({
    src: { kind: 'pod', namespace: s.pod.namespace, name: s.pod.name }, dst: { kind: 'pod', namespace: d.pod.namespace, name: d.pod.name }, protocol: p.protocol, port: p.port,
  }));

  it('every probe of every pair: same verdict, most from a class', () => {
    const classes = new PortClasses(r.openflow!);
    expect(classes.disabled).toBe(false);
    let n = 0;
    let mixedPairs = 0;
    for (const s of ents) for (const d of ents) {
      const verdicts = new Set<boolean>();
      for (const probe of probesOf(s, d)) {
        const a = classes.classify(pc, probe);
        const b = classifyProbeIn(pc, probe);
        expect({ probe, allowed: a.allowed, classifiable: a.classifiable }).toEqual({ probe, allowed: b.allowed, classifiable: b.classifiable });
        if (b.classifiable) verdicts.add(b.allowed);
        n++;
      }
      if (verdicts.size === 2) mixedPairs++;
    }
    // the cluster has pairs where the port decides (else this test would prove little)
    expect(mixedPairs).toBeGreaterThan(0);
    expect(classes.ran + classes.fromPortClass).toBe(n);
    expect(classes.fromPortClass).toBeGreaterThan(n / 2);
  }, 600_000);

  it('an over-wide class (a port-dependent lookup forgotten) would give a stale verdict: caught', () => {
    // a pair and two ports (of the same protocol, neither a dataplane constant) with different verdicts
    const consts = new PortClasses(r.openflow!);
    let found: { denied: Probe; allowed: Probe } | undefined;
    for (const s of ents) {
      for (const d of ents) {
        const ps = probesOf(s, d).filter((p) => !consts.special(p.port)).map((p) => ({ p, c: classifyProbeIn(pc, p) })).filter((x) => x.c.classifiable);
        const den = ps.find((x) => !x.c.allowed);
        const al = ps.find((x) => x.c.allowed);
        if (den && al && den.p.protocol === al.p.protocol) { found = { denied: den.p, allowed: al.p }; break; }
      }
      if (found) break;
    }
    if (services > 0 && !found) return; // here the port-decided pairs use Service target ports (constants): the Service-less cluster has them
    expect(found).toBeDefined();
    const { denied, allowed } = found!;
    const ok = new PortClasses(r.openflow!);
    expect(ok.classify(pc, denied).allowed).toBe(false);
    expect(ok.classify(pc, allowed).allowed).toBe(true);
    expect(ok.ran).toBe(2);
    // the same with the first run's port-dependent decisions forgotten: the class swallows the second port
    const broken = new PortClasses(r.openflow!);
    broken.classify(pc, denied);
    for (const l of (broken as unknown as { byKey: Map<string, Array<{ lookups: unknown[]; mask: number }>> }).byKey.values()) {
      for (const e of l) { e.lookups.length = 0; e.mask = 0; }
    }
    expect(broken.classify(pc, allowed).allowed).toBe(false);
    expect(broken.fromPortClass).toBe(1);
  }, 600_000);
});
