/**
 * Error wording against the real OVN 25.03: hand-written Logical_Flow rows with bad (and some good)
 * actions are inserted into the SB with northd paused, and `ovn-trace` — which parses every lflow
 * with ovnacts_parse_string() and the real symbol table, 30 logical tables — reports each failure as
 * `<actions>: parsing actions failed (<error>)`.  parseActions() in controllerContext() must fail
 * with exactly that error, and succeed where ovn-trace reports nothing.  (`^template` references
 * are expanded, or the lflow skipped, before actions are parsed, so they are not tested here.)
 *
 * Needs root and the trixie chroot (skipped with a message otherwise, failed with
 * UDNC_REQUIRE_OVN=1).  With UDNC_ACTIONS_RECORD=1 the results are written to
 * test/data/actions/v25.03.0/ovn-trace-errors.json for test/actions-recorded.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeRealOvn } from './oracle/vitest.js';
import { ActionError, controllerContext, parseActions } from '../src/expr/actions/index.js';

const ACTIONS = [
  'next(40);', 'next(pipeline=foo);', 'next(table=);', 'next(pipeline=egress, table=99);', 'output', 'drop; next;',
  'next; drop;', 'xyzzy;', ';', 'next; 123;', '"foo";',
  'reg0[33] = 1;', 'reg0[5..3] = 1;', 'inport[1] = 1;', 'ip.proto[1] = 1;', 'ip = 1;', 'ip.proto = 6;',
  'eth.type = 0x800;', 'ct_mark = 1;', 'ct_commit { ip4.dst = 1.2.3.4; };',
  'ct_commit { ct_label = 0x1ffffffffffffffffffffffffffffffff; };', 'reg0 = "foo";', 'inport = 5;',
  'reg0 = reg1[0..10];', 'inport = reg0;', 'outport <-> reg0;', 'reg0 <-> reg1[0..3];',
  'ct_dnat(foo);', 'ct_dnat(10.0.0.1, 0);', 'ct_dnat(10.0.0.1, 100-10);', 'ct_snat(10.0.0.1, foo);', 'ct_next(foo);',
  'ct_commit_nat(x);', 'ct_commit_to_zone;', 'ct_lb(backends=10.0.0.1:99999);', 'ct_lb_mark(backends=[10.0.0.1]:80);',
  'ct_lb_mark(backends=fd00::1:80);', 'ct_lb_mark(backends=10.0.0.1; hash_fields=foo);', 'ct_lb_mark(foo);',
  'ct_lb_mark(backends=[fd00::1;', 'reg0 = select(1);', 'reg0[0..7] = select(1, 2);', 'reg0 = select(1=0, 2);',
  'get_arp(inport);', 'get_arp(reg0, ip4.dst);', 'put_arp(inport, arp.spa, ip4.src);',
  'reg0 = lookup_arp(inport, arp.spa, arp.sha);', 'reg0[0] = put_dhcp_opts(router = 10.0.0.1);',
  'reg0[0] = put_dhcp_opts(offerip = "x");', 'reg0[0] = put_dhcp_opts(offerip = 1.2.3.4, foo = 1);',
  'reg0[0] = put_dhcp_opts(offerip = 1.2.3.4, dns_server = {1.2.3.4, "x"});',
  'reg0[0] = put_dhcpv6_opts(ia_addr = "x");', 'reg0[0] = put_nd_ra_opts(addr_mode = "slaac");',
  'reg0[0] = put_nd_ra_opts(addr_mode = "bogus", slla = 00:00:00:00:00:01);',
  'reg0[0] = put_nd_ra_opts(addr_mode = "slaac", slla = 00:00:00:00:00:01, prefix = {aef0::/64, aef1::/64});',
  'log(verdict=foo);', 'log(severity=info);', 'log(name=foo, verdict=drop);', 'log(verdict=drop, severity=loud);',
  'set_queue(70000);', 'set_meter(0);', 'reg0[0] = dns_lookup(1);', 'reg0 = chk_lb_hairpin();',
  'reg0[0] = check_pkt_larger(foo);', 'bind_vport(p1, inport);', 'handle_svc_check(reg0);', 'fwd_group(childports=p1);',
  'trigger_event(event = "foo");', 'trigger_event(event = "empty_lb_backends", vip = "bogus");',
  'trigger_event(event = "empty_lb_backends", protocol = "icmp");', 'sample(probability=0);',
  'sample(probability=10, obs_domain=300);', 'sample(probability=10, foo=1);',
  'commit_ecmp_nh(ipv6 = maybe, proto = tcp);', 'commit_ecmp_nh(ipv6 = true, proto = icmp);',
  'commit_lb_aff(vip = "1.2.3.4:80", backend = "[::1]:80", proto = tcp, timeout = 1);',
  'commit_lb_aff(vip = "1.2.3.4:80", backend = "1.2.3.5:80", timeout = 1);',
  'reg9[7] = dhcp_relay_req_chk(1.2.3.4);', 'reg9[7] = dhcp_relay_req_chk(1.2.3.4 5.6.7.8);',
  'ip4.dst = 1.2.3.4; flags.loopback = dhcp_relay_resp_chk("x", 1.1.1.1);', 'icmp4 { next(40); };', 'arp { foo; };', 'clone { drop; next; };',
  'reg0[0] = ct_nw_dst();', 'ct_snat_to_vip();', 'mac_cache_use();', 'flood_remote();', 'reg0 = $set;',
  'pkt.mark = 1.2.3.4.5;', 'eth.src = 00:00:00:00:00;', 'reg0 = 09;', 'reg0 = 1; /* unterminated', 'reg0 = 1 &',
  'reg0 = 0x;', 'reg0 = 1.2.3.4/40;', 'inport = "p1\\q";', 'reg0 = 1 | 2;', 'reg0 = 1.2.3.4/8;', 'reg0 = 0x1/0x1;',
  'reg0[0] = lookup_fdb(inport);', 'outport = get_fdb(eth.dst, eth.src);', 'reg0[0..1] = check_in_port_sec();',
  'push(ip.proto);', 'pop(eth.type);', 'push(foo);', 'ct_commit { ct_mark.blocked = 1; next; }; next;',
  'reject { ct_commit { ct_label = 1; }; };', 'ct_commit { ct_commit { }; };', 'nd_ns { nd.target = 1.2.3.4; };',
];

describeRealOvn('action parse errors vs ovn-trace 25.03', (sandbox) => {
  const errors = new Map<string, string>();
  let dpUuid = '';

  beforeAll(async () => {
    const sb = sandbox();
    await sb.nbctl('ls-add', 'sw0');
    await sb.nbctl('lsp-add', 'sw0', 'p1');
    await sb.addVif('vif1', 'p1');
    await sb.sync();
    dpUuid = (JSON.parse(await sb.sbctl('--format=json', 'list', 'Datapath_Binding')) as { data: [string, string][][] }).data[0]![0]![1];
    await sb.pauseNorthd();
    await sb.sbTransact(ACTIONS.map((actions, i) => ({
      op: 'insert',
      table: 'Logical_Flow',
      row: {
        logical_datapath: ['uuid', dpUuid], pipeline: 'ingress', table_id: 5, priority: 1000 + i, match: '1', actions,
        external_ids: ['map', [['stage-name', 'udnc_action_errors']]],
      },
    })));
    const out = await sb.exec('sh', ['-c', `ovn-trace --db=unix:${sb.dir}/sb.sock sw0 'inport == "p1"' 2>&1 >/dev/null`]);
    for (const line of out.split('\n')) {
      const m = /\|ovntrace\|WARN\|(.*): parsing actions failed \((.*)\)$/s.exec(line);
      if (m) errors.set(m[1]!, m[2]!);
    }
    if (process.env.UDNC_ACTIONS_RECORD === '1') {
      const record = {
        source: `${sb.versions.northd} ovn-trace (test/actions-errors-oracle.test.ts): ingress table 5 of a switch`,
        cases: ACTIONS.map((a) => ({ actions: a, error: errors.get(a) ?? null })),
      };
      writeFileSync(new URL('./data/actions/v25.03.0/ovn-trace-errors.json', import.meta.url), JSON.stringify(record, null, 1) + '\n');
    }
  }, 300_000);

  it('rejects exactly what OVN rejects, with OVN\'s words', () => {
    const mismatches: string[] = [];
    for (const a of ACTIONS) {
      let ours: string | null = null;
      try {
        parseActions(a, controllerContext({ pipeline: 'ingress', table: 5, isSwitch: true, ports: { p1: 1 }, lflowUuid: '0', dpKey: 1 }));
      } catch (e) {
        if (!(e instanceof ActionError)) throw e;
        ours = e.message;
      }
      const theirs = errors.get(a) ?? null;
      if (ours !== theirs) mismatches.push(`${a}\n  ovn-trace: ${theirs}\n  udnc:      ${ours}`);
    }
    console.log(`action errors: ${ACTIONS.length} inputs, ${errors.size} rejected by OVN, ${mismatches.length} mismatches`);
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
  });
});
