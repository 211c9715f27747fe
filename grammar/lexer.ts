/**
 * Lexer for OVN's logical-flow token language, mirroring lib/lex.c of OVN 25.03
 * (lex_token_parse and helpers) token for token, including its error tokens.
 *
 * lex.c is context-sensitive (e.g. `ab:cd:…` is an Ethernet address but `abc`
 * is an identifier; `1.2.3.4:80` is three tokens; `::1` is an integer but `:`
 * is a colon), so every chevrotain token type uses a custom pattern that calls
 * one hand-written scanner (`scanToken`) and accepts only if the scanner
 * produced that type.  The scanner result for an offset is cached, so each
 * position is scanned once.
 *
 * Like lex.c, lexical errors do not abort: they become `LexError` tokens whose
 * payload carries OVN's message.  A parser that meets one must report
 * `payload.error` verbatim (lexer_error_handle_common in lex.c).
 *
 * Public API:
 *   tokenize(text)        -> OvnToken[] (no trailing EOF; whitespace and
 *                            comments skipped)
 *   OvnLexer              -> the chevrotain Lexer instance
 *   allTokens, and one TokenType per lex.c LEX_T_* (see TOKEN TYPES below)
 *   tokenPayload(tok)     -> LexPayload (value/mask as bigint, format, string)
 *   formatLexValue(...)   -> lex_token_format_value / masked formatting
 */
import { createToken, Lexer, type IToken, type TokenType, type CustomPatternMatcherReturn } from 'chevrotain';

/** lex.c `enum lex_format`. Printed names are those of lex_format_to_string(). */
export type LexFormat = 'decimal' | 'hexadecimal' | 'IPv4' | 'IPv6' | 'Ethernet';

/** Extra data attached to a token (chevrotain `token.payload`). */
export interface LexPayload {
  /** LEX_T_INTEGER / LEX_T_MASKED_INTEGER: value (up to 1024 bits, as in union mf_subvalue). */
  value?: bigint;
  /** LEX_T_MASKED_INTEGER only. */
  mask?: bigint;
  format?: LexFormat;
  /** LEX_T_ID, LEX_T_STRING (unescaped), LEX_T_MACRO / PORT_GROUP / TEMPLATE (name without sigil). */
  s?: string;
  /** LexError: OVN's message. */
  error?: string;
}

export type OvnToken = IToken & { payload?: LexPayload };

/** Internal kind names; one per lex.c LEX_T_* (plus Template for `^name` and Skip). */
type Kind =
  | 'Skip' | 'LexError' | 'Id' | 'String' | 'Integer' | 'MaskedInteger' | 'Macro' | 'PortGroup' | 'Template'
  | 'LParen' | 'RParen' | 'LCurly' | 'RCurly' | 'LSquare' | 'RSquare'
  | 'Eq' | 'Ne' | 'Lt' | 'Le' | 'Gt' | 'Ge' | 'LogNot' | 'LogAnd' | 'LogOr'
  | 'Ellipsis' | 'Comma' | 'Semicolon' | 'Equals' | 'Exchange' | 'Decrement' | 'Colon' | 'Hyphen';

export interface Scan { kind: Kind; end: number; payload?: LexPayload }

const MAX_BITS = 1024; // 8 * sizeof(union mf_subvalue)

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c);
const isId1 = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.';
const isIdN = (c: string): boolean => isId1(c) || isDigit(c);
const hexit = (c: string): number => {
  if (isDigit(c)) return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
};

/** inet_pton(AF_INET): exactly four decimal octets, no leading zeros (glibc). */
export function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/** inet_pton(AF_INET6) (glibc semantics: 1-4 hex digits per group, one `::`, optional trailing dotted quad). */
export function parseIPv6(s: string): bigint | null {
  if (s.length === 0) return null;
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const items = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && allowV4Tail && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
      out.push(parseInt(it, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = parseGroups(s, true);
    if (!g || g.length !== 8) return null;
    groups = g;
  } else {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** Width in bits that a format can print; wider values fall back to hex (lex_token_get_format). */
const FORMAT_BITS: Record<LexFormat, number> = { decimal: 64, hexadecimal: MAX_BITS, IPv4: 32, IPv6: 128, Ethernet: 48 };

export function effectiveFormat(format: LexFormat, value: bigint, mask?: bigint): LexFormat {
  const lim = 1n << BigInt(FORMAT_BITS[format]);
  return value < lim && (mask === undefined || mask < lim) ? format : 'hexadecimal';
}

/** Prints an IPv6 address like OVS ipv6_format_addr (= glibc inet_ntop6, including its IPv4 tails). */
export function formatIPv6(v: bigint): string {
  const w: number[] = [];
  for (let i = 7; i >= 0; i--) w.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 7 && w[7] !== 1) || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${w[6]! >> 8}.${w[6]! & 0xff}.${w[7]! >> 8}.${w[7]! & 0xff}`;
      return out;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function formatMac(v: bigint): string {
  const b: string[] = [];
  for (let i = 5; i >= 0; i--) b.push(Number((v >> BigInt(i * 8)) & 0xffn).toString(16).padStart(2, '0'));
  return b.join(':');
}

export function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');
}

/** lex_token_format_value(). Hex is mf_format_subvalue: "0x" + minimal hex digits ("0" for zero). */
export function formatLexValue(value: bigint, format: LexFormat): string {
  switch (format) {
    case 'decimal': return value.toString(10);
    case 'hexadecimal': return value === 0n ? '0' : '0x' + value.toString(16);
    case 'IPv4': return formatIPv4(value);
    case 'IPv6': return formatIPv6(value);
    case 'Ethernet': return formatMac(value);
  }
}

const isCidr = (mask: bigint, bits: number): number => {
  // returns prefix length or -1
  const full = (1n << BigInt(bits)) - 1n;
  const inv = ~mask & full;
  if ((inv & (inv + 1n)) !== 0n) return -1;
  let n = 0;
  for (let m = mask; m !== 0n; m = (m << 1n) & full) n++;
  return n;
};

/** lex_token_format_masked_integer(). */
export function formatLexMasked(value: bigint, mask: bigint, tokFormat: LexFormat): string {
  const format = effectiveFormat(tokFormat, value, mask);
  let s = formatLexValue(value, format) + '/';
  if (format === 'IPv4' && isCidr(mask, 32) >= 0) s += String(isCidr(mask, 32));
  else if (tokFormat === 'IPv6' && mask < 1n << 128n && isCidr(mask, 128) >= 0) s += String(isCidr(mask, 128));
  else s += formatLexValue(mask, format);
  return s;
}

const err = (end: number, error: string): Scan => ({ kind: 'LexError', end, payload: { error } });

/** lex_parse_integer__(): one integer-ish token (no mask). */
function parseIntegerNoMask(text: string, p: number): Scan {
  let end = p;
  let sawDot = false;
  for (;;) {
    const c = text[end];
    if (c === undefined) break;
    if (isAlnum(c) || (c === ':' && !sawDot) || (c === '.' && text[end + 1] !== '.')) {
      if (c === '.') sawDot = true;
      end++;
    } else break;
  }
  const s = text.slice(p, end);
  const len = s.length;
  if (!len) return err(end, 'Integer constant expected.');
  if (len === 17 && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)) {
    return { kind: 'Integer', end, payload: { value: BigInt('0x' + s.replace(/:/g, '')), format: 'Ethernet' } };
  }
  if (/^[0-9]+$/.test(s)) {
    if (s[0] === '0' && len > 1) return err(end, 'Decimal constants must not have leading zeros.');
    const v = BigInt(s);
    if (v >= 1n << 64n) return err(end, 'Decimal constants must be less than 2**64.');
    return { kind: 'Integer', end, payload: { value: v, format: 'decimal' } };
  }
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) {
    if (len <= 2) return err(end, `Hex digits expected following 0${s[1]}.`);
    // lex_parse_hex_integer: scanned from the least significant digit.
    const digits = s.slice(2);
    let v = 0n;
    for (let i = 0; i < digits.length; i++) {
      const h = hexit(digits[digits.length - 1 - i]!);
      if (h < 0) return err(end, 'Invalid syntax in hexadecimal constant.');
      if (h) {
        if (Math.floor(i / 2) >= MAX_BITS / 8) return err(end, `Hexadecimal constant requires more than ${MAX_BITS} bits.`);
        v |= BigInt(h) << BigInt(4 * i);
      }
    }
    return { kind: 'Integer', end, payload: { value: v, format: 'hexadecimal' } };
  }
  if (len < 46 /* INET6_ADDRSTRLEN */) {
    const v4 = parseIPv4(s);
    if (v4 !== null) return { kind: 'Integer', end, payload: { value: v4, format: 'IPv4' } };
    const v6 = parseIPv6(s);
    if (v6 !== null) return { kind: 'Integer', end, payload: { value: v6, format: 'IPv6' } };
  }
  return err(end, 'Invalid numeric constant.');
}

const prefixMask = (bits: number, width: number): bigint =>
  bits === 0 ? 0n : (((1n << BigInt(bits)) - 1n) << BigInt(width - bits));

/** lex_parse_integer() + lex_parse_mask(). */
function parseInteger(text: string, p: number): Scan {
  const tok = parseIntegerNoMask(text, p);
  if (tok.kind !== 'Integer' || text[tok.end] !== '/') return tok;
  const m = parseIntegerNoMask(text, tok.end + 1);
  if (m.kind === 'LexError') return m;
  const t = tok.payload!, mp = m.payload!;
  let format = t.format!;
  let mask: bigint;
  const prefixBits = Number(mp.value! & 0xffffffffn);
  if (format === mp.format) mask = mp.value!;
  else if (format === 'IPv4' && mp.format === 'decimal' && prefixBits <= 32) mask = prefixMask(prefixBits, 32);
  else if (format === 'IPv6' && mp.format === 'decimal' && prefixBits <= 128) mask = prefixMask(prefixBits, 128);
  else if (format === 'decimal' && mp.format === 'hexadecimal' && t.value === 0n) {
    format = 'hexadecimal';
    mask = mp.value!;
  } else return err(m.end, 'Value and mask have incompatible formats.');
  return { kind: 'MaskedInteger', end: m.end, payload: { value: t.value! & mask, mask, format } };
}

/** json_string_unescape() subset used by lex_parse_string. */
function unescapeJsonString(body: string): { ok: true; s: string } | { ok: false; error: string } {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const hex = body.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { ok: false, error: 'malformed \\u escape' };
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        return { ok: false, error: `bad escape \\${e ?? ''}` };
    }
  }
  return { ok: true, s: out };
}

function parseString(text: string, p: number): Scan {
  const start = ++p;
  for (;;) {
    const c = text[p];
    if (c === undefined) return err(p, 'Input ends inside quoted string.');
    if (c === '"') {
      const r = unescapeJsonString(text.slice(start, p));
      return r.ok ? { kind: 'String', end: p + 1, payload: { s: r.s } } : { kind: 'LexError', end: p + 1, payload: { error: r.error } };
    }
    if (c === '\\') {
      p++;
      if (text[p] !== undefined) p++;
    } else p++;
  }
}

function parseId(text: string, p: number, kind: Kind): Scan {
  const start = p;
  do p++;
  while (p < text.length && isIdN(text[p]!));
  return { kind, end: p, payload: { s: text.slice(start, p) } };
}

function parseSigil(text: string, p: number, kind: Kind, sigil: string): Scan {
  p++;
  if (p >= text.length || !isId1(text[p]!)) return err(p, `\`${sigil}' must be followed by a valid identifier.`);
  return parseId(text, p, kind);
}

/**
 * lex_token_parse() for one token starting exactly at `p` (after whitespace).
 * Whitespace and comments are returned as kind 'Skip'.
 */
export function scanToken(text: string, p: number): Scan {
  const c = text[p]!;
  const n = text[p + 1];
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f': {
      let e = p + 1;
      while (e < text.length && ' \t\n\r\v\f'.includes(text[e]!)) e++;
      return { kind: 'Skip', end: e };
    }
    case '/':
      if (n === '/') {
        let e = p + 2;
        while (e < text.length && text[e] !== '\n') e++;
        return { kind: 'Skip', end: e };
      }
      if (n === '*') {
        let e = p + 2;
        for (;;) {
          if (text[e] === '*' && text[e + 1] === '/') return { kind: 'Skip', end: e + 2 };
          if (e >= text.length || text[e] === '\n') return err(e, "`/*' without matching `*/'.");
          e++;
        }
      }
      return err(p + 1, "`/' is only valid as part of `//' or `/*'.");
    case '(': return { kind: 'LParen', end: p + 1 };
    case ')': return { kind: 'RParen', end: p + 1 };
    case '{': return { kind: 'LCurly', end: p + 1 };
    case '}': return { kind: 'RCurly', end: p + 1 };
    case '[': return { kind: 'LSquare', end: p + 1 };
    case ']': return { kind: 'RSquare', end: p + 1 };
    case '=': return n === '=' ? { kind: 'Eq', end: p + 2 } : { kind: 'Equals', end: p + 1 };
    case '!': return n === '=' ? { kind: 'Ne', end: p + 2 } : { kind: 'LogNot', end: p + 1 };
    case '&': return n === '&' ? { kind: 'LogAnd', end: p + 2 } : err(p + 1, "`&' is only valid as part of `&&'.");
    case '|': return n === '|' ? { kind: 'LogOr', end: p + 2 } : err(p + 1, "`|' is only valid as part of `||'.");
    case '<':
      if (n === '=') return { kind: 'Le', end: p + 2 };
      if (n === '-' && text[p + 2] === '>') return { kind: 'Exchange', end: p + 3 };
      return { kind: 'Lt', end: p + 1 };
    case '>': return n === '=' ? { kind: 'Ge', end: p + 2 } : { kind: 'Gt', end: p + 1 };
    case '.': return n === '.' ? { kind: 'Ellipsis', end: p + 2 } : err(p + 1, "`.' is only valid as part of `..' or a number.");
    case ',': return { kind: 'Comma', end: p + 1 };
    case ';': return { kind: 'Semicolon', end: p + 1 };
    case '-': return n === '-' ? { kind: 'Decrement', end: p + 2 } : { kind: 'Hyphen', end: p + 1 };
    case '$': return parseSigil(text, p, 'Macro', '$');
    case '@': return parseSigil(text, p, 'PortGroup', '@');
    case '^': return parseSigil(text, p, 'Template', '^');
    case ':':
      if (n !== ':') return { kind: 'Colon', end: p + 1 };
      return parseInteger(text, p); // IPv6 address beginning with "::"
    case '"': return parseString(text, p);
    default:
      if (isDigit(c)) return parseInteger(text, p);
      if (hexit(c) >= 0) {
        // An Ethernet or IPv6 address starts with hex digits followed by a colon; an identifier never does.
        let e = p;
        while (e < text.length && hexit(text[e]!) >= 0) e++;
        return text[e] === ':' ? parseInteger(text, p) : parseId(text, p, 'Id');
      }
      if (isId1(c)) return parseId(text, p, 'Id');
      {
        const code = c.codePointAt(0)!;
        if (code >= 0x20 && code < 0x7f) return err(p + 1, `Invalid character \`${c}' in input.`);
        // lex.c prints the (signed) char with "0x%d"; for non-ASCII that is the first UTF-8 byte as a negative number.
        const byte = Buffer.from(String.fromCodePoint(code), 'utf8')[0]!;
        const signed = byte >= 0x80 ? byte - 256 : byte;
        return err(p + (code > 0xffff ? 2 : 1), `Invalid byte 0x${signed} in input.`);
      }
  }
}

// Scan cache: chevrotain calls every token type's pattern at an offset until one matches.
let cacheText: string | undefined;
let cacheOffset = -1;
let cacheScan: Scan | undefined;
function scanCached(text: string, offset: number): Scan {
  if (text !== cacheText || offset !== cacheOffset) {
    cacheText = text;
    cacheOffset = offset;
    cacheScan = scanToken(text, offset);
  }
  return cacheScan!;
}

function matcher(kind: Kind) {
  return {
    exec: (text: string, offset: number): CustomPatternMatcherReturn | null => {
      const r = scanCached(text, offset);
      if (r.kind !== kind) return null;
      const m = [text.slice(offset, r.end)] as unknown as CustomPatternMatcherReturn;
      if (r.payload) (m as { payload?: LexPayload }).payload = r.payload;
      return m;
    },
  };
}

const tok = (name: Kind, label: string, lineBreaks = false): TokenType =>
  createToken({ name, pattern: matcher(name), line_breaks: lineBreaks, label, start_chars_hint: undefined });

// TOKEN TYPES (names follow lex.c's LEX_T_* without the prefix, camel-cased).
export const Skip = createToken({ name: 'Skip', pattern: matcher('Skip'), line_breaks: true, group: Lexer.SKIPPED });
export const LexError = tok('LexError', 'error', true);
export const Id = tok('Id', 'identifier');
export const StringTok = tok('String', 'string', true);
export const Integer = tok('Integer', 'integer');
export const MaskedInteger = tok('MaskedInteger', 'masked integer');
export const Macro = tok('Macro', '$macro');
export const PortGroup = tok('PortGroup', '@port_group');
export const Template = tok('Template', '^template');
export const LParen = tok('LParen', '(');
export const RParen = tok('RParen', ')');
export const LCurly = tok('LCurly', '{');
export const RCurly = tok('RCurly', '}');
export const LSquare = tok('LSquare', '[');
export const RSquare = tok('RSquare', ']');
export const Eq = tok('Eq', '==');
export const Ne = tok('Ne', '!=');
export const Lt = tok('Lt', '<');
export const Le = tok('Le', '<=');
export const Gt = tok('Gt', '>');
export const Ge = tok('Ge', '>=');
export const LogNot = tok('LogNot', '!');
export const LogAnd = tok('LogAnd', '&&');
export const LogOr = tok('LogOr', '||');
export const Ellipsis = tok('Ellipsis', '..');
export const Comma = tok('Comma', ',');
export const Semicolon = tok('Semicolon', ';');
export const Equals = tok('Equals', '=');
export const Exchange = tok('Exchange', '<->');
export const Decrement = tok('Decrement', '--');
export const Colon = tok('Colon', ':');
export const Hyphen = tok('Hyphen', '-');

export const allTokens: TokenType[] = [
  Skip, LexError, Id, StringTok, Integer, MaskedInteger, Macro, PortGroup, Template,
  LParen, RParen, LCurly, RCurly, LSquare, RSquare, Eq, Ne, Lt, Le, Gt, Ge, LogNot, LogAnd, LogOr,
  Ellipsis, Comma, Semicolon, Equals, Exchange, Decrement, Colon, Hyphen,
];

/** lex_token_format() text for each punctuation kind (used in "expecting `X'" messages). */
export const TOKEN_TEXT: Record<string, string> = {
  LParen: '(', RParen: ')', LCurly: '{', RCurly: '}', LSquare: '[', RSquare: ']', Eq: '==', Ne: '!=',
  Lt: '<', Le: '<=', Gt: '>', Ge: '>=', LogNot: '!', LogAnd: '&&', LogOr: '||', Ellipsis: '..',
  Comma: ',', Semicolon: ';', Equals: '=', Exchange: '<->', Decrement: '--', Colon: ':', Hyphen: '-',
};

export const OvnLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  skipValidations: true,
});

/** Tokenizes `text` like repeated lex_token_parse() calls (errors are LexError tokens). */
export function tokenize(text: string): OvnToken[] {
  cacheText = undefined;
  const r = OvnLexer.tokenize(text);
  if (r.errors.length) {
    // Cannot happen: the scanner produces a token (possibly LexError) at every offset.
    throw new Error(`internal lexer error: ${r.errors[0]!.message}`);
  }
  return r.tokens as OvnToken[];
}

export function tokenPayload(t: IToken): LexPayload {
  return ((t as OvnToken).payload ?? {}) as LexPayload;
}

/** lex_token_format() of a token, e.g. for diagnostics and round-trip tests. */
export function formatToken(t: IToken): string {
  const p = tokenPayload(t);
  const name = t.tokenType.name;
  switch (name) {
    case 'Id': return p.s!;
    case 'LexError': return `error(${JSON.stringify(p.error)})`;
    case 'String': return JSON.stringify(p.s);
    case 'Integer': return formatLexValue(p.value!, effectiveFormat(p.format!, p.value!));
    case 'MaskedInteger': return formatLexMasked(p.value!, p.mask!, p.format!);
    case 'Macro': return `$${p.s}`;
    case 'PortGroup': return `@${p.s}`;
    case 'Template': return `^${p.s}`;
    default: return TOKEN_TEXT[name] ?? name;
  }
}
