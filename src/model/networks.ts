/**
 * Networks: the default network, UserDefinedNetworks, ClusterUserDefinedNetworks and
 * NetworkAttachmentDefinitions, with the namespace → primary network resolution and the errors
 * ovn-kubernetes' cluster manager would raise.
 *
 * Names follow ovn-kubernetes (shared/reference/ovnk-lowering.md §3): UDN `<ns>_<name>`, CUDN
 * `cluster_udn_<name>`, NAD networks the `name` of their CNI config. Network ids: ovn-kubernetes
 * allocates them in NAD-arrival order, which manifests do not have; udnc numbers the OVN networks
 * 1, 2, ... in ovnName order (default = 0), honouring a NAD's `k8s.ovn.org/network-id` annotation.
 * Networks outside OVN get -1.
 */
import type { ObjectRef } from '../common/source.js';
import type { ManifestObject } from '../manifests/types.js';
import { cidrOverlaps, parseCIDR } from './ip.js';
import type { LabelSelector } from './k8s.js';
import { matchesSelector } from './selector.js';
import type { ClusterConfig, Network, NetworkRole, NetworkSubnet, Topology } from './types.js';
import { cmp, describe, isRecord, type Problems, pushTo, refOf } from './util.js';

export const PRIMARY_UDN_LABEL = 'k8s.ovn.org/primary-user-defined-network';
export const OVN_CNI_TYPE = 'ovn-k8s-cni-overlay';
/** ovn-kubernetes defaults (pkg/config): UDN join subnets and the Layer2 transit subnet */
export const DEFAULT_UDN_JOIN_V4 = '100.65.0.0/16';
export const DEFAULT_UDN_JOIN_V6 = 'fd99::/64';
export const DEFAULT_TRANSIT_V4 = '100.88.0.0/16';
export const DEFAULT_TRANSIT_V6 = 'fd97::/64';
/** default per-node prefix of a Layer3 subnet written without one */
export const DEFAULT_HOST_SUBNET_V4 = 24;
export const DEFAULT_HOST_SUBNET_V6 = 64;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type NetworkDraftData = Mutable<Network>;

export interface NsDraft {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ref: ObjectRef;
  /** made up by udnc (built-in namespace, or opts.implicitNamespaces) */
  synthesized: boolean;
  implicit: boolean;
  primaryNetwork: string;
  hasPods: boolean;
}

export interface NetDraft {
  net: NetworkDraftData;
  kind: 'default' | 'udn' | 'cudn' | 'nad';
  mos: ManifestObject[];
  selector?: LabelSelector;
  requestedId?: number;
  /** .1 (gateway) and .2 (management port) excluded: Layer3 node subnets, Layer2 primary */
  reserveInfra: boolean;
  /**
   * pods get gateway IPs on this network: the default network and primary UDNs. A secondary
   * network gives none unless the selection asks for a default route (not modelled).
   */
  gateways: boolean;
  defaultGatewayIPs: string[];
  /** outside OVN: addresses of a `static` IPAM config, which every pod attached gets */
  staticIPs: string[];
}

export interface NadTarget {
  network: string; // Network.id
  /** the NAD key ovn-kubernetes uses ('<ns>/<name>') */
  nadKey: string;
}

export interface NetworksResult {
  drafts: NetDraft[];
  /** '<ns>/<nad name>' → network, for every NAD (explicit or rendered from a (C)UDN) */
  nads: Map<string, NadTarget>;
}

export function networkPrefix(ovnName: string): string {
  return `${ovnName.replace(/[-/]/g, '.')}_`;
}

function roleOf(v: unknown): NetworkRole | undefined {
  if (typeof v !== 'string') return undefined;
  const r = v.toLowerCase();
  return r === 'primary' ? 'primary' : r === 'secondary' ? 'secondary' : undefined;
}

function topologyOf(v: unknown): Topology | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.toLowerCase();
  return t === 'layer3' ? 'Layer3' : t === 'layer2' ? 'Layer2' : t === 'localnet' ? 'Localnet' : undefined;
}

function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

function familyDefaults(subnets: readonly NetworkSubnet[], v4: string, v6: string): string[] {
  const out: string[] = [];
  const fams = new Set(subnets.map((s) => parseCIDR(s.cidr)?.v6));
  if (fams.has(false) || fams.size === 0) out.push(v4);
  if (fams.has(true)) out.push(v6);
  return out;
}

function checkCIDRs(list: string[], mo: ManifestObject, path: string, p: Problems): boolean {
  let ok = true;
  for (const c of list) {
    if (!parseCIDR(c)) {
      p.error(mo, `invalid CIDR ${JSON.stringify(c)}`, path);
      ok = false;
    }
  }
  return ok;
}

function emptyNet(id: string, ovnName: string, role: NetworkRole, topology: Topology, owner: ObjectRef): NetworkDraftData {
  return {
    id, ovnName, prefix: networkPrefix(ovnName), role, topology,
    subnets: [], joinSubnets: [], excludeSubnets: [], networkId: 0, namespaces: [], ovn: true,
    hostSubnets: {}, owner,
  };
}

/** The default network, Layer3 over the cluster network with per-node host subnets. */
export function defaultNetwork(config: ClusterConfig): NetDraft {
  const owner: ObjectRef = config.from === 'defaults' ? { kind: 'Network', name: 'default' } : config.from;
  const net = emptyNet('default', 'default', 'default', 'Layer3', owner);
  net.prefix = '';
  net.subnets = config.clusterNetwork.map((c) => ({ cidr: c.cidr, hostSubnet: c.hostPrefix }));
  net.joinSubnets = [config.joinSubnet];
  net.cniType = OVN_CNI_TYPE;
  return { net, kind: 'default', mos: [], reserveInfra: true, gateways: true, defaultGatewayIPs: [], staticIPs: [] };
}

/** Layer3 subnets as {cidr, hostSubnet}; Layer2/Localnet subnets as {cidr}. */
function subnetsOf(topology: Topology, raw: unknown, mo: ManifestObject, path: string, p: Problems): NetworkSubnet[] {
  const out: NetworkSubnet[] = [];
  const items: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? strList(raw) : [];
  items.forEach((it, i) => {
    let cidr: string | undefined;
    let host: number | undefined;
    if (typeof it === 'string') {
      // NAD form for Layer3: "10.128.0.0/14/23"
      const parts = it.split('/');
      if (parts.length === 3) {
        cidr = `${parts[0]}/${parts[1]}`;
        host = Number(parts[2]);
      } else {
        cidr = it;
      }
    } else if (isRecord(it) && typeof it.cidr === 'string') {
      cidr = it.cidr;
      if (typeof it.hostSubnet === 'number') host = it.hostSubnet;
    }
    const c = cidr !== undefined ? parseCIDR(cidr) : undefined;
    if (!c || cidr === undefined) {
      p.error(mo, `invalid subnet ${JSON.stringify(it)}`, `${path}[${i}]`);
      return;
    }
    const s: NetworkSubnet = { cidr };
    if (topology === 'Layer3') {
      const h = host ?? (c.v6 ? DEFAULT_HOST_SUBNET_V6 : DEFAULT_HOST_SUBNET_V4);
      if (!Number.isInteger(h) || h <= c.prefix || h > (c.v6 ? 128 : 32)) {
        p.error(mo, `hostSubnet /${h} does not fit in ${cidr}`, `${path}[${i}]`);
        return;
      }
      s.hostSubnet = h;
    }
    out.push(s);
  });
  return out;
}

function udnDraft(mo: ManifestObject, p: Problems): NetDraft | undefined {
  const o = mo.object;
  const ns = o.metadata.namespace ?? 'default';
  const spec = isRecord(o.spec) ? o.spec : {};
  const topology = topologyOf(spec.topology);
  if (!topology || topology === 'Localnet') {
    p.error(mo, `UserDefinedNetwork topology must be Layer2 or Layer3, got ${JSON.stringify(spec.topology)}`, 'spec.topology');
    return undefined;
  }
  const key = topology === 'Layer3' ? 'layer3' : 'layer2';
  const cfg = isRecord(spec[key]) ? spec[key] : {};
  return topoDraft(mo, cfg, topology, `udn:${ns}/${o.metadata.name}`, `${ns}_${o.metadata.name}`, `spec.${key}`, 'udn', p);
}

function cudnDraft(mo: ManifestObject, p: Problems): NetDraft | undefined {
  const o = mo.object;
  const spec = isRecord(o.spec) ? o.spec : {};
  const network = isRecord(spec.network) ? spec.network : {};
  const topology = topologyOf(network.topology);
  if (!topology) {
    p.error(mo, `ClusterUserDefinedNetwork topology must be Layer2, Layer3 or Localnet, got ${JSON.stringify(network.topology)}`, 'spec.network.topology');
    return undefined;
  }
  const key = topology.toLowerCase();
  const cfg = isRecord(network[key]) ? network[key] : {};
  const d = topoDraft(mo, cfg, topology, `cudn:${o.metadata.name}`, `cluster_udn_${o.metadata.name}`, `spec.network.${key}`, 'cudn', p);
  if (!d) return undefined;
  // a missing or null selector (`matchLabels:` with nothing under it) selects every namespace
  const sel = spec.namespaceSelector;
  d.selector = isRecord(sel) ? normalizeSelector(sel) : {};
  return d;
}

function normalizeSelector(sel: Record<string, unknown>): LabelSelector {
  const out: LabelSelector = {};
  if (isRecord(sel.matchLabels)) {
    const ml: Record<string, string> = {};
    for (const [k, v] of Object.entries(sel.matchLabels)) if (typeof v === 'string') ml[k] = v;
    out.matchLabels = ml;
  }
  if (Array.isArray(sel.matchExpressions)) out.matchExpressions = sel.matchExpressions.filter(isRecord) as unknown as LabelSelector['matchExpressions'];
  return out;
}

/** Shared by UDN and CUDN: the layer2/layer3/localnet block. */
function topoDraft(
  mo: ManifestObject, cfg: Record<string, unknown>, topology: Topology, id: string, ovnName: string,
  path: string, kind: 'udn' | 'cudn', p: Problems,
): NetDraft | undefined {
  const role = topology === 'Localnet' ? roleOf(cfg.role) ?? 'secondary' : roleOf(cfg.role);
  if (!role) {
    p.error(mo, `${path}.role must be Primary or Secondary`, `${path}.role`);
    return undefined;
  }
  const net = emptyNet(id, ovnName, role, topology, refOf(mo));
  net.cniType = OVN_CNI_TYPE;
  const ipam = isRecord(cfg.ipam) ? cfg.ipam : {};
  const ipamDisabled = ipam.mode === 'Disabled';
  net.subnets = ipamDisabled ? [] : subnetsOf(topology, cfg.subnets, mo, `${path}.subnets`, p);
  const exclude = [...strList(cfg.excludeSubnets), ...strList(cfg.reservedSubnets), ...strList(cfg.infrastructureSubnets)];
  checkCIDRs(exclude, mo, path, p);
  net.excludeSubnets = exclude;
  if (role === 'primary') {
    const join = strList(cfg.joinSubnets);
    net.joinSubnets = join.length > 0 ? join : familyDefaults(net.subnets, DEFAULT_UDN_JOIN_V4, DEFAULT_UDN_JOIN_V6);
    if (topology === 'Layer2') net.transitSubnets = familyDefaults(net.subnets, DEFAULT_TRANSIT_V4, DEFAULT_TRANSIT_V6);
  }
  if (typeof cfg.mtu === 'number') net.mtu = cfg.mtu;
  if (topology === 'Localnet') {
    if (typeof cfg.physicalNetworkName === 'string') net.physicalNetworkName = cfg.physicalNetworkName;
    const vlan = isRecord(cfg.vlan) && isRecord(cfg.vlan.access) ? cfg.vlan.access.id : undefined;
    if (typeof vlan === 'number') net.vlanId = vlan;
  }
  return {
    net, kind, mos: [mo],
    reserveInfra: topology === 'Layer3' || (topology === 'Layer2' && role === 'primary'),
    gateways: role === 'primary' && (topology === 'Layer3' || topology === 'Layer2'),
    defaultGatewayIPs: strList(cfg.defaultGatewayIPs),
    staticIPs: [],
  };
}

/** NAD spec.config parsed as JSON; a trailing comma (which Go's encoder rejects) is repaired with a notice. */
function parseNadConfig(mo: ManifestObject, p: Problems): Record<string, unknown> | undefined {
  const spec = isRecord(mo.object.spec) ? mo.object.spec : {};
  const text = spec.config;
  if (typeof text !== 'string' || text.trim() === '') {
    // a NAD without config names a CNI config file on the node: opaque to udnc
    return {};
  }
  try {
    const v: unknown = JSON.parse(text);
    if (isRecord(v)) return v;
  } catch {
    const repaired = text.replace(/,(\s*[}\]])/g, '$1');
    try {
      const v: unknown = JSON.parse(repaired);
      if (isRecord(v)) {
        p.notice(`NetworkAttachmentDefinition ${mo.object.metadata.namespace}/${mo.object.metadata.name}: spec.config is not valid JSON (trailing comma); read it leniently`, refOf(mo));
        return v;
      }
    } catch {
      /* reported below */
    }
  }
  p.error(mo, 'spec.config is not a JSON object', 'spec.config');
  return undefined;
}

interface ParsedNad {
  mo: ManifestObject;
  ns: string;
  name: string;
  cfg: Record<string, unknown>;
  type: string;
  netName: string;
}

function nadType(cfg: Record<string, unknown>): string {
  if (typeof cfg.type === 'string') return cfg.type;
  if (Array.isArray(cfg.plugins) && isRecord(cfg.plugins[0]) && typeof cfg.plugins[0].type === 'string') return cfg.plugins[0].type;
  return '';
}

/** The fields of an OVN NAD config that must agree across the NADs of one network. */
function nadSignature(d: NetDraft): string {
  const n = d.net;
  return JSON.stringify([n.topology, n.role, n.subnets, n.excludeSubnets, n.joinSubnets, n.mtu ?? null, n.vlanId ?? null, n.physicalNetworkName ?? null]);
}

function ovnNadDraft(nad: ParsedNad, p: Problems): NetDraft | undefined {
  const { cfg, mo } = nad;
  const topology = topologyOf(cfg.topology) ?? 'Layer3';
  if (cfg.topology !== undefined && !topologyOf(cfg.topology)) {
    p.error(mo, `unknown topology ${JSON.stringify(cfg.topology)} in spec.config`, 'spec.config');
    return undefined;
  }
  const role = cfg.role === undefined ? 'secondary' : roleOf(cfg.role);
  if (!role) {
    p.error(mo, `unknown role ${JSON.stringify(cfg.role)} in spec.config`, 'spec.config');
    return undefined;
  }
  if (typeof cfg.netAttachDefName === 'string' && cfg.netAttachDefName !== `${nad.ns}/${nad.name}`) {
    // ovn-kubernetes ValidateNetConf: "net-attach-def name (...) is inconsistent with config (...)"
    p.error(mo, `netAttachDefName ${cfg.netAttachDefName} in spec.config does not name this NetworkAttachmentDefinition (${nad.ns}/${nad.name})`, 'spec.config');
    return undefined;
  }
  const net = emptyNet(`nad:${nad.ns}/${nad.name}`, nad.netName, role, topology, refOf(mo));
  net.cniType = OVN_CNI_TYPE;
  net.subnets = subnetsOf(topology, strList(cfg.subnets), mo, 'spec.config.subnets', p);
  const exclude = [...strList(cfg.excludeSubnets), ...strList(cfg.reservedSubnets), ...strList(cfg.infrastructureSubnets)];
  checkCIDRs(exclude, mo, 'spec.config', p);
  net.excludeSubnets = exclude;
  if (role === 'primary') {
    const join = strList(cfg.joinSubnet);
    net.joinSubnets = join.length > 0 ? join : familyDefaults(net.subnets, DEFAULT_UDN_JOIN_V4, DEFAULT_UDN_JOIN_V6);
    if (topology === 'Layer2') {
      const tr = strList(cfg.transitSubnet);
      net.transitSubnets = tr.length > 0 ? tr : familyDefaults(net.subnets, DEFAULT_TRANSIT_V4, DEFAULT_TRANSIT_V6);
    }
  }
  if (typeof cfg.mtu === 'number') net.mtu = cfg.mtu;
  if (typeof cfg.vlanID === 'number') net.vlanId = cfg.vlanID;
  if (typeof cfg.physicalNetworkName === 'string') net.physicalNetworkName = cfg.physicalNetworkName;
  const d: NetDraft = {
    net, kind: 'nad', mos: [mo],
    reserveInfra: topology === 'Layer3' || (topology === 'Layer2' && role === 'primary'),
    gateways: role === 'primary' && (topology === 'Layer3' || topology === 'Layer2'),
    defaultGatewayIPs: strList(cfg.defaultGatewayIPs),
    staticIPs: [],
  };
  const idAnn = mo.object.metadata.annotations?.['k8s.ovn.org/network-id'];
  if (idAnn !== undefined && /^\d+$/.test(idAnn)) d.requestedId = Number(idAnn);
  return d;
}

function foreignNadDraft(nad: ParsedNad): NetDraft {
  const net = emptyNet(`nad:${nad.ns}/${nad.name}`, nad.netName, 'secondary', 'Layer2', refOf(nad.mo));
  net.ovn = false;
  net.cniType = nad.type || 'unknown';
  net.networkId = -1;
  net.namespaces = [nad.ns];
  // static IPAM ranges are recorded so reports can show what the interface would get
  const ipam = isRecord(nad.cfg.ipam) ? nad.cfg.ipam : {};
  if (typeof ipam.range === 'string' && parseCIDR(ipam.range)) net.subnets = [{ cidr: ipam.range }];
  if (typeof nad.cfg.mtu === 'number') net.mtu = nad.cfg.mtu;
  const staticIPs: string[] = [];
  if (ipam.type === 'static' && Array.isArray(ipam.addresses)) {
    for (const a of ipam.addresses) if (isRecord(a) && typeof a.address === 'string') staticIPs.push(a.address);
  }
  return { net, kind: 'nad', mos: [nad.mo], reserveInfra: false, gateways: false, defaultGatewayIPs: [], staticIPs };
}

/**
 * Builds every network, resolves each namespace's primary network (mutating `namespaces`), and
 * reports the cluster's errors. `namespaces` must be complete (including implicit ones).
 */
export function buildNetworks(
  objs: ManifestObject[], config: ClusterConfig, namespaces: Map<string, NsDraft>, p: Problems,
): NetworksResult {
  const drafts: NetDraft[] = [defaultNetwork(config)];
  const nads = new Map<string, NadTarget>();
  const udns: NetDraft[] = [];
  const cudns: NetDraft[] = [];
  const nadObjs: ParsedNad[] = [];
  for (const mo of objs) {
    switch (mo.object.kind) {
      case 'UserDefinedNetwork': {
        const d = udnDraft(mo, p);
        if (d) udns.push(d);
        break;
      }
      case 'ClusterUserDefinedNetwork': {
        const d = cudnDraft(mo, p);
        if (d) cudns.push(d);
        break;
      }
      case 'NetworkAttachmentDefinition': {
        const cfg = parseNadConfig(mo, p);
        if (!cfg) break;
        const ns = mo.object.metadata.namespace ?? 'default';
        const name = mo.object.metadata.name;
        nadObjs.push({ mo, ns, name, cfg, type: nadType(cfg), netName: typeof cfg.name === 'string' && cfg.name ? cfg.name : name });
        break;
      }
      default:
        break;
    }
  }

  // --- (C)UDN namespaces and rendered NADs ---
  for (const d of udns) {
    const ns = d.mos[0]!.object.metadata.namespace ?? 'default';
    d.net.namespaces = [ns];
    nads.set(`${ns}/${d.mos[0]!.object.metadata.name}`, { network: d.net.id, nadKey: `${ns}/${d.mos[0]!.object.metadata.name}` });
  }
  for (const d of cudns) {
    const mo = d.mos[0]!;
    const selected: string[] = [];
    for (const ns of [...namespaces.values()].sort((a, b) => cmp(a.name, b.name))) {
      if (!matchesSelector(d.selector, ns.labels)) continue;
      if (d.net.role === 'primary' && !(PRIMARY_UDN_LABEL in ns.labels)) {
        if (ns.implicit) {
          ns.labels[PRIMARY_UDN_LABEL] = '';
        } else {
          // ovn-kubernetes renders no NAD there (InvalidPrimaryNetworkError) and carries on
          p.notice(`ClusterUserDefinedNetwork ${mo.object.metadata.name} selects namespace ${ns.name}, which lacks label ${PRIMARY_UDN_LABEL}: not attached there`, refOf(mo));
          continue;
        }
      }
      selected.push(ns.name);
      nads.set(`${ns.name}/${mo.object.metadata.name}`, { network: d.net.id, nadKey: `${ns.name}/${mo.object.metadata.name}` });
    }
    d.net.namespaces = selected;
    if (selected.length === 0) p.notice(`ClusterUserDefinedNetwork ${mo.object.metadata.name} selects no namespace`, refOf(mo));
  }
  const udnByName = new Map<string, NetDraft>();
  for (const d of [...udns, ...cudns]) udnByName.set(d.net.ovnName, d);

  // --- explicit NADs ---
  const ovnGroups = new Map<string, NetDraft>();
  const nadDrafts: NetDraft[] = [];
  for (const nad of nadObjs.sort((a, b) => cmp(`${a.ns}/${a.name}`, `${b.ns}/${b.name}`))) {
    const key = `${nad.ns}/${nad.name}`;
    const existing = nads.get(key);
    if (nad.type === OVN_CNI_TYPE) {
      const rendered = udnByName.get(nad.netName);
      if (rendered) {
        // the NAD ovn-kubernetes rendered for a (C)UDN, e.g. from a cluster dump: the (C)UDN is the source of truth
        if (existing && existing.network === rendered.net.id) {
          p.notice(`NetworkAttachmentDefinition ${key} is the rendering of ${describe(rendered.net.owner)}; using the latter`, refOf(nad.mo));
          continue;
        }
        p.error(nad.mo, `NetworkAttachmentDefinition ${key} uses network name ${nad.netName}, which belongs to ${describe(rendered.net.owner)}`, 'spec.config');
        continue;
      }
    }
    if (existing) {
      const owner = drafts.concat(udns, cudns).find((x) => x.net.id === existing.network);
      p.error(nad.mo, `NetworkAttachmentDefinition ${key} conflicts with ${owner ? describe(owner.net.owner) : existing.network}, which renders a NAD of the same name`);
      continue;
    }
    if (nad.type !== OVN_CNI_TYPE) {
      const d = foreignNadDraft(nad);
      nadDrafts.push(d);
      nads.set(key, { network: d.net.id, nadKey: key });
      p.notice(`NetworkAttachmentDefinition ${key} (CNI type ${d.net.cniType}) is outside OVN: udnc records it but compiles nothing for it`, refOf(nad.mo));
      continue;
    }
    const d = ovnNadDraft(nad, p);
    if (!d) continue;
    const group = ovnGroups.get(nad.netName);
    if (group) {
      // NADs naming the same network share it (one logical switch); their configs must agree
      if (nadSignature(group) !== nadSignature(d)) {
        p.error(nad.mo, `NetworkAttachmentDefinition ${key} defines network ${nad.netName} differently from ${describe(group.net.owner)}`, 'spec.config');
        continue;
      }
      group.mos.push(nad.mo);
      if (!group.net.namespaces.includes(nad.ns)) group.net.namespaces = [...group.net.namespaces, nad.ns];
      if (d.requestedId !== undefined) group.requestedId ??= d.requestedId;
      nads.set(key, { network: group.net.id, nadKey: key });
      continue;
    }
    d.net.namespaces = [nad.ns];
    ovnGroups.set(nad.netName, d);
    nadDrafts.push(d);
    nads.set(key, { network: d.net.id, nadKey: key });
  }
  drafts.push(...udns, ...cudns, ...nadDrafts);

  resolvePrimaries(drafts, namespaces, p);
  checkOverlaps(drafts, config, p);
  assignNetworkIds(drafts, p);
  for (const d of drafts) {
    if (d.net.ovn && d.net.role === 'primary' && d.net.subnets.length === 0) {
      // the UDN CRD's CEL rules forbid this; a NAD can still say it
      p.notice(`primary network ${d.net.ovnName} has no subnets: its pods get no IP on it`, d.net.owner);
    }
  }
  const keysByNet = new Map<string, string[]>();
  for (const [key, t] of nads) pushTo(keysByNet, t.network, key);
  for (const d of drafts) {
    d.net.namespaces = [...d.net.namespaces].sort(cmp);
    const keys = keysByNet.get(d.net.id);
    if (keys) d.net.nads = keys.sort(cmp);
  }
  return { drafts, nads };
}

function resolvePrimaries(drafts: NetDraft[], namespaces: Map<string, NsDraft>, p: Problems): void {
  const candidates = new Map<string, NetDraft[]>();
  for (const d of drafts) {
    if (d.net.role !== 'primary') continue;
    for (const ns of d.net.namespaces) {
      const nsd = namespaces.get(ns);
      if (!nsd) continue; // a missing namespace is reported by the caller
      if (d.kind !== 'cudn' && !(PRIMARY_UDN_LABEL in nsd.labels)) {
        if (nsd.implicit) {
          nsd.labels[PRIMARY_UDN_LABEL] = '';
        } else {
          p.error(d.mos[0], `primary network ${d.net.ovnName} in namespace ${ns}, which lacks label ${PRIMARY_UDN_LABEL} (it must be set when the namespace is created): ${describe(nsd.ref)}`);
          continue;
        }
      }
      const list = candidates.get(ns) ?? [];
      list.push(d);
      candidates.set(ns, list);
    }
  }
  for (const ns of [...namespaces.values()].sort((a, b) => cmp(a.name, b.name))) {
    const list = candidates.get(ns.name) ?? [];
    if (list.length > 1) {
      const first = list[0]!;
      p.error(first.mos[0], `namespace ${ns.name} has more than one primary network: ${list.map((d) => `${d.net.ovnName} (${describe(d.net.owner)})`).join(', ')}`);
      continue;
    }
    if (list.length === 1) {
      ns.primaryNetwork = list[0]!.net.id;
      continue;
    }
    if (PRIMARY_UDN_LABEL in ns.labels) {
      if (ns.hasPods) {
        p.error(undefined, `namespace ${ns.name} has label ${PRIMARY_UDN_LABEL} but no primary UserDefinedNetwork: ovn-kubernetes fails pod setup there (${describe(ns.ref)})`);
        const last = p.errors[p.errors.length - 1]!;
        if (ns.ref.source) last.source = ns.ref.source;
      } else {
        p.notice(`namespace ${ns.name} has label ${PRIMARY_UDN_LABEL} but no primary network; it has no pods`, ns.ref);
      }
    }
  }
  // the default network serves every namespace whose primary it is
  const def = drafts.find((d) => d.kind === 'default')!;
  def.net.namespaces = [...namespaces.values()].filter((n) => n.primaryNetwork === 'default').map((n) => n.name);
  // primary networks serve only the namespaces they won
  for (const d of drafts) {
    if (d.net.role === 'primary') d.net.namespaces = d.net.namespaces.filter((ns) => namespaces.get(ns)?.primaryNetwork === d.net.id);
  }
}

/**
 * UDN subnets may not overlap the cluster's own ranges (ovn-kubernetes refuses such a network).
 * When the cluster and service networks are udnc's kind-like guess rather than a Network object,
 * an overlap with them is only a notice: the real cluster's ranges are unknown.
 */
function checkOverlaps(drafts: NetDraft[], config: ClusterConfig, p: Problems): void {
  const guessed = config.from === 'defaults';
  const reserved: Array<[string, string, boolean]> = [
    ...config.clusterNetwork.map((c): [string, string, boolean] => [c.cidr, 'cluster network', guessed]),
    ...config.serviceNetwork.map((c): [string, string, boolean] => [c, 'service network', guessed]),
    [config.joinSubnet, 'default join subnet', false],
    [config.masqueradeSubnet, 'masquerade subnet', false],
    [config.udnMasqueradeSubnet, 'UDN masquerade subnet', false],
  ];
  for (const d of drafts) {
    if (d.kind === 'default' || !d.net.ovn) continue;
    for (const s of d.net.subnets) {
      const a = parseCIDR(s.cidr);
      if (!a) continue;
      for (const [r, what, soft] of reserved) {
        const b = parseCIDR(r);
        if (!b || !cidrOverlaps(a, b)) continue;
        const msg = `subnet ${s.cidr} of network ${d.net.ovnName} overlaps the ${what} ${r}`;
        if (soft) p.notice(`${msg} (udnc's default; the real cluster's may differ)`, d.net.owner);
        else p.error(d.mos[0], msg);
      }
    }
  }
}

function assignNetworkIds(drafts: NetDraft[], p: Problems): void {
  const used = new Map<number, NetDraft>();
  const ovn = drafts.filter((d) => d.kind !== 'default' && d.net.ovn).sort((a, b) => cmp(a.net.ovnName, b.net.ovnName));
  for (const d of ovn) {
    if (d.requestedId === undefined) continue;
    const other = used.get(d.requestedId);
    if (d.requestedId === 0 || other) {
      p.error(d.mos[0], `network id ${d.requestedId} (annotation k8s.ovn.org/network-id) is already used${other ? ` by ${other.net.ovnName}` : ' by the default network'}`);
      continue;
    }
    used.set(d.requestedId, d);
    d.net.networkId = d.requestedId;
  }
  let next = 1;
  for (const d of ovn) {
    if (d.requestedId !== undefined && used.get(d.requestedId) === d) continue;
    while (used.has(next)) next++;
    used.set(next, d);
    d.net.networkId = next;
  }
}
