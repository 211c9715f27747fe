/**
 * IPv6 text as glibc's inet_ntop(AF_INET6) writes it, which is what OVS (ipv6_format_addr) and OVN
 * print: lower-case hex without leading zeros, the longest run of two or more zero groups (the
 * first on a tie) as `::`, and a dotted-quad tail for IPv4-mapped `::ffff:a.b.c.d` and
 * IPv4-compatible `::a.b.c.d` addresses (the latter only when the compatible address is not
 * `::` + one group, so `::1` stays `::1`).
 */

/** From eight 16-bit groups. */
export function formatIpv6(g: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] === 0) {
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    } else i++;
  }
  if (bestLen < 2) bestStart = -1;
  // inet_ntop6: a zero run of exactly six groups at the start (compatible), or five then ffff (mapped)
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    const v4 = `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  const hex = (x: number) => x.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestStart).map(hex).join(':')}::${g.slice(bestStart + bestLen).map(hex).join(':')}`;
}

/** From a 128-bit value (OpenFlow field values). */
export function formatIpv6Bigint(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6(g);
}
