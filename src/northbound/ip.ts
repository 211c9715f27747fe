/** Small IPv4/IPv6 helpers (addresses as BigInt), enough for subnets, gateway/mgmt IPs and MACs. */
import { createHash } from 'node:crypto';

export interface Cidr {
  family: 4 | 6;
  /** network address */
  base: bigint;
  prefix: number;
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

export function parseIP(ip: string): { family: 4 | 6; value: bigint } {
  if (!isIPv6(ip)) {
    const parts = ip.split('.');
    if (parts.length !== 4) throw new Error(`bad IPv4 address '${ip}'`);
    let v = 0n;
    for (const p of parts) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 0 || n > 255 || p === '') throw new Error(`bad IPv4 address '${ip}'`);
      v = (v << 8n) | BigInt(n);
    }
    return { family: 4, value: v };
  }
  let head = ip;
  let tail = '';
  const dbl = ip.indexOf('::');
  if (dbl >= 0) {
    head = ip.slice(0, dbl);
    tail = ip.slice(dbl + 2);
  }
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = dbl >= 0 ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  if (groups.length !== 8) throw new Error(`bad IPv6 address '${ip}'`);
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 address '${ip}'`);
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return { family: 6, value: v };
}

/** Canonical text (IPv6 per RFC 5952, as Go's net.IP.String()). */
export function formatIP(family: 4 | 6, v: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // longest run of >=2 zero groups
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, len] = cidr.split('/');
  if (ip === undefined) throw new Error(`bad CIDR '${cidr}'`);
  const { family, value } = parseIP(ip);
  const bits = family === 4 ? 32 : 128;
  const prefix = len === undefined ? bits : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`bad CIDR '${cidr}'`);
  const hostBits = BigInt(bits - prefix);
  const base = (value >> hostBits) << hostBits;
  return { family, base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIP(c.family, c.base)}/${c.prefix}`;
}

/** The n-th address of a subnet (n=1 → gateway, n=2 → management port). */
export function nthAddress(cidr: string | Cidr, n: number): string {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  return formatIP(c.family, c.base + BigInt(n));
}

export function cidrContains(cidr: string | Cidr, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const a = parseIP(ip);
  if (a.family !== c.family) return false;
  const hostBits = BigInt((c.family === 4 ? 32 : 128) - c.prefix);
  return a.value >> hostBits === c.base >> hostBits;
}

/** Strip a prefix length: '10.244.0.5/24' → '10.244.0.5'. */
export function bareIP(ipWithPrefix: string): string {
  const i = ipWithPrefix.indexOf('/');
  return i < 0 ? ipWithPrefix : ipWithPrefix.slice(0, i);
}

/**
 * util.IPAddrToHWAddr: IPv4 → 0a:58:a:b:c:d; IPv6 → 0a:58: + first 4 bytes of sha256 of the address's
 * canonical text (`sha256.Sum256([]byte(ip.String()))`).
 */
export function ipToMac(ip: string): string {
  const a = parseIP(ip);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  if (a.family === 4) {
    const b = [24n, 16n, 8n, 0n].map((s) => Number((a.value >> s) & 0xffn));
    return ['0a', '58', ...b.map(hex)].join(':');
  }
  const h = createHash('sha256').update(formatIP(6, a.value), 'utf8').digest();
  return ['0a', '58', ...[h[0]!, h[1]!, h[2]!, h[3]!].map(hex)].join(':');
}

/** Compare IP strings numerically within a family (v4 before v6). */
export function compareIP(x: string, y: string): number {
  const a = parseIP(bareIP(x));
  const b = parseIP(bareIP(y));
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
