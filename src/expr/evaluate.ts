/**
 * expr_evaluate() (lib/expr.c): evaluate an expression against concrete field
 * values — used by the exhaustive self-checks (tests/test-ovn.c) and handy for
 * the connectivity oracle.  is_chassis_resident() evaluates to true, as in C.
 */
import type { Expr } from './ast.js';
import type { ExprSymbol } from './symtab.js';

/** Value of an OVS field (by mf name, e.g. "reg0", "ip_src") in the microflow. */
export type FieldValue = (mf: string) => bigint;

function relopTest(relop: string, cmp: number): boolean {
  switch (relop) {
    case '==': return cmp === 0;
    case '!=': return cmp !== 0;
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    default: return cmp >= 0;
  }
}

function base(s: ExprSymbol): ExprSymbol {
  while (s.parent) s = s.parent;
  return s;
}

export function evaluateExpr(e: Expr, field: FieldValue, lookupPort: (name: string) => number | undefined): boolean {
  switch (e.type) {
    case 'cmp': {
      const f = base(e.symbol).field!;
      let cmp: number;
      if (e.symbol.width) {
        // Annotated expressions are on the base field; unannotated subfield symbols are shifted here.
        const shift = BigInt(e.symbol === base(e.symbol) ? 0 : subOfs(e.symbol));
        const v = (field(f.mf) >> shift) & e.mask;
        cmp = v < e.value ? -1 : v > e.value ? 1 : 0;
      } else {
        const cst = lookupPort(e.string!);
        if (cst === undefined) return false;
        const v = field(f.mf);
        cmp = v < BigInt(cst) ? -1 : v > BigInt(cst) ? 1 : 0;
      }
      return relopTest(e.relop, cmp);
    }
    case 'and': return e.subs.every((s) => evaluateExpr(s, field, lookupPort));
    case 'or': return e.subs.some((s) => evaluateExpr(s, field, lookupPort));
    case 'boolean': return e.value;
    case 'condition': return !e.not;
  }
}

function subOfs(s: ExprSymbol): number {
  let o = 0;
  while (s.parent) {
    o += s.parentOfs;
    s = s.parent;
  }
  return o;
}
