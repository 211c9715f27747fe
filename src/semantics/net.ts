/** Label selectors and IP/CIDR arithmetic, shared by the evaluator. */
import type { LabelSelector } from '../model/k8s.js';
import { matchesSelector } from '../model/selector.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * `undefined` selects nothing where the caller says so; `{}` selects everything. Label-selector
 * semantics are the model's (one implementation for every stage).
 */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  return matchesSelector(sel, labels);
}

export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort()) parts.push(`${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    parts.push(r.values?.length ? `${r.key} ${r.operator} (${r.values.join(',')})` : `${r.operator === 'DoesNotExist' ? '!' : ''}${r.key}`);
  }
  return parts.length ? `{${parts.join(', ')}}` : '{} (all)';
}

export interface ParsedIP {
  v6: boolean;
  n: bigint;
}

/** Parse an IPv4/IPv6 address (an optional /len is ignored). */
export function parseIP(s: string): ParsedIP | undefined {
  const ip = s.split('/')[0]!.trim();
  if (ip.includes(':')) return parseV6(ip);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  let n = 0n;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = (n << 8n) | BigInt(o);
  }
  return { v6: false, n };
}

function parseV6(ip: string): ParsedIP | undefined {
  let s = ip.split('%')[0]!;
  // trailing dotted quad
  const dq = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dq) {
    const v4 = parseIP(dq[1]!);
    if (!v4) return undefined;
    s = s.slice(0, -dq[1]!.length) + ((v4.n >> 16n) & 0xffffn).toString(16) + ':' + (v4.n & 0xffffn).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return { v6: true, n };
}

export interface ParsedCIDR {
  v6: boolean;
  base: bigint;
  len: number;
  text: string;
}

export function parseCIDR(s: string): ParsedCIDR | undefined {
  const [addr, lenS] = s.trim().split('/');
  const ip = parseIP(addr!);
  if (!ip) return undefined;
  const bits = ip.v6 ? 128 : 32;
  const len = lenS === undefined ? bits : Number(lenS);
  if (!Number.isInteger(len) || len < 0 || len > bits) return undefined;
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  return { v6: ip.v6, base: ip.n & mask, len, text: s.trim() };
}

export function cidrContains(c: ParsedCIDR, ip: ParsedIP): boolean {
  if (c.v6 !== ip.v6) return false;
  const bits = c.v6 ? 128 : 32;
  return ip.n >> BigInt(bits - c.len) === c.base >> BigInt(bits - c.len) || c.len === 0;
}

export function stripPrefix(ip: string): string {
  return ip.split('/')[0]!;
}
