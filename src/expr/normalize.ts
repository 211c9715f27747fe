/**
 * expr_normalize() of lib/expr.c at OVN 25.03.0: reduce a simplified
 * expression to OR(AND(clause)) where each clause is a cmp or an OR of cmps on
 * one symbol ("crushing" same-symbol terms), multiplying out ORs that span
 * several symbols or a must_crossproduct symbol.
 *
 * 25.03 specifics reproduced here:
 *  - crush_or() drops disjuncts that are implied by another disjunct (OR
 *    "superset" removal, commit 422ab29e7, in since 23.06);
 *  - compare_expr_sort() still has the `b_type = a->expr->type` slip (fixed in
 *    26.03.2): same-symbol terms of different kinds compare equal, and glibc's
 *    merge-sort qsort keeps them in input order (JS sort is stable too).
 */
import { boolExpr, exprClone, exprCombine, exprFix, EXPR_TYPE_ORDER, uniqueSymbol, type AndOrExpr, type CmpExpr, type Expr } from './ast.js';
import type { ExprSymbol } from './symtab.js';

interface Sortable {
  expr: Expr;
  symbol: ExprSymbol | null;
  type: keyof typeof EXPR_TYPE_ORDER;
}

/** strcmp() on symbol names (byte order; names are ASCII). */
const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** compare_expr_sort, including 25.03's quirk. */
function compareExprSort(a: Sortable, b: Sortable): number {
  if (a.type !== b.type) return EXPR_TYPE_ORDER[a.type] < EXPR_TYPE_ORDER[b.type] ? -1 : 1;
  if (a.symbol) {
    const c = strcmp(a.symbol.name, b.symbol!.name);
    if (c) return c;
    // b_type is (mistakenly) a->expr->type in 25.03, so this is always 0.
    return 0;
  }
  if (a.type === 'and' || a.type === 'or') {
    const al = (a.expr as AndOrExpr).subs.length;
    const bl = (b.expr as AndOrExpr).subs.length;
    return al < bl ? -1 : al > bl ? 1 : 0;
  }
  return 0;
}

/** mf_subvalue_intersect(): returns the combined value/mask or null on conflict. */
function intersect(av: bigint, am: bigint, bv: bigint, bm: bigint): [bigint, bigint] | null {
  if ((av ^ bv) & (am & bm)) return null;
  return [av | bv, am | bm];
}

const cmpOf = (symbol: ExprSymbol, value: bigint, mask: bigint): CmpExpr => ({ type: 'cmp', symbol, relop: '==', value, mask });

/** crush_and_string */
function crushAndString(expr: AndOrExpr, symbol: ExprSymbol): Expr {
  let singleton: CmpExpr | null = null;
  const ors: AndOrExpr[] = [];
  for (const sub of expr.subs) {
    const n = crushCmps(sub, symbol);
    switch (n.type) {
      case 'cmp':
        if (!singleton) singleton = n;
        else if (n.string !== singleton.string) return boolExpr(false);
        break;
      case 'or': ors.push(n); break;
      case 'boolean': if (!n.value) return n; break;
      default: throw new Error('crush_and_string: unexpected ' + n.type);
    }
  }
  if (singleton) {
    for (const o of ors) {
      if (!o.subs.some((s) => (s as CmpExpr).string === singleton!.string)) return boolExpr(false);
    }
    return singleton;
  }
  // Intersection of all the ORs (an sset; iteration order is hash order in C, sorted here).
  let result: string[] | undefined;
  for (const o of ors) {
    const strings = new Set<string>(o.subs.map((s) => (s as CmpExpr).string!));
    result = result === undefined ? [...strings] : result.filter((x: string) => strings.has(x));
    if (result.length === 0) return boolExpr(false);
  }
  const out: AndOrExpr = { type: 'or', subs: [...(result ?? [])].sort().map((s) => ({ type: 'cmp', symbol, relop: '==', value: 0n, mask: 0n, string: s }) as CmpExpr) };
  return exprFix(out);
}

/** crush_and_numeric */
function crushAndNumeric(expr: AndOrExpr, symbol: ExprSymbol): Expr {
  let value = 0n;
  let mask = 0n;
  const rest: AndOrExpr[] = [];
  for (const sub of expr.subs) {
    const n = crushCmps(sub, symbol);
    switch (n.type) {
      case 'cmp': {
        const r = intersect(value, mask, n.value, n.mask);
        if (!r) return boolExpr(false);
        [value, mask] = r;
        break;
      }
      case 'or': rest.push(n); break;
      case 'boolean': if (!n.value) return n; break;
      default: throw new Error('crush_and_numeric: unexpected ' + n.type);
    }
  }
  if (rest.length === 0) return mask === 0n ? boolExpr(true) : cmpOf(symbol, value, mask);
  if (rest.length === 1) {
    // "a && (b || c || d)" -> "ab || ac || ad"
    const subs: Expr[] = [];
    for (const s of rest[0]!.subs) {
      const c = s as CmpExpr;
      const r = intersect(value, mask, c.value, c.mask);
      if (r) {
        c.value = r[0];
        c.mask = r[1];
        subs.push(c);
      }
    }
    if (subs.length === 0) return boolExpr(false);
    if (subs.length === 1) return subs[0]!;
    // The intersections may coincide (e.g. "x == A && x != B/14"); like OVN
    // >= 23.03 (which yields one flow here), re-crush to drop duplicates.
    return crushOr({ type: 'or', subs }, symbol);
  }
  // "x && (a0 || a1) && (b0 || b1) && ..." -> "(xa0b0 || xa0b1 || ...) && ..."
  const as = rest.shift()!;
  const bs = rest.shift()!;
  const or: AndOrExpr = { type: 'or', subs: [] };
  // Kept product terms grouped by mask, for the "implied by an earlier term" test.
  const kept = new Map<bigint, Set<bigint>>();
  const implied = (v: bigint, m: bigint): boolean => {
    for (const [km, vals] of kept) if ((km & m) === km && vals.has(v & km)) return true;
    return false;
  };
  for (const a of as.subs as CmpExpr[]) {
    const ra = intersect(value, mask, a.value, a.mask);
    if (!ra) continue;
    for (const b of bs.subs as CmpExpr[]) {
      const rb = intersect(ra[0], ra[1], b.value, b.mask);
      if (!rb) continue;
      // A product term implied by one already produced adds nothing (OR-superset
      // removal, 23.06+); the term keeps b's address-set origin.  Both behaviours
      // were pinned down against the real 25.03 ovn-controller.
      if (implied(rb[0], rb[1])) continue;
      let vals = kept.get(rb[1]);
      if (!vals) kept.set(rb[1], (vals = new Set()));
      vals.add(rb[0]);
      const n = cmpOf(symbol, rb[0], rb[1]);
      if (b.asName !== undefined) n.asName = b.asName;
      or.subs.push(n);
    }
  }
  if (or.subs.length === 0) return boolExpr(false);
  if (or.subs.length === 1) {
    const cmp = or.subs[0]!;
    if (rest.length === 0) return crushCmps(cmp, symbol);
    return crushCmps(exprCombine('and', cmp, { type: 'and', subs: rest })!, symbol);
  }
  if (rest.length) {
    return crushCmps({ type: 'and', subs: [or, ...rest] }, symbol);
  }
  return crushCmps(or, symbol);
}

/** compare_cmps_3way */
function compareCmps(a: CmpExpr, b: CmpExpr): number {
  if (!a.symbol.width) return strcmp(a.string!, b.string!);
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  if (a.mask !== b.mask) return a.mask < b.mask ? -1 : 1;
  return 0;
}

/**
 * Drops each disjunct that is implied by another one (its mask covers the
 * other's mask and they agree there), keeping list order.  Grouped by mask so
 * that large address sets (one mask) cost O(n), not O(n^2).
 */
function removeSupersets(subs: CmpExpr[]): CmpExpr[] {
  const m0 = subs[0]!.mask;
  if (subs.every((s) => s.mask === m0)) return subs;
  const byMask = new Map<bigint, Set<bigint>>();
  for (const s of subs) {
    let g = byMask.get(s.mask);
    if (!g) byMask.set(s.mask, (g = new Set()));
    g.add(s.value);
  }
  if (byMask.size < 2) return subs;
  const masks = [...byMask.keys()];
  return subs.filter((b) => {
    for (const m of masks) {
      if (m === b.mask || (m & b.mask) !== m) continue; // need m strictly inside b.mask
      if (byMask.get(m)!.has(b.value & m)) return false;
    }
    return true;
  });
}

/** crush_or */
function crushOr(expr: AndOrExpr, symbol: ExprSymbol): Expr {
  const out: Expr[] = [];
  for (const s of expr.subs) {
    const n = crushCmps(s, symbol);
    if (n.type === 'or') out.push(...n.subs);
    else out.push(n);
  }
  expr.subs = out;
  const fixed = exprFix(expr);
  if (fixed.type !== 'or') return fixed;
  const subs = (fixed.subs as CmpExpr[]).slice().sort(compareCmps);
  let dedup: CmpExpr[] = [subs[0]!];
  for (let i = 1; i < subs.length; i++) {
    if (compareCmps(dedup[dedup.length - 1]!, subs[i]!)) dedup.push(subs[i]!);
  }
  // OR-superset removal (23.06+) leaves ORs with address-set terms alone.
  if (symbol.width && !dedup.some((c) => c.asName !== undefined)) dedup = removeSupersets(dedup);
  fixed.subs = dedup;
  return exprFix(fixed);
}

/** crush_cmps */
function crushCmps(expr: Expr, symbol: ExprSymbol): Expr {
  switch (expr.type) {
    case 'or': return crushOr(expr, symbol);
    case 'and': return symbol.width ? crushAndNumeric(expr, symbol) : crushAndString(expr, symbol);
    case 'cmp': case 'boolean': return expr;
    default: throw new Error('crush_cmps: condition');
  }
}

/** expr_sort: sort AND terms by symbol and crush each same-symbol run. */
function exprSort(expr: AndOrExpr): Expr {
  const subs: Sortable[] = expr.subs.map((e) => {
    const symbol = uniqueSymbol(e);
    return { expr: e, symbol, type: symbol ? 'cmp' : e.type };
  });
  subs.sort(compareExprSort);
  let out: Expr | null = null;
  for (let i = 0; i < subs.length;) {
    const si = subs[i]!;
    if (si.symbol) {
      let j = i + 1;
      while (j < subs.length && subs[j]!.symbol === si.symbol) j++;
      let crushed: Expr;
      if (j === i + 1) crushed = crushCmps(si.expr, si.symbol);
      else {
        let combined: Expr = si.expr;
        for (let k = i + 1; k < j; k++) combined = exprCombine('and', combined, subs[k]!.expr)!;
        crushed = crushCmps(combined, si.symbol);
      }
      if (crushed.type === 'boolean') {
        if (!crushed.value) return crushed;
      } else out = exprCombine('and', out, crushed);
      i = j;
    } else {
      out = exprCombine('and', out, subs[i++]!.expr);
    }
  }
  // Every term crushed to "true" (C would return NULL here).
  return out ?? boolExpr(true);
}

/** expr_normalize_and */
function normalizeAnd(input: AndOrExpr): Expr {
  const sorted = exprSort(input);
  if (sorted.type !== 'and') return sorted;
  const expr = sorted;
  // Merge adjacent cmps on the same symbol.
  const list = expr.subs;
  for (let i = 0; i + 1 < list.length;) {
    const a = list[i]!;
    const b = list[i + 1]!;
    if (a.type !== 'cmp' || b.type !== 'cmp' || a.symbol !== b.symbol) {
      i++;
      continue;
    }
    if (a.symbol.width) {
      const r = intersect(a.value, a.mask, b.value, b.mask);
      if (!r) return boolExpr(false);
      [b.value, b.mask] = r;
    } else if (a.string !== b.string) return boolExpr(false);
    list.splice(i, 1);
  }
  if (list.length === 1) return list[0]!;

  for (const sub of list) {
    if (sub.type === 'cmp' || sub.type === 'condition') continue;
    if (sub.type !== 'or') throw new Error('normalize_and: unexpected ' + sub.type);
    const symbol = uniqueSymbol(sub);
    if (!symbol || symbol.mustCrossproduct) {
      const or: AndOrExpr = { type: 'or', subs: [] };
      for (const k of sub.subs) {
        const and: AndOrExpr = { type: 'and', subs: [] };
        for (const m of list) {
          const term = m === sub ? k : m;
          if (term.type === 'and') for (const p of term.subs) and.subs.push(exprClone(p));
          else and.subs.push(exprClone(term));
        }
        or.subs.push(and);
      }
      return normalizeOr(or);
    }
  }
  return expr;
}

/** expr_normalize_or */
function normalizeOr(expr: AndOrExpr): Expr {
  const out: Expr[] = [];
  for (const sub of expr.subs) {
    if (sub.type === 'and') {
      const n = normalizeAnd(sub);
      if (n.type === 'boolean') {
        if (n.value) return n;
      } else if (n.type === 'or') out.push(...n.subs);
      else out.push(n);
    } else {
      out.push(sub);
    }
  }
  if (out.length === 0) return boolExpr(false);
  if (out.length === 1) return out[0]!;
  expr.subs = out;
  return expr;
}

/** expr_normalize (in place) */
export function normalizeInPlace(expr: Expr): Expr {
  switch (expr.type) {
    case 'cmp': case 'boolean': return expr;
    case 'and': return normalizeAnd(expr);
    case 'or': return normalizeOr(expr);
    default: throw new Error('expr_normalize: conditions must be evaluated first');
  }
}

/** expr_is_normalized */
export function isNormalized(expr: Expr): boolean {
  const normalizedAnd = (e: AndOrExpr): boolean => e.subs.every((s) => uniqueSymbol(s) !== null);
  switch (expr.type) {
    case 'cmp': case 'boolean': return true;
    case 'and': return normalizedAnd(expr);
    case 'or':
      if (!uniqueSymbol(expr)) return expr.subs.every((s) => uniqueSymbol(s) !== null || (s.type === 'and' && normalizedAnd(s)));
      return true;
    default: return false;
  }
}
