/**
 * OVN 25.03's logical-field symbol table (lib/logical-fields.c ovn_init_symtab +
 * tests/test-ovn.c create_symtab), as data: rows come from symtab-data.ts,
 * generated from `ovstest test-ovn dump-symtab` by tools/gen-symtab.ts.
 *
 * LOOKUP API (for the match compiler and the action encoder):
 *
 *   getSymtab({ test?: boolean }) -> Symtab (Map name -> ExprSymbol).
 *       test=true adds test-ovn's bad_prereq / self_recurse / mutual_recurse_1/2
 *       / big_string (needed to reproduce the upstream vectors).
 *   lookupSymbol(name, symtab?) -> ExprSymbol | undefined
 *   resolveField(symbol, ofs?, nBits?) -> ResolvedField      (expr_resolve_field)
 *       Follows subfield parents down to the OVS field, e.g. reg0[1] ->
 *       { mf: 'xxreg0', nxm: 'NXM_NX_XXREG0', ofs: 97, nBits: 1, fieldBits: 128 }.
 *       For string fields the whole OVS field is returned.
 *   OVS_FIELDS[mf] -> OvsField (n_bits, maskable, writable, OXM/NXM name).
 *   symbolIsWritable(symbol, scope) -> boolean  (expr_type_check's rw test)
 *
 * ExprSymbol mirrors struct expr_symbol: `width` is 0 for string fields, 1 for
 * predicates; `level` is OVN's measurement level (nominal / Boolean / ordinal);
 * `parent`/`parentOfs` describe subfields; `predicate` holds a predicate's
 * expansion text; `prereqs` the prerequisite expression text; `rw` the write
 * scope bitmask (WR_DEFAULT = 1, WR_CT_COMMIT = 2; ovn fields = all).
 */
import { SYMTAB_ROWS } from './symtab-data.js';

export type SymbolRow =
  | { name: string; prereqs: string | null; testOnly?: boolean; kind: 'field'; oxm: string; mf: string; width: number; maskable: boolean; mustCrossproduct: boolean; rw: 'default' | 'ct_commit' | null }
  | { name: string; prereqs: string | null; testOnly?: boolean; kind: 'string'; oxm: string; mf: string; fieldBits: number; rw: 'default' | 'ct_commit' | null }
  | { name: string; prereqs: string | null; testOnly?: boolean; kind: 'subfield'; parent: string; ofs: number; width: number; rwScope: 'default' | 'ct_commit' }
  | { name: string; prereqs: string | null; testOnly?: boolean; kind: 'predicate'; expansion: string }
  | { name: string; prereqs: string | null; testOnly?: boolean; kind: 'ovn_field'; width: number };

export type ExprLevel = 'nominal' | 'Boolean' | 'ordinal';
/** expr_get_level ordering: MIN() over sub-levels, nominal < Boolean < ordinal. */
export const LEVEL_RANK: Record<ExprLevel, number> = { nominal: 0, Boolean: 1, ordinal: 2 };

export const WR_DEFAULT = 1;
export const WR_CT_COMMIT = 2;
export const WR_ANY = 0xffffffff;

export interface OvsField {
  /** OVS meta-flow name (mf_field.name), e.g. "xxreg0", "ip_src", "tcp_dst". */
  mf: string;
  /** NXM/OXM name as printed by dump-symtab / move actions, e.g. "NXM_NX_XXREG0". */
  nxm: string;
  nBits: number;
  maskable: boolean;
  writable: boolean;
}

export interface ExprSymbol {
  name: string;
  kind: 'field' | 'string' | 'subfield' | 'predicate' | 'ovn_field';
  width: number;
  level: ExprLevel;
  prereqs: string | null;
  parent?: ExprSymbol;
  parentOfs: number;
  predicate?: string;
  field?: OvsField;
  mustCrossproduct: boolean;
  rw: number;
  testOnly: boolean;
}

export type Symtab = ReadonlyMap<string, ExprSymbol>;

export const OVS_FIELDS: Record<string, OvsField> = {};

const identRe = /[A-Za-z_.][A-Za-z_.0-9]*/g;

function build(includeTest: boolean): Symtab {
  const tab = new Map<string, ExprSymbol>();
  // Rows are in dump (alphabetical) order; subfields/predicates may refer to later rows, so resolve lazily.
  const rowsByName = new Map(SYMTAB_ROWS.filter((r) => includeTest || !r.testOnly).map((r) => [r.name, r]));
  const get = (name: string): ExprSymbol | undefined => {
    const existing = tab.get(name);
    if (existing) return existing;
    const r = rowsByName.get(name);
    if (!r) return undefined;
    const base = { name, prereqs: r.prereqs, parentOfs: 0, mustCrossproduct: false, testOnly: !!r.testOnly };
    let s: ExprSymbol;
    switch (r.kind) {
      case 'field': {
        const f = (OVS_FIELDS[r.mf] ??= { mf: r.mf, nxm: r.oxm, nBits: r.width, maskable: r.maskable, writable: r.rw !== null });
        // expr_symtab_add_field_scoped: ordinal iff the OVS field is fully maskable.
        s = { ...base, kind: 'field', width: r.width, level: r.maskable ? 'ordinal' : 'nominal', field: f, mustCrossproduct: r.mustCrossproduct, rw: r.rw === null ? 0 : r.rw === 'ct_commit' ? WR_CT_COMMIT : WR_DEFAULT };
        break;
      }
      case 'string': {
        const f = (OVS_FIELDS[r.mf] ??= { mf: r.mf, nxm: r.oxm, nBits: r.fieldBits, maskable: true, writable: r.rw !== null });
        s = { ...base, kind: 'string', width: 0, level: 'nominal', field: f, rw: r.rw === null ? 0 : WR_DEFAULT };
        break;
      }
      case 'subfield': {
        const parent = get(r.parent);
        if (!parent) throw new Error(`symtab: subfield ${name} of unknown ${r.parent}`);
        // expr_symtab_add_subfield_scoped: level is the parent's; rw = parent rw ? scope : 0.
        s = { ...base, kind: 'subfield', width: r.width, level: parent.level, parent, parentOfs: r.ofs, rw: parent.rw ? (r.rwScope === 'ct_commit' ? WR_CT_COMMIT : WR_DEFAULT) : 0 };
        break;
      }
      case 'predicate': {
        // expr_symtab_add_predicate: level = expr_get_level(parse(expansion)):
        // nominal if any comparison is on a nominal symbol, else Boolean.
        let level: ExprLevel = 'Boolean';
        for (const id of r.expansion.match(identRe) ?? []) {
          const sub = id === name ? undefined : get(id);
          if (sub && sub.level === 'nominal') level = 'nominal';
        }
        s = { ...base, kind: 'predicate', width: 1, level, predicate: r.expansion, rw: 0 };
        break;
      }
      case 'ovn_field':
        s = { ...base, kind: 'ovn_field', width: r.width, level: 'nominal', rw: WR_ANY };
        break;
    }
    tab.set(name, s);
    return s;
  };
  for (const name of rowsByName.keys()) get(name);
  // Keep dump (alphabetical) order for iteration.
  return new Map([...rowsByName.keys()].map((n) => [n, tab.get(n)!]));
}

let prodTab: Symtab | undefined;
let testTab: Symtab | undefined;

/** The symbol table; `test: true` includes test-ovn's extra symbols. */
export function getSymtab(opts: { test?: boolean } = {}): Symtab {
  if (opts.test) return (testTab ??= build(true));
  return (prodTab ??= build(false));
}

export function lookupSymbol(name: string, symtab: Symtab = getSymtab()): ExprSymbol | undefined {
  return symtab.get(name);
}

export interface ResolvedField {
  mf: string;
  nxm: string;
  /** bit offset within the OVS field */
  ofs: number;
  nBits: number;
  fieldBits: number;
}

/** expr_resolve_field(): subfield chain -> OVS field + bit range. */
export function resolveField(symbol: ExprSymbol, ofs = 0, nBits?: number): ResolvedField {
  let s = symbol;
  let o = ofs;
  while (s.parent) {
    o += s.parentOfs;
    s = s.parent;
  }
  if (!s.field) throw new Error(`symbol ${symbol.name} has no OVS field`);
  const n = s.width ? (nBits ?? symbol.width) : s.field.nBits;
  return { mf: s.field.mf, nxm: s.field.nxm, ofs: o, nBits: n, fieldBits: s.field.nBits };
}

/** `Field %s is not modifiable.` test of expr_type_check(). */
export function symbolIsWritable(symbol: ExprSymbol, scope: number = WR_DEFAULT): boolean {
  return (symbol.rw & scope) !== 0;
}

/** `dump-symtab` line for a symbol (expr_symbol_format). */
export function formatSymbol(s: ExprSymbol): string {
  if (s.parent) {
    const f = s.width === s.parent.width && s.parentOfs === 0 ? '' : s.width === 1 ? `[${s.parentOfs}]` : `[${s.parentOfs}..${s.parentOfs + s.width - 1}]`;
    return `${s.name} = ${s.parent.name}${f}`;
  }
  if (s.predicate !== undefined) return `${s.name} = ${s.predicate}`;
  if (s.kind === 'ovn_field') return `${s.name} = ${s.name}`;
  return `${s.name} = ${s.field!.nxm}`;
}
