/**
 * The node view the real-OVN differentials load: the NB as ovn-kubernetes writes it for a cluster
 * of several nodes (requested-chassis and gateway-router chassis kept), the sandbox's chassis being
 * one node; and what the other nodes, registered as remote chassis, would bind. Used by
 * test/openflow-oracle.test.ts and bench/pipeline.bench.ts (--node).
 */
import type { NorthboundDB } from '../../src/northbound/types.js';
import { DEFAULT_NB_GLOBAL_OPTIONS } from './ovn.js';

/** The node view: as ovn-kubernetes writes it (only the iface-id-ver pin dropped: dummy VIFs carry none). */
export function nodeView(nb: NorthboundDB): NorthboundDB {
  return {
    ...nb,
    nbGlobal: { ...nb.nbGlobal, options: { ...nb.nbGlobal.options, ...DEFAULT_NB_GLOBAL_OPTIONS } },
    logicalSwitchPorts: nb.logicalSwitchPorts.map((p) => {
      const options = { ...p.options };
      delete options['iface-id-ver'];
      return { ...p, options };
    }),
  };
}

/** What the other chassis would claim: their pods (requested-chassis), management ports, gateway-router ports and their peers. */
export function remoteBindings(nb: NorthboundDB, node: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (ch: string, lp: string) => { if (ch !== node) out.set(ch, [...(out.get(ch) ?? []), lp]); };
  const nodes = new Set<string>();
  for (const p of nb.logicalSwitchPorts) if (p.options['requested-chassis']) nodes.add(p.options['requested-chassis']);
  for (const r of nb.logicalRouters) if (r.options['chassis']) nodes.add(r.options['chassis']);
  for (const p of nb.logicalSwitchPorts) {
    if (p.options['requested-chassis']) add(p.options['requested-chassis'], p.name);
    else if (p.role === 'management') for (const n of nodes) if (p.name === `k8s-${n}` || p.name.endsWith(`_${n}`)) add(n, p.name);
  }
  for (const r of nb.logicalRouters) {
    const ch = r.options['chassis'];
    if (!ch) continue;
    for (const id of r.ports) {
      const lrp = nb.logicalRouterPorts.find((p) => p.id === id);
      if (!lrp) continue;
      add(ch, lrp.name);
      for (const lsp of nb.logicalSwitchPorts) if (lsp.options['router-port'] === lrp.name) add(ch, lsp.name);
    }
  }
  for (const ch of [...nodes]) if (ch !== node && !out.has(ch)) out.set(ch, []);
  return out;
}
