/**
 * Real-NB load check: the transact JSON and the ovn-nbctl script must load into a real OVN 25.03
 * NB database (standalone ovsdb-server on the NB schema, inside the trixie chroot).
 * Skips with a message when not root or the chroot is missing; fails instead when UDNC_REQUIRE_OVN=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNbctl, formatTransact, lowerToNorthbound, ovsdbTransact } from '../src/northbound/index.js';
import type { NorthboundDB } from '../src/northbound/types.js';
import type { ClusterModel } from '../src/model/types.js';
import { baseModel, node, ns, pod, richModel } from './data/northbound/model.js';

const ROOT = process.env.UDNC_OVN_ROOT ?? '/opt/ovn-trixie';
const REQUIRE = process.env.UDNC_REQUIRE_OVN === '1';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const haveChroot = existsSync(join(ROOT, 'usr/sbin/ovsdb-server')) && existsSync(join(ROOT, 'usr/share/ovn/ovn-nb.ovsschema'));
const skipReason = !isRoot ? 'not running as root (chroot needs root)' : !haveChroot ? `no OVN chroot at ${ROOT}` : '';
if (skipReason && REQUIRE) throw new Error(`UDNC_REQUIRE_OVN=1 but the real-NB check cannot run: ${skipReason}`);
if (skipReason) console.warn(`[northbound.ovn] skipping real-NB load check: ${skipReason} (set UDNC_REQUIRE_OVN=1 to make this fatal)`);

const FIXTURES = [
  '01-namespace-isolation', '02-networkpolicy-on-udn', '03-cudn-interconnected-namespaces', '04-service-loadbalancer-on-cudn',
  '05-default-network-openshift', '06-multus-secondary-networks', '07-anp-banp-cluster-guardrails',
];

class NbServer {
  readonly hostDir: string;
  readonly dir: string; // path inside the chroot
  pid = 0;
  constructor(tag: string) {
    this.hostDir = mkdtempSync(join(ROOT, 'tmp', `udnc-nb-${tag}-`));
    this.dir = this.hostDir.slice(ROOT.length);
  }
  sh(args: string[], input?: string): string {
    return execFileSync('chroot', [ROOT, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}), maxBuffer: 64 << 20 });
  }
  get db(): string { return `unix:${this.dir}/nb.sock`; }
  start(): void {
    this.sh(['ovsdb-tool', 'create', `${this.dir}/nb.db`, '/usr/share/ovn/ovn-nb.ovsschema']);
    this.sh(['ovsdb-server', `${this.dir}/nb.db`, `--remote=punix:${this.dir}/nb.sock`, `--pidfile=${this.dir}/nb.pid`,
      `--unixctl=${this.dir}/nb.ctl`, `--log-file=${this.dir}/nb.log`, '--detach', '--no-chdir']);
    this.pid = Number(readFileSync(join(this.hostDir, 'nb.pid'), 'utf8').trim());
  }
  reset(): void {
    const tables = ['Logical_Switch', 'Logical_Router', 'Port_Group', 'Address_Set', 'Load_Balancer', 'Load_Balancer_Group', 'Meter', 'NB_Global'];
    this.sh(['ovsdb-client', 'transact', this.db, JSON.stringify(['OVN_Northbound', ...tables.map((t) => ({ op: 'delete', table: t, where: [] }))])]);
  }
  /** Row counts of several tables, in one query. */
  counts(tables: string[]): Record<string, number> {
    const out = this.sh(['ovsdb-client', 'query', this.db, JSON.stringify(['OVN_Northbound', ...tables.map((table) => ({ op: 'select', table, where: [], columns: ['_uuid'] }))])]);
    const res = JSON.parse(out) as Array<{ rows: unknown[] }>;
    return Object.fromEntries(tables.map((t, i) => [t, res[i]!.rows.length]));
  }
  stop(): void {
    if (this.pid > 0) {
      try { process.kill(this.pid, 'SIGTERM'); } catch { /* already gone */ }
      this.pid = 0;
    }
    rmSync(this.hostDir, { recursive: true, force: true });
  }
}

const TABLE_COUNTS: Array<[string, (db: NorthboundDB) => number]> = [
  ['Logical_Switch', (d) => d.logicalSwitches.length], ['Logical_Switch_Port', (d) => d.logicalSwitchPorts.length],
  ['Logical_Router', (d) => d.logicalRouters.length], ['Logical_Router_Port', (d) => d.logicalRouterPorts.length],
  ['Logical_Router_Static_Route', (d) => d.staticRoutes.length], ['NAT', (d) => d.nats.length], ['Port_Group', (d) => d.portGroups.length],
  ['Address_Set', (d) => d.addressSets.length], ['ACL', (d) => d.acls.length], ['Load_Balancer', (d) => d.loadBalancers.length],
  ['Load_Balancer_Group', (d) => d.loadBalancerGroups.length], ['Meter', (d) => d.meters.length],
];

async function fixtureModel(name: string): Promise<ClusterModel> {
  const { loadManifests } = await import('../src/manifests/index.js');
  const { buildModel } = await import('../src/model/index.js');
  return buildModel(await loadManifests([join('fixtures', name)]));
}

function handModel(): ClusterModel {
  return baseModel({
    namespaces: [ns('default'), ns('kube-system'), ns('ns1', { team: 'a' })],
    pods: [{ ...pod('ns1', 'db', 'ovn-worker', '10.244.1.5'), labels: { app: 'db' } }],
    networkPolicies: [{ namespace: 'ns1', name: 'np-\'quote"', annotations: {}, ref: { kind: 'NetworkPolicy', namespace: 'ns1', name: 'np' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] } }],
  });
}

function largeModel(): ClusterModel {
  const base = baseModel();
  const nodes = Array.from({ length: 10 }, (_, i) => node(`node${i}`, `172.18.0.${10 + i}`));
  const hostSubnets = Object.fromEntries(nodes.map((n, i) => [n.name, [`10.244.${i}.0/24`]]));
  const pods = Array.from({ length: 600 }, (_, i) => ({ ...pod(`ns${i % 6}`, `p${i}`, `node${i % 10}`, `10.244.${i % 10}.${3 + Math.floor(i / 10)}`), labels: { app: `a${i % 5}` } }));
  return baseModel({
    nodes, networks: [{ ...base.networks[0]!, hostSubnets }], pods,
    namespaces: [...base.namespaces, ...Array.from({ length: 6 }, (_, i) => ns(`ns${i}`, { team: `t${i % 2}` }))],
    networkPolicies: Array.from({ length: 30 }, (_, i) => ({
      namespace: `ns${i % 6}`, name: `np${i}`, annotations: {}, ref: { kind: 'NetworkPolicy', namespace: `ns${i % 6}`, name: `np${i}` },
      spec: { podSelector: { matchLabels: { app: `a${i % 5}` } }, policyTypes: ['Ingress' as const],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${i % 2}` } } }], ports: [{ protocol: 'TCP' as const, port: 80 + i }] }] },
    })),
  });
}

describe.skipIf(!!skipReason)('real OVN NB accepts udnc output', () => {
  let srv: NbServer;
  beforeAll(() => { srv = new NbServer(String(process.pid)); srv.start(); });
  afterAll(() => srv?.stop());

  const check = (db: NorthboundDB) => {
    // ovsdb-client transact: one transaction with named-uuid references
    srv.reset();
    const out = srv.sh(['ovsdb-client', 'transact', srv.db, formatTransact(db)]);
    const results = JSON.parse(out) as Array<Record<string, unknown> | null>;
    const errors = results.filter((r) => r && 'error' in r);
    expect(errors, out.slice(0, 2000)).toEqual([]);
    const want = Object.fromEntries(TABLE_COUNTS.map(([t, n]) => [t, n(db)]));
    expect(srv.counts(Object.keys(want))).toEqual(want);
    // ovn-nbctl batch script into an emptied DB: same row counts
    srv.reset();
    const script = join(srv.hostDir, 'load.sh');
    writeFileSync(script, formatNbctl(db));
    srv.sh(['env', `OVN_NB_DB=${srv.db}`, 'sh', `${srv.dir}/load.sh`]);
    expect(srv.counts(Object.keys(want))).toEqual(want);
  };

  it('hand-built model (quotes in names, ipBlock except)', () => check(lowerToNorthbound(handModel())));
  it('rich model (dual-stack, L3 UDN, L2 CUDN, ANP/BANP, ETP=Local LoadBalancer)', () => check(lowerToNorthbound(richModel())));
  it('large model (> 128 KiB transaction) loads over the socket with ovsdbTransact', async () => {
    const db = lowerToNorthbound(largeModel());
    const text = formatTransact(db);
    expect(text.length).toBeGreaterThan(128 * 1024);
    srv.reset();
    const res = await ovsdbTransact(join(srv.hostDir, 'nb.sock'), text);
    expect(res.errors).toEqual([]);
    const want = Object.fromEntries(TABLE_COUNTS.map(([t, n]) => [t, n(db)]));
    expect(srv.counts(Object.keys(want))).toEqual(want);
  });
  it.each(FIXTURES)('fixture %s', async (f) => check(lowerToNorthbound(await fixtureModel(f))));
});
