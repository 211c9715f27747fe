/**
 * OVN logical-flow actions (OVN 25.03 lib/actions.c): parse, format, encode to OpenFlow.
 *
 *   parseActions(text, ctx)   ovnacts_parse_string  -> { actions, prereqs, prereqsExpr }
 *                                                      (throws ActionError with OVN's message)
 *   formatActions(actions)    ovnacts_format        -> canonical text ("formats as")
 *   encodeActions(text, ctx)  parse + ovnacts_encode -> { ofpacts, list, prereqs, prereqsExpr,
 *                                                        groups, meters }
 *   encodeParsed(actions, ctx)                      -> the same without re-parsing
 *   controllerContext({...})  ovn-controller 25.03's environment for one lflow (dump-flows style)
 *   testOvnContext()          test-ovn's environment (test-ovn style)
 *
 * `ctx` carries everything ovn-controller would: logical pipeline and table, switch or router,
 * port name → tunnel key map, the OVN version's OpenFlow table constants, group/meter id
 * allocators, the Logical_Flow UUID and datapath key, and OVS feature flags.  Encoding is pure
 * given ctx (the allocators are the only state, and they are passed in).
 *
 * testOvnContext() reproduces the environment of `ovstest test-ovn parse-actions` (the upstream
 * vectors): cur_ltable 10, ingress, switch, n_tables 24, `output;` → OFTABLE_SAVE_INPORT, port
 * map eth0=5 eth1=6 LOCAL=0xfffe lsp1=0x11, lflow UUID aaaaaaaa-bbbb-bbbb-cccc-ccccdddddddd,
 * dp key 0xabcdef, collector sets {0, 200}, test-only symbols.
 */
import { parseActionsText, type ExprHooks } from '../../../grammar/actions.js';
import type { OvnAction } from '../../../grammar/actions-ast.js';
import { parseExpr, annotateExpr, formatExpr, getSymtab, testSymtab, type Expr, type Symtab } from '../index.js';
import { encodeOvnActions, ExtendTable, type EncodeParams } from './encode.js';
import { formatOfpacts, type Ofpact, type OfpactStyle } from './ofpact.js';
import { OFTABLES_25_03, type OftableConstants } from './tables.js';
import { formatActions as formatOvnActions } from './format.js';

export { ExtendTable } from './encode.js';
export { OFTABLES_25_03, ACTION_OPCODE, type OftableConstants } from './tables.js';
export { formatOfpacts, encodeOfpactsOf15, type Ofpact, type OfpactStyle } from './ofpact.js';
export type { OvnAction } from '../../../grammar/actions-ast.js';

/** An action the parser rejects; `message` is OVN's exact error text. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

export interface ActionContext {
  pipeline: 'ingress' | 'egress';
  /** Logical table of the flow (cur_ltable). */
  table: number;
  isSwitch: boolean;
  /** lookup_port(): logical port / multicast group name → tunnel key. */
  ports: Readonly<Record<string, number>>;
  /** The OVN version's OpenFlow table constants. */
  tables: OftableConstants;
  /** Group and meter id allocators (shared by all flows of one ovn-controller). */
  groups: ExtendTable;
  meters: ExtendTable;
  lflowUuid: string;
  dpKey: number;
  /** Logical tables per pipeline (`next` limit); default tables.logPipelineLen. */
  nTables?: number;
  /** Symbol table; default OVN 25.03's. */
  symtab?: Symtab;
  /**
   * Print style of `ofpacts`: 'dump-flows' (default) as ovs-ofctl shows installed flows,
   * 'test-ovn' as test-ovn's "encodes as" (see OfpactStyle).
   */
  style?: OfpactStyle;
  /** Overrides of the encode parameters (output table, features, meters, collectors, …). */
  encode?: Partial<Omit<EncodeParams, 'pipeline' | 'isSwitch' | 'tables' | 'ports' | 'groups' | 'meters' | 'lflowUuid' | 'dpKey'>>;
}

export interface ParsedActionsResult {
  actions: OvnAction[];
  /** expr_format() of the prerequisites, or null if there are none. */
  prereqs: string | null;
  /**
   * The prerequisites as an expression (fresh copy), for ovn-controller's
   * `expr_combine(EXPR_T_AND, match, prereqs)` before expr_annotate().
   */
  prereqsExpr: Expr | null;
}

export interface EncodedActions {
  /** ovs-ofctl syntax of the OpenFlow actions (`drop` when empty). */
  ofpacts: string;
  /** The structured OpenFlow actions. */
  list: Ofpact[];
  prereqs: string | null;
  prereqsExpr: Expr | null;
  /** Group definitions used: `id(N), name(SPEC)` as test-ovn prints them. */
  groups: string[];
  meters: string[];
}

/** Copies the and/or skeleton (leaves are shared and never mutated here). */
const cloneTree = (e: Expr): Expr => (e.type === 'and' || e.type === 'or' ? { type: e.type, subs: e.subs.map(cloneTree) } : e);

/** expr_combine(EXPR_T_AND, a, b), with `b` copied. */
function combineAnd(a: Expr | null, b: Expr): Expr {
  const bb = cloneTree(b);
  if (!a) return bb;
  if (a.type === 'and') {
    if (bb.type === 'and') a.subs.push(...bb.subs);
    else a.subs.push(bb);
    return a;
  }
  if (bb.type === 'and') {
    bb.subs.unshift(a);
    return bb;
  }
  return { type: 'and', subs: [a, bb] };
}

const hooksCache = new WeakMap<Symtab, ExprHooks>();

/**
 * The match compiler's services the action parser needs (prerequisite expressions), memoized per
 * symbol table: prerequisites are a handful of fixed texts ("ip", "tcp", a symbol's prereqs), and
 * results are never mutated (formatAnd copies the and/or skeleton).
 */
function exprHooks(symtab: Symtab): ExprHooks {
  const cached = hooksCache.get(symtab);
  if (cached) return cached;
  const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  const parsed = new Map<string, Expr>();
  const annotated = new Map<string, { expr: Expr } | { error: string }>();
  const hooks: ExprHooks = {
    parse: (text) => {
      let e = parsed.get(text);
      if (!e) parsed.set(text, (e = parseExpr(text, undefined, { symtab })));
      return e;
    },
    annotate: (text) => {
      let r = annotated.get(text);
      if (!r) {
        // parse_and_annotate(): wraps the inner error.
        try {
          r = { expr: annotateExpr(parseExpr(text, undefined, { symtab }), { symtab }) };
        } catch (e) {
          r = { error: `Error parsing expression \`${text}' encountered as prerequisite or predicate of initial expression: ${errText(e)}` };
        }
        annotated.set(text, r);
      }
      return r;
    },
    formatAnd: (exprs) => {
      let acc: Expr | null = null;
      for (const e of exprs) acc = combineAnd(acc, e as Expr);
      return acc ? formatExpr(acc) : '';
    },
  };
  hooksCache.set(symtab, hooks);
  return hooks;
}

/** ovnacts_parse_string(). Throws ActionError with OVN's message. */
export function parseActions(text: string, ctx: ActionContext): ParsedActionsResult {
  const symtab = ctx.symtab ?? getSymtab();
  const hooks = exprHooks(symtab);
  const r = parseActionsText(text, {
    symtab,
    hooks,
    nTables: ctx.nTables ?? ctx.tables.logPipelineLen,
    curLtable: ctx.table,
    pipeline: ctx.pipeline,
  });
  if ('error' in r) throw new ActionError(r.error);
  let prereqsExpr: Expr | null = null;
  for (const e of r.prereqs) prereqsExpr = combineAnd(prereqsExpr, e as Expr);
  return {
    actions: r.actions,
    prereqs: prereqsExpr ? formatExpr(prereqsExpr) : null,
    prereqsExpr: prereqsExpr ? structuredCloneExpr(prereqsExpr) : null,
  };
}

/** A deep copy of an expression tree (symbols shared), so callers may mutate it freely. */
function structuredCloneExpr(e: Expr): Expr {
  if (e.type === 'and' || e.type === 'or') return { type: e.type, subs: e.subs.map(structuredCloneExpr) };
  return { ...e };
}

/** ovnacts_format(). */
export function formatActions(actions: OvnAction[]): string {
  return formatOvnActions(actions);
}

/** Parses and encodes `text` as ovn-controller would for a flow in `ctx`. */
export function encodeActions(text: string, ctx: ActionContext): EncodedActions {
  const { actions, prereqs, prereqsExpr } = parseActions(text, ctx);
  return { ...encodeParsed(actions, ctx), prereqs, prereqsExpr };
}

/** ovnacts_encode() of already parsed actions. */
export function encodeParsed(actions: OvnAction[], ctx: ActionContext): Omit<EncodedActions, 'prereqs' | 'prereqsExpr'> {
  const ep: EncodeParams = {
    ...ctx.encode,
    pipeline: ctx.pipeline,
    isSwitch: ctx.isSwitch,
    tables: ctx.tables,
    ports: ctx.ports,
    groups: ctx.groups,
    meters: ctx.meters,
    lflowUuid: ctx.lflowUuid,
    dpKey: ctx.dpKey,
  };
  const r = encodeOvnActions(actions, ep);
  return {
    ofpacts: formatOfpacts(r.ofpacts, ctx.style ?? 'dump-flows'),
    list: r.ofpacts,
    groups: r.groups.map((g) => `id(${g.id}), name(${g.name})`),
    meters: r.meters.map((m) => `id(${m.id}), name(${m.name})`),
  };
}

/**
 * ovn-controller 25.03's environment for one logical flow (controller/lflow.c): `output;` goes to
 * OUTPUT_INIT in ingress and SAVE_INPORT in egress, LOG_PIPELINE_LEN logical tables, arp{}/nd_ns{}
 * need an explicit output, and OVS 3.5 supports ct zero-SNAT, datapath meters and symmetric l4
 * dp_hash, so ct_commit carries nat(src) as in the ground-truth dumps, a metered log() carries
 * meter_id and select() groups carry selection_method_param (all checked against the real
 * ovn-controller in test/actions-oracle.test.ts).
 */
export function controllerContext(opts: {
  pipeline: 'ingress' | 'egress';
  table: number;
  isSwitch: boolean;
  ports: Readonly<Record<string, number>>;
  lflowUuid: string;
  dpKey: number;
  groups?: ExtendTable;
  meters?: ExtendTable;
  tables?: OftableConstants;
  ctZeroSnat?: boolean;
  /** OVS datapath meters (controller(…,meter_id=N) for metered log()); default true. */
  dpMeterSupport?: boolean;
  /** dp_hash l4_sym (select() groups get selection_method_param=0x100000000); default true. */
  dpHashL4Sym?: boolean;
}): ActionContext {
  const tables = opts.tables ?? OFTABLES_25_03;
  return {
    pipeline: opts.pipeline,
    table: opts.table,
    isSwitch: opts.isSwitch,
    ports: opts.ports,
    tables,
    groups: opts.groups ?? new ExtendTable(),
    meters: opts.meters ?? new ExtendTable(),
    lflowUuid: opts.lflowUuid,
    dpKey: opts.dpKey,
    nTables: tables.logPipelineLen,
    style: 'dump-flows',
    encode: {
      ctZeroSnat: opts.ctZeroSnat ?? true,
      dpMeterSupport: opts.dpMeterSupport ?? true,
      dpHashL4Sym: opts.dpHashL4Sym ?? true,
      explicitArpNsOutput: true,
      collectorIds: [],
    },
  };
}

/** The port map of test-ovn's parse-actions (tests/test-ovn.c test_parse_actions). */
export const TEST_OVN_ACTION_PORTS: Readonly<Record<string, number>> = { eth0: 5, eth1: 6, LOCAL: 0xfffe, lsp1: 0x11 };

/** The environment of `ovstest test-ovn parse-actions` (OVN 25.03), with fresh allocators. */
export function testOvnContext(): ActionContext {
  return {
    pipeline: 'ingress',
    table: 10,
    isSwitch: true,
    ports: TEST_OVN_ACTION_PORTS,
    tables: OFTABLES_25_03,
    groups: new ExtendTable(),
    meters: new ExtendTable(),
    lflowUuid: 'aaaaaaaa-bbbb-bbbb-cccc-ccccdddddddd',
    dpKey: 0xabcdef,
    nTables: 24,
    symtab: testSymtab(),
    style: 'test-ovn',
    encode: {
      outputPtable: OFTABLES_25_03.saveInport,
      collectorIds: [0, 200],
      explicitArpNsOutput: true,
      ctZeroSnat: false,
    },
  };
}
