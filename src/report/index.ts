/**
 * `udnc report`: one self-contained HTML page (networks, namespaces, connectivity heat map with
 * reason chains, per-policy cost), or the connectivity matrix as a DOT/SVG graph.
 */
import { compile, type CompileOptions } from '../compile.js';
import { InputError, formatDiagnostic } from '../common/errors.js';
import type { Progress } from '../common/progress.js';
import { buildMatrix, type EvalOptions, type PortSpec } from '../semantics/index.js';
import { policyCost } from './cost.js';
import { drawMatrixGraph } from './graph.js';
import { buildHeatMap } from './heatmap.js';
import { renderHtml } from './html.js';

export { buildHeatMap, cellClass, CODE, expandLine, templateLine, TEMPLATE, type HeatMap, type HeatEntity, type HeatGroup, type HeatMapOptions } from './heatmap.js';
export { renderHtml, type HtmlReportInput } from './html.js';
export { GRAPH_MAX_NODES, drawMatrixGraph, graphTooLarge, matrixToDot, matrixToSvg, matrixEdges, type GraphEdge, type GraphFormat } from './graph.js';
export { policyCost, type PolicyCost, type PolicyCostRow } from './cost.js';
export { esc, scriptJSON, dotString } from './escape.js';

export type ReportFormat = 'html' | 'dot' | 'svg';

export interface ReportOptions extends Pick<CompileOptions, 'implicitNamespaces' | 'lenient' | 'readStdin'>, EvalOptions {
  format?: ReportFormat;
  /** html: heat-map cap (default 200 workloads) */
  maxWorkloads?: number;
  /** probe only these ports */
  ports?: PortSpec[];
  /** html: skip the NB → lflow → OpenFlow compilation and the cost table */
  noCost?: boolean;
  /** html: shown in the header; absent = no clock in the output */
  timestamp?: string;
  version?: string;
  progress?: Progress;
  /**
   * dot/svg: the error thrown when a network has more than GRAPH_MAX_NODES workloads (default: an
   * InputError naming the networks; the CLI passes its usage error).
   */
  refuseGraph?: (reason: string) => Error;
}

export interface ReportResult {
  text: string;
  /** loader and compiler warnings (also shown in the html) */
  warnings: string[];
}

export async function buildReport(paths: string[], opts: ReportOptions = {}): Promise<ReportResult> {
  const format = opts.format ?? 'html';
  const p = opts.progress;
  const evalOpts: EvalOptions = { ...(opts.semantics ? { semantics: opts.semantics } : {}), ...(opts.choices ? { choices: opts.choices } : {}) };
  const wantCost = format === 'html' && !opts.noCost;
  p?.stage(wantCost ? 'compiling (manifests → model → northbound → lflow → OpenFlow)' : 'loading manifests');
  const base = await compile(paths, {
    until: wantCost ? 'openflow' : 'model',
    ...(opts.implicitNamespaces ? { implicitNamespaces: true } : {}),
    ...(opts.lenient ? { lenient: true } : {}),
    ...(opts.readStdin ? { readStdin: opts.readStdin } : {}),
  });
  const warnings = base.manifests.notices.filter((n) => n.severity !== 'notice').map((n) => formatDiagnostic(n));
  const model = base.model!;
  if (format !== 'html') {
    p?.stage('matrix');
    const m = buildMatrix(model, { ...evalOpts, ...(opts.ports ? { ports: opts.ports } : {}) });
    const refuse = opts.refuseGraph ?? ((why: string) => new InputError([{ severity: 'error', message: `report as ${format}: ${why}; use the html report (a heat map)` }]));
    return { text: drawMatrixGraph(m, format, refuse), warnings };
  }
  p?.stage('connectivity', 1);
  const heat = buildHeatMap(model, {
    ...evalOpts, ...(opts.ports ? { ports: opts.ports } : {}), ...(opts.maxWorkloads !== undefined ? { maxWorkloads: opts.maxWorkloads } : {}),
    ...(p ? { onRow: (done: number, total: number) => { if (done === 1) p.stage('connectivity', total); p.tick(); } } : {}),
  });
  let cost;
  if (wantCost) {
    p?.stage('cost');
    for (const e of base.openflow?.errors ?? []) warnings.push(`warning: openflow: lflow skipped: ${e}`);
    cost = policyCost(base);
  }
  p?.stage('rendering');
  const text = renderHtml({
    model, heat, ...(cost ? { cost } : {}),
    meta: {
      inputs: paths, semantics: opts.semantics ?? 'ovn-kubernetes', version: opts.version ?? 'unknown',
      ...(opts.timestamp ? { timestamp: opts.timestamp } : {}), warnings,
    },
  });
  return { text, warnings };
}
