/**
 * Seeded, deterministic generator of synthetic OVN-Kubernetes clusters as Kubernetes manifests.
 *
 * The same options (seed included) always give the same documents, byte for byte. Shapes are the
 * ones real clusters carry: Nodes; Namespaces labelled by team/env; Deployments and bare Pods with
 * container ports; NetworkPolicies (default-deny ingress / all, allow-from-namespace-selector,
 * port ranges with endPort, egress ipBlock with except plus DNS, same-namespace allows with
 * matchExpressions); AdminNetworkPolicies (distinct priorities, Allow/Deny/Pass rules, ports,
 * egress to networks); the BaselineAdminNetworkPolicy `default`; primary UserDefinedNetworks and
 * ClusterUserDefinedNetworks (Layer2/Layer3, alternating); ClusterIP/NodePort Services whose
 * endpoints come from their selectors.
 *
 * Library: `generateCluster(opts)` → plain objects; `toYaml(objs)`; `toDocs(cluster)` → the
 * `{ file, text }[]` that `compile()` takes in memory.
 *
 * CLI (writes YAML; compile it with `npx tsx src/cli/main.ts compile DIR --stage lflow`):
 *   npx tsx bench/generate.ts --namespaces 1000 --pods 10 --policies 2 -o /tmp/cluster
 *   npx tsx bench/generate.ts --help
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 as prng } from '../src/common/prng.js';

export interface GenerateOptions {
  /** PRNG seed (default 1) */
  seed?: number;
  /** Node objects (default: ceil(total pods / podsPerNode), at least 1) */
  nodes?: number;
  /** pods per node used to derive `nodes` when not given (default 100) */
  podsPerNode?: number;
  /** tenant namespaces (default 10) */
  namespaces?: number;
  /** pods per namespace (default 10) */
  pods?: number;
  /** share of each namespace's pods that are bare Pods; the rest come from Deployments (default 0.3) */
  bareFraction?: number;
  /** replicas per Deployment (default 3) */
  replicas?: number;
  /** distinct `app` labels per namespace (default 4) */
  apps?: number;
  /** NetworkPolicies per namespace (default 2) */
  policies?: number;
  /** AdminNetworkPolicies (default 0; priorities 0..99 are unique up to 100) */
  anps?: number;
  /** emit the BaselineAdminNetworkPolicy `default` (default false) */
  banp?: boolean;
  /** namespaces with their own primary UserDefinedNetwork (default 0), Layer3/Layer2 alternating */
  udns?: number;
  /** ClusterUserDefinedNetworks (default 0), each selecting `cudnNamespaces` namespaces */
  cudns?: number;
  /** namespaces per CUDN (default 2) */
  cudnNamespaces?: number;
  /** Services in total (default 0), spread round-robin over the namespaces; every 5th is NodePort */
  services?: number;
  /** teams (namespace label `team`) that policies select (default 10) */
  teams?: number;
}

export type Obj = Record<string, unknown>;

export interface GeneratedCluster {
  options: Required<GenerateOptions>;
  /** every document, in a stable order (nodes, namespaces, networks, workloads, policies, services) */
  objects: Obj[];
  /** counts by kind, and total pods (bare + replicas) */
  counts: Record<string, number>;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export function resolveOptions(o: GenerateOptions = {}): Required<GenerateOptions> {
  const namespaces = o.namespaces ?? 10;
  const pods = o.pods ?? 10;
  const podsPerNode = o.podsPerNode ?? 100;
  const r: Required<GenerateOptions> = {
    seed: o.seed ?? 1,
    nodes: o.nodes ?? Math.max(1, Math.ceil((namespaces * pods) / podsPerNode)),
    podsPerNode,
    namespaces,
    pods,
    bareFraction: o.bareFraction ?? 0.3,
    replicas: o.replicas ?? 3,
    apps: o.apps ?? 4,
    policies: o.policies ?? 2,
    anps: o.anps ?? 0,
    banp: o.banp ?? false,
    udns: o.udns ?? 0,
    cudns: o.cudns ?? 0,
    cudnNamespaces: o.cudnNamespaces ?? 2,
    services: o.services ?? 0,
    teams: o.teams ?? 10,
  };
  if (r.nodes > 250) throw new Error(`nodes: at most 250 (one /24 of 10.244.0.0/16 each), got ${r.nodes}`);
  if (r.udns + r.cudns * r.cudnNamespaces > r.namespaces) throw new Error('udns + cudns × cudnNamespaces exceeds namespaces');
  if (r.udns + r.cudns > 4000) throw new Error('at most 4000 user-defined networks');
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) throw new Error(`${k}: must be a non-negative number`);
  }
  if (r.bareFraction > 1) throw new Error('bareFraction: at most 1');
  return r;
}

export function generateCluster(opts: GenerateOptions = {}): GeneratedCluster {
  const o = resolveOptions(opts);
  const rnd = prng(o.seed);
  const nsW = Math.max(3, String(o.namespaces - 1).length);
  const nodeW = Math.max(2, String(o.nodes - 1).length);
  const nsName = (i: number): string => `ns-${pad(i, nsW)}`;
  const nodeName = (i: number): string => `node-${pad(i, nodeW)}`;
  const team = (i: number): string => `t${i % o.teams}`;
  const objects: Obj[] = [];
  const counts: Record<string, number> = {};
  const push = (x: Obj): void => {
    objects.push(x);
    const k = x['kind'] as string;
    counts[k] = (counts[k] ?? 0) + 1;
  };

  // ---- nodes (kind's docker network for InternalIPs)
  for (let i = 0; i < o.nodes; i++) {
    const ip = `172.18.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`;
    push({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: nodeName(i), labels: { 'kubernetes.io/hostname': nodeName(i), 'kubernetes.io/os': 'linux' } },
      status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: nodeName(i) }] },
    });
  }

  // ---- which namespaces sit on a primary UDN / CUDN (taken from the end, so ns-000.. stay default)
  const netOf = new Map<number, { kind: 'udn' | 'cudn'; index: number }>();
  let next = o.namespaces - 1;
  for (let u = 0; u < o.udns; u++) netOf.set(next--, { kind: 'udn', index: u });
  for (let c = 0; c < o.cudns; c++) for (let k = 0; k < o.cudnNamespaces; k++) netOf.set(next--, { kind: 'cudn', index: c });

  // ---- namespaces
  for (let i = 0; i < o.namespaces; i++) {
    const labels: Record<string, string> = { team: team(i), env: i % 3 === 0 ? 'prod' : 'dev' };
    const net = netOf.get(i);
    if (net) labels['k8s.ovn.org/primary-user-defined-network'] = '';
    if (net?.kind === 'cudn') labels['cudn'] = `c${net.index}`;
    push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(i), labels } });
  }

  // ---- networks: distinct subnets (overlap is legal between primary UDNs, but distinct is simpler to read)
  const subnetL3 = (k: number): string => `${11 + (k >> 8)}.${k & 255}.0.0/16`;
  const subnetL2 = (k: number): string => `${11 + (k >> 8)}.${k & 255}.0.0/16`;
  const netSpec = (k: number): Obj => (k % 2 === 0
    ? { topology: 'Layer3', layer3: { role: 'Primary', subnets: [{ cidr: subnetL3(k), hostSubnet: 24 }] } }
    : { topology: 'Layer2', layer2: { role: 'Primary', subnets: [subnetL2(k)] } });
  for (const [i, net] of [...netOf].sort((a, b) => a[0] - b[0])) {
    if (net.kind !== 'udn') continue;
    push({ apiVersion: 'k8s.ovn.org/v1', kind: 'UserDefinedNetwork', metadata: { name: 'primary', namespace: nsName(i) }, spec: netSpec(net.index) });
  }
  for (let c = 0; c < o.cudns; c++) {
    push({
      apiVersion: 'k8s.ovn.org/v1', kind: 'ClusterUserDefinedNetwork', metadata: { name: `cudn-${c}` },
      spec: { namespaceSelector: { matchLabels: { cudn: `c${c}` } }, network: netSpec(o.udns + c) },
    });
  }

  // ---- workloads
  const bare = Math.round(o.pods * o.bareFraction);
  const replicated = o.pods - bare;
  const containers = (app: number): Obj[] => [{
    name: 'app', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['netexec', '--http-port', '8080'],
    ports: [{ name: 'http', containerPort: 8080 }, ...(app % 2 === 0 ? [{ name: 'metrics', containerPort: 9090 }] : [])],
  }];
  let podSeq = 0;
  for (let i = 0; i < o.namespaces; i++) {
    const ns = nsName(i);
    let left = replicated;
    for (let d = 0; left > 0; d++) {
      const n = Math.min(o.replicas, left);
      left -= n;
      const app = d % o.apps;
      const labels = { app: `app-${app}`, deploy: `web-${d}` };
      push({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `web-${d}`, namespace: ns },
        spec: { replicas: n, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: containers(app) } } },
      });
    }
    for (let b = 0; b < bare; b++) {
      const app = (b + 1) % o.apps;
      push({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${b}`, namespace: ns, labels: { app: `app-${app}`, role: b % 2 ? 'client' : 'server' } },
        spec: { nodeName: nodeName(podSeq++ % o.nodes), containers: containers(app) },
      });
    }
  }
  counts['pods (bare + replicas)'] = o.namespaces * o.pods;

  // ---- NetworkPolicies: shape = (i × policies + j) mod 6
  for (let i = 0; i < o.namespaces; i++) {
    const ns = nsName(i);
    for (let j = 0; j < o.policies; j++) {
      const shape = (i * o.policies + j) % 6;
      const app = (k: number): string => `app-${k % o.apps}`;
      let name: string;
      let spec: Obj;
      switch (shape) {
        case 0:
          name = 'default-deny-ingress';
          spec = { podSelector: {}, policyTypes: ['Ingress'] };
          break;
        case 1:
          name = 'allow-from-team';
          spec = {
            podSelector: { matchLabels: { app: app(j) } },
            ingress: [{
              from: [{ namespaceSelector: { matchLabels: { team: team(i + 1 + Math.floor(rnd() * (o.teams - 1))) } } }, { podSelector: { matchLabels: { app: app(j + 1) } } }],
              ports: [{ protocol: 'TCP', port: 8080 }],
            }],
          };
          break;
        case 2: {
          const lo = 8000 + 100 * Math.floor(rnd() * 10);
          name = 'allow-port-range';
          spec = {
            podSelector: { matchLabels: { app: app(j + 1) } },
            ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: lo, endPort: lo + 99 }, { protocol: 'UDP', port: 53 }] }],
          };
          break;
        }
        case 3:
          name = 'egress-ipblock';
          spec = {
            podSelector: {}, policyTypes: ['Egress'],
            egress: [
              { to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24', `192.168.${2 + Math.floor(rnd() * 250)}.0/24`] } }], ports: [{ protocol: 'TCP', port: 443 }] },
              { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
            ],
          };
          break;
        case 4:
          name = 'allow-same-namespace';
          spec = {
            podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [app(0), app(2)] }] },
            ingress: [{ from: [{ podSelector: {} }] }],
          };
          break;
        default:
          name = 'default-deny-all';
          spec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
      }
      push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `${name}-${j}`, namespace: ns }, spec });
    }
  }

  // ---- AdminNetworkPolicies
  for (let k = 0; k < o.anps; k++) {
    const ingress: Obj[] = [
      { name: 'allow-monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }] },
      { name: 'deny-other-team', action: 'Deny', from: [{ namespaces: { matchLabels: { team: team(k + 1) } } }] },
      { name: 'pass-dev', action: 'Pass', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] },
    ];
    const egress: Obj[] = k % 3 === 0
      ? [{ name: 'deny-internal', action: 'Deny', to: [{ networks: ['192.168.0.0/16'] }], ports: [{ portRange: { protocol: 'TCP', start: 8000, end: 8999 } }] }]
      : [{ name: 'allow-team-pods', action: 'Allow', to: [{ pods: { namespaceSelector: { matchLabels: { team: team(k) } }, podSelector: { matchLabels: { app: 'app-0' } } } }] }];
    push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: `anp-${pad(k, 3)}` },
      spec: { priority: k % 100, subject: { namespaces: { matchLabels: { team: team(k) } } }, ingress, egress },
    });
  }
  if (o.banp) {
    push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' },
      spec: {
        subject: { namespaces: { matchLabels: { env: 'prod' } } },
        ingress: [
          { name: 'allow-same-team', action: 'Allow', from: [{ namespaces: { matchLabels: { env: 'prod' } } }] },
          { name: 'deny-rest', action: 'Deny', from: [{ namespaces: {} }] },
        ],
      },
    });
  }

  // ---- Services (only in namespaces with pods)
  if (o.pods > 0) {
    for (let s = 0; s < o.services; s++) {
      const i = s % o.namespaces;
      const round = Math.floor(s / o.namespaces);
      const nodePort = s % 5 === 4;
      push({
        apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${round}`, namespace: nsName(i) },
        spec: {
          ...(nodePort ? { type: 'NodePort' } : {}),
          selector: { app: `app-${(round + (bare > 0 ? 1 : 0)) % Math.max(1, o.apps)}` },
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, ...(s % 2 === 0 ? [{ name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics' }] : [])],
        },
      });
    }
  }
  return { options: o, objects, counts };
}

// ---- YAML (plain block style, which udnc's fast reader takes directly) ---------------------

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function emit(v: unknown, indent: string, out: string[]): void {
  // called for a value that goes on its own lines (object or array, non-empty)
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const sub: string[] = [];
        emit(item, indent + '  ', sub);
        out.push(`${indent}- ${sub[0]!.slice(indent.length + 2)}`, ...sub.slice(1));
      } else {
        out.push(`${indent}- ${inline(item)}`);
      }
    }
    return;
  }
  for (const [k, val] of Object.entries(v as Obj)) {
    if (val !== null && typeof val === 'object' && !isEmpty(val)) {
      out.push(`${indent}${scalar(k)}:`);
      emit(val, Array.isArray(val) ? indent : indent + '  ', out);
    } else {
      out.push(`${indent}${scalar(k)}: ${inline(val)}`);
    }
  }
}

const isEmpty = (v: object): boolean => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
const inline = (v: unknown): string => (Array.isArray(v) ? '[]' : v !== null && typeof v === 'object' ? '{}' : scalar(v));

/** Multi-document YAML for the objects. */
export function toYaml(objects: readonly Obj[]): string {
  const out: string[] = [];
  for (const o of objects) {
    out.push('---');
    emit(o, '', out);
  }
  return out.join('\n') + '\n';
}

/** Files by concern, as a user's repository might hold them. */
export function toFiles(cluster: GeneratedCluster): Array<{ file: string; text: string }> {
  const groups = new Map<string, Obj[]>();
  const fileOf = (x: Obj): string => {
    switch (x['kind']) {
      case 'Node': return '00-nodes.yaml';
      case 'Namespace': return '01-namespaces.yaml';
      case 'UserDefinedNetwork': case 'ClusterUserDefinedNetwork': return '02-networks.yaml';
      case 'Deployment': case 'Pod': return '03-workloads.yaml';
      case 'NetworkPolicy': return '04-networkpolicies.yaml';
      case 'AdminNetworkPolicy': case 'BaselineAdminNetworkPolicy': return '05-admin-policies.yaml';
      default: return '06-services.yaml';
    }
  };
  for (const x of cluster.objects) {
    const f = fileOf(x);
    const l = groups.get(f) ?? [];
    l.push(x);
    groups.set(f, l);
  }
  return [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([file, objs]) => ({ file, text: toYaml(objs) }));
}

// ---- CLI -----------------------------------------------------------------------------------

const HELP = `Usage: npx tsx bench/generate.ts [options] -o DIR

Writes a synthetic cluster (seeded, deterministic) as YAML files into DIR.

  --seed N               PRNG seed (1)
  --nodes N              Node objects (ceil(namespaces × pods / pods-per-node))
  --pods-per-node N      (100)
  --namespaces N         tenant namespaces (10)
  --pods N               pods per namespace (10)
  --bare-fraction F      share of bare Pods, the rest are Deployment replicas (0.3)
  --replicas N           replicas per Deployment (3)
  --apps N               distinct app labels per namespace (4)
  --policies N           NetworkPolicies per namespace (2)
  --anps N               AdminNetworkPolicies (0)
  --banp                 add the BaselineAdminNetworkPolicy "default"
  --udns N               namespaces with a primary UserDefinedNetwork (0)
  --cudns N              ClusterUserDefinedNetworks (0)
  --cudn-namespaces N    namespaces per CUDN (2)
  --services N           Services in total (0)
  --teams N              distinct team labels (10)
  -o, --out DIR          output directory (required; created)
`;

export function main(argv: string[]): number {
  const num = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: num, nodes: num, 'pods-per-node': num, namespaces: num, pods: num, 'bare-fraction': num, replicas: num,
      apps: num, policies: num, anps: num, banp: { type: 'boolean' }, udns: num, cudns: num, 'cudn-namespaces': num,
      services: num, teams: num, out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.out) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const n = (k: keyof typeof values): number | undefined => {
    const v = values[k];
    if (v === undefined || typeof v !== 'string') return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`--${String(k)}: not a number: ${v}`);
    return x;
  };
  const opts: GenerateOptions = {};
  const set = <K extends keyof GenerateOptions>(k: K, v: GenerateOptions[K] | undefined): void => { if (v !== undefined) opts[k] = v; };
  set('seed', n('seed')); set('nodes', n('nodes')); set('podsPerNode', n('pods-per-node')); set('namespaces', n('namespaces'));
  set('pods', n('pods')); set('bareFraction', n('bare-fraction')); set('replicas', n('replicas')); set('apps', n('apps'));
  set('policies', n('policies')); set('anps', n('anps')); set('udns', n('udns')); set('cudns', n('cudns'));
  set('cudnNamespaces', n('cudn-namespaces')); set('services', n('services')); set('teams', n('teams'));
  if (values.banp) opts.banp = true;
  const cluster = generateCluster(opts);
  const dir = resolve(values.out);
  mkdirSync(dir, { recursive: true });
  for (const f of toFiles(cluster)) writeFileSync(join(dir, f.file), f.text);
  process.stdout.write(`${dir}: ${Object.entries(cluster.counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`generate: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
