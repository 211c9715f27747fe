/**
 * Names, hashes and match text against strings quoted from ovn-kubernetes itself. Every expected
 * string below is copied from the cited ovn-kubernetes file/test, not from udnc's output.
 */
import { describe, expect, it } from 'vitest';
import { hashForOVN } from '../src/northbound/hash.js';
import { l4Match, l4MatchesFromPorts } from '../src/northbound/l4.js';
import { ipBlockMatch, l3MatchFromAddressSets, allIPsMatch } from '../src/northbound/policy.js';
import { namedPortMatches, anpL3Match } from '../src/northbound/anp.js';
import { arpMatch, hostAllowMatch } from '../src/northbound/isolation.js';
import { podSelectorKey, shortLabelSelectorString } from '../src/northbound/selectors.js';
import { dbObjectIDs } from '../src/northbound/dbids.js';
import { ipToMac } from '../src/northbound/ip.js';

describe('HashForOVN (ovnk-lowering.md §0 doc samples)', () => {
  it.each([
    ['default-network-controller:UDNIsolation:SecondaryPods', 'a8747502060113802905'],
    ['default-network-controller:AdminNetworkPolicy:cluster-control', 'a14645450421485494999'],
    ['default-network-controller:AdminNetworkPolicy:cluster-control:Ingress:0:v4', 'a14545668191619617708'],
  ])('%s → %s', (id, want) => expect(hashForOVN(id)).toBe(want));

  // docs/features/network-security-controls/admin-network-policy.md, address-set/ACL dump of `cluster-control`
  it('ANP Ingress:1 address set name of the doc dump', () => {
    expect(hashForOVN('default-network-controller:AdminNetworkPolicy:cluster-control:Ingress:1:v4')).toBe('a6786643370959569281');
  });
});

describe('DbObjectIDs', () => {
  // docs/features/network-security-controls/admin-network-policy.md: ACL external_ids of rule Ingress:0
  it('builds ANP ACL external_ids as in the doc dump', () => {
    const ids = dbObjectIDs('default-network-controller', 'AdminNetworkPolicy', ['name', 'direction', 'gress-index', 'port-policy-protocol'],
      { name: 'cluster-control', direction: 'Ingress', 'gress-index': '0', 'port-policy-protocol': 'None' });
    expect(ids.externalIds).toEqual({
      direction: 'Ingress', 'gress-index': '0', 'k8s.ovn.org/id': 'default-network-controller:AdminNetworkPolicy:cluster-control:Ingress:0:None',
      'k8s.ovn.org/name': 'cluster-control', 'k8s.ovn.org/owner-controller': 'default-network-controller',
      'k8s.ovn.org/owner-type': 'AdminNetworkPolicy', 'port-policy-protocol': 'None',
    });
  });
});

describe('L4 matches (pkg/libovsdb/util/acl_test.go TestGetL4Match)', () => {
  const pp = (protocol: string, port: number, endPort = 0) => ({ protocol, port, endPort });
  it.each([
    ['single tcp port', [pp('tcp', 800)], 'tcp', 'tcp && tcp.dst==800'],
    ['valid individual tcp ports', [pp('tcp', 800), pp('tcp', 900), pp('tcp', 1900)], 'tcp', 'tcp && tcp.dst=={800,900,1900}'],
    ['single udp port range', [pp('udp', 800, 850)], 'udp', 'udp && 800<=udp.dst<=850'],
    ['valid tcp port ranges only', [pp('tcp', 800, 850), pp('tcp', 900, 950), pp('tcp', 1900, 2000)], 'tcp',
      'tcp && (800<=tcp.dst<=850 || 900<=tcp.dst<=950 || 1900<=tcp.dst<=2000)'],
    ['valid udp ports and ranges', [pp('udp', 800), pp('udp', 900), pp('udp', 1900, 2000), pp('udp', 4900, 5000)], 'udp',
      'udp && (udp.dst=={800,900} || 1900<=udp.dst<=2000 || 4900<=udp.dst<=5000)'],
    ['just sctp', [pp('sctp', 0)], 'sctp', 'sctp'],
  ])('%s', (_d, ports, proto, want) => {
    const m = new Map(l4MatchesFromPorts(ports));
    expect(m.size).toBe(1);
    expect(m.get(proto)).toBe(want);
  });
  it('no ports → {None: None} (GetL4MatchesFromNetworkPolicyPorts)', () => {
    expect(l4MatchesFromPorts([])).toEqual([['None', 'None']]);
  });
  it('endPort == port is a single port; port-less entry is lost next to a numbered one (code quirk)', () => {
    expect(l4Match('tcp', { portList: ['80'], portRange: [] })).toBe('tcp && tcp.dst==80');
    expect(new Map(l4MatchesFromPorts([pp('tcp', 80, 80)])).get('tcp')).toBe('tcp && tcp.dst==80');
    expect(new Map(l4MatchesFromPorts([pp('tcp', 0), pp('tcp', 80)])).get('tcp')).toBe('tcp && tcp.dst==80');
  });
});

describe('named-port L3/L4 matches (pkg/libovsdb/util/acl_test.go TestGetL3L4MatchesFromNamedPorts)', () => {
  it('single namedPort and multiple v4 namedPort representations', () => {
    const m = new Map(namedPortMatches(new Map([['web', [
      { ip: '10.128.1.4', port: 35356, protocol: 'tcp' }, { ip: '10.128.1.5', port: 35354, protocol: 'tcp' }]]])));
    expect(m.get('tcp')).toBe('tcp && ((ip4.dst == 10.128.1.4 && tcp.dst == 35356) || (ip4.dst == 10.128.1.5 && tcp.dst == 35354))');
  });
  it('single namedPort and multiple v4 & v6 namedPort representations', () => {
    const m = new Map(namedPortMatches(new Map([['web', [
      { ip: '10.128.1.4', port: 35356, protocol: 'tcp' }, { ip: 'fe00:10:128:1::4', port: 35356, protocol: 'tcp' },
      { ip: '10.128.1.5', port: 35354, protocol: 'sctp' }, { ip: 'fe00:10:128:1::5', port: 35354, protocol: 'sctp' }]]])));
    expect(m.get('tcp')).toBe('tcp && ((ip4.dst == 10.128.1.4 && tcp.dst == 35356) || (ip6.dst == fe00:10:128:1::4 && tcp.dst == 35356))');
    expect(m.get('sctp')).toBe('sctp && ((ip4.dst == 10.128.1.5 && sctp.dst == 35354) || (ip6.dst == fe00:10:128:1::5 && sctp.dst == 35354))');
  });
  it('multiple namedPorts, same protocol (map keys sorted)', () => {
    const m = new Map(namedPortMatches(new Map([
      ['web123', [{ ip: '10.128.1.3', port: 9999, protocol: 'tcp' }, { ip: '10.128.1.5', port: 9998, protocol: 'tcp' }]],
      ['web', [{ ip: '10.128.1.4', port: 35356, protocol: 'tcp' }, { ip: '10.128.1.5', port: 35354, protocol: 'tcp' }]],
    ])));
    expect(m.get('tcp')).toBe('tcp && ((ip4.dst == 10.128.1.4 && tcp.dst == 35356) || (ip4.dst == 10.128.1.5 && tcp.dst == 35354) || (ip4.dst == 10.128.1.3 && tcp.dst == 9999) || (ip4.dst == 10.128.1.5 && tcp.dst == 9998))');
  });
});

describe('ipBlock combined match (pkg/ovn/gress_policy_test.go TestGetMatchFromIPBlockFallback)', () => {
  it.each([
    ['IPv4 only no except', [{ cidr: '0.0.0.0/0' }], 'ip4.src == 0.0.0.0/0 && input && fake'],
    ['multiple IPv4 only no except', [{ cidr: '0.0.0.0/0' }, { cidr: '10.1.0.0/16' }], '(ip4.src == 0.0.0.0/0 || ip4.src == 10.1.0.0/16) && input && fake'],
    ['IPv6 only no except', [{ cidr: 'fd00:10:244:3::49/32' }], 'ip6.src == fd00:10:244:3::49/32 && input && fake'],
    ['mixed IPv4 and IPv6  no except', [{ cidr: '::/0' }, { cidr: '0.0.0.0/0' }], '(ip6.src == ::/0 || ip4.src == 0.0.0.0/0) && input && fake'],
    ['IPv4 only with except', [{ cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] }], '(ip4.src == 0.0.0.0/0 && ip4.src != {10.1.0.0/16}) && input && fake'],
    ['multiple IPv4 with except', [{ cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] }, { cidr: '10.1.0.0/16' }],
      '((ip4.src == 0.0.0.0/0 && ip4.src != {10.1.0.0/16}) || ip4.src == 10.1.0.0/16) && input && fake'],
  ])('%s', (_d, blocks, want) => expect(ipBlockMatch('Ingress', blocks, 'fake', 'input')).toBe(want));
  it('several excepts join with ", " (ovnk-lowering.md §1)', () => {
    expect(ipBlockMatch('Ingress', [{ cidr: '0.0.0.0/0', except: ['10.1.0.0/16', '10.2.0.0/16'] }], 'outport == @pg', 'None'))
      .toBe('(ip4.src == 0.0.0.0/0 && ip4.src != {10.1.0.0/16, 10.2.0.0/16}) && outport == @pg');
  });
});

describe('selector L3 matches (pkg/ovn/gress_policy.go getL3MatchFromAddressSet, allIPsMatch)', () => {
  it('sorted $ names, dual-stack or-ed', () => {
    expect(l3MatchFromAddressSets('Ingress', ['a2', 'a1'], [])).toBe('ip4.src == {$a1, $a2}');
    expect(l3MatchFromAddressSets('Egress', ['a1'], ['a3'])).toBe('(ip4.dst == {$a1} || ip6.dst == {$a3})');
    expect(allIPsMatch(true, true)).toBe('(ip4 || ip6)');
    expect(allIPsMatch(true, false)).toBe('ip4');
  });
});

describe('ANP L3 match (admin_network_policy/utils.go constructMatchFromAddressSet)', () => {
  // docs/features/network-security-controls/admin-network-policy.md, ACL `ANP:cluster-control:Ingress:0`
  it('single stack', () => expect(`outport == @a14645450421485494999 && ${anpL3Match('Ingress', 'a14545668191619617708')}`)
    .toBe('outport == @a14645450421485494999 && ((ip4.src == $a14545668191619617708))'));
  it('dual stack', () => expect(anpL3Match('Egress', 'a1', 'a2')).toBe('((ip4.dst == $a1 || ip6.dst == $a2))'));
});

describe('UDN isolation matches (docs/features/user-defined-networks/user-defined-networks.md NB dump)', () => {
  const pg = 'a8747502060113802905';
  it('AllowHostARPPrimaryUDN egress / ingress', () => {
    expect(`inport == @${pg} && ${arpMatch(['10.244.2.2', 'fd00:10:244:3::2'], 'Egress')}`)
      .toBe('inport == @a8747502060113802905 && (( arp && arp.tpa == 10.244.2.2 ) || ( nd && nd.target == fd00:10:244:3::2 ))');
    expect(`outport == @${pg} && ${arpMatch(['10.244.2.2', 'fd00:10:244:3::2'], 'Ingress')}`)
      .toBe('outport == @a8747502060113802905 && (( arp && arp.spa == 10.244.2.2 ) || ( nd && nd.target == fd00:10:244:3::2 ))');
  });
  it('AllowHostPrimaryUDN (udn_isolation.go setupUDNACLs template `%s.src==%s`)', () => {
    expect(hostAllowMatch(['10.244.2.2'])).toBe('(ip4.src==10.244.2.2)');
  });
});

describe('PodSelector address-set keys (addresssetmanager getPodSelectorKey / shortLabelSelectorString)', () => {
  it('selector strings', () => {
    expect(shortLabelSelectorString(undefined)).toBe('nil');
    expect(shortLabelSelectorString({})).toBe('LS{}');
    expect(shortLabelSelectorString({ matchLabels: { team: 'a' } })).toBe('LS{ML:{team: a,},}');
    expect(shortLabelSelectorString({ matchExpressions: [{ key: 'k', operator: 'In', values: ['b', 'a'] }] }))
      .toBe('LS{ME:{LSR{Key:k,Operator:In,Values:[a b],}},}');
  });
  it('ovnk-lowering.md §1 example keys', () => {
    expect(podSelectorKey({ podSelector: {}, namespaceSelector: { matchLabels: { team: 'a' } }, namespace: 'x', legacyNetpolMode: false }))
      .toBe('LS{ML:{team: a,},}_LS{}');
    expect(podSelectorKey({ podSelector: {}, namespaceSelector: { matchLabels: { team: 'a' } }, namespace: 'x', legacyNetpolMode: true }))
      .toBe('LS{ML:{team: a,},}_LS{}_LNM');
    expect(podSelectorKey({ podSelector: { matchLabels: { app: 'db' } }, namespaceSelector: undefined, namespace: 'ns1', legacyNetpolMode: false }))
      .toBe('ns1_LS{ML:{app: db,},}');
  });
});

describe('MAC derivation (util.IPAddrToHWAddr; ovnk-lowering.md §3 example)', () => {
  it('203.203.2.5 → 0a:58:cb:cb:02:05', () => expect(ipToMac('203.203.2.5')).toBe('0a:58:cb:cb:02:05'));
});

describe('IPv6 helpers', () => {
  it('IPv6 MAC = 0a:58 + sha256(ip.String())[0:4] (pkg/util/net.go IPAddrToHWAddr)', async () => {
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256').update('fd00:10:244:1::5').digest();
    expect(ipToMac('fd00:10:244:1:0:0:0:5')).toBe(['0a', '58', ...[...h.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0'))].join(':'));
  });
});
