/**
 * ovn-kubernetes v1.3.0 constants udnc reproduces, declared once.
 * Sources: pkg/types/const.go, pkg/libovsdb/ops/db_object_types.go, pkg/libovsdb/util/acl.go,
 * pkg/ovn/base_network_controller_policy.go, pkg/ovn/udn_isolation.go, pkg/config/config.go.
 */

/** ACL tiers (`types.PrimaryACLTier`, `DefaultANPACLTier`, `DefaultACLTier`, `DefaultBANPACLTier`). */
export const TIER = {
  udnIsolation: 0,
  anp: 1,
  default: 2,
  banp: 3,
} as const;

/** ACL priorities. */
export const PRIORITY = {
  /** types.DefaultAllowPriority: NP gress allows, arpAllow, node allow, hairpin */
  allow: 1001,
  /** types.DefaultDenyPriority: NP default deny */
  deny: 1000,
  /** types.PrimaryUDNAllowPriority / PrimaryUDNDenyPriority */
  udnAllow: 1001,
  udnDeny: 1000,
  /** ANP: 30000 − 100·spec.priority − rule index (types.DefaultANPPriority / ANPPriorityStep) */
  anpBase: 30000,
  anpStep: 100,
  anpMaxSpecPriority: 99,
  anpMaxRules: 100,
  /** BANP: 1750 − rule index (types.DefaultBANPPriority) */
  banpBase: 1750,
} as const;

/** `types.OvnACLLoggingMeter` and its band (config.Logging.ACLLoggingRateLimit default 20 pktps). */
export const ACL_LOGGING_METER = { name: 'acl-logging', unit: 'pktps', rate: 20, burst: 0, fair: true } as const;

/** DbObjectIDs external_ids keys. */
export const EXT = {
  ownerController: 'k8s.ovn.org/owner-controller',
  ownerType: 'k8s.ovn.org/owner-type',
  name: 'k8s.ovn.org/name',
  id: 'k8s.ovn.org/id',
  direction: 'direction',
  gressIndex: 'gress-index',
  ipFamily: 'ip-family',
  ip: 'ip',
  type: 'type',
  ipBlockIndex: 'ip-block-index',
  portPolicyProtocol: 'port-policy-protocol',
  network: 'k8s.ovn.org/network',
  nad: 'k8s.ovn.org/nad',
  topology: 'k8s.ovn.org/topology',
  role: 'k8s.ovn.org/role',
  kind: 'k8s.ovn.org/kind',
  owner: 'k8s.ovn.org/owner',
} as const;

/** Owner types (db_object_types.go). */
export const OWNER = {
  networkPolicy: 'NetworkPolicy',
  netpolNamespace: 'NetpolNamespace',
  netpolNode: 'NetpolNode',
  netpolDefault: 'NetpolDefault',
  podSelector: 'PodSelector',
  anp: 'AdminNetworkPolicy',
  banp: 'BaselineAdminNetworkPolicy',
  cluster: 'Cluster',
  udnIsolation: 'UDNIsolation',
} as const;

/**
 * DbObjectIDs key order per (table, owner) type: the id is `<ctrl>:<owner>:<v1>:<v2>...` in this order.
 * Keys named 'name' map to external_ids `k8s.ovn.org/name`.
 */
export const ID_KEYS = {
  aclNetworkPolicy: ['name', 'direction', 'gress-index', 'port-policy-protocol', 'ip-block-index'],
  aclNetpolNamespace: ['name', 'direction', 'type'],
  aclNetpolNode: ['name', 'ip'],
  aclNetpolDefault: ['name', 'direction'],
  aclANP: ['name', 'direction', 'gress-index', 'port-policy-protocol'],
  aclUDN: ['name', 'direction'],
  pgNetworkPolicy: ['name'],
  pgNetpolNamespace: ['name', 'direction'],
  pgANP: ['name'],
  pgCluster: ['name'],
  pgUDN: ['name'],
  asPodSelector: ['name', 'ip-family'],
  asANP: ['name', 'direction', 'gress-index', 'ip-family'],
} as const;

/** NetworkPolicy default-deny ACL types and matches (base_network_controller_policy.go). */
export const NETPOL = {
  defaultDenyType: 'defaultDeny',
  arpAllowType: 'arpAllow',
  arpAllowMatch: '(arp || nd)',
  hairpinName: 'allow-hairpinning',
  statelessAnnotation: 'k8s.ovn.org/acl-stateless',
  aclLoggingAnnotation: 'k8s.ovn.org/acl-logging',
  /** gressPolicy emptyIdx: selector / empty-rule ACLs */
  selectorIpBlockIndex: -1,
  /** v1.3.0 combined ipBlock ACL index */
  combinedIpBlockIndex: -2,
  unspecifiedProtocol: 'None',
  namedPortSuffix: '-namedPort',
} as const;

/** Port group names (types.ClusterPortGroupNameBase, ClusterRtrPortGroupNameBase, udn_isolation.go). */
export const PG_NAMES = {
  cluster: 'clusterPortGroup',
  clusterRtr: 'clusterRtrPortGroup',
  udnSecondaryPods: 'SecondaryPods',
} as const;

/** UDN isolation ACL names (udn_isolation.go). */
export const UDN_ACL = {
  allowHostARP: 'AllowHostARPPrimaryUDN',
  allowHost: 'AllowHostPrimaryUDN',
  deny: 'DenyPrimaryUDN',
  openPortPrefix: 'OpenPort-',
  openPortsAnnotation: 'k8s.ovn.org/open-default-ports',
} as const;

/** Masquerade addresses (pkg/config/utils.go, default 169.254.169.0/29 and fd69::/125). */
export const MASQUERADE = {
  v4Hairpin: '169.254.169.5',
  v6Hairpin: 'fd69::5',
  v4HostIP: '169.254.169.2',
  v4DummyNextHop: '169.254.169.4',
  v4EtpLocal: '169.254.169.3',
  v6EtpLocal: 'fd69::3',
} as const;

/**
 * UDN-enabled default services (--udn-allowed-default-services default) and their NB objects
 * (services_controller.go configureUDNEnabledServiceRoute; udnenabledsvc controller).
 */
export const UDN_ENABLED_SERVICES = {
  services: ['default/kubernetes', 'kube-system/kube-dns'],
  routeExternalId: 'k8s.ovn.org/udn-enabled-default-service',
  addressSetController: 'udn-enabled-svc',
  addressSetOwner: 'UDNEnabledService',
  addressSetName: 'udn-enabled-svc-cluster-ips',
} as const;

/** config.Kubernetes.HostNetworkNamespace default. */
export const HOST_NETWORK_NAMESPACE = 'ovn-host-network';

/** Topology object names (pkg/types/const.go). `P` (network prefix) is prepended to all. */
export const NAMES = {
  clusterRouter: 'ovn_cluster_router',
  joinSwitch: 'join',
  layer2Switch: 'ovn_layer2_switch',
  transitRouter: 'transit_router',
  localnetSwitch: 'ovn_localnet_switch',
  localnetPort: 'ovn_localnet_port',
  gwRouterPrefix: 'GR_',
  extSwitchPrefix: 'ext_',
  mgmtPortPrefix: 'k8s-',
  routerToSwitchPrefix: 'rtos-',
  switchToRouterPrefix: 'stor-',
  joinToRouterPrefix: 'jtor-',
  routerToJoinPrefix: 'rtoj-',
  extToRouterPrefix: 'etor-',
  routerToExtPrefix: 'rtoe-',
  transitRouterToSwitchPrefix: 'trtos-',
  switchToTransitRouterPrefix: 'stotr-',
  transitRouterToRouterPrefix: 'trtor-',
  routerToTransitRouterPrefix: 'rtotr-',
  physicalNetwork: 'physnet',
  bridge: 'breth0',
  clusterLBGroup: 'clusterLBGroup',
  clusterSwitchLBGroup: 'clusterSwitchLBGroup',
  clusterRouterLBGroup: 'clusterRouterLBGroup',
} as const;

/** Default join / transit subnets. */
export const SUBNETS = {
  defaultJoinV4: '100.64.0.0/16',
  udnJoinV4: '100.65.0.0/16',
  udnJoinV6: 'fd99::/64',
  transitV4: '100.88.0.0/16',
} as const;

/** Load balancer options (services/loadbalancer.go buildLB; test helper servicesOptions()). */
export const LB = {
  kind: 'Service',
  baseOptions: {
    event: 'false',
    hairpin_snat_ip: '169.254.169.5 fd69::5',
    neighbor_responder: 'none',
    reject: 'true',
    skip_snat: 'false',
  },
  /** ClientIP timeout that ovnk expresses with selection_fields instead (core/v1 MaxClientIPServiceAffinitySeconds) */
  maxAffinityTimeout: 86400,
  defaultAffinityTimeout: 10800,
} as const;

