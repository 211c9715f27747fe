/**
 * learn(): the flows a packet installs for later packets (ovn-controller uses it for LB hairpin
 * replies, table 69, and ECMP/affinity). Learned flows live in the bridge, so they are state shared
 * between the packets of one probe (like conntrack), kept in a {@link Learned} object.
 *
 * The learn spec subset handled is what ovn-controller emits: `table=`, `priority=`, `cookie=`,
 * timeouts/flags (ignored), match specs `FIELD[]` (= its current value), `DST[]=SRC[]` (dst must
 * equal src's current value), `field=value` (immediate), and actions `load:IMM->DST[]`,
 * `load:SRC[]->DST[]`. Default priority 32768 as OVS.
 */
import type { OfAction, OfFlow, OfMatch } from '../openflow/types.js';
import { SLOT_NAMES, fieldLayout, mfOf, ones, parseSubfieldText, readField, type FieldLayout } from './fields.js';
import { FlowTable } from './table.js';

export class Learned {
  private readonly flows = new Map<number, Map<string, OfFlow>>();
  private readonly tables = new Map<number, FlowTable>();

  add(f: OfFlow): void {
    const t = this.flows.get(f.table) ?? new Map<string, OfFlow>();
    t.set(`${f.priority}|${f.text}`, f);
    this.flows.set(f.table, t);
    this.tables.delete(f.table);
  }

  table(n: number): FlowTable | undefined {
    const fl = this.flows.get(n);
    if (!fl) return undefined;
    let t = this.tables.get(n);
    if (!t) { t = new FlowTable([...fl.values()]); this.tables.set(n, t); }
    return t;
  }

  get size(): number {
    let n = 0;
    for (const t of this.flows.values()) n += t.size;
    return n;
  }

  /** A copy (flows are immutable once learned, so they are shared). */
  clone(): Learned {
    const l = new Learned();
    l.restore(this);
    return l;
  }

  /** Makes this set a copy of `from`, in place. */
  restore(from: Learned): void {
    const src = [...from.flows].map(([t, m]) => [t, new Map(m)] as const);
    this.flows.clear();
    this.tables.clear();
    for (const [t, m] of src) this.flows.set(t, m);
  }
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function immediate(v: string): bigint {
  if (/^0x[0-9a-f]+$/i.test(v) || /^\d+$/.test(v)) return BigInt(v);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return v.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v)) return BigInt('0x' + v.split(':').join(''));
  throw new Error(`learn: cannot parse value '${v}'`);
}

/** Adds `value` (bits [ofs, ofs+n) of field `l`) to a match. */
function addMatch(m: OfMatch, l: FieldLayout, ofs: number, n: number, value: bigint): void {
  const fm = ones(n) << BigInt(ofs);
  const fv = (value << BigInt(ofs)) & fm;
  for (const p of l.pieces) {
    const pm = (fm >> BigInt(p.fieldOfs)) & ones(p.nBits);
    if (pm === 0n) continue;
    const name = SLOT_NAMES[p.slot]!;
    const sm = pm << BigInt(p.slotOfs);
    const sv = ((fv >> BigInt(p.fieldOfs)) & ones(p.nBits)) << BigInt(p.slotOfs);
    const cur = m[name] ?? { value: 0n, mask: 0n };
    m[name] = { value: (cur.value & ~sm) | sv, mask: cur.mask | sm };
  }
}

/** Executes a learn spec against the current packet state: the flow to install. */
export function learnFlow(spec: string, st: readonly bigint[], fromTable: number): OfFlow {
  let table = 0;
  let priority = 32768;
  let cookie = 0;
  const match: OfMatch = {};
  const actions: OfAction[] = [];
  const stv = st as bigint[];
  for (const raw of splitTop(spec)) {
    const a = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^table=(\d+)$/.exec(a))) table = Number(m[1]);
    else if ((m = /^priority=(\d+)$/.exec(a))) priority = Number(m[1]);
    else if ((m = /^cookie=(0x[0-9a-f]+|\d+)$/i.exec(a))) cookie = Number(BigInt(m[1]!) & 0xffffffffn);
    else if (/^(idle_timeout|hard_timeout|fin_idle_timeout|fin_hard_timeout|importance|result_dst)=/.test(a) || a === 'delete_learned' || a === 'send_flow_rem' || a === 'limit=0') continue;
    else if ((m = /^load:(.+)->(\S+\[[^\]]*\])$/.exec(a))) {
      const dst = parseSubfieldText(m[2]!);
      const value = /\[/.test(m[1]!) ? (() => { const s = parseSubfieldText(m![1]!); return readField(stv, s.layout, s.ofs, s.nBits); })() : immediate(m[1]!);
      actions.push({ type: 'set_field', field: mfOf(dst.layout), value: (value & ones(dst.nBits)) << BigInt(dst.ofs), mask: ones(dst.nBits) << BigInt(dst.ofs) });
    } else if ((m = /^(\S+\[[^\]]*\])=(\S+\[[^\]]*\])$/.exec(a))) {
      const d = parseSubfieldText(m[1]!);
      const s = parseSubfieldText(m[2]!);
      addMatch(match, d.layout, d.ofs, d.nBits, readField(stv, s.layout, s.ofs, s.nBits));
    } else if ((m = /^(\S+\[[^\]]*\])$/.exec(a))) {
      const s = parseSubfieldText(m[1]!);
      addMatch(match, s.layout, s.ofs, s.nBits, readField(stv, s.layout, s.ofs, s.nBits));
    } else if ((m = /^(\w+)=(.+)$/.exec(a))) {
      const l = fieldLayout(m[1]!);
      addMatch(match, l, 0, l.nBits, immediate(m[2]!));
    } else throw new Error(`learn: unsupported spec element '${a}'`);
  }
  const text = Object.entries(match).map(([k, v]) => `${k}=0x${v.value.toString(16)}/0x${v.mask.toString(16)}`).sort().join(',');
  return {
    table, priority, cookie, match, actions, text,
    provenance: [{ kind: 'fixed', reason: `learned by a packet in table ${fromTable}: learn(${spec})` }],
  };
}
