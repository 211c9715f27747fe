/**
 * The one IPv6 formatter (src/common/ipv6.ts), through both of its users: the OpenFlow field
 * formatter (src/expr/actions/mf.ts, 128-bit values) and the lflow address helpers
 * (src/lflow/addr.ts, eight groups). Expected texts: RFC 5952 section 4 examples, glibc
 * inet_ntop's IPv4-mapped/compatible forms, and Node's own formatter (libuv inet_ntop, the same
 * algorithm as glibc's) on random addresses.
 */
import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIp6V } from '../src/expr/actions/mf.js';
import { formatIpv6, parseIpv6 } from '../src/lflow/addr.js';

const groups = (hex: string): number[] => hex.split(':').map((x) => parseInt(x, 16));
const big = (g: readonly number[]): bigint => g.reduce((a, x) => (a << 16n) | BigInt(x), 0n);
const node = (g: readonly number[]): string => new SocketAddress({ address: g.map((x) => x.toString(16)).join(':'), family: 'ipv6' }).address;

// [all eight groups, expected text, why]
const CASES: Array<[string, string, string]> = [
  ['0:0:0:0:0:0:0:0', '::', 'all zero'],
  ['0:0:0:0:0:0:0:1', '::1', 'loopback: one group after six zeros is not IPv4-compatible'],
  ['1:0:0:0:0:0:0:0', '1::', 'trailing run'],
  ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1', 'RFC 5952 4.2.1: longest run'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 'RFC 5952 4.2.2: a single zero group is not compressed'],
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', 'RFC 5952 4.2.3: the longer run'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 'RFC 5952 4.2.3: the first of equal runs'],
  ['2001:db8:0:0:0:0:0:1', '2001:db8::1', 'RFC 5952 4.1/4.3: no leading zeros, lower case'],
  ['fe80:0:0:0:200:ff:fe00:1', 'fe80::200:ff:fe00:1', 'link-local'],
  ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1', 'RFC 5952 5: IPv4-mapped in dotted quad'],
  ['0:0:0:0:0:ffff:0:0', '::ffff:0.0.0.0', 'mapped, zero tail'],
  ['0:0:0:0:0:ffff:0:1', '::ffff:0.0.0.1', 'mapped, tail shorter than a group run'],
  ['0:0:0:0:0:0:c000:201', '::192.0.2.1', 'glibc: IPv4-compatible (six zero groups) in dotted quad'],
  ['0:0:0:0:0:0:0:102', '::102', 'seven zero groups: hex, not ::0.0.1.2'],
  ['0:0:0:0:1:ffff:102:304', '::1:ffff:102:304', 'not mapped: a non-zero fifth group'],
  ['0:0:0:0:0:fffe:c000:201', '::fffe:c000:201', 'not mapped: fffe'],
];

describe('IPv6 text (inet_ntop form), one formatter for OpenFlow values and lflow addresses', () => {
  for (const [g, want, why] of CASES) {
    it(`${want}: ${why}`, () => {
      expect(formatIp6V(big(groups(g)))).toBe(want); // mf.ts entry (bigint)
      expect(formatIpv6(groups(g))).toBe(want); // addr.ts entry (groups)
      expect(node(groups(g))).toBe(want); // the expectation is also Node's (libuv inet_ntop)
      expect(parseIpv6(want)).toEqual(groups(g)); // and reads back
    });
  }

  it('agrees with Node (libuv inet_ntop) on 20,000 random addresses rich in zero runs and v4 tails', () => {
    let seed = 6;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = [0, 0, 0, 1, 0xffff, 0x102, 0xc000];
    for (let i = 0; i < 20_000; i++) {
      const g = Array.from({ length: 8 }, () => (rnd() < 0.7 ? pick[Math.floor(rnd() * pick.length)]! : Math.floor(rnd() * 65536)));
      const want = node(g);
      expect(formatIp6V(big(g)), g.join(',')).toBe(want);
      expect(formatIpv6(g), g.join(',')).toBe(want);
    }
  });
});
