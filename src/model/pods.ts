/**
 * Pod network attachments: which networks each pod joins, and its IPs and MACs on them.
 *
 * Attachment order: the primary network first (eth0 on the default network, or ovn-udn1 on a
 * primary UDN followed by the default-network eth0 with role infrastructure), then secondary
 * networks in the order of the k8s.v1.cni.cncf.io/networks annotation (net1, net2, ... unless an
 * interface is named).
 *
 * IPAM is two passes so that the result does not depend on input order: first every address a pod
 * already has (status.podIPs, the k8s.ovn.org/pod-networks annotation, static `ips` in a network
 * selection) is reserved, then pods without one get the next free address, in (namespace, name)
 * order. Completed (Succeeded/Failed), hostNetwork and unscheduled pods get no attachments.
 */
import { createHash } from 'node:crypto';
import { type CIDR, cidrContains, formatIP, ipToMAC, parseCIDR, parseIP } from './ip.js';
import { allocateHostSubnets, Pool } from './ipam.js';
import type { NetDraft, NetworksResult, NsDraft } from './networks.js';
import type { Attachment, Pod } from './types.js';
import { cmp, isRecord, type Problems } from './util.js';
import type { PodDraft } from './workloads.js';

export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';
export const POD_NETWORKS_ANNOTATION = 'k8s.ovn.org/pod-networks';
export const NODE_SUBNETS_ANNOTATION = 'k8s.ovn.org/node-subnets';

export interface AttachOptions {
  reallocateConflictingIPs?: boolean;
  ignoreUnknownNetworks?: boolean;
}

export interface ScheduledDraft extends PodDraft {
  node: string; // '' = unscheduled
}

/** One element of a Multus network selection annotation. */
export interface NetworkSelection {
  name: string;
  namespace?: string;
  interface?: string;
  ips?: string[];
  mac?: string;
}

/** Parses `k8s.v1.cni.cncf.io/networks`: a JSON list, or `[ns/]name[@iface]` separated by commas. */
export function parseNetworkSelections(text: string): NetworkSelection[] | string {
  const t = text.trim();
  if (t === '') return [];
  if (t.startsWith('[') || t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      return 'not valid JSON';
    }
    const list = Array.isArray(v) ? v : [v];
    const out: NetworkSelection[] = [];
    for (const e of list) {
      if (!isRecord(e) || typeof e.name !== 'string' || e.name === '') return 'every element needs a name';
      const s: NetworkSelection = { name: e.name };
      if (typeof e.namespace === 'string' && e.namespace) s.namespace = e.namespace;
      if (typeof e.interface === 'string' && e.interface) s.interface = e.interface;
      if (Array.isArray(e.ips)) s.ips = e.ips.filter((x): x is string => typeof x === 'string');
      if (typeof e.mac === 'string' && e.mac) s.mac = e.mac.toLowerCase();
      out.push(s);
    }
    return out;
  }
  return t.split(',').map((raw) => raw.trim()).filter((x) => x !== '').map((item) => {
    let rest = item;
    const s: NetworkSelection = { name: '' };
    const at = rest.indexOf('@');
    if (at >= 0) {
      s.interface = rest.slice(at + 1);
      rest = rest.slice(0, at);
    }
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      s.namespace = rest.slice(0, slash);
      rest = rest.slice(slash + 1);
    }
    s.name = rest;
    return s;
  });
}

interface Want {
  net: NetDraft;
  role: Attachment['role'];
  iface: string;
  nad?: string;
  /** requested addresses (with or without prefix) and where they came from */
  requested?: { ips: string[]; from: string };
  mac?: string;
  // results
  ips: string[];
  gateways: string[];
}

interface PodWork {
  d: ScheduledDraft;
  wants: Want[];
}

/** Per network: pools by node (Layer3) or one set of pools (Layer2/Localnet), and who holds each IP. */
export class NetIPAM {
  readonly byNode = new Map<string, Pool[]>();
  readonly flat: Pool[] = [];
  readonly owners = new Map<string, string>();
  readonly subnetCIDRs: Array<{ c: CIDR; hostSubnet?: number }> = [];
  readonly ipam: boolean;

  constructor(readonly d: NetDraft) {
    for (const s of d.net.subnets) {
      const c = parseCIDR(s.cidr);
      if (c) this.subnetCIDRs.push(s.hostSubnet !== undefined ? { c, hostSubnet: s.hostSubnet } : { c });
    }
    this.ipam = d.net.ovn && this.subnetCIDRs.length > 0;
  }

  pools(node: string): Pool[] {
    return this.d.net.topology === 'Layer3' ? this.byNode.get(node) ?? [] : this.flat;
  }

  allPools(): Pool[] {
    return this.d.net.topology === 'Layer3' ? [...this.byNode.values()].flat() : this.flat;
  }
}

function excludesOf(d: NetDraft): CIDR[] {
  const out: CIDR[] = [];
  for (const s of d.net.excludeSubnets) {
    const c = parseCIDR(s) ?? parseCIDR(`${s}/${s.includes(':') ? 128 : 32}`);
    if (c) out.push(c);
  }
  for (const g of d.defaultGatewayIPs) {
    const c = parseCIDR(`${g.split('/')[0]}/${g.includes(':') ? 128 : 32}`);
    if (c) out.push(c);
  }
  return out;
}

/** Host subnets recorded on Node objects (`k8s.ovn.org/node-subnets`): network name → node → CIDRs. */
export function presetHostSubnets(
  nodes: ReadonlyArray<{ name: string; annotations: Readonly<Record<string, string>> }>, p?: Problems,
): Map<string, Map<string, string[]>> {
  const presetByNet = new Map<string, Map<string, string[]>>();
  for (const n of nodes) {
    const raw = n.annotations[NODE_SUBNETS_ANNOTATION];
    if (raw === undefined) continue;
    let v: unknown;
    try { v = JSON.parse(raw); } catch { p?.notice(`node ${n.name}: annotation ${NODE_SUBNETS_ANNOTATION} is not JSON; ignored`); continue; }
    if (!isRecord(v)) continue;
    for (const [netName, val] of Object.entries(v)) {
      const list = typeof val === 'string' ? [val] : Array.isArray(val) ? val.filter((x): x is string => typeof x === 'string') : [];
      const m = presetByNet.get(netName) ?? new Map<string, string[]>();
      m.set(n.name, list);
      presetByNet.set(netName, m);
    }
  }
  return presetByNet;
}

/** Host subnets of every Layer3 network (default included) for every node; fills Network.hostSubnets. */
export function assignHostSubnets(
  nets: NetworksResult, nodes: ReadonlyArray<{ name: string; annotations: Readonly<Record<string, string>> }>, p: Problems,
): Map<string, NetIPAM> {
  const out = new Map<string, NetIPAM>();
  const presetByNet = presetHostSubnets(nodes, p);
  const nodeNames = nodes.map((n) => n.name);
  for (const d of nets.drafts) {
    const ni = new NetIPAM(d);
    out.set(d.net.id, ni);
    if (!ni.ipam) continue;
    const excludes = excludesOf(d);
    if (d.net.topology === 'Layer3') {
      const { byNode, problems } = allocateHostSubnets(d.net.subnets, nodeNames, presetByNet.get(d.net.ovnName) ?? new Map());
      for (const msg of problems) p.error(d.mos[0], `network ${d.net.ovnName}: ${msg}`);
      const hs: Record<string, string[]> = {};
      for (const node of nodeNames) {
        const list = byNode.get(node) ?? [];
        hs[node] = list;
        ni.byNode.set(node, list.map((s) => new Pool(parseCIDR(s)!, excludes, true)));
      }
      d.net.hostSubnets = hs;
    } else {
      for (const { c } of ni.subnetCIDRs) ni.flat.push(new Pool(c, excludes, d.reserveInfra));
    }
  }
  return out;
}

function hashMAC(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  return ['0a', '58', ...[...h.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Resolves a pod's wanted attachments (no IPs yet). */
function wantsFor(
  d: ScheduledDraft, ns: NsDraft | undefined, nets: NetworksResult, byId: Map<string, NetDraft>, p: Problems, opts: AttachOptions,
): Want[] {
  if (d.hostNetwork || d.node === '' || d.phase === 'Succeeded' || d.phase === 'Failed') return [];
  const wants: Want[] = [];
  const def = byId.get('default')!;
  const primary = ns && ns.primaryNetwork !== 'default' ? byId.get(ns.primaryNetwork) : undefined;
  if (primary) {
    const nadKey = (primary.net.nads ?? []).find((k) => k.startsWith(`${d.namespace}/`));
    const w: Want = { net: primary, role: 'primary', iface: 'ovn-udn1', ips: [], gateways: [] };
    if (nadKey) w.nad = nadKey;
    wants.push(w);
    wants.push({ net: def, role: 'infrastructure', iface: 'eth0', ips: [], gateways: [] });
  } else {
    wants.push({ net: def, role: 'primary', iface: 'eth0', ips: [], gateways: [] });
  }
  const ann = d.annotations[NETWORKS_ANNOTATION];
  if (ann !== undefined) {
    const sel = parseNetworkSelections(ann);
    if (typeof sel === 'string') {
      p.error(d.mo, `pod ${d.namespace}/${d.name}: annotation ${NETWORKS_ANNOTATION} is invalid: ${sel}`);
    } else {
      let idx = 0;
      for (const s of sel) {
        idx++;
        const key = `${s.namespace ?? d.namespace}/${s.name}`;
        const t = nets.nads.get(key);
        const net = t ? byId.get(t.network) : undefined;
        if (!t || !net) {
          const msg = `pod ${d.namespace}/${d.name}: network ${key} in annotation ${NETWORKS_ANNOTATION} does not exist (no NetworkAttachmentDefinition, secondary UserDefinedNetwork or ClusterUserDefinedNetwork of that name)`;
          if (opts.ignoreUnknownNetworks) p.notice(`${msg}; attachment skipped`, d.ref);
          else p.error(d.mo, msg);
          continue;
        }
        if (net.net.role === 'primary') {
          p.error(d.mo, `pod ${d.namespace}/${d.name}: ${key} is a primary network and cannot be requested as a secondary attachment`);
          continue;
        }
        const w: Want = { net, role: 'secondary', iface: s.interface ?? `net${idx}`, nad: key, ips: [], gateways: [] };
        if (s.ips && s.ips.length > 0) w.requested = { ips: s.ips, from: `${NETWORKS_ANNOTATION} ips` };
        else if (!net.net.ovn && net.staticIPs.length > 0) w.requested = { ips: net.staticIPs, from: 'static IPAM of the NAD' };
        if (s.mac) w.mac = s.mac;
        wants.push(w);
      }
    }
  }
  // k8s.ovn.org/pod-networks: what ovn-kubernetes already wrote (e.g. a dump of a live cluster)
  const pn = d.annotations[POD_NETWORKS_ANNOTATION];
  if (pn !== undefined) {
    let v: unknown;
    try { v = JSON.parse(pn); } catch { v = undefined; }
    if (!isRecord(v)) {
      p.error(d.mo, `pod ${d.namespace}/${d.name}: annotation ${POD_NETWORKS_ANNOTATION} is not a JSON object`);
    } else {
      for (const [key, val] of Object.entries(v)) {
        if (!isRecord(val)) continue;
        const w = key === 'default'
          ? wants.find((x) => x.net.kind === 'default')
          : wants.find((x) => x.nad === key || (x.net.net.id === nets.nads.get(key)?.network && x.net.kind !== 'default'));
        if (!w) {
          p.notice(`pod ${d.namespace}/${d.name}: ${POD_NETWORKS_ANNOTATION} names ${key}, which the pod is not attached to; ignored`, d.ref);
          continue;
        }
        const ips = Array.isArray(val.ip_addresses) ? val.ip_addresses.filter((x): x is string => typeof x === 'string')
          : typeof val.ip_address === 'string' ? [val.ip_address] : [];
        if (ips.length > 0) w.requested = { ips, from: POD_NETWORKS_ANNOTATION };
        if (typeof val.mac_address === 'string' && val.mac_address) w.mac = val.mac_address.toLowerCase();
      }
    }
  }
  if (d.statusIPs.length > 0) {
    const w = wants.find((x) => x.net.kind === 'default')!;
    if (w.requested) {
      const a = new Set(w.requested.ips.map((x) => bare(x)));
      const b = new Set(d.statusIPs.map((x) => bare(x)));
      if (a.size !== b.size || [...a].some((x) => !b.has(x))) {
        p.error(d.mo, `pod ${d.namespace}/${d.name}: status.podIPs ${d.statusIPs.join(',')} disagree with ${w.requested.from} ${w.requested.ips.join(',')}`);
      }
    } else {
      w.requested = { ips: d.statusIPs, from: 'status.podIPs' };
    }
  }
  return wants;
}

function bare(ip: string): string {
  const a = ip.split('/')[0]!;
  return parseIP(a) ? formatIP(parseIP(a)!) : a;
}

/** Attaches every pod and runs IPAM. Returns pods sorted by (namespace, name). */
export function attachPods(
  drafts: ScheduledDraft[], nets: NetworksResult, ipams: Map<string, NetIPAM>,
  namespaces: Map<string, NsDraft>, p: Problems, opts: AttachOptions = {},
): Pod[] {
  const reallocateConflicts = opts.reallocateConflictingIPs === true;
  const conflicted = new Set<Want>();
  const byId = new Map(nets.drafts.map((d) => [d.net.id, d]));
  const sorted = [...drafts].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  const work: PodWork[] = sorted.map((d) => ({ d, wants: wantsFor(d, namespaces.get(d.namespace), nets, byId, p, opts) }));

  // pass 1: addresses pods already have
  for (const { d, wants } of work) {
    for (const w of wants) {
      if (!w.requested) continue;
      const ni = ipams.get(w.net.net.id)!;
      const who = `${d.namespace}/${d.name}`;
      for (const raw of w.requested.ips) {
        const [addr, plen] = raw.split('/');
        const ip = parseIP(addr ?? '');
        if (!ip) {
          p.error(d.mo, `pod ${who}: ${w.requested.from} holds an invalid IP ${JSON.stringify(raw)}`);
          continue;
        }
        const text = formatIP(ip);
        if (!w.net.net.ovn) {
          // outside OVN: record what the pod asked for; OVN does not police these addresses
          w.ips.push(plen !== undefined ? `${text}/${plen}` : text);
          continue;
        }
        const owner = ni.owners.get(text);
        if (owner !== undefined) {
          const msg = `pod ${who}: IP ${text} on network ${w.net.net.ovnName} (${w.requested.from}) is already used by ${owner}`;
          if (reallocateConflicts) {
            p.notice(`${msg}; allocating a fresh one`, d.ref);
            conflicted.add(w);
            break;
          }
          p.error(d.mo, msg);
          continue;
        }
        ni.owners.set(text, `pod ${who}`);
        const pool = ni.pools(d.node).find((pl) => pl.contains(ip));
        if (pool) {
          if (pool.isReservedInfra(ip)) {
            p.error(d.mo, `pod ${who}: IP ${text} (${w.requested.from}) is the gateway or management port address of ${formatIP({ v6: ip.v6, n: pool.cidr.base })}/${pool.cidr.prefix}`);
            continue;
          }
          const why = pool.blocked(ip);
          if (why) {
            p.error(d.mo, `pod ${who}: IP ${text} (${w.requested.from}) is ${why}`);
            continue;
          }
          pool.take(ip);
          w.ips.push(pool.withPrefix(ip));
          if (w.net.gateways && pool.gateway) w.gateways.push(formatIP(pool.gateway));
        } else {
          // Not in the pod's node subnet: a real node would never have handed it out. Keep it (the
          // input says the pod has it) with the prefix of the network subnet containing it, and
          // keep other pods off it.
          ni.allPools().find((pl) => pl.contains(ip))?.take(ip);
          const s = ni.subnetCIDRs.find((x) => cidrContains(x.c, ip));
          const len = plen ?? String(s ? s.hostSubnet ?? s.c.prefix : ip.v6 ? 128 : 32);
          w.ips.push(`${text}/${len}`);
          if (ni.ipam) p.notice(`pod ${who}: IP ${text} (${w.requested.from}) is outside the ${w.net.net.topology === 'Layer3' ? `host subnet of node ${d.node || '(none)'}` : 'subnets'} of network ${w.net.net.ovnName}; kept as given`, d.ref);
        }
      }
    }
  }

  // pass 2: allocate the rest
  const exhausted = new Map<Pool, { count: number; first: ScheduledDraft; net: string }>();
  for (const { d, wants } of work) {
    for (const w of wants) {
      if (conflicted.has(w)) {
        // forget what this attachment got before the conflict; other pods keep theirs
        w.ips = [];
        w.gateways = [];
        delete w.mac;
      } else if (w.requested || !w.net.net.ovn) {
        continue;
      }
      const ni = ipams.get(w.net.net.id)!;
      if (!ni.ipam) continue;
      const pools = ni.pools(d.node);
      if (pools.length === 0) {
        p.error(d.mo, `pod ${d.namespace}/${d.name}: node ${d.node} has no host subnet on network ${w.net.net.ovnName}`);
        continue;
      }
      for (const pool of pools) {
        const ip = pool.allocate();
        if (!ip) {
          const ex = exhausted.get(pool);
          if (ex) ex.count++;
          else exhausted.set(pool, { count: 1, first: d, net: w.net.net.ovnName });
          continue;
        }
        ni.owners.set(formatIP(ip), `pod ${d.namespace}/${d.name}`);
        w.ips.push(pool.withPrefix(ip));
        if (w.net.gateways && pool.gateway) w.gateways.push(formatIP(pool.gateway));
      }
    }
  }

  for (const [pool, ex] of exhausted) {
    // ovn-kubernetes leaves such pods in ContainerCreating (ErrFull); one message per subnet
    p.error(ex.first.mo, `no free IP left in ${formatIP({ v6: pool.cidr.v6, n: pool.cidr.base })}/${pool.cidr.prefix} on network ${ex.net} for ${ex.count} pod(s), first ${ex.first.namespace}/${ex.first.name}`);
  }

  return work.map(({ d, wants }) => {
    const attachments: Attachment[] = wants.map((w) => {
      if (w.net.defaultGatewayIPs.length > 0 && w.net.gateways) w.gateways = [...w.net.defaultGatewayIPs];
      const first = w.ips[0] ? parseIP(w.ips[0].split('/')[0]!) : undefined;
      const mac = w.mac ?? (first && w.net.net.ovn ? ipToMAC(first) : hashMAC(`${w.net.net.id}/${d.namespace}/${d.name}/${w.iface}`));
      const a: Attachment = { network: w.net.net.id, role: w.role, interfaceName: w.iface, ips: w.ips, mac, gatewayIPs: w.gateways };
      if (w.nad !== undefined) a.nad = w.nad;
      return a;
    });
    const pod: Pod = {
      namespace: d.namespace,
      name: d.name,
      uid: d.uid,
      labels: d.labels,
      annotations: d.annotations,
      node: d.node,
      hostNetwork: d.hostNetwork,
      phase: d.node === '' && d.phase === 'Running' ? 'Pending' : d.phase,
      ports: d.ports,
      attachments,
      workload: d.workload,
      ref: d.ref,
    };
    return pod;
  });
}

