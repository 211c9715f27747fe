/**
 * What the lflow stage produces: the logical flows ovn-northd would write to the southbound
 * Logical_Flow table, and the southbound rows around them that later stages (OpenFlow) need.
 */
import type { ObjectRef } from '../common/source.js';
import type { DatapathKind, PipelineName, StageName } from './pipeline-25.03.js';

/** Why a flow exists: the NB rows (udnc row ids) and the Kubernetes objects behind them. */
export interface LflowProvenance {
  /** NB row ids (`Logical_Switch:…`, `ACL:…`, …), sorted, deduplicated */
  rows: string[];
  /** Kubernetes objects, sorted, deduplicated */
  objects: ObjectRef[];
}

export interface Lflow {
  /** datapath name (the NB Logical_Switch / Logical_Router name) */
  datapath: string;
  pipeline: PipelineName;
  table: number;
  stage: StageName;
  priority: number;
  match: string;
  actions: string;
  provenance: LflowProvenance;
}

export interface SbDatapath {
  name: string;
  kind: DatapathKind;
  /** NB row id of the switch/router */
  nbRow: string;
  tunnelKey: number;
  /** deterministic stand-in for the SB Datapath_Binding UUID (see {@link stableUuid}) */
  uuid: string;
}

export interface SbPortBinding {
  logicalPort: string;
  datapath: string;
  tunnelKey: number;
  /** SB type: '' (VIF), 'patch' (router LSP and LRP), 'localnet', 'l3gateway', 'chassisredirect', … */
  type: string;
  mac: string[];
  portSecurity: string[];
  options: Record<string, string>;
  nbRow: string;
}

export interface SbMulticastGroup {
  datapath: string;
  name: string;
  tunnelKey: number;
  /** member logical ports, sorted */
  ports: string[];
}

export interface SbAddressSet {
  name: string;
  addresses: string[];
}

export interface SbPortGroup {
  /** `<datapath tunnel key>_<NB port group name>` */
  name: string;
  ports: string[];
}

export interface Southbound {
  datapaths: SbDatapath[];
  portBindings: SbPortBinding[];
  multicastGroups: SbMulticastGroup[];
  addressSets: SbAddressSet[];
  portGroups: SbPortGroup[];
}

export interface LflowResult {
  ovnVersion: string;
  /** sorted as `ovn-sbctl lflow-list` prints them */
  flows: Lflow[];
  southbound: Southbound;
  /** NB features udnc saw but does not translate (yet), one line each, sorted */
  unsupported: string[];
}

export interface LflowOptions {
  /**
   * Datapath tunnel keys by datapath name, e.g. to reproduce a real SB whose keys came from
   * creation order. Datapaths not listed get the lowest free key in the default order.
   */
  datapathKeys?: Readonly<Record<string, number>>;
  /** Port tunnel keys by logical port name (same idea). */
  portKeys?: Readonly<Record<string, number>>;
}
