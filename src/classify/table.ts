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
import { N_SLOTS, SLOT } from './fields.js';

export interface CompiledFlow {
  flow: OfFlow;
  priority: number;
  /** conjunction member: (id, clause 1-based, n) per conjunction action */
  conj?: Array<{ id: number; clause: number; n: number }>;
}

interface Subtable {
  slots: number[];
  masks: bigint[];
  maxPriority: number;
  /** masked key → flows with that masked match, by descending priority */
  buckets: Map<string, CompiledFlow[]>;
  /** when every flow matches metadata exactly: the metadata values present */
  metadata?: Set<bigint>;
}

const CONJ_ID = SLOT['conj_id']!;
const METADATA = SLOT['metadata']!;
const MD_EXACT = (1n << 64n) - 1n;

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
        st = { slots: entries.map((e) => e.slot), masks: entries.map((e) => e.mask), maxPriority: -1, buckets: new Map() };
        bySig.set(sig, st);
      }
      const val: bigint[] = new Array(N_SLOTS).fill(0n);
      for (const e of entries) val[e.slot] = e.value & e.mask;
      const key = keyOf(st.slots, st.masks, val);
      const conj = f.actions.length > 0 && f.actions.every((a) => a.type === 'conjunction')
        ? f.actions.map((a) => (a.type === 'conjunction' ? { id: a.id, clause: a.clause, n: a.nClauses } : { id: 0, clause: 0, n: 0 }))
        : undefined;
      const cf: CompiledFlow = { flow: f, priority: f.priority, ...(conj ? { conj } : {}) };
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
    let hard: CompiledFlow | undefined;
    let hardPri = -1;
    let soft: CompiledFlow[] | undefined;
    for (const t of this.candidates(st[METADATA]!)) {
      if (t.maxPriority <= hardPri) break;
      const b = t.buckets.get(keyOf(t.slots, t.masks, st));
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
        const r = this.lookup(st);
        st[CONJ_ID] = saved;
        if (r && r.priority > hardPri) return r;
      }
    }
    return hard;
  }
}
