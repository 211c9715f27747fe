/** DbObjectIDs (pkg/libovsdb/ops/db_object_ids.go): the `k8s.ovn.org/id` string and external_ids. */
import { EXT } from './constants.js';
import { hashForOVN } from './hash.js';

export interface DbIDs {
  /** `<controller>:<ownerType>:<v1>:<v2>...` */
  id: string;
  externalIds: Record<string, string>;
}

/** keys in declared order; 'name' is stored as `k8s.ovn.org/name`, others as given. */
export function dbObjectIDs(controller: string, ownerType: string, keys: readonly string[], values: Readonly<Record<string, string>>): DbIDs {
  const externalIds: Record<string, string> = {
    [EXT.ownerController]: controller,
    [EXT.ownerType]: ownerType,
  };
  let id = `${controller}:${ownerType}`;
  for (const k of keys) {
    const v = values[k];
    if (v === undefined) throw new Error(`internal: DbObjectIDs ${ownerType} missing key ${k}`);
    externalIds[k === 'name' ? EXT.name : k] = v;
    id += `:${v}`;
  }
  externalIds[EXT.id] = id;
  return { id, externalIds };
}

/** Port_Group / Address_Set name for a DbObjectIDs id. */
export function hashedName(ids: DbIDs): string {
  return hashForOVN(ids.id);
}

/** `%.63s` (ACL.name maxLength 63). Go counts bytes; names here are ASCII. */
export function aclName(s: string): string | undefined {
  return s === '' ? undefined : s.slice(0, 63);
}
