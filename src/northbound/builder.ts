/** Mutable accumulator for NB rows; `finish()` yields the sorted, immutable-by-convention NorthboundDB. */
import type { ObjectRef } from '../common/source.js';
import type {
  ACL, AddressSet, GatewayChassis, LoadBalancer, LoadBalancerGroup, LogicalRouter, LogicalRouterPort,
  LogicalRouterStaticRoute, LogicalSwitch, LogicalSwitchPort, Meter, MeterBand, NAT, NBGlobal, NetworkSummary,
  NorthboundDB, PortGroup, RowMeta,
} from './types.js';
import { goStringCompare } from './selectors.js';

export function refKey(r: ObjectRef): string {
  return `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`;
}

export function mergeProvenance(a: readonly ObjectRef[], b: readonly ObjectRef[]): ObjectRef[] {
  const m = new Map<string, ObjectRef>();
  for (const r of [...a, ...b]) if (!m.has(refKey(r))) m.set(refKey(r), r);
  return [...m.values()].sort((x, y) => goStringCompare(refKey(x), refKey(y)));
}

class Table<T extends RowMeta> {
  readonly rows = new Map<string, T>();
  add(row: T): T {
    const old = this.rows.get(row.id);
    if (old) {
      old.provenance.push(...row.provenance); // deduplicated and sorted in sorted()
      return old;
    }
    row.provenance = [...row.provenance];
    this.rows.set(row.id, row);
    return row;
  }
  get(id: string): T | undefined {
    return this.rows.get(id);
  }
  sorted(): T[] {
    const rows = [...this.rows.values()].sort((a, b) => goStringCompare(a.id, b.id));
    for (const r of rows) r.provenance = mergeProvenance([], r.provenance);
    return rows;
  }
}

export class NbBuilder {
  nbGlobal: NBGlobal;
  readonly meters = new Table<Meter>();
  readonly meterBands = new Table<MeterBand>();
  readonly switches = new Table<LogicalSwitch>();
  readonly switchPorts = new Table<LogicalSwitchPort>();
  readonly routers = new Table<LogicalRouter>();
  readonly routerPorts = new Table<LogicalRouterPort>();
  readonly gatewayChassis = new Table<GatewayChassis>();
  readonly staticRoutes = new Table<LogicalRouterStaticRoute>();
  readonly nats = new Table<NAT>();
  readonly portGroups = new Table<PortGroup>();
  readonly addressSets = new Table<AddressSet>();
  readonly acls = new Table<ACL>();
  readonly loadBalancers = new Table<LoadBalancer>();
  readonly lbGroups = new Table<LoadBalancerGroup>();
  readonly networks: NetworkSummary[] = [];
  readonly notices: Array<{ message: string; ref?: ObjectRef }> = [];

  constructor(nbGlobal: NBGlobal) {
    this.nbGlobal = nbGlobal;
  }

  /** Add an ACL and attach it to a port group or switch (by row id). */
  attachAcl(acl: ACL): ACL {
    const row = this.acls.add(acl);
    const owner = this.portGroups.get(acl.attachedTo) ?? this.switches.get(acl.attachedTo);
    if (!owner) throw new Error(`internal: ACL ${acl.id} attached to unknown ${acl.attachedTo}`);
    if (!owner.acls.includes(row.id)) owner.acls.push(row.id);
    return row;
  }

  addPortToGroup(pgId: string, lspId: string, provenance: ObjectRef[] = []): void {
    const pg = this.portGroups.get(pgId);
    if (!pg) throw new Error(`internal: unknown port group ${pgId}`);
    pg.ports.push(lspId); // deduplicated in finish()
    if (provenance.length) pg.provenance.push(...provenance);
  }

  finish(): NorthboundDB {
    const sortIds = <T extends RowMeta>(rows: T[], fields: Array<keyof T>): T[] => {
      for (const r of rows) {
        for (const f of fields) (r as Record<keyof T, unknown>)[f] = [...new Set(r[f] as unknown as string[])].sort(goStringCompare);
      }
      return rows;
    };
    return {
      target: { ovnKubernetes: 'v1.3.0', nbSchema: '7.11.0' },
      nbGlobal: this.nbGlobal,
      meters: this.meters.sorted(),
      meterBands: this.meterBands.sorted(),
      logicalSwitches: sortIds(this.switches.sorted(), ['ports', 'acls', 'load_balancer', 'load_balancer_group']),
      logicalSwitchPorts: this.switchPorts.sorted(),
      logicalRouters: sortIds(this.routers.sorted(), ['ports', 'static_routes', 'nat', 'load_balancer', 'load_balancer_group']),
      logicalRouterPorts: this.routerPorts.sorted(),
      gatewayChassis: this.gatewayChassis.sorted(),
      staticRoutes: this.staticRoutes.sorted(),
      nats: this.nats.sorted(),
      portGroups: sortIds(this.portGroups.sorted(), ['ports', 'acls']),
      addressSets: this.addressSets.sorted().map((a) => ({ ...a, addresses: [...new Set(a.addresses)].sort(goStringCompare) })),
      acls: this.acls.sorted(),
      loadBalancers: this.loadBalancers.sorted(),
      loadBalancerGroups: sortIds(this.lbGroups.sorted(), ['load_balancer']),
      networks: [...this.networks].sort((a, b) => goStringCompare(a.network, b.network)),
      notices: [...this.notices].sort((a, b) => goStringCompare(a.message, b.message)),
    };
  }
}
