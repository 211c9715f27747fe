/**
 * Output formats for a NorthboundDB:
 * - formatTransact: one `ovsdb-client transact` transaction (JSON array), rows linked by named-uuid;
 * - formatNbctl: one `ovn-nbctl` invocation (a single transaction) of `--id=@x create` commands;
 * - formatListing: a readable listing grouped by network and object, with provenance.
 */
import { formatObjectRef } from '../common/source.js';
import type { NorthboundDB, NbTable, RowMeta } from './types.js';
import { goStringCompare } from './selectors.js';

type ColKind = 'str' | 'int' | 'bool' | 'optstr' | 'optint' | 'optbool' | 'set' | 'map' | 'refs';

/** OVSDB column kinds udnc writes, per table (ovn-nb.ovsschema 7.11.0). */
const COLUMNS: Record<NbTable, Array<[string, ColKind]>> = {
  NB_Global: [['name', 'str'], ['options', 'map'], ['external_ids', 'map']],
  Meter: [['name', 'str'], ['unit', 'str'], ['fair', 'optbool'], ['bands', 'refs'], ['external_ids', 'map']],
  Meter_Band: [['action', 'str'], ['rate', 'int'], ['burst_size', 'int'], ['external_ids', 'map']],
  Logical_Switch: [['name', 'str'], ['ports', 'refs'], ['acls', 'refs'], ['load_balancer', 'refs'], ['load_balancer_group', 'refs'], ['other_config', 'map'], ['external_ids', 'map']],
  Logical_Switch_Port: [['name', 'str'], ['type', 'str'], ['addresses', 'set'], ['port_security', 'set'], ['options', 'map'], ['external_ids', 'map'], ['enabled', 'optbool'], ['tag_request', 'optint']],
  Logical_Router: [['name', 'str'], ['ports', 'refs'], ['static_routes', 'refs'], ['nat', 'refs'], ['load_balancer', 'refs'], ['load_balancer_group', 'refs'], ['options', 'map'], ['external_ids', 'map'], ['enabled', 'optbool']],
  Logical_Router_Port: [['name', 'str'], ['mac', 'str'], ['networks', 'set'], ['peer', 'optstr'], ['options', 'map'], ['gateway_chassis', 'refs'], ['ipv6_ra_configs', 'map'], ['external_ids', 'map'], ['enabled', 'optbool']],
  Gateway_Chassis: [['name', 'str'], ['chassis_name', 'str'], ['priority', 'int'], ['options', 'map'], ['external_ids', 'map']],
  Logical_Router_Static_Route: [['ip_prefix', 'str'], ['nexthop', 'str'], ['policy', 'optstr'], ['output_port', 'optstr'], ['route_table', 'str'], ['options', 'map'], ['external_ids', 'map']],
  NAT: [['type', 'str'], ['external_ip', 'str'], ['logical_ip', 'str'], ['logical_port', 'optstr'], ['external_mac', 'optstr'], ['external_port_range', 'str'], ['match', 'str'], ['priority', 'int'], ['options', 'map'], ['external_ids', 'map']],
  Port_Group: [['name', 'str'], ['ports', 'refs'], ['acls', 'refs'], ['external_ids', 'map']],
  Address_Set: [['name', 'str'], ['addresses', 'set'], ['external_ids', 'map']],
  ACL: [['name', 'optstr'], ['priority', 'int'], ['direction', 'str'], ['match', 'str'], ['action', 'str'], ['log', 'bool'], ['severity', 'optstr'], ['meter', 'optstr'], ['label', 'int'], ['tier', 'int'], ['options', 'map'], ['external_ids', 'map']],
  Load_Balancer: [['name', 'str'], ['protocol', 'optstr'], ['vips', 'map'], ['options', 'map'], ['selection_fields', 'set'], ['external_ids', 'map']],
  Load_Balancer_Group: [['name', 'str'], ['load_balancer', 'refs']],
};

/** Children before parents, so every `@ref` is declared before it is used. */
const TABLE_ORDER: NbTable[] = [
  'Meter_Band', 'Meter', 'Address_Set', 'ACL', 'Logical_Switch_Port', 'Gateway_Chassis', 'Logical_Router_Port',
  'Logical_Router_Static_Route', 'NAT', 'Load_Balancer', 'Load_Balancer_Group', 'Logical_Switch', 'Logical_Router', 'Port_Group',
];

function rowsOf(db: NorthboundDB, t: NbTable): RowMeta[] {
  switch (t) {
    case 'NB_Global': return [db.nbGlobal];
    case 'Meter': return db.meters;
    case 'Meter_Band': return db.meterBands;
    case 'Logical_Switch': return db.logicalSwitches;
    case 'Logical_Switch_Port': return db.logicalSwitchPorts;
    case 'Logical_Router': return db.logicalRouters;
    case 'Logical_Router_Port': return db.logicalRouterPorts;
    case 'Gateway_Chassis': return db.gatewayChassis;
    case 'Logical_Router_Static_Route': return db.staticRoutes;
    case 'NAT': return db.nats;
    case 'Port_Group': return db.portGroups;
    case 'Address_Set': return db.addressSets;
    case 'ACL': return db.acls;
    case 'Load_Balancer': return db.loadBalancers;
    case 'Load_Balancer_Group': return db.loadBalancerGroups;
  }
}

const SHORT: Record<NbTable, string> = {
  NB_Global: 'nbg', Meter: 'meter', Meter_Band: 'band', Logical_Switch: 'ls', Logical_Switch_Port: 'lsp', Logical_Router: 'lr',
  Logical_Router_Port: 'lrp', Gateway_Chassis: 'gwc', Logical_Router_Static_Route: 'route', NAT: 'nat', Port_Group: 'pg',
  Address_Set: 'as', ACL: 'acl', Load_Balancer: 'lb', Load_Balancer_Group: 'lbg',
};

/** Row id → a symbol usable as an OVSDB named-uuid (`[A-Za-z_][A-Za-z0-9_]*`) and an nbctl `@id`. */
function symbols(db: NorthboundDB): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of TABLE_ORDER) rowsOf(db, t).forEach((r, i) => m.set(r.id, `${SHORT[t]}_${i}`));
  return m;
}

function col(row: RowMeta, name: string): unknown {
  return (row as unknown as Record<string, unknown>)[name];
}

// ---------------------------------------------------------------- ovsdb-client transact

function jsonValue(kind: ColKind, v: unknown, sym: Map<string, string>): unknown {
  const ref = (id: string) => {
    const s = sym.get(id);
    if (!s) throw new Error(`internal: dangling reference ${id}`);
    return ['named-uuid', s];
  };
  switch (kind) {
    case 'str': case 'int': case 'bool': return v;
    case 'optstr': case 'optint': case 'optbool': return v === undefined ? ['set', []] : v;
    case 'set': return ['set', [...(v as string[])]];
    case 'map': return ['map', Object.keys(v as Record<string, string>).sort(goStringCompare).map((k) => [k, (v as Record<string, string>)[k]])];
    case 'refs': return ['set', (v as string[]).map(ref)];
  }
}

export function formatTransact(db: NorthboundDB): string {
  const sym = symbols(db);
  const ops: unknown[] = [];
  const insert = (t: NbTable, r: RowMeta, uuidName?: string) => {
    const row: Record<string, unknown> = {};
    for (const [c, k] of COLUMNS[t]) {
      const v = col(r, c);
      if (v === undefined && !k.startsWith('opt')) continue;
      if (v === undefined) continue;
      row[c] = jsonValue(k, v, sym);
    }
    ops.push({ op: 'insert', table: t, row, ...(uuidName ? { 'uuid-name': uuidName } : {}) });
  };
  insert('NB_Global', db.nbGlobal);
  for (const t of TABLE_ORDER) for (const r of rowsOf(db, t)) insert(t, r, sym.get(r.id));
  ops.push({ op: 'comment', comment: `udnc northbound (ovn-kubernetes ${db.target.ovnKubernetes})` });
  // one operation per line: diffable, and compact enough to pass as one ovsdb-client argument
  return `[${['"OVN_Northbound"', ...ops.map((o) => JSON.stringify(o))].join(',\n')}]\n`;
}

// ---------------------------------------------------------------- ovn-nbctl

/** OVSDB string syntax for nbctl: always double-quoted with C-style escapes. */
function q(s: string): string {
  return JSON.stringify(s);
}

function nbctlValue(kind: ColKind, v: unknown, sym: Map<string, string>): string | undefined {
  switch (kind) {
    case 'str': case 'optstr': return v === undefined ? undefined : q(v as string);
    case 'int': case 'optint': case 'bool': case 'optbool': return v === undefined ? undefined : String(v);
    case 'set': {
      const a = v as string[];
      return a.length ? `[${a.map(q).join(',')}]` : undefined;
    }
    case 'map': {
      const m = v as Record<string, string>;
      const ks = Object.keys(m).sort(goStringCompare);
      return ks.length ? `{${ks.map((k) => `${q(k)}=${q(m[k]!)}`).join(',')}}` : undefined;
    }
    case 'refs': {
      const a = v as string[];
      return a.length ? `[${a.map((id) => `@${sym.get(id)!}`).join(',')}]` : undefined;
    }
  }
}

/** POSIX shell single-quoting. */
function sh(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * One `ovn-nbctl` command line (one transaction) that creates every row; run against an empty
 * NB (`ovn-nbctl init` first creates NB_Global). Values use OVSDB's string syntax, shell-quoted.
 */
export function formatNbctl(db: NorthboundDB): string {
  const sym = symbols(db);
  const lines: string[] = ['#!/bin/sh', `# udnc northbound (ovn-kubernetes ${db.target.ovnKubernetes}); one ovn-nbctl transaction`, 'set -e', 'ovn-nbctl init'];
  const cmds: string[] = [];
  const g = db.nbGlobal;
  const gset = [['options', 'map'], ['external_ids', 'map']] as const;
  const gargs = gset.map(([c, k]) => [c, nbctlValue(k, col(g, c), sym)] as const).filter(([, v]) => v !== undefined);
  if (gargs.length) cmds.push(['set', 'NB_Global', '.', ...gargs.map(([c, v]) => sh(`${c}=${v}`))].join(' '));
  for (const t of TABLE_ORDER) {
    for (const r of rowsOf(db, t)) {
      const args: string[] = [`--id=@${sym.get(r.id)!}`, 'create', t];
      for (const [c, k] of COLUMNS[t]) {
        const v = nbctlValue(k, col(r, c), sym);
        if (v !== undefined) args.push(sh(`${c}=${v}`));
      }
      cmds.push(args.join(' '));
    }
  }
  lines.push(`ovn-nbctl \\\n${cmds.map((c) => `  -- ${c}`).join(' \\\n')}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- listing

export function formatListing(db: NorthboundDB): string {
  const out: string[] = [];
  const prov = (r: RowMeta) => (r.provenance.length ? `      from: ${r.provenance.map(formatObjectRef).join('; ')}` : '');
  const push = (s: string) => { if (s) out.push(s); };
  const kv = (m: Record<string, string>) => Object.keys(m).sort(goStringCompare).map((k) => `${k}=${m[k]}`).join(' ');
  const byId = <T extends RowMeta>(rows: T[]) => new Map(rows.map((r) => [r.id, r] as const));
  const lsps = byId(db.logicalSwitchPorts);
  const lrps = byId(db.logicalRouterPorts);
  const acls = byId(db.acls);
  const routes = byId(db.staticRoutes);
  const nats = byId(db.nats);
  const aclLine = (id: string) => {
    const a = acls.get(id)!;
    return `    acl tier=${a.tier} ${a.direction}${a.options['apply-after-lb'] ? '(after-lb)' : ''} prio=${a.priority} ${a.action}${a.log ? ` log=${a.severity}` : ''}${a.name ? ` name=${a.name}` : ''}\n      match: ${a.match}\n      id: ${a.external_ids['k8s.ovn.org/id'] ?? a.id}`;
  };
  out.push(`# udnc northbound: ovn-kubernetes ${db.target.ovnKubernetes}, NB schema ${db.target.nbSchema}`);
  for (const n of db.networks) {
    out.push('', `== network ${n.ovnName} (${n.role}, ${n.topology}) controller=${n.controller}${n.prefix ? ` prefix=${n.prefix}` : ''}`);
    for (const r of n.provenance) out.push(`   owner: ${formatObjectRef(r)}`);
    for (const sw of db.logicalSwitches.filter((s) => s.network === n.network)) {
      out.push(`  switch ${sw.name}${Object.keys(sw.other_config).length ? ` [${kv(sw.other_config)}]` : ''}`);
      for (const pid of sw.ports) {
        const p = lsps.get(pid)!;
        out.push(`    port ${p.name} (${p.role}${p.type ? `, ${p.type}` : ''}) ${p.addresses.join(' | ')}`);
        push(prov(p));
      }
      for (const a of sw.acls) out.push(aclLine(a));
      if (sw.load_balancer_group.length || sw.load_balancer.length) out.push(`    lb: ${[...sw.load_balancer_group, ...sw.load_balancer].map((x) => x.replace(/^[^:]+:/, '')).join(', ')}`);
    }
    for (const r of db.logicalRouters.filter((x) => x.network === n.network)) {
      out.push(`  router ${r.name}${Object.keys(r.options).length ? ` [${kv(r.options)}]` : ''}`);
      for (const pid of r.ports) { const p = lrps.get(pid)!; out.push(`    port ${p.name} ${p.mac} ${p.networks.join(' ')}${p.peer ? ` peer=${p.peer}` : ''}`); }
      for (const sid of r.static_routes) { const s = routes.get(sid)!; out.push(`    route ${s.ip_prefix} via ${s.nexthop}${s.policy ? ` (${s.policy})` : ''}${s.output_port ? ` dev ${s.output_port}` : ''}`); }
      for (const nid of r.nat) { const x = nats.get(nid)!; out.push(`    nat ${x.type} ${x.logical_ip} -> ${x.external_ip}`); }
      if (r.load_balancer_group.length || r.load_balancer.length) out.push(`    lb: ${[...r.load_balancer_group, ...r.load_balancer].map((x) => x.replace(/^[^:]+:/, '')).join(', ')}`);
    }
    for (const pg of db.portGroups.filter((x) => x.network === n.network)) {
      out.push(`  port_group ${pg.name} (${pg.external_ids['k8s.ovn.org/id'] ?? ''})`);
      push(prov(pg));
      if (pg.ports.length) out.push(`    ports: ${pg.ports.map((p) => p.replace(/^[^:]+:/, '')).join(', ')}`);
      for (const a of pg.acls) out.push(aclLine(a));
    }
    for (const as of db.addressSets.filter((x) => x.network === n.network)) {
      out.push(`  address_set ${as.name} (${as.external_ids['k8s.ovn.org/id'] ?? ''}): ${as.addresses.join(', ') || '(empty)'}`);
      push(prov(as));
    }
    for (const lb of db.loadBalancers.filter((x) => x.network === n.network)) {
      out.push(`  load_balancer ${lb.name} ${lb.protocol ?? ''} [${kv(lb.options)}]${lb.selection_fields.length ? ` selection_fields=${lb.selection_fields.join(',')}` : ''}`);
      for (const v of Object.keys(lb.vips).sort(goStringCompare)) out.push(`    ${v} -> ${lb.vips[v] || '(no endpoints)'}`);
      push(prov(lb));
    }
  }
  if (db.notices.length) {
    out.push('', '== notices');
    for (const n of db.notices) out.push(`  - ${n.message}${n.ref ? ` (${formatObjectRef(n.ref)})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
