/**
 * Minimal IPv4/IPv6 arithmetic for IPAM: addresses as bigints, CIDRs as (base, prefix).
 * Self-contained so that the model stage has no runtime dependency for its hottest loop.
 */
import { createHash } from 'node:crypto';

export interface IP {
  v6: boolean;
  n: bigint;
}

export interface CIDR {
  v6: boolean;
  /** network address (host bits cleared) */
  base: bigint;
  prefix: number;
}

const V4_BITS = 32;
const V6_BITS = 128;

export function bits(v6: boolean): number {
  return v6 ? V6_BITS : V4_BITS;
}

export function parseIP(s: string): IP | undefined {
  if (s.includes(':')) {
    const n = parseV6(s);
    return n === undefined ? undefined : { v6: true, n };
  }
  const n = parseV4(s);
  return n === undefined ? undefined : { v6: false, n };
}

const V4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(s: string): bigint | undefined {
  const m = V4_RE.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const v = Number(m[i]);
    if (v > 255) return undefined;
    n = n * 256 + v; // stays exact: < 2^32
  }
  return BigInt(n);
}

function parseV6(s: string): bigint | undefined {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  let groups: string[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...Array<string>(fill).fill('0'), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function formatIP(ip: IP): string {
  return ip.v6 ? formatV6(ip.n) : formatV4(ip.n);
}

function formatV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

/** RFC 5952: lowercase, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
function formatV6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses `a.b.c.d/len` (host bits are cleared, as net.ParseCIDR does). */
export function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const prefix = Number(lenText);
  if (prefix > bits(ip.v6)) return undefined;
  return { v6: ip.v6, base: ip.n & mask(ip.v6, prefix), prefix };
}

export function mask(v6: boolean, prefix: number): bigint {
  const b = BigInt(bits(v6));
  const all = (1n << b) - 1n;
  return all ^ ((1n << (b - BigInt(prefix))) - 1n);
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP({ v6: c.v6, n: c.base })}/${c.prefix}`;
}

export function cidrSize(c: CIDR): bigint {
  return 1n << BigInt(bits(c.v6) - c.prefix);
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  return c.v6 === ip.v6 && (ip.n & mask(c.v6, c.prefix)) === c.base;
}

export function cidrOverlaps(a: CIDR, b: CIDR): boolean {
  if (a.v6 !== b.v6) return false;
  const p = Math.min(a.prefix, b.prefix);
  const m = mask(a.v6, p);
  return (a.base & m) === (b.base & m);
}

/** The `i`-th address of a CIDR (`.1` is i = 1). */
export function nthIP(c: CIDR, i: bigint): IP {
  return { v6: c.v6, n: c.base + i };
}

/** Canonical text of an address ("10.0.0.01" is not accepted, "2001:DB8::1" → "2001:db8::1"). */
export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip ? formatIP(ip) : undefined;
}

/**
 * ovn-kubernetes `util.IPAddrToHWAddr`: IPv4 → `0a:58:` + the four octets; IPv6 → `0a:58:` + the
 * first four bytes of sha256 over the 16-byte address.
 */
export function ipToMAC(ip: IP): string {
  let tail: number[];
  if (!ip.v6) {
    tail = [24n, 16n, 8n, 0n].map((s) => Number((ip.n >> s) & 0xffn));
  } else {
    const raw = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) raw[i] = Number((ip.n >> BigInt((15 - i) * 8)) & 0xffn);
    tail = [...createHash('sha256').update(raw).digest().subarray(0, 4)];
  }
  return ['0a', '58', ...tail.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Sort key that orders IPv4 before IPv6 and numerically within a family. */
export function compareIP(a: IP, b: IP): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}
