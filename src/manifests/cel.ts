/**
 * A small evaluator for the subset of CEL used by `x-kubernetes-validations` rules in the CRDs udnc
 * reads (UDN, CUDN, ANP, BANP). The apiserver evaluates these on create; udnc does the same so a
 * manifest the cluster would reject is rejected here, with the CRD's own message.
 *
 * Supported: literals (int, uint `1u`, double, string, bool, null, lists), `self`, field access,
 * indexing, `! - * / % + - < <= > >= == != in && || ?:`, `has()`, `size()`, the string methods
 * `startsWith endsWith contains matches split size`, `int() uint() string()`, the macros
 * `all exists exists_one filter map`, and the Kubernetes IP/CIDR library (`isIP ip isCIDR cidr`,
 * `.family() .ip() .prefixLength() .masked() .containsIP() .containsCIDR()`).
 * `&&`/`||` absorb errors the way CEL does (`true || error` is true).
 *
 * Transition rules (those mentioning `oldSelf`) only run on update, so they are not evaluated here.
 */

// ---------------------------------------------------------------- IP / CIDR values

export class IPValue {
  constructor(readonly family: 4 | 6, readonly bits: bigint) {}
  toString(): string {
    if (this.family === 4) {
      return [24n, 16n, 8n, 0n].map((s) => String((this.bits >> s) & 255n)).join('.');
    }
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((this.bits >> BigInt(i * 16)) & 0xffffn).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
}

export class CIDRValue {
  constructor(readonly ip: IPValue, readonly prefix: number) {}
  get width(): number {
    return this.ip.family === 4 ? 32 : 128;
  }
  mask(): bigint {
    const w = BigInt(this.width);
    const p = BigInt(this.prefix);
    return ((1n << w) - 1n) ^ ((1n << (w - p)) - 1n);
  }
  masked(): CIDRValue {
    return new CIDRValue(new IPValue(this.ip.family, this.ip.bits & this.mask()), this.prefix);
  }
  containsIP(ip: IPValue): boolean {
    return ip.family === this.ip.family && (ip.bits & this.mask()) === (this.ip.bits & this.mask());
  }
  containsCIDR(c: CIDRValue): boolean {
    return c.ip.family === this.ip.family && c.prefix >= this.prefix && this.containsIP(c.ip);
  }
  toString(): string {
    return `${this.ip.toString()}/${this.prefix}`;
  }
}

/** Parses an IP the way Kubernetes' CEL `ip()` does: no zones, no IPv4-mapped IPv6, no leading zeros. */
export function parseIP(s: string): IPValue | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    let bits = 0n;
    for (const part of s.split('.')) {
      if (part.length > 1 && part.startsWith('0')) return undefined;
      const n = Number(part);
      if (n > 255) return undefined;
      bits = (bits << 8n) | BigInt(n);
    }
    return new IPValue(4, bits);
  }
  if (!s.includes(':') || s.includes('%')) return undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  let embedded4 = false;
  if (tail.includes('.')) {
    // a.b.c.d in the last 32 bits: rewrite as two hex groups and parse as plain IPv6.
    const v4 = parseIP(tail);
    if (!v4 || v4.family !== 4) return undefined;
    text = `${s.slice(0, lastColon + 1)}${(v4.bits >> 16n).toString(16)}:${(v4.bits & 0xffffn).toString(16)}`;
    embedded4 = true;
  }
  const dbl = text.split('::');
  if (dbl.length > 2) return undefined;
  const parseGroups = (t: string): number[] | undefined => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(dbl[0]!);
  const right = dbl.length === 2 ? parseGroups(dbl[1]!) : [];
  if (!left || !right) return undefined;
  let groups: number[];
  if (dbl.length === 2) {
    if (left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else groups = left;
  if (groups.length !== 8) return undefined;
  let bits = 0n;
  for (const g of groups) bits = (bits << 16n) | BigInt(g);
  // Kubernetes refuses IPv4-mapped IPv6 (::ffff:a.b.c.d) to avoid ambiguous families.
  if (embedded4 && bits >> 32n === 0xffffn) return undefined;
  return new IPValue(6, bits);
}

export function parseCIDR(s: string): CIDRValue | undefined {
  const i = s.indexOf('/');
  if (i < 0) return undefined;
  const ip = parseIP(s.slice(0, i));
  const p = s.slice(i + 1);
  if (!ip || !/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
  const prefix = Number(p);
  if (prefix > (ip.family === 4 ? 32 : 128)) return undefined;
  return new CIDRValue(ip, prefix);
}

// ---------------------------------------------------------------- lexer

type Tok =
  | { t: 'num'; v: number; uint: boolean; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '!', '<', '>', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']'];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (/[0-9]/.test(c)) {
      const m = /^(\d+(\.\d+)?)(u?)/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[1]), uint: m[3] === 'u', pos: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new Error(`unterminated string at ${i}`);
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected '${c}' at ${i}`);
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}

// ---------------------------------------------------------------- parser

type Ast =
  | { k: 'lit'; v: unknown }
  | { k: 'id'; name: string }
  | { k: 'list'; items: Ast[] }
  | { k: 'sel'; obj: Ast; field: string }
  | { k: 'idx'; obj: Ast; index: Ast }
  | { k: 'call'; fn: string; target?: Ast; args: Ast[] }
  | { k: 'un'; op: string; e: Ast }
  | { k: 'bin'; op: string; l: Ast; r: Ast }
  | { k: 'cond'; c: Ast; a: Ast; b: Ast };

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok { return this.toks[this.i]!; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private isId(v: string): boolean { const t = this.peek(); return t.t === 'id' && t.v === v; }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected '${v}' at ${this.peek().pos}`);
    this.i++;
  }
  parse(): Ast {
    const e = this.expr();
    if (this.peek().t !== 'eof') throw new Error(`unexpected token at ${this.peek().pos}`);
    return e;
  }
  private expr(): Ast {
    const c = this.or();
    if (this.isOp('?')) {
      this.i++;
      const a = this.or();
      this.expect(':');
      const b = this.expr();
      return { k: 'cond', c, a, b };
    }
    return c;
  }
  private or(): Ast {
    let l = this.and();
    while (this.isOp('||')) { this.i++; l = { k: 'bin', op: '||', l, r: this.and() }; }
    return l;
  }
  private and(): Ast {
    let l = this.rel();
    while (this.isOp('&&')) { this.i++; l = { k: 'bin', op: '&&', l, r: this.rel() }; }
    return l;
  }
  private rel(): Ast {
    let l = this.add();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) { this.i++; l = { k: 'bin', op: t.v, l, r: this.add() }; }
      else if (this.isId('in')) { this.i++; l = { k: 'bin', op: 'in', l, r: this.add() }; }
      else return l;
    }
  }
  private add(): Ast {
    let l = this.mul();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '+' || t.v === '-')) { this.i++; l = { k: 'bin', op: t.v, l, r: this.mul() }; }
      else return l;
    }
  }
  private mul(): Ast {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '*' || t.v === '/' || t.v === '%')) { this.i++; l = { k: 'bin', op: t.v, l, r: this.unary() }; }
      else return l;
    }
  }
  private unary(): Ast {
    if (this.isOp('!')) { this.i++; return { k: 'un', op: '!', e: this.unary() }; }
    if (this.isOp('-')) { this.i++; return { k: 'un', op: '-', e: this.unary() }; }
    return this.member();
  }
  private args(): Ast[] {
    this.expect('(');
    const out: Ast[] = [];
    if (!this.isOp(')')) {
      out.push(this.expr());
      while (this.isOp(',')) { this.i++; out.push(this.expr()); }
    }
    this.expect(')');
    return out;
  }
  private member(): Ast {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.peek();
        if (t.t !== 'id') throw new Error(`expected field name at ${t.pos}`);
        this.i++;
        if (this.isOp('(')) e = { k: 'call', fn: t.v, target: e, args: this.args() };
        else e = { k: 'sel', obj: e, field: t.v };
      } else if (this.isOp('[')) {
        this.i++;
        const index = this.expr();
        this.expect(']');
        e = { k: 'idx', obj: e, index };
      } else return e;
    }
  }
  private primary(): Ast {
    const t = this.peek();
    this.i++;
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (t.v === 'true') return { k: 'lit', v: true };
      if (t.v === 'false') return { k: 'lit', v: false };
      if (t.v === 'null') return { k: 'lit', v: null };
      if (this.isOp('(')) return { k: 'call', fn: t.v, args: this.args() };
      return { k: 'id', name: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.t === 'op' && t.v === '[') {
      const items: Ast[] = [];
      if (!this.isOp(']')) {
        items.push(this.expr());
        while (this.isOp(',')) { this.i++; items.push(this.expr()); }
      }
      this.expect(']');
      return { k: 'list', items };
    }
    throw new Error(`unexpected token at ${t.pos}`);
  }
}

// ---------------------------------------------------------------- evaluator

class CelError extends Error {}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof IPValue) && !(v instanceof CIDRValue);
}

function celEquals(a: unknown, b: unknown): boolean {
  if (a instanceof IPValue || a instanceof CIDRValue || b instanceof IPValue || b instanceof CIDRValue) {
    return String(a) === String(b) && (a as object).constructor === (b as object).constructor;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && celEquals(a[k], b[k]));
  }
  return a === b;
}

function toIP(v: unknown): IPValue {
  if (v instanceof IPValue) return v;
  const ip = typeof v === 'string' ? parseIP(v) : undefined;
  if (!ip) throw new CelError(`IP Address ${JSON.stringify(v)} parse error`);
  return ip;
}
function toCIDR(v: unknown): CIDRValue {
  if (v instanceof CIDRValue) return v;
  const c = typeof v === 'string' ? parseCIDR(v) : undefined;
  if (!c) throw new CelError(`network address parse error during conversion from string: ${JSON.stringify(v)}`);
  return c;
}

type Env = Record<string, unknown>;
const MACROS = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);

function evaluate(e: Ast, env: Env): unknown {
  switch (e.k) {
    case 'lit': return e.v;
    case 'id':
      if (!(e.name in env)) throw new CelError(`undeclared reference to '${e.name}'`);
      return env[e.name];
    case 'list': return e.items.map((x) => evaluate(x, env));
    case 'sel': {
      const o = evaluate(e.obj, env);
      if (!isObj(o) || !(e.field in o)) throw new CelError(`no such key: ${e.field}`);
      return o[e.field];
    }
    case 'idx': {
      const o = evaluate(e.obj, env);
      const i = evaluate(e.index, env);
      if (Array.isArray(o) && typeof i === 'number') {
        if (i < 0 || i >= o.length) throw new CelError(`index out of bounds: ${i}`);
        return o[i];
      }
      if (isObj(o) && typeof i === 'string' && i in o) return o[i];
      throw new CelError('no such key');
    }
    case 'un': {
      const v = evaluate(e.e, env);
      if (e.op === '!') { if (typeof v !== 'boolean') throw new CelError('no such overload: !'); return !v; }
      if (typeof v !== 'number') throw new CelError('no such overload: -');
      return -v;
    }
    case 'cond': {
      const c = evaluate(e.c, env);
      if (typeof c !== 'boolean') throw new CelError('no such overload: ?:');
      return c ? evaluate(e.a, env) : evaluate(e.b, env);
    }
    case 'bin': return evalBin(e.op, e.l, e.r, env);
    case 'call': return evalCall(e, env);
  }
}

function evalBin(op: string, le: Ast, re: Ast, env: Env): unknown {
  if (op === '||' || op === '&&') {
    // CEL's commutative logic: a decisive side wins even if the other side errors.
    const short = op === '||';
    let lerr: unknown;
    let l: unknown;
    try { l = evaluate(le, env); } catch (err) { lerr = err; }
    if (l === short) return short;
    const r = evaluate(re, env);
    if (r === short) return short;
    if (lerr) throw lerr;
    if (typeof l !== 'boolean' || typeof r !== 'boolean') throw new CelError(`no such overload: ${op}`);
    return !short;
  }
  const l = evaluate(le, env);
  const r = evaluate(re, env);
  switch (op) {
    case '==': return celEquals(l, r);
    case '!=': return !celEquals(l, r);
    case 'in':
      if (Array.isArray(r)) return r.some((x) => celEquals(x, l));
      if (isObj(r) && typeof l === 'string') return l in r;
      throw new CelError('no such overload: in');
  }
  if (typeof l === 'number' && typeof r === 'number') {
    switch (op) {
      case '<': return l < r;
      case '<=': return l <= r;
      case '>': return l > r;
      case '>=': return l >= r;
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '/': if (r === 0) throw new CelError('division by zero'); return Math.trunc(l / r);
      case '%': if (r === 0) throw new CelError('modulus by zero'); return l % r;
    }
  }
  if (typeof l === 'string' && typeof r === 'string') {
    switch (op) {
      case '<': return l < r;
      case '<=': return l <= r;
      case '>': return l > r;
      case '>=': return l >= r;
      case '+': return l + r;
    }
  }
  if (op === '+' && Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  throw new CelError(`no such overload: ${op}`);
}

function evalCall(e: Extract<Ast, { k: 'call' }>, env: Env): unknown {
  if (e.fn === 'has') {
    const a = e.args[0];
    if (e.args.length !== 1 || !a || a.k !== 'sel') throw new CelError('invalid argument to has() macro');
    const o = evaluate(a.obj, env);
    if (!isObj(o)) throw new CelError('has() on a non-object');
    return a.field in o && o[a.field] !== null && o[a.field] !== undefined;
  }
  if (e.target && MACROS.has(e.fn)) {
    const coll = evaluate(e.target, env);
    const v = e.args[0];
    const body = e.args[1];
    if (!v || v.k !== 'id' || !body) throw new CelError(`invalid ${e.fn} macro`);
    const items = Array.isArray(coll) ? coll : isObj(coll) ? Object.keys(coll) : undefined;
    if (!items) throw new CelError(`${e.fn} on a non-collection`);
    const run = (x: unknown): unknown => evaluate(body, { ...env, [v.name]: x });
    const pred = (x: unknown): boolean => {
      const r = run(x);
      if (typeof r !== 'boolean') throw new CelError(`${e.fn} predicate is not a bool`);
      return r;
    };
    switch (e.fn) {
      case 'all': {
        let err: unknown;
        for (const x of items) { try { if (!pred(x)) return false; } catch (er) { err = er; } }
        if (err) throw err;
        return true;
      }
      case 'exists': {
        let err: unknown;
        for (const x of items) { try { if (pred(x)) return true; } catch (er) { err = er; } }
        if (err) throw err;
        return false;
      }
      case 'exists_one': return items.filter(pred).length === 1;
      case 'filter': return items.filter(pred);
      case 'map': return items.map(run);
    }
  }
  const args = e.args.map((a) => evaluate(a, env));
  const target = e.target ? evaluate(e.target, env) : undefined;
  const all = e.target ? [target, ...args] : args;
  const [a0, a1] = all;
  switch (e.fn) {
    case 'size':
      if (typeof a0 === 'string') return [...a0].length;
      if (Array.isArray(a0)) return a0.length;
      if (isObj(a0)) return Object.keys(a0).length;
      break;
    case 'startsWith': if (typeof a0 === 'string' && typeof a1 === 'string') return a0.startsWith(a1); break;
    case 'endsWith': if (typeof a0 === 'string' && typeof a1 === 'string') return a0.endsWith(a1); break;
    case 'contains': if (typeof a0 === 'string' && typeof a1 === 'string') return a0.includes(a1); break;
    case 'matches': if (typeof a0 === 'string' && typeof a1 === 'string') return new RegExp(a1, 'u').test(a0); break;
    case 'split': if (typeof a0 === 'string' && typeof a1 === 'string') return a0.split(a1); break;
    case 'int':
    case 'uint':
      if (typeof a0 === 'number') return Math.trunc(a0);
      if (typeof a0 === 'string' && /^-?\d+$/.test(a0)) {
        const n = Number(a0);
        if (e.fn === 'uint' && n < 0) throw new CelError('uint out of range');
        return n;
      }
      throw new CelError(`cannot convert ${JSON.stringify(a0)} to ${e.fn}`);
    case 'string': return String(a0);
    case 'isIP': if (typeof a0 === 'string') return parseIP(a0) !== undefined; break;
    case 'isCIDR': if (typeof a0 === 'string') return parseCIDR(a0) !== undefined; break;
    case 'ip': return a0 instanceof CIDRValue ? a0.ip : toIP(a0);
    case 'cidr': return toCIDR(a0);
    case 'family': if (a0 instanceof IPValue) return a0.family; break;
    case 'prefixLength': if (a0 instanceof CIDRValue) return a0.prefix; break;
    case 'masked': if (a0 instanceof CIDRValue) return a0.masked(); break;
    case 'containsIP': if (a0 instanceof CIDRValue) return a0.containsIP(toIP(a1)); break;
    case 'containsCIDR': if (a0 instanceof CIDRValue) return a0.containsCIDR(toCIDR(a1)); break;
  }
  throw new CelError(`no such overload: ${e.fn}`);
}

// ---------------------------------------------------------------- API

export interface CompiledRule {
  rule: string;
  /** true when the rule compares against `oldSelf` (update-only: skipped on create) */
  transition: boolean;
  ast: Ast;
}

const cache = new Map<string, CompiledRule>();

/** Parses a rule once (cached by text). Throws on syntax udnc does not understand. */
export function compileRule(rule: string): CompiledRule {
  let c = cache.get(rule);
  if (!c) {
    const toks = lex(rule);
    c = { rule, transition: toks.some((t) => t.t === 'id' && t.v === 'oldSelf'), ast: new Parser(toks).parse() };
    cache.set(rule, c);
  }
  return c;
}

/**
 * Evaluates a rule against `self`. Returns true (valid), false (rule says invalid) or an error
 * string (evaluation error: the apiserver reports these as invalid too).
 */
export function evalRule(rule: CompiledRule, self: unknown): true | false | string {
  try {
    const v = evaluate(rule.ast, { self });
    if (typeof v !== 'boolean') return 'rule did not evaluate to a bool';
    return v;
  } catch (e) {
    if (e instanceof CelError) return e.message;
    throw e;
  }
}
