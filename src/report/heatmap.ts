/**
 * The report's connectivity heat map: every workload against every other across all networks,
 * grouped by network. Blocks on the diagonal are the per-network matrices of `udnc matrix`
 * (same entities, same probe ports, same replica-to-replica diagonal); off-diagonal blocks pair
 * workloads of different networks: the source (on its network) probes the destination's address on
 * the other network, which the evaluator answers with tier-0 isolation (or, for
 * one pod seen on two of its own interfaces, loopback).
 *
 * Reason chains are kept as text, interned: lines in `lines`, chains (line-id lists) in `chains`.
 * Lines are templates: the source pod, destination pod and probed port are replaced by the markers
 * of `TEMPLATE` (`expandLine` restores them), so a policy's verdict text is stored once for all
 * the pairs it decides instead of once per pair (a 200-workload map otherwise embeds ~150 MB).
 */
import { formatSource } from '../common/source.js';
import type { ClusterModel, Pod } from '../model/types.js';
import {
  destinationPorts, evaluate, matrixEntities, policyPorts, reasonText,
  type EvalOptions, type MatrixEntity, type PeerSpec, type PortSpec,
} from '../semantics/index.js';

/** bit 1 allowed, 2 ingress allowed, 4 egress allowed (as NetworkMatrix.codes), 8 denied by network isolation */
export const CODE = { allowed: 1, ingress: 2, egress: 4, isolated: 8 } as const;

export interface HeatEntity {
  /** `ns/name` or `ns/name[Kind]`, as `udnc matrix` */
  id: string;
  network: string;
  kind: string;
  pods: number;
  hostNetwork: boolean;
  source: string;
}

export interface HeatGroup {
  network: string;
  /** index of its first entity, and how many */
  start: number;
  count: number;
  /** entities of this network left out by the cap */
  omitted: number;
}

export interface HeatMap {
  entities: HeatEntity[];
  groups: HeatGroup[];
  /** probe ports of each column, `TCP/8080` */
  ports: string[][];
  /** per entity: the pod standing for it, and the replica its own diagonal probes (`ns/name`) */
  pods: Array<{ pod: string; replica?: string }>;
  /** cells[i][j] = [code0, chain0, code1, chain1, ...] per port of column j */
  cells: number[][][];
  lines: string[];
  chains: number[][];
  /** workloads in the model / shown */
  totalEntities: number;
  shownEntities: number;
}

export interface HeatMapOptions extends EvalOptions {
  /** at most this many rows/columns (default 200); the rest is listed as omitted */
  maxWorkloads?: number;
  ports?: PortSpec[];
  /** keep reason lines verbatim (no templates; for tests) */
  verbatim?: boolean;
  /** called once per source row */
  onRow?: (done: number, total: number) => void;
}

interface Ent { e: MatrixEntity; network: string; spec: PeerSpec; replica?: PeerSpec; ports: PortSpec[] }

export function buildHeatMap(model: ClusterModel, opts: HeatMapOptions = {}): HeatMap {
  const max = opts.maxWorkloads ?? 200;
  const polPorts = policyPorts(model);
  const byNet = matrixEntities(model, 'workload');
  const spec = (pod: Pod, network: string): PeerSpec => ({
    kind: 'pod', namespace: pod.namespace, name: pod.name, ...(network !== 'default' && !pod.hostNetwork ? { network } : {}),
  });
  // Networks in matrixEntities order; hostNetwork workloads join the default network (as buildMatrix).
  const nets: Array<{ network: string; ents: MatrixEntity[] }> = [];
  for (const [network, ents] of byNet) {
    if (network === 'host') continue;
    nets.push({ network, ents: network === 'default' ? [...ents, ...(byNet.get('host') ?? [])] : ents });
  }
  if (!nets.some((n) => n.network === 'default') && byNet.has('host')) nets.unshift({ network: 'default', ents: byNet.get('host')! });

  const all: Ent[] = [];
  const groups: HeatGroup[] = [];
  let total = 0;
  for (const { network, ents } of nets) {
    total += ents.length;
    const room = Math.max(0, max - all.length);
    const shown = ents.slice(0, room);
    groups.push({ network, start: all.length, count: shown.length, omitted: ents.length - shown.length });
    for (const e of shown) {
      const ent: Ent = { e, network, spec: spec(e.pod, network), ports: opts.ports ?? destinationPorts(e.pod, polPorts) };
      if (e.pods.length > 1) ent.replica = spec(e.pods[1]!, network);
      all.push(ent);
    }
  }

  const lineIds = new Map<string, number>();
  const lines: string[] = [];
  const chainIds = new Map<string, number>();
  const chains: number[][] = [];
  const intern = (text: string[]): number => {
    const ids = text.map((l) => {
      let id = lineIds.get(l);
      if (id === undefined) { id = lines.length; lines.push(l); lineIds.set(l, id); }
      return id;
    });
    const k = ids.join(',');
    let c = chainIds.get(k);
    if (c === undefined) { c = chains.length; chains.push(ids); chainIds.set(k, c); }
    return c;
  };

  const podName = (p: Pod): string => `${p.namespace}/${p.name}`;
  const evalOpts: EvalOptions = { ...(opts.semantics ? { semantics: opts.semantics } : {}), ...(opts.choices ? { choices: opts.choices } : {}) };
  const cells: number[][][] = [];
  all.forEach((s, i) => {
    const row: number[][] = [];
    for (const d of all) {
      // a workload against itself (on any of its networks) compares two replicas, as udnc matrix does
      const same = s.network === d.network;
      const dst = (s.e.id === d.e.id ? d.replica : undefined) ?? d.spec;
      // Across networks: the source's interface on its network sends to the destination's address
      // on the other network (the evaluator judges one probe on one network otherwise).
      const xsrc: PeerSpec = same || s.e.pod.hostNetwork ? s.spec : { ...(s.spec as PodSpec), network: s.network };
      const xdst = same ? dst : addressOn(s.e.id === d.e.id && d.e.pods.length > 1 ? d.e.pods[1]! : d.e.pod, d.network) ?? dst;
      const out: number[] = [];
      const dstPod = podName(s.e.id === d.e.id && d.e.pods.length > 1 ? d.e.pods[1]! : d.e.pod);
      const srcPod = podName(s.e.pod);
      for (const p of d.ports) {
        const v = evaluate(model, { src: xsrc, dst: xdst, protocol: p.protocol, port: p.port }, evalOpts);
        const port = `${p.protocol}/${p.port}`;
        const isolated = !v.allowed && v.reasons.some((r) => r.stage === 'isolation' && r.verdict === 'deny');
        out.push(
          (v.allowed ? CODE.allowed : 0) | (v.ingress.allowed ? CODE.ingress : 0) | (v.egress.allowed ? CODE.egress : 0) | (isolated ? CODE.isolated : 0),
          intern(opts.verbatim ? reasonText(v) : reasonText(v).map((l) => templateLine(l, srcPod, dstPod, port))),
        );
      }
      row.push(out);
    }
    cells.push(row);
    opts.onRow?.(i + 1, all.length);
  });

  return {
    entities: all.map(({ e, network }) => ({
      id: e.id, network, kind: e.kind, pods: e.podCount, hostNetwork: e.pod.hostNetwork, source: formatSource(e.ref.source),
    })),
    groups,
    ports: all.map((d) => d.ports.map((p) => `${p.protocol}/${p.port}`)),
    pods: all.map(({ e }) => ({ pod: podName(e.pod), ...(e.pods.length > 1 ? { replica: podName(e.pods[1]!) } : {}) })),
    cells,
    lines,
    chains,
    totalEntities: total,
    shownEntities: all.length,
  };
}

/** Markers of reason-line templates: source pod, destination pod, probed port. */
export const TEMPLATE = { src: '\u0001S', dst: '\u0001D', port: '\u0001P' } as const;

function reEscape(x: string): string {
  return x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
const NAME_EDGE = '[\\w./-]';
const reCache = new Map<string, RegExp>();
function nameRe(name: string, port = false): RegExp {
  const k = `${port ? 'p' : 'n'}${name}`;
  let r = reCache.get(k);
  if (!r) {
    r = port ? new RegExp(`(?<![\\w/])${reEscape(name)}(?!\\d)`, 'g') : new RegExp(`(?<!${NAME_EDGE})${reEscape(name)}(?!${NAME_EDGE})`, 'g');
    if (reCache.size > 10_000) reCache.clear();
    reCache.set(k, r);
  }
  return r;
}

/** Replaces the pod names and port of one probe by the TEMPLATE markers (the longer name first). */
export function templateLine(line: string, src: string, dst: string, port: string): string {
  let out = line.replace(nameRe(port, true), TEMPLATE.port);
  const [first, second] = src.length >= dst.length ? [src, dst] : [dst, src];
  const mark = (n: string): string => (n === src ? TEMPLATE.src : TEMPLATE.dst);
  out = out.replace(nameRe(first), mark(first));
  if (second !== first) out = out.replace(nameRe(second), mark(second));
  return out;
}

/** The inverse of templateLine. */
export function expandLine(line: string, src: string, dst: string, port: string): string {
  return line.split(TEMPLATE.src).join(src).split(TEMPLATE.dst).join(dst).split(TEMPLATE.port).join(port);
}

type PodSpec = Extract<PeerSpec, { kind: 'pod' }>;

/** The pod's address on a network (none for hostNetwork pods or interfaces without IPAM). */
function addressOn(pod: Pod, network: string): PeerSpec | undefined {
  if (pod.hostNetwork) return undefined;
  const ip = pod.attachments.find((a) => a.network === network && a.role !== 'infrastructure')?.ips[0];
  return ip ? { kind: 'ip', ip: ip.replace(/\/\d+$/, '') } : undefined;
}

export type CellClass = 'allowed' | 'denied' | 'partial' | 'isolated';

/** Colour class of a cell over all its ports. */
export function cellClass(codes: readonly number[]): CellClass {
  let ok = 0;
  let iso = 0;
  const n = codes.length / 2;
  for (let k = 0; k < codes.length; k += 2) {
    if (codes[k]! & CODE.allowed) ok++;
    else if (codes[k]! & CODE.isolated) iso++;
  }
  if (ok === n) return 'allowed';
  if (ok > 0) return 'partial';
  return iso === n ? 'isolated' : 'denied';
}
