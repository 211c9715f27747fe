/**
 * Address helpers that print exactly as OVN does: IPv4 dotted quads, IPv6 in inet_ntop(3) form
 * (lowercase, longest run of two or more zero groups compressed, first run on a tie), EUI-64
 * link-local and solicited-node multicast addresses.
 */
import { formatIpv6 } from '../common/ipv6.js';

export interface Ipv4Net {
  family: 4;
  addr: string; // e.g. 10.0.0.254
  plen: number;
  network: string; // 10.0.0.0
  bcast: string; // 10.0.0.255
}

export interface Ipv6Net {
  family: 6;
  addr: string; // compressed
  plen: number;
  network: string; // compressed
  /** solicited-node multicast address ff02::1:ffXX:XXXX */
  snm: string;
  isLla: boolean;
}

export type IpNet = Ipv4Net | Ipv6Net;

export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse an IPv6 address into 8 16-bit groups. */
export function parseIpv6(s: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let tail: number[] = [];
  let str = s;
  // embedded IPv4
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    tail = [n >>> 16, n & 0xffff];
    str = str.slice(0, v4.index + 1) + '0:0';
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const gs = h.split(':');
    const out: number[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const a = toGroups(halves[0]!);
  const b = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!a || !b) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - a.length - b.length;
    if (fill < 1) return undefined;
    groups = [...a, ...new Array<number>(fill).fill(0), ...b];
  } else {
    groups = a;
  }
  if (groups.length !== 8) return undefined;
  if (v4) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}

/** inet_ntop form (src/common/ipv6.ts). */
export { formatIpv6 };

function maskV6(g: readonly number[], plen: number): number[] {
  return g.map((x, i) => {
    const bits = Math.max(0, Math.min(16, plen - i * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    return x & mask;
  });
}

export function ipv4Net(addr: number, plen: number): Ipv4Net {
  const mask = plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
  return {
    family: 4,
    addr: formatIpv4(addr),
    plen,
    network: formatIpv4((addr & mask) >>> 0),
    bcast: formatIpv4((addr | ~mask) >>> 0),
  };
}

export function ipv6Net(g: readonly number[], plen: number): Ipv6Net {
  const snm = [0xff02, 0, 0, 0, 0, 1, 0xff00 | (g[6]! & 0xff), g[7]!];
  return {
    family: 6,
    addr: formatIpv6(g),
    plen,
    network: formatIpv6(maskV6(g, plen)),
    snm: formatIpv6(snm),
    isLla: (g[0]! & 0xffc0) === 0xfe80,
  };
}

/** Parse `a.b.c.d[/p]` or `x::y[/p]`; a missing prefix means a host address. */
export function parseIpNet(s: string): IpNet | undefined {
  const [a, p] = s.split('/');
  if (a === undefined) return undefined;
  const v4 = parseIpv4(a);
  if (v4 !== undefined) {
    const plen = p === undefined ? 32 : Number(p);
    if (!Number.isInteger(plen) || plen < 0 || plen > 32) return undefined;
    return ipv4Net(v4, plen);
  }
  const v6 = parseIpv6(a);
  if (v6 !== undefined) {
    const plen = p === undefined ? 128 : Number(p);
    if (!Number.isInteger(plen) || plen < 0 || plen > 128) return undefined;
    return ipv6Net(v6, plen);
  }
  return undefined;
}

/** Normalized MAC (lowercase, two hex digits per byte) or undefined. */
export function parseMac(s: string): string | undefined {
  const m = /^([0-9a-fA-F]{1,2})(?::([0-9a-fA-F]{1,2})){5}$/.test(s);
  if (!m) return undefined;
  return s
    .split(':')
    .map((b) => b.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** EUI-64 link-local address of a MAC: fe80::(mac[0]^2)mac[1]:mac[2]ff:fe mac[3]:mac[4]mac[5]. */
export function lla(mac: string): Ipv6Net {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const g = [0xfe80, 0, 0, 0, ((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return ipv6Net(g, 64);
}

/** Parse an LB VIP or backend: `1.2.3.4`, `1.2.3.4:80`, `fd00::1`, `[fd00::1]:80`. */
export function parseIpPort(s: string): { family: 4 | 6; ip: string; port?: number } | undefined {
  const t = s.trim();
  const b = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (b) {
    const g = parseIpv6(b[1]!);
    if (!g) return undefined;
    return { family: 6, ip: formatIpv6(g), ...(b[2] !== undefined ? { port: Number(b[2]) } : {}) };
  }
  const v4 = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(t);
  if (v4) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    return { family: 4, ip: formatIpv4(n), ...(v4[2] !== undefined ? { port: Number(v4[2]) } : {}) };
  }
  const g = parseIpv6(t);
  if (g) return { family: 6, ip: formatIpv6(g) };
  return undefined;
}

export function formatIpPort(a: { family: 4 | 6; ip: string; port?: number }): string {
  if (a.port === undefined) return a.ip;
  return a.family === 6 ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

/**
 * Parsed `addresses` entry of a switch port: `MAC [IP ...]` (OVN `extract_lsp_addresses`). IPv4
 * without a prefix is /32, IPv6 /128. Returns undefined for `router`, `unknown`, `dynamic`, or junk.
 */
export interface LportAddresses {
  mac: string;
  ipv4: Ipv4Net[];
  ipv6: Ipv6Net[];
}

export function parseLspAddresses(entry: string): LportAddresses | undefined {
  const toks = entry.trim().split(/\s+/).filter((t) => t.length > 0);
  if (toks.length === 0) return undefined;
  const mac = parseMac(toks[0]!);
  if (!mac) return undefined;
  const out: LportAddresses = { mac, ipv4: [], ipv6: [] };
  for (const t of toks.slice(1)) {
    const n = parseIpNet(t);
    if (!n) return undefined;
    if (n.family === 4) out.ipv4.push(n);
    else out.ipv6.push(n);
  }
  return out;
}
