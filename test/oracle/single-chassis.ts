/**
 * The single-chassis view the real-OVN differentials load: every pod port and gateway router bound
 * to hv1 (requested-chassis and iface-id-ver dropped, router `chassis` pinned), and the NB_Global
 * options the sandbox needs. One definition for the openflow and datapath oracles, the golden test
 * and the pipeline bench, so they all judge the same NB.
 */
import type { NorthboundDB } from '../../src/northbound/types.js';
import { DEFAULT_NB_GLOBAL_OPTIONS } from './ovn.js';

export function singleChassisView(nb: NorthboundDB, nbGlobalOptions: Readonly<Record<string, string>> = DEFAULT_NB_GLOBAL_OPTIONS): NorthboundDB {
  return {
    ...nb,
    nbGlobal: { ...nb.nbGlobal, options: { ...nb.nbGlobal.options, ...nbGlobalOptions } },
    logicalSwitchPorts: nb.logicalSwitchPorts.map((p) => {
      if (!('requested-chassis' in p.options) && !('iface-id-ver' in p.options)) return p;
      const options = { ...p.options };
      delete options['requested-chassis'];
      delete options['iface-id-ver'];
      return { ...p, options };
    }),
    logicalRouters: nb.logicalRouters.map((r) => (r.options['chassis'] ? { ...r, options: { ...r.options, chassis: 'hv1' } } : r)),
  };
}
