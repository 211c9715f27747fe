/**
 * A resolved view of the northbound rows as ovn-northd sees them before it writes flows: switches
 * with their ports, router peers, applied ACLs (direct and through port groups) and load
 * balancers; routers with their ports, peers and routes. Pure functions of the NorthboundDB.
 */
import type { ObjectRef } from '../common/source.js';
import type {
  ACL, AddressSet, LoadBalancer, LogicalRouter, LogicalRouterPort, LogicalRouterStaticRoute, LogicalSwitch,
  LogicalSwitchPort, NAT, NorthboundDB, PortGroup,
} from '../northbound/types.js';
import { type Ipv4Net, type Ipv6Net, type LportAddresses, lla, parseIpNet, parseLspAddresses, parseMac } from './addr.js';

/** Something that explains a flow: an NB row id plus its Kubernetes objects. */
export interface Cause {
  id: string;
  provenance: readonly ObjectRef[];
}

export interface LspView {
  row: LogicalSwitchPort;
  name: string;
  type: string;
  /** parsed `addresses` entries with a MAC (not router/unknown/dynamic) */
  addrs: LportAddresses[];
  /** `addresses` contains `router`: the port answers with its peer router port's addresses */
  routerAddresses: boolean;
  hasUnknown: boolean;
  /** for type=router: the peer router port, if it exists */
  peer?: LrpView;
  ls: LsView;
}

export interface AclView {
  row: ACL;
  /** the port group or switch the ACL hangs on */
  via: Cause;
}

export interface LsView {
  row: LogicalSwitch;
  name: string;
  ports: LspView[];
  routerPorts: LspView[];
  localnetPorts: LspView[];
  acls: AclView[];
  lbs: LoadBalancer[];
  /** causes of the LB list (LB rows and LB group rows) */
  lbCauses: Cause[];
  hasUnknown: boolean;
}

export interface LrpNetworks {
  mac: string;
  ipv4: Ipv4Net[];
  /** configured IPv6 networks followed by the EUI-64 link-local address */
  ipv6: Ipv6Net[];
}

export interface LrpView {
  row: LogicalRouterPort;
  name: string;
  networks: LrpNetworks;
  /** the switch port whose router-port option names this port */
  peerLsp?: LspView;
  /** a router port named in `peer` (router-to-router link) */
  peerLrp?: LrpView;
  lr: LrView;
}

export interface LrView {
  row: LogicalRouter;
  name: string;
  ports: LrpView[];
  routes: LogicalRouterStaticRoute[];
  nats: NAT[];
  lbs: LoadBalancer[];
}

export interface NbView {
  db: NorthboundDB;
  switches: LsView[];
  routers: LrView[];
  lspByName: Map<string, LspView>;
  lrpByName: Map<string, LrpView>;
  portGroups: PortGroup[];
  addressSets: AddressSet[];
  /** notes about NB content that the view could not interpret */
  problems: string[];
}

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

export function lrpNetworks(lrp: LogicalRouterPort): LrpNetworks | undefined {
  const mac = parseMac(lrp.mac);
  if (!mac) return undefined;
  const ipv4: Ipv4Net[] = [];
  const ipv6: Ipv6Net[] = [];
  for (const n of [...lrp.networks].sort()) {
    const p = parseIpNet(n);
    if (!p) continue;
    if (p.family === 4) ipv4.push(p);
    else ipv6.push(p);
  }
  const ll = lla(mac);
  if (!ipv6.some((a) => a.addr === ll.addr)) ipv6.push(ll);
  return { mac, ipv4, ipv6 };
}

export function buildView(db: NorthboundDB): NbView {
  const problems: string[] = [];
  const lspRows = byId(db.logicalSwitchPorts);
  const lrpRows = byId(db.logicalRouterPorts);
  const lbRows = byId(db.loadBalancers);
  const lbgRows = byId(db.loadBalancerGroups);
  const aclRows = byId(db.acls);
  const routeRows = byId(db.staticRoutes);
  const natRows = byId(db.nats);

  const lspByName = new Map<string, LspView>();
  const lrpByName = new Map<string, LrpView>();
  const lspById = new Map<string, LspView>();

  const resolveLbs = (lbIds: readonly string[], groupIds: readonly string[]): { lbs: LoadBalancer[]; causes: Cause[] } => {
    const lbs: LoadBalancer[] = [];
    const causes: Cause[] = [];
    const seen = new Set<string>();
    const addLb = (id: string) => {
      const lb = lbRows.get(id);
      if (!lb) return;
      if (seen.has(id)) return;
      seen.add(id);
      lbs.push(lb);
      causes.push(lb);
    };
    for (const id of lbIds) addLb(id);
    for (const gid of groupIds) {
      const g = lbgRows.get(gid);
      if (!g) continue;
      causes.push(g);
      for (const id of g.load_balancer) addLb(id);
    }
    return { lbs, causes };
  };

  // switches and their ports
  const switches: LsView[] = [];
  for (const ls of db.logicalSwitches) {
    const { lbs, causes } = resolveLbs(ls.load_balancer, ls.load_balancer_group);
    const view: LsView = {
      row: ls, name: ls.name, ports: [], routerPorts: [], localnetPorts: [], acls: [], lbs, lbCauses: causes, hasUnknown: false,
    };
    for (const pid of ls.ports) {
      const p = lspRows.get(pid);
      if (!p) {
        problems.push(`switch ${ls.name}: port row ${pid} missing`);
        continue;
      }
      const addrs: LportAddresses[] = [];
      let hasUnknown = false;
      let routerAddresses = false;
      for (const a of [...p.addresses].sort()) {
        if (a === 'unknown') hasUnknown = true;
        else if (a === 'router') routerAddresses = true;
        else if (a === 'dynamic' || a.startsWith('dynamic ')) continue;
        else {
          const parsed = parseLspAddresses(a);
          if (parsed) addrs.push(parsed);
        }
      }
      const pv: LspView = { row: p, name: p.name, type: p.type, addrs, routerAddresses, hasUnknown, ls: view };
      view.ports.push(pv);
      if (hasUnknown) view.hasUnknown = true;
      if (p.type === 'localnet') view.localnetPorts.push(pv);
      lspByName.set(p.name, pv);
      lspById.set(p.id, pv);
    }
    switches.push(view);
  }

  // routers and their ports
  const routers: LrView[] = [];
  for (const lr of db.logicalRouters) {
    const { lbs } = resolveLbs(lr.load_balancer, lr.load_balancer_group);
    const view: LrView = {
      row: lr, name: lr.name, ports: [],
      routes: lr.static_routes.map((id) => routeRows.get(id)).filter((r): r is LogicalRouterStaticRoute => r !== undefined),
      nats: lr.nat.map((id) => natRows.get(id)).filter((r): r is NAT => r !== undefined),
      lbs,
    };
    for (const pid of lr.ports) {
      const p = lrpRows.get(pid);
      if (!p) {
        problems.push(`router ${lr.name}: port row ${pid} missing`);
        continue;
      }
      const networks = lrpNetworks(p);
      if (!networks) {
        problems.push(`router port ${p.name}: bad mac ${p.mac}`);
        continue;
      }
      const pv: LrpView = { row: p, name: p.name, networks, lr: view };
      view.ports.push(pv);
      lrpByName.set(p.name, pv);
    }
    routers.push(view);
  }

  // peers
  for (const ls of switches) {
    for (const p of ls.ports) {
      if (p.type !== 'router') continue;
      const rp = p.row.options['router-port'];
      const lrp = rp !== undefined ? lrpByName.get(rp) : undefined;
      if (!lrp) continue;
      p.peer = lrp;
      lrp.peerLsp = p;
      ls.routerPorts.push(p);
    }
  }
  for (const lr of routers) {
    for (const p of lr.ports) {
      if (p.row.peer) {
        const other = lrpByName.get(p.row.peer);
        if (other) p.peerLrp = other;
      }
    }
  }

  // ACLs: direct on the switch, and through port groups on every switch holding a member
  const lsOfPort = (id: string): LsView | undefined => lspById.get(id)?.ls;
  for (const ls of switches) {
    for (const aid of ls.row.acls) {
      const acl = aclRows.get(aid);
      if (acl) ls.acls.push({ row: acl, via: ls.row });
    }
  }
  for (const pg of db.portGroups) {
    const targets = new Set<LsView>();
    for (const pid of pg.ports) {
      const ls = lsOfPort(pid);
      if (ls) targets.add(ls);
    }
    for (const ls of targets) {
      for (const aid of pg.acls) {
        const acl = aclRows.get(aid);
        if (acl) ls.acls.push({ row: acl, via: pg });
      }
    }
  }

  return {
    db, switches, routers, lspByName, lrpByName, portGroups: db.portGroups, addressSets: db.addressSets, problems,
  };
}

/** A gateway router: bound to one chassis by `options:chassis`. */
export function isGatewayRouter(lr: LrView): boolean {
  return (lr.row.options['chassis'] ?? '') !== '';
}
