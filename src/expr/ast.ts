/**
 * Expression tree of OVN's match language (struct expr in include/ovn/expr.h)
 * and its canonical printer (expr_format in lib/expr.c).
 *
 * Values and masks are bigints over the symbol's width (bit 0 = LSB), which
 * orders exactly like memcmp() over the big-endian union mf_subvalue.
 * Trees are plain mutable objects so that the lib/expr.c algorithms port
 * one-to-one; the public step functions in index.ts clone their input.
 */
import type { ExprSymbol } from './symtab.js';

export type Relop = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** enum expr_type order matters (compare_expr_sort sorts by it). */
export const EXPR_TYPE_ORDER = { cmp: 0, and: 1, or: 2, boolean: 3, condition: 4 } as const;

export interface CmpExpr {
  type: 'cmp';
  symbol: ExprSymbol;
  relop: Relop;
  /** numeric comparisons (symbol.width > 0) */
  value: bigint;
  mask: bigint;
  /** string comparisons (symbol.width == 0) */
  string?: string;
  /**
   * Address set the constant came from ($name), if any.  ovn-controller keeps
   * such terms apart for address-set incremental processing, and expr.c's
   * OR-superset removal leaves them alone (observed on real 25.03).
   */
  asName?: string;
}
export interface AndOrExpr {
  type: 'and' | 'or';
  subs: Expr[];
}
export interface BooleanExpr {
  type: 'boolean';
  value: boolean;
}
export interface ConditionExpr {
  type: 'condition';
  /** EXPR_COND_CHASSIS_RESIDENT is the only condition type */
  cond: 'is_chassis_resident';
  not: boolean;
  string: string;
}
export type Expr = CmpExpr | AndOrExpr | BooleanExpr | ConditionExpr;

export const boolExpr = (value: boolean): BooleanExpr => ({ type: 'boolean', value });

/** expr_relop_invert */
export function relopInvert(r: Relop): Relop {
  return ({ '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const)[r];
}
/** expr_relop_turn */
export function relopTurn(r: Relop): Relop {
  return ({ '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[r];
}

/** expr_combine(): AND/OR of a and b, flattening same-type operands. */
export function exprCombine(type: 'and' | 'or', a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  if (a.type === type) {
    if (b.type === type) a.subs.push(...b.subs);
    else a.subs.push(b);
    return a;
  }
  if (b.type === type) {
    b.subs.unshift(a);
    return b;
  }
  return { type, subs: [a, b] };
}

/** expr_not(): push a negation down (in place). */
export function exprNot(e: Expr): void {
  switch (e.type) {
    case 'cmp': e.relop = relopInvert(e.relop); break;
    case 'and': case 'or':
      for (const s of e.subs) exprNot(s);
      (e as AndOrExpr).type = e.type === 'and' ? 'or' : 'and';
      break;
    case 'boolean': e.value = !e.value; break;
    case 'condition': e.not = !e.not; break;
  }
}

export function exprClone(e: Expr): Expr {
  switch (e.type) {
    case 'cmp': return { ...e };
    case 'and': case 'or': return { type: e.type, subs: e.subs.map(exprClone) };
    case 'boolean': return { ...e };
    case 'condition': return { ...e };
  }
}

/** expr_fix_andor / expr_fix: drop Boolean operands and collapse 0/1-operand AND/OR. */
export function exprFix(e: Expr): Expr {
  if (e.type !== 'and' && e.type !== 'or') return e;
  const shortCircuit = e.type === 'or';
  const kept: Expr[] = [];
  for (const s of e.subs) {
    if (s.type === 'boolean') {
      if (s.value === shortCircuit) return boolExpr(shortCircuit);
    } else kept.push(s);
  }
  e.subs = kept;
  if (kept.length === 0) return boolExpr(!shortCircuit);
  if (kept.length === 1) return kept[0]!;
  return e;
}

/** expr_insert_andor(): splice `n` into andor's list (in place of an extracted sub). */
export function insertAndOr(out: Expr[], parentType: 'and' | 'or', n: Expr): void {
  if (n.type === parentType) out.push(...n.subs);
  else out.push(n);
}

const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

/** find_bitwise_range(): the single contiguous run of 1-bits in mask within [0,width), else {0,0}. */
export function findBitwiseRange(mask: bigint, width: number): { start: number; nBits: number } {
  const m = mask & ones(width);
  if (m === 0n) return { start: 0, nBits: 0 };
  let start = 0;
  while (((m >> BigInt(start)) & 1n) === 0n) start++;
  let end = start;
  while (end < width && ((m >> BigInt(end)) & 1n) === 1n) end++;
  if (end >= width || (m >> BigInt(end)) === 0n) return { start, nBits: end - start };
  return { start: 0, nBits: 0 };
}

/** mf_format_subvalue() = ds_put_hex(): "0x…" with no leading zeros, "0" for zero. */
export function formatSubvalue(v: bigint): string {
  return v === 0n ? '0' : '0x' + v.toString(16);
}

/** json_string_escape() as used for strings in expressions. */
export function jsonEscape(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      out += ({ 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' } as Record<number, string>)[c] ?? '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function formatCmp(e: CmpExpr): string {
  const sym = e.symbol;
  if (!sym.width) return `${sym.name} ${e.relop} ${jsonEscape(e.string!)}`;
  const { start: ofs, nBits: n } = findBitwiseRange(e.mask, sym.width);
  if (n === 1 && (e.relop === '==' || e.relop === '!=')) {
    let positive = ((e.value >> BigInt(ofs)) & 1n) === 1n;
    if (e.relop === '!=') positive = !positive;
    return (positive ? '' : '!') + sym.name + (sym.width > 1 ? `[${ofs}]` : '');
  }
  let s = sym.name;
  if (n > 0 && n < sym.width) s += n > 1 ? `[${ofs}..${ofs + n - 1}]` : `[${ofs}]`;
  s += ` ${e.relop} `;
  if (n) s += formatSubvalue((e.value >> BigInt(ofs)) & ones(n));
  else s += formatSubvalue(e.value) + '/' + formatSubvalue(e.mask);
  return s;
}

/** expr_format(): re-parseable canonical text. */
export function exprFormat(e: Expr): string {
  switch (e.type) {
    case 'cmp': return formatCmp(e);
    case 'and': case 'or': {
      const op = e.type === 'and' ? ' && ' : ' || ';
      return e.subs.map((s) => (s.type === 'and' || s.type === 'or' ? `(${exprFormat(s)})` : exprFormat(s))).join(op);
    }
    case 'boolean': return e.value ? '1' : '0';
    case 'condition': return `${e.not ? '!' : ''}is_chassis_resident(${jsonEscape(e.string)})`;
  }
}

/** expr_get_unique_symbol() */
export function uniqueSymbol(e: Expr): ExprSymbol | null {
  switch (e.type) {
    case 'cmp': return e.symbol;
    case 'and': case 'or': {
      let prev: ExprSymbol | null = null;
      for (const s of e.subs) {
        const sym = uniqueSymbol(s);
        if (!sym || (prev && sym !== prev)) return null;
        prev = sym;
      }
      return prev;
    }
    default: return null;
  }
}
