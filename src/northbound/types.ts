/**
 * OVN Northbound rows as ovn-kubernetes v1.3.0 writes them (NB schema 7.11.0, OVN 25.03).
 *
 * Conventions (stable; the lflow stage builds on them):
 *
 * - **Column names are the OVSDB column names** (snake_case, exactly as in ovn-nb.ovsschema), so a
 *   row serializes to an `ovsdb-client transact` insert without renaming. udnc-only metadata uses
 *   camelCase (`id`, `provenance`, `network`).
 * - **Scalar columns with min 0 / max 1** are optional fields (absent = empty set). Set columns are
 *   arrays (sorted where OVSDB sets are unordered), map columns are `Record<string, string>`.
 * - **Every row has a stable udnc-local `id`**, unique across the whole DB and derived only from
 *   names (never random): `<Table>:<key>`, see {@link rowId}. The key is the row's `name` for
 *   tables whose names are unique in ovn-k's NB (switches, routers, their ports, port groups,
 *   address sets, load balancers, LB groups, meters), the `k8s.ovn.org/id` DbObjectIDs string for
 *   ACLs, and a composite of the distinguishing columns for routes and NATs.
 * - **Reference columns hold row ids** (not OVSDB UUIDs): e.g. `LogicalSwitch.ports` lists
 *   `Logical_Switch_Port:<lsp name>` ids. `formatTransact` turns them into named-uuid references.
 *   Weak references (Port_Group.ports, Load_Balancer_Group.load_balancer, LS/LR.load_balancer) use
 *   the same form.
 * - **`provenance`** lists the Kubernetes objects that caused the row (sorted, deduplicated): the pod
 *   for its LSP, the policy for its ACLs and port group, every policy sharing a PodSelector address
 *   set, the node for per-node topology, the network's UDN/CUDN/NAD for its topology, the Service
 *   for its load balancers. Cluster infrastructure shared by everything (NB_Global, meter,
 *   `clusterPortGroup` of the default network) cites the network owner (synthetic for default).
 * - **`network`** is the `Network.id` (src/model/types.ts) the row belongs to, for grouping; rows
 *   that are cluster-global (NB_Global, Meter) carry no network.
 * - **One NB for the whole cluster**, not ovn-k's per-zone interconnect databases: all nodes'
 *   switches hang off one cluster router per network (as in ovn-k's non-IC, centralized mode), so
 *   no transit switch/remote ports are emitted. Port groups and ANP subjects therefore contain the
 *   ports of every node (a union of what each zone holds locally). Chassis names equal node names
 *   (`requested-chassis=<node>`, GR `options:chassis=<node>`), so a single-chassis oracle whose
 *   `system-id` is the node name binds that node's ports and gateway router.
 * - **All arrays in {@link NorthboundDB} are sorted by `id`**; output is a function of the model only.
 */
import type { ObjectRef } from '../common/source.js';

/** NB tables udnc emits. Values are the OVSDB table names. */
export const NB_TABLES = [
  'NB_Global',
  'Meter',
  'Meter_Band',
  'Logical_Switch',
  'Logical_Switch_Port',
  'Logical_Router',
  'Logical_Router_Port',
  'Gateway_Chassis',
  'Logical_Router_Static_Route',
  'NAT',
  'Port_Group',
  'Address_Set',
  'ACL',
  'Load_Balancer',
  'Load_Balancer_Group',
] as const;
export type NbTable = (typeof NB_TABLES)[number];

/** The row id for a table and key: `Logical_Switch:ovn_cluster_router` etc. */
export function rowId(table: NbTable, key: string): string {
  return `${table}:${key}`;
}

export type StringMap = Record<string, string>;

/** Fields every udnc NB row has besides its OVSDB columns. */
export interface RowMeta {
  /** stable udnc-local id, unique across the DB: `<Table>:<key>` */
  id: string;
  /** Kubernetes objects that caused this row, sorted and deduplicated */
  provenance: ObjectRef[];
  /** Network.id of the network the row belongs to (absent for cluster-global rows) */
  network?: string;
}

// ---------------------------------------------------------------- global
export interface NBGlobal extends RowMeta {
  name: string;
  options: StringMap;
  external_ids: StringMap;
}

/** ovn-k's `acl-logging` meter (fair, pktps, one drop band). */
export interface Meter extends RowMeta {
  name: string;
  unit: 'kbps' | 'pktps';
  fair?: boolean;
  /** Meter_Band row ids */
  bands: string[];
  external_ids: StringMap;
}
export interface MeterBand extends RowMeta {
  action: 'drop';
  rate: number;
  burst_size: number;
  external_ids: StringMap;
}

// ---------------------------------------------------------------- switches
export interface LogicalSwitch extends RowMeta {
  name: string;
  /** Logical_Switch_Port row ids */
  ports: string[];
  /** ACL row ids attached directly to the switch (e.g. NetpolNode allow-from-mgmt ACLs) */
  acls: string[];
  /** Load_Balancer row ids (only when LB groups are not used) */
  load_balancer: string[];
  /** Load_Balancer_Group row ids */
  load_balancer_group: string[];
  /** subnet, ipv6_prefix, exclude_ips, ... */
  other_config: StringMap;
  /** k8s.ovn.org/network, k8s.ovn.org/role, k8s.ovn.org/topology on UDNs */
  external_ids: StringMap;
}

/** LSP `type`: '' (VIF: pods, management port), 'router', 'localnet', 'patch', ... */
export type LspType = '' | 'router' | 'localnet' | 'patch' | 'remote' | 'l2gateway' | 'localport' | 'external' | 'virtual';

export interface LogicalSwitchPort extends RowMeta {
  name: string;
  type: LspType;
  /** e.g. `["0a:58:0a:f4:00:05 10.244.0.5"]`, `["router"]`, `["unknown"]` */
  addresses: string[];
  port_security: string[];
  /** requested-chassis, iface-id-ver, router-port, nat-addresses, network_name, ... */
  options: StringMap;
  external_ids: StringMap;
  enabled?: boolean;
  tag_request?: number;
  /** Logical_Switch row id of the switch holding this port (denormalized from LS.ports for convenience) */
  switch: string;
  /** what the port is, for consumers: a pod interface, management port, router patch, localnet uplink */
  role: 'pod' | 'management' | 'router' | 'localnet';
  /** for role 'pod': which pod and which of its attachments */
  pod?: { namespace: string; name: string; interfaceName: string; attachmentRole: 'primary' | 'infrastructure' | 'secondary' };
}

// ---------------------------------------------------------------- routers
export interface LogicalRouter extends RowMeta {
  name: string;
  /** Logical_Router_Port row ids */
  ports: string[];
  /** Logical_Router_Static_Route row ids */
  static_routes: string[];
  /** NAT row ids */
  nat: string[];
  load_balancer: string[];
  load_balancer_group: string[];
  /** GR: chassis, lb_force_snat_ip, snat-ct-zone, always_learn_from_arp_request, dynamic_neigh_routers, ... */
  options: StringMap;
  external_ids: StringMap;
  enabled?: boolean;
}

export interface LogicalRouterPort extends RowMeta {
  name: string;
  mac: string;
  /** CIDRs, e.g. `["10.244.0.1/24"]` */
  networks: string[];
  peer?: string;
  options: StringMap;
  /** Gateway_Chassis row ids (distributed gateway ports only; ovn-k's GR ports need none) */
  gateway_chassis: string[];
  ipv6_ra_configs: StringMap;
  external_ids: StringMap;
  enabled?: boolean;
  /** Logical_Router row id holding the port (denormalized) */
  router: string;
}

export interface GatewayChassis extends RowMeta {
  name: string;
  chassis_name: string;
  priority: number;
  options: StringMap;
  external_ids: StringMap;
}

export interface LogicalRouterStaticRoute extends RowMeta {
  ip_prefix: string;
  nexthop: string;
  policy?: 'src-ip' | 'dst-ip';
  output_port?: string;
  route_table: string;
  options: StringMap;
  external_ids: StringMap;
  /** Logical_Router row id (denormalized) */
  router: string;
}

export interface NAT extends RowMeta {
  type: 'snat' | 'dnat' | 'dnat_and_snat';
  external_ip: string;
  logical_ip: string;
  logical_port?: string;
  external_mac?: string;
  external_port_range: string;
  match: string;
  priority: number;
  options: StringMap;
  external_ids: StringMap;
  /** Logical_Router row id (denormalized) */
  router: string;
}

// ---------------------------------------------------------------- policy
export interface PortGroup extends RowMeta {
  /** `a<fnv1a64>` hash of the DbObjectIDs id (see hash.ts); OVN matches use `@<name>` */
  name: string;
  /** Logical_Switch_Port row ids */
  ports: string[];
  /** ACL row ids */
  acls: string[];
  /** DbObjectIDs: k8s.ovn.org/owner-controller, owner-type, name, id, ... */
  external_ids: StringMap;
}

export interface AddressSet extends RowMeta {
  /** `a<fnv1a64>` hash of the id ending in `:v4` / `:v6`; matches use `$<name>` */
  name: string;
  /** bare IPs or CIDRs, sorted */
  addresses: string[];
  external_ids: StringMap;
}

export type AclAction = 'allow' | 'allow-related' | 'allow-stateless' | 'drop' | 'reject' | 'pass';
export type AclDirection = 'from-lport' | 'to-lport';
export type AclSeverity = 'alert' | 'warning' | 'notice' | 'info' | 'debug';

export interface ACL extends RowMeta {
  /** `%.63s` of e.g. `NP:<ns>:<name>:Ingress:0`; absent for unnamed ACLs */
  name?: string;
  priority: number;
  direction: AclDirection;
  match: string;
  action: AclAction;
  log: boolean;
  severity?: AclSeverity;
  /** always `acl-logging` for ovn-k ACLs */
  meter?: string;
  label: number;
  /** 0 UDN isolation, 1 ANP, 2 NP & co, 3 BANP */
  tier: number;
  /** `apply-after-lb: "true"` for egress (from-lport after LB) ACLs */
  options: StringMap;
  external_ids: StringMap;
  /** Port_Group or Logical_Switch row id the ACL is attached to (denormalized) */
  attachedTo: string;
}

// ---------------------------------------------------------------- services
export interface LoadBalancer extends RowMeta {
  name: string;
  protocol?: 'tcp' | 'udp' | 'sctp';
  /** `"10.96.0.10:53"` / `"[fd00::a]:53"` → `"10.244.0.5:53,10.244.1.7:53"` (or `""`) */
  vips: StringMap;
  options: StringMap;
  selection_fields: Array<'eth_src' | 'eth_dst' | 'ip_src' | 'ip_dst' | 'ipv6_src' | 'ipv6_dst' | 'tp_src' | 'tp_dst'>;
  external_ids: StringMap;
}

export interface LoadBalancerGroup extends RowMeta {
  name: string;
  /** Load_Balancer row ids */
  load_balancer: string[];
}

// ---------------------------------------------------------------- the DB
/** Per network: what udnc lowered it to (names of the main datapaths), for listings and later stages. */
export interface NetworkSummary {
  /** Network.id */
  network: string;
  /** ovn-k network name and object prefix */
  ovnName: string;
  prefix: string;
  controller: string; // `<ovnName>-network-controller`
  role: 'default' | 'primary' | 'secondary';
  topology: 'Layer3' | 'Layer2' | 'Localnet';
  /** Logical_Switch row ids of pod switches */
  switches: string[];
  /** Logical_Router row ids (cluster/transit router, GRs) */
  routers: string[];
  /** clusterPortGroup row id, if the network has one */
  clusterPortGroup?: string;
  provenance: ObjectRef[];
}

export interface NorthboundDB {
  /** what this DB imitates */
  target: { ovnKubernetes: 'v1.3.0'; nbSchema: '7.11.0' };
  nbGlobal: NBGlobal;
  meters: Meter[];
  meterBands: MeterBand[];
  logicalSwitches: LogicalSwitch[];
  logicalSwitchPorts: LogicalSwitchPort[];
  logicalRouters: LogicalRouter[];
  logicalRouterPorts: LogicalRouterPort[];
  gatewayChassis: GatewayChassis[];
  staticRoutes: LogicalRouterStaticRoute[];
  nats: NAT[];
  portGroups: PortGroup[];
  addressSets: AddressSet[];
  acls: ACL[];
  loadBalancers: LoadBalancer[];
  loadBalancerGroups: LoadBalancerGroup[];
  networks: NetworkSummary[];
  /** things udnc did not lower, or lowered with a documented deviation */
  notices: Array<{ message: string; ref?: ObjectRef }>;
}

/** Table name → the DB field holding its rows. */
export const TABLE_FIELDS = {
  NB_Global: 'nbGlobal',
  Meter: 'meters',
  Meter_Band: 'meterBands',
  Logical_Switch: 'logicalSwitches',
  Logical_Switch_Port: 'logicalSwitchPorts',
  Logical_Router: 'logicalRouters',
  Logical_Router_Port: 'logicalRouterPorts',
  Gateway_Chassis: 'gatewayChassis',
  Logical_Router_Static_Route: 'staticRoutes',
  NAT: 'nats',
  Port_Group: 'portGroups',
  Address_Set: 'addressSets',
  ACL: 'acls',
  Load_Balancer: 'loadBalancers',
  Load_Balancer_Group: 'loadBalancerGroups',
} as const satisfies Record<NbTable, keyof NorthboundDB>;

/** udnc-only fields that are not OVSDB columns (dropped by the transact/nbctl writers). */
export const META_FIELDS = ['id', 'provenance', 'network', 'switch', 'router', 'role', 'pod', 'attachedTo'] as const;
