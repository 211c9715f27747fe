/**
 * The expressions of the expression differential and their environments:
 *  - the v25.03.0 upstream expr-to-flows vectors and the generated ACL matches of
 *    shared/reference/ovn-expr-vectors (test-ovn's environment),
 *  - every match of the real northd 25.03 ground-truth lflow dumps (ovn-ground-truth/v25.03.0),
 *  - a seeded generator of ACL matches shaped like ovn-kubernetes v1.3.0 emits them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExprEnv } from './expr.js';
import { SHARED } from '../helpers/shared.js';
import { mulberry32 as rng } from '../../src/common/prng.js';

export interface ExprCase {
  /** Stable id: <source>/<index>. */
  id: string;
  /** Where the expression came from. */
  source: string;
  env: string;
  match: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../..');

/** The shared reference material: vendored in the repository (vendor/shared); UDNC_SHARED overrides. */
export function sharedDir(): string | undefined {
  return existsSync(join(SHARED, 'reference')) ? SHARED : undefined;
}

/** tests/test-ovn.c's environment (port groups by NB name; SB prefixes them with the dp key). */
export const TEST_OVN_ENV: ExprEnv = {
  addressSets: {
    set1: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
    set2: ['::1', '::2', '::3'],
    set3: ['00:00:00:00:00:01', '00:00:00:00:00:02', '00:00:00:00:00:03'],
    set4: [],
  },
  portGroups: { pg1: ['lsp1', 'lsp2', 'lsp3'], pg_empty: [] },
  ports: { eth0: 5, eth1: 6, LOCAL: 0xfffe, lsp1: 0x11, lsp2: 0x12, lsp3: 0x13 },
};

/** The NB of the v25.03.0 ground-truth capture, flattened onto one datapath. */
export const GROUND_TRUTH_ENV: ExprEnv = {
  addressSets: { as1: ['10.1.0.1', '10.1.0.2', '10.1.0.3'], svc_monitor_mac: ['0a:00:00:00:00:fe'] },
  portGroups: { pg1: ['p1', 'p2'] },
  ports: { p1: 1, p2: 2, 'sw0-r0': 3, t1: 4, t2: 5, 'r0-sw0': 6 },
};

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function vectorCases(shared: string): ExprCase[] {
  const out: ExprCase[] = [];
  const vec = join(shared, 'reference/ovn-expr-vectors/v25.03.0/expr-to-flows.jsonl');
  readJsonl(vec).forEach((v, i) => out.push({ id: `vec25/${i}`, source: 'ovn-expr-vectors/v25.03.0/expr-to-flows.jsonl', env: 'test-ovn', match: String(v.input) }));
  const gen = join(shared, 'reference/ovn-expr-vectors/generated-expr-to-flows.jsonl');
  readJsonl(gen).forEach((v, i) => out.push({ id: `genvec/${i}`, source: 'ovn-expr-vectors/generated-expr-to-flows.jsonl', env: 'test-ovn', match: String(v.input) }));
  return out;
}

/**
 * The inputs of the upstream v25.03.0 parse-expr, annotate-expr and simplify-expr vectors, compiled
 * to flows (test-ovn env). Many are errors (test-only symbols, bad syntax), and several touch
 * fields OVS normalizes on install (vlan PCP/TCI masks, nw_frag), so they are compared at the
 * installed level (see ovsRoundTrip) and live only, not recorded.
 */
export function syntaxCases(shared: string): ExprCase[] {
  const seen = new Set<string>();
  for (const f of ['parse-expr', 'annotate-expr', 'simplify-expr']) {
    for (const v of readJsonl(join(shared, `reference/ovn-expr-vectors/v25.03.0/${f}.jsonl`))) seen.add(String(v.input));
  }
  return [...seen].map((match, i) => ({ id: `syntax25/${i}`, source: 'ovn-expr-vectors/v25.03.0 parse/annotate/simplify inputs', env: 'test-ovn', match }));
}

/** Distinct matches of the real northd 25.03 lflow dumps, minus chassis- and template-dependent ones. */
export function groundTruthCases(shared: string): ExprCase[] {
  const dir = join(shared, 'reference/ovn-ground-truth/v25.03.0');
  const seen = new Set<string>();
  for (const f of ['lflows-sw0-no-acl.txt', 'lflows-acl-tiers-lb-router.txt']) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /match=\((.*)\), action=\(/.exec(line);
      if (!m) continue;
      const match = m[1]!;
      // is_chassis_resident() depends on the chassis, ^templates on Chassis_Template_Var.
      if (/is_chassis_resident|\^/.test(match)) continue;
      seen.add(match);
    }
  }
  return [...seen].sort().map((match, i) => ({ id: `gt25/${i}`, source: 'ovn-ground-truth/v25.03.0 lflow matches', env: 'ground-truth', match }));
}

// ---- ovn-kubernetes-shaped generator ---------------------------------------------------------


/** util.HashForOVN: "a" + decimal FNV-1a-64 of the id. */
export function hashForOvn(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `a${h.toString()}`;
}

const CTRL = 'default-network-controller';
const NAMESPACES = ['ns-a', 'ns-b', 'ns-c'];

interface OvnkWorld {
  env: ExprEnv;
  podSets4: string[];
  podSets6: string[];
  anpSets4: string[];
  anpSets6: string[];
  emptySet: string;
  npPgs: string[];
  denyPgs: string[];
  anpPg: string;
  isoPg: string;
  clusterPg: string;
  emptyPg: string;
  podIps4: string[];
  podLsps: string[];
}

function ovnkWorld(): OvnkWorld {
  const ports: Record<string, number> = {};
  const addressSets: Record<string, string[]> = {};
  const portGroups: Record<string, string[]> = {};
  const podIps4: string[] = [];
  const podLsps: string[] = [];
  let key = 1;
  const byNs = new Map<string, { lsps: string[]; v4: string[]; v6: string[] }>();
  NAMESPACES.forEach((ns, j) => {
    const e = { lsps: [] as string[], v4: [] as string[], v6: [] as string[] };
    for (let i = 1; i <= 4; i++) {
      const lsp = `${ns}_pod${i}`;
      ports[lsp] = key++;
      e.lsps.push(lsp);
      e.v4.push(`10.244.${j}.${i + 2}`);
      e.v6.push(`fd00:10:244:${j + 1}::${i + 2}`);
    }
    podIps4.push(...e.v4);
    podLsps.push(...e.lsps);
    byNs.set(ns, e);
  });
  ports['k8s-node1'] = key++;
  ports['stor-node1'] = key++;

  const podSets4: string[] = [];
  const podSets6: string[] = [];
  for (const ns of NAMESPACES) {
    const e = byNs.get(ns)!;
    const n4 = hashForOvn(`${CTRL}:PodSelector:${ns}_LS{}:v4`);
    const n6 = hashForOvn(`${CTRL}:PodSelector:${ns}_LS{}:v6`);
    addressSets[n4] = e.v4;
    addressSets[n6] = e.v6;
    podSets4.push(n4);
    podSets6.push(n6);
  }
  const all = hashForOvn(`${CTRL}:PodSelector:LS{}_LS{}_LNM:v4`);
  addressSets[all] = podIps4.concat(['10.244.0.2', '100.64.0.2']);
  podSets4.push(all);
  const emptySet = hashForOvn(`${CTRL}:PodSelector:LS{ML:{team: none,},}_LS{}:v4`);
  addressSets[emptySet] = [];
  const anpSets4: string[] = [];
  const anpSets6: string[] = [];
  for (let r = 0; r < 3; r++) {
    const n4 = hashForOvn(`${CTRL}:AdminNetworkPolicy:cluster-control:Ingress:${r}:v4`);
    const n6 = hashForOvn(`${CTRL}:AdminNetworkPolicy:cluster-control:Ingress:${r}:v6`);
    addressSets[n4] = r === 2 ? ['172.18.0.0/16', '192.168.10.0/24'] : podIps4.filter((_, i) => i % (r + 2) === 0);
    addressSets[n6] = r === 2 ? ['fd00:172:18::/64'] : [`fd00:10:244:${r + 1}::3`];
    anpSets4.push(n4);
    anpSets6.push(n6);
  }

  const npPgs: string[] = [];
  for (const ns of NAMESPACES) {
    for (const np of ['allow-web', 'db']) {
      const pg = hashForOvn(`${CTRL}:NetworkPolicy:${ns}:${np}`);
      portGroups[pg] = byNs.get(ns)!.lsps.slice(0, np === 'db' ? 1 : 3);
      npPgs.push(pg);
    }
  }
  const denyPgs: string[] = [];
  for (const ns of NAMESPACES) {
    for (const dir of ['Ingress', 'Egress']) {
      const pg = hashForOvn(`${CTRL}:NetpolNamespace:${ns}:${dir}`);
      portGroups[pg] = byNs.get(ns)!.lsps;
      denyPgs.push(pg);
    }
  }
  const anpPg = hashForOvn(`${CTRL}:AdminNetworkPolicy:cluster-control`);
  portGroups[anpPg] = podLsps.slice(0, 8);
  const isoPg = hashForOvn(`${CTRL}:UDNIsolation:SecondaryPods`);
  portGroups[isoPg] = byNs.get('ns-c')!.lsps;
  const clusterPg = hashForOvn(`${CTRL}:Cluster:clusterPortGroup`);
  portGroups[clusterPg] = ['k8s-node1'];
  const emptyPg = hashForOvn(`${CTRL}:NetworkPolicy:ns-a:no-pods`);
  portGroups[emptyPg] = [];
  return {
    env: { addressSets, portGroups, ports },
    podSets4, podSets6, anpSets4, anpSets6, emptySet, npPgs, denyPgs, anpPg, isoPg, clusterPg, emptyPg, podIps4, podLsps,
  };
}

export const OVNK_ENV: ExprEnv = ovnkWorld().env;

/** Seeded ACL matches in the shapes of ovnk-lowering.md §1-§3 (plus northd's ACL wrappers). */
export function generatedOvnkCases(count = 330, seed = 20250301): ExprCase[] {
  const w = ovnkWorld();
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const some = <T>(xs: readonly T[], lo: number, hi: number): T[] => {
    const n = Math.min(xs.length, int(lo, hi));
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < n) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]!);
    return out;
  };
  const cidr4 = (): string => pick(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', `10.${int(1, 250)}.0.0/16`, `192.168.${int(0, 255)}.0/24`, `172.18.${int(0, 255)}.${int(1, 250)}/32`]);
  const cidr6 = (): string => pick(['fd00::/8', 'fd00:10:244::/48', `fd00:${int(1, 99)}::/64`, '2001:db8::/32']);
  const port = (): number => pick([22, 53, 80, 443, 8080, 8443, 5432, 6379, 9090, int(1, 65535)]);

  const l4 = (proto = pick(['tcp', 'tcp', 'tcp', 'udp', 'sctp'])): string => {
    switch (int(0, 6)) {
      case 0: return '';
      case 1: return proto;
      case 2: return `${proto} && ${proto}.dst==${port()}`;
      case 3: { const ps = [...new Set([port(), port(), port()])].sort((a, b) => a - b); return `${proto} && ${proto}.dst=={${ps.join(',')}}`; }
      case 4: { const lo = int(1, 60000); return `${proto} && ${lo}<=${proto}.dst<=${lo + int(1, 2000)}`; }
      case 5: { const a = port(); const lo = int(1000, 30000); return `${proto} && (${proto}.dst=={${a},${a + 1}} || ${lo}<=${proto}.dst<=${lo + int(1, 500)})`; }
      default: return `${proto} && ${proto}.dst==${port()}`;
    }
  };
  // L3 peer clause of an NP gress rule; dir src for ingress, dst for egress.
  const npPeer = (dir: 'src' | 'dst'): string => {
    switch (int(0, 7)) {
      case 0: return `ip4.${dir} == {${some(w.podSets4, 1, 3).map((s) => `$${s}`).sort().join(', ')}}`;
      case 1: return `(ip4.${dir} == {${some(w.podSets4, 1, 2).map((s) => `$${s}`).sort().join(', ')}} || ip6.${dir} == {${some(w.podSets6, 1, 2).map((s) => `$${s}`).sort().join(', ')}})`;
      case 2: return `ip4.${dir} == ${cidr4()}`;
      case 3: return `(ip4.${dir} == 0.0.0.0/0 && ip4.${dir} != {${[...new Set([cidr4(), cidr4()])].join(', ')}})`;
      case 4: return `(ip4.${dir} == ${cidr4()} || (ip4.${dir} == 10.0.0.0/8 && ip4.${dir} != {10.${int(1, 99)}.0.0/16}))`;
      case 5: return `ip6.${dir} == ${cidr6()}`;
      case 6: return `(ip6.${dir} == ::/0 && ip6.${dir} != {${cidr6()}})`;
      default: return pick([`ip4.${dir} == {$${w.emptySet}}`, 'ip4', '(ip4 || ip6)']);
    }
  };
  const lport = (dir: 'src' | 'dst', pg: string): string => (dir === 'src' ? `outport == @${pg}` : `inport == @${pg}`);

  const forms: Array<() => string> = [
    // NetworkPolicy gress ACL: L3 && L4 && lport.
    () => {
      const dir = pick(['src', 'dst'] as const);
      return [npPeer(dir), l4(), lport(dir, pick(w.npPgs))].filter((x) => x).join(' && ');
    },
    // Default-deny PG ACLs.
    () => {
      const pg = pick(w.denyPgs);
      const lp = pick([`outport == @${pg}`, `inport == @${pg}`]);
      return pick([lp, `${lp} && (arp || nd)`, `${lp} && (icmp || icmp6)`]);
    },
    // Always-on allows.
    () => pick([`ip4.src==10.244.${int(0, 2)}.2`, 'ip4.src == 169.254.169.5', '(ip4.src == 169.254.169.5 || ip6.src == fd69::5)']),
    // ANP rules: lport, then L3, then L4.
    () => {
      const i = int(0, w.anpSets4.length - 1);
      const l3 = r() < 0.5 ? `((ip4.src == $${w.anpSets4[i]}))` : `((ip4.src == $${w.anpSets4[i]} || ip6.src == $${w.anpSets6[i]}))`;
      const l4p = l4();
      return [`outport == @${w.anpPg}`, l3, l4p].filter((x) => x).join(' && ');
    },
    () => {
      const i = int(0, w.anpSets4.length - 1);
      return `inport == @${w.anpPg} && ((ip4.dst == $${w.anpSets4[i]})) && ${l4('tcp') || 'tcp'}`;
    },
    // ANP named ports.
    () => {
      const terms = some(w.podIps4, 1, 4).sort().map((ip) => `(ip4.dst == ${ip} && tcp.dst == ${pick([8080, 8443, 9090])})`);
      return r() < 0.5
        ? `((ip4.src == $${pick(w.anpSets4)})) && tcp && (${terms.join(' || ')})`
        : `inport == @${w.anpPg} && tcp && (${terms.join(' || ')})`;
    },
    // UDN isolation.
    () => {
      const pg = w.isoPg;
      const mgmt = `10.244.${int(0, 2)}.2`;
      return pick([
        `inport == @${pg}`,
        `outport == @${pg}`,
        `inport == @${pg} && (( arp && arp.tpa == ${mgmt} ) || ( nd && nd.target == fd00:10:244:1::2 ))`,
        `outport == @${pg} && (( arp && arp.spa == ${mgmt} ) || ( nd && nd.target == fd00:10:244:1::2 ))`,
        `outport == @${pg} && (ip4.src==${mgmt})`,
        `outport == "${pick(w.podLsps)}" && (arp || nd || (tcp.dst == ${port()} || icmp))`,
        '(arp || nd)',
      ]);
    },
    // != forms.
    () => pick([
      `ip4.src != {$${pick(w.podSets4)}} && tcp && outport == @${pick(w.npPgs)}`,
      `tcp && tcp.dst != ${port()}`,
      `ip4.dst != {${cidr4()}, ${cidr4()}}`,
      `udp && udp.dst != {53, 5353}`,
      `ip4.src != $${w.emptySet}`,
      `ip6.src != ${cidr6()} && outport == @${pick(w.npPgs)}`,
    ]),
  ];
  // northd's ACL wrappers (ls_in/ls_out_acl_eval, 25.03): tier, then the ct-state register.
  const wrap = (m: string): string => {
    const tier = r() < 0.5 ? '' : `reg8[30..31] == ${int(0, 3)} && `;
    const reg = pick(['reg0[7] == 1 && ', 'reg0[8] == 1 && ', 'reg0[9] == 1 && ', 'reg0[10] == 1 && ', '']);
    return `${tier}${reg}(${m})`;
  };

  const seen = new Set<string>();
  const out: ExprCase[] = [];
  for (let guard = 0; out.length < count && guard < count * 50; guard++) {
    let m = pick(forms)();
    if (r() < 0.3) m = wrap(m);
    if (seen.has(m)) continue;
    seen.add(m);
    out.push({ id: `ovnk/${out.length}`, source: `generated (ovnk shapes, seed ${seed})`, env: 'ovnk', match: m });
  }
  return out;
}

export const CORPUS_ENVS: Record<string, ExprEnv> = {
  'test-ovn': TEST_OVN_ENV,
  'ground-truth': GROUND_TRUTH_ENV,
  ovnk: OVNK_ENV,
};

/** The whole corpus (needs shared/ for the vector and ground-truth parts). */
export function exprCorpus(shared: string): ExprCase[] {
  return [...vectorCases(shared), ...groundTruthCases(shared), ...generatedOvnkCases()];
}
