/**
 * IPAM as ovn-kubernetes does it:
 *  - host subnets: every node gets the next free /hostSubnet block of each Layer3 network (default
 *    network included), one per IP family, nodes taken in name order (ovn-kubernetes: arrival
 *    order). A Node's `k8s.ovn.org/node-subnets` annotation is honoured first.
 *  - pod IPs: the next free address of the node subnet (Layer3) or of the network's subnet
 *    (Layer2/Localnet). The network address, the IPv4 broadcast address and excludeSubnets are
 *    never handed out; `.1` (gateway) and `.2` (management port) are reserved in Layer3 node
 *    subnets and in Layer2 primary networks (clustermanager newIPAllocatorForNetwork); Layer2
 *    secondary and Localnet networks start at `.1`.
 */
import { bits, type CIDR, cidrContains, cidrSize, formatCIDR, formatIP, type IP, parseCIDR } from './ip.js';

export class Pool {
  readonly cidr: CIDR;
  private readonly first: bigint;
  private readonly last: bigint;
  private next: bigint;
  private readonly used = new Set<bigint>();
  private readonly excludes: CIDR[];
  readonly gateway?: IP;

  constructor(cidr: CIDR, excludes: readonly CIDR[], reserveInfra: boolean) {
    this.cidr = cidr;
    const size = cidrSize(cidr);
    // /31, /32 (and v6 /127, /128): every address is usable
    const tiny = size <= 2n;
    this.first = tiny ? cidr.base : cidr.base + 1n;
    this.last = cidr.base + size - 1n - (!cidr.v6 && !tiny ? 1n : 0n);
    this.next = this.first;
    this.excludes = excludes.filter((e) => e.v6 === cidr.v6);
    if (reserveInfra && size > 4n) {
      this.used.add(cidr.base + 1n);
      this.used.add(cidr.base + 2n);
      this.gateway = { v6: cidr.v6, n: cidr.base + 1n };
    }
  }

  contains(ip: IP): boolean {
    return cidrContains(this.cidr, ip);
  }

  /** why `ip` cannot be taken, or undefined when it can */
  blocked(ip: IP): string | undefined {
    if (!this.contains(ip)) return `outside ${formatCIDR(this.cidr)}`;
    if (ip.n < this.first || ip.n > this.last) return `the network or broadcast address of ${formatCIDR(this.cidr)}`;
    if (this.used.has(ip.n)) return 'already in use';
    return undefined;
  }

  isReservedInfra(ip: IP): boolean {
    return this.gateway !== undefined && (ip.n === this.cidr.base + 1n || ip.n === this.cidr.base + 2n);
  }

  take(ip: IP): void {
    this.used.add(ip.n);
  }

  allocate(): IP | undefined {
    for (let n = this.next; n <= this.last; n++) {
      if (this.used.has(n)) continue;
      const ip: IP = { v6: this.cidr.v6, n };
      if (this.excludes.some((e) => cidrContains(e, ip))) continue;
      this.used.add(n);
      this.next = n + 1n;
      return ip;
    }
    this.next = this.last + 1n;
    return undefined;
  }

  /** address with the pool's prefix length, as ovn-kubernetes annotates pod IPs */
  withPrefix(ip: IP): string {
    return `${formatIP(ip)}/${this.cidr.prefix}`;
  }
}

/**
 * Splits each cluster subnet into /hostSubnet blocks and hands them to nodes.
 * `preset` holds annotated allocations (node → CIDR list); conflicts are returned as messages.
 */
export function allocateHostSubnets(
  subnets: ReadonlyArray<{ cidr: string; hostSubnet?: number }>,
  nodes: readonly string[],
  preset: ReadonlyMap<string, readonly string[]>,
): { byNode: Map<string, string[]>; problems: string[] } {
  const byNode = new Map<string, string[]>();
  const problems: string[] = [];
  const ranges = subnets
    .map((s) => ({ c: parseCIDR(s.cidr), host: s.hostSubnet }))
    .filter((r): r is { c: CIDR; host: number } => r.c !== undefined && r.host !== undefined && r.host >= r.c.prefix);
  const taken = new Set<string>();
  for (const node of nodes) {
    for (const s of preset.get(node) ?? []) {
      const c = parseCIDR(s);
      if (!c) { problems.push(`node ${node}: invalid host subnet ${s} in annotation k8s.ovn.org/node-subnets`); continue; }
      const key = formatCIDR(c);
      if (taken.has(key)) { problems.push(`node ${node}: host subnet ${key} is already allocated to another node`); continue; }
      taken.add(key);
      byNode.set(node, [...(byNode.get(node) ?? []), key]);
    }
  }
  const families = [false, true];
  const cursor = new Map<string, bigint>(); // per range: next block index to look at
  for (const node of nodes) {
    const have = byNode.get(node) ?? [];
    for (const v6 of families) {
      const famRanges = ranges.filter((r) => r.c.v6 === v6);
      if (famRanges.length === 0) continue;
      if (have.some((h) => parseCIDR(h)?.v6 === v6)) continue;
      let got: string | undefined;
      for (const r of famRanges) {
        const rk = formatCIDR(r.c);
        const blocks = 1n << BigInt(r.host - r.c.prefix);
        const step = 1n << BigInt(bits(v6) - r.host);
        for (let i = cursor.get(rk) ?? 0n; i < blocks; i++) {
          const key = formatCIDR({ v6, base: r.c.base + i * step, prefix: r.host });
          if (taken.has(key)) continue;
          taken.add(key);
          cursor.set(rk, i + 1n);
          got = key;
          break;
        }
        if (got) break;
        cursor.set(rk, blocks);
      }
      if (got) have.push(got);
      else problems.push(`node ${node}: no free /${famRanges[0]!.host} host subnet left in ${famRanges.map((r) => formatCIDR(r.c)).join(', ')}`);
    }
    byNode.set(node, have);
  }
  return { byNode, problems };
}
