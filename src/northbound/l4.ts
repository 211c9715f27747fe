/** L4 match builders (pkg/libovsdb/util/acl.go), exact text. */

export interface PolicyPort {
  /** OVN protocol: tcp | udp | sctp */
  protocol: string;
  /** 0 = any port (also what a named port becomes: Port.IntVal of a string is 0) */
  port: number;
  /** 0 = not a range */
  endPort: number;
}

export function ovnProtocol(p: string): string {
  return p.toLowerCase();
}

interface ProtoPorts {
  portList: string[];
  portRange: string[];
}

/** getProtocolPortsMap: insertion-ordered per protocol. */
function protocolPortsMap(ports: readonly PolicyPort[]): Map<string, ProtoPorts> {
  const m = new Map<string, ProtoPorts>();
  for (const pp of ports) {
    let g = m.get(pp.protocol);
    if (!g) { g = { portList: [], portRange: [] }; m.set(pp.protocol, g); }
    if (pp.endPort !== 0 && pp.endPort !== pp.port) g.portRange.push(`${pp.port}<=${pp.protocol}.dst<=${pp.endPort}`);
    else if (pp.port !== 0) g.portList.push(String(pp.port));
  }
  return m;
}

/** getL4Match */
export function l4Match(protocol: string, ports: ProtoPorts): string {
  const all: string[] = [];
  if (ports.portList.length > 0) {
    all.push(ports.portList.length > 1 ? `${protocol}.dst=={${ports.portList.join(',')}}` : `${protocol}.dst==${ports.portList[0]}`);
  }
  all.push(...ports.portRange);
  if (all.length === 0) return protocol;
  return all.length > 1 ? `${protocol} && (${all.join(' || ')})` : `${protocol} && ${all[0]}`;
}

export const UNSPECIFIED_L4 = 'None';

/**
 * GetL4MatchesFromNetworkPolicyPorts: protocol → l4 match; no ports at all → {None: None}.
 * Returned sorted by protocol (ovnk iterates a Go map; the ACL set is order-independent).
 */
export function l4MatchesFromPorts(ports: readonly PolicyPort[]): Array<[string, string]> {
  const m = protocolPortsMap(ports);
  if (m.size === 0) return [[UNSPECIFIED_L4, UNSPECIFIED_L4]];
  return [...m.entries()].map(([p, g]) => [p, l4Match(p, g)] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
