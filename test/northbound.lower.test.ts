import { describe, expect, it } from 'vitest';
import { lowerToNorthbound, formatListing, formatNbctl, formatTransact } from '../src/northbound/index.js';
import type { ACL, NorthboundDB } from '../src/northbound/types.js';
import type { AdminNetworkPolicy, ClusterModel, Network } from '../src/model/types.js';
import { baseModel, ns, pod, richModel } from './data/northbound/model.js';

const aclById = (db: NorthboundDB, id: string): ACL | undefined => db.acls.find((a) => a.external_ids['k8s.ovn.org/id'] === id);

describe('ANP cluster-control (docs/features/network-security-controls/admin-network-policy.md)', () => {
  // The ANP spec and every expected ACL field below are copied from the doc's sample and its `ovn-nbctl list acl` dump.
  const anp: AdminNetworkPolicy = {
    name: 'cluster-control', annotations: {}, ref: { kind: 'AdminNetworkPolicy', name: 'cluster-control' },
    spec: {
      priority: 34,
      subject: { namespaces: {} },
      ingress: [
        { name: 'allow-from-ingress-nginx', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
        { name: 'allow-from-monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 7564 } }, { namedPort: 'scrape' }] },
        { name: 'allow-from-open-tenants', action: 'Allow', from: [{ namespaces: { matchLabels: { tenant: 'open' } } }] },
        { name: 'pass-from-restricted-tenants', action: 'Pass', from: [{ namespaces: { matchLabels: { tenant: 'restricted' } } }] },
        { name: 'default-deny', action: 'Deny', from: [{ namespaces: {} }] },
      ],
      egress: [
        { name: 'allow-to-dns', action: 'Allow', to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { app: 'dns' } } } }],
          ports: [{ portNumber: { protocol: 'UDP', port: 5353 } }] },
        { name: 'allow-to-kapi-server', action: 'Allow', to: [{ nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 6443 } }] },
        { name: 'allow-to-splunk', action: 'Allow', to: [{ namespaces: { matchLabels: { tenant: 'splunk' } } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 8991 } }, { portNumber: { protocol: 'TCP', port: 8992 } }] },
        { name: 'allow-to-open', action: 'Allow', to: [{ nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/worker', operator: 'Exists' }] } },
          { networks: ['172.30.0.0/30', '10.0.54.0/19', '10.0.56.38/32', '10.0.69.0/24'] }, { namespaces: { matchLabels: { tenant: 'open' } } }] },
        { name: 'pass-to-restricted-tenants', action: 'Pass', to: [{ namespaces: { matchLabels: { tenant: 'restricted' } } }] },
        { name: 'default-deny', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
      ],
    },
  };
  const monitoringPod = { ...pod('monitoring', 'prom', 'ovn-worker', '10.244.1.4'), ports: [{ name: 'scrape', containerPort: 8080, protocol: 'TCP' as const }] };
  const model = baseModel({
    namespaces: [ns('default'), ns('kube-system'), ns('monitoring'), ns('ingress-nginx')],
    pods: [monitoringPod, { ...pod('default', 'web', 'ovn-worker2', '10.244.2.8'), ports: [{ name: 'scrape', containerPort: 8080, protocol: 'TCP' }] }],
    adminNetworkPolicies: [anp],
  });
  const db = lowerToNorthbound(model);
  const C = 'default-network-controller:AdminNetworkPolicy:cluster-control';
  const cases: Array<[string, number, string, string, string]> = [
    [`${C}:Ingress:0:None`, 26600, 'allow-related', 'to-lport', 'outport == @a14645450421485494999 && ((ip4.src == $a14545668191619617708))'],
    [`${C}:Ingress:1:tcp`, 26599, 'allow-related', 'to-lport', 'outport == @a14645450421485494999 && ((ip4.src == $a6786643370959569281)) && tcp && tcp.dst==7564'],
    [`${C}:Ingress:2:None`, 26598, 'allow-related', 'to-lport', 'outport == @a14645450421485494999 && ((ip4.src == $a13730899355151937870))'],
    [`${C}:Ingress:3:None`, 26597, 'pass', 'to-lport', 'outport == @a14645450421485494999 && ((ip4.src == $a764182844364804195))'],
    [`${C}:Ingress:4:None`, 26596, 'drop', 'to-lport', 'outport == @a14645450421485494999 && ((ip4.src == $a13814616246365836720))'],
    [`${C}:Egress:0:udp`, 26600, 'allow-related', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a13517855690389298082)) && udp && udp.dst==5353'],
    [`${C}:Egress:1:tcp`, 26599, 'allow-related', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a10706246167277696183)) && tcp && tcp.dst==6443'],
    [`${C}:Egress:2:tcp`, 26598, 'allow-related', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a18396736153283155648)) && tcp && tcp.dst=={8991,8992}'],
    [`${C}:Egress:3:None`, 26597, 'allow-related', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a10622494091691694581))'],
    [`${C}:Egress:4:None`, 26596, 'pass', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a5972452606168369118))'],
    [`${C}:Egress:5:None`, 26595, 'drop', 'from-lport', 'inport == @a14645450421485494999 && ((ip4.dst == $a11452480169090787059))'],
  ];
  it.each(cases)('%s', (id, prio, action, dir, match) => {
    const a = aclById(db, id);
    expect(a, id).toBeDefined();
    const [, , anpName, gdir, idx] = id.split(':');
    expect({ priority: a!.priority, action: a!.action, direction: a!.direction, match: a!.match, tier: a!.tier, name: a!.name, meter: a!.meter, log: a!.log })
      .toEqual({ priority: prio, action, direction: dir, match, tier: 1, name: `ANP:${anpName}:${gdir}:${idx}`, meter: 'acl-logging', log: false });
    expect(a!.options).toEqual(dir === 'from-lport' ? { 'apply-after-lb': 'true' } : {});
  });
  it('rule with a namedPort omits the None ACL and adds a port-less tcp-namedPort ACL without outport', () => {
    expect(aclById(db, `${C}:Ingress:1:None`)).toBeUndefined();
    const np = aclById(db, `${C}:Ingress:1:tcp-namedPort`)!;
    // doc: "((ip4.src == $a6786643370959569281)) && tcp && ((ip4.dst == 10.244.1.4 && tcp.dst == 8080) || …)"
    expect(np.match).toBe('((ip4.src == $a6786643370959569281)) && tcp && ((ip4.dst == 10.244.1.4 && tcp.dst == 8080) || (ip4.dst == 10.244.2.8 && tcp.dst == 8080))');
  });
  it('address set of Ingress:0 has the doc name and ids; subject PG holds every pod port', () => {
    const as = db.addressSets.find((s) => s.name === 'a14545668191619617708')!;
    expect(as.external_ids).toEqual({
      direction: 'Ingress', 'gress-index': '0', 'ip-family': 'v4', 'k8s.ovn.org/id': 'default-network-controller:AdminNetworkPolicy:cluster-control:Ingress:0:v4',
      'k8s.ovn.org/name': 'cluster-control', 'k8s.ovn.org/owner-controller': 'default-network-controller', 'k8s.ovn.org/owner-type': 'AdminNetworkPolicy',
    });
    const pg = db.portGroups.find((p) => p.name === 'a14645450421485494999')!;
    expect(pg.ports).toEqual(['Logical_Switch_Port:default_web', 'Logical_Switch_Port:monitoring_prom']);
    const egressNets = db.addressSets.find((s) => s.name === 'a11452480169090787059')!;
    expect(egressNets.addresses).toEqual(['0.0.0.0/0']);
  });
});

describe('NetworkPolicy lowering (patterns of pkg/ovn/policy_test.go helpers)', () => {
  const model = baseModel({
    namespaces: [ns('default'), ns('kube-system'), ns('ns1', { team: 'a' }, 'default', { 'k8s.ovn.org/acl-logging': '{"deny":"alert","allow":"notice"}' })],
    pods: [
      { ...pod('ns1', 'db', 'ovn-worker', '10.244.1.5'), labels: { app: 'db' } },
      { ...pod('ns1', 'web', 'ovn-worker2', '10.244.2.5'), labels: { app: 'web' } },
    ],
    networkPolicies: [{
      namespace: 'ns1', name: 'np1', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'ns1', name: 'np1' },
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
            ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 'metrics' }, { protocol: 'UDP', port: 53, endPort: 60 }] },
          { from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] },
        ],
        egress: [{}],
      },
    }],
  });
  const db = lowerToNorthbound(model);
  const ctrl = 'default-network-controller';
  it('policy and default-deny port groups', () => {
    const pg = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === `${ctrl}:NetworkPolicy:ns1:np1`)!;
    expect(pg.external_ids['k8s.ovn.org/name']).toBe('ns1:np1');
    expect(pg.ports).toEqual(['Logical_Switch_Port:ns1_db']);
    const denyIn = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === `${ctrl}:NetpolNamespace:ns1:Ingress`)!;
    const deny = aclById(db, `${ctrl}:NetpolNamespace:ns1:Ingress:defaultDeny`)!;
    expect(deny).toMatchObject({ priority: 1000, action: 'drop', match: `outport == @${denyIn.name}`, name: 'NP:ns1:Ingress', log: true, severity: 'alert', tier: 2 });
    const arp = aclById(db, `${ctrl}:NetpolNamespace:ns1:Egress:arpAllow`)!;
    const denyEg = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === `${ctrl}:NetpolNamespace:ns1:Egress`)!;
    expect(arp).toMatchObject({ priority: 1001, action: 'allow', match: `inport == @${denyEg.name} && (arp || nd)`, log: false, options: { 'apply-after-lb': 'true' } });
  });
  it('gress ACLs: selector, combined ipBlock, named port widened, LNM namespace selector, empty egress', () => {
    const pg = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === `${ctrl}:NetworkPolicy:ns1:np1`)!.name;
    const asWeb = db.addressSets.find((s) => s.external_ids['k8s.ovn.org/id'] === `${ctrl}:PodSelector:ns1_LS{ML:{app: web,},}:v4`)!;
    expect(asWeb, JSON.stringify(db.addressSets.map((s) => s.external_ids['k8s.ovn.org/id']))).toBeDefined();
    expect(asWeb.addresses).toEqual(['10.244.2.5']);
    // the named port 'metrics' has IntVal 0 → whole-protocol; next to 5432 it is dropped (code quirk)
    expect(aclById(db, `${ctrl}:NetworkPolicy:ns1:np1:Ingress:0:tcp:-1`)!.match).toBe(`ip4.src == {$${asWeb.name}} && tcp && tcp.dst==5432 && outport == @${pg}`);
    expect(aclById(db, `${ctrl}:NetworkPolicy:ns1:np1:Ingress:0:udp:-1`)!.match).toBe(`ip4.src == {$${asWeb.name}} && udp && 53<=udp.dst<=60 && outport == @${pg}`);
    const ipb = aclById(db, `${ctrl}:NetworkPolicy:ns1:np1:Ingress:0:tcp:-2`)!;
    expect(ipb.match).toBe(`(ip4.src == 10.0.0.0/8 && ip4.src != {10.1.0.0/16}) && tcp && tcp.dst==5432 && outport == @${pg}`);
    expect(ipb).toMatchObject({ name: 'NP:ns1:np1:Ingress:0', action: 'allow-related', log: true, severity: 'notice', priority: 1001, tier: 2 });
    expect(ipb.external_ids).toMatchObject({ direction: 'Ingress', 'gress-index': '0', 'ip-block-index': '-2', 'port-policy-protocol': 'tcp' });
    const lnm = db.addressSets.find((s) => s.external_ids['k8s.ovn.org/id'] === `${ctrl}:PodSelector:LS{ML:{team: a,},}_LS{}_LNM:v4`)!;
    expect(lnm.addresses).toEqual(['10.244.1.5', '10.244.2.5']);
    expect(aclById(db, `${ctrl}:NetworkPolicy:ns1:np1:Ingress:1:None:-1`)!.match).toBe(`ip4.src == {$${lnm.name}} && outport == @${pg}`);
    const eg = aclById(db, `${ctrl}:NetworkPolicy:ns1:np1:Egress:0:None:-1`)!;
    expect(eg).toMatchObject({ match: `ip4 && inport == @${pg}`, direction: 'from-lport', options: { 'apply-after-lb': 'true' } });
    expect(db.notices.some((n) => n.message.includes("named port 'metrics'"))).toBe(true);
  });
  it('hairpin and node allow ACLs (addHairpinAllowACL; getAllowFromNodeExpectedACL template `%s.src==%s`)', () => {
    expect(aclById(db, `${ctrl}:NetpolDefault:allow-hairpinning:Ingress`)!).toMatchObject({ match: 'ip4.src == 169.254.169.5', action: 'allow-related', direction: 'to-lport' });
    const node = aclById(db, `${ctrl}:NetpolNode:ovn-worker:10.244.1.2`)!;
    expect(node).toMatchObject({ match: 'ip4.src==10.244.1.2', priority: 1001, action: 'allow-related', direction: 'to-lport', tier: 2 });
    expect(node.name).toBeUndefined();
    expect(db.logicalSwitches.find((s) => s.name === 'ovn-worker')!.acls).toContain(node.id);
  });
});

describe('primary UDN topology and isolation', () => {
  const blue: Network = {
    id: 'udn:blue/blue-network', ovnName: 'blue_blue-network', prefix: 'blue_blue.network_', role: 'primary', topology: 'Layer3',
    subnets: [{ cidr: '10.128.0.0/16', hostSubnet: 24 }], joinSubnets: ['100.65.0.0/16'], excludeSubnets: [], networkId: 1, namespaces: ['blue'], ovn: true,
    hostSubnets: { 'ovn-worker': ['10.128.1.0/24'], 'ovn-worker2': ['10.128.2.0/24'] }, owner: { kind: 'UserDefinedNetwork', namespace: 'blue', name: 'blue-network' },
  };
  const model: ClusterModel = baseModel({
    namespaces: [ns('default'), ns('blue', { 'k8s.ovn.org/primary-user-defined-network': '' }, blue.id)],
    networks: [...baseModel().networks, blue],
    pods: [{
      ...pod('blue', 'pod1', 'ovn-worker', '10.128.1.3', { network: blue.id }),
      attachments: [
        { network: blue.id, role: 'primary', interfaceName: 'ovn-udn1', ips: ['10.128.1.3/24'], mac: '0a:58:0a:80:01:03', gatewayIPs: [] },
        { network: 'default', role: 'infrastructure', interfaceName: 'eth0', ips: ['10.244.1.3/24'], mac: '0a:58:0a:f4:01:03', gatewayIPs: [] },
      ],
    }],
    networkPolicies: [{ namespace: 'blue', name: 'np1', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'blue', name: 'np1' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [] } }],
  });
  const db = lowerToNorthbound(model);
  it('names: switch, cluster router, GR, mgmt port, pod LSP (ovnk-lowering.md §3 table)', () => {
    const names = db.logicalSwitches.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['blue_blue.network_ovn-worker', 'blue_blue.network_join', 'ext_blue_blue.network_ovn-worker']));
    expect(db.logicalRouters.map((r) => r.name)).toEqual(expect.arrayContaining(['blue_blue.network_ovn_cluster_router', 'GR_blue_blue.network_ovn-worker']));
    const lsp = db.logicalSwitchPorts.find((p) => p.name === 'blue.blue.network_blue_pod1')!;
    expect(lsp).toMatchObject({ addresses: ['0a:58:0a:80:01:03 10.128.1.3'], port_security: ['0a:58:0a:80:01:03 10.128.1.3'],
      options: { 'iface-id-ver': 'uid-blue-pod1', 'requested-chassis': 'ovn-worker' } });
    expect(lsp.external_ids).toEqual({ namespace: 'blue', pod: 'true', 'k8s.ovn.org/network': 'blue_blue-network', 'k8s.ovn.org/nad': 'blue/blue-network', 'k8s.ovn.org/topology': 'layer3' });
    expect(db.logicalSwitchPorts.find((p) => p.name === 'k8s-blue_blue.network_ovn-worker')!.addresses).toEqual(['0a:58:0a:80:01:02 10.128.1.2']);
    const sw = db.logicalSwitches.find((s) => s.name === 'blue_blue.network_ovn-worker')!;
    // no exclude_ips: UpdateNodeSwitchExcludeIPs deletes it once the management LSP exists
    expect(sw.other_config).toEqual({ subnet: '10.128.1.0/24' });
    expect(sw.external_ids).toEqual({ 'k8s.ovn.org/network': 'blue_blue-network', 'k8s.ovn.org/role': 'primary', 'k8s.ovn.org/topology': 'layer3' });
    // GR: options, NATs and routes shaped as layer3_user_defined_network_controller_test.go
    // expectedGWRouterPlusNATAndStaticRoutes / gwRouterOptions (non-IC dynamic_neigh_routers), with udnc's
    // derived addresses: GR masquerade IP 169.254.0.11 (169.254.0.0/17, network id 1), GR join IP 100.65.0.2.
    const gr = db.logicalRouters.find((r) => r.name === 'GR_blue_blue.network_ovn-worker')!;
    expect(gr.options).toEqual({ lb_force_snat_ip: 'router_ip', mac_binding_age_threshold: '300', chassis: 'ovn-worker',
      always_learn_from_arp_request: 'false', dynamic_neigh_routers: 'true' });
    const nats = db.nats.filter((n) => n.router === gr.id).map((n) => [n.type, n.external_ip, n.logical_ip, n.options.stateless]);
    expect(nats).toEqual(expect.arrayContaining([['snat', '169.254.0.11', '10.128.0.0/16', 'false'], ['snat', '169.254.0.11', '100.65.0.2', 'false']]));
    const routes = db.staticRoutes.filter((r) => r.router === gr.id).map((r) => [r.ip_prefix, r.nexthop, r.output_port ?? null]);
    expect(routes).toEqual(expect.arrayContaining([['10.128.0.0/16', '100.65.0.1', null], ['169.254.169.0/29', '169.254.169.4', 'rtoe-GR_blue_blue.network_ovn-worker']]));
    const etor = db.logicalSwitchPorts.find((p) => p.name === 'etor-GR_blue_blue.network_ovn-worker')!;
    expect(etor.options).toEqual({ 'nat-addresses': 'router', 'exclude-lb-vips-from-garp': 'true', 'router-port': 'rtoe-GR_blue_blue.network_ovn-worker' });
    expect(etor.external_ids).toEqual({ 'k8s.ovn.org/network': 'blue_blue-network', 'k8s.ovn.org/topology': 'layer3' });
  });
  it('infrastructure port joins UDNIsolation:SecondaryPods; UDN policy hashes under the UDN controller', () => {
    const pg = db.portGroups.find((p) => p.name === 'a8747502060113802905')!;
    expect(pg.ports).toEqual(['Logical_Switch_Port:blue_pod1']);
    expect(pg.acls.length).toBe(5);
    const udnPg = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === 'blue_blue-network-network-controller:NetworkPolicy:blue:np1')!;
    expect(udnPg.ports).toEqual(['Logical_Switch_Port:blue.blue.network_blue_pod1']);
  });
  it('Layer2 switch other_config as initializeLogicalSwitch writes it: no exclude_ips; dual-stack keeps the last subnet\'s key', () => {
    const l2 = (subnets: string[]) => {
      const m = richModel();
      const green = m.networks.find((n) => n.id === 'cudn:green')!;
      const net = { ...green, subnets: subnets.map((cidr) => ({ cidr })) };
      const sw = lowerToNorthbound({ ...m, networks: m.networks.map((n) => (n === green ? net : n)) })
        .logicalSwitches.find((s) => s.name === 'cluster_udn_green_ovn_layer2_switch')!;
      return sw.other_config;
    };
    expect(l2(['192.168.0.0/16'])).toEqual({ subnet: '192.168.0.0/16' });
    // a fresh map per subnet in ovn-k's loop: only the last one's key survives
    expect(l2(['192.168.0.0/16', 'fd99::/64'])).toEqual({ ipv6_prefix: 'fd99::' });
    expect(l2(['fd99::/64', '192.168.0.0/16'])).toEqual({ subnet: '192.168.0.0/16' });
  });
  it('secondary Layer3: no management port (synced for primary networks only), so exclude_ips=.2 stays', () => {
    const m = richModel();
    const blue = m.networks.find((n) => n.id === 'udn:blue/blue-network')!;
    const db2 = lowerToNorthbound({ ...m, networks: m.networks.map((n) => (n === blue ? { ...blue, role: 'secondary' as const } : n)) });
    const sw = db2.logicalSwitches.find((s) => s.name === 'blue_blue.network_ovn-worker')!;
    expect(sw.other_config).toEqual({ subnet: '10.128.1.0/24', exclude_ips: '10.128.1.2' });
    expect(db2.logicalSwitchPorts.find((p) => p.name === 'k8s-blue_blue.network_ovn-worker')).toBeUndefined();
    // the primary one has the port and no exclude_ips (asserted above on the same model)
    expect(db.logicalSwitchPorts.find((p) => p.name === 'k8s-blue_blue.network_ovn-worker')).toBeDefined();
  });
});

describe('services (pkg/ovn/controller/services; options from the test helper servicesOptions())', () => {
  const model = baseModel({
    namespaces: [ns('default'), ns('kube-system'), ns('app')],
    services: [{
      namespace: 'app', name: 'web', type: 'NodePort', clusterIPs: ['10.96.0.10'], externalIPs: [], loadBalancerIPs: [],
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
      sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 86400, externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster',
      publishNotReadyAddresses: false, network: 'default', endpointsFrom: 'EndpointSlice', ref: { kind: 'Service', namespace: 'app', name: 'web' },
      endpoints: [
        { ip: '10.244.2.7', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false, node: 'ovn-worker2' },
        { ip: '10.244.1.7', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false, node: 'ovn-worker' },
        { ip: '10.244.1.9', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready: false, serving: false, terminating: true, node: 'ovn-worker' },
      ],
    }],
  });
  const db = lowerToNorthbound(model);
  it('cluster LB', () => {
    const lb = db.loadBalancers.find((l) => l.name === 'Service_app/web_TCP_cluster')!;
    expect(lb).toMatchObject({
      protocol: 'tcp', vips: { '10.96.0.10:80': '10.244.1.7:8080,10.244.2.7:8080' },
      options: { event: 'false', hairpin_snat_ip: '169.254.169.5 fd69::5', neighbor_responder: 'none', reject: 'true', skip_snat: 'false' },
      selection_fields: ['ip_dst', 'ip_src'], external_ids: { 'k8s.ovn.org/kind': 'Service', 'k8s.ovn.org/owner': 'app/web' },
    });
    expect(db.loadBalancerGroups.find((g) => g.name === 'clusterLBGroup')!.load_balancer).toEqual([lb.id]);
  });
  it('per-node NodePort LBs on switch and GR', () => {
    const lb = db.loadBalancers.find((l) => l.name === 'Service_app/web_TCP_node_router+switch_ovn-worker')!;
    expect(lb.vips).toEqual({ '172.18.0.3:30080': '10.244.1.7:8080,10.244.2.7:8080' });
    expect(db.logicalSwitches.find((s) => s.name === 'ovn-worker')!.load_balancer).toContain(lb.id);
    expect(db.logicalRouters.find((s) => s.name === 'GR_ovn-worker')!.load_balancer).toContain(lb.id);
  });
});

describe('determinism and formats', () => {
  it('same DB and bytes regardless of model list order', () => {
    const m1 = baseModel({ pods: [pod('default', 'a', 'ovn-worker', '10.244.1.5'), pod('default', 'b', 'ovn-worker2', '10.244.2.5')] });
    const m2 = { ...m1, pods: [...m1.pods].reverse(), nodes: [...m1.nodes].reverse() };
    const a = lowerToNorthbound(m1);
    const b = lowerToNorthbound(m2);
    expect(formatTransact(b)).toBe(formatTransact(a));
    expect(formatNbctl(b)).toBe(formatNbctl(a));
    expect(formatListing(b)).toBe(formatListing(a));
  });
  it('transact JSON references only declared named-uuids', () => {
    const t = JSON.parse(formatTransact(lowerToNorthbound(baseModel()))) as unknown[];
    expect(t[0]).toBe('OVN_Northbound');
    const declared = new Set(t.slice(1).map((o) => (o as { 'uuid-name'?: string })['uuid-name']).filter(Boolean));
    const used = [...JSON.stringify(t).matchAll(/\["named-uuid","([^"]+)"\]/g)].map((m) => m[1]);
    for (const u of used) expect(declared.has(u)).toBe(true);
  });
});

describe('dual-stack default network', () => {
  const base = baseModel();
  const model = baseModel({
    config: { ...base.config, clusterNetwork: [{ cidr: '10.244.0.0/16', hostPrefix: 24 }, { cidr: 'fd00:10:244::/48', hostPrefix: 64 }] },
    networks: [{ ...base.networks[0]!, subnets: [{ cidr: '10.244.0.0/16', hostSubnet: 24 }, { cidr: 'fd00:10:244::/48', hostSubnet: 64 }],
      hostSubnets: { 'ovn-worker': ['10.244.1.0/24', 'fd00:10:244:1::/64'], 'ovn-worker2': ['10.244.2.0/24', 'fd00:10:244:2::/64'] } }],
    namespaces: [ns('default'), ns('kube-system'), ns('ns1')],
    pods: [{
      ...pod('ns1', 'a', 'ovn-worker', '10.244.1.5'), labels: { app: 'a' },
      attachments: [{ network: 'default', role: 'primary', interfaceName: 'eth0', ips: ['10.244.1.5/24', 'fd00:10:244:1::5/64'], mac: '0a:58:0a:f4:01:05', gatewayIPs: [] }],
    }],
    networkPolicies: [{ namespace: 'ns1', name: 'np', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'ns1', name: 'np' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }, {}] } }],
  });
  const db = lowerToNorthbound(model);
  const ctrl = 'default-network-controller';
  it('hairpin match (ovnk-lowering.md §1 "dual-stack `(ip4.src == … || ip6.src == fd69::5)`"; addHairpinAllowACL)', () => {
    expect(aclById(db, `${ctrl}:NetpolDefault:allow-hairpinning:Ingress`)!.match).toBe('(ip4.src == 169.254.169.5 || ip6.src == fd69::5)');
  });
  it('per-family PodSelector sets and or-ed L3 match; empty rule `(ip4 || ip6)`', () => {
    const pg = db.portGroups.find((p) => p.external_ids['k8s.ovn.org/id'] === `${ctrl}:NetworkPolicy:ns1:np`)!.name;
    const v4 = db.addressSets.find((s) => s.external_ids['k8s.ovn.org/id'] === `${ctrl}:PodSelector:ns1_LS{ML:{app: a,},}:v4`)!;
    const v6 = db.addressSets.find((s) => s.external_ids['k8s.ovn.org/id'] === `${ctrl}:PodSelector:ns1_LS{ML:{app: a,},}:v6`)!;
    expect([v4.addresses, v6.addresses]).toEqual([['10.244.1.5'], ['fd00:10:244:1::5']]);
    expect(aclById(db, `${ctrl}:NetworkPolicy:ns1:np:Ingress:0:None:-1`)!.match).toBe(`(ip4.src == {$${v4.name}} || ip6.src == {$${v6.name}}) && outport == @${pg}`);
    expect(aclById(db, `${ctrl}:NetworkPolicy:ns1:np:Ingress:1:None:-1`)!.match).toBe(`(ip4 || ip6) && outport == @${pg}`);
  });
  it('node switch, router port and mgmt port carry both families', () => {
    expect(db.logicalSwitches.find((s) => s.name === 'ovn-worker')!.other_config).toEqual({ subnet: '10.244.1.0/24', ipv6_prefix: 'fd00:10:244:1::' });
    expect(db.logicalRouterPorts.find((p) => p.name === 'rtos-ovn-worker')!.networks).toEqual(['10.244.1.1/24', 'fd00:10:244:1::1/64']);
    expect(db.logicalSwitchPorts.find((p) => p.name === 'k8s-ovn-worker')!.addresses).toEqual(['0a:58:0a:f4:01:02 10.244.1.2 fd00:10:244:1::2']);
    expect(aclById(db, `${ctrl}:NetpolNode:ovn-worker:fd00:10:244:1::2`)!.match).toBe('ip6.src==fd00:10:244:1::2');
  });
});

describe('per-node LBs (pkg/ovn/controller/services/lb_config_test.go Test_buildPerNodeLBs, expectedShared)', () => {
  // nodes and addresses as in the Go test: node-a hosts 10.0.0.1 and 10.0.0.111, node-b 10.0.0.2; service testns/foo.
  const mk = (opts: { clusterIP: string; nodePort?: number; etp?: 'Cluster' | 'Local'; itp?: 'Cluster' | 'Local'; epIP: string; epNode: string; eps?: Array<[string, string]> }) => {
    const base = baseModel();
    return lowerToNorthbound(baseModel({
      nodes: [
        { name: 'node-a', labels: {}, hostAddresses: ['10.0.0.1', '10.0.0.111'], synthesized: false, ref: { kind: 'Node', name: 'node-a' } },
        { name: 'node-b', labels: {}, hostAddresses: ['10.0.0.2'], synthesized: false, ref: { kind: 'Node', name: 'node-b' } },
      ],
      networks: [{ ...base.networks[0]!, hostSubnets: { 'node-a': ['10.128.0.0/24'], 'node-b': ['10.128.1.0/24'] } }],
      namespaces: [ns('default'), ns('testns')],
      services: [{
        namespace: 'testns', name: 'foo', type: opts.nodePort ? 'NodePort' : 'ClusterIP', clusterIPs: [opts.clusterIP], externalIPs: [], loadBalancerIPs: [],
        ports: [{ protocol: 'TCP', port: 80, targetPort: 8080, ...(opts.nodePort ? { nodePort: opts.nodePort } : {}) }],
        sessionAffinity: 'None', externalTrafficPolicy: opts.etp ?? 'Cluster', internalTrafficPolicy: opts.itp ?? 'Cluster', publishNotReadyAddresses: false,
        network: 'default', endpointsFrom: 'EndpointSlice', ref: { kind: 'Service', namespace: 'testns', name: 'foo' },
        endpoints: (opts.eps ?? [[opts.epIP, opts.epNode]]).map(([ip, n]) => ({ ip, ports: [{ port: 8080, protocol: 'TCP' as const }], ready: true, serving: true, terminating: false, node: n })),
      }],
    }));
  };
  const lbs = (db: NorthboundDB) => Object.fromEntries(db.loadBalancers.filter((l) => !l.name.endsWith('_cluster')).map((l) => [l.name, {
    vips: l.vips, skip_snat: l.options.skip_snat,
    switches: db.logicalSwitches.filter((s) => s.load_balancer.includes(l.id)).map((s) => s.name),
    routers: db.logicalRouters.filter((r) => r.load_balancer.includes(l.id)).map((r) => r.name),
  }]));
  it('nodeport service, standard pod', () => {
    expect(lbs(mk({ clusterIP: '192.168.0.1', nodePort: 80, epIP: '10.128.0.2', epNode: 'node-a' }))).toEqual({
      'Service_testns/foo_TCP_node_router+switch_node-a': { vips: { '10.0.0.1:80': '10.128.0.2:8080', '10.0.0.111:80': '10.128.0.2:8080' }, skip_snat: 'false', switches: ['node-a'], routers: ['GR_node-a'] },
      'Service_testns/foo_TCP_node_router+switch_node-b': { vips: { '10.0.0.2:80': '10.128.0.2:8080' }, skip_snat: 'false', switches: ['node-b'], routers: ['GR_node-b'] },
    });
  });
  it('host-network pod (ClusterIP only; identical LBs merged as `_merged`)', () => {
    expect(lbs(mk({ clusterIP: '1.2.3.4', epIP: '10.0.0.1', epNode: 'node-a' }))).toEqual({
      'Service_testns/foo_TCP_node_router_node-a': { vips: { '1.2.3.4:80': '169.254.169.2:8080' }, skip_snat: 'false', switches: [], routers: ['GR_node-a'] },
      'Service_testns/foo_TCP_node_switch_node-a_merged': { vips: { '1.2.3.4:80': '10.0.0.1:8080' }, skip_snat: 'false', switches: ['node-a', 'node-b'], routers: ['GR_node-b'] },
    });
  });
  it('nodeport service, host-network pod', () => {
    expect(lbs(mk({ clusterIP: '192.168.0.1', nodePort: 80, epIP: '10.0.0.1', epNode: 'node-a' }))).toEqual({
      'Service_testns/foo_TCP_node_router_node-a': { vips: { '192.168.0.1:80': '169.254.169.2:8080', '10.0.0.1:80': '169.254.169.2:8080', '10.0.0.111:80': '169.254.169.2:8080' }, skip_snat: 'false', switches: [], routers: ['GR_node-a'] },
      'Service_testns/foo_TCP_node_switch_node-a': { vips: { '192.168.0.1:80': '10.0.0.1:8080', '10.0.0.1:80': '10.0.0.1:8080', '10.0.0.111:80': '10.0.0.1:8080' }, skip_snat: 'false', switches: ['node-a'], routers: [] },
      'Service_testns/foo_TCP_node_router+switch_node-b': { vips: { '192.168.0.1:80': '10.0.0.1:8080', '10.0.0.2:80': '10.0.0.1:8080' }, skip_snat: 'false', switches: ['node-b'], routers: ['GR_node-b'] },
    });
  });
  it('clusterIP service, standard pods, InternalTrafficPolicy=local (the Go case minus its externalIP config)', () => {
    expect(lbs(mk({ clusterIP: '192.168.0.1', itp: 'Local', epIP: '', epNode: '', eps: [['10.128.0.1', 'node-a'], ['10.128.1.1', 'node-b']] }))).toEqual({
      'Service_testns/foo_TCP_node_router_node-a_merged': { vips: { '192.168.0.1:80': '10.128.0.1:8080,10.128.1.1:8080' }, skip_snat: 'false', switches: [], routers: ['GR_node-a', 'GR_node-b'] },
      'Service_testns/foo_TCP_node_switch_node-a': { vips: { '192.168.0.1:80': '10.128.0.1:8080' }, skip_snat: 'false', switches: ['node-a'], routers: [] },
      'Service_testns/foo_TCP_node_switch_node-b': { vips: { '192.168.0.1:80': '10.128.1.1:8080' }, skip_snat: 'false', switches: ['node-b'], routers: [] },
    });
  });
  it('nodeport service, host-network pod, ExternalTrafficPolicy=local', () => {
    expect(lbs(mk({ clusterIP: '192.168.0.1', nodePort: 80, etp: 'Local', epIP: '10.0.0.1', epNode: 'node-a' }))).toEqual({
      'Service_testns/foo_TCP_node_router_node-a': { vips: { '192.168.0.1:80': '169.254.169.2:8080' }, skip_snat: 'false', switches: [], routers: ['GR_node-a'] },
      'Service_testns/foo_TCP_node_local_router_node-a': { vips: { '10.0.0.1:80': '169.254.169.2:8080', '10.0.0.111:80': '169.254.169.2:8080' }, skip_snat: 'true', switches: [], routers: ['GR_node-a'] },
      'Service_testns/foo_TCP_node_switch_node-a': { vips: { '192.168.0.1:80': '10.0.0.1:8080', '169.254.169.3:80': '10.0.0.1:8080', '10.0.0.1:80': '10.0.0.1:8080', '10.0.0.111:80': '10.0.0.1:8080' }, skip_snat: 'false', switches: ['node-a'], routers: [] },
      'Service_testns/foo_TCP_node_router_node-b': { vips: { '192.168.0.1:80': '10.0.0.1:8080', '10.0.0.2:80': '' }, skip_snat: 'false', switches: [], routers: ['GR_node-b'] },
      'Service_testns/foo_TCP_node_switch_node-b': { vips: { '192.168.0.1:80': '10.0.0.1:8080', '169.254.169.3:80': '', '10.0.0.2:80': '10.0.0.1:8080' }, skip_snat: 'false', switches: ['node-b'], routers: [] },
    });
  });
});

describe('UDN-enabled default services (services_controller.go configureUDNEnabledServiceRoute)', () => {
  const db = lowerToNorthbound(richModel());
  it('dst-ip route ClusterIP → node UDN mgmt IP on the L3 cluster router, on GRs for L2', () => {
    const l3 = db.staticRoutes.filter((r) => r.external_ids['k8s.ovn.org/udn-enabled-default-service'] === 'kube-system/kube-dns' && r.router === 'Logical_Router:blue_blue.network_ovn_cluster_router');
    expect(l3.map((r) => [r.ip_prefix, r.nexthop, r.policy])).toEqual([['10.96.0.10', '10.128.1.2', 'dst-ip'], ['10.96.0.10', '10.128.2.2', 'dst-ip']]);
    expect(l3[0]!.external_ids).toEqual({ 'k8s.ovn.org/network': 'blue_blue-network', 'k8s.ovn.org/topology': 'layer3', 'k8s.ovn.org/udn-enabled-default-service': 'kube-system/kube-dns' });
    const l2 = db.staticRoutes.filter((r) => r.external_ids['k8s.ovn.org/udn-enabled-default-service'] && r.router === 'Logical_Router:GR_cluster_udn_green_ovn-worker');
    expect(l2.map((r) => [r.ip_prefix, r.nexthop])).toEqual([['10.96.0.10', '192.168.0.2']]);
  });
  it('udn-enabled-svc-cluster-ips address set (controller udn-enabled-svc)', () => {
    const as = db.addressSets.find((a) => a.external_ids['k8s.ovn.org/id'] === 'udn-enabled-svc:UDNEnabledService:udn-enabled-svc-cluster-ips:v4')!;
    expect(as.addresses).toEqual(['10.96.0.10']);
  });
});
