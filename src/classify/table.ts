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
 */
import type { OfFlow } from '../openflow/types.js';
import { L4_READS, N_SLOTS, SLOT, holdsWatchedPort, isL4PortSlot, withPort } from './fields.js';

export interface CompiledFlow {
  flow: OfFlow;
  priority: number;
  /** conjunction member: (id, clause 1-based, n) per conjunction action */
  conj?: Array<{ id: number; clause: number; n: number }>;
  /** its actions use a group (a select bucket is chosen by hashing the 5-tuple, ports included) */
  group?: boolean;
}

interface Subtable {
  slots: number[];
  masks: bigint[];
  maxPriority: number;
  /** masked key → flows with that masked match, by descending priority */
  buckets: Map<string, CompiledFlow[]>;
  /** when every flow matches metadata exactly: the metadata values present */
  metadata?: Set<bigint>;
  /** it matches L4 port bits (tp_src/tp_dst) */
  l4: boolean;
}

const CONJ_ID = SLOT['conj_id']!;
const METADATA = SLOT['metadata']!;
const MD_EXACT = (1n << 64n) - 1n;
/** while recording a lookup for L4_READS: the port-matching subtables it visited, with their bucket */
let visits: Array<[Subtable, CompiledFlow[] | undefined]> | undefined;

/** keyOf() of the state with port `to` in the L4 port slots that hold `from` (no copy) */
function keyWithPort(slots: number[], masks: bigint[], st: readonly bigint[], from: bigint, to: bigint): string {
  let k = '';
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const v = isL4PortSlot(s) && st[s] === from ? to : st[s]!;
    k += (v & masks[i]!).toString(36) + ',';
  }
  return k;
}

function keyOf(slots: number[], masks: bigint[], st: readonly bigint[]): string {
  let k = '';
  for (let i = 0; i < slots.length; i++) k += (st[slots[i]!]! & masks[i]!).toString(36) + ',';
  return k;
}

export class FlowTable {
  private subtables: Subtable[] = [];
  /**
   * Subtables that can match a given metadata (datapath key): OVN pins almost every flow to one
   * datapath, so this prunes most subtables before any hashing. Built lazily per value.
   */
  private readonly byMetadata = new Map<bigint, Subtable[]>();
  /** per metadata: whether a candidate subtable matches L4 ports (lookups there may depend on the port) */
  private readonly l4ByMetadata = new Map<bigint, boolean>();
  readonly size: number;

  constructor(flows: readonly OfFlow[]) {
    const bySig = new Map<string, Subtable>();
    for (const f of flows) {
      const entries = Object.entries(f.match).map(([k, v]) => {
        const slot = SLOT[k];
        if (slot === undefined) throw new Error(`classifier: unknown match field ${k} in table ${f.table}`);
        return { slot, value: v.value, mask: v.mask };
      }).sort((a, b) => a.slot - b.slot);
      const sig = entries.map((e) => `${e.slot}/${e.mask.toString(36)}`).join(',');
      let st = bySig.get(sig);
      if (!st) {
        st = { slots: entries.map((e) => e.slot), masks: entries.map((e) => e.mask), maxPriority: -1, buckets: new Map(), l4: entries.some((e) => isL4PortSlot(e.slot) && e.mask !== 0n) };
        bySig.set(sig, st);
      }
      const val: bigint[] = new Array(N_SLOTS).fill(0n);
      for (const e of entries) val[e.slot] = e.value & e.mask;
      const key = keyOf(st.slots, st.masks, val);
      const conj = f.actions.length > 0 && f.actions.every((a) => a.type === 'conjunction')
        ? f.actions.map((a) => (a.type === 'conjunction' ? { id: a.id, clause: a.clause, n: a.nClauses } : { id: 0, clause: 0, n: 0 }))
        : undefined;
      const cf: CompiledFlow = { flow: f, priority: f.priority, ...(conj ? { conj } : {}), ...(usesGroup(f.actions) ? { group: true } : {}) };
      const b = st.buckets.get(key);
      if (b) b.push(cf);
      else st.buckets.set(key, [cf]);
      const md = st.slots.indexOf(METADATA);
      if (md >= 0 && st.masks[md] === MD_EXACT) (st.metadata ??= new Set()).add(val[METADATA]!);
      st.maxPriority = Math.max(st.maxPriority, f.priority);
    }
    for (const st of bySig.values()) for (const b of st.buckets.values()) b.sort((x, y) => y.priority - x.priority);
    this.subtables = [...bySig.values()].sort((a, b) => b.maxPriority - a.maxPriority);
    this.size = flows.length;
  }

  /** classifier_lookup(): the winning flow, or undefined (table miss). `st` is only read (conj_id restored). */
  private candidates(md: bigint): Subtable[] {
    let l = this.byMetadata.get(md);
    if (!l) {
      l = this.subtables.filter((t) => !t.metadata || t.metadata.has(md));
      this.byMetadata.set(md, l);
    }
    return l;
  }

  lookup(st: bigint[]): CompiledFlow | undefined {
    if (!L4_READS.on) return this.find(st);
    let watched = holdsWatchedPort(st);
    if (watched) {
      const md = st[METADATA]!;
      let l4 = this.l4ByMetadata.get(md);
      if (l4 === undefined) { l4 = this.candidates(md).some((t) => t.l4); this.l4ByMetadata.set(md, l4); }
      watched = l4;
    }
    // noting the port-matching subtables visited: if none was, the result did not depend on the
    // port (every other subtable's outcome, hence the walk's early exit, is the same)
    if (watched) visits = [];
    const r = this.find(st);
    const seen = visits;
    visits = undefined;
    if (r?.group) L4_READS.opaque = true;
    if (!seen?.length) return r;
    const saved = st.slice();
    L4_READS.lookups.push({
      same: (from, to) => {
        // fast: every port-matching subtable visited gives the same bucket → the same walk
        if (seen.every(([t, b]) => t.buckets.get(keyWithPort(t.slots, t.masks, saved, from, to)) === b)) return true;
        return this.find(withPort(saved, from, to)) === r;
      },
    });
    return r;
  }

  /** classifier_lookup__ proper (recording happens once per top-level lookup, in lookup()). */
  private find(st: bigint[]): CompiledFlow | undefined {
    let hard: CompiledFlow | undefined;
    let hardPri = -1;
    let soft: CompiledFlow[] | undefined;
    for (const t of this.candidates(st[METADATA]!)) {
      if (t.maxPriority <= hardPri) break;
      const b = t.buckets.get(keyOf(t.slots, t.masks, st));
      if (visits && t.l4) visits.push([t, b]);
      if (!b) continue;
      for (const cf of b) {
        if (cf.priority <= hardPri) break;
        if (cf.conj) (soft ??= []).push(cf);
        else { hard = cf; hardPri = cf.priority; break; }
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
        const r = this.find(st);
        st[CONJ_ID] = saved;
        if (r && r.priority > hardPri) return r;
      }
    }
    return hard;
  }
}

function usesGroup(acts: readonly OfFlow['actions'][number][]): boolean {
  return acts.some((a) => a.type === 'group' || (a.type === 'clone' && usesGroup(a.actions as OfFlow['actions'])));
}
