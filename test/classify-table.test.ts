/**
 * FlowTable (src/classify/table.ts) against a plain reference: every flow's match tested one by
 * one with bigints, and classifier_lookup__'s conjunction rule written out directly. The table's
 * number-keyed tuple space search (32-bit words, hashes, stage filters, early exit by priority)
 * must pick the same flow for every state; its port-class record (L4_READS) must never call two
 * ports the same when the reference picks different flows for them.
 */
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../src/classify/table.js';
import { L4_READS, N_SLOTS, SLOT } from '../src/classify/fields.js';
import { formatOfMatch } from '../src/openflow/format.js';
import type { OfAction, OfFlow, OfMatch } from '../src/openflow/types.js';
import { mulberry32 as prng } from '../src/common/prng.js';


const flow = (priority: number, match: OfMatch, actions: OfAction[]): OfFlow =>
  ({ table: 0, priority, cookie: 0, match, actions, text: formatOfMatch(match), provenance: [{ kind: 'fixed', reason: 'test' }] });

const matches = (f: OfFlow, st: readonly bigint[]): boolean =>
  Object.entries(f.match).every(([k, v]) => (st[SLOT[k]!]! & v.mask) === v.value);
const isConj = (f: OfFlow): boolean => f.actions.length > 0 && f.actions.every((a) => a.type === 'conjunction');

/**
 * classifier_lookup__ by brute force (table.ts header comment; OVS lib/classifier.c): the second
 * lookup, with conj_id set, ignores conjunction members and its result, if any, is the answer
 */
function reference(flows: readonly OfFlow[], st: bigint[], allowConj = true): OfFlow | undefined {
  const hit = flows.filter((f) => matches(f, st));
  const hard = hit.filter((f) => !isConj(f)).sort((a, b) => b.priority - a.priority)[0];
  const hardPri = hard?.priority ?? -1;
  const soft = allowConj ? hit.filter((f) => isConj(f) && f.priority > hardPri) : [];
  for (const p of [...new Set(soft.map((f) => f.priority))].sort((a, b) => b - a)) {
    const seen = new Map<number, { n: number; clauses: Set<number> }>();
    for (const f of soft.filter((x) => x.priority === p)) {
      for (const a of f.actions) {
        if (a.type !== 'conjunction') continue;
        const e = seen.get(a.id) ?? { n: a.nClauses, clauses: new Set<number>() };
        e.clauses.add(a.clause);
        seen.set(a.id, e);
      }
    }
    const ids = [...seen].filter(([, e]) => e.clauses.size === e.n).map(([id]) => id).sort((a, b) => a - b);
    for (const id of ids) {
      const saved = st[SLOT['conj_id']!]!;
      st[SLOT['conj_id']!] = BigInt(id);
      const r = reference(flows, st, false);
      st[SLOT['conj_id']!] = saved;
      if (r) return r;
    }
  }
  return hard;
}

// fields of every width the classifier keys on: 8/16/32-bit, 48-bit (a MAC: two words, below
// 2^53), 64-bit metadata, 128-bit (four words, above 2^53), and the L4 ports
const FIELDS: Array<{ name: string; bits: number }> = [
  { name: 'metadata', bits: 64 }, { name: 'reg0', bits: 32 }, { name: 'reg14', bits: 32 }, { name: 'nw_dst', bits: 32 },
  { name: 'nw_proto', bits: 8 }, { name: 'dl_dst', bits: 48 }, { name: 'ipv6_dst', bits: 128 }, { name: 'ct_label', bits: 128 },
  { name: 'tp_dst', bits: 16 }, { name: 'tp_src', bits: 16 }, { name: 'ct_tp_dst', bits: 16 },
];

function randomBig(rnd: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** a table of random masked flows with few distinct values (so states hit), and conjunctions */
function randomTable(seed: number): { flows: OfFlow[]; values: Map<string, bigint[]> } {
  const rnd = prng(seed);
  const values = new Map(FIELDS.map((f) => [f.name, Array.from({ length: 3 }, () => randomBig(rnd, f.bits))]));
  const masks = (bits: number): bigint[] => {
    const all = (1n << BigInt(bits)) - 1n;
    return [all, all, all ^ ((1n << BigInt(Math.floor(bits / 2))) - 1n), 1n, all ^ 1n, 0xf0n & all];
  };
  const pick = <T,>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)]!;
  const match = (skip = 0.7): OfMatch => {
    const m: OfMatch = {};
    for (const f of FIELDS) {
      if (rnd() < skip) continue;
      const mask = pick(masks(f.bits));
      m[f.name] = { value: pick(values.get(f.name)!) & mask, mask };
    }
    return m;
  };
  const flows: OfFlow[] = [];
  const used = new Set<number>();
  const pri = (): number => { let p: number; do p = 1 + Math.floor(rnd() * 1000); while (used.has(p)); used.add(p); return p; };
  for (let i = 0; i < 60; i++) flows.push(flow(pri(), match(), [{ type: 'output', port: i }]));
  for (let id = 1; id <= 8; id++) {
    const p = pri();
    const n = 2 + Math.floor(rnd() * 2);
    for (let k = 1; k <= n; k++) for (let j = 0; j < 3; j++) flows.push(flow(p, match(0.85), [{ type: 'conjunction', id, clause: k, nClauses: n }]));
    flows.push(flow(p, { ...match(0.9), conj_id: { value: BigInt(id), mask: 0xffffffffn } }, [{ type: 'output', port: 100 + id }]));
  }
  // one flow that is a member of two conjunctions at once
  const p2 = [...used][0]!;
  flows.push(flow(p2, match(), [{ type: 'conjunction', id: 1, clause: 1, nClauses: 2 }, { type: 'conjunction', id: 2, clause: 1, nClauses: 2 }]));
  return { flows, values };
}

function randomState(rnd: () => number, values: Map<string, bigint[]>): bigint[] {
  const st = new Array<bigint>(N_SLOTS).fill(0n);
  for (const f of FIELDS) {
    const vs = values.get(f.name)!;
    const r = rnd();
    st[SLOT[f.name]!] = r < 0.85 ? vs[Math.floor(rnd() * vs.length)]! : r < 0.95 ? vs[0]! ^ 1n : randomBig(rnd, f.bits);
  }
  return st;
}

describe('FlowTable agrees with a brute-force lookup', () => {
  it('8 random tables × 2,000 states: the same flow every time', () => {
    let hits = 0;
    let viaConj = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { flows, values } = randomTable(seed);
      const t = new FlowTable(flows);
      const rnd = prng(seed * 7919);
      for (let i = 0; i < 2000; i++) {
        const st = randomState(rnd, values);
        const want = reference(flows, st);
        const got = t.lookup(st)?.flow;
        expect(got?.priority, `table ${seed} state ${i}`).toBe(want?.priority);
        expect(got).toBe(want);
        if (want) hits++;
        if (want && Object.keys(want.match).includes('conj_id')) viaConj++;
      }
    }
    // the tables are dense enough that the comparison means something
    expect(hits).toBeGreaterThan(4000);
    expect(viaConj).toBeGreaterThan(20);
  });

  it('port classes: a recorded lookup calls two ports the same only when the reference agrees', () => {
    let same = 0;
    let differ = 0;
    for (const seed of [11, 12, 13, 14]) {
      const { flows, values } = randomTable(seed);
      const t = new FlowTable(flows);
      const rnd = prng(seed);
      const ports = [...values.get('tp_dst')!, ...values.get('tp_src')!, 0n, 1n, 80n, 0xffffn];
      for (let i = 0; i < 400; i++) {
        const st = randomState(rnd, values);
        const p0 = ports[Math.floor(rnd() * ports.length)]!;
        st[SLOT['tp_dst']!] = p0;
        if (rnd() < 0.3) st[SLOT['ct_tp_dst']!] = p0;
        L4_READS.on = true;
        L4_READS.port = p0;
        L4_READS.lookups = [];
        let r;
        try { r = t.lookup(st); } finally { L4_READS.on = false; L4_READS.port = -1n; }
        const recorded = L4_READS.lookups;
        L4_READS.lookups = [];
        for (const p of ports) {
          const st2 = st.map((v, s) => ((s === SLOT['tp_dst'] || s === SLOT['ct_tp_dst'] || s === SLOT['tp_src']) && v === p0 ? p : v));
          const claims = recorded.every((l) => l.same(p0, p));
          const truth = reference(flows, st2) === r?.flow;
          if (claims) { expect(truth, `seed ${seed} state ${i} port ${p0} → ${p}`).toBe(true); same++; } else differ++;
        }
      }
    }
    expect(same).toBeGreaterThan(100);
    expect(differ).toBeGreaterThan(100);
  });
});
