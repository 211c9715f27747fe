/**
 * expr_annotate() (lib/expr.c): expand predicates, replace subfields by their
 * parent field (value/mask shifted), and append each symbol's prerequisites —
 * once per same-symbol subtree (expr_annotate__ with append_prereqs).
 */
import { parseMatch, ExprSyntaxError } from '../../grammar/match-parser.js';
import { exprCombine, exprNot, uniqueSymbol, type Expr } from './ast.js';
import type { ExprSymbol, Symtab } from './symtab.js';

export class ExprError extends Error {
  constructor(message: string, readonly column?: number) {
    super(message);
    this.name = 'ExprError';
  }
}

type Result = { expr: Expr } | { error: string };

/** parse_and_annotate(): expansions are parsed with the symtab only (no address sets / port groups). */
function parseAndAnnotate(s: string, symtab: Symtab, nesting: ExprSymbol[]): Result {
  let r: Result;
  try {
    r = annotate_(parseMatch(s, { symtab }), symtab, true, nesting);
  } catch (e) {
    if (!(e instanceof ExprSyntaxError)) throw e;
    r = { error: e.message };
  }
  if ('error' in r) {
    return { error: `Error parsing expression \`${s}' encountered as prerequisite or predicate of initial expression: ${r.error}` };
  }
  return r;
}

/** expr_annotate_cmp */
function annotateCmp(expr: Expr & { type: 'cmp' }, symtab: Symtab, appendPrereqs: boolean, nesting: ExprSymbol[]): Result {
  const symbol = expr.symbol;
  if (nesting.includes(symbol)) return { error: `Recursive expansion of symbol \`${symbol.name}'.` };
  nesting.push(symbol);
  try {
    let prereqs: Expr | null = null;
    if (appendPrereqs && symbol.prereqs) {
      const r = parseAndAnnotate(symbol.prereqs, symtab, nesting);
      if ('error' in r) return r;
      prereqs = r.expr;
    }
    let e: Expr = expr;
    if (symbol.parent) {
      expr.symbol = symbol.parent;
      expr.value <<= BigInt(symbol.parentOfs);
      expr.mask <<= BigInt(symbol.parentOfs);
    } else if (symbol.predicate !== undefined) {
      const r = parseAndAnnotate(symbol.predicate, symtab, nesting);
      if ('error' in r) return r;
      let positive = (expr.value & 1n) === 1n;
      if (expr.relop === '!=') positive = !positive;
      if (!positive) exprNot(r.expr);
      e = r.expr;
    }
    return { expr: prereqs ? exprCombine('and', e, prereqs)! : e };
  } finally {
    nesting.pop();
  }
}

/** expr_annotate__ */
function annotate_(expr: Expr, symtab: Symtab, appendPrereqs: boolean, nesting: ExprSymbol[]): Result {
  switch (expr.type) {
    case 'cmp':
      return annotateCmp(expr, symtab, appendPrereqs, nesting);
    case 'and': case 'or': {
      let e: Expr = expr;
      if (appendPrereqs) {
        const sym = uniqueSymbol(expr);
        if (sym) {
          appendPrereqs = false;
          // expr_append_prereqs
          if (sym.prereqs) {
            const r = parseAndAnnotate(sym.prereqs, symtab, nesting);
            if ('error' in r) return r;
            e = exprCombine('and', e, r.expr)!;
          }
        }
      }
      const andor = e as Expr & { type: 'and' | 'or' };
      const out: Expr[] = [];
      for (const sub of andor.subs) {
        const r = annotate_(sub, symtab, appendPrereqs, nesting);
        if ('error' in r) return r;
        // expr_insert_andor
        if (r.expr.type === andor.type) out.push(...(r.expr as Expr & { type: 'and' | 'or' }).subs);
        else out.push(r.expr);
      }
      andor.subs = out;
      return { expr: andor };
    }
    default:
      return { expr };
  }
}

/** expr_annotate(): mutates/consumes `expr`; throws ExprError with OVN's message. */
export function annotateInPlace(expr: Expr, symtab: Symtab): Expr {
  const r = annotate_(expr, symtab, true, []);
  if ('error' in r) throw new ExprError(r.error);
  return r.expr;
}
