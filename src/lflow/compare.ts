/**
 * Canonical forms for comparing udnc's output with a real OVN southbound: lflow-list text as a
 * sorted set of `datapath|pipeline|<line>` strings, and the SB rows around the flows keyed by
 * names instead of UUIDs and tunnel keys.
 *
 * Normalizations (everything else must be equal):
 *  - datapath UUIDs in `Datapath:` headers are dropped (SB UUIDs are random);
 *  - fair ACL meters are named `<meter>__<NB ACL UUID>` by northd: the UUID becomes `<uuid>`;
 *  - ECMP group and member ids (`reg8[0..15]`, `reg8[16..31]`) become `*`: northd numbers them in
 *    its own iteration order (members follow NB UUID order);
 *  - SB Port_Group names `<datapath key>_<name>` become `<datapath name>/<name>` (keys depend on
 *    the order northd met the datapaths, see ./southbound.ts).
 */
import type { LflowResult } from './types.js';

export function normalizeMeter(line: string): string {
  return line.replace(/(meter="[^"]*__)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '$1<uuid>"');
}

/** All normalizations of one lflow-list line. */
export function normalizeLine(line: string): string {
  const l = normalizeMeter(line);
  if (l.includes('(lr_in_ip_routing_ecmp)')) return l.replace(/reg8\[0\.\.15\] == [1-9]\d* && reg8\[16\.\.31\] == \d+/, 'reg8[0..15] == * && reg8[16..31] == *');
  return l.replace(/reg8\[0\.\.15\] = [1-9]\d*; reg8\[16\.\.31\] = select\(/, 'reg8[0..15] = *; reg8[16..31] = select(');
}

/** `ovn-sbctl lflow-list` text → sorted `datapath|pipeline|  table=…` lines. */
export function lflowSet(text: string): string[] {
  const out: string[] = [];
  let dp = '';
  for (const line of text.split('\n')) {
    const h = /^Datapath: "([^"]*)" \(([0-9a-f-]*)\)  Pipeline: (\w+)$/.exec(line);
    if (h) dp = `${h[1]}|${h[3]}`;
    else if (line.startsWith('  table=')) out.push(`${dp}|${normalizeLine(line)}`);
  }
  return out.sort();
}

export interface SouthboundSummary {
  addressSets: string[];
  portGroups: string[];
  mcGroups: string[];
  portBindings: string[];
}

const kv = (m: Readonly<Record<string, string>>) => Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',');

export function southboundSummary(r: Pick<LflowResult, 'southbound'>): SouthboundSummary {
  const dpKey = new Map(r.southbound.datapaths.map((d) => [d.tunnelKey, d.name]));
  return {
    addressSets: r.southbound.addressSets.map((a) => `${a.name}=${a.addresses.join(',')}`).sort(),
    portGroups: r.southbound.portGroups.map((g) => {
      const us = g.name.indexOf('_');
      return `${dpKey.get(Number(g.name.slice(0, us)))}/${g.name.slice(us + 1)}=${g.ports.join(',')}`;
    }).sort(),
    mcGroups: r.southbound.multicastGroups.map((g) => `${g.datapath}/${g.name}/${g.tunnelKey}=${g.ports.join(',')}`).sort(),
    portBindings: r.southbound.portBindings.map((p) => `${p.datapath}/${p.logicalPort}/${p.type}/${kv(p.options)}/${p.mac.join('|')}`).sort(),
  };
}
