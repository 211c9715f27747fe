/**
 * src/lflow without root: byte-exact against the two real OVN 25.03 `ovn-sbctl lflow-list` dumps
 * (shared/reference/ovn-ground-truth/v25.03.0, datapath UUIDs normalized), set-equal against the
 * outputs real northd 25.03 produced for the scenarios in test/data/lflow/scenarios (recorded by
 * test/lflow-oracle.test.ts with UDNC_LFLOW_RECORD=1), plus printer, determinism, provenance and
 * tunnel-key properties.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIpv6, lla, parseIpNet, parseIpv6 } from '../src/lflow/addr.js';
import {
  PIPELINE_25_03, computeLogicalFlows, formatLflowLine, formatLflowList, lflowSet, parseNbctlScript, southboundSummary,
} from '../src/lflow/index.js';
import type { NorthboundDB } from '../src/northbound/types.js';
import { sharedPath } from './helpers/shared.js';

const GT_DIR = sharedPath('reference/ovn-ground-truth/v25.03.0');
const DATA = join(import.meta.dirname, 'data/lflow');
const PINNED = { svc_monitor_mac: '0a:00:00:00:00:fe', mac_prefix: '0a:00:00' };

const normUuid = (s: string) => s.replace(/^(Datapath: "[^"]*") \([0-9a-f-]{36}\)/gm, '$1 ()');
const read = (f: string) => readFileSync(f, 'utf8');

describe('lflow: byte-exact against real OVN 25.03 lflow-list dumps', () => {
  it('sw0 with two ports and no ACLs (nb-part1 → lflows-sw0-no-acl.txt)', () => {
    const nb = parseNbctlScript(read(join(GT_DIR, 'nb-part1.nbctl')), PINNED);
    const ours = formatLflowList(computeLogicalFlows(nb));
    const real = read(join(GT_DIR, 'lflows-sw0-no-acl.txt'));
    expect(normUuid(ours)).toBe(normUuid(real));
    console.log(`lflow ground truth sw0-no-acl: ${ours.split('\n').filter((l) => l.startsWith('  table=')).length} flows byte-identical`);
  });

  it('ACLs of every action, tiers, LB, router (nb-part1+2 → lflows-acl-tiers-lb-router.txt)', () => {
    const nb = parseNbctlScript(read(join(GT_DIR, 'nb-part1.nbctl')) + read(join(GT_DIR, 'nb-part2.nbctl')), PINNED);
    const r = computeLogicalFlows(nb, { datapathKeys: { sw0: 1, swt: 2, r0: 3 } });
    const ours = formatLflowList(r);
    const real = read(join(GT_DIR, 'lflows-acl-tiers-lb-router.txt'));
    expect(normUuid(ours)).toBe(normUuid(real));
    expect(r.unsupported).toEqual([]);
    // SB rows as the real SB had them (ovn-sbctl list after loading the same NB)
    expect(r.southbound.datapaths.map((d) => `${d.name}=${d.tunnelKey}`)).toEqual(['r0=3', 'sw0=1', 'swt=2']);
    expect(r.southbound.portGroups).toEqual([{ name: '1_pg1', ports: ['p1', 'p2'] }]);
    expect(r.southbound.addressSets).toEqual([
      { name: 'as1', addresses: ['10.1.0.1', '10.1.0.2', '10.1.0.3'] },
      { name: 'pg1_ip4', addresses: ['10.0.0.1', '10.0.0.2'] },
      { name: 'pg1_ip6', addresses: [] },
      { name: 'svc_monitor_mac', addresses: ['0a:00:00:00:00:fe'] },
    ]);
    const pb = Object.fromEntries(r.southbound.portBindings.map((p) => [p.logicalPort, `${p.type}/${p.tunnelKey}`]));
    expect(pb).toEqual({ p1: '/1', p2: '/2', 'sw0-r0': 'patch/3', t1: '/1', t2: '/2', 'r0-sw0': 'patch/1' });
    console.log(`lflow ground truth acl-tiers-lb-router: ${r.flows.length} flows byte-identical`);
  });
});

describe('lflow: set-equal to real northd 25.03 on recorded scenarios', () => {
  const recorded = join(DATA, 'recorded');
  const scenarios = readdirSync(join(DATA, 'scenarios')).filter((f) => f.endsWith('.nbctl')).sort();
  let total = 0;
  for (const file of scenarios) {
    const base = file.replace(/\.nbctl$/, '');
    const rec = join(recorded, `${base}.lflow.txt`);
    it.skipIf(!existsSync(rec))(base, () => {
      const r = computeLogicalFlows(parseNbctlScript(read(join(DATA, 'scenarios', file)), PINNED));
      const real = lflowSet(read(rec));
      const ours = lflowSet(formatLflowList(r));
      const realSet = new Set(real);
      const ourSet = new Set(ours);
      expect({ missing: real.filter((l) => !ourSet.has(l)), extra: ours.filter((l) => !realSet.has(l)) }).toEqual({ missing: [], extra: [] });
      expect(southboundSummary(r)).toEqual(JSON.parse(read(join(recorded, `${base}.sb.json`))));
      total += real.length;
    });
  }
  it('counts', () => {
    console.log(`lflow recorded scenarios: ${total} flows compared`);
  });
});

describe('lflow: printer, determinism, provenance', () => {
  const nb = parseNbctlScript(read(join(GT_DIR, 'nb-part1.nbctl')) + read(join(GT_DIR, 'nb-part2.nbctl')), PINNED);

  it('pads like ovn-sbctl: %-2d table, %-19s stage, %-5d priority', () => {
    expect(formatLflowLine({ table: 8, stage: 'ls_in_acl_eval', priority: 1, match: '1', actions: 'next;' }))
      .toBe('  table=8 (ls_in_acl_eval     ), priority=1    , match=(1), action=(next;)');
    expect(formatLflowLine({ table: 20, stage: 'ls_in_acl_after_lb_action', priority: 65532, match: 'm', actions: 'a' }))
      .toBe('  table=20(ls_in_acl_after_lb_action), priority=65532, match=(m), action=(a)');
  });

  it('every stage of the 25.03 layout is where lflow-list puts it', () => {
    const real = read(join(GT_DIR, 'lflows-acl-tiers-lb-router.txt'));
    const seen = new Map<string, number>();
    for (const m of real.matchAll(/table=(\d+)\s*\((\w+)\s*\)/g)) seen.set(m[2]!, Number(m[1]));
    expect(seen.size).toBe(PIPELINE_25_03.stages.length);
    for (const s of PIPELINE_25_03.stages) expect([s.name, seen.get(s.name)]).toEqual([s.name, s.table]);
  });

  it('is a function of the NB rows only (row order and repeated runs do not matter)', () => {
    const a = formatLflowList(computeLogicalFlows(nb));
    const shuffled: NorthboundDB = {
      ...nb,
      logicalSwitches: [...nb.logicalSwitches].reverse(),
      logicalSwitchPorts: [...nb.logicalSwitchPorts].reverse(),
      acls: [...nb.acls].reverse(),
      portGroups: [...nb.portGroups].reverse(),
      logicalRouters: [...nb.logicalRouters].reverse(),
    };
    expect(formatLflowList(computeLogicalFlows(shuffled))).toBe(a);
    expect(formatLflowList(computeLogicalFlows(nb))).toBe(a);
  });

  it('default tunnel keys: lowest free key by datapath name, ports by name; requested keys honoured', () => {
    const r = computeLogicalFlows(nb);
    expect(r.southbound.datapaths.map((d) => `${d.name}=${d.tunnelKey}`)).toEqual(['r0=1', 'sw0=2', 'swt=3']);
    expect(r.southbound.portGroups.map((g) => g.name)).toEqual(['2_pg1']);
    const req = { ...nb, logicalSwitches: nb.logicalSwitches.map((s) => (s.name === 'swt' ? { ...s, other_config: { 'requested-tnl-key': '1' } } : s)) };
    expect(computeLogicalFlows(req).southbound.datapaths.map((d) => `${d.name}=${d.tunnelKey}`)).toEqual(['r0=2', 'sw0=3', 'swt=1']);
  });

  it('flows carry provenance: ACL flows their ACL and port group, fixed flows their datapath', () => {
    const r = computeLogicalFlows(nb);
    const pgAcl = nb.acls.find((a) => a.match.includes('@pg1'))!;
    const f = r.flows.find((x) => x.stage === 'ls_out_acl_eval' && x.match.includes('@pg1'))!;
    expect(f.provenance.rows).toEqual([pgAcl.id, 'Logical_Switch:sw0', 'Port_Group:pg1'].sort());
    const fixed = r.flows.find((x) => x.datapath === 'swt' && x.stage === 'ls_in_l2_unknown' && x.priority === 0)!;
    expect(fixed.provenance.rows).toEqual(['Logical_Switch:swt']);
    const lb = r.flows.find((x) => x.stage === 'ls_in_lb' && x.priority === 120)!;
    expect(lb.provenance.rows).toContain('Load_Balancer:lb0');
    const route = r.flows.find((x) => x.stage === 'lr_in_ip_routing' && x.priority === 198)!;
    expect(route.provenance.rows).toEqual(['Logical_Router:r0', 'Logical_Router_Port:r0-sw0']);
  });
});

describe('lflow: what is not translated is said, not guessed silently', () => {
  it('reports NAT kinds, distributed gateway ports, route tables and unknown port types', () => {
    const nb = parseNbctlScript([
      'lr-add r', 'lrp-add r r-p 0a:00:00:00:00:01 10.0.0.1/24',
      'lr-nat-add r dnat_and_snat 172.16.0.10 10.0.0.10',
      'lr-route-add r 10.9.0.0/16 10.0.0.2',
      'set logical_router_port r-p options:redirect-chassis=hv1',
      'ls-add s', 'lsp-add s v', 'lsp-set-type v virtual',
    ].join('\n'));
    const r = computeLogicalFlows({ ...nb, staticRoutes: nb.staticRoutes.map((x) => ({ ...x, route_table: 'blue' })) });
    expect(r.unsupported).toEqual([
      'route Logical_Router_Static_Route:0: route_table blue is not modelled',
      'router port r-p: distributed gateway port is not modelled',
      'router r: NAT dnat_and_snat 172.16.0.10 10.0.0.10 is not modelled',
      'switch port v: type virtual is not modelled',
    ]);
  });
});

describe('lflow: addresses print as OVN prints them', () => {
  it('IPv6 in inet_ntop form, EUI-64 link-local, solicited-node multicast', () => {
    expect(formatIpv6(parseIpv6('fd00:10:244:1:0:0:0:1')!)).toBe('fd00:10:244:1::1');
    expect(formatIpv6(parseIpv6('2001:db8:0:1:0:0:0:1')!)).toBe('2001:db8:0:1::1');
    expect(formatIpv6(parseIpv6('2001:0:0:1:0:0:0:1')!)).toBe('2001:0:0:1::1');
    expect(formatIpv6(parseIpv6('fe80:0:0:0:1:0:0:0')!)).toBe('fe80::1:0:0:0');
    expect(lla('00:00:00:00:ff:01').addr).toBe('fe80::200:ff:fe00:ff01');
    expect(lla('0a:58:0a:f4:00:01').snm).toBe('ff02::1:fff4:1');
    const n = parseIpNet('10.0.0.254/24');
    expect(n && n.family === 4 ? [n.network, n.bcast] : []).toEqual(['10.0.0.0', '10.0.0.255']);
  });
});
