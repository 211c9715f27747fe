/**
 * A connectivity matrix (`buildMatrix`) as a graph, for small clusters: one node per workload, one
 * cluster per network, an edge src → dst when at least one probed port is allowed (solid: every
 * port; dashed and labelled with the allowed ports: some). Denied pairs have no edge; a workload's
 * own diagonal cell (replica to replica, or the pod to itself) is drawn only when it is denied
 * (a red self-loop), since "allowed to itself" is the rule and would clutter the picture.
 *
 * `matrixToDot` emits Graphviz DOT; `matrixToSvg` draws it without Graphviz: each network's
 * workloads on a circle, networks side by side. Both are deterministic and escape every name.
 */
import { matrixCell, type Matrix, type MatrixCell, type NetworkMatrix } from '../semantics/matrix.js';
import { dotString, esc } from './escape.js';

export interface GraphEdge {
  network: string;
  src: number;
  dst: number;
  kind: 'all' | 'some' | 'self-denied';
  /** allowed ports when `some` */
  label?: string;
}

function portsLabel(c: MatrixCell): string {
  return c.results.filter((r) => r.allowed).map((r) => `${r.protocol === 'TCP' ? '' : `${r.protocol.toLowerCase()}/`}${r.port}`).join(',');
}

/**
 * The most nodes one network may have for `udnc matrix -o dot|svg` and `udnc report -f dot|svg`
 * (both go through {@link drawMatrixGraph}): the SVG circle of 40 boxes is
 * already ~1,700 px wide with up to 1,560 arrows; beyond that a table (txt/csv) or the HTML heat
 * map (`udnc report`) reads better.
 */
export const GRAPH_MAX_NODES = 40;

/** Why the matrix is too large to draw, or undefined when every network fits GRAPH_MAX_NODES. */
export function graphTooLarge(m: Matrix, max = GRAPH_MAX_NODES): string | undefined {
  const big = m.networks.filter((n) => n.entities.length > max);
  if (!big.length) return undefined;
  const unit = m.granularity === 'pod' ? 'pods' : 'workloads';
  return `a graph of more than ${max} ${unit} per network is unreadable: ${big.map((n) => `network ${n.network} has ${n.entities.length}`).join(', ')}`;
}

export type GraphFormat = 'dot' | 'svg';

/**
 * The matrix drawn as DOT or SVG: the one size gate that `udnc matrix` and `udnc report` share.
 * Above `max` nodes in a network nothing is drawn: it throws `refuse(reason)` (callers pass a usage
 * error, so the command exits 2 with nothing on stdout and no file written).
 */
export function drawMatrixGraph(m: Matrix, format: GraphFormat, refuse: (reason: string) => Error, max = GRAPH_MAX_NODES): string {
  const tooLarge = graphTooLarge(m, max);
  if (tooLarge) throw refuse(tooLarge);
  return format === 'dot' ? matrixToDot(m) : matrixToSvg(m);
}

export function matrixEdges(n: NetworkMatrix): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (let i = 0; i < n.entities.length; i++) {
    for (let j = 0; j < n.entities.length; j++) {
      const c = matrixCell(n, i, j);
      const ok = c.results.filter((r) => r.allowed).length;
      if (i === j) {
        if (ok === 0) out.push({ network: n.network, src: i, dst: j, kind: 'self-denied' });
        continue;
      }
      if (ok === 0) continue;
      if (ok === c.results.length) out.push({ network: n.network, src: i, dst: j, kind: 'all' });
      else out.push({ network: n.network, src: i, dst: j, kind: 'some', label: portsLabel(c) });
    }
  }
  return out;
}

export function matrixToDot(m: Matrix): string {
  const out: string[] = [
    'digraph connectivity {',
    `  label=${dotString(`udnc connectivity (${m.semantics} semantics): edge = allowed (dashed: only the labelled ports); no edge = denied`)};`,
    '  labelloc=t; rankdir=LR; fontname="Helvetica";',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=11];',
    '  edge [color="#2f9e5b", fontname="Helvetica", fontsize=9];',
  ];
  m.networks.forEach((n, g) => {
    out.push(`  subgraph ${dotString(`cluster_${g}`)} {`, `    label=${dotString(`network ${n.network}`)}; style=rounded; color="#8a9099";`);
    n.entities.forEach((e, i) => out.push(`    ${dotString(`n${g}_${i}`)} [label=${dotString(e.podCount > 1 ? `${e.id}\n${e.podCount} pods` : e.id)}];`));
    out.push('  }');
    for (const e of matrixEdges(n)) {
      const a = dotString(`n${g}_${e.src}`);
      const b = dotString(`n${g}_${e.dst}`);
      if (e.kind === 'all') out.push(`  ${a} -> ${b};`);
      else if (e.kind === 'some') out.push(`  ${a} -> ${b} [style=dashed, color="#d08a14", label=${dotString(e.label!)}];`);
      else out.push(`  ${a} -> ${b} [color="#d64541", label="denied"];`);
    }
  });
  out.push('}');
  return out.join('\n') + '\n';
}

const R_MIN = 140;
const NODE_W = 150;
const NODE_H = 34;
const PAD = 30;

function fmt(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** Pure-TypeScript SVG: per network, its workloads evenly on a circle. */
export function matrixToSvg(m: Matrix): string {
  const parts: string[] = [];
  let x0 = PAD;
  let height = 0;
  const blocks = m.networks.map((n) => {
    const k = n.entities.length;
    // circle large enough that neighbouring boxes do not overlap
    const r = Math.max(R_MIN, k > 1 ? (NODE_W * 0.75) / Math.sin(Math.PI / k) / 2 + 10 : 0);
    const size = 2 * r + NODE_W + 2 * PAD;
    const b = { n, r, cx: x0 + size / 2, cy: 76 + size / 2, size };
    x0 += size + PAD;
    height = Math.max(height, 76 + size + 30);
    return b;
  });
  const width = Math.max(x0, 640);
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="Helvetica, Arial, sans-serif">`,
    '<defs>',
    '<marker id="arr-a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2f9e5b"/></marker>',
    '<marker id="arr-p" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d08a14"/></marker>',
    '</defs>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD}" y="24" font-size="14" font-weight="bold">${esc(`udnc connectivity (${m.semantics} semantics)`)}</text>`,
    `<text x="${PAD}" y="42" font-size="11" fill="#5b6571">green edge: every probed port allowed · dashed amber: only the labelled ports</text>`,
    `<text x="${PAD}" y="57" font-size="11" fill="#5b6571">no edge: denied · red ring: a workload cannot reach its own replicas</text>`,
  );
  for (const b of blocks) {
    const { n, r, cx, cy, size } = b;
    const k = n.entities.length;
    const pos = n.entities.map((_, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(k, 1);
      return k === 1 ? { x: cx, y: cy } : { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
    });
    parts.push(`<g class="network" data-network="${esc(n.network)}">`,
      `<rect x="${fmt(cx - size / 2 + 6)}" y="${fmt(cy - size / 2)}" width="${fmt(size - 12)}" height="${fmt(size)}" rx="12" fill="#f8f9fb" stroke="#c4cad3"/>`,
      `<text x="${fmt(cx)}" y="${fmt(cy - size / 2 + 18)}" font-size="12" font-weight="bold" text-anchor="middle">${esc(`network ${n.network}`)}</text>`);
    const edges = matrixEdges(n);
    const twoWay = new Set(edges.filter((e) => e.kind !== 'self-denied').map((e) => `${e.src}>${e.dst}`));
    for (const e of edges) {
      if (e.kind === 'self-denied') {
        const p = pos[e.src]!;
        parts.push(`<rect class="self-denied" x="${fmt(p.x - NODE_W / 2 - 4)}" y="${fmt(p.y - NODE_H / 2 - 4)}" width="${NODE_W + 8}" height="${NODE_H + 8}" rx="9" fill="none" stroke="#d64541" stroke-width="2"><title>${esc(`${n.entities[e.src]!.id} → its own replicas: denied`)}</title></rect>`);
        continue;
      }
      const a = pos[e.src]!;
      const c = pos[e.dst]!;
      // offset the two directions of a pair so both arrows are visible
      const dx = c.x - a.x;
      const dy = c.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const off = twoWay.has(`${e.dst}>${e.src}`) ? 5 : 0;
      const ox = (-dy / len) * off;
      const oy = (dx / len) * off;
      const s = clip(a.x + ox, a.y + oy, c.x + ox, c.y + oy);
      const t = clip(c.x + ox, c.y + oy, a.x + ox, a.y + oy);
      const partial = e.kind === 'some';
      const title = `${n.entities[e.src]!.id} → ${n.entities[e.dst]!.id}: ${partial ? `only ${e.label}` : 'allowed'}`;
      parts.push(`<line class="edge ${partial ? 'some' : 'all'}" x1="${fmt(s.x)}" y1="${fmt(s.y)}" x2="${fmt(t.x)}" y2="${fmt(t.y)}" stroke="${partial ? '#d08a14' : '#2f9e5b'}" stroke-width="1.6"${partial ? ' stroke-dasharray="5 3"' : ''} marker-end="url(#arr-${partial ? 'p' : 'a'})"><title>${esc(title)}</title></line>`);
      if (partial) {
        // at 40% from the source, pushed off the line to its own side
        const lx = s.x + (t.x - s.x) * 0.4 + (-dy / len) * 9;
        const ly = s.y + (t.y - s.y) * 0.4 + (dx / len) * 9 + 3;
        parts.push(`<text x="${fmt(lx)}" y="${fmt(ly)}" font-size="10" fill="#8a5a00" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3">${esc(e.label!)}</text>`);
      }
    }
    n.entities.forEach((e, i) => {
      const p = pos[i]!;
      const label = e.id.length > 24 ? `${e.id.slice(0, 23)}…` : e.id;
      parts.push(`<g class="node"><title>${esc(`${e.id} (${e.podCount} pod${e.podCount === 1 ? '' : 's'})`)}</title>`,
        `<rect x="${fmt(p.x - NODE_W / 2)}" y="${fmt(p.y - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="#eef3fb" stroke="#5b7bb5"/>`,
        `<text x="${fmt(p.x)}" y="${fmt(p.y + 4)}" font-size="11" text-anchor="middle">${esc(label)}</text></g>`);
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Where the segment from (x1,y1) towards (x2,y2) leaves the node box centred at (x1,y1). */
function clip(x1: number, y1: number, x2: number, y2: number): { x: number; y: number } {
  const dx = x2 - x1;
  const dy = y2 - y1;
  if (dx === 0 && dy === 0) return { x: x1, y: y1 };
  const tx = dx !== 0 ? (NODE_W / 2 + 2) / Math.abs(dx) : Infinity;
  const ty = dy !== 0 ? (NODE_H / 2 + 2) / Math.abs(dy) : Infinity;
  const t = Math.min(tx, ty, 1);
  return { x: x1 + dx * t, y: y1 + dy * t };
}
