/**
 * The southbound rows northd writes next to the flows: Datapath_Binding and Port_Binding tunnel
 * keys, Multicast_Group, Address_Set (NB sets plus the per-port-group `<pg>_ip4`/`<pg>_ip6` and
 * `svc_monitor_mac` sets northd 25.03 adds) and Port_Group (`<datapath key>_<name>`).
 *
 * Tunnel keys. Real northd gives each new datapath (and each new port within a datapath) the lowest
 * free key, in the order it meets them: creation order when the NB grows one command at a time, an
 * arbitrary hash order when many rows arrive in one transaction. udnc's deterministic rule: honour
 * `requested-tnl-key` (LS other_config, LR options, LSP/LRP options) and {@link LflowOptions}
 * overrides first, then hand out the lowest free key to datapaths sorted by (name, switch before
 * router), and to ports of a datapath sorted by name. Logical flow text never contains a tunnel
 * key; only SB Port_Group names do, so comparisons with a real SB map datapaths by name.
 */
import { createHash } from 'node:crypto';
import type { NbView } from './model.js';
import { MC } from './pipeline-25.03.js';
import type { LflowOptions, SbAddressSet, SbDatapath, SbMulticastGroup, SbPortBinding, SbPortGroup, Southbound } from './types.js';

/** A UUID-shaped stand-in derived from a name (sha1), for SB rows whose real UUIDs are random. */
export function stableUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`${kind}\u0000${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function allocate<T>(items: readonly T[], requested: (t: T) => number | undefined, max: number): Map<T, number> {
  const out = new Map<T, number>();
  const used = new Set<number>();
  for (const it of items) {
    const r = requested(it);
    if (r !== undefined && r >= 1 && r <= max && !used.has(r)) {
      out.set(it, r);
      used.add(r);
    }
  }
  let next = 1;
  for (const it of items) {
    if (out.has(it)) continue;
    while (used.has(next)) next++;
    out.set(it, next);
    used.add(next);
  }
  return out;
}

const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
const MAX_DP_KEY = (1 << 24) - 1;
const MAX_PORT_KEY = 32767;

export function buildSouthbound(view: NbView, opts: LflowOptions = {}): Southbound {
  type Dp = { name: string; kind: 'switch' | 'router'; nbRow: string; requested?: number; ports: Array<{ name: string; requested?: number }> };
  const dps: Dp[] = [
    ...view.switches.map((s): Dp => ({
      name: s.name, kind: 'switch', nbRow: s.row.id, requested: num(s.row.other_config['requested-tnl-key']),
      ports: s.ports.map((p) => ({ name: p.name, requested: num(p.row.options['requested-tnl-key']) })),
    })),
    ...view.routers.map((r): Dp => ({
      name: r.name, kind: 'router', nbRow: r.row.id, requested: num(r.row.options['requested-tnl-key']),
      ports: r.ports.map((p) => ({ name: p.name, requested: num(p.row.options['requested-tnl-key']) })),
    })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind === b.kind ? 0 : a.kind === 'switch' ? -1 : 1));

  const dpKeys = allocate(dps, (d) => opts.datapathKeys?.[d.name] ?? d.requested, MAX_DP_KEY);
  const datapaths: SbDatapath[] = dps.map((d) => ({
    name: d.name, kind: d.kind, nbRow: d.nbRow, tunnelKey: dpKeys.get(d)!, uuid: stableUuid('Datapath_Binding', d.name),
  }));

  const portKey = new Map<string, number>();
  for (const d of dps) {
    const ports = [...d.ports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const keys = allocate(ports, (p) => opts.portKeys?.[p.name] ?? p.requested, MAX_PORT_KEY);
    for (const [p, k] of keys) portKey.set(p.name, k);
  }

  const portBindings: SbPortBinding[] = [];
  for (const s of view.switches) {
    for (const p of s.ports) {
      // a router LSP becomes a patch port, or an l3gateway port when its peer is on a gateway
      // router; other ports carry their NB options over
      const gwChassis = p.type === 'router' && p.peer ? p.peer.lr.row.options['chassis'] : undefined;
      const type = p.type === 'router' ? (gwChassis ? 'l3gateway' : 'patch') : p.type;
      const options: Record<string, string> = p.type === 'router' ? {} : { ...p.row.options };
      if (p.type === 'router' && p.peer) options['peer'] = p.peer.name;
      if (gwChassis) options['l3gateway-chassis'] = gwChassis;
      portBindings.push({
        logicalPort: p.name, datapath: s.name, tunnelKey: portKey.get(p.name)!, type, mac: [...p.row.addresses].sort(),
        portSecurity: [...p.row.port_security].sort(), options, nbRow: p.row.id,
      });
    }
  }
  for (const r of view.routers) {
    const gw = r.row.options['chassis'];
    for (const p of r.ports) {
      const options: Record<string, string> = {};
      const peer = p.peerLsp?.name ?? p.peerLrp?.name;
      if (peer) options['peer'] = peer;
      if (gw) options['l3gateway-chassis'] = gw;
      portBindings.push({
        logicalPort: p.name, datapath: r.name, tunnelKey: portKey.get(p.name)!, type: gw ? 'l3gateway' : 'patch',
        mac: [[p.row.mac, ...[...p.row.networks].sort()].join(' ')], portSecurity: [], options, nbRow: p.row.id,
      });
    }
  }
  portBindings.sort((a, b) => (a.datapath < b.datapath ? -1 : a.datapath > b.datapath ? 1 : a.tunnelKey - b.tunnelKey));

  const multicastGroups: SbMulticastGroup[] = [];
  for (const s of view.switches) {
    // disabled ports are left out of the flood groups
    const enabled = s.ports.filter((p) => p.row.enabled !== false);
    const all = enabled.map((p) => p.name).sort();
    if (all.length === 0) continue;
    multicastGroups.push({ datapath: s.name, name: MC.FLOOD.name, tunnelKey: MC.FLOOD.key, ports: all });
    const l2 = enabled.filter((p) => p.type !== 'router').map((p) => p.name).sort();
    if (l2.length > 0) multicastGroups.push({ datapath: s.name, name: MC.FLOOD_L2.name, tunnelKey: MC.FLOOD_L2.key, ports: l2 });
    const unknown = enabled.filter((p) => p.hasUnknown).map((p) => p.name).sort();
    if (unknown.length > 0) multicastGroups.push({ datapath: s.name, name: MC.UNKNOWN.name, tunnelKey: MC.UNKNOWN.key, ports: unknown });
  }

  const addressSets: SbAddressSet[] = view.addressSets.map((a) => ({ name: a.name, addresses: [...a.addresses].sort() }));
  const svcMac = view.db.nbGlobal.options['svc_monitor_mac'];
  if (svcMac) addressSets.push({ name: 'svc_monitor_mac', addresses: [svcMac] });
  const lspById = new Map([...view.lspByName.values()].map((p) => [p.row.id, p]));
  const portGroups: SbPortGroup[] = [];
  for (const pg of view.portGroups) {
    const members = pg.ports.map((id) => lspById.get(id)).filter((p): p is NonNullable<typeof p> => p !== undefined);
    const v4 = new Set<string>();
    const v6 = new Set<string>();
    for (const p of members) {
      for (const a of p.addrs) {
        for (const ip of a.ipv4) v4.add(ip.addr);
        for (const ip of a.ipv6) v6.add(ip.addr);
      }
    }
    addressSets.push({ name: `${pg.name}_ip4`, addresses: [...v4].sort() });
    addressSets.push({ name: `${pg.name}_ip6`, addresses: [...v6].sort() });
    const bySwitch = new Map<string, string[]>();
    for (const p of members) {
      const list = bySwitch.get(p.ls.name) ?? [];
      list.push(p.name);
      bySwitch.set(p.ls.name, list);
    }
    for (const [ls, ports] of bySwitch) {
      const key = datapaths.find((d) => d.kind === 'switch' && d.name === ls)!.tunnelKey;
      portGroups.push({ name: `${key}_${pg.name}`, ports: ports.sort() });
    }
  }
  addressSets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  portGroups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { datapaths, portBindings, multicastGroups, addressSets, portGroups };
}
