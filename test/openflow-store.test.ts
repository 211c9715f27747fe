/**
 * src/openflow/store.ts — the compact flow table behind compileOpenFlow:
 * - the merge rule for flows with the same table/priority/match (conjunction union, equal actions,
 *   shadowed), checked on hand-written flows against hand-written expectations;
 * - a dedup-hash collision does not merge different matches;
 * - on every fixture: the compact path (no incremental cache) equals the object path (a cache that
 *   never answers keeps every flow as an object), flow by flow and as add-flows text; the table
 *   streams the same text as the materialised flows; iterating equals `flows`.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from '../src/compile.js';
import { compileOpenFlow, formatFlowLine, writeAddFlows, OfFlowTable, type LflowTranslationCache } from '../src/openflow/index.js';
import { hashKey, MatchInterner } from '../src/openflow/store.js';
import type { OfAction, OfFlow, OfMatch } from '../src/openflow/types.js';
import { listFixtures, readFixture } from '../src/golden/index.js';

const exact = (v: bigint, bits = 32) => ({ value: v, mask: (1n << BigInt(bits)) - 1n });
const conj = (id: number, clause: number, n: number): OfAction => ({ type: 'conjunction', id, clause, nClauses: n });
const flow = (table: number, priority: number, cookie: number, match: OfMatch, text: string, actions: OfAction[], why: string): OfFlow =>
  ({ table, priority, cookie, match, actions, text, provenance: [{ kind: 'fixed', reason: why }] });
const lines = (fs: Iterable<OfFlow>): string[] => [...fs].map(formatFlowLine);

describe('OfFlowTable: one flow per table/priority/match', () => {
  const m1 = { reg14: exact(1n) };
  const m2 = { reg14: exact(2n) };
  const build = (interner?: MatchInterner): OfFlowTable => {
    const t = new OfFlowTable();
    t.addFlow(flow(8, 100, 0, m1, 'reg14=0x1', [conj(5, 1, 2)], 'a'), interner);
    t.addFlow(flow(8, 100, 0, m2, 'reg14=0x2', [{ type: 'resubmit', table: 9 }], 'b'), interner);
    t.addFlow(flow(8, 100, 0, m1, 'reg14=0x1', [conj(7, 2, 2), conj(5, 1, 2)], 'c'), interner); // union: only conj 7 is new
    t.addFlow(flow(8, 100, 0xab, m2, 'reg14=0x2', [{ type: 'resubmit', table: 9 }], 'd'), interner); // same actions
    t.addFlow(flow(8, 100, 0xcd, m2, 'reg14=0x2', [], 'e'), interner); // other actions: shadowed
    t.addFlow(flow(8, 200, 0, m1, 'reg14=0x1', [], 'f'), interner); // other priority: its own flow
    t.addFlow(flow(0, 100, 0, {}, '', [], 'g'), interner);
    t.seal();
    return t;
  };
  for (const interner of [undefined, new MatchInterner()]) {
    it(interner ? 'flows kept compact (text dropped, match shared)' : 'flows kept as objects', () => {
      const t = build(interner);
      expect(t.size).toBe(4);
      const fs = t.toArray();
      expect(lines(fs)).toEqual([
        'table=0,priority=100,cookie=0x0 actions=drop',
        'table=8,priority=200,cookie=0x0,reg14=0x1 actions=drop',
        'table=8,priority=100,cookie=0x0,reg14=0x1 actions=conjunction(5,1/2),conjunction(7,2/2)',
        'table=8,priority=100,cookie=0x0,reg14=0x2 actions=resubmit(,9)',
      ]);
      const why = (f: OfFlow) => f.provenance.map((p) => (p as { reason: string }).reason);
      expect(fs.map(why)).toEqual([['g'], ['f'], ['a', 'c'], ['b', 'd']]);
      expect(fs[3]!.shadowed?.map((s) => [s.cookie, s.actions, s.provenance.map((p) => (p as { reason: string }).reason)])).toEqual([[0xcd, [], ['e']]]);
      expect(fs[2]!.match).toEqual(m1);
    });
  }

  it('never mutates the flows it was given', () => {
    const a = flow(8, 100, 0, { reg14: exact(1n) }, 'reg14=0x1', [conj(5, 1, 2)], 'a');
    const t = new OfFlowTable();
    t.addFlow(a);
    t.addFlow(flow(8, 100, 0, { reg14: exact(1n) }, 'reg14=0x1', [conj(6, 1, 2)], 'b'));
    t.seal();
    expect(t.toArray()[0]!.actions).toHaveLength(2);
    expect(a.actions).toEqual([conj(5, 1, 2)]);
    expect(a.provenance).toHaveLength(1);
  });

  it('a dedup-hash collision keeps both flows', () => {
    // flows are keyed by integers (table/priority, field-set id, metadata, conj_id); field-set ids are
    // given in first-seen order, so flow k of distinct matches reg14=k gets id k. hashKey is a
    // bijection of the field-set id for one table/priority (no full collision there), so find two ids
    // whose hashes agree in the low 16 bits: the same first slot until the table has 2^17 slots.
    const tp = 8 * 0x10000 + (0xffff - 100);
    const seen = new Map<number, number>();
    let pair: [number, number] | undefined;
    for (let i = 0; !pair; i++) {
      const h = hashKey(tp, i, -1, -1) & 0xffff;
      const o = seen.get(h);
      if (o !== undefined) pair = [o, i];
      else seen.set(h, i);
    }
    const [x, y] = pair;
    expect(hashKey(tp, x, -1, -1) & 0xffff).toBe(hashKey(tp, y, -1, -1) & 0xffff);
    const mk = (k: number) => flow(8, 100, 0, { reg14: exact(BigInt(k)) }, `reg14=0x${k.toString(16)}`, [], String(k));
    const t = new OfFlowTable();
    for (let k = 0; k <= y; k++) t.addFlow(mk(k));
    t.addFlow(mk(x));
    t.addFlow(mk(y));
    t.seal();
    expect(t.size).toBe(y + 1);
    const byText = new Map(t.toArray().map((f) => [f.text, f]));
    expect(byText.size).toBe(y + 1);
    for (const k of [x, y]) expect(byText.get(`reg14=0x${k.toString(16)}`)!.provenance).toHaveLength(2);
  });

  it('matches with the same fields in another key order are one flow; metadata and conj_id are keyed apart', () => {
    const t = new OfFlowTable();
    const md = (v: bigint) => ({ value: v, mask: (1n << 64n) - 1n });
    t.addFlow(flow(8, 100, 0, { reg14: exact(1n), reg15: exact(2n) }, 'reg14=0x1,reg15=0x2', [], 'a'));
    t.addFlow(flow(8, 100, 0, { reg15: exact(2n), reg14: exact(1n) }, 'reg14=0x1,reg15=0x2', [], 'b'));
    t.addFlow(flow(8, 100, 0, { reg14: exact(1n), metadata: md(1n) }, 'reg14=0x1,metadata=0x1', [], 'c'));
    t.addFlow(flow(8, 100, 0, { reg14: exact(1n), metadata: md(2n) }, 'reg14=0x1,metadata=0x2', [], 'd'));
    t.addFlow(flow(8, 100, 0, { conj_id: exact(7n), metadata: md(1n) }, 'conj_id=7,metadata=0x1', [], 'e'));
    t.addFlow(flow(8, 100, 0, { conj_id: exact(8n), metadata: md(1n) }, 'conj_id=8,metadata=0x1', [], 'f'));
    t.addFlow(flow(8, 100, 0, { metadata: md(1n), conj_id: exact(7n) }, 'conj_id=7,metadata=0x1', [], 'g'));
    t.seal();
    const why = (f: OfFlow) => f.provenance.map((p) => (p as { reason: string }).reason).join('');
    expect(t.toArray().map(why).sort()).toEqual(['ab', 'c', 'd', 'eg', 'f']);
  });
});

describe('compileOpenFlow: compact flows equal object flows on every fixture', async () => {
  const dir = join(import.meta.dirname, '..', 'fixtures');
  const fixtures = await listFixtures(dir);
  it.each(fixtures)('%s', async (fixture) => {
    const { lflow, nb } = await compile(await readFixture(dir, fixture), { until: 'lflow' });
    const compact = compileOpenFlow(lflow!, { nb: nb! });
    // a cache that never answers: every lflow's flows are made and kept as objects (the pre-store path)
    const made: OfFlow[] = [];
    const never: LflowTranslationCache = { get: () => undefined, set: (_l, t) => { made.push(...t.flows); }, shared: new WeakSet() };
    const objects = compileOpenFlow(lflow!, { nb: nb!, lflowCache: never });
    const streamed: string[] = [];
    writeAddFlows(compact, (s) => streamed.push(s));
    expect(compact.flowTable!.size).toBeGreaterThan(0);
    const iterated = [...compact.flowTable!];
    expect(iterated.map(formatFlowLine)).toEqual(objects.flows.map(formatFlowLine));
    expect(streamed.join('')).toBe(objects.flows.map((f) => formatFlowLine(f) + '\n').join(''));
    expect(compact.flows).toEqual(objects.flows);
    expect([...compact.flowTable!][0]).toBe(compact.flows[0]);
    expect(compact.flowTable!.size).toBe(compact.flows.length);
    // the dedup key against the printed text, independently: one flow per table/priority/match text,
    // and every flow an lflow made is printed under its own text
    const key = (f: OfFlow) => `${f.table}|${f.priority}|${f.text}`;
    const printed = new Set(compact.flows.map(key));
    expect(printed.size).toBe(compact.flows.length);
    expect(made.length).toBeGreaterThan(0);
    for (const f of made) expect(printed.has(key(f))).toBe(true);
  });
});
