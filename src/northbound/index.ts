/**
 * Northbound stage: cluster model → the OVN NB rows ovn-kubernetes v1.3.0 writes.
 *
 * `lowerToNorthbound` is pure and deterministic (every table sorted by row id). The formatters turn
 * the result into an `ovn-nbctl` batch script, one `ovsdb-client transact` transaction, or a readable
 * listing with provenance. Row types and conventions: ./types.ts.
 */
import type { ClusterModel } from '../model/types.js';
import { NbBuilder } from './builder.js';
import { ACL_LOGGING_METER } from './constants.js';
import { makeNetCtx } from './context.js';
import { lowerAdminNetworkPolicies } from './anp.js';
import { lowerUdnIsolation } from './isolation.js';
import { lowerHairpinAcls, lowerNetworkPolicies, lowerNodeAllowAcls, type PolicyOptions } from './policy.js';
import { lowerServices, lowerUdnEnabledServiceAddressSet, lowerUdnEnabledServiceRoutes } from './services.js';
import { buildNetworkTopology, buildPodPorts, clusterPortGroupId } from './topology.js';
import { goStringCompare } from './selectors.js';
import { rowId, type NorthboundDB } from './types.js';

export type { NorthboundDB } from './types.js';
export * from './types.js';
export { formatNbctl, formatTransact, formatListing } from './format.js';
export { hashForOVN, fnv1a64 } from './hash.js';
export { ovsdbTransact, type TransactResult } from './ovsdb.js';

export interface LowerOptions extends Partial<PolicyOptions> {}

const SYNTHETIC_CLUSTER = { kind: 'Cluster', name: 'cluster' } as const;

export function lowerToNorthbound(model: ClusterModel, options: LowerOptions = {}): NorthboundDB {
  const opts: PolicyOptions = {
    enableStatelessNetPol: options.enableStatelessNetPol ?? false,
    allowICMPNetworkPolicy: options.allowICMPNetworkPolicy ?? false,
  };
  const b = new NbBuilder({ id: rowId('NB_Global', '.'), provenance: [{ ...SYNTHETIC_CLUSTER }], name: '', options: {}, external_ids: {} });
  // ovnk creates the ACL logging meter at startup (pkg/ovn/ovn.go createACLLoggingMeter)
  const bandId = rowId('Meter_Band', ACL_LOGGING_METER.name);
  b.meterBands.add({ id: bandId, provenance: [{ ...SYNTHETIC_CLUSTER }], action: 'drop', rate: ACL_LOGGING_METER.rate, burst_size: ACL_LOGGING_METER.burst, external_ids: {} });
  b.meters.add({
    id: rowId('Meter', ACL_LOGGING_METER.name), provenance: [{ ...SYNTHETIC_CLUSTER }], name: ACL_LOGGING_METER.name,
    unit: ACL_LOGGING_METER.unit, fair: ACL_LOGGING_METER.fair, bands: [bandId], external_ids: {},
  });

  const networks = [...model.networks].sort((a, c) => goStringCompare(a.id, c.id));
  const ctxs = [];
  for (const net of networks) {
    if (!net.ovn) {
      b.notices.push({ message: `network ${net.ovnName} (${net.cniType ?? 'non-OVN'}) is not programmed by OVN`, ref: net.owner });
      continue;
    }
    const ctx = makeNetCtx(model, net);
    ctxs.push(ctx);
    const { switches, routers } = buildNetworkTopology(b, model, ctx);
    buildPodPorts(b, model, ctx);
    b.networks.push({
      network: net.id, ovnName: net.ovnName, prefix: net.prefix, controller: ctx.controller, role: net.role, topology: net.topology,
      switches, routers, ...(ctx.routed ? { clusterPortGroup: clusterPortGroupId(ctx) } : {}), provenance: [net.owner],
    });
  }
  for (const ctx of ctxs) {
    if (!ctx.routed) continue;
    lowerHairpinAcls(b, ctx);
    lowerNodeAllowAcls(b, model, ctx);
    lowerNetworkPolicies(b, model, ctx, opts);
    if (ctx.isDefault) {
      lowerUdnIsolation(b, model, ctx);
      lowerAdminNetworkPolicies(b, model, ctx);
      lowerUdnEnabledServiceAddressSet(b, model, ctx);
    }
    lowerServices(b, model, ctx);
    lowerUdnEnabledServiceRoutes(b, model, ctx);
  }
  // Secondary networks carry no policy ACLs: MultiNetworkPolicy is not part of the model.
  return b.finish();
}
