/**
 * Parser for OVN match expressions: a one-to-one port of lib/expr.c's
 * recursive-descent parser (expr_parse__ / expr_parse_not / expr_parse_primary /
 * parse_field / parse_constant_set / make_cmp) over the chevrotain token
 * stream of ./lexer.ts.
 *
 * Why not a generated chevrotain grammar: OVN's errors depend on exactly which
 * token the hand-written parser is looking at and on its side state (the `!`
 * parity for nominal fields, paren depth, "first error wins" and lexer error
 * tokens).  Reproducing that wording through chevrotain's recovery machinery
 * would be a re-implementation anyway, so the tokens come from chevrotain and
 * the descent mirrors the C code.
 */
import type { IToken } from 'chevrotain';
import { scanToken, tokenize, tokenPayload, TOKEN_TEXT, type LexFormat, type OvnToken } from './lexer.js';
import {
  boolExpr, exprCombine, exprNot, relopTurn, type CmpExpr, type Expr, type Relop,
} from '../src/expr/ast.js';
import type { ExprSymbol, Symtab } from '../src/expr/symtab.js';

export const MAX_PAREN_DEPTH = 100;

/** union expr_constant (integer flavour). */
export interface IntConstant {
  value: bigint;
  mask: bigint;
  format: LexFormat;
  masked: boolean;
  /** address set this constant was expanded from */
  asName?: string;
}
/** struct expr_constant_set */
export interface ConstantSet {
  type: 'integer' | 'string';
  values: (IntConstant | string)[];
  inCurlies: boolean;
}

export interface ParseEnv {
  symtab: Symtab;
  /** Address sets (already converted to integer constants) — see constSetFromStrings. */
  addrSets?: ReadonlyMap<string, IntConstant[]> | null;
  /** Port groups keyed by SB name ("<dp>_<name>") or plain name. */
  portGroups?: ReadonlyMap<string, string[]> | null;
  /** Datapath tunnel key used to build SB port-group names (test-ovn uses 0). */
  dpId?: number;
}

export class ExprSyntaxError extends Error {
  constructor(message: string, readonly column: number, readonly offset: number) {
    super(message);
    this.name = 'ExprSyntaxError';
  }
}

/** struct lexer over pre-tokenized input; keeps "first error wins". */
export class TokenCursor {
  readonly tokens: OvnToken[];
  pos = 0;
  error: string | null = null;
  errorColumn = 0;
  errorOffset = 0;
  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }
  get token(): OvnToken | undefined {
    return this.tokens[this.pos];
  }
  /** token kind name, 'End' at end of input */
  get type(): string {
    return this.token?.tokenType.name ?? 'End';
  }
  /** the identifier of the current token, when it is an Id */
  get id(): string | undefined {
    return this.type === 'Id' ? tokenPayload(this.token!).s : undefined;
  }
  lookaheadType(): string {
    return this.tokens[this.pos + 1]?.tokenType.name ?? 'End';
  }
  get(): void {
    if (this.pos < this.tokens.length) this.pos++;
  }
  match(type: string): boolean {
    if (this.type === type) {
      this.get();
      return true;
    }
    return false;
  }
  matchId(id: string): boolean {
    if (this.type === 'Id' && tokenPayload(this.token!).s === id) {
      this.get();
      return true;
    }
    return false;
  }
  private setError(msg: string): void {
    const t = this.token;
    this.error = msg;
    this.errorOffset = t ? t.startOffset : this.text.length;
    this.errorColumn = t ? (t.startColumn ?? t.startOffset + 1) : this.text.length + 1;
  }
  /** lexer_error_handle_common */
  private handled(): boolean {
    if (this.error !== null) return true;
    if (this.type === 'LexError') {
      this.setError(tokenPayload(this.token!).error!);
      return true;
    }
    return false;
  }
  /** lexer_error() */
  errorMsg(msg: string): void {
    if (this.handled()) return;
    this.setError(msg);
  }
  /** lexer_syntax_error() */
  syntaxError(msg: string | null): void {
    if (this.handled()) return;
    let s = 'Syntax error';
    if (!this.token) s += ' at end of input';
    else s += ` at \`${(this.token as IToken).image}'`;
    if (msg) s += ' ' + msg;
    s += '.';
    this.setError(s);
  }
  forceMatch(type: string): boolean {
    if (type === 'End') return this.forceEnd();
    if (this.match(type)) return true;
    this.syntaxError(`expecting \`${TOKEN_TEXT[type] ?? type}'`);
    return false;
  }
  forceEnd(): boolean {
    if (!this.token) return true;
    this.syntaxError('expecting end of input');
    return false;
  }
  /** lexer_is_int */
  isInt(): boolean {
    if (this.type !== 'Integer') return false;
    const p = tokenPayload(this.token!);
    return p.format === 'decimal' && p.value! <= 0x7fffffffn;
  }
  /** lexer_force_int */
  forceInt(): number | null {
    if (this.isInt()) {
      const v = Number(tokenPayload(this.token!).value!);
      this.get();
      return v;
    }
    this.syntaxError('expecting small integer');
    return null;
  }
}

export interface ExprField {
  symbol: ExprSymbol;
  ofs: number;
  nBits: number;
}

const RELOPS: Record<string, Relop> = { Eq: '==', Ne: '!=', Lt: '<', Le: '<=', Gt: '>', Ge: '>=' };

const LEVEL_NAME = { nominal: 'nominal', Boolean: 'Boolean', ordinal: 'ordinal' } as const;

const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

/** mf_subvalue_width() */
const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/** expr_constant_width() */
function constantWidth(c: IntConstant): number {
  if (c.masked) return bitLength(c.mask);
  switch (c.format) {
    case 'decimal': case 'hexadecimal': return bitLength(c.value);
    case 'IPv4': return 32;
    case 'IPv6': return 128;
    case 'Ethernet': return 48;
  }
}

/** get_sb_port_group_name() */
export const sbPortGroupName = (name: string, dpId: number): string => `${dpId}_${name}`;

/**
 * expr_const_sets_add(convert_to_integer=true): lex each entry (first token
 * only), skipping entries that are not integers.  Uses the scanner directly:
 * address sets can have tens of thousands of entries.
 */
export function constSetFromStrings(values: readonly string[]): IntConstant[] {
  const out: IntConstant[] = [];
  for (const v of values) {
    let p = 0;
    let t = p < v.length ? scanToken(v, p) : null;
    while (t && t.kind === 'Skip') {
      p = t.end;
      t = p < v.length ? scanToken(v, p) : null;
    }
    if (!t || (t.kind !== 'Integer' && t.kind !== 'MaskedInteger')) continue;
    const pl = t.payload!;
    const masked = t.kind === 'MaskedInteger';
    out.push({ value: pl.value!, mask: masked ? pl.mask! : 0n, format: pl.format!, masked });
  }
  return out;
}

class Ctx {
  not = false;
  parenDepth = 0;
  constructor(readonly lx: TokenCursor, readonly env: ParseEnv) {}

  /** make_cmp__ */
  private makeCmp1(f: ExprField, r: Relop, c: IntConstant | string): CmpExpr {
    if (f.symbol.width) {
      const ic = c as IntConstant;
      const bits = ones(f.nBits);
      const e: CmpExpr = {
        type: 'cmp', symbol: f.symbol, relop: r,
        value: (ic.value & bits) << BigInt(f.ofs),
        mask: (ic.masked ? ic.mask & bits : bits) << BigInt(f.ofs),
      };
      if (ic.asName !== undefined) e.asName = ic.asName;
      return e;
    }
    return { type: 'cmp', symbol: f.symbol, relop: r, value: 0n, mask: 0n, string: c as string };
  }

  /** type_check */
  typeCheck(f: ExprField, cs: ConstantSet): boolean {
    const lx = this.lx;
    if (cs.type !== (f.symbol.width ? 'integer' : 'string')) {
      lx.errorMsg(`${f.symbol.width ? 'Integer' : 'String'} field ${f.symbol.name} is not compatible with ${cs.type === 'integer' ? 'integer' : 'string'} constant.`);
      return false;
    }
    if (f.symbol.width) {
      for (const v of cs.values) {
        const w = constantWidth(v as IntConstant);
        if (w > f.symbol.width) {
          lx.errorMsg(`${w}-bit constant is not compatible with ${f.symbol.width}-bit field ${f.symbol.name}.`);
          return false;
        }
      }
    }
    return true;
  }

  /** make_cmp */
  makeCmp(f: ExprField, r: Relop, cs: ConstantSet): Expr | null {
    const lx = this.lx;
    if (!this.typeCheck(f, cs)) return null;
    if (r !== '==' && r !== '!=') {
      if (cs.inCurlies) {
        lx.errorMsg('Only == and != operators may be used with value sets.');
        return null;
      }
      if (f.symbol.level === 'nominal' || f.symbol.level === 'Boolean') {
        lx.errorMsg(`Only == and != operators may be used with ${LEVEL_NAME[f.symbol.level]} field ${f.symbol.name}.`);
        return null;
      }
      if (!cs.values.length) {
        lx.errorMsg('Only == and != operators may be used to compare a field against an empty value set.');
        return null;
      }
      if ((cs.values[0] as IntConstant).masked) {
        lx.errorMsg('Only == and != operators may be used with masked constants.  Consider using subfields instead (e.g. eth.src[0..15] > 0x1111 in place of eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff).');
        return null;
      }
    }
    if (f.symbol.level === 'nominal') {
      if (f.symbol.predicate !== undefined) {
        for (const v of cs.values) {
          let positive = ((v as IntConstant).value & 1n) === 1n;
          if (r === '!=') positive = !positive;
          if (this.not) positive = !positive;
          if (!positive) {
            const n = f.symbol.name;
            lx.errorMsg(`Nominal predicate ${n} may only be tested positively, e.g. \`${n}' or \`${n} == 1' but not \`!${n}' or \`${n} == 0'.`);
            return null;
          }
        }
      } else if (r !== (this.not ? '!=' : '==')) {
        lx.errorMsg(`Nominal field ${f.symbol.name} may only be tested for equality (taking enclosing \`!' operators into account).`);
        return null;
      }
    }
    if (!cs.values.length) return boolExpr(r === '!=');
    let e: Expr | null = this.makeCmp1(f, r, cs.values[0]!);
    for (let i = 1; i < cs.values.length; i++) {
      e = exprCombine(r === '==' ? 'or' : 'and', e, this.makeCmp1(f, r, cs.values[i]!));
    }
    return e;
  }

  /** parse_field */
  parseField(): ExprField | null {
    return parseField(this.lx, this.env.symtab);
  }

  parseRelop(): Relop | null {
    const r = RELOPS[this.lx.type];
    if (r) {
      this.lx.get();
      return r;
    }
    this.lx.syntaxError('expecting relational operator');
    return null;
  }

  /** assign_constant_set_type */
  private assignType(cs: ConstantSet, type: 'integer' | 'string'): boolean {
    if (!cs.values.length || cs.type === type) {
      cs.type = type;
      return true;
    }
    this.lx.syntaxError(`expecting ${cs.type === 'integer' ? 'integer' : 'string'}`);
    return false;
  }

  /** parse_constant */
  parseConstant(cs: ConstantSet): boolean {
    const lx = this.lx;
    const t = lx.type;
    if (t === 'String') {
      if (!this.assignType(cs, 'string')) return false;
      cs.values.push(tokenPayload(lx.token!).s!);
      lx.get();
      return true;
    }
    if (t === 'Integer' || t === 'MaskedInteger') {
      if (!this.assignType(cs, 'integer')) return false;
      const p = tokenPayload(lx.token!);
      const masked = t === 'MaskedInteger';
      cs.values.push({ value: p.value!, mask: masked ? p.mask! : 0n, format: p.format!, masked });
      lx.get();
      return true;
    }
    if (t === 'Macro') {
      // parse_addr_sets
      const asName = tokenPayload(lx.token!).s!;
      const set = this.env.addrSets ? this.env.addrSets.get(asName) : undefined;
      if (!set) {
        lx.syntaxError('expecting address set name');
        return false;
      }
      if (!this.assignType(cs, 'integer')) return false;
      // constants the env made for this set already carry its name (src/expr addrSetMapOf): no copy per use
      for (const c of set) cs.values.push(c.asName === asName ? c : { ...c, asName });
      lx.get();
      return true;
    }
    if (t === 'PortGroup') {
      // parse_port_group: SB name "<dp>_<name>", then the plain name for backward compatibility.
      const name = tokenPayload(lx.token!).s!;
      let pg: string[] | undefined;
      if (this.env.portGroups) {
        pg = this.env.portGroups.get(sbPortGroupName(name, this.env.dpId ?? 0)) ?? this.env.portGroups.get(name);
      }
      if (!pg) {
        lx.syntaxError('expecting port group name');
        return false;
      }
      if (!this.assignType(cs, 'string')) return false;
      cs.values.push(...pg);
      lx.get();
      return true;
    }
    lx.syntaxError('expecting constant');
    return false;
  }

  /** parse_constant_set */
  parseConstantSet(): ConstantSet | null {
    const lx = this.lx;
    const cs: ConstantSet = { type: 'integer', values: [], inCurlies: false };
    if (lx.match('LCurly')) {
      cs.inCurlies = true;
      do {
        if (!this.parseConstant(cs)) return null;
        lx.match('Comma');
      } while (!lx.match('RCurly'));
      return cs;
    }
    return this.parseConstant(cs) ? cs : null;
  }

  /** parse_chassis_resident */
  parseChassisResident(): Expr | null {
    const lx = this.lx;
    if (lx.type !== 'String') {
      lx.syntaxError('expecting string');
      return null;
    }
    const e: Expr = { type: 'condition', cond: 'is_chassis_resident', not: false, string: tokenPayload(lx.token!).s! };
    lx.get();
    if (!lx.forceMatch('RParen')) return null;
    return e;
  }

  /** expr_parse_primary; returns [expr, atomic] */
  parsePrimary(): [Expr | null, boolean] {
    const lx = this.lx;
    if (lx.match('LParen')) {
      if (this.parenDepth >= MAX_PAREN_DEPTH) {
        lx.errorMsg('Parentheses nested too deeply.');
        return [null, false];
      }
      this.parenDepth++;
      const e = this.parse();
      this.parenDepth--;
      if (!lx.forceMatch('RParen')) return [null, false];
      return [e, true];
    }

    if (lx.type === 'Id') {
      if (lx.lookaheadType() === 'LParen') {
        if (lx.matchId('is_chassis_resident')) {
          lx.get(); // skip "("
          return [this.parseChassisResident(), true];
        }
        lx.errorMsg('parsing function name');
        return [null, false];
      }
      const f = this.parseField();
      if (!f) return [null, false];
      const r = RELOPS[lx.type];
      if (!r) {
        if (!f.nBits || (lx.type as string) === 'Equals') {
          lx.syntaxError('expecting relational operator');
          return [null, false];
        } else if (f.nBits > 1 && !this.not) {
          lx.errorMsg("Explicit `!= 0' is required for inequality test of multibit field against 0.");
          return [null, false];
        }
        const c: ConstantSet = { type: 'integer', values: [{ value: 0n, mask: 0n, format: 'hexadecimal', masked: false }], inCurlies: false };
        return [this.makeCmp(f, '!=', c), true];
      }
      const rr = this.parseRelop();
      if (!rr) return [null, false];
      const cs = this.parseConstantSet();
      if (!cs) return [null, false];
      return [this.makeCmp(f, rr, cs), false];
    }

    const c1 = this.parseConstantSet();
    if (!c1) return [null, false];
    if (!RELOPS[lx.type] && c1.values.length === 1 && c1.type === 'integer' && !c1.inCurlies) {
      const v = c1.values[0] as IntConstant;
      if (v.format === 'decimal' && !v.masked && v.value <= 1n) return [boolExpr(v.value === 1n), true];
    }
    const r1 = this.parseRelop();
    if (!r1) return [null, false];
    const f = this.parseField();
    if (!f) return [null, false];
    if (!RELOPS[lx.type]) return [this.makeCmp(f, relopTurn(r1), c1), false];
    const r2 = this.parseRelop();
    if (!r2) return [null, false];
    const c2 = this.parseConstantSet();
    if (!c2) return [null, false];
    const lt = (r: Relop): boolean => r === '<' || r === '<=';
    const gt = (r: Relop): boolean => r === '>' || r === '>=';
    if (!((lt(r1) && lt(r2)) || (gt(r1) && gt(r2)))) {
      lx.errorMsg("Range expressions must have the form `x < field < y' or `x > field > y', with each `<' optionally replaced by `<=' or `>' by `>=').");
      return [null, false];
    }
    const e1 = this.makeCmp(f, relopTurn(r1), c1);
    const e2 = this.makeCmp(f, r2, c2);
    if (lx.error !== null) return [null, false];
    return [exprCombine('and', e1, e2), false];
  }

  /** expr_parse_not */
  parseNot(): Expr | null {
    const lx = this.lx;
    if (lx.match('LogNot')) {
      this.not = !this.not;
      const [e, atomic] = this.parsePrimary();
      this.not = !this.not;
      if (e) {
        if (!atomic) {
          lx.errorMsg('Missing parentheses around operand of !.');
          return null;
        }
        exprNot(e);
      }
      return e;
    }
    return this.parsePrimary()[0];
  }

  /** expr_parse__ */
  parse(): Expr | null {
    const lx = this.lx;
    let e = this.parseNot();
    if (!e) return null;
    const t = lx.type;
    if (t === 'LogAnd' || t === 'LogOr') {
      const type = t === 'LogAnd' ? 'and' : 'or';
      lx.get();
      do {
        const e2 = this.parseNot();
        if (!e2) return null;
        e = exprCombine(type, e, e2)!;
      } while (lx.match(t));
      if (lx.type === 'LogAnd' || lx.type === 'LogOr') {
        lx.errorMsg('&& and || must be parenthesized when used together.');
        return null;
      }
    }
    return e;
  }
}

/**
 * What parse_field() needs of a lexer (lib/lex.c): the match parser's TokenCursor and the action
 * parser's cursor (grammar/actions.ts) both provide it, so both parse fields here.
 */
export interface FieldLexer {
  /** the current token's identifier, or undefined when it is not an Id */
  readonly id: string | undefined;
  get(): void;
  match(type: string): boolean;
  forceMatch(type: string): boolean;
  forceInt(): number | null;
  syntaxError(msg: string | null): void;
  errorMsg(msg: string): void;
}

/** parse_field() of lib/expr.c: a symbol and an optional [low..high] subfield, with OVN's error messages. */
export function parseField(lx: FieldLexer, symtab: Symtab): ExprField | null {
  const name = lx.id;
  if (name === undefined) {
    lx.syntaxError('expecting field name');
    return null;
  }
  const symbol = symtab.get(name);
  if (!symbol) {
    lx.syntaxError('expecting field name');
    return null;
  }
  lx.get();
  if (lx.match('LSquare')) {
    if (!symbol.width) {
      lx.errorMsg(`Cannot select subfield of string field ${symbol.name}.`);
      return null;
    }
    const low = lx.forceInt();
    if (low === null) return null;
    let high = low;
    if (lx.match('Ellipsis')) {
      const h = lx.forceInt();
      if (h === null) return null;
      high = h;
    }
    if (!lx.forceMatch('RSquare')) return null;
    if (low > high) {
      lx.errorMsg(`Invalid bit range ${low} to ${high}.`);
      return null;
    } else if (high >= symbol.width) {
      lx.errorMsg(`Cannot select bits ${low} to ${high} of ${symbol.width}-bit field ${symbol.name}.`);
      return null;
    } else if (symbol.level === 'nominal' && (low !== 0 || high !== symbol.width - 1)) {
      lx.errorMsg(`Cannot select subfield of nominal field ${symbol.name}.`);
      return null;
    }
    return { symbol, ofs: low, nBits: high - low + 1 };
  }
  return { symbol, ofs: 0, nBits: symbol.width };
}

/**
 * expr_parse() on an existing cursor (used by the action parser for
 * conditions embedded in actions).  Returns null with cursor.error set on error.
 */
export function parseExprFromCursor(lx: TokenCursor, env: ParseEnv): Expr | null {
  if (lx.error !== null) return null;
  return new Ctx(lx, env).parse();
}

/** parse_field() on a cursor (for expr_field_parse in the action parser). */
export function parseFieldFromCursor(lx: TokenCursor, env: ParseEnv): ExprField | null {
  return new Ctx(lx, env).parseField();
}

/** parse_constant_set() on a cursor (expr_constant_set_parse). */
export function parseConstantSetFromCursor(lx: TokenCursor, env: ParseEnv): ConstantSet | null {
  if (lx.error !== null) return null;
  return new Ctx(lx, env).parseConstantSet();
}

/**
 * expr_parse_string(): parse all of `text`; throws ExprSyntaxError with OVN's
 * exact message (plus the 1-based column of the offending token).
 */
export function parseMatch(text: string, env: ParseEnv): Expr {
  const lx = new TokenCursor(text);
  const e = parseExprFromCursor(lx, env);
  lx.forceEnd();
  if (lx.error !== null || !e) throw new ExprSyntaxError(lx.error ?? 'parse error', lx.errorColumn, lx.errorOffset);
  return e;
}

/**
 * lexer_parse_template_string(): replace each `^name` token whose name is in
 * `vars` with its value; other text is kept verbatim.
 */
export function expandTemplates(text: string, vars: ReadonlyMap<string, string> | Record<string, string>): string {
  const get = (k: string): string | undefined => (vars instanceof Map ? vars.get(k) : (vars as Record<string, string>)[k]);
  let out = '';
  let last = 0;
  for (const t of tokenize(text)) {
    if (t.tokenType.name !== 'Template') continue;
    const v = get(tokenPayload(t).s!);
    if (v === undefined) continue;
    out += text.slice(last, t.startOffset) + v;
    last = t.endOffset! + 1;
  }
  return out + text.slice(last);
}
