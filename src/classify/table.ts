/**
 * One OpenFlow table as ovs-vswitchd's classifier looks it up: tuple space search (flows grouped
 * into subtables by their set of (slot, mask) pairs, one hash lookup per subtable, subtables
 * visited by descending max priority with early exit) and conjunctive matches exactly as
 * lib/classifier.c classifier_lookup__() resolves them:
 *
 * - the "hard" match is the highest-priority matching flow without `conjunction` actions;
 * - "soft" matches are matching conjunction-member flows of priority > the hard match;
 * - from the highest soft priority down, if for some id all n clauses matched at that same
 *   priority, the table is looked up again with `conj_id = id`; that result wins when its
 *   priority exceeds the hard match's; otherwise lower soft priorities are tried, then the hard one.
 *
 * Keys are numbers, not strings: a lookup first copies the slots its candidate subtables read
 * into 32-bit words (WORDS, slot s at [4s, 4s+4), least significant word first), then each
 * subtable hashes its masked words (no bigint arithmetic, no garbage per subtable) and checks the
 * hit bucket's masked words exactly (a hash collision is never taken for a match).
 */
import type { OfFlow } from '../openflow/types.js';
import { L4_READS, N_SLOTS, PORT_SLOTS, SLOT, SLOT_NAMES, holdsWatchedPort, isL4PortSlot, slotBits, withPort } from './fields.js';

export interface CompiledFlow {
  flow: OfFlow;
  priority: number;
  /** conjunction member: (id, clause 1-based, n) per conjunction action */
  conj?: Array<{ id: number; clause: number; n: number }>;
  /** its actions use a group (a select bucket is chosen by hashing the 5-tuple, ports included) */
  group?: boolean;
}

/** The flows of one subtable with one masked key, by descending priority. */
interface Bucket {
  /** the masked words of the key, in the subtable's word order */
  key: Int32Array;
  flows: CompiledFlow[];
  /** the next bucket whose key has the same hash */
  next?: Bucket;
}

interface Subtable {
  /** word indexes (4·slot + word) the subtable's masks cover, L4 port words last */
  words: Int32Array;
  /** the 32-bit mask of each of those words (as int32) */
  masks: Int32Array;
  /** how many of `words` are not L4 port words */
  nonPort: number;
  maxPriority: number;
  /** hash of the masked key → buckets with that hash */
  buckets: Map<number, Bucket>;
  /** when every flow matches metadata exactly: the metadata values present */
  metadata?: Set<bigint>;
  /** it matches L4 port bits (tp_src/tp_dst) */
  l4: boolean;
  /** l4: hashes of the non-port part of its keys (a state whose part is absent misses for every port) */
  nonPortKeys?: Set<number>;
  /**
   * A first stage, as OVS's staged lookup: the non-port word whose masked values differ most
   * among the keys, and a bit set of their hashes. A state whose word's bit is clear has no
   * bucket here, for any port: the subtable is skipped without hashing the whole key.
   */
  stageWord: number;
  stageMask: number;
  stageShift: number;
  stage?: Int32Array;
}

interface Candidates {
  subtables: Subtable[];
  /** the slots those subtables read (loaded into WORDS before a walk) */
  slots: Int32Array;
  /** some subtable matches L4 ports (lookups there may depend on the port) */
  l4: boolean;
}

const CONJ_ID = SLOT['conj_id']!;
const METADATA = SLOT['metadata']!;
const MD_EXACT = (1n << 64n) - 1n;
const TWO32 = 1n << 32n;
const TWO53 = 1n << 53n;
const N_WORDS = (s: number): number => Math.ceil(slotBits(SLOT_NAMES[s]!) / 32);
const SLOT_WORDS = Array.from({ length: N_SLOTS }, (_, s) => N_WORDS(s));

/** The state's slots as 32-bit words (scratch shared by every table: each walk reloads what it reads). */
const WORDS = new Uint32Array(N_SLOTS * 4);

function loadSlots(st: readonly bigint[], slots: Int32Array): void {
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const v = st[s]!;
    const o = 4 * s;
    const n = SLOT_WORDS[s]!;
    if (v < TWO32) {
      WORDS[o] = Number(v);
      if (n > 1) { WORDS[o + 1] = 0; if (n > 2) { WORDS[o + 2] = 0; WORDS[o + 3] = 0; } }
    } else if (v < TWO53) {
      const x = Number(v);
      const lo = x % 4294967296;
      WORDS[o] = lo;
      WORDS[o + 1] = (x - lo) / 4294967296;
      if (n > 2) { WORDS[o + 2] = 0; WORDS[o + 3] = 0; }
    } else {
      for (let k = 0; k < n; k++) WORDS[o + k] = Number(BigInt.asUintN(32, v >> BigInt(32 * k)));
    }
  }
}

/** murmur3-style mixing of the masked words [from, to) into h */
function mix(h: number, t: Subtable, from: number, to: number): number {
  const w = t.words;
  const m = t.masks;
  for (let i = from; i < to; i++) {
    let k = Math.imul(WORDS[w[i]!]! & m[i]!, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  return h;
}
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}
const hashOf = (t: Subtable): number => fmix(mix(0, t, 0, t.words.length));

/** the bucket of the state now in WORDS, or undefined */
function bucketOf(t: Subtable): Bucket | undefined {
  let b = t.buckets.get(hashOf(t));
  const w = t.words;
  const m = t.masks;
  for (; b; b = b.next) {
    const k = b.key;
    let i = 0;
    for (; i < w.length; i++) if ((WORDS[w[i]!]! & m[i]!) !== k[i]) break;
    if (i === w.length) return b;
  }
  return undefined;
}

/**
 * while recording a lookup for L4_READS: the port-relevant subtables it visited, with their bucket
 * and the conj_id of the walk (a conjunction's second lookup sets it)
 */
let visits: Array<[Subtable, Bucket | undefined, number]> | undefined;
const CONJ_WORD = 4 * SLOT['conj_id']!;
/** the (only) word of each L4 port slot: ports are 16 bits */
const PORT_WORDS = PORT_SLOTS.map((s) => 4 * s);

export class FlowTable {
  private readonly subtables: Subtable[] = [];
  /**
   * Subtables that can match a given metadata (datapath key): OVN pins almost every flow to one
   * datapath, so this prunes most subtables before any hashing. Built lazily per value.
   */
  private readonly byMetadata = new Map<bigint, Candidates>();
  readonly size: number;

  constructor(flows: readonly OfFlow[]) {
    const bySig = new Map<string, Subtable>();
    for (const f of flows) {
      // the match as (word, mask, value) triples, port words last
      const ws: Array<{ word: number; mask: number; value: number; port: boolean }> = [];
      let mdExact: bigint | undefined;
      for (const [k, v] of Object.entries(f.match)) {
        const slot = SLOT[k];
        if (slot === undefined) throw new Error(`classifier: unknown match field ${k} in table ${f.table}`);
        if (slot === METADATA && v.mask === MD_EXACT) mdExact = v.value;
        for (let i = 0; i < SLOT_WORDS[slot]!; i++) {
          const mask = Number(BigInt.asUintN(32, v.mask >> BigInt(32 * i))) | 0;
          if (mask === 0) continue;
          ws.push({ word: 4 * slot + i, mask, value: Number(BigInt.asUintN(32, v.value >> BigInt(32 * i))) & mask, port: isL4PortSlot(slot) });
        }
      }
      ws.sort((a, b) => (a.port === b.port ? a.word - b.word : a.port ? 1 : -1));
      const sig = ws.map((e) => `${e.word}/${e.mask}`).join(',');
      let st = bySig.get(sig);
      if (!st) {
        const l4 = ws.some((e) => e.port);
        st = {
          words: Int32Array.from(ws.map((e) => e.word)), masks: Int32Array.from(ws.map((e) => e.mask)), nonPort: ws.filter((e) => !e.port).length,
          maxPriority: -1, buckets: new Map(), l4, ...(l4 ? { nonPortKeys: new Set<number>() } : {}), stageWord: 0, stageMask: 0, stageShift: 0,
        };
        bySig.set(sig, st);
      }
      const conj = f.actions.length > 0 && f.actions.every((a) => a.type === 'conjunction')
        ? f.actions.map((a) => (a.type === 'conjunction' ? { id: a.id, clause: a.clause, n: a.nClauses } : { id: 0, clause: 0, n: 0 }))
        : undefined;
      const cf: CompiledFlow = { flow: f, priority: f.priority, ...(conj ? { conj } : {}), ...(usesGroup(f.actions) ? { group: true } : {}) };
      for (const e of ws) WORDS[e.word] = e.value;
      const key = Int32Array.from(ws.map((e) => e.value));
      const h = hashOf(st);
      let b = st.buckets.get(h);
      let hit: Bucket | undefined;
      for (let x = b; x; x = x.next) if (x.key.every((v, i) => v === key[i])) { hit = x; break; }
      if (hit) hit.flows.push(cf);
      else st.buckets.set(h, { key, flows: [cf], ...(b ? { next: b } : {}) });
      if (st.nonPortKeys) st.nonPortKeys.add(fmix(mix(0, st, 0, st.nonPort)));
      // the signature includes the masks: every flow of the subtable matches metadata exactly, or none
      if (mdExact !== undefined) (st.metadata ??= new Set()).add(mdExact);
      st.maxPriority = Math.max(st.maxPriority, f.priority);
    }
    for (const st of bySig.values()) {
      for (const b0 of st.buckets.values()) for (let b: Bucket | undefined = b0; b; b = b.next) b.flows.sort((x, y) => y.priority - x.priority);
      buildStage(st);
    }
    this.subtables = [...bySig.values()].sort((a, b) => b.maxPriority - a.maxPriority);
    this.size = flows.length;
  }

  private candidates(md: bigint): Candidates {
    let c = this.byMetadata.get(md);
    if (!c) {
      const subtables = this.subtables.filter((t) => !t.metadata || t.metadata.has(md));
      const slots = new Set<number>();
      for (const t of subtables) for (const w of t.words) slots.add(w >> 2);
      slots.add(METADATA);
      c = { subtables, slots: Int32Array.from([...slots].sort((a, b) => a - b)), l4: subtables.some((t) => t.l4) };
      this.byMetadata.set(md, c);
    }
    return c;
  }

  /** classifier_lookup(): the winning flow, or undefined (table miss). `st` is only read (conj_id restored). */
  lookup(st: bigint[]): CompiledFlow | undefined {
    if (!L4_READS.on) return this.find(st);
    // noting the port-relevant subtables visited: if none was, the result did not depend on the
    // port (every other subtable's outcome, hence the walk's early exit, is the same)
    if (holdsWatchedPort(st) && this.candidates(st[METADATA]!).l4) visits = [];
    const r = this.find(st);
    const seen = visits;
    visits = undefined;
    if (r?.group) L4_READS.opaque = true;
    if (!seen?.length) return r;
    const saved = st.slice();
    const c = this.candidates(saved[METADATA]!);
    L4_READS.lookups.push({
      same: (from, to) => {
        // fast: every port-relevant subtable visited gives the same bucket → the same walk
        loadSlots(saved, c.slots);
        const f = Number(from);
        for (const w of PORT_WORDS) if (WORDS[w] === f) WORDS[w] = Number(to);
        let same = true;
        for (const [t, b, conj] of seen) {
          WORDS[CONJ_WORD] = conj;
          if (bucketOf(t) !== b) { same = false; break; }
        }
        if (same) return true;
        return this.find(withPort(saved, from, to)) === r;
      },
    });
    return r;
  }

  /**
   * classifier_lookup__ proper (recording happens once per top-level lookup, in lookup()). The
   * lookup again with conj_id set ignores conjunction members, as OVS's does
   * (allow_conjunctive_matches = false), and its result, if any, is the answer.
   */
  private find(st: bigint[], allowConj = true): CompiledFlow | undefined {
    let hard: CompiledFlow | undefined;
    let hardPri = -1;
    let soft: CompiledFlow[] | undefined;
    const c = this.candidates(st[METADATA]!);
    loadSlots(st, c.slots);
    const subs = c.subtables;
    for (let i = 0; i < subs.length; i++) {
      const t = subs[i]!;
      if (t.maxPriority <= hardPri) break;
      if (t.stage) {
        const h = Math.imul(WORDS[t.stageWord]! & t.stageMask, 0x9e3779b1) >>> t.stageShift;
        if (((t.stage[h >>> 5]! >>> (h & 31)) & 1) === 0) continue;
      }
      const b = bucketOf(t);
      if (visits && t.nonPortKeys && (b || t.nonPortKeys.has(fmix(mix(0, t, 0, t.nonPort))))) visits.push([t, b, WORDS[CONJ_WORD]!]);
      if (!b) continue;
      for (const cf of b.flows) {
        if (cf.priority <= hardPri) break;
        if (cf.conj) { if (allowConj) (soft ??= []).push(cf); } else { hard = cf; hardPri = cf.priority; break; }
      }
    }
    if (!soft) return hard;
    const live = soft.filter((s) => s.priority > hardPri).sort((a, b) => b.priority - a.priority);
    let i = 0;
    while (i < live.length) {
      const p = live[i]!.priority;
      const clauses = new Map<number, { n: number; seen: Set<number> }>();
      for (; i < live.length && live[i]!.priority === p; i++) {
        for (const c of live[i]!.conj!) {
          const e = clauses.get(c.id) ?? { n: c.n, seen: new Set<number>() };
          e.seen.add(c.clause);
          clauses.set(c.id, e);
        }
      }
      const ids = [...clauses].filter(([, e]) => e.seen.size === e.n).map(([id]) => id).sort((a, b) => a - b);
      for (const id of ids) {
        const saved = st[CONJ_ID]!;
        st[CONJ_ID] = BigInt(id);
        const r = this.find(st, false);
        st[CONJ_ID] = saved;
        if (r) return r;
      }
    }
    return hard;
  }
}

function buildStage(t: Subtable): void {
  let best = -1;
  let bestValues: Set<number> | undefined;
  for (let i = 0; i < t.nonPort; i++) {
    const values = new Set<number>();
    for (const b0 of t.buckets.values()) for (let b: Bucket | undefined = b0; b; b = b.next) values.add(b.key[i]!);
    if (!bestValues || values.size > bestValues.size) { best = i; bestValues = values; }
  }
  if (!bestValues) return;
  // about 16 bits per value: a state absent from the subtable passes with probability ≤ 1/16
  const bits = Math.min(20, Math.max(5, Math.ceil(Math.log2(bestValues.size * 16))));
  t.stageWord = t.words[best]!;
  t.stageMask = t.masks[best]!;
  t.stageShift = 32 - bits;
  t.stage = new Int32Array(Math.max(1, (1 << bits) >>> 5));
  for (const v of bestValues) {
    const h = Math.imul(v, 0x9e3779b1) >>> t.stageShift;
    t.stage[h >>> 5]! |= 1 << (h & 31);
  }
}

function usesGroup(acts: readonly OfFlow['actions'][number][]): boolean {
  return acts.some((a) => a.type === 'group' || (a.type === 'clone' && usesGroup(a.actions as OfFlow['actions'])));
}
