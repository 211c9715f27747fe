/** Helpers shared by the policy lowerings: ACL construction, logging levels, address sets. */
import type { ObjectRef } from '../common/source.js';
import type { NbBuilder } from './builder.js';
import { ACL_LOGGING_METER } from './constants.js';
import { type DbIDs, aclName, dbObjectIDs, hashedName } from './dbids.js';
import type { NetCtx } from './context.js';
import { isIPv6 } from './ip.js';
import { rowId, type ACL, type AclAction, type AclSeverity } from './types.js';

/** ACLPipelineType (pkg/libovsdb/util/acl.go). */
export type AclPipeline = 'to-lport' | 'from-lport-after-lb' | 'from-lport';

export interface AclLogging {
  allow?: AclSeverity;
  deny?: AclSeverity;
  pass?: AclSeverity;
}

const SEVERITIES: readonly AclSeverity[] = ['alert', 'warning', 'notice', 'info', 'debug'];

/** Parse the `k8s.ovn.org/acl-logging` annotation; invalid levels are dropped (ovnk ignores them). */
export function parseAclLogging(annotations: Readonly<Record<string, string>>, key: string): AclLogging | undefined {
  const raw = annotations[key];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const out: AclLogging = {};
    for (const k of ['allow', 'deny', 'pass'] as const) {
      const s = v[k];
      if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)) out[k] = s as AclSeverity;
    }
    return out;
  } catch {
    return undefined;
  }
}

function logSeverity(action: AclAction, logging: AclLogging | undefined): AclSeverity | undefined {
  if (!logging) return undefined;
  switch (action) {
    case 'allow': case 'allow-related': case 'allow-stateless': return logging.allow;
    case 'drop': case 'reject': return logging.deny;
    case 'pass': return logging.pass;
  }
}

/** libovsdbutil.BuildACL: direction/options from the pipeline, name from GetACLName, meter acl-logging. */
export function buildAcl(args: {
  ids: DbIDs;
  name: string;
  priority: number;
  match: string;
  action: AclAction;
  pipeline: AclPipeline;
  tier: number;
  logging?: AclLogging;
  attachedTo: string;
  network: string;
  provenance: ObjectRef[];
}): ACL {
  const severity = logSeverity(args.action, args.logging);
  const name = aclName(args.name);
  return {
    id: rowId('ACL', args.ids.id),
    network: args.network,
    provenance: args.provenance,
    ...(name !== undefined ? { name } : {}),
    priority: args.priority,
    direction: args.pipeline === 'to-lport' ? 'to-lport' : 'from-lport',
    match: args.match,
    action: args.action,
    log: severity !== undefined,
    ...(severity ? { severity } : {}),
    meter: ACL_LOGGING_METER.name,
    label: 0,
    tier: args.tier,
    options: args.pipeline === 'from-lport-after-lb' ? { 'apply-after-lb': 'true' } : {},
    external_ids: args.ids.externalIds,
    attachedTo: args.attachedTo,
  };
}

/** Ensure a port group row; returns its row id and hashed name. */
export function ensurePortGroup(b: NbBuilder, ctx: NetCtx, ids: DbIDs, provenance: ObjectRef[]): { id: string; name: string } {
  const name = hashedName(ids);
  const id = rowId('Port_Group', name);
  b.portGroups.add({ id, network: ctx.net.id, provenance, name, ports: [], acls: [], external_ids: ids.externalIds });
  return { id, name };
}

/**
 * Ensure the per-family address sets of one DbObjectIDs base (without ip-family) and add addresses.
 * Returns the `$name`s per family (only for the network's IP modes).
 */
export function ensureAddressSets(
  b: NbBuilder, ctx: NetCtx, controller: string, ownerType: string, keys: readonly string[], values: Record<string, string>,
  addresses: readonly string[], provenance: ObjectRef[],
): { v4?: string; v6?: string } {
  const out: { v4?: string; v6?: string } = {};
  for (const fam of ['v4', 'v6'] as const) {
    if (fam === 'v4' ? !ctx.ipv4 : !ctx.ipv6) continue;
    const ids = dbObjectIDs(controller, ownerType, keys, { ...values, 'ip-family': fam });
    const name = hashedName(ids);
    const id = rowId('Address_Set', name);
    const row = b.addressSets.add({ id, network: ctx.net.id, provenance, name, addresses: [], external_ids: ids.externalIds });
    for (const a of addresses) if (isIPv6(a) === (fam === 'v6')) row.addresses.push(a);
    out[fam] = name;
  }
  return out;
}
