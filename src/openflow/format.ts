/**
 * Printing: matches and actions as `ovs-ofctl dump-flows` prints them (OVS match_format() and
 * ofpacts_format()), and the three output files of `udnc compile`: add-flows text, add-groups text
 * and the port map.
 */
import { FlowMatch, formatMatch as formatExprSlots } from '../expr/index.js';
import { formatOfpacts, type Ofpact } from '../expr/actions/ofpact.js';
import type { OfAction, OfFlow, OfGroup, OfMatch, OfPort, OpenFlowResult } from './types.js';

const hex = (v: bigint): string => (v === 0n ? '0' : `0x${v.toString(16)}`);
const ones = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Tokens match_format() prints after `metadata=` (and so after in_port). */
const AFTER_METADATA = /^(dl_vlan|dl_vlan_pcp|vlan_tci|dl_src|dl_dst|dl_type|arp_|nw_|ipv6_|tp_|icmp_|igmp_|nd_|tcp_flags)/;

/** match_format() without priority, for the slots used by ovn-controller. */
export function formatOfMatch(match: OfMatch): string {
  const fm = new FlowMatch();
  const extra: Record<string, { value: bigint; mask: bigint }> = {};
  for (const [k, v] of Object.entries(match)) {
    if (k === 'in_port' || k.startsWith('tun_')) extra[k] = v;
    else fm.slots.set(k, { value: v.value, mask: v.mask });
  }
  const text = formatExprSlots(fm);
  if (Object.keys(extra).length === 0) return text;
  const toks = text ? text.split(',') : [];
  let after = toks.findIndex((t) => AFTER_METADATA.test(t));
  if (after < 0) after = toks.length;
  const tun: string[] = [];
  const tid = extra['tun_id'];
  if (tid) tun.push(`tun_id=${hex(tid.value)}${tid.mask === ones(64) ? '' : '/' + hex(tid.mask)}`);
  const md0 = extra['tun_metadata0'];
  if (md0) tun.push(`tun_metadata0=${hex(md0.value)}${md0.mask === ones(32) ? '' : '/' + hex(md0.mask)}`);
  const ip = extra['in_port'];
  const ipTok = ip ? [`in_port=${ip.value === 0xffffn ? 'ANY' : ip.value.toString()}`] : [];
  const mdIdx = toks.findIndex((t) => t.startsWith('metadata='));
  if (mdIdx >= 0) return [...toks.slice(0, mdIdx), ...tun, toks[mdIdx]!, ...ipTok, ...toks.slice(mdIdx + 1)].join(',');
  return [...toks.slice(0, after), ...tun, ...ipTok, ...toks.slice(after)].join(',');
}

function formatOne(a: OfAction): string {
  switch (a.type) {
    case 'output': return `output:${a.port}`;
    case 'conjunction': return `conjunction(${a.id},${a.clause}/${a.nClauses})`;
    case 'set_phys': {
      if (a.field === 'in_port') return `set_field:${a.value === 0xffffn ? 'ANY' : a.value.toString()}->in_port`;
      return `set_field:${hex(a.value)}${a.mask !== undefined ? '/' + hex(a.mask) : ''}->${a.field}`;
    }
    case 'push_phys': return `push:${a.nxm}`;
    case 'pop_phys': return `pop:${a.nxm}`;
    case 'move_phys': return `move:${a.src}->${a.dst}`;
    default: return formatOfpacts([a as Ofpact], 'dump-flows');
  }
}

/** ofpacts_format(): `drop` for an empty list. */
export function formatOfActions(actions: readonly OfAction[]): string {
  if (actions.length === 0) return 'drop';
  return actions.map(formatOne).join(',');
}

/** One flow in `ovs-ofctl add-flows` syntax. */
export function formatFlowLine(f: OfFlow): string {
  const m = f.text ? `,${f.text}` : '';
  return `table=${f.table},priority=${f.priority},cookie=0x${f.cookie.toString(16)}${m} actions=${formatOfActions(f.actions)}`;
}

/** One flow as `ovs-ofctl --no-stats dump-flows` prints it (leading space, cookie/table omitted when 0). */
export function formatDumpLine(f: OfFlow): string {
  let s = ' ';
  if (f.cookie) s += `cookie=0x${f.cookie.toString(16)}, `;
  if (f.table) s += `table=${f.table}, `;
  s += f.priority === 32768 ? '' : `priority=${f.priority}`;
  if (f.text) s += (f.priority === 32768 ? '' : ',') + f.text;
  return `${s} actions=${formatOfActions(f.actions)}`;
}

/** `ovs-ofctl add-flows` input (use `-O OpenFlow15`); one string, so small tables only: see writeAddFlows. */
export function formatAddFlows(r: OpenFlowResult): string {
  const chunks: string[] = [];
  writeAddFlows(r, (s) => chunks.push(s));
  return chunks.join('');
}

/**
 * `ovs-ofctl add-flows` input handed to `write` in chunks of whole lines, without materialising the
 * flows of a compileOpenFlow result (at 10,000 pods the text alone exceeds a JS string).
 */
export function writeAddFlows(r: OpenFlowResult, write: (chunk: string) => void): void {
  if (r.flowTable) { r.flowTable.writeAddFlows(write); return; }
  if (r.flows.length) write(r.flows.map(formatFlowLine).join('\n') + '\n');
}

/** `ovs-ofctl add-groups` input (use `-O OpenFlow15`). */
export function formatGroups(r: OpenFlowResult): string {
  return r.groups.map((g: OfGroup) => g.text).join('\n') + (r.groups.length ? '\n' : '');
}

/** The port map as JSON: ofport ↔ iface-id ↔ pod. */
export function formatPortMap(r: OpenFlowResult): string {
  const rows = r.ports.map((p: OfPort) => {
    const o: Record<string, unknown> = { ofport: p.ofport, name: p.name, kind: p.kind };
    if (p.ifaceId !== undefined) o['iface-id'] = p.ifaceId;
    if (p.datapath !== undefined) o['datapath'] = p.datapath;
    if (p.dpKey !== undefined) o['dpKey'] = p.dpKey;
    if (p.portKey !== undefined) o['portKey'] = p.portKey;
    if (p.pod) o['pod'] = p.pod;
    if (p.chassis !== undefined) o['chassis'] = p.chassis;
    if (p.remoteIp !== undefined) o['remoteIp'] = p.remoteIp;
    return o;
  });
  return JSON.stringify({ chassis: r.chassis, ports: rows, zones: r.zones }, null, 2) + '\n';
}
