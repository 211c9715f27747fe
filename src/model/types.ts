/**
 * The cluster model: one immutable snapshot of everything later stages need, as ovn-kubernetes'
 * informers and cluster manager would see it (IPAM done, network IDs allocated, workloads expanded
 * to pods). Plain data, deeply frozen; every list sorted so output is a function of the input set only.
 */
import type { ObjectRef, SourceRef } from '../common/source.js';
import type {
  AdminNetworkPolicySpec, BaselineAdminNetworkPolicySpec, LabelSelector, NetworkPolicySpec,
  Protocol, ServicePort, ServiceType,
} from './k8s.js';

export interface ClusterConfig {
  /** default pod network: clusterNetwork entries with their per-node prefix length */
  clusterNetwork: Array<{ cidr: string; hostPrefix: number }>;
  serviceNetwork: string[];
  /** where the values came from: kind-like defaults, or an OpenShift config.openshift.io/v1 Network */
  from: ObjectRef | 'defaults';
  /** masquerade subnets (default network 169.254.169.0/29; UDNs 169.254.0.0/17) */
  masqueradeSubnet: string;
  udnMasqueradeSubnet: string;
  /** join subnet of the default network */
  joinSubnet: string;
}

export interface Node {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** node host addresses (status.addresses InternalIP), used by ANP `nodes` peers and NodePort VIPs */
  hostAddresses: readonly string[];
  /** true when udnc made this node because the manifests had none */
  synthesized: boolean;
  ref: ObjectRef;
}

export interface Namespace {
  name: string;
  labels: Readonly<Record<string, string>>; // includes kubernetes.io/metadata.name
  annotations: Readonly<Record<string, string>>;
  /** id of the primary network (Network.id): 'default' unless a primary (C)UDN serves it */
  primaryNetwork: string;
  /**
   * true when udnc made it up: a built-in namespace (default, kube-system, kube-public,
   * kube-node-lease) that objects use without declaring, or any namespace under
   * ModelOptions.implicitNamespaces. Otherwise a namespace missing from the manifests is an error.
   */
  synthesized?: boolean;
  ref: ObjectRef; // no source when synthesized
}

export type Topology = 'Layer3' | 'Layer2' | 'Localnet';
export type NetworkRole = 'default' | 'primary' | 'secondary';

export interface NetworkSubnet {
  cidr: string;
  /** Layer3: prefix length of each node's host subnet */
  hostSubnet?: number;
}

export interface Network {
  /** stable id used across the model: 'default', 'udn:<ns>/<name>', 'cudn:<name>', 'nad:<ns>/<name>' */
  id: string;
  /** ovn-kubernetes network name: 'default', '<ns>_<name>' (UDN), 'cluster_udn_<name>' (CUDN), NAD config name */
  ovnName: string;
  /** object-name prefix ovn-kubernetes uses ('' for default; e.g. 'blue_blue.network_') */
  prefix: string;
  role: NetworkRole;
  topology: Topology;
  subnets: readonly NetworkSubnet[];
  joinSubnets: readonly string[];
  excludeSubnets: readonly string[];
  mtu?: number;
  /**
   * cluster-manager network id (0 for default), allocated deterministically: OVN networks 1, 2, ...
   * in ovnName order (a NAD's k8s.ovn.org/network-id annotation is honoured); -1 outside OVN
   */
  networkId: number;
  /** namespaces attached (primary: served namespaces; secondary: namespaces holding the NAD) */
  namespaces: readonly string[];
  /** false for NADs of CNI types OVN does not program (bridge, macvlan, ipvlan, host-device, ...) */
  ovn: boolean;
  cniType?: string;
  /** per node host subnets (Layer3 and default network), by node name */
  hostSubnets: Readonly<Record<string, readonly string[]>>;
  owner: ObjectRef; // the UDN/CUDN/NAD (first NAD by ns/name for a NAD group), or the synthetic default network
  /** NAD keys ('<ns>/<name>') that resolve to this network: rendered (C)UDN NADs and explicit NADs sharing its name */
  nads?: readonly string[];
  /** Layer2 primary: transit subnets of the transit router (default 100.88.0.0/16, fd97::/64) */
  transitSubnets?: readonly string[];
  /** Localnet: bridge mapping name and access VLAN */
  physicalNetworkName?: string;
  vlanId?: number;
}

/** One network interface of a pod. */
export interface Attachment {
  network: string; // Network.id
  /**
   * primary: the pod's primary network (default, or its primary UDN);
   * infrastructure: the default-network port of a primary-UDN pod (ovn-k 'infrastructure-locked');
   * secondary: a NAD/secondary UDN attachment
   */
  role: 'primary' | 'infrastructure' | 'secondary';
  interfaceName: string; // eth0, ovn-udn1, net1...
  ips: readonly string[]; // with prefix length as ovn-k annotates, e.g. '10.244.0.5/24'
  mac: string;
  gatewayIPs: readonly string[];
  /**
   * NAD key ('<ns>/<name>') of every non-default attachment: the NAD named in the networks
   * annotation for secondaries, the rendered NAD '<ns>/<udn or cudn name>' for a primary UDN
   * (ovn-kubernetes names the UDN pod's LSP after it). Absent on the default network.
   */
  nad?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Pod {
  namespace: string;
  name: string;
  uid: string; // deterministic when not given
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  node: string; // "" while unscheduled (no node fits): such a pod is Pending and has no attachments
  hostNetwork: boolean;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ports: readonly ContainerPort[];
  attachments: readonly Attachment[];
  /** the workload that made this pod: itself for a bare Pod, else the Deployment/StatefulSet/VM/... */
  workload: ObjectRef;
  /**
   * the pod itself: kind 'Pod' with its namespace/name; for a derived pod (controller or KubeVirt
   * virt-launcher) the source is that of the workload that produced it (see `workload` for its kind)
   */
  ref: ObjectRef;
}

export interface NetworkPolicy {
  namespace: string;
  name: string;
  spec: NetworkPolicySpec;
  annotations: Readonly<Record<string, string>>;
  ref: ObjectRef;
}
export interface AdminNetworkPolicy {
  name: string;
  spec: AdminNetworkPolicySpec;
  annotations: Readonly<Record<string, string>>;
  ref: ObjectRef;
}
export interface BaselineAdminNetworkPolicy {
  name: string; // must be 'default'
  spec: BaselineAdminNetworkPolicySpec;
  annotations: Readonly<Record<string, string>>;
  ref: ObjectRef;
}

export interface Endpoint {
  ip: string;
  ports: ReadonlyArray<{ name?: string; port: number; protocol: Protocol }>;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  node?: string;
  pod?: { namespace: string; name: string };
}

export interface Service {
  namespace: string;
  name: string;
  type: ServiceType;
  clusterIPs: readonly string[];
  ports: readonly ServicePort[];
  externalIPs: readonly string[];
  loadBalancerIPs: readonly string[]; // status.loadBalancer.ingress[].ip
  selector?: Readonly<Record<string, string>>;
  sessionAffinity: 'None' | 'ClientIP';
  affinityTimeoutSeconds?: number;
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  publishNotReadyAddresses: boolean;
  /** network the service is programmed on: the namespace's primary network */
  network: string;
  /** clusterIP: None (no VIP; endpoints only for DNS) */
  headless?: boolean;
  /** spec.ipFamilies as defaulted by the apiserver */
  ipFamilies?: ReadonlyArray<'IPv4' | 'IPv6'>;
  /** from EndpointSlices when given, else derived from the selector and pods (as the endpoint controller) */
  endpoints: readonly Endpoint[];
  endpointsFrom: 'EndpointSlice' | 'selector' | 'none';
  ref: ObjectRef;
}

export interface ClusterModel {
  config: ClusterConfig;
  nodes: readonly Node[];
  namespaces: readonly Namespace[];
  networks: readonly Network[];
  pods: readonly Pod[];
  networkPolicies: readonly NetworkPolicy[];
  adminNetworkPolicies: readonly AdminNetworkPolicy[];
  baselineAdminNetworkPolicy?: BaselineAdminNetworkPolicy;
  services: readonly Service[];
  /** what the model stage noticed but did not reject: networks outside OVN, empty selections... */
  notices: ReadonlyArray<{ message: string; ref?: ObjectRef; source?: SourceRef }>;
}

export type { LabelSelector };
