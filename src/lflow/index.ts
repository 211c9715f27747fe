/**
 * lflow stage: northbound rows → the logical flows ovn-northd 25.03 computes, plus the southbound
 * rows around them. Pure and deterministic: the result is a function of the NorthboundDB (and the
 * optional key overrides) only.
 */
import type { NorthboundDB } from '../northbound/types.js';
import { buildView } from './model.js';
import { PIPELINE_25_03 } from './pipeline-25.03.js';
import { compareLflows, formatLflowList } from './print.js';
import { buildRouterFlows } from './router.js';
import { FlowSink } from './sink.js';
import { buildSouthbound } from './southbound.js';
import { buildSwitchFlows } from './switch.js';
import type { Lflow, LflowOptions, LflowResult } from './types.js';
import type { NbView } from './model.js';

export type { Lflow, LflowOptions, LflowProvenance, LflowResult, SbAddressSet, SbDatapath, SbMulticastGroup, SbPortBinding, SbPortGroup, Southbound } from './types.js';
export { PIPELINE_25_03, REG, PRIO, MC, STAGES_25_03 } from './pipeline-25.03.js';
export type { PipelineLayout, StageDef, StageName } from './pipeline-25.03.js';
export { formatLflowList, formatLflowLine, compareLflows } from './print.js';
export { stableUuid } from './southbound.js';
export { parseNbctlScript } from './nbctl.js';
export { lflowSet, normalizeLine, normalizeMeter, southboundSummary } from './compare.js';
export type { SouthboundSummary } from './compare.js';
export { buildView, type NbView } from './model.js';
export { buildSouthbound } from './southbound.js';
export { FlowSink, blockFlows, mergeProvenance, type FlowBlock, type FlowText, type SinkMemos } from './sink.js';

export function computeLogicalFlows(nb: NorthboundDB, opts: LflowOptions = {}): LflowResult {
  const layout = PIPELINE_25_03;
  const view = buildView(nb);
  const sink = new FlowSink(layout);
  const unsupported = new Set<string>(view.problems);
  const fairMeters = new Set(nb.meters.filter((m) => m.fair === true).map((m) => m.name));
  for (const ls of view.switches) for (const u of buildSwitchFlows(sink, layout, ls, fairMeters)) unsupported.add(u);
  for (const lr of view.routers) for (const u of buildRouterFlows(sink, lr)) unsupported.add(u);
  const southbound = buildSouthbound(view, opts);
  const uuids = new Map(southbound.datapaths.map((d) => [d.name, d.uuid]));
  const flows = sink.flows().sort((a, b) => compareLflows(a, b, (dp) => uuids.get(dp) ?? ''));
  return { ovnVersion: layout.ovnVersion, flows, southbound, unsupported: [...unsupported].sort() };
}

/**
 * The flows of the named datapaths only (for incremental recomputation, src/incremental), each
 * list sorted as computeLogicalFlows sorts it, with the `unsupported` notes their builders gave.
 * A datapath's flows depend only on its own part of the view (ports, router peers, ACLs, LBs) and
 * the fair meters, so these are exactly the flows computeLogicalFlows(view.db) emits for them.
 */
export function computeDatapathFlows(
  view: NbView, names: ReadonlySet<string>, uuidOf: (dp: string) => string = () => '',
  opts: {
    /** the sink a datapath's flows go to (default: a FlowSink of its own); e.g. one that keeps {@link FlowBlock}s apart */
    sink?: (datapath: string) => FlowSink;
  } = {},
): Map<string, { flows: Lflow[]; unsupported: string[] }> {
  const layout = PIPELINE_25_03;
  const fairMeters = new Set(view.db.meters.filter((m) => m.fair === true).map((m) => m.name));
  const out = new Map<string, { flows: Lflow[]; unsupported: string[] }>();
  const sinks = new Map<string, { sink: FlowSink; unsupported: string[] }>();
  const sinkOf = (name: string) => {
    let s = sinks.get(name);
    if (!s) sinks.set(name, (s = { sink: opts.sink ? opts.sink(name) : new FlowSink(layout), unsupported: [] }));
    return s;
  };
  for (const ls of view.switches) if (names.has(ls.name)) { const s = sinkOf(ls.name); s.unsupported.push(...buildSwitchFlows(s.sink, layout, ls, fairMeters)); }
  for (const lr of view.routers) if (names.has(lr.name)) { const s = sinkOf(lr.name); s.unsupported.push(...buildRouterFlows(s.sink, lr)); }
  for (const [name, s] of sinks) out.set(name, { flows: s.sink.flows().sort((a, b) => compareLflows(a, b, uuidOf)), unsupported: s.unsupported });
  return out;
}
