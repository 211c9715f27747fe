/**
 * The OpenFlow tables ovn-controller 25.03 installs on one chassis (br-int), as structured data.
 *
 * This is the contract between the openflow stage (src/openflow) and its consumers (the
 * classifier, the CLI printers). Everything is plain data; bigints for field values.
 *
 * ## A flow ({@link OfFlow})
 * - `table`, `priority`, `cookie` (a 32-bit number; 0 = none, ovs-ofctl omits it).
 * - `match`: OVS flow fields → `{ value, mask }`. Keys are the `struct flow` members that
 *   ovs-ofctl's match_format() prints (the names accepted by `ovs-ofctl add-flow`):
 *   `in_port`, `metadata`, `reg0`..`reg15`, `pkt_mark`, `conj_id`, `ct_state`, `ct_mark`,
 *   `ct_label`, `dl_src`, `dl_dst`, `dl_type`, `vlan_tci`, `nw_src`, `nw_dst`, `nw_proto`,
 *   `nw_tos`, `nw_ttl`, `nw_frag`, `ipv6_src`, `ipv6_dst`, `ipv6_label`, `tp_src`, `tp_dst`,
 *   `arp_sha`, `arp_tha`, `nd_target`, `tcp_flags`, `tun_id`, `tun_metadata0`.
 *   One key per storage slot, never an alias: ARP's spa/tpa/op live in `nw_src`/`nw_dst`/`nw_proto`,
 *   ICMP type/code in `tp_src`/`tp_dst`, ND sll/tll in `arp_sha`/`arp_tha` (ovs-ofctl prints the
 *   alias according to `dl_type`/`nw_proto`). The xreg/xxreg views are never used in matches:
 *   `xxreg0[96..127]` is `reg0`, `xreg4` is `reg8`:`reg9` (reg = high half). `mask` is never 0
 *   (absent key = wildcard); an exact match has the all-ones mask of the slot's width
 *   (see {@link SLOT_BITS}). `conj_id` is always exact.
 * - `actions`: {@link OfAction}[], executed in order; `[]` is `drop`. Most variants are the action
 *   encoder's {@link Ofpact} (src/expr/actions/ofpact.ts: set_field, move, push/pop, resubmit, ct,
 *   nat, controller, group, meter, clone, learn, ct_clear, dec_ttl, note, sample, …); the openflow
 *   stage adds `output`, `conjunction` and the physical-only fields (in_port, ct_nw_dst, …).
 *   `formatActions()` (format.ts) prints them as `ovs-ofctl dump-flows` does.
 * - `provenance`: why the flow exists — the logical flow it came from (identity + NB rows + k8s
 *   objects), or the Port_Binding / Multicast_Group / fixed-table reason of a physical flow.
 * - `text`: the match as `ovs-ofctl dump-flows` prints it (without table/priority/cookie), cached.
 *
 * ## Conjunctive matches
 * An lflow whose match compiles to ≥2 OR-clauses gets conjunction ids: its member flows have
 * cookie 0 and a single action `conjunction(id,k/n)` per conjunction (k is **1-based** as printed);
 * several lflows' members with equal match in the same table/priority are merged (the actions list
 * holds several `conjunction` entries). The `conj_id=id` flow carries the lflow's cookie and
 * actions. Ids: see `conjIdBase()` in index.ts (a stable hash of the lflow identity, probed upward
 * for a free contiguous block, as ovn-controller's lflow-conj-ids.c does with its own hash).
 *
 * ## Groups ({@link OfGroup}) are OpenFlow select groups (load balancers) and fwd groups, `text`
 * in `ovs-ofctl add-groups` syntax. Ids are allocated by name (ExtendTable) in lflow order.
 *
 * ## Port map ({@link OfPort}): ofport ↔ logical port (iface-id) ↔ pod, plus tunnel ports.
 */
import type { ObjectRef } from '../common/source.js';
import type { MfField, MfSubfield } from '../expr/actions/mf.js';
import type { Ofpact } from '../expr/actions/ofpact.js';
import type { PipelineName } from '../lflow/pipeline-25.03.js';
import type { OfFlowTable } from './store.js';

export type { MfField, MfSubfield, Ofpact };

/** One match field: value & mask (value has no bits outside mask). */
export interface OfMatchField {
  value: bigint;
  mask: bigint;
}

/** match: struct-flow slot name → value/mask (see the module comment). */
export type OfMatch = Record<string, OfMatchField>;

/** Width in bits of each match slot. */
export const SLOT_BITS: Readonly<Record<string, number>> = {
  in_port: 32, metadata: 64, pkt_mark: 32, conj_id: 32, ct_state: 8, ct_mark: 32, ct_label: 128,
  dl_src: 48, dl_dst: 48, dl_type: 16, vlan_tci: 16, nw_src: 32, nw_dst: 32, nw_proto: 8, nw_tos: 8,
  nw_ttl: 8, nw_frag: 8, ipv6_src: 128, ipv6_dst: 128, ipv6_label: 20, tp_src: 16, tp_dst: 16,
  arp_sha: 48, arp_tha: 48, nd_target: 128, tcp_flags: 16, tun_id: 64, tun_metadata0: 32,
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`reg${i}`, 32])),
};

/** `output:<ofport>` */
export interface OfOutput { type: 'output'; port: number }
/** `conjunction(id,clause/nClauses)`; clause is 1-based as ovs-ofctl prints it. */
export interface OfConjunction { type: 'conjunction'; id: number; clause: number; nClauses: number }
/** `set_field:ANY->in_port` (value 0xffff = OFPP_NONE prints `ANY`), and other physical-only fields. */
export interface OfSetPhysField { type: 'set_phys'; field: 'in_port' | 'tun_id' | 'tun_metadata0'; value: bigint; mask?: bigint }
/** push/pop/move of physical-only fields (NXM_OF_IN_PORT, NXM_NX_CT_NW_DST, NXM_NX_TUN_ID, …). */
export interface OfPhysStack { type: 'push_phys' | 'pop_phys'; nxm: string }
export interface OfPhysMove { type: 'move_phys'; src: string; dst: string }

export type OfAction = Ofpact | OfOutput | OfConjunction | OfSetPhysField | OfPhysStack | OfPhysMove;

/** The logical flow a flow was compiled from. */
export interface LflowRef {
  datapath: string;
  /** datapath tunnel key (metadata) this copy was compiled for */
  dpKey: number;
  pipeline: PipelineName;
  /** logical table */
  table: number;
  priority: number;
  match: string;
  actions: string;
  /** stable stand-in for the SB Logical_Flow UUID; its first 32 bits are the cookie */
  uuid: string;
  /** NB row ids */
  rows: string[];
  objects: ObjectRef[];
}

export type OfProvenance =
  | { kind: 'lflow'; lflow: LflowRef; /** member flow of conjunction(s) */ conjMember?: boolean }
  | { kind: 'port'; /** Port_Binding logical_port */ port: string; datapath: string; reason: string; rows: string[]; objects: ObjectRef[] }
  | { kind: 'mcgroup'; datapath: string; group: string; reason: string }
  | { kind: 'lb'; loadBalancer: string; reason: string; rows: string[]; objects: ObjectRef[] }
  | { kind: 'fixed'; reason: string };

export interface OfFlow {
  table: number;
  priority: number;
  /** 32-bit cookie (0 = none) */
  cookie: number;
  match: OfMatch;
  actions: OfAction[];
  /** match text as ovs-ofctl prints it (no table/priority/cookie) */
  text: string;
  /** all reasons the flow exists (merged conjunction members and identical flows may have several lflows) */
  provenance: OfProvenance[];
  /**
   * Flows of other lflows with the same table, priority and match but different actions. OpenFlow
   * holds one flow per match: ovn-controller installs the one of the lflow it processed first, an
   * order that follows SB UUID hashing, so it may be any of them. udnc keeps the first in lflow
   * order as the flow and lists the others here.
   */
  shadowed?: Array<{ cookie: number; actions: OfAction[]; provenance: OfProvenance[] }>;
}

export interface OfBucket {
  bucketId: number;
  weight: number;
  /** structured actions when udnc models them (empty otherwise: see actionsText) */
  actions: OfAction[];
  /** the bucket's actions in ovs-ofctl syntax */
  actionsText: string;
  /** ct_lb_mark backend of this bucket */
  backend?: { ip: string; port?: number };
}

export interface OfGroup {
  id: number;
  type: 'select' | 'all' | 'indirect' | 'ff';
  /** `selection_method=dp_hash`, `fields(...)` … as printed; absent for default */
  selectionMethod?: string;
  selectionMethodParam?: string;
  buckets: OfBucket[];
  /** `group_id=…,type=…,bucket=…` as `ovs-ofctl add-groups` accepts it */
  text: string;
  provenance: OfProvenance[];
}

/** One OpenFlow port of br-int. */
export interface OfPort {
  ofport: number;
  /** OVS interface name */
  name: string;
  kind: 'vif' | 'tunnel';
  /** external_ids:iface-id = the LSP name (vif) */
  ifaceId?: string;
  datapath?: string;
  /** logical port tunnel key */
  portKey?: number;
  dpKey?: number;
  /** the pod behind the VIF */
  pod?: { namespace: string; name: string; interface?: string };
  /** tunnel: remote chassis name and IP */
  chassis?: string;
  remoteIp?: string;
}

/** Conntrack zones ovn-controller assigned (see zones.ts for the allocation rule). */
export interface CtZones {
  /** logical port name → zone (reg13) */
  ports: Record<string, number>;
  /** datapath name → DNAT zone (reg11) */
  dnat: Record<string, number>;
  /** datapath name → SNAT zone (reg12) */
  snat: Record<string, number>;
}

export interface OpenFlowResult {
  ovnVersion: string;
  /** chassis whose view this is */
  chassis: string;
  /**
   * Sorted by table, priority (descending), match text. On a compileOpenFlow result this is made on
   * first read (and then kept): at 10,000 pods the flows as objects take GBs, so printers and counts
   * use `flowTable` instead.
   */
  flows: OfFlow[];
  /**
   * The same flows kept compact (compileOpenFlow results; absent on hand-made results, non-enumerable):
   * `size`, iteration in output order one flow at a time, `writeAddFlows(write)`. See store.ts.
   */
  readonly flowTable?: OfFlowTable;
  groups: OfGroup[];
  ports: OfPort[];
  zones: CtZones;
  /** datapath names local to this chassis, sorted */
  localDatapaths: string[];
  /**
   * Geneve TLV mappings the flows use (`ovs-ofctl add-tlv-map BR` arguments), as ovn-controller sets
   * them on br-int: empty unless the node view has tunnels (tun_metadata0 carries the port keys).
   */
  tlvMap: string[];
  /** lflows that failed to compile (match or action error), one line each */
  errors: string[];
  /** features not modelled (yet), one line each, sorted */
  unsupported: string[];
}

export interface OpenFlowOptions {
  /**
   * The node whose chassis view to compute. Default: the single-chassis view, every pod's port
   * and every gateway router bound to one chassis named `chassis` (default `hv1`).
   */
  node?: string;
  /** chassis name of the default view (default 'hv1') */
  chassis?: string;
  /** ofports by logical port name (otherwise assigned 1.. in port-name order) */
  ofports?: Readonly<Record<string, number>>;
  /** the svc_monitor_mac address set when the SB has none (northd picks a random MAC; default 0a:00:00:00:00:fe, the oracle's pin) */
  svcMonitorMac?: string;
  /** tunnel ofports by remote chassis name (node view; otherwise after the VIFs, in chassis-name order) */
  tunnelOfports?: Readonly<Record<string, number>>;
  /** CT zones to use instead of the allocation rule (e.g. a real ovn-controller's) */
  zones?: Partial<CtZones>;
  /** SB UUIDs to use instead of stable ones (Logical_Flow by lflow key, Port_Binding by name, Datapath by name) */
  uuids?: { lflow?: (key: string) => string | undefined; portBinding?: Readonly<Record<string, string>>; datapath?: Readonly<Record<string, string>>; mcGroup?: Readonly<Record<string, string>>; loadBalancer?: Readonly<Record<string, string>> };
}
