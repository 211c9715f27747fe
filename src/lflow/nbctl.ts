/**
 * A NorthboundDB from a small `ovn-nbctl` script (one command per line, shell quoting, `#`
 * comments). Covers the commands the lflow tests and differential scenarios use, so the very same
 * file can be fed to the real ovn-nbctl and to udnc:
 *
 *   ls-add, lsp-add, lsp-set-addresses, lsp-set-port-security, lsp-set-type, lsp-set-options,
 *   lsp-set-enabled, meter-add,
 *   lr-add, lrp-add, lr-route-add [--policy=src-ip], lr-nat-add, pg-add, acl-add [--type --tier
 *   --apply-after-lb --label --log --severity --name --meter], lb-add, ls-lb-add, lr-lb-add,
 *   create address_set name=… addresses=…, set (NB_Global|load_balancer|logical_switch|
 *   logical_router|logical_switch_port|logical_router_port|meter) <name> col:key=value / col=value.
 *
 * Rows get ids `<Table>:<name>` (ACLs, routes and NATs: `<Table>:<n>` in script order) and no
 * Kubernetes provenance.
 */
import type {
  ACL, AclAction, AclDirection, AclSeverity, AddressSet, LoadBalancer, LogicalRouter, LogicalRouterPort, Meter, MeterBand,
  LogicalRouterStaticRoute, LogicalSwitch, LogicalSwitchPort, LspType, NAT, NorthboundDB, PortGroup,
} from '../northbound/types.js';

/** Split one shell-like line into words (single/double quotes, backslash escapes). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new Error(`unterminated ' in: ${line}`);
      cur += line.slice(i + 1, j);
      i = j;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      i = j;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Parse an OVSDB set literal like `"a","b"` or `[a, b]` or `a`. */
function parseSetValue(v: string): string[] {
  const s = v.replace(/^\[|\]$/g, '').trim();
  if (s === '') return [];
  return s.split(',').map((x) => x.trim().replace(/^"|"$/g, ''));
}

export function parseNbctlScript(text: string, nbGlobalOptions: Readonly<Record<string, string>> = {}): NorthboundDB {
  const switches = new Map<string, LogicalSwitch>();
  const lsps = new Map<string, LogicalSwitchPort>();
  const routers = new Map<string, LogicalRouter>();
  const lrps = new Map<string, LogicalRouterPort>();
  const pgs = new Map<string, PortGroup>();
  const ass = new Map<string, AddressSet>();
  const lbs = new Map<string, LoadBalancer>();
  const meters = new Map<string, Meter>();
  const bands: MeterBand[] = [];
  const acls: ACL[] = [];
  const routes: LogicalRouterStaticRoute[] = [];
  const nats: NAT[] = [];
  const nbGlobal = { id: 'NB_Global:.', provenance: [], name: '', options: { ...nbGlobalOptions } as Record<string, string>, external_ids: {} };
  const meta = (id: string) => ({ id, provenance: [] });
  const need = <T>(m: Map<string, T>, k: string | undefined, what: string): T => {
    const v = k !== undefined ? m.get(k) : undefined;
    if (!v) throw new Error(`nbctl: no ${what} named ${k}`);
    return v;
  };

  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = shellWords(line);
    const opts = new Map<string, string>();
    while (words.length > 0 && words[0]!.startsWith('--')) {
      const w = words.shift()!.slice(2);
      const eq = w.indexOf('=');
      if (eq < 0) opts.set(w, '');
      else opts.set(w.slice(0, eq), w.slice(eq + 1));
    }
    const [cmd, ...args] = words;
    switch (cmd) {
      case 'ls-add': {
        const name = args[0]!;
        switches.set(name, { ...meta(`Logical_Switch:${name}`), name, ports: [], acls: [], load_balancer: [], load_balancer_group: [], other_config: {}, external_ids: {} });
        break;
      }
      case 'lsp-add': {
        const ls = need(switches, args[0], 'switch');
        const name = args[1]!;
        const id = `Logical_Switch_Port:${name}`;
        lsps.set(name, { ...meta(id), name, type: '', addresses: [], port_security: [], options: {}, external_ids: {}, switch: ls.id, role: 'pod' });
        ls.ports.push(id);
        break;
      }
      case 'lsp-set-addresses':
        need(lsps, args[0], 'port').addresses = args.slice(1);
        break;
      case 'lsp-set-enabled':
        need(lsps, args[0], 'port').enabled = args[1] !== 'disabled';
        break;
      case 'meter-add': {
        const [name, action, rate, unit, burst] = args;
        meters.set(name!, {
          ...meta(`Meter:${name}`), name: name!, unit: unit as 'pktps' | 'kbps', bands: [`Meter_Band:${name}`], external_ids: {},
        });
        bands.push({ ...meta(`Meter_Band:${name}`), action: action as 'drop', rate: Number(rate), burst_size: Number(burst ?? 0), external_ids: {} });
        break;
      }
      case 'lsp-set-port-security':
        need(lsps, args[0], 'port').port_security = args.slice(1);
        break;
      case 'lsp-set-type': {
        const p = need(lsps, args[0], 'port');
        p.type = (args[1] ?? '') as LspType;
        if (p.type === 'router') p.role = 'router';
        if (p.type === 'localnet') p.role = 'localnet';
        break;
      }
      case 'lsp-set-options': {
        const p = need(lsps, args[0], 'port');
        p.options = {};
        for (const kv of args.slice(1)) {
          const eq = kv.indexOf('=');
          p.options[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        break;
      }
      case 'lr-add': {
        const name = args[0]!;
        routers.set(name, { ...meta(`Logical_Router:${name}`), name, ports: [], static_routes: [], nat: [], load_balancer: [], load_balancer_group: [], options: {}, external_ids: {} });
        break;
      }
      case 'lrp-add': {
        const lr = need(routers, args[0], 'router');
        const [, name, mac, ...rest] = args;
        const networks = rest.filter((r) => !r.startsWith('peer='));
        const peer = rest.find((r) => r.startsWith('peer='))?.slice(5);
        const id = `Logical_Router_Port:${name}`;
        lrps.set(name!, {
          ...meta(id), name: name!, mac: mac!, networks, ...(peer ? { peer } : {}), options: {}, gateway_chassis: [], ipv6_ra_configs: {}, external_ids: {}, router: lr.id,
        });
        lr.ports.push(id);
        break;
      }
      case 'lr-route-add': {
        const lr = need(routers, args[0], 'router');
        const id = `Logical_Router_Static_Route:${routes.length}`;
        const policy = opts.get('policy') as 'src-ip' | 'dst-ip' | undefined;
        routes.push({
          ...meta(id), ip_prefix: args[1]!, nexthop: args[2]!, ...(policy ? { policy } : {}), ...(args[3] ? { output_port: args[3] } : {}),
          route_table: '', options: {}, external_ids: {}, router: lr.id,
        });
        lr.static_routes.push(id);
        break;
      }
      case 'lr-nat-add': {
        const lr = need(routers, args[0], 'router');
        const id = `NAT:${nats.length}`;
        nats.push({
          ...meta(id), type: args[1] as NAT['type'], external_ip: args[2]!, logical_ip: args[3]!, external_port_range: '', match: '', priority: 0,
          options: {}, external_ids: {}, router: lr.id,
        });
        lr.nat.push(id);
        break;
      }
      case 'pg-add': {
        const name = args[0]!;
        pgs.set(name, { ...meta(`Port_Group:${name}`), name, ports: args.slice(1).map((p) => `Logical_Switch_Port:${p}`), acls: [], external_ids: {} });
        break;
      }
      case 'acl-add': {
        const [entity, dir, prio, match, action] = args;
        const type = opts.get('type') ?? (switches.has(entity!) ? 'switch' : 'port-group');
        const holder = type === 'switch' ? need(switches, entity, 'switch') : need(pgs, entity, 'port group');
        const id = `ACL:${acls.length}`;
        const options: Record<string, string> = {};
        if (opts.has('apply-after-lb')) options['apply-after-lb'] = 'true';
        const sev = opts.get('severity') as AclSeverity | undefined;
        const name = opts.get('name');
        const meter = opts.get('meter');
        // ovn-nbctl turns logging on for --meter and --severity too
        acls.push({
          ...meta(id), ...(name ? { name } : {}), priority: Number(prio), direction: dir as AclDirection, match: match!, action: action as AclAction,
          log: opts.has('log') || opts.has('meter') || opts.has('severity'), ...(sev ? { severity: sev } : {}), ...(meter ? { meter } : {}), label: Number(opts.get('label') ?? 0),
          tier: Number(opts.get('tier') ?? 0), options, external_ids: {}, attachedTo: holder.id,
        });
        holder.acls.push(id);
        break;
      }
      case 'lb-add': {
        const [name, vip, backends, proto] = args;
        let lb = lbs.get(name!);
        if (!lb) {
          lb = { ...meta(`Load_Balancer:${name}`), name: name!, ...(proto ? { protocol: proto as 'tcp' } : { protocol: 'tcp' as const }), vips: {}, options: {}, selection_fields: [], external_ids: {} };
          // ovn-nbctl leaves protocol empty for port-less VIPs
          if (!/:\d+$/.test(vip!) && !proto) delete lb.protocol;
          lbs.set(name!, lb);
        }
        lb.vips[vip!] = backends ?? '';
        break;
      }
      case 'ls-lb-add':
        need(switches, args[0], 'switch').load_balancer.push(`Load_Balancer:${args[1]}`);
        break;
      case 'lr-lb-add':
        need(routers, args[0], 'router').load_balancer.push(`Load_Balancer:${args[1]}`);
        break;
      case 'create': {
        if (args[0]?.toLowerCase() !== 'address_set') throw new Error(`nbctl: create ${args[0]} not supported`);
        const cols = new Map(args.slice(1).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
        const name = cols.get('name')!;
        ass.set(name, { ...meta(`Address_Set:${name}`), name, addresses: parseSetValue(cols.get('addresses') ?? ''), external_ids: {} });
        break;
      }
      case 'set': {
        const table = args[0]!.toLowerCase();
        const rec = args[1]!;
        const row = (
          table === 'nb_global' ? nbGlobal
            : table === 'load_balancer' ? lbs.get(rec)
              : table === 'logical_switch' ? switches.get(rec)
                : table === 'logical_router' ? routers.get(rec)
                  : table === 'logical_switch_port' ? lsps.get(rec)
                    : table === 'logical_router_port' ? lrps.get(rec)
                      : table === 'meter' ? meters.get(rec)
                      : undefined) as Record<string, unknown> | undefined;
        if (!row) throw new Error(`nbctl: set ${table} ${rec}: no such row`);
        for (const kv of args.slice(2)) {
          const eq = kv.indexOf('=');
          const lhs = kv.slice(0, eq);
          const value = kv.slice(eq + 1).replace(/^"|"$/g, '');
          const colon = lhs.indexOf(':');
          if (colon >= 0) {
            const col = lhs.slice(0, colon);
            const m = (row[col] ?? {}) as Record<string, string>;
            m[lhs.slice(colon + 1)] = value;
            row[col] = m;
          } else if (lhs === 'selection_fields') {
            row[lhs] = parseSetValue(value);
          } else if (lhs === 'tag_request') {
            row[lhs] = Number(value);
          } else if (value === 'true' || value === 'false') {
            row[lhs] = value === 'true';
          } else {
            row[lhs] = value;
          }
        }
        break;
      }
      default:
        throw new Error(`nbctl: command not supported: ${line}`);
    }
  }

  const sorted = <T extends { id: string }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    target: { ovnKubernetes: 'v1.3.0', nbSchema: '7.11.0' },
    nbGlobal,
    meters: sorted(meters.values()),
    meterBands: sorted(bands),
    logicalSwitches: sorted(switches.values()),
    logicalSwitchPorts: sorted(lsps.values()),
    logicalRouters: sorted(routers.values()),
    logicalRouterPorts: sorted(lrps.values()),
    gatewayChassis: [],
    staticRoutes: sorted(routes),
    nats: sorted(nats),
    portGroups: sorted(pgs.values()),
    addressSets: sorted(ass.values()),
    acls: sorted(acls),
    loadBalancers: sorted(lbs.values()),
    loadBalancerGroups: [],
    networks: [],
    notices: [],
  };
}
