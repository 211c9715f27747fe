/**
 * expr_simplify() and expr_evaluate_condition() of lib/expr.c at OVN 25.03.0:
 * relational operators become ORs of masked equality tests; `!=` expands to
 * one single-bit test per mask bit (the prefix-mask expansion of commit
 * 557020bac only arrived in 26.03 / 25.03.2).
 */
import { boolExpr, exprCombine, exprFix, findBitwiseRange, type CmpExpr, type Expr } from './ast.js';

const bit = (v: bigint, i: number): boolean => ((v >> BigInt(i)) & 1n) === 1n;

/** bitwise_scan(): first index in [start,end) whose bit equals `target`, else end. */
function bitwiseScan(v: bigint, target: boolean, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bit(v, i) === target) return i;
  return end;
}

/** expr_simplify_eq */
function simplifyEq(e: CmpExpr): Expr {
  return e.mask === 0n ? boolExpr(true) : e;
}

/** expr_simplify_ne (25.03: single-bit masks) */
function simplifyNe(e: CmpExpr): Expr {
  let out: Expr | null = null;
  const w = e.symbol.width;
  for (let i = bitwiseScan(e.mask, true, 0, w); i < w; i = bitwiseScan(e.mask, true, i + 1, w)) {
    const b = 1n << BigInt(i);
    const n: CmpExpr = { type: 'cmp', symbol: e.symbol, relop: '==', value: bit(e.value, i) ? 0n : b, mask: b };
    out = exprCombine('or', out, n);
  }
  return out ?? boolExpr(false);
}

/** expr_simplify_relational */
function simplifyRelational(e: CmpExpr): Expr {
  const { start, nBits } = findBitwiseRange(e.mask, e.symbol.width);
  const end = start + nBits;
  const lt = e.relop === '<' || e.relop === '<=';
  const eq = e.relop === '<=' || e.relop === '>=';
  if (bitwiseScan(e.value, !lt, start, end) === end) {
    return eq ? boolExpr(true) : simplifyNe(e);
  }
  let out: Expr | null = eq ? { ...e, relop: '==' } : null;
  for (let z = bitwiseScan(e.value, lt, start, end); z < end; z = bitwiseScan(e.value, lt, z + 1, end)) {
    const low = ((1n << BigInt(z - start)) - 1n) << BigInt(start);
    const n: CmpExpr = { ...e, relop: '==', value: (e.value ^ (1n << BigInt(z))) & ~low, mask: e.mask & ~low };
    out = exprCombine('or', out, n);
  }
  return out ?? boolExpr(false);
}

/** expr_simplify (in place) */
export function simplifyInPlace(e: Expr): Expr {
  switch (e.type) {
    case 'cmp':
      if (!e.symbol.width) return e;
      return e.relop === '==' ? simplifyEq(e) : e.relop === '!=' ? simplifyNe(e) : simplifyRelational(e);
    case 'and': case 'or': {
      const out: Expr[] = [];
      for (const s of e.subs) {
        const n = simplifyInPlace(s);
        if (n.type === e.type) out.push(...n.subs);
        else out.push(n);
      }
      e.subs = out;
      return exprFix(e);
    }
    default:
      return e;
  }
}

/** expr_evaluate_condition (in place): is_chassis_resident(port) -> Boolean. */
export function evaluateConditionInPlace(e: Expr, isChassisResident: (port: string) => boolean): Expr {
  switch (e.type) {
    case 'and': case 'or': {
      const out: Expr[] = [];
      for (const s of e.subs) {
        const n = exprFix(evaluateConditionInPlace(s, isChassisResident));
        if (n.type === e.type) out.push(...n.subs);
        else out.push(n);
      }
      e.subs = out;
      return exprFix(e);
    }
    case 'condition':
      return boolExpr(isChassisResident(e.string) !== e.not);
    default:
      return e;
  }
}
