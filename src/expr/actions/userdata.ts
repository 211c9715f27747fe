/**
 * Byte-level builders for controller(userdata=…) payloads: DHCPv4/DHCPv6 options and the
 * ND Router Advertisement template (lib/actions.c encode_put_dhcpv4_option,
 * encode_put_dhcpv6_option, encode_put_nd_ra_option, encode_ra_dnssl_opt).
 */
import type { ExprConstant, GenOption } from '../../../grammar/actions-ast.js';
import {
  ND_RA_FLAG_ADDR_MODE, ND_RA_FLAG_PRF, ND_OPT_SOURCE_LINKADDR, ND_OPT_PREFIX_INFORMATION, ND_OPT_MTU,
  ND_OPT_RDNSS, ND_OPT_DNSSL, ND_OPT_ROUTE_INFO_TYPE,
} from './l7.js';

export class Bytes {
  readonly b: number[] = [];
  u8(v: number): this {
    this.b.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(Math.floor(v / 0x10000) & 0xffff).u16(v & 0xffff);
  }
  big(v: bigint, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.u8(Number((v >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  raw(x: ArrayLike<number>): this {
    for (let i = 0; i < x.length; i++) this.u8(x[i]!);
    return this;
  }
  str(s: string): this {
    return this.raw(Buffer.from(s, 'utf8'));
  }
  get length(): number {
    return this.b.length;
  }
}

const intVal = (c: ExprConstant | undefined): bigint => (c && c.kind === 'int' ? c.value : 0n);
const strVal = (c: ExprConstant | undefined): string => (c && c.kind === 'str' ? c.s : '');
const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

/** ip_count_cidr_bits() for a 32-bit mask. */
function cidrBits32(mask: bigint): number {
  let n = 0;
  for (let i = 31; i >= 0 && (mask >> BigInt(i)) & 1n; i--) n++;
  return n;
}

/** ovs_strlcpy(dst, src, strlen(src)): copies all but the last character (actions.c relies on it). */
const strlcpyMinusOne = (s: string): string => (s.length ? s.slice(0, s.length - 1) : s);

/** glibc strtok_r() over one delimiter set: returns tokens, skipping empty ones. */
const strtok = (s: string, delims: string): string[] => s.split(new RegExp(`[${delims.replace(/[.\\-]/g, '\\$&')}]`)).filter((x) => x !== '');

/**
 * The "domains" DHCPv4 option (RFC 1035 4.1.4 compression), reproducing actions.c's loop exactly,
 * including its suffix keys built with ovs_strlcpy(suffix, x, strlen(x)).
 */
function encodeDomains(list: string): number[] {
  const out: number[] = [];
  const map = new Map<string, number>();
  for (const domain of strtok(list, ',')) {
    if (byteLen(domain) > 255) return []; // "goto out": nothing written, length stays 0
    let suffix = strlcpyMinusOne(domain);
    // strtok_r(domain, ".", &domain): walk labels; `rest` is what *save_ptr points at.
    let rest = domain;
    let label: string | null = null;
    for (;;) {
      const m = /^\.*([^.]+)(\.?)(.*)$/s.exec(rest);
      if (!m) {
        label = null;
        break;
      }
      label = m[1]!;
      rest = m[2] ? m[3]! : '';
      const off = map.get(suffix);
      if (off !== undefined) {
        const v = 0xc000 | off;
        out.push((v >> 8) & 0xff, v & 0xff);
        break;
      }
      map.set(suffix, out.length);
      const lb = Buffer.from(label, 'utf8');
      out.push(lb.length & 0xff, ...lb);
      if (rest.length) suffix = strlcpyMinusOne(rest);
    }
    if (label === null) out.push(0);
  }
  return out;
}

/** encode_put_dhcpv4_option(). */
export function encodeDhcpv4Option(o: GenOption, out: Bytes): void {
  const vals = o.value.values;
  const c = vals[0];
  out.u8(o.option.code);
  switch (o.option.type) {
    case 'bool':
    case 'uint8':
      out.u8(1).big(intVal(c), 1);
      break;
    case 'uint16':
      out.u8(2).big(intVal(c), 2);
      break;
    case 'uint32':
      out.u8(4).big(intVal(c), 4);
      break;
    case 'ipv4':
      out.u8(vals.length * 4);
      for (const v of vals) out.big(intVal(v), 4);
      break;
    case 'static_routes': {
      const n = vals.length - (vals.length % 2);
      const body = new Bytes();
      for (let i = 0; i < n; i += 2) {
        const r = vals[i]!;
        const plen = r.kind === 'int' && r.mask !== null ? cidrBits32(r.mask) : 32;
        body.u8(plen);
        const net = intVal(r);
        for (let k = 0; k < Math.ceil(plen / 8); k++) body.u8(Number((net >> BigInt(24 - 8 * k)) & 0xffn));
        body.big(intVal(vals[i + 1]), 4);
      }
      out.u8(body.length).raw(body.b);
      break;
    }
    case 'str': {
      const s = strVal(c);
      out.u8(byteLen(s)).str(s);
      break;
    }
    case 'host_id':
      if (o.value.type === 'str') {
        const s = strVal(c);
        out.u8(byteLen(s)).str(s);
      } else {
        out.u8(4).big(intVal(c), 4);
      }
      break;
    case 'domains': {
      const enc = encodeDomains(strVal(c));
      out.u8(enc.length).raw(enc);
      break;
    }
    default:
      out.u8(0);
  }
}

/** encode_fqdn_string(): dotted name as DNS labels with a terminating zero. */
function encodeFqdn(s: string): number[] {
  const out: number[] = [];
  for (const label of s.split('.').filter((x) => x !== '')) {
    const b = Buffer.from(label, 'utf8');
    out.push(b.length, ...b);
  }
  out.push(0);
  return out;
}

/** encode_put_dhcpv6_option(). */
export function encodeDhcpv6Option(o: GenOption, out: Bytes): void {
  const vals = o.value.values;
  const c = vals[0];
  out.u16(o.option.code);
  switch (o.option.type) {
    case 'ipv6':
      out.u16(vals.length * 16);
      for (const v of vals) out.big(intVal(v), 16);
      break;
    case 'mac':
      out.u16(6).big(intVal(c), 6);
      break;
    case 'str': {
      const s = strVal(c);
      out.u16(byteLen(s)).str(s);
      break;
    }
    case 'domain': {
      const enc = encodeFqdn(strVal(c));
      out.u16(enc.length).raw(enc);
      break;
    }
    default:
      out.u16(0);
  }
}

/** encode_ra_dnssl_opt(): returns the padded option size and fills `buf`, or -1. */
function encodeRaDnssl(data: string, buf: number[]): number {
  let size = 8;
  for (const t0 of strtok(data, ',')) {
    size += byteLen(t0) + 2;
    if (size > 255) return -1;
    for (const t1 of strtok(t0, '.')) {
      const b = Buffer.from(t1, 'utf8').subarray(0, 255);
      buf.push(b.length, ...b);
    }
    buf.push(0);
  }
  return Math.ceil(size / 8) * 8;
}

/** extract_ip_addresses() for one IPv6 "addr/plen": network and prefix length. */
function parseIp6Cidr(s: string, parseIp6: (x: string) => bigint | null): { net: bigint; plen: number } | null {
  const [a, p] = s.split('/');
  const ip = parseIp6(a ?? '');
  if (ip === null) return null;
  const plen = p === undefined ? 128 : Number(p);
  if (!Number.isInteger(plen) || plen < 0 || plen > 128) return null;
  const mask = plen === 0 ? 0n : ((1n << BigInt(plen)) - 1n) << BigInt(128 - plen);
  return { net: ip & mask, plen };
}

/** encode_PUT_ND_RA_OPTS() body after the dst header: the RA template with its options. */
export function encodeNdRa(options: GenOption[], out: Bytes, parseIp6: (x: string) => bigint | null): void {
  const ra = new Bytes();
  // struct ovs_ra_msg: icmp6 type/code/csum, cur_hop_limit, mo_flags, router_lifetime, times.
  ra.u8(134).u8(0).u16(0).u8(255).u8(0).u16(0xffff).u32(0).u32(0);
  const MO = 5;
  for (const o of options) {
    const c = o.value.values[0];
    switch (o.option.code) {
      case ND_RA_FLAG_ADDR_MODE: {
        const s = strVal(c);
        if (s === 'dhcpv6_stateful') ra.b[MO]! |= 0x80;
        else if (s === 'dhcpv6_stateless') ra.b[MO]! |= 0x40;
        break;
      }
      case ND_RA_FLAG_PRF: {
        const s = strVal(c);
        ra.b[MO]! |= s === 'LOW' ? 0x18 : s === 'HIGH' ? 0x08 : 0;
        break;
      }
      case ND_OPT_SOURCE_LINKADDR:
        ra.u8(ND_OPT_SOURCE_LINKADDR).u8(1).big(intVal(c), 6);
        break;
      case ND_OPT_MTU:
        ra.u8(ND_OPT_MTU).u8(1).u16(0).big(intVal(c), 4);
        break;
      case ND_OPT_PREFIX_INFORMATION: {
        const mask = c && c.kind === 'int' && c.mask !== null ? c.mask : 0n;
        let plen = 0;
        for (let i = 127; i >= 0 && (mask >> BigInt(i)) & 1n; i--) plen++;
        let la = 0x80;
        if (!(ra.b[MO]! & 0x80)) la |= 0x40;
        ra.u8(ND_OPT_PREFIX_INFORMATION).u8(4).u8(plen).u8(la).u32(0xffffffff).u32(0xffffffff).u32(0).big(intVal(c), 16);
        break;
      }
      case ND_OPT_RDNSS:
        ra.u8(ND_OPT_RDNSS).u8(3).u16(0).u32(0xffffffff).big(intVal(c), 16);
        break;
      case ND_OPT_DNSSL: {
        const buf: number[] = [];
        const size = encodeRaDnssl(strVal(c), buf);
        if (size < 0) break;
        ra.u8(ND_OPT_DNSSL).u8(size / 8).u16(0).u32(0xffffffff);
        const body = buf.slice(0, size - 8);
        while (body.length < size - 8) body.push(0);
        ra.raw(body);
        break;
      }
      case ND_OPT_ROUTE_INFO_TYPE:
        encodeRouteInfo(strVal(c), ra, parseIp6);
        break;
    }
  }
  out.raw(ra.b);
}

/** encode_ra_route_info_opt(): "PRF-prefix,PRF-prefix,…"; a bad prefix ends the option ("goto out"). */
function encodeRouteInfo(data: string, ra: Bytes, parseIp6: (x: string) => bigint | null): void {
  for (const t0 of strtok(data, ',')) {
    let flags = 0;
    let index = 0;
    for (const t1 of strtok(t0, '-')) {
      if (index === 0) {
        flags = t1 === 'HIGH' ? 0x08 : t1 === 'LOW' ? 0x18 : 0;
      } else if (index === 1) {
        const r = parseIp6Cidr(t1, parseIp6);
        if (!r) return;
        const plen8 = Math.ceil(r.plen / 64);
        ra.u8(ND_OPT_ROUTE_INFO_TYPE).u8(1 + plen8).u8(r.plen).u8(flags).u32(0xffffffff);
        ra.big(r.net >> BigInt(128 - plen8 * 64), plen8 * 8);
        index = 0;
      }
      index++;
    }
  }
}
