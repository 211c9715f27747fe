/**
 * Parser for OVN's logical-flow action language, mirroring lib/actions.c of OVN 25.03
 * (ovnacts_parse() and every parse_* helper) and the expression-side helpers it calls from
 * lib/expr.c (expr_field_parse, expr_type_check, expr_constant_parse, expr_constant_set_parse).
 *
 * It runs on the tokens of the shared chevrotain lexer (grammar/lexer.ts).  The parser itself is
 * hand-written recursive descent rather than a chevrotain grammar because OVN's behaviour is
 * defined by the order of its lexer_match/lexer_force_match calls: which token an error names,
 * its wording, and which (first) error wins after parsing continues past a failure.  `Cursor`
 * reproduces struct lexer's helpers (lib/lex.c) on the token array so those semantics carry over
 * one for one.
 *
 * Prerequisites: expr_field_parse() adds each symbol's annotated prerequisites and
 * add_prerequisite() adds an unannotated expression; both go through `ExprHooks`, implemented by
 * the match compiler (src/expr), so this file never parses expressions itself.
 */
import { tokenize, tokenPayload, TOKEN_TEXT, type OvnToken, type LexFormat } from './lexer.js';
import {
  type ExprConstant, type ExprConstantSet, type ExprField, type GenOpt, type GenOption, type OvnAction,
  type NestKind, type Pipeline, type CtNatKind, type CtLbDst, type ResultKind,
} from './actions-ast.js';
import type { ExprSymbol, Symtab } from '../src/expr/index.js';
import { parseField as parseMatchField } from './match-parser.js';
import {
  DHCPV4_OPTS, DHCPV6_OPTS, ND_RA_OPTS, CONTROLLER_EVENT_OPTS, OVN_EVENTS, LOG_SEVERITIES, LOG_VERDICTS,
  LOG_VERDICT_UNKNOWN, LOG_SEVERITY_INFO, EMPTY_LB_VIP, EMPTY_LB_PROTOCOL, EMPTY_LB_LOAD_BALANCER,
  ND_RA_FLAG_ADDR_MODE, ND_RA_FLAG_PRF, ND_OPT_SOURCE_LINKADDR, ND_OPT_PREFIX_INFORMATION, ND_OPT_MTU,
  ND_OPT_RDNSS, ND_OPT_DNSSL, ND_OPT_ROUTE_INFO_TYPE,
} from '../src/expr/actions/l7.js';

/** Expression services the action parser needs from the match compiler. */
export interface ExprHooks {
  /** expr_parse_string(text) (add_prerequisite): an opaque expression. */
  parse(text: string): unknown;
  /** parse_and_annotate(text) of a symbol's prerequisites, or OVN's error message. */
  annotate(text: string): { expr: unknown } | { error: string };
  /** expr_format() of expr_combine(EXPR_T_AND, …) over `exprs` in order. */
  formatAnd(exprs: unknown[]): string;
}

/** struct ovnact_parse_params. */
export interface ActionParseParams {
  symtab: Symtab;
  hooks: ExprHooks;
  /** Number of logical tables: `next` may not go beyond n_tables - 1; 0 forbids `next`. */
  nTables: number;
  curLtable: number;
  pipeline: Pipeline;
  dhcpOpts?: readonly GenOpt[];
  dhcpv6Opts?: readonly GenOpt[];
  ndRaOpts?: readonly GenOpt[];
}

export interface ParsedActions {
  actions: OvnAction[];
  /** Prerequisite expressions in combination order (see ExprHooks.formatAnd). */
  prereqs: unknown[];
}

type Kind = string; // token type name of grammar/lexer.ts, or 'End'

const MAX_NESTED_ACTION_DEPTH = 32;
/** enum expr_write_scope (include/ovn/expr.h): the bits of ExprSymbol.rw. */
const WR_DEFAULT = 1;
const WR_CT_COMMIT = 2;
const INT_MAX = 0x7fffffffn;
const U64 = (1n << 64n) - 1n;

/** struct lexer and its helpers (lib/lex.c), over a pre-tokenized input. */
class Cursor {
  private readonly toks: OvnToken[];
  private i = 0;
  error: string | null = null;
  /**
   * lex_token_parse() never resets token.format/token.value for non-integer tokens, so they keep
   * the last integer's; actions.c's dhcp_relay_*_chk() reads them without checking the type.
   */
  staleFormat: LexFormat = 'decimal';
  staleValue = 0n;

  constructor(private readonly text: string) {
    this.toks = tokenize(text);
    this.noteInteger();
  }

  private noteInteger(): void {
    const t = this.toks[this.i];
    const k = t?.tokenType.name;
    if (t && (k === 'Integer' || k === 'MaskedInteger')) {
      const p = tokenPayload(t);
      this.staleFormat = p.format ?? 'decimal';
      this.staleValue = p.value ?? 0n;
    }
  }

  get kind(): Kind {
    return this.toks[this.i]?.tokenType.name ?? 'End';
  }
  private get tok(): OvnToken | undefined {
    return this.toks[this.i];
  }
  get s(): string {
    return tokenPayload(this.tok!).s ?? '';
  }
  get value(): bigint {
    const t = this.tok;
    return t ? (tokenPayload(t).value ?? 0n) : 0n;
  }
  /** ntohll(token.value.integer): the low 64 bits. */
  get u64(): bigint {
    return this.value & U64;
  }
  get mask(): bigint | undefined {
    return this.tok ? tokenPayload(this.tok).mask : undefined;
  }
  get format(): LexFormat | undefined {
    return this.tok ? tokenPayload(this.tok).format : undefined;
  }

  get(): void {
    if (this.i < this.toks.length) this.i++;
    this.noteInteger();
  }
  lookahead(): Kind {
    return this.toks[this.i + 1]?.tokenType.name ?? 'End';
  }
  match(k: Kind): boolean {
    if (this.kind === k) {
      this.get();
      return true;
    }
    return false;
  }
  matchId(id: string): boolean {
    if (this.kind === 'Id' && this.s === id) {
      this.get();
      return true;
    }
    return false;
  }
  matchString(s: string): boolean {
    if (this.kind === 'String' && this.s === s) {
      this.get();
      return true;
    }
    return false;
  }
  forceMatch(k: Kind): boolean {
    if (k === 'End') {
      if (this.kind === 'End') return true;
      this.syntaxError('expecting end of input');
      return false;
    }
    if (this.match(k)) return true;
    this.syntaxError(`expecting \`${TOKEN_TEXT[k] ?? k}'`);
    return false;
  }
  isInt(): boolean {
    return this.kind === 'Integer' && this.format === 'decimal' && this.u64 <= INT_MAX;
  }
  getInt(): number | null {
    if (this.isInt()) {
      const v = Number(this.u64);
      this.get();
      return v;
    }
    return null;
  }
  forceInt(): number | null {
    const v = this.getInt();
    if (v === null) this.syntaxError('expecting small integer');
    return v;
  }
  /** lexer_error_handle_common(). */
  private handleCommon(): boolean {
    if (this.error !== null) return true;
    if (this.kind === 'LexError') {
      this.error = tokenPayload(this.tok!).error ?? 'lexical error';
      return true;
    }
    return false;
  }
  err(msg: string): void {
    if (this.handleCommon()) return;
    this.error = msg;
  }
  /** lexer_error(), under the name grammar/match-parser.ts's FieldLexer uses */
  errorMsg(msg: string): void {
    this.err(msg);
  }
  /** the identifier of the current token, when it is an Id */
  get id(): string | undefined {
    return this.kind === 'Id' ? this.s : undefined;
  }
  syntaxError(msg?: string | null): void {
    if (this.handleCommon()) return;
    let s = 'Syntax error';
    const t = this.tok;
    if (!t) s += ' at end of input';
    else s += ` at \`${this.text.slice(t.startOffset, t.endOffset! + 1)}'`;
    if (msg) s += ' ' + msg;
    this.error = s + '.';
  }
}

/** struct action_context. */
interface Ctx {
  pp: ActionParseParams;
  lx: Cursor;
  acts: OvnAction[];
  prereqs: unknown[];
  depth: number;
  scope: number;
}

// ---------------------------------------------------------------------------------------------
// lib/expr.c helpers used by actions.c.

/** expr_type_check(). */
export function exprTypeCheck(f: ExprField, nBits: number, rw: boolean, scope: number): string | null {
  if (nBits !== f.nBits) {
    if (nBits && f.nBits) {
      return `Cannot use ${f.nBits}-bit field ${f.symbol.name}[${f.ofs}..${f.ofs + f.nBits - 1}] where ${nBits}-bit field is required.`;
    } else if (nBits) {
      return `Cannot use string field ${f.symbol.name} where numeric field is required.`;
    } else {
      return `Cannot use numeric field ${f.symbol.name} where string field is required.`;
    }
  }
  if (rw && !(f.symbol.rw & scope)) return `Field ${f.symbol.name} is not modifiable.`;
  return null;
}

/** parse_field() of expr.c: the match parser's (same lexer interface, same OVN messages). */
function parseField(ctx: Ctx): ExprField | null {
  return parseMatchField(ctx.lx, ctx.pp.symtab);
}

/** expr_field_parse(): a field, plus the annotated prerequisites of it and its parents. */
function exprFieldParse(ctx: Ctx): ExprField | null {
  const lx = ctx.lx;
  const f = parseField(ctx);
  if (f && f.symbol.kind === 'predicate') {
    lx.err(`Predicate symbol ${f.symbol.name} used where lvalue required.`);
  }
  if (f && lx.error === null) {
    let symbol: ExprSymbol | undefined = f.symbol;
    while (symbol) {
      if (symbol.prereqs) {
        const r = ctx.pp.hooks.annotate(symbol.prereqs);
        if ('error' in r) {
          lx.err(r.error);
          break;
        }
        ctx.prereqs.push(r.expr);
      }
      symbol = symbol.parent;
    }
  }
  return lx.error === null ? f : null;
}

/** add_prerequisite(). */
function addPrerequisite(ctx: Ctx, text: string): void {
  ctx.prereqs.push(ctx.pp.hooks.parse(text));
}

/** Number of significant bits (mf_subvalue_width). */
const bitWidth = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/** expr_constant_width(). */
function constantWidth(c: ExprConstant & { kind: 'int' }): number {
  if (c.mask !== null) return bitWidth(c.mask);
  switch (c.format) {
    case 'decimal':
    case 'hexadecimal':
      return bitWidth(c.value);
    case 'IPv4':
      return 32;
    case 'IPv6':
      return 128;
    case 'Ethernet':
      return 48;
  }
}

/** parse_constant() of expr.c, appending to `cs`. */
function parseConstant(ctx: Ctx, cs: ExprConstantSet): boolean {
  const lx = ctx.lx;
  const assignType = (t: 'int' | 'str'): boolean => {
    if (!cs.values.length || t === cs.type) {
      cs.type = t;
      return true;
    }
    lx.syntaxError(`expecting ${cs.type === 'int' ? 'integer' : 'string'}`);
    return false;
  };
  if (lx.kind === 'Template') {
    lx.err('Unexpanded template.');
    return false;
  } else if (lx.kind === 'String') {
    if (!assignType('str')) return false;
    cs.values.push({ kind: 'str', s: lx.s });
    lx.get();
    return true;
  } else if (lx.kind === 'Integer' || lx.kind === 'MaskedInteger') {
    if (!assignType('int')) return false;
    const masked = lx.kind === 'MaskedInteger';
    cs.values.push({ kind: 'int', value: lx.value, mask: masked ? (lx.mask ?? 0n) : null, format: lx.format ?? 'decimal' });
    lx.get();
    return true;
  } else if (lx.kind === 'Macro') {
    // Actions are parsed without address sets (ovnacts_parse passes none).
    lx.syntaxError('expecting address set name');
    return false;
  }
  lx.syntaxError('expecting constant');
  return false;
}

/** type_check() of expr.c. */
function typeCheckConstants(ctx: Ctx, f: ExprField, cs: ExprConstantSet): boolean {
  if (!cs.values.length) return true;
  const sym = f.symbol;
  if ((sym.width !== 0) !== (cs.type === 'int')) {
    ctx.lx.err(`${sym.width ? 'Integer' : 'String'} field ${sym.name} is not compatible with ${cs.type === 'int' ? 'integer' : 'string'} constant.`);
    return false;
  }
  if (sym.width) {
    for (const c of cs.values) {
      const w = constantWidth(c as ExprConstant & { kind: 'int' });
      if (w > sym.width) {
        ctx.lx.err(`${w}-bit constant is not compatible with ${sym.width}-bit field ${sym.name}.`);
        return false;
      }
    }
  }
  return true;
}

/** expr_constant_parse(). */
function exprConstantParse(ctx: Ctx, f: ExprField): ExprConstant | null {
  if (ctx.lx.error !== null) return null;
  const cs: ExprConstantSet = { type: 'int', values: [], inCurlies: false };
  if (parseConstant(ctx, cs) && typeCheckConstants(ctx, f, cs)) return cs.values[0]!;
  return null;
}

/** expr_constant_set_parse() (parse_constant_set). */
function exprConstantSetParse(ctx: Ctx): ExprConstantSet | null {
  const lx = ctx.lx;
  if (lx.error !== null) return null;
  const cs: ExprConstantSet = { type: 'int', values: [], inCurlies: false };
  let ok: boolean;
  if (lx.match('LCurly')) {
    ok = true;
    cs.inCurlies = true;
    do {
      if (!parseConstant(ctx, cs)) {
        ok = false;
        break;
      }
      lx.match('Comma');
    } while (!lx.match('RCurly'));
  } else {
    ok = parseConstant(ctx, cs);
  }
  return ok && lx.error === null ? cs : null;
}

// ---------------------------------------------------------------------------------------------
// lib/actions.c parse_* functions.

/** action_parse_field(). */
function actionParseField(ctx: Ctx, nBits: number, rw: boolean): ExprField | null {
  const f = exprFieldParse(ctx);
  if (!f) return null;
  const error = exprTypeCheck(f, nBits, rw, ctx.scope);
  if (error) {
    ctx.lx.err(error);
    return null;
  }
  return f;
}

/** action_parse_uint16(). */
function actionParseUint16(ctx: Ctx, msg: string): number | null {
  const lx = ctx.lx;
  if (lx.isInt()) {
    const v = Number(lx.u64);
    if (v <= 0xffff) {
      lx.get();
      return v;
    }
  }
  lx.syntaxError(`expecting ${msg}`);
  return null;
}

const put = (ctx: Ctx, a: OvnAction): void => {
  ctx.acts.push(a);
};

/** A placeholder for a field that failed to parse (the action is discarded on error anyway). */
const noField = (ctx: Ctx): ExprField => ({ symbol: ctx.pp.symtab.get('inport')!, ofs: 0, nBits: 0 });

function parseNext(ctx: Ctx): void {
  const lx = ctx.lx;
  if (!ctx.pp.nTables) {
    lx.err('"next" action not allowed here.');
    return;
  }
  let pipeline = ctx.pp.pipeline;
  let table = ctx.pp.curLtable + 1;
  if (lx.match('LParen')) {
    if (lx.isInt()) {
      table = lx.getInt()!;
    } else {
      do {
        if (lx.matchId('pipeline')) {
          if (!lx.forceMatch('Equals')) return;
          if (lx.matchId('ingress')) pipeline = 'ingress';
          else if (lx.matchId('egress')) pipeline = 'egress';
          else {
            lx.syntaxError('expecting "ingress" or "egress"');
            return;
          }
        } else if (lx.matchId('table')) {
          if (!lx.forceMatch('Equals')) return;
          const t = lx.forceInt();
          if (t === null) return;
          table = t;
        } else {
          lx.syntaxError('expecting "pipeline" or "table"');
          return;
        }
      } while (lx.match('Comma'));
    }
    if (!lx.forceMatch('RParen')) return;
  }
  if (table >= ctx.pp.nTables) {
    lx.err(`"next" action cannot advance beyond table ${ctx.pp.nTables - 1}.`);
    return;
  }
  put(ctx, { type: 'NEXT', pipeline, ltable: table, srcPipeline: ctx.pp.pipeline, srcLtable: ctx.pp.curLtable });
}

function parseLoad(ctx: Ctx, lhs: ExprField): void {
  const error = exprTypeCheck(lhs, lhs.nBits, true, ctx.scope);
  if (error) {
    ctx.lx.err(error);
    return;
  }
  const imm = exprConstantParse(ctx, lhs);
  if (!imm) return;
  put(ctx, { type: lhs.symbol.kind === 'ovn_field' ? 'OVNFIELD_LOAD' : 'LOAD', dst: lhs, imm });
}

function parseAssignmentAction(ctx: Ctx, exchange: boolean, lhs: ExprField): void {
  const lx = ctx.lx;
  const rhs = exprFieldParse(ctx);
  if (!rhs) return;
  const ls = lhs.symbol;
  const rs = rhs.symbol;
  if ((ls.width !== 0) !== (rs.width !== 0)) {
    if (exchange) {
      lx.err(`Can't exchange ${ls.width ? 'integer' : 'string'} field (${ls.name}) with ${rs.width ? 'integer' : 'string'} field (${rs.name}).`);
    } else {
      lx.err(`Can't assign ${rs.width ? 'integer' : 'string'} field (${rs.name}) to ${ls.width ? 'integer' : 'string'} field (${ls.name}).`);
    }
    return;
  }
  if (lhs.nBits !== rhs.nBits) {
    if (exchange) lx.err(`Can't exchange ${lhs.nBits}-bit field with ${rhs.nBits}-bit field.`);
    else lx.err(`Can't assign ${rhs.nBits}-bit value to ${lhs.nBits}-bit destination.`);
    return;
  } else if (!lhs.nBits && ls.field!.nBits !== rs.field!.nBits) {
    lx.err(`String fields ${ls.name} and ${rs.name} are incompatible for ${exchange ? 'exchange' : 'assignment'}.`);
    return;
  }
  const error = exprTypeCheck(lhs, lhs.nBits, true, ctx.scope) ?? exprTypeCheck(rhs, rhs.nBits, exchange, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  put(ctx, { type: exchange ? 'EXCHANGE' : 'MOVE', lhs, rhs });
}

function parsePushPop(ctx: Ctx, isPush: boolean): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const f = exprFieldParse(ctx);
  if (!f) return;
  const error = exprTypeCheck(f, f.nBits, !isPush, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  lx.forceMatch('RParen');
  put(ctx, { type: isPush ? 'PUSH' : 'POP', field: f });
}

function parseDecTtl(ctx: Ctx): void {
  ctx.lx.forceMatch('Decrement');
  put(ctx, { type: 'DEC_TTL' });
  addPrerequisite(ctx, 'ip');
}

function parseCtNext(ctx: Ctx): void {
  const lx = ctx.lx;
  if (ctx.pp.curLtable >= ctx.pp.nTables) {
    lx.err('"ct_next" action not allowed in last table.');
    return;
  }
  addPrerequisite(ctx, 'ip');
  const a = { type: 'CT_NEXT' as const, dnatZone: true, ltable: ctx.pp.curLtable + 1 };
  put(ctx, a);
  if (!lx.match('LParen')) return;
  if (lx.matchId('dnat')) a.dnatZone = true;
  else if (lx.matchId('snat')) a.dnatZone = false;
  else {
    lx.err('"ct_next" action accepts only "dnat" or "snat" parameter.');
    return;
  }
  lx.forceMatch('RParen');
}

function parseCtCommit(ctx: Ctx): void {
  if (ctx.lx.kind === 'LCurly') {
    parseNestedAction(ctx, 'CT_COMMIT_V2', 'ip', WR_CT_COMMIT);
  } else {
    // An empty nested action allows for the "ct_commit;" syntax.
    addPrerequisite(ctx, 'ip');
    put(ctx, { type: 'CT_COMMIT_V2', nested: [] });
  }
}

function parseCtNat(ctx: Ctx, name: string, type: CtNatKind, natType: 'src' | 'dst'): void {
  const lx = ctx.lx;
  addPrerequisite(ctx, 'ip');
  if (ctx.pp.curLtable >= ctx.pp.nTables) {
    lx.err(`"${name}" action not allowed in last table.`);
    return;
  }
  const cn = {
    type, ltable: ctx.pp.curLtable + 1, commit: false, family: null as 'ipv4' | 'ipv6' | null, ip: 0n,
    natType: null as 'src' | 'dst' | null, portRange: null as { lo: number; hi: number } | null,
  };
  put(ctx, cn);
  if (lx.match('LParen')) {
    if (lx.kind !== 'Integer' || (lx.format !== 'IPv4' && lx.format !== 'IPv6')) {
      lx.syntaxError('expecting IPv4 or IPv6 address');
      return;
    }
    cn.commit = true;
    cn.family = lx.format === 'IPv4' ? 'ipv4' : 'ipv6';
    cn.natType = natType;
    cn.ip = lx.value;
    lx.get();
    if (lx.match('Comma')) {
      // (lx.format is re-read after lx.get(); the cast stops TypeScript's stale narrowing.)
      if (lx.kind !== 'Integer' || (lx.format as LexFormat | undefined) !== 'decimal') lx.syntaxError('expecting Integer for port range');
      // Like actions.c, read the value (and keep going) even after a syntax error.
      const lo = Number(lx.u64 & 0xffffn);
      if (lo === 0) lx.syntaxError("range can't be 0");
      lx.get();
      let hi = 0;
      if (lx.match('Hyphen')) {
        if (lx.kind !== 'Integer') lx.syntaxError('expecting Integer for port range');
        hi = Number(lx.u64 & 0xffffn);
        if (hi <= lo) lx.syntaxError('range high should be greater than range low');
        lx.get();
      }
      cn.portRange = { lo, hi };
    }
    if (!lx.forceMatch('RParen')) return;
  }
}

function parseCtCommitToZone(ctx: Ctx, name: string, type: 'CT_COMMIT_NAT' | 'CT_COMMIT_TO_ZONE', doNat: boolean, requireParam: boolean): void {
  const lx = ctx.lx;
  addPrerequisite(ctx, 'ip');
  if (ctx.pp.curLtable >= ctx.pp.nTables) {
    lx.err(`"${name}" action not allowed in last table.`);
    return;
  }
  const cn = { type, ltable: ctx.pp.curLtable + 1, doNat, dnatZone: true };
  put(ctx, cn);
  if (requireParam) lx.forceMatch('LParen');
  else if (!lx.match('LParen')) return;
  if (lx.matchId('dnat')) cn.dnatZone = true;
  else if (lx.matchId('snat')) cn.dnatZone = false;
  else {
    lx.err(`"${name}" action accepts only "dnat" or "snat" parameter.`);
    return;
  }
  lx.forceMatch('RParen');
}

function parseCtLbAction(ctx: Ctx, ctLbMark: boolean): void {
  const lx = ctx.lx;
  if (ctx.pp.curLtable >= ctx.pp.nTables) {
    lx.err('"ct_lb" action not allowed in last table.');
    return;
  }
  addPrerequisite(ctx, 'ip');
  const dsts: CtLbDst[] = [];
  let hashFields: string | null = null;
  let ctFlag: 'none' | 'skip_snat' | 'force_snat' = 'none';

  if (lx.match('LParen') && !lx.match('RParen')) {
    if (!lx.matchId('backends') || !lx.forceMatch('Equals')) {
      lx.syntaxError('expecting backends');
      return;
    }
    while (!lx.match('Semicolon') && !lx.match('RParen')) {
      let dst: CtLbDst;
      if (lx.match('LSquare')) {
        if (lx.kind !== 'Integer' || lx.format !== 'IPv6') {
          lx.syntaxError('expecting IPv6 address');
          return;
        }
        dst = { family: 'ipv6', ip: lx.value, port: 0 };
        lx.get();
        if (!lx.match('RSquare')) {
          lx.syntaxError('no closing square bracket');
          return;
        }
        if (lx.match('Colon')) {
          const p = actionParseUint16(ctx, 'port number');
          if (p === null) return;
          dst.port = p;
        }
      } else {
        if (lx.kind !== 'Integer' || (lx.format !== 'IPv4' && lx.format !== 'IPv6')) {
          lx.syntaxError('expecting IP address');
          return;
        }
        dst = { family: lx.format === 'IPv4' ? 'ipv4' : 'ipv6', ip: lx.value, port: 0 };
        lx.get();
        if (lx.match('Colon')) {
          if (dst.family === 'ipv6') {
            lx.syntaxError('IPv6 address needs square brackets if port is included');
            return;
          }
          const p = actionParseUint16(ctx, 'port number');
          if (p === null) return;
          dst.port = p;
        }
      }
      lx.match('Comma');
      dsts.push(dst);
    }
    if (lx.matchId('hash_fields')) {
      if (!lx.match('Equals') || lx.kind !== 'String') {
        lx.syntaxError('invalid hash_fields');
        return;
      }
      hashFields = lx.s;
      lx.get();
      if (!lx.match('Semicolon')) lx.get();
    }
    if (lx.matchId('skip_snat')) {
      ctFlag = 'skip_snat';
      lx.get();
    } else if (lx.matchId('force_snat')) {
      ctFlag = 'force_snat';
      lx.get();
    }
  }
  put(ctx, { type: ctLbMark ? 'CT_LB_MARK' : 'CT_LB', ltable: ctx.pp.curLtable + 1, dsts, hashFields, ctFlag });
}

function parseSelectAction(ctx: Ctx, resField: ExprField): void {
  const lx = ctx.lx;
  const error = exprTypeCheck(resField, resField.nBits, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  if (resField.nBits < 16) {
    lx.err(`cannot use ${resField.nBits}-bit field ${resField.symbol.name}[${resField.ofs}..${resField.ofs + resField.nBits - 1}] for "select", which requires at least 16 bits.`);
    return;
  }
  if (ctx.pp.curLtable >= ctx.pp.nTables) {
    lx.err('"select" action not allowed in last table.');
    return;
  }
  const dsts: { id: number; weight: number }[] = [];
  let requiresHashFields = false;
  let hashFields: string | null = null;
  lx.get(); // "select"
  lx.get(); // "("
  if (lx.matchId('values')) {
    lx.forceMatch('Equals');
    lx.forceMatch('LParen');
    requiresHashFields = true;
  }
  while (!lx.match('RParen')) {
    const id = actionParseUint16(ctx, 'id');
    if (id === null) return;
    let weight = 0;
    if (lx.match('Equals')) {
      const w = actionParseUint16(ctx, 'weight');
      if (w === null) return;
      weight = w;
      if (weight === 0) lx.syntaxError("weight can't be 0");
    }
    if (weight === 0) weight = 100;
    lx.match('Comma');
    dsts.push({ id, weight });
  }
  if (dsts.length <= 1) {
    lx.syntaxError('expecting at least 2 group members');
    return;
  }
  if (requiresHashFields) {
    lx.forceMatch('Semicolon');
    if (!lx.matchId('hash_fields')) {
      lx.syntaxError('expecting hash_fields');
      return;
    }
    if (!lx.match('Equals') || lx.kind !== 'String' || lx.lookahead() !== 'RParen') {
      lx.syntaxError('invalid hash_fields');
      return;
    }
    hashFields = lx.s;
    lx.get();
    lx.forceMatch('RParen');
  }
  put(ctx, { type: 'SELECT', ltable: ctx.pp.curLtable + 1, dsts, resField, hashFields });
}

/** parse_nested_action(): "arp", "nd_na", "clone", "reject", "ct_commit {…}", … */
function parseNestedAction(ctx: Ctx, type: NestKind, prereq: string | null, scope: number): void {
  const lx = ctx.lx;
  if (!lx.forceMatch('LCurly')) return;
  if (ctx.depth + 1 === MAX_NESTED_ACTION_DEPTH) {
    lx.err('maximum depth of nested actions reached');
    return;
  }
  const inner: Ctx = { pp: ctx.pp, lx, acts: [], prereqs: [], depth: ctx.depth + 1, scope };
  parseActions(inner, 'RCurly');
  if (prereq) {
    // actions.c: the inner prerequisites are dropped for arp/nd_na/… ("not really sure what we
    // should do"), and the action's own prerequisite is added.
    addPrerequisite(ctx, prereq);
  } else {
    // clone/reject: inner prerequisites combine in front of the outer ones.
    ctx.prereqs = [...inner.prereqs, ...ctx.prereqs];
  }
  if (lx.error !== null) return;
  put(ctx, { type, nested: inner.acts });
}

function parseGetMacBind(ctx: Ctx, width: number, type: 'GET_ARP' | 'GET_ND'): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const ip = actionParseField(ctx, width, false);
  lx.forceMatch('RParen');
  put(ctx, { type, port: port ?? noField(ctx), ip: ip ?? noField(ctx) });
}

function parsePutMacBind(ctx: Ctx, width: number, type: 'PUT_ARP' | 'PUT_ND'): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const ip = actionParseField(ctx, width, false);
  lx.forceMatch('Comma');
  const mac = actionParseField(ctx, 48, false);
  lx.forceMatch('RParen');
  put(ctx, { type, port: port ?? noField(ctx), ip: ip ?? noField(ctx), mac: mac ?? noField(ctx) });
}

function parseLookupMacBind(ctx: Ctx, dst: ExprField, width: number, type: 'LOOKUP_ARP' | 'LOOKUP_ND'): void {
  const lx = ctx.lx;
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  lx.get();
  lx.get();
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const ip = actionParseField(ctx, width, false);
  lx.forceMatch('Comma');
  const mac = actionParseField(ctx, 48, false);
  lx.forceMatch('RParen');
  put(ctx, { type, dst, port: port ?? noField(ctx), ip: ip ?? noField(ctx), mac: mac ?? noField(ctx) });
}

function parseLookupMacBindIp(ctx: Ctx, dst: ExprField, width: number, type: 'LOOKUP_ARP_IP' | 'LOOKUP_ND_IP'): void {
  const lx = ctx.lx;
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  lx.get();
  lx.get();
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const ip = actionParseField(ctx, width, false);
  lx.forceMatch('RParen');
  put(ctx, { type, dst, port: port ?? noField(ctx), ip: ip ?? noField(ctx) });
}

/** parse_gen_opt(). */
function parseGenOpt(ctx: Ctx, genOpts: readonly GenOpt[] | undefined, optsType: string): GenOption | null {
  const lx = ctx.lx;
  if (lx.kind !== 'Id') {
    lx.syntaxError(null);
    return null;
  }
  const option = genOpts?.find((g) => g.name === lx.s);
  if (!option) {
    lx.syntaxError(`expecting ${optsType} option name`);
    return null;
  }
  lx.get();
  if (!lx.forceMatch('Equals')) return null;
  const value = exprConstantSetParse(ctx);
  if (!value) return null;
  const o: GenOption = { option, value };
  if (option.type === 'host_id') return o;
  if (option.type === 'str' || option.type === 'domains' || option.type === 'domain') {
    if (value.type !== 'str') {
      lx.err(`${optsType} option ${option.name} requires string value.`);
      return o;
    }
  } else if (value.type !== 'int') {
    lx.err(`${optsType} option ${option.name} requires numeric value.`);
    return o;
  }
  return o;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** inet_parse_active(vip, 0, …): "ip[:port]" or "[ipv6][:port]". */
function inetParseActive(s: string): boolean {
  const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const m4 = /^([0-9.]+)(?::(\d+))?$/.exec(s);
  const isIp4 = (x: string): boolean => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(x) && x.split('.').every((p) => Number(p) <= 255);
  if (m6) return m6[1]!.includes(':') && (!m6[2] || Number(m6[2]) <= 65535);
  if (m4) return isIp4(m4[1]!) && (!m4[2] || Number(m4[2]) <= 65535);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}

function parseTriggerEvent(ctx: Ctx): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  if (!lx.matchId('event')) {
    lx.syntaxError("Expecting 'event' option");
    return;
  }
  if (!lx.forceMatch('Equals')) return;
  if (lx.kind !== 'String' || lx.s.length >= 64) {
    lx.syntaxError('Expecting string');
    return;
  }
  const eventType = (OVN_EVENTS as readonly string[]).indexOf(lx.s);
  if (eventType < 0) {
    lx.syntaxError(`Unknown event '${eventType}'`);
    return;
  }
  const options: GenOption[] = [];
  put(ctx, { type: 'TRIGGER_EVENT', eventType, options });
  lx.get();
  lx.match('Comma');
  while (!lx.match('RParen')) {
    const o = parseGenOpt(ctx, CONTROLLER_EVENT_OPTS[eventType], OVN_EVENTS[eventType]!);
    if (lx.error !== null) return;
    if (o) options.push(o);
    lx.match('Comma');
  }
  // validate_empty_lb_backends()
  for (const o of options) {
    const c = o.value.values[0];
    if (o.value.values.length > 1 || !c || c.kind !== 'str') {
      lx.err(`Invalid value for "${o.option.name}" option`);
      return;
    }
    switch (o.option.code) {
      case EMPTY_LB_VIP:
        if (!inetParseActive(c.s)) {
          lx.err(`Invalid load balancer VIP '${c.s}'`);
          return;
        }
        break;
      case EMPTY_LB_PROTOCOL:
        if (c.s !== 'tcp' && c.s !== 'udp' && c.s !== 'sctp') {
          lx.err(`Load balancer protocol '${c.s}' is not 'tcp', 'udp', or 'sctp'`);
          return;
        }
        break;
      case EMPTY_LB_LOAD_BALANCER:
        if (!UUID_RE.test(c.s)) {
          lx.err(`Load balancer '${c.s}' is not a UUID`);
          return;
        }
        break;
    }
  }
}

function parseDhcpRelayChk(ctx: Ctx, dst: ExprField, type: 'DHCPV4_RELAY_REQ_CHK' | 'DHCPV4_RELAY_RESP_CHK'): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  // actions.c tests token.format without checking the token type, so a punctuation token still
  // carries the previous integer's format and value (Cursor.staleFormat).
  if (lx.staleFormat === 'IPv4') {
    const relay = lx.staleValue;
    lx.get();
    lx.match('Comma');
    if (lx.staleFormat === 'IPv4') {
      const server = lx.staleValue;
      lx.get();
      put(ctx, { type, dst, relay, server });
    } else {
      lx.syntaxError('expecting IPv4 dhcp server ip');
      return;
    }
  } else {
    lx.syntaxError('expecting IPv4 dhcp relay and server ips');
    return;
  }
  lx.forceMatch('RParen');
}

/** parse_put_opts(). */
function parsePutOpts(ctx: Ctx, dst: ExprField, genOpts: readonly GenOpt[] | undefined, optsType: string): GenOption[] {
  const lx = ctx.lx;
  lx.get();
  lx.get();
  const options: GenOption[] = [];
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return options;
  }
  while (!lx.match('RParen')) {
    const o = parseGenOpt(ctx, genOpts, optsType);
    if (lx.error !== null) return options;
    if (o) options.push(o);
    lx.match('Comma');
  }
  return options;
}

function parsePutDhcpOpts(ctx: Ctx, dst: ExprField, v6: boolean): void {
  const lx = ctx.lx;
  const opts = v6 ? ctx.pp.dhcpv6Opts ?? DHCPV6_OPTS : ctx.pp.dhcpOpts ?? DHCPV4_OPTS;
  const options = parsePutOpts(ctx, dst, opts, v6 ? 'DHCPv6' : 'DHCPv4');
  put(ctx, { type: v6 ? 'PUT_DHCPV6_OPTS' : 'PUT_DHCPV4_OPTS', dst, options });
  if (lx.error === null && !v6 && !options.some((o) => o.option.code === 0)) {
    lx.err('put_dhcp_opts requires offerip to be specified.');
  }
}

function parsePutNdRaOpts(ctx: Ctx, dst: ExprField): void {
  const lx = ctx.lx;
  const options = parsePutOpts(ctx, dst, ctx.pp.ndRaOpts ?? ND_RA_OPTS, 'IPv6 ND RA');
  put(ctx, { type: 'PUT_ND_RA_OPTS', dst, options });
  if (lx.error !== null) return;
  let addrModeStateful = false;
  let prefixSet = false;
  let sllaPresent = false;
  for (const o of options) {
    const c = o.value.values[0]!;
    if (o.value.values.length > 1) {
      lx.err(`Invalid value for "${o.option.name}" option`);
      return;
    }
    let ok = true;
    const str = c.kind === 'str' ? c.s : null;
    switch (o.option.code) {
      case ND_RA_FLAG_ADDR_MODE:
        ok = str === 'slaac' || str === 'dhcpv6_stateful' || str === 'dhcpv6_stateless';
        if (ok && str === 'dhcpv6_stateful') addrModeStateful = true;
        break;
      case ND_RA_FLAG_PRF:
        ok = str === 'MEDIUM' || str === 'HIGH' || str === 'LOW';
        break;
      case ND_OPT_SOURCE_LINKADDR:
        ok = c.kind === 'int' && c.format === 'Ethernet';
        sllaPresent = true;
        break;
      case ND_OPT_PREFIX_INFORMATION:
        ok = c.kind === 'int' && c.format === 'IPv6' && c.mask !== null;
        prefixSet = true;
        break;
      case ND_OPT_MTU:
        ok = c.kind === 'int' && c.format === 'decimal';
        break;
      case ND_OPT_RDNSS:
        ok = c.kind === 'int' && c.format === 'IPv6';
        break;
      case ND_OPT_ROUTE_INFO_TYPE:
      case ND_OPT_DNSSL:
        ok = str !== null;
        break;
    }
    if (!ok) {
      lx.err(`Invalid value for "${o.option.name}" option`);
      return;
    }
  }
  if (!sllaPresent) {
    lx.err('slla option not present');
    return;
  }
  if (!addrModeStateful && !prefixSet) {
    lx.err('prefix option needs to be set when address mode is slaac/dhcpv6_stateless.');
    return;
  }
  addPrerequisite(ctx, 'ip6');
}

/** parse_ovnact_result__(): `dst = name();`. */
function parseOvnactResult(ctx: Ctx, name: string, prereq: string | null, dst: ExprField, type: ResultKind, nBits: number): void {
  const lx = ctx.lx;
  lx.get();
  lx.get();
  if (!lx.match('RParen')) {
    lx.err(`${name} doesn't take any parameters`);
    return;
  }
  const error = exprTypeCheck(dst, nBits, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  put(ctx, { type, dst });
  if (prereq) addPrerequisite(ctx, prereq);
}

function parseLog(ctx: Ctx): void {
  const lx = ctx.lx;
  const log = { type: 'LOG' as const, name: null as string | null, verdict: LOG_VERDICT_UNKNOWN, severity: LOG_SEVERITY_INFO, meter: null as string | null };
  put(ctx, log);
  if (lx.match('LParen')) {
    while (!lx.match('RParen')) {
      // parse_log_arg()
      if (lx.matchId('verdict')) {
        if (!lx.forceMatch('Equals')) return;
        const v = LOG_VERDICTS.findIndex((x) => lx.matchId(x));
        if (v < 0) {
          lx.syntaxError('unknown verdict');
          return;
        }
        log.verdict = v;
      } else if (lx.matchId('name')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'String') {
          if (lx.s.length >= 64) {
            lx.syntaxError('name must be shorter than 64 characters');
            return;
          }
          log.name = lx.s;
        } else {
          lx.syntaxError('expecting string');
          return;
        }
        lx.get();
      } else if (lx.matchId('severity')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'Id') {
          const sev = LOG_SEVERITIES[lx.s];
          if (sev !== undefined) {
            log.severity = sev;
            lx.get();
          } else {
            lx.syntaxError('unknown severity');
            return;
          }
        } else {
          lx.syntaxError('expecting severity');
        }
      } else if (lx.matchId('meter')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'String') log.meter = lx.s;
        else {
          lx.syntaxError('expecting string');
          return;
        }
        lx.get();
      } else {
        lx.syntaxError(null);
      }
      if (lx.error !== null) return;
      lx.match('Comma');
    }
  }
  if (log.verdict === LOG_VERDICT_UNKNOWN) lx.syntaxError('expecting verdict');
}

function parseSetMeter(ctx: Ctx): void {
  const lx = ctx.lx;
  let rate = 0n;
  let burst = 0n;
  lx.forceMatch('LParen');
  if (lx.kind === 'Integer' && lx.format === 'decimal') rate = lx.u64;
  lx.get();
  if (lx.match('Comma')) {
    if (lx.kind === 'Integer' && lx.format === 'decimal') burst = lx.u64;
    lx.get();
  }
  lx.forceMatch('RParen');
  if (!rate) {
    lx.err(`Rate ${rate} for set_meter is not in valid.`);
    return;
  }
  put(ctx, { type: 'SET_METER', rate, burst });
}

function parseSetQueue(ctx: Ctx): void {
  const lx = ctx.lx;
  if (!lx.forceMatch('LParen')) return;
  const q = lx.getInt();
  if (q === null || !lx.forceMatch('RParen')) return;
  if (q < 0 || q > 61440) {
    lx.err(`Queue ID ${q} for set_queue is not in valid range 0 to 61440.`);
    return;
  }
  put(ctx, { type: 'SET_QUEUE', queueId: q });
}

function parseCheckPktLarger(ctx: Ctx, dst: ExprField): void {
  const lx = ctx.lx;
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  lx.get();
  if (!lx.forceMatch('LParen')) return;
  const len = lx.getInt();
  if (len === null || !lx.forceMatch('RParen')) return;
  put(ctx, { type: 'CHECK_PKT_LARGER', dst, pktLen: len });
}

function parseBindVport(ctx: Ctx): void {
  const lx = ctx.lx;
  if (!lx.forceMatch('LParen')) return;
  if (lx.kind !== 'String') {
    lx.syntaxError('expecting port name string');
    return;
  }
  const vport = lx.s;
  lx.get();
  if (!lx.forceMatch('Comma')) return;
  const parent = actionParseField(ctx, 0, false);
  if (!parent) return;
  lx.forceMatch('RParen');
  put(ctx, { type: 'BIND_VPORT', vport, vportParent: parent });
}

function parseHandleSvcCheck(ctx: Ctx): void {
  const lx = ctx.lx;
  if (!lx.forceMatch('LParen')) return;
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('RParen');
  put(ctx, { type: 'HANDLE_SVC_CHECK', port: port ?? noField(ctx) });
}

function parseFwdGroup(ctx: Ctx): void {
  const lx = ctx.lx;
  const childPorts: string[] = [];
  let liveness = false;
  if (lx.match('LParen')) {
    if (lx.matchId('liveness')) {
      if (!lx.forceMatch('Equals')) return;
      if (lx.matchString('true') || lx.matchId('true')) liveness = true;
      else if (lx.matchString('false') || lx.matchId('false')) liveness = false;
      else {
        lx.syntaxError('expecting true or false');
        return;
      }
      lx.forceMatch('Comma');
    }
    if (lx.matchId('childports')) {
      if (!lx.forceMatch('Equals')) return;
      while (!lx.match('RParen')) {
        if (lx.kind !== 'String') {
          lx.syntaxError('expecting logical switch port');
          return;
        }
        childPorts.push(lx.s);
        lx.get();
        lx.match('Comma');
      }
    }
  }
  put(ctx, { type: 'FWD_GROUP', ltable: ctx.pp.curLtable + 1, liveness, childPorts });
}

function parsePutFdb(ctx: Ctx): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const mac = actionParseField(ctx, 48, false);
  lx.forceMatch('RParen');
  put(ctx, { type: 'PUT_FDB', port: port ?? noField(ctx), mac: mac ?? noField(ctx) });
}

function parseGetFdb(ctx: Ctx, dst: ExprField): void {
  const lx = ctx.lx;
  lx.get();
  lx.get();
  if (dst.nBits) {
    const error = exprTypeCheck(dst, 32, true, ctx.scope);
    if (error) {
      lx.err(error);
      return;
    }
  }
  const mac = actionParseField(ctx, 48, false);
  lx.forceMatch('RParen');
  put(ctx, { type: 'GET_FDB', dst, mac: mac ?? noField(ctx) });
}

function parseLookupFdb(ctx: Ctx, dst: ExprField): void {
  const lx = ctx.lx;
  lx.get();
  lx.get();
  const error = exprTypeCheck(dst, 1, true, ctx.scope);
  if (error) {
    lx.err(error);
    return;
  }
  const port = actionParseField(ctx, 0, false);
  lx.forceMatch('Comma');
  const mac = actionParseField(ctx, 48, false);
  lx.forceMatch('RParen');
  put(ctx, { type: 'LOOKUP_FDB', dst, port: port ?? noField(ctx), mac: mac ?? noField(ctx) });
}

function parseSample(ctx: Ctx): void {
  const lx = ctx.lx;
  const s = { type: 'SAMPLE' as const, probability: 0, collectorSetId: 0, obsDomainId: 0, obsPointId: 0, obsPointSrc: null as ExprField | null, useCookie: false };
  put(ctx, s);
  if (lx.match('LParen')) {
    while (!lx.match('RParen')) {
      // parse_sample_arg()
      if (lx.matchId('probability')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'Integer' && lx.format === 'decimal') {
          const p = actionParseUint16(ctx, 'probability');
          if (p === null) return;
          s.probability = p;
        }
      } else if (lx.matchId('obs_point')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'Macro' && lx.s === 'cookie') {
          s.useCookie = true;
          lx.get();
        } else if (lx.kind === 'Integer' && lx.format === 'decimal') {
          s.obsPointId = Number(lx.u64 & 0xffffffffn);
          lx.get();
        } else {
          s.obsPointSrc = actionParseField(ctx, 32, false);
        }
      } else if (lx.matchId('obs_domain')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'Integer' && lx.format === 'decimal') {
          const d = lx.u64 & 0xffffffffn;
          if (d > 255n) {
            lx.syntaxError('obs_domain must be 8-bit long');
            return;
          }
          s.obsDomainId = Number(d);
        }
        lx.get();
      } else if (lx.matchId('collector_set')) {
        if (!lx.forceMatch('Equals')) return;
        if (lx.kind === 'Integer' && lx.format === 'decimal') s.collectorSetId = Number(lx.u64 & 0xffffffffn);
        lx.get();
      } else {
        lx.syntaxError('unknown argument');
      }
      if (lx.error !== null) return;
      lx.match('Comma');
    }
  }
  if (!s.probability) lx.err('probability must be greater than zero');
}

function parseCommitEcmpNh(ctx: Ctx): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  if (!lx.matchId('ipv6') || !lx.forceMatch('Equals')) {
    lx.syntaxError('invalid parameter');
    return;
  }
  let ipv6: boolean;
  if (lx.matchString('true') || lx.matchId('true')) ipv6 = true;
  else if (lx.matchString('false') || lx.matchId('false')) ipv6 = false;
  else {
    lx.syntaxError('expecting true or false');
    return;
  }
  lx.forceMatch('Comma');
  if (!lx.matchId('proto') || !lx.forceMatch('Equals')) {
    lx.syntaxError('invalid parameter');
    return;
  }
  let proto: number;
  if (lx.matchId('tcp')) proto = 6;
  else if (lx.matchId('udp')) proto = 17;
  else if (lx.matchId('sctp')) proto = 132;
  else {
    lx.syntaxError('invalid protocol');
    return;
  }
  lx.forceMatch('RParen');
  put(ctx, { type: 'COMMIT_ECMP_NH', ipv6, proto });
}

/** ip_address_and_port_from_lb_key(): "1.2.3.4[:port]" or "[v6][:port]" → v4-mapped IPv6 + port. */
function ipAndPortFromLbKey(key: string): { ip: bigint; port: number; v6: boolean } | null {
  const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(key);
  if (m6) {
    const ip = parseIp6(m6[1]!);
    if (ip === null) return null;
    return { ip, port: m6[2] ? Number(m6[2]) : 0, v6: true };
  }
  const m4 = /^([0-9.]+)(?::(\d+))?$/.exec(key);
  if (m4) {
    const parts = m4[1]!.split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
    const v4 = parts.reduce((a, p) => (a << 8n) | BigInt(Number(p)), 0n);
    return { ip: (0xffffn << 32n) | v4, port: m4[2] ? Number(m4[2]) : 0, v6: false };
  }
  const ip = parseIp6(key);
  return ip === null ? null : { ip, port: 0, v6: true };
}

function parseIp6(s: string): bigint | null {
  const toks = tokenize(s);
  if (toks.length !== 1) return null;
  const p = tokenPayload(toks[0]!);
  return toks[0]!.tokenType.name === 'Integer' && p.format === 'IPv6' ? p.value! : null;
}

function parseCommitLbAff(ctx: Ctx): void {
  const lx = ctx.lx;
  lx.forceMatch('LParen');
  const invalid = (): void => lx.syntaxError('invalid parameter');
  if (!lx.matchId('vip') || !lx.forceMatch('Equals') || lx.kind !== 'String') return invalid();
  const vip = ipAndPortFromLbKey(lx.s);
  if (!vip) return invalid();
  lx.get();
  lx.forceMatch('Comma');
  if (!lx.matchId('backend') || !lx.forceMatch('Equals') || lx.kind !== 'String') return invalid();
  const backend = ipAndPortFromLbKey(lx.s);
  if (!backend) return invalid();
  if (backend.v6 !== vip.v6) {
    lx.syntaxError('invalid protocol family');
    return;
  }
  lx.get();
  lx.forceMatch('Comma');
  let proto = 0;
  if (vip.port) {
    if (!lx.matchId('proto') || !lx.forceMatch('Equals')) return invalid();
    if (lx.matchId('tcp')) proto = 6;
    else if (lx.matchId('udp')) proto = 17;
    else if (lx.matchId('sctp')) proto = 132;
    else {
      lx.syntaxError('invalid protocol');
      return;
    }
    lx.forceMatch('Comma');
  }
  if (!lx.matchId('timeout') || !lx.forceMatch('Equals')) return invalid();
  const timeout = actionParseUint16(ctx, 'affinity timeout');
  if (timeout === null) return;
  lx.forceMatch('RParen');
  put(ctx, {
    type: 'COMMIT_LB_AFF', ipv6: vip.v6, vip: vip.ip, vipPort: vip.port, backend: backend.ip,
    backendPort: backend.port, proto, timeout,
  });
}

/** `dst = name(...)` actions dispatched by parse_set_action(). */
const RESULT_ACTIONS: Record<string, (ctx: Ctx, dst: ExprField) => void> = {
  select: (c, d) => parseSelectAction(c, d),
  put_dhcp_opts: (c, d) => parsePutDhcpOpts(c, d, false),
  put_dhcpv6_opts: (c, d) => parsePutDhcpOpts(c, d, true),
  dns_lookup: (c, d) => parseOvnactResult(c, 'dns_lookup', 'udp', d, 'DNS_LOOKUP', 1),
  put_nd_ra_opts: (c, d) => parsePutNdRaOpts(c, d),
  check_pkt_larger: (c, d) => parseCheckPktLarger(c, d),
  lookup_arp: (c, d) => parseLookupMacBind(c, d, 32, 'LOOKUP_ARP'),
  lookup_nd: (c, d) => parseLookupMacBind(c, d, 128, 'LOOKUP_ND'),
  lookup_arp_ip: (c, d) => parseLookupMacBindIp(c, d, 32, 'LOOKUP_ARP_IP'),
  lookup_nd_ip: (c, d) => parseLookupMacBindIp(c, d, 128, 'LOOKUP_ND_IP'),
  chk_lb_hairpin: (c, d) => parseOvnactResult(c, 'chk_lb_hairpin', null, d, 'CHK_LB_HAIRPIN', 1),
  chk_lb_hairpin_reply: (c, d) => parseOvnactResult(c, 'chk_lb_hairpin_reply', null, d, 'CHK_LB_HAIRPIN_REPLY', 1),
  get_fdb: (c, d) => parseGetFdb(c, d),
  lookup_fdb: (c, d) => parseLookupFdb(c, d),
  check_in_port_sec: (c, d) => parseOvnactResult(c, 'check_in_port_sec', null, d, 'CHECK_IN_PORT_SEC', 1),
  check_out_port_sec: (c, d) => parseOvnactResult(c, 'check_out_port_sec', null, d, 'CHECK_OUT_PORT_SEC', 1),
  chk_ecmp_nh_mac: (c, d) => parseOvnactResult(c, 'chk_ecmp_nh_mac', null, d, 'CHK_ECMP_NH_MAC', 1),
  chk_ecmp_nh: (c, d) => parseOvnactResult(c, 'chk_ecmp_nh', null, d, 'CHK_ECMP_NH', 1),
  chk_lb_aff: (c, d) => parseOvnactResult(c, 'chk_lb_aff', null, d, 'CHK_LB_AFF', 1),
  ct_nw_dst: (c, d) => parseOvnactResult(c, 'ct_nw_dst', null, d, 'CT_ORIG_NW_DST', 32),
  ct_ip6_dst: (c, d) => parseOvnactResult(c, 'ct_ip6_dst', null, d, 'CT_ORIG_IP6_DST', 128),
  ct_tp_dst: (c, d) => parseOvnactResult(c, 'ct_tp_dst', null, d, 'CT_ORIG_TP_DST', 16),
};

/** parse_set_action(): assignment, exchange, or `dst = function(...)`. */
function parseSetAction(ctx: Ctx): void {
  const lx = ctx.lx;
  const lhs = exprFieldParse(ctx);
  if (!lhs) return;
  if (lx.match('Exchange')) {
    parseAssignmentAction(ctx, true, lhs);
  } else if (lx.match('Equals')) {
    if (lx.kind !== 'Id') {
      parseLoad(ctx, lhs);
      return;
    }
    const fn = RESULT_ACTIONS[lx.s];
    if (fn && lx.lookahead() === 'LParen') {
      fn(ctx, lhs);
    } else if (lx.matchId('dhcp_relay_req_chk')) {
      parseDhcpRelayChk(ctx, lhs, 'DHCPV4_RELAY_REQ_CHK');
    } else if (lx.matchId('dhcp_relay_resp_chk')) {
      parseDhcpRelayChk(ctx, lhs, 'DHCPV4_RELAY_RESP_CHK');
    } else {
      parseAssignmentAction(ctx, false, lhs);
    }
  } else {
    lx.syntaxError("expecting `=' or `<->'");
  }
}

const NULL_ACTIONS: Record<string, OvnAction['type']> = {
  output: 'OUTPUT',
  ct_clear: 'CT_CLEAR',
  igmp: 'IGMP',
  handle_dhcpv6_reply: 'DHCP6_REPLY',
  ct_snat_to_vip: 'CT_SNAT_TO_VIP',
  mac_cache_use: 'MAC_CACHE_USE',
  flood_remote: 'FLOOD_REMOTE',
};

const NESTED: Record<string, [NestKind, string | null]> = {
  arp: ['ARP', 'ip'],
  icmp4: ['ICMP4', 'ip4'],
  icmp4_error: ['ICMP4_ERROR', 'ip4'],
  icmp6: ['ICMP6', 'ip6'],
  icmp6_error: ['ICMP6_ERROR', 'ip6'],
  tcp_reset: ['TCP_RESET', 'tcp'],
  sctp_abort: ['SCTP_ABORT', 'sctp'],
  nd_na: ['ND_NA', 'nd_ns'],
  nd_na_router: ['ND_NA_ROUTER', 'nd_ns'],
  nd_ns: ['ND_NS', 'ip'],
  reject: ['REJECT', null],
};

/** parse_action(): one action up to and including its `;`. */
function parseAction(ctx: Ctx): boolean {
  const lx = ctx.lx;
  if (lx.kind === 'Template') {
    lx.err('Unexpanded template.');
    return false;
  }
  if (lx.kind !== 'Id') {
    lx.syntaxError(null);
    return false;
  }
  const la = lx.lookahead();
  const id = lx.s;
  if (la === 'Equals' || la === 'Exchange' || la === 'LSquare') {
    parseSetAction(ctx);
  } else if (NULL_ACTIONS[id]) {
    lx.get();
    put(ctx, { type: NULL_ACTIONS[id] } as OvnAction);
  } else if (NESTED[id]) {
    lx.get();
    const [kind, prereq] = NESTED[id]!;
    parseNestedAction(ctx, kind, prereq, ctx.scope);
  } else if (lx.matchId('next')) parseNext(ctx);
  else if (lx.matchId('push')) parsePushPop(ctx, true);
  else if (lx.matchId('pop')) parsePushPop(ctx, false);
  else if (lx.matchId('ip.ttl')) parseDecTtl(ctx);
  else if (lx.matchId('ct_next')) parseCtNext(ctx);
  else if (lx.matchId('ct_commit')) parseCtCommit(ctx);
  else if (lx.matchId('ct_commit_to_zone')) parseCtCommitToZone(ctx, 'ct_commit_to_zone', 'CT_COMMIT_TO_ZONE', false, true);
  else if (lx.matchId('ct_dnat')) parseCtNat(ctx, 'ct_dnat', 'CT_DNAT', 'dst');
  else if (lx.matchId('ct_snat')) parseCtNat(ctx, 'ct_snat', 'CT_SNAT', 'src');
  else if (lx.matchId('ct_dnat_in_czone')) parseCtNat(ctx, 'ct_dnat_in_czone', 'CT_DNAT_IN_CZONE', 'dst');
  else if (lx.matchId('ct_snat_in_czone')) parseCtNat(ctx, 'ct_snat_in_czone', 'CT_SNAT_IN_CZONE', 'src');
  else if (lx.matchId('ct_lb')) parseCtLbAction(ctx, false);
  else if (lx.matchId('ct_lb_mark')) parseCtLbAction(ctx, true);
  else if (lx.matchId('ct_commit_nat')) parseCtCommitToZone(ctx, 'ct_commit_nat', 'CT_COMMIT_NAT', true, false);
  else if (lx.matchId('clone')) parseNestedAction(ctx, 'CLONE', null, WR_DEFAULT);
  else if (lx.matchId('get_arp')) parseGetMacBind(ctx, 32, 'GET_ARP');
  else if (lx.matchId('put_arp')) parsePutMacBind(ctx, 32, 'PUT_ARP');
  else if (lx.matchId('get_nd')) parseGetMacBind(ctx, 128, 'GET_ND');
  else if (lx.matchId('put_nd')) parsePutMacBind(ctx, 128, 'PUT_ND');
  else if (lx.matchId('set_queue')) parseSetQueue(ctx);
  else if (lx.matchId('log')) parseLog(ctx);
  else if (lx.matchId('set_meter')) parseSetMeter(ctx);
  else if (lx.matchId('trigger_event')) parseTriggerEvent(ctx);
  else if (lx.matchId('bind_vport')) parseBindVport(ctx);
  else if (lx.matchId('handle_svc_check')) parseHandleSvcCheck(ctx);
  else if (lx.matchId('fwd_group')) parseFwdGroup(ctx);
  else if (lx.matchId('handle_bfd_msg')) {
    if (lx.forceMatch('LParen')) {
      put(ctx, { type: 'BFD_MSG' });
      lx.forceMatch('RParen');
    }
  } else if (lx.matchId('put_fdb')) parsePutFdb(ctx);
  else if (lx.matchId('commit_ecmp_nh')) parseCommitEcmpNh(ctx);
  else if (lx.matchId('commit_lb_aff')) parseCommitLbAff(ctx);
  else if (lx.matchId('sample')) parseSample(ctx);
  else lx.syntaxError('expecting action');
  lx.forceMatch('Semicolon');
  return lx.error === null;
}

/** parse_actions(): actions up to `sentinel`; a lone `drop;` is the empty action list. */
function parseActions(ctx: Ctx, sentinel: Kind): void {
  const lx = ctx.lx;
  if (lx.kind === 'Id' && lx.s === 'drop' && lx.lookahead() === 'Semicolon') {
    lx.get();
    lx.get();
    lx.forceMatch(sentinel);
    return;
  }
  while (!lx.match(sentinel)) {
    if (!parseAction(ctx)) return;
  }
}

/**
 * ovnacts_parse_string(): parses `text` into actions and prerequisites, or returns OVN's error
 * message (`{ error }`).
 */
export function parseActionsText(text: string, pp: ActionParseParams): ParsedActions | { error: string } {
  const lx = new Cursor(text);
  const ctx: Ctx = { pp, lx, acts: [], prereqs: [], depth: 0, scope: WR_DEFAULT };
  parseActions(ctx, 'End');
  if (lx.error !== null) return { error: lx.error };
  return { actions: ctx.acts, prereqs: ctx.prereqs };
}
