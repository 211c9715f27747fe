/**
 * Connectivity matrices: every workload (or pod) against every other, per network, over each
 * destination's declared container ports plus the ports policies name.
 */
import type { ObjectRef } from '../common/source.js';
import { formatSource } from '../common/source.js';
import type { Protocol } from '../model/k8s.js';
import type { ClusterModel, Pod } from '../model/types.js';
import { evaluate } from './evaluate.js';
import type { EvalOptions, PeerSpec, Verdict } from './types.js';

export interface PortSpec { protocol: Protocol; port: number }

export interface MatrixOptions extends EvalOptions {
  /** probe only these ports (default: per destination, see README "matrix ports") */
  ports?: PortSpec[];
  /** one row/column per workload (pods of one owner) or per pod; default 'workload' */
  granularity?: 'workload' | 'pod';
  /** keep full verdicts (reason chains) in the cells */
  explain?: boolean;
  /** progress: called after each source row, with the rows done and the total over all networks */
  onRow?: (done: number, total: number) => void;
}

export interface MatrixEntity {
  /** `ns/name` for pods, `ns/name[Kind]` for workloads */
  id: string;
  namespace: string;
  name: string;
  kind: string;
  /** the pod whose labels/ports stand for the group (all pods of a workload share the template) */
  pod: Pod;
  /** every pod of the group, sorted by name */
  pods: Pod[];
  podCount: number;
  ref: ObjectRef;
}

export interface MatrixResult extends PortSpec {
  allowed: boolean;
  ingress: boolean;
  egress: boolean;
  verdict?: Verdict;
}

export interface MatrixCell {
  src: string;
  dst: string;
  results: MatrixResult[];
}

export interface NetworkMatrix {
  network: string;
  owner?: ObjectRef;
  entities: MatrixEntity[];
  /** probe ports of each destination (column) */
  ports: PortSpec[][];
  /**
   * Compact verdicts: for source i, destination j, port k the byte at
   * `i * rowWidth + colOffset[j] + k` holds bit 1 = allowed, 2 = ingress allowed, 4 = egress allowed.
   * Use `matrixCell()` to read a cell. (1,000 workloads make a million cells: objects per cell
   * would cost more than evaluating them.)
   */
  codes: Uint8Array;
  rowWidth: number;
  colOffset: number[];
  /** with `explain`: full verdicts at the same index as `codes` */
  verdicts?: Verdict[];
}

/** Reads one cell: i = source index, j = destination index (the diagonal compares two replicas). */
export function matrixCell(n: NetworkMatrix, i: number, j: number): MatrixCell {
  const base = i * n.rowWidth + n.colOffset[j]!;
  const results = n.ports[j]!.map((p, k): MatrixResult => {
    const c = n.codes[base + k]!;
    const r: MatrixResult = { ...p, allowed: (c & 1) !== 0, ingress: (c & 2) !== 0, egress: (c & 4) !== 0 };
    const v = n.verdicts?.[base + k];
    if (v) r.verdict = v;
    return r;
  });
  return { src: n.entities[i]!.id, dst: n.entities[j]!.id, results };
}

function* cells(n: NetworkMatrix): Generator<MatrixCell> {
  for (let i = 0; i < n.entities.length; i++) for (let j = 0; j < n.entities.length; j++) yield matrixCell(n, i, j);
}

export interface Matrix {
  semantics: NonNullable<EvalOptions['semantics']>;
  granularity: 'workload' | 'pod';
  networks: NetworkMatrix[];
}

/** Ports policies name: NP numeric ports (and endPort), ANP/BANP portNumber and portRange edges. */
export function policyPorts(model: ClusterModel): PortSpec[] {
  const out: PortSpec[] = [];
  for (const np of model.networkPolicies) {
    for (const r of [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])]) {
      for (const p of r.ports ?? []) {
        if (typeof p.port === 'number') {
          out.push({ protocol: p.protocol, port: p.port });
          if (p.endPort !== undefined) out.push({ protocol: p.protocol, port: p.endPort });
        }
      }
    }
  }
  const admin = [...model.adminNetworkPolicies.map((a) => a.spec), ...(model.baselineAdminNetworkPolicy ? [model.baselineAdminNetworkPolicy.spec] : [])];
  for (const s of admin) {
    for (const r of [...(s.ingress ?? []), ...(s.egress ?? [])]) {
      for (const p of r.ports ?? []) {
        if (p.portNumber) out.push({ ...p.portNumber });
        if (p.portRange) out.push({ protocol: p.portRange.protocol, port: p.portRange.start }, { protocol: p.portRange.protocol, port: p.portRange.end });
      }
    }
  }
  return uniqPorts(out);
}

export function uniqPorts(ps: PortSpec[]): PortSpec[] {
  const seen = new Set<string>();
  const out: PortSpec[] = [];
  for (const p of ps) {
    const k = `${p.protocol}/${p.port}`;
    if (!seen.has(k)) { seen.add(k); out.push(p); }
  }
  const order = { TCP: 0, UDP: 1, SCTP: 2 } as const;
  return out.sort((a, b) => order[a.protocol] - order[b.protocol] || a.port - b.port);
}

/** Probe ports for one destination: its container ports plus the policy ports; TCP/80 when both are empty. */
export function destinationPorts(pod: Pod, fromPolicies: PortSpec[]): PortSpec[] {
  const ps = uniqPorts([...pod.ports.map((p) => ({ protocol: p.protocol, port: p.containerPort })), ...fromPolicies]);
  return ps.length ? ps : [{ protocol: 'TCP', port: 80 }];
}

export function matrixEntities(model: ClusterModel, granularity: 'workload' | 'pod'): Map<string, MatrixEntity[]> {
  const byNet = new Map<string, Map<string, MatrixEntity>>();
  const pods = [...model.pods].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  for (const pod of pods) {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const nets = pod.hostNetwork ? ['host'] : pod.attachments.filter((a) => a.role !== 'infrastructure').map((a) => a.network);
    for (const net of nets) {
      const w = pod.workload;
      const isPod = granularity === 'pod' || w.kind === 'Pod';
      const id = isPod ? `${pod.namespace}/${pod.name}` : `${w.namespace ?? pod.namespace}/${w.name}[${w.kind}]`;
      const m = byNet.get(net) ?? new Map<string, MatrixEntity>();
      byNet.set(net, m);
      const e = m.get(id);
      if (e) { e.podCount++; e.pods.push(pod); }
      else m.set(id, {
        id, namespace: pod.namespace, name: isPod ? pod.name : w.name, kind: isPod ? 'Pod' : w.kind, pod, pods: [pod], podCount: 1, ref: isPod ? pod.ref : w,
      });
    }
  }
  return new Map([...byNet].sort((a, b) => cmp(a[0], b[0])).map(([k, v]) => [k, [...v.values()].sort((a, b) => cmp(a.id, b.id))]));
}

export function buildMatrix(model: ClusterModel, opts: MatrixOptions = {}): Matrix {
  const granularity = opts.granularity ?? 'workload';
  const semantics = opts.semantics ?? 'ovn-kubernetes';
  const polPorts = policyPorts(model);
  const networks: NetworkMatrix[] = [];
  const byNet = matrixEntities(model, granularity);
  const totalRows = [...byNet].reduce((n, [net, es]) => n + (net === 'host' ? 0 : es.length + (net === 'default' ? byNet.get('host')?.length ?? 0 : 0)), 0);
  let rowsDone = 0;
  for (const [network, entities] of byNet) {
    // hostNetwork pods share the node's stack; they are listed on the default network's matrix.
    if (network === 'host') continue;
    const hostEntities = network === 'default' ? (byNet.get('host') ?? []) : [];
    const all = [...entities, ...hostEntities];
    const netOpt = network === 'default' ? undefined : network;
    const dstPorts = new Map(all.map((d) => [d, opts.ports ?? destinationPorts(d.pod, polPorts)]));
    const spec = (pod: Pod): PeerSpec => ({
      kind: 'pod', namespace: pod.namespace, name: pod.name, ...(netOpt && !pod.hostNetwork ? { network: netOpt } : {}),
    });
    const specs = new Map(all.map((e) => [e, spec(e.pod)]));
    // The diagonal of a workload with replicas compares two replicas, not a pod with itself.
    const peerReplica = new Map(all.filter((e) => e.pods.length > 1).map((e) => [e, spec(e.pods[1]!)]));
    const evalOpts = { semantics, ...(opts.choices ? { choices: opts.choices } : {}) };
    const ports = all.map((d) => dstPorts.get(d)!);
    const colOffset: number[] = [];
    let rowWidth = 0;
    for (const ps of ports) { colOffset.push(rowWidth); rowWidth += ps.length; }
    const codes = new Uint8Array(rowWidth * all.length);
    const verdicts: Verdict[] | undefined = opts.explain ? new Array<Verdict>(codes.length) : undefined;
    all.forEach((s, i) => {
      const src = specs.get(s)!;
      all.forEach((d, j) => {
        const dst = (s === d ? peerReplica.get(d) : undefined) ?? specs.get(d)!;
        const base = i * rowWidth + colOffset[j]!;
        ports[j]!.forEach((p, k) => {
          const v = evaluate(model, { src, dst, protocol: p.protocol, port: p.port }, evalOpts);
          codes[base + k] = (v.allowed ? 1 : 0) | (v.ingress.allowed ? 2 : 0) | (v.egress.allowed ? 4 : 0);
          if (verdicts) verdicts[base + k] = v;
        });
      });
      opts.onRow?.(++rowsDone, totalRows);
    });
    const nm: NetworkMatrix = { network, entities: all, ports, codes, rowWidth, colOffset };
    const owner = model.networks.find((n) => n.id === network)?.owner;
    if (owner) nm.owner = owner;
    if (verdicts) nm.verdicts = verdicts;
    networks.push(nm);
  }
  return { semantics, granularity, networks };
}

// ---- output ----

export function cellSummary(c: MatrixCell): string {
  const ok = c.results.filter((r) => r.allowed);
  if (ok.length === c.results.length) return c.results.length > 1 ? 'all' : 'yes';
  if (!ok.length) return '-';
  return ok.map((r) => `${r.protocol === 'TCP' ? '' : `${r.protocol.toLowerCase()}/`}${r.port}`).join(',');
}

export function formatMatrix(m: Matrix, format: 'txt' | 'json' | 'csv' | 'md', opts: { explain?: boolean } = {}): string {
  if (format === 'json') return JSON.stringify(matrixJSON(m, opts.explain ?? false), null, 2) + '\n';
  if (format === 'csv') {
    const rows = ['network,src,dst,protocol,port,allowed,egress,ingress' + (opts.explain ? ',reasons' : '')];
    // Straight from the compact codes: a 1,000-workload matrix is millions of rows.
    const flag = ['false,false,false', 'true,false,false', 'false,false,true', 'true,false,true',
      'false,true,false', 'true,true,false', 'false,true,true', 'true,true,true']; // allowed,egress,ingress by code
    for (const n of m.networks) {
      const ids = n.entities.map((e) => csv(e.id));
      const portText = n.ports.map((ps) => ps.map((p) => `${p.protocol},${p.port}`));
      const net = csv(n.network);
      for (let i = 0; i < ids.length; i++) {
        const row = `${net},${ids[i]},`;
        for (let j = 0; j < ids.length; j++) {
          const base = i * n.rowWidth + n.colOffset[j]!;
          const pre = `${row}${ids[j]},`;
          portText[j]!.forEach((pt, k) => {
            const line = `${pre}${pt},${flag[n.codes[base + k]!]}`;
            rows.push(opts.explain ? `${line},${csv(reasonText(n.verdicts?.[base + k]).join(' | '))}` : line);
          });
        }
      }
    }
    return rows.join('\n') + '\n';
  }
  const out: string[] = [];
  out.push(`# connectivity (${m.semantics} semantics, one row/column per ${m.granularity}; rows = source, columns = destination)`);
  out.push('# cell: "all" = every probed port allowed, "-" = none, else the allowed ports (TCP unless prefixed);');
  out.push('# a workload\'s diagonal cell is replica to replica (a single pod: the pod to itself)');
  for (const n of m.networks) {
    out.push('', `## network ${n.network}${n.owner?.source ? ` (${n.owner.kind} ${n.owner.namespace ? `${n.owner.namespace}/` : ''}${n.owner.name}, ${formatSource(n.owner.source)})` : ''}`);
    const ids = n.entities.map((e) => e.id);
    if (format === 'md') {
      out.push('', `| src \\ dst | ${ids.map(mdEsc).join(' | ')} |`, `|---|${ids.map(() => '---').join('|')}|`);
      ids.forEach((id, i) => out.push(`| ${mdEsc(id)} | ${ids.map((_, j) => mdEsc(cellSummary(matrixCell(n, i, j)))).join(' | ')} |`));
    } else {
      const header = ['', ...ids.map((_, j) => `[${j}]`)];
      const body = ids.map((id, i) => [`[${i}] ${id}`, ...ids.map((_, j) => cellSummary(matrixCell(n, i, j)))]);
      const widths = header.map((_, k) => Math.max(header[k]!.length, ...body.map((r) => r[k]!.length)));
      const fmt = (r: string[]) => r.map((x, k) => x.padEnd(widths[k]!)).join('  ').trimEnd();
      out.push(fmt(header), ...body.map(fmt));
    }
    // Which ports each column was probed on, grouped so identical lists print once.
    const groups = new Map<string, number[]>();
    n.ports.forEach((ps, j) => {
      const k = ps.map((p) => `${p.protocol}/${p.port}`).join(',');
      groups.set(k, [...(groups.get(k) ?? []), j]);
    });
    out.push('', `${format === 'md' ? '' : '# '}probed ports: ${[...groups].map(([k, js]) => `${k} → ${js.length === n.ports.length ? 'all columns' : js.map((j) => `[${j}]`).join('')}`).join('; ')}`);
    if (opts.explain) {
      out.push('', format === 'md' ? '### reasons' : '# reasons');
      for (const c of cells(n)) for (const r of c.results) {
        out.push(`${format === 'md' ? '- ' : ''}${c.src} → ${c.dst} ${r.protocol}/${r.port}: ${r.allowed ? 'allowed' : 'denied'}`);
        for (const l of reasonText(r.verdict)) out.push(`    ${l}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

export function reasonText(v: Verdict | undefined): string[] {
  if (!v) return [];
  return v.reasons.map((r) => {
    const where = r.object?.source ? ` [${formatSource(r.object.source)}]` : '';
    return `${r.direction ? `${r.direction}: ` : ''}${r.stage} ${r.verdict}: ${r.message}${where}`;
  });
}

function matrixJSON(m: Matrix, explain: boolean) {
  return {
    semantics: m.semantics,
    granularity: m.granularity,
    networks: m.networks.map((n) => ({
      network: n.network,
      entities: n.entities.map((e) => ({ id: e.id, namespace: e.namespace, name: e.name, kind: e.kind, pods: e.podCount, source: e.ref.source })),
      cells: [...cells(n)].map((c) => ({
        src: c.src, dst: c.dst,
        results: c.results.map((r) => ({
          protocol: r.protocol, port: r.port, allowed: r.allowed, egress: r.egress, ingress: r.ingress,
          ...(explain && r.verdict ? { reasons: r.verdict.reasons } : {}),
        })),
      })),
    })),
  };
}

function csv(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function mdEsc(s: string): string {
  return s.replace(/\|/g, '\\|');
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
