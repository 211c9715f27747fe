/**
 * OVN logical-flow match compiler (OVN 25.03 lib/expr.c), one pure function per
 * OVN step.  Every step clones its input; errors throw ExprError carrying OVN's
 * exact message (and, for parse errors, the 1-based column of the token).
 *
 *   parseExpr(text, env?)        expr_parse_string          -> Expr
 *   annotateExpr(expr, opts?)    expr_annotate              -> Expr
 *   simplifyExpr(expr, env?)     expr_simplify + expr_evaluate_condition
 *   normalizeExpr(expr)          expr_normalize             -> Expr
 *   toMatches(expr, env?)        expr_to_matches            -> { matches, nConjs }
 *   formatExpr(expr)             expr_format (canonical text)
 *
 *   exprToFlows(match, env)      the whole pipeline, returning the lines that
 *                                `ovstest test-ovn expr-to-flows` prints (one per
 *                                OpenFlow match, "(no flows)" when none, or the
 *                                error message), in insertion order — OVS prints
 *                                in hash order, so compare sorted.
 *   exprToMatchObjects(match, env)  structured variant for the OpenFlow stage.
 *   runExprStep(step, text, env) what test-ovn's parse-expr / annotate-expr /
 *                                simplify-expr / normalize-expr print.
 */
import { ExprSyntaxError, constSetFromStrings, parseMatch, sbPortGroupName, type IntConstant, type ParseEnv } from '../../grammar/match-parser.js';
import { exprClone, exprCombine, exprFormat, type Expr } from './ast.js';
import { annotateInPlace, ExprError } from './annotate.js';
import { evaluateConditionInPlace, simplifyInPlace } from './simplify.js';
import { isNormalized, normalizeInPlace } from './normalize.js';
import { exprToMatches, formatExprMatch, type ExprMatch } from './matches.js';
import { getSymtab, type Symtab } from './symtab.js';

export { ExprError } from './annotate.js';
export type { Expr, CmpExpr, AndOrExpr, BooleanExpr, ConditionExpr, Relop } from './ast.js';
export { exprFormat as formatExpr } from './ast.js';
export { FlowMatch, formatMatch, formatExprMatch, type ExprMatch, type Conjunction } from './matches.js';
export { getSymtab, lookupSymbol, resolveField, symbolIsWritable, OVS_FIELDS, type ExprSymbol, type Symtab } from './symtab.js';

/** Environment of a match: address sets, port groups (by NB or "<dp>_<name>" name), port name -> tunnel key. */
export interface ExprEnv {
  addressSets: Record<string, string[]>;
  portGroups: Record<string, string[]>;
  ports: Record<string, number>;
}

export interface ExprOptions {
  /** Symbol table; defaults to OVN 25.03's (without test-ovn's test-only symbols). */
  symtab?: Symtab;
  /** Datapath tunnel key for "@pg" lookups (SB name "<dp>_<pg>"); test-ovn uses 0. */
  dpId?: number;
  /**
   * Action prerequisites (ovnacts_parse's `prereqs`), ANDed to the parsed match
   * before annotation as consider_logical_flow__() does (compileExpr / exprToFlows /
   * exprToMatchObjects only).  Not modified.
   */
  prereqs?: Expr | null;
  /** is_chassis_resident(port); default: `port` is a key of env.ports (test-ovn's callback). */
  isChassisResident?: (port: string) => boolean;
}

/** The environment of `ovstest test-ovn` (tests/test-ovn.c), which the upstream vectors assume. */
export const TEST_OVN_ENV: ExprEnv = {
  addressSets: {
    set1: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
    set2: ['::1', '::2', '::3'],
    set3: ['00:00:00:00:00:01', '00:00:00:00:00:02', '00:00:00:00:00:03'],
    set4: [],
  },
  portGroups: { '0_pg1': ['lsp1', 'lsp2', 'lsp3'], '0_pg_empty': [] },
  ports: { eth0: 5, eth1: 6, LOCAL: 0xfffe, lsp1: 0x11, lsp2: 0x12, lsp3: 0x13 },
};

/** Symbol table including test-ovn's extra symbols (bad_prereq, self_recurse, big_string, ...). */
export const testSymtab = (): Symtab => getSymtab({ test: true });

/** Lexed address sets, cached per values array (re-lexed if its length changes). */
const addrSetCache = new WeakMap<readonly string[], { n: number; consts: IntConstant[] }>();

function addrSetConstants(values: readonly string[]): IntConstant[] {
  const c = addrSetCache.get(values);
  if (c && c.n === values.length) return c.consts;
  const consts = constSetFromStrings(values);
  addrSetCache.set(values, { n: values.length, consts });
  return consts;
}

function parseEnvOf(env: ExprEnv | undefined, opts: ExprOptions): ParseEnv {
  const symtab = opts.symtab ?? getSymtab();
  if (!env) return { symtab, addrSets: null, portGroups: null, dpId: opts.dpId ?? 0 };
  return { symtab, addrSets: addrSetMapOf(env.addressSets), portGroups: portGroupMapOf(env.portGroups), dpId: opts.dpId ?? 0 };
}

/*
 * The lookup maps are built once per env object, not once per expression: the OpenFlow stage compiles
 * every lflow of a datapath against one env, and rebuilding the maps made that lflows × (sets + groups).
 * An ExprEnv must therefore not be mutated after its first use (no caller does).
 */
const addrSetMaps = new WeakMap<ExprEnv['addressSets'], ParseEnv['addrSets']>();
const portGroupMaps = new WeakMap<ExprEnv['portGroups'], ParseEnv['portGroups']>();
function addrSetMapOf(sets: ExprEnv['addressSets']): ParseEnv['addrSets'] {
  let m = addrSetMaps.get(sets);
  // each constant carries its set's name once here, not copied on every use (read-only from here on)
  if (!m) addrSetMaps.set(sets, (m = new Map(Object.entries(sets).map(([k, v]) => [k, addrSetConstants(v).map((c) => ({ ...c, asName: k }))]))));
  return m;
}
function portGroupMapOf(groups: ExprEnv['portGroups']): ParseEnv['portGroups'] {
  let m = portGroupMaps.get(groups);
  if (!m) portGroupMaps.set(groups, (m = new Map(Object.entries(groups))));
  return m;
}

/** expr_parse_string() */
export function parseExpr(text: string, env?: ExprEnv, opts: ExprOptions = {}): Expr {
  try {
    return parseMatch(text, parseEnvOf(env, opts));
  } catch (e) {
    if (e instanceof ExprSyntaxError) throw new ExprError(e.message, e.column);
    throw e;
  }
}

/** expr_annotate() */
export function annotateExpr(expr: Expr, opts: ExprOptions = {}): Expr {
  return annotateInPlace(exprClone(expr), opts.symtab ?? getSymtab());
}

/**
 * expr_simplify() followed by expr_evaluate_condition(); is_chassis_resident(p)
 * is true iff `p` is a known port of `env` (test-ovn's callback).
 */
export function simplifyExpr(expr: Expr, env?: ExprEnv, isChassisResident?: (port: string) => boolean): Expr {
  const resident = isChassisResident ?? ((p: string) => !!env && Object.prototype.hasOwnProperty.call(env.ports, p));
  return evaluateConditionInPlace(simplifyInPlace(exprClone(expr)), resident);
}

/** expr_normalize() */
export function normalizeExpr(expr: Expr): Expr {
  const n = normalizeInPlace(exprClone(expr));
  if (!isNormalized(n)) throw new Error('internal error: expression not normalized');
  return n;
}

/** expr_to_matches() with a port lookup from `env.ports` (unknown names never match). */
export function toMatches(expr: Expr, env?: ExprEnv): { matches: ExprMatch[]; nConjs: number } {
  const ports = env?.ports ?? {};
  return exprToMatches(expr, (name) => (Object.prototype.hasOwnProperty.call(ports, name) ? ports[name] : undefined));
}

/** parse (+ action prereqs) + annotate + simplify + evaluate conditions + normalize (throws on error). */
export function compileExpr(match: string, env: ExprEnv, opts: ExprOptions = {}): Expr {
  const symtab = opts.symtab ?? getSymtab();
  let e = parseMatch(match, parseEnvOf(env, { ...opts, symtab }));
  if (opts.prereqs) e = exprCombine('and', e, exprClone(opts.prereqs))!;
  e = annotateInPlace(e, symtab);
  e = simplifyInPlace(e);
  e = evaluateConditionInPlace(e, opts.isChassisResident ?? ((p) => Object.prototype.hasOwnProperty.call(env.ports, p)));
  return normalizeInPlace(e);
}

function errorText(e: unknown): string {
  if (e instanceof ExprError || e instanceof ExprSyntaxError) return e.message;
  throw e;
}

/** exprToFlows() that throws ExprError instead of returning the error line. */
export function exprToFlowsStrict(match: string, env: ExprEnv, opts: ExprOptions = {}): string[] {
  let e: Expr;
  try {
    e = compileExpr(match, env, opts);
  } catch (err) {
    throw err instanceof ExprSyntaxError ? new ExprError(err.message, err.column) : err;
  }
  const { matches } = toMatches(e, env);
  if (!matches.length) return ['(no flows)'];
  return matches.map(formatExprMatch);
}

/**
 * The full match pipeline, printed like `ovstest test-ovn expr-to-flows`:
 * one line per match (with ": conjunction(id, k/n)" suffixes), "(no flows)"
 * when there is none, or the error message on error.
 */
export function exprToFlows(match: string, env: ExprEnv, opts: ExprOptions = {}): string[] {
  try {
    return exprToFlowsStrict(match, env, opts);
  } catch (err) {
    return [errorText(err)];
  }
}

export interface MatchObject {
  /** OVS flow fields (struct flow member names: reg14, nw_src, tp_dst, dl_type, conj_id, ...) */
  fields: Record<string, { value: bigint; mask: bigint }>;
  /** conjunction(id, clause/nClauses) actions; clause is 0-based as in expr.c */
  conjunctions: { id: number; clause: number; nClauses: number }[];
  /** ovs-ofctl text of the match (without priority) */
  text: string;
}

/** Structured variant of exprToFlows (throws ExprError on error). */
export function exprToMatchObjects(match: string, env: ExprEnv, opts: ExprOptions = {}): { matches: MatchObject[]; nConjs: number } {
  const { matches, nConjs } = toMatches(compileStrict(match, env, opts), env);
  return {
    nConjs,
    matches: matches.map((m) => ({ ...fieldsOf(m), text: formatExprMatch(m).replace(/[:,] conjunction\(.*$/, '') })),
  };
}

function compileStrict(match: string, env: ExprEnv, opts: ExprOptions): Expr {
  try {
    return compileExpr(match, env, opts);
  } catch (err) {
    throw err instanceof ExprSyntaxError ? new ExprError(err.message, err.column) : err;
  }
}

function fieldsOf(m: ExprMatch): Omit<MatchObject, 'text'> {
  const fields: MatchObject['fields'] = {};
  for (const [k, v] of m.match.slots) fields[k] = { value: v.value, mask: v.mask };
  return { fields, conjunctions: m.conjunctions.map((c) => ({ ...c })) };
}

/** `@name` as grammar/lexer.ts scans a port group (isId1 then isIdN characters). */
const PG_NAME = /@([A-Za-z_.][A-Za-z_.0-9]*)/g;

/**
 * exprToMatchObjects (without `text`) for one set of address sets and port groups compiled on many
 * datapaths: the OpenFlow stage compiles the same lflow match once per datapath it is on (N node
 * switches), and only the metadata differs. parse → normalize is done once per (match, action
 * prereqs, datapath id when the match names a port group, the only datapath-dependent lookup), and
 * expr_to_matches once more per datapath only when it looked up a port name (inport/outport ==
 * "name"); otherwise the matches are shared. Errors are cached too. The results are shared: callers
 * must not mutate them. One instance per `isChassisResident` and per env.addressSets/portGroups
 * object (a different object clears the cache). `reuse: false` (a match the caller knows it compiles
 * only once) computes without storing, so the cache holds only what is shared.
 */
export class MatchCompiler {
  private sets: ExprEnv['addressSets'] | undefined;
  private groups: ExprEnv['portGroups'] | undefined;
  private readonly exprs = new Map<string, { expr?: Expr; error?: ExprError; result?: CompiledMatches }>();
  private readonly prereqs = new Map<string, Expr>();
  constructor(private readonly opts: { symtab?: Symtab; isChassisResident: (port: string) => boolean }) {}

  private readonly listIds = new WeakMap<readonly string[], number>();
  private nextListId = 0;
  /**
   * What the port groups `text` names resolve to on datapath `dpId` (the datapath's SB group
   * "<dp>_<name>", else the plain name), as ids of the port lists: the only datapath-dependent input
   * of parse → normalize. Datapaths whose groups resolve to the same lists (every empty one alike:
   * a node switch with no local member in a node view) share one compiled expression, as they
   * would with no port group at all. Names are over-approximated (an `@` inside a string adds a
   * name), which only makes the key more specific.
   */
  portGroupSignature(text: string, env: ExprEnv, dpId: number): string {
    if (!text.includes('@')) return '';
    let sig = '';
    for (const m of text.matchAll(PG_NAME)) {
      // parse_port_group's lookup: the datapath's SB group, then the plain name
      const list = env.portGroups[sbPortGroupName(m[1]!, dpId)] ?? env.portGroups[m[1]!];
      if (list === undefined) sig += 'u,';
      else if (list.length === 0) sig += 'e,';
      else {
        let id = this.listIds.get(list);
        if (id === undefined) this.listIds.set(list, (id = this.nextListId++));
        sig += `${id},`;
      }
    }
    return sig;
  }

  /** The matches of `match` (ANDed with the action prereqs text, if any) on datapath `dpId`; throws ExprError. */
  compile(match: string, prereqs: string | null, env: ExprEnv, dpId: number, reuse = true): CompiledMatches {
    if (env.addressSets !== this.sets || env.portGroups !== this.groups) {
      this.sets = env.addressSets;
      this.groups = env.portGroups;
      this.exprs.clear();
    }
    const key = `${match}\0${prereqs ?? ''}\0${this.portGroupSignature(match, env, dpId)}${prereqs ? this.portGroupSignature(prereqs, env, dpId) : ''}`;
    let c = this.exprs.get(key);
    if (!c) {
      let pre: Expr | null = null;
      if (prereqs) {
        pre = this.prereqs.get(prereqs) ?? null;
        if (!pre) this.prereqs.set(prereqs, (pre = parseExpr(prereqs)));
      }
      try {
        c = { expr: compileStrict(match, env, { ...this.opts, dpId, prereqs: pre }) };
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        c = { error: err };
      }
      if (reuse) this.exprs.set(key, c);
    }
    if (c.error) throw c.error;
    if (c.result) return c.result;
    let portLookups = 0;
    const ports = env.ports;
    const { matches, nConjs } = exprToMatches(c.expr!, (name) => {
      portLookups++;
      return Object.prototype.hasOwnProperty.call(ports, name) ? ports[name] : undefined;
    });
    const result = { matches: matches.map(fieldsOf), nConjs };
    if (portLookups === 0 && reuse) c.result = result;
    return result;
  }
}

export interface CompiledMatches { matches: ReadonlyArray<Omit<MatchObject, 'text'>>; nConjs: number }

export type ExprStep = 'parse' | 'annotate' | 'simplify' | 'normalize';

/** One test-ovn step; throws ExprError (OVN's message) on error. */
export function exprStep(step: ExprStep, text: string, env: ExprEnv, opts: ExprOptions = {}): string {
  const symtab = opts.symtab ?? getSymtab();
  try {
    let e = parseMatch(text, parseEnvOf(env, { ...opts, symtab }));
    if (step !== 'parse') e = annotateInPlace(e, symtab);
    if (step === 'simplify' || step === 'normalize') {
      e = simplifyInPlace(e);
      e = evaluateConditionInPlace(e, opts.isChassisResident ?? ((p) => Object.prototype.hasOwnProperty.call(env.ports, p)));
    }
    if (step === 'normalize') e = normalizeInPlace(e);
    return exprFormat(e);
  } catch (err) {
    throw err instanceof ExprSyntaxError ? new ExprError(err.message, err.column) : err;
  }
}

/** What test-ovn's parse-expr / annotate-expr / simplify-expr / normalize-expr print for one input line. */
export function runExprStep(step: ExprStep, text: string, env: ExprEnv, opts: ExprOptions = {}): string {
  try {
    return exprStep(step, text, env, opts);
  } catch (err) {
    return errorText(err);
  }
}
