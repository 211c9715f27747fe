/**
 * Differential test of the action encoder against the real ovn-controller 25.03 (test/oracle):
 * a switch sw0 (p1, p2 bound on this chassis) and a router r0 are created through northd, then
 * northd is paused and one hand-written Logical_Flow per case is inserted into the SB.  The
 * OpenFlow actions ovn-controller installs for each (found by the lflow's cookie) must equal
 * encodeActions() in controllerContext() — or, when ovn-controller installs nothing because the
 * actions do not parse, encodeActions must reject them too.
 *
 * Group and meter ids depend on allocation order inside ovn-controller, so `group:N`/`meter:N`
 * are compared after renumbering both sides in order of appearance.
 *
 * Needs root and the trixie chroot (skipped with a message otherwise, failed with
 * UDNC_REQUIRE_OVN=1). With UDNC_ACTIONS_RECORD=1 the real outputs are written to
 * test/data/actions/v25.03.0/controller-recorded.json, which test/actions-recorded.test.ts replays
 * without root.
 */
import { writeFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeRealOvn } from './oracle/vitest.js';
import { ActionError, controllerContext, encodeActions, ExtendTable } from '../src/expr/actions/index.js';

type Kind = 'switch' | 'router';
interface Case { kind: Kind; pipeline: 'ingress' | 'egress'; table: number; action: string; match?: string }

const sw = (action: string, table = 20): Case => ({ kind: 'switch', pipeline: 'ingress', table, action });
/** learn() sources must be matched by the flow itself (OVS rejects the flow otherwise), like northd's. */
const withMatch = (c: Case, match: string): Case => ({ ...c, match });
const swOut = (action: string, table = 5): Case => ({ kind: 'switch', pipeline: 'egress', table, action });
const rt = (action: string, table = 10): Case => ({ kind: 'router', pipeline: 'ingress', table, action });
const rtOut = (action: string, table = 3): Case => ({ kind: 'router', pipeline: 'egress', table, action });

const CASES: Case[] = [
  sw('next;'), sw('next(pipeline=egress, table=3);'), sw('output;'), sw('drop;'),
  sw('reg0[1] = 1; reg8[16] = 1; outport = "p1"; flags.loopback = 1; next;'),
  sw('outport = "_MC_flood"; output;'),
  sw('outport = "nonexistent"; output;'),
  sw('eth.dst <-> eth.src; ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; next;'),
  sw('pkt.mark = 5; vlan.pcp = 2; next;'),
  sw('ip.dscp = 10; ip.ecn = 1; ip4.src = 1.2.3.4; tcp.src = 100; next;'),
  sw('ip6.label = 5; ip6.dst = fd00::1; udp.dst = 53; next;'),
  sw('sctp.dst = 9; ip.ttl--; next;'),
  sw('icmp6.type = 1; icmp6.code = 4; next;'),
  sw('ct_next;'),
  sw('ct_commit { ct_mark.blocked = 1; ct_label.label = reg3; }; next;'),
  sw('ct_commit_nat;'),
  sw('ct_commit_to_zone(snat);'),
  sw('ct_lb_mark;'),
  sw('ct_lb_mark(backends=10.0.0.1:80,10.0.0.2:8080);'),
  sw('ct_lb_mark(backends=[fd00::1]:80,[fd00::2]:80; hash_fields="ip_src,ip_dst"; skip_snat);'),
  sw('ct_lb(backends=10.0.0.3);'),
  sw('ct_clear; next;'),
  sw('reject { eth.dst <-> eth.src; ip4.dst <-> ip4.src; reg0 = 0; reg0[2] = 1; ip.ttl--; outport <-> inport; next(pipeline=egress,table=5); };'),
  sw('tcp_reset { eth.dst <-> eth.src; ip4.dst <-> ip4.src; next; };'),
  sw('sctp_abort { eth.dst <-> eth.src; ip6.dst <-> ip6.src; next; };'),
  sw('icmp4_error { eth.dst <-> eth.src; ip4.dst <-> ip4.src; icmp4.type = 3; icmp4.code = 4; icmp4.frag_mtu = 1442; next(pipeline=ingress, table=21); };'),
  sw('icmp6_error { icmp6.frag_mtu = 1442; icmp6.type = 2; next; };'),
  sw('arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.op = 1; arp.tpa = reg0; arp.spa = reg1; output; }; output;'),
  sw('nd_na { eth.src = 00:00:00:00:00:01; ip6.src = nd.target; nd.tll = 00:00:00:00:00:01; outport = inport; flags.loopback = 1; output; };'),
  sw('clone { outport = "p2"; output; }; next;'),
  sw('reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, router = 10.0.0.1, netmask = 255.255.255.0, lease_time = 3600, dns_server = {8.8.8.8, 1.1.1.1}, server_id = 10.0.0.1, mtu = 1400, domain_search_list = "a.com,b.a.com", classless_static_route = {30.0.0.0/24, 10.0.0.1, 0.0.0.0/0, 10.0.0.1}, hostname = "vm1", bootfile_name = "pxe"); next;'),
  sw('reg0[3] = put_dhcpv6_opts(ia_addr = ae70::4, server_id = 00:00:00:00:10:02, dns_server = {ae70::1, ae70::2}, domain_search = "ovn.org", fqdn = "host.ovn.org"); next;'),
  sw('handle_dhcpv6_reply;'),
  sw('reg0[4] = dns_lookup(); next;'),
  sw('reg0[6] = chk_lb_hairpin(); reg0[12] = chk_lb_hairpin_reply(); next;'),
  sw('reg0[11] = lookup_fdb(inport, eth.src); next;'),
  sw('put_fdb(inport, eth.src); next;'),
  sw('outport = get_fdb(eth.dst); next;'),
  sw('reg0[15] = check_in_port_sec(); next;'),
  sw('handle_svc_check(inport);'),
  sw('reg9[16..31] = select(1=50, 2=100, 3);'),
  sw('reg0 = select(values=(1, 2); hash_fields="ip_src");'),
  sw('log(name="acl1", verdict=drop, severity=alert); next;'),
  sw('log(verdict=allow, meter="acl-meter"); next;'),
  sw('set_queue(10); next;'),
  sw('set_meter(100);'),
  sw('set_meter(100, 200);'),
  sw('reg1 = ct_nw_dst(); next;'),
  sw('xxreg1 = ct_ip6_dst(); next;'),
  sw('reg2[0..15] = ct_tp_dst(); next;'),
  sw('mac_cache_use; next;'),
  sw('flood_remote;'),
  sw('trigger_event(event = "empty_lb_backends", vip = "10.0.0.10:80", protocol = "tcp", load_balancer = "12345678-abcd-9876-fedc-11119f8e7d6c");'),
  sw('bind_vport("p2", inport); next;'),
  sw('push(xxreg0); pop(xxreg1); next;'),
  sw('reg0[0] = check_pkt_larger(1514); next;'),
  sw('fwd_group(childports="p1", "p2");'),
  sw('igmp;'),
  sw('reg9[6] = chk_lb_aff(); next;'),
  withMatch(sw('commit_lb_aff(vip = "10.0.0.10:80", backend = "10.0.0.1:8080", proto = tcp, timeout = 60);'), 'ip4 && tcp'),
  withMatch(sw('commit_lb_aff(vip = "[fd00::10]:80", backend = "[fd00::1]:8080", proto = udp, timeout = 60);'), 'ip6 && udp'),
  withMatch(sw('commit_lb_aff(vip = "10.0.0.10", backend = "10.0.0.1", timeout = 60);'), 'ip4'),
  sw('next(40);'),
  sw('ct_state_save;'),
  // More nested encodings (OpenFlow 1.5 inside controller userdata).
  sw('arp { arp.op = 2; arp.tha <-> arp.sha; eth.src = 00:00:00:00:00:01; arp.spa = 10.0.0.1; arp.tpa = arp.spa; output; }; output;'),
  sw('tcp_reset { ip.ttl--; vlan.tci = 0x1005; pkt.mark = 7; reg3 = 0xabcd; xreg1 = 0x1122334455667788; next; };'),
  sw('icmp4 { icmp4.frag_mtu = 1300; ip4.src = 10.0.0.254; ip.dscp = 1; eth.type = 0x800; next; };'),
  sw('icmp6 { ip6.src = fd00::fe; ip6.label = 0x12345; icmp6.type = 2; icmp6.code = 0; next; };'),
  sw('nd_ns { eth.dst = 33:33:ff:00:00:01; ip6.dst = ff02::1:ff00:1; nd.target = xxreg1; nd.sll = eth.src; output; };'),
  sw('nd_na { nd.target = fd00::1; nd.tll = nd.sll; flags.loopback = 1; output; };'),
  sw('reject { clone { ct_clear; next; }; };'),
  sw('clone { ct_clear; ct_commit { ct_mark.blocked = 1; }; next; };'),
  sw('sctp_abort { sctp.src = 1; next(pipeline=egress, table=1); };'),
  sw('ct_commit { ct_mark = 1/1; ct_label = 0x1/0x1; ct_label.label = 0xdeadbeef; ct_label[0..47] = 00:11:22:33:44:55; }; next;'),
  sw('ct_commit { ct_label = 0x0102030405060708090a0b0c0d0e0f10; }; next;'),
  sw('ct_lb_mark(backends=fd00::1,fd00::2);'),
  sw('ct_lb_mark(backends=10.0.0.1:80,10.0.0.2:80; hash_fields="eth_src,eth_dst,ip_src,ip_dst,tp_src,tp_dst");'),
  sw('reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, ip_forward_enable = 1, T1 = 100, T2 = 200, wpad = "http://w", tftp_server = "tftp.ovn.org", next_server = 10.0.0.9, bootfile_name_alt = "ipxe.efi", ntp_server = {10.0.0.7}, netbios_node_type = 2); next;'),
  sw('reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, tftp_server = 10.0.0.8, domain_name = "ovn.org", broadcast_address = 10.0.0.255); next;'),
  sw('reg0[3] = put_dhcpv6_opts(bootfile_name = "http://boot", bootfile_name_alt = "x.efi", server_id = 00:00:00:00:10:02); next;'),
  sw('log(name="n", verdict=reject, severity=debug); log(verdict=pass, severity=notice); log(verdict=drop, severity=warning); next;'),
  sw('trigger_event(event = "empty_lb_backends", vip = "[fd00::10]:80", protocol = "udp", load_balancer = "12345678-abcd-9876-fedc-11119f8e7d6c");'),
  sw('outport <-> inport; inport = ""; eth.src <-> eth.dst; next;'),
  sw('xxreg0 = ip6.src; xxreg1[0..63] = xxreg0[64..127]; reg9 = reg8; next;'),
  sw('reg0[0..7] = ip.ttl; reg1[0..15] = tcp.dst; next;'),
  // ct() nested in controller userdata (NXAST_CT / NXAST_NAT in OpenFlow 1.5).
  sw('reject { ct_commit { ct_label = 1; ct_mark.blocked = 1; }; next; };'), sw('arp { ct_next; output; };'),
  sw('icmp4 { ct_lb_mark; };'), sw('nd_ns { ct_commit_nat; };'), rt('tcp_reset { ct_dnat(10.0.0.1, 80); };'),
  rt('tcp_reset { ct_snat(10.0.0.1, 80-90); ct_dnat(fd00::1); ct_snat; };'), rt('icmp6 { ct_dnat(fd00::1, 443); };'),
  sw('icmp4.frag_mtu = 1500; next;'), sw('icmp6.frag_mtu = 1280; next;'),
  sw('sample(probability=100,collector_set=200,obs_domain=1,obs_point=$cookie); next;'),
  sw('reg0[1] = 1; /* comment */ next; /* trailing */'),
  sw(''),
  swOut('reject { eth.dst <-> eth.src; ip6.dst <-> ip6.src; outport <-> inport; next(pipeline=ingress,table=29); };'),
  rt('ct_snat(fd00::1, 1-100);'), rt('ct_dnat(10.0.0.1, 80);'), rt('ct_lb_mark(backends=[fd00::1]:80);'),
  rt('reg1[0] = put_nd_ra_opts(addr_mode = "dhcpv6_stateless", slla = 00:00:00:00:ff:01, prefix = aef0::/64, router_preference = "HIGH", dnssl = "aaaaaaaaaaaa.bbbbbbbbbbbbbbb.org,c.d", route_info = "MEDIUM-::/0,LOW-aef3::1/128"); next;'),
  rt('icmp4_error { ip.ttl = 255; icmp4.type = 11; icmp4.code = 0; icmp4.frag_mtu = 1400; outport = "r0-sw0"; output; };'),
  rt('icmp6_error { ip.ttl = 255; icmp6.type = 3; icmp6.code = 0; icmp6.frag_mtu = 1280; next; };'),
  rt('arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = reg5; arp.tpa = reg0; arp.op = 1; output; };'),
  swOut('ct_next;'), swOut('output;'), swOut('next;'), swOut('reg0[15] = check_out_port_sec(); next;', 11),
  swOut('ct_commit { ct_mark.blocked = 0; }; next;'),
  rt('ct_next;'), rt('ct_next(snat);'), rt('ct_dnat;'), rt('ct_dnat(10.0.0.5);'), rt('ct_dnat(10.0.0.5, 1000-2000);'),
  rt('ct_dnat(fd00::5, 80);'),
  rt('ct_snat(172.16.0.1);'), rt('ct_snat_in_czone(172.16.0.1);'), rt('ct_dnat_in_czone(10.0.0.5);'),
  rt('ct_commit { ct_label.ecmp_reply_eth = eth.src; ct_mark.ecmp_reply_port = 1; }; next;'),
  rt('ct_lb_mark(backends=10.0.0.1:80; force_snat);'), rt('ct_lb_mark;'), rt('ct_commit_nat(snat);'),
  rt('get_arp(outport, reg0); next;'), rt('get_nd(outport, xxreg0); next;'),
  rt('reg9[2] = lookup_arp(inport, arp.spa, arp.sha); next;'), rt('reg9[3] = lookup_arp_ip(inport, arp.spa); next;'),
  rt('reg9[2] = lookup_nd(inport, nd.target, nd.tll); next;'), rt('reg9[3] = lookup_nd_ip(inport, ip6.src); next;'),
  rt('put_nd(inport, nd.target, nd.tll); next;'), rt('put_arp(inport, arp.spa, arp.sha); next;'),
  rt('icmp4 { eth.dst <-> eth.src; ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 3; icmp4.code = 3; next; };'),
  rt('icmp6 { eth.dst <-> eth.src; ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 1; icmp6.code = 3; next; };'),
  rt('nd_ns { nd.target = xxreg0; output; }; output;'),
  rt('nd_na_router { eth.src = xreg0[0..47]; ip6.src = nd.target; nd.tll = xreg0[0..47]; outport = inport; flags.loopback = 1; output; };'),
  rt('reg1[0] = put_nd_ra_opts(addr_mode = "slaac", slla = 00:00:00:00:ff:01, prefix = aef0::/64, mtu = 1500, rdnss = ae70::1, dnssl = "a.org,b.org", route_info = "HIGH-aef1::/64,LOW-aef2::/48"); next;'),
  rt('reg1[0] = put_nd_ra_opts(addr_mode = "dhcpv6_stateful", router_preference = "LOW", slla = 00:00:00:00:ff:01, prefix = aef0::/64); next;'),
  rt('ct_snat_to_vip; next;'), rt('reg9[5] = chk_ecmp_nh_mac(); next;'), rt('reg9[5] = chk_ecmp_nh(); next;'),
  withMatch(rt('commit_ecmp_nh(ipv6 = false, proto = tcp);'), 'ip4 && tcp'),
  withMatch(rt('commit_ecmp_nh(ipv6 = true, proto = sctp);'), 'ip6 && sctp'),
  rt('reg9[7] = dhcp_relay_req_chk(10.0.0.1, 172.16.0.1); next;'),
  rt('reg9[8] = dhcp_relay_resp_chk(10.0.0.1, 172.16.0.1); next;'),
  rt('xreg0[0..47] = 00:00:00:00:ff:01; next;'), rt('ip.ttl--; reg8[0..15] = 0; next;'),
  rt('outport = "r0-sw0"; next;'),
  rtOut('ct_snat(10.0.0.254);'), rtOut('ct_dnat;'), rtOut('output;'), rtOut('ct_commit_to_zone(dnat);'),
];

const MARK_BASE = 0x7e000000;

/** Renumbers group:/meter:/meter_id= in order of first appearance (ids are allocation-order dependent). */
function renumber(s: string): string {
  const maps: Record<string, Map<string, number>> = { group: new Map(), meter: new Map(), meter_id: new Map() };
  return s.replace(/\b(group|meter|meter_id)([:=])(\d+)/g, (_m, k: string, sep: string, id: string) => {
    const map = maps[k]!;
    if (!map.has(id)) map.set(id, map.size + 1);
    return `${k}${sep}${map.get(id)}`;
  });
}

interface SbRows { headings: string[]; data: unknown[][] }
const rows = (json: string): Record<string, unknown>[] => {
  const j = JSON.parse(json) as SbRows;
  return j.data.map((r) => Object.fromEntries(j.headings.map((h, i) => [h, r[i]])));
};
const uuidOf = (v: unknown): string => (v as [string, string])[1];

describeRealOvn('action encoding vs ovn-controller 25.03', (sandbox) => {
  const real = new Map<number, string | null>();
  let realGroups: string[] = [];
  const uuids: string[] = [];
  const dps: Record<Kind, { uuid: string; key: number; ports: Record<string, number> }> = {} as never;

  beforeAll(async () => {
    const sb = sandbox();
    for (const cmd of [
      ['ls-add', 'sw0'], ['lsp-add', 'sw0', 'p1'], ['lsp-set-addresses', 'p1', '00:00:00:00:00:01 10.0.0.1'],
      ['lsp-add', 'sw0', 'p2'], ['lsp-set-addresses', 'p2', '00:00:00:00:00:02 10.0.0.2'],
      ['lr-add', 'r0'], ['lrp-add', 'r0', 'r0-sw0', '00:00:00:00:ff:01', '10.0.0.254/24'],
      ['lsp-add', 'sw0', 'sw0-r0'], ['lsp-set-type', 'sw0-r0', 'router'], ['lsp-set-addresses', 'sw0-r0', 'router'],
      ['lsp-set-options', 'sw0-r0', 'router-port=r0-sw0'],
    ]) await sb.nbctl(...cmd);
    await sb.addVif('vif1', 'p1');
    await sb.addVif('vif2', 'p2');
    await sb.sync();

    // Datapaths, port and multicast-group keys as ovn-controller's lookup_port() sees them.
    const dpRows = rows(await sb.sbctl('--format=json', 'list', 'Datapath_Binding'));
    const byUuid = new Map<string, Kind>();
    for (const d of dpRows) {
      const ext = new Map((d['external_ids'] as [string, [string, string][]])[1]);
      const kind: Kind = ext.get('name') === 'r0' ? 'router' : 'switch';
      byUuid.set(uuidOf(d['_uuid']), kind);
      dps[kind] = { uuid: uuidOf(d['_uuid']), key: d['tunnel_key'] as number, ports: {} };
    }
    for (const p of rows(await sb.sbctl('--format=json', 'list', 'Port_Binding'))) {
      dps[byUuid.get(uuidOf(p['datapath']))!].ports[p['logical_port'] as string] = p['tunnel_key'] as number;
    }
    for (const g of rows(await sb.sbctl('--format=json', 'list', 'Multicast_Group'))) {
      dps[byUuid.get(uuidOf(g['datapath']))!].ports[g['name'] as string] = g['tunnel_key'] as number;
    }

    await sb.pauseNorthd();
    const ops = CASES.map((c, i) => ({
      op: 'insert',
      table: 'Logical_Flow',
      row: {
        logical_datapath: ['uuid', dps[c.kind].uuid],
        pipeline: c.pipeline,
        table_id: c.table,
        priority: 100,
        match: `pkt.mark == ${MARK_BASE + i}${CASES[i]!.match ? ` && ${CASES[i]!.match}` : ''}`,
        actions: c.action,
        external_ids: ['map', [['stage-name', 'udnc_action_oracle']]],
      },
    }));
    const result = await sb.sbTransact(ops);
    CASES.forEach((_c, i) => uuids.push(uuidOf((result[i] as { uuid: unknown }).uuid)));
    await sb.sync();

    const flows = await sb.dumpFlows('br-int');
    CASES.forEach((_c, i) => {
      const cookie = `cookie=0x${parseInt(uuids[i]!.slice(0, 8), 16).toString(16)},`;
      const f = flows.find((l) => l.startsWith(cookie) && l.includes(`pkt_mark=${'0x' + (MARK_BASE + i).toString(16)}`));
      real.set(i, f ? f.slice(f.indexOf(' actions=') + ' actions='.length) : null);
    });
    realGroups = await sb.dumpGroups('br-int');

    if (process.env.UDNC_ACTIONS_RECORD === '1') {
      const record = {
        source: `${sb.versions.controller} / ${sb.versions.vswitchd} (test/actions-oracle.test.ts)`,
        datapaths: dps,
        cases: CASES.map((c, i) => ({ ...c, lflowUuid: uuids[i], ofpacts: real.get(i) ?? null })),
        groups: realGroups,
      };
      writeFileSync(new URL('./data/actions/v25.03.0/controller-recorded.json', import.meta.url), JSON.stringify(record, null, 1) + '\n');
    }
  }, 300_000);

  it('defines the same select groups as ovn-controller', async () => {
    // OVN installs a group from its text definition (the "name" of the extend-table entry);
    // installing our text under ovn-controller's id on br-test must give the same group.
    const sb = sandbox();
    const groups = new ExtendTable();
    const defs: string[] = [];
    const ids: string[] = [];
    CASES.forEach((c, i) => {
      const theirs = real.get(i);
      const m = theirs ? /group:(\d+)/.exec(theirs) : null;
      if (!m) return;
      const dp = dps[c.kind];
      const r = encodeActions(c.action, controllerContext({
        pipeline: c.pipeline, table: c.table, isSwitch: c.kind === 'switch', ports: dp.ports,
        lflowUuid: uuids[i]!, dpKey: dp.key, groups,
      }));
      expect(r.groups.length).toBe(1);
      const name = /^id\(\d+\), name\((.*)\)$/.exec(r.groups[0]!)![1]!;
      defs.push(`group_id=${m[1]},${name}`);
      ids.push(m[1]!);
    });
    expect(defs.length).toBeGreaterThanOrEqual(6);
    await sb.replaceFlows('br-test', '', defs.join('\n'));
    const ours = (await sb.dumpGroups('br-test')).sort();
    const theirs = realGroups.filter((g) => ids.some((id) => g.startsWith(`group_id=${id},`))).sort();
    console.log(`action oracle: ${defs.length} select groups compared`);
    expect(ours).toEqual(theirs);
  });

  it('encodes every case exactly like ovn-controller', () => {
    const groups = new ExtendTable();
    const meters = new ExtendTable();
    const mismatches: string[] = [];
    let encoded = 0;
    CASES.forEach((c, i) => {
      const dp = dps[c.kind];
      let ours: string | null;
      try {
        ours = encodeActions(c.action, controllerContext({
          pipeline: c.pipeline, table: c.table, isSwitch: c.kind === 'switch', ports: dp.ports,
          lflowUuid: uuids[i]!, dpKey: dp.key, groups, meters,
        })).ofpacts;
      } catch (e) {
        if (!(e instanceof ActionError)) throw e;
        ours = null;
      }
      const theirs = real.get(i) ?? null;
      if (ours !== null) encoded++;
      if ((ours === null ? null : renumber(ours)) !== (theirs === null ? null : renumber(theirs))) {
        mismatches.push(`${c.kind} ${c.pipeline} ${c.table}: ${c.action}\n  ovn-controller: ${theirs}\n  udnc:           ${ours}`);
      }
    });
    console.log(`action oracle: ${CASES.length} cases, ${encoded} encoded, ${mismatches.length} mismatches`);
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
  });
});
