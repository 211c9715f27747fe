/**
 * Primary-UDN isolation on the default network (pkg/ovn/udn_isolation.go): the infrastructure
 * (default-network) ports of primary-UDN pods join `UDNIsolation:SecondaryPods`, which carries
 * tier-0 ACLs that only let the node's management port (kubelet probes, ARP/ND) through.
 *
 * ovnk builds the management-IP list per zone (its own node); with one cluster-wide NB udnc passes
 * every node's default-network management IPs to the same builder, producing `( … ) || ( … )` lists.
 */
import type { ClusterModel } from '../model/types.js';
import type { NbBuilder } from './builder.js';
import { buildAcl, ensurePortGroup } from './common.js';
import { ID_KEYS, OWNER, PG_NAMES, PRIORITY, TIER, UDN_ACL } from './constants.js';
import { type NetCtx, isWiredPod, podLspId } from './context.js';
import { dbObjectIDs } from './dbids.js';
import { isIPv6 } from './ip.js';
import { goStringCompare } from './selectors.js';

export function udnIsolationPortGroupIds(controller: string) {
  return dbObjectIDs(controller, OWNER.udnIsolation, ID_KEYS.pgUDN, { name: PG_NAMES.udnSecondaryPods });
}

/** getARPMatch */
export function arpMatch(mgmtIPs: readonly string[], dir: 'Ingress' | 'Egress'): string {
  const parts = mgmtIPs.map((ip) => (isIPv6(ip) ? `( nd && nd.target == ${ip} )` : `( arp && arp.${dir === 'Ingress' ? 's' : 't'}pa == ${ip} )`));
  return `(${parts.join(' || ')})`;
}

export function hostAllowMatch(mgmtIPs: readonly string[]): string {
  return `(${mgmtIPs.map((ip) => `${isIPv6(ip) ? 'ip6' : 'ip4'}.src==${ip}`).join(' || ')})`;
}

/** Port `{protocol, port}` list → match text (getPortsMatches). */
export function openPortsMatches(lsp: string, ports: ReadonlyArray<{ protocol: string; port?: number }>): { ingress: string; egress: string } {
  const proto = ports.map((p) => (p.protocol === 'icmp' ? 'icmp' : `${p.protocol}.dst == ${p.port}`)).join(' || ');
  return { ingress: `outport == "${lsp}" && (arp || nd || (${proto}))`, egress: `inport == "${lsp}" && (arp || nd)` };
}

export function lowerUdnIsolation(b: NbBuilder, model: ClusterModel, def: NetCtx): void {
  const hasPrimaryUdn = model.networks.some((n) => n.role === 'primary' && n.ovn);
  if (!hasPrimaryUdn) return;
  const ids = udnIsolationPortGroupIds(def.controller);
  const pg = ensurePortGroup(b, def, ids, [...def.provenance]);
  const mgmt = [...model.nodes].sort((a, c) => goStringCompare(a.name, c.name)).flatMap((n) => def.mgmtIPs(n.name));
  const prov = [...def.provenance];
  const acl = (name: string, dir: 'Ingress' | 'Egress', prio: number, match: string, action: 'drop' | 'allow' | 'allow-related') =>
    b.attachAcl(buildAcl({
      ids: dbObjectIDs(def.controller, OWNER.udnIsolation, ID_KEYS.aclUDN, { name, direction: dir }),
      name: '', priority: prio, match, action, pipeline: dir === 'Ingress' ? 'to-lport' : 'from-lport', tier: TIER.udnIsolation,
      attachedTo: pg.id, network: def.net.id, provenance: prov,
    }));
  acl(UDN_ACL.deny, 'Egress', PRIORITY.udnDeny, `inport == @${pg.name}`, 'drop');
  acl(UDN_ACL.deny, 'Ingress', PRIORITY.udnDeny, `outport == @${pg.name}`, 'drop');
  if (mgmt.length) {
    acl(UDN_ACL.allowHostARP, 'Egress', PRIORITY.udnAllow, `inport == @${pg.name} && ${arpMatch(mgmt, 'Egress')}`, 'allow');
    acl(UDN_ACL.allowHostARP, 'Ingress', PRIORITY.udnAllow, `outport == @${pg.name} && ${arpMatch(mgmt, 'Ingress')}`, 'allow');
    acl(UDN_ACL.allowHost, 'Ingress', PRIORITY.udnAllow, `outport == @${pg.name} && ${hostAllowMatch(mgmt)}`, 'allow-related');
  }
  const pods = model.pods.filter(isWiredPod).sort((a, c) => goStringCompare(`${a.namespace}/${a.name}`, `${c.namespace}/${c.name}`));
  for (const pod of pods) {
    const att = pod.attachments.find((a) => a.network === def.net.id && a.role === 'infrastructure');
    if (!att) continue;
    const lspId = podLspId(pod, att, def.net);
    if (!b.switchPorts.get(lspId)) continue;
    b.addPortToGroup(pg.id, lspId);
    const raw = pod.annotations[UDN_ACL.openPortsAnnotation];
    if (!raw) continue;
    let ports: Array<{ protocol: string; port?: number }> = [];
    try {
      const v = JSON.parse(raw) as unknown;
      if (!Array.isArray(v)) throw new Error('not a list');
      ports = v.map((x: { protocol?: unknown; port?: unknown }) => ({
        protocol: String(x.protocol ?? '').toLowerCase(), ...(typeof x.port === 'number' ? { port: x.port } : {}),
      }));
    } catch {
      b.notices.push({ message: `pod ${pod.namespace}/${pod.name}: cannot parse ${UDN_ACL.openPortsAnnotation}; no open ports`, ref: pod.ref });
      continue;
    }
    if (!ports.length) continue;
    const lspName = lspId.slice('Logical_Switch_Port:'.length);
    const m = openPortsMatches(lspName, ports);
    const nn = `${pod.namespace}/${pod.name}`;
    for (const [dir, match, action] of [['Ingress', m.ingress, 'allow-related'], ['Egress', m.egress, 'allow']] as const) {
      b.attachAcl(buildAcl({
        ids: dbObjectIDs(def.controller, OWNER.udnIsolation, ID_KEYS.aclUDN, { name: UDN_ACL.openPortPrefix + nn, direction: dir }),
        name: '', priority: PRIORITY.udnAllow, match, action, pipeline: dir === 'Ingress' ? 'to-lport' : 'from-lport', tier: TIER.udnIsolation,
        attachedTo: pg.id, network: def.net.id, provenance: [pod.ref],
      }));
    }
  }
}
