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
import type { LflowOptions, LflowResult } from './types.js';

export type { Lflow, LflowOptions, LflowProvenance, LflowResult, SbAddressSet, SbDatapath, SbMulticastGroup, SbPortBinding, SbPortGroup, Southbound } from './types.js';
export { PIPELINE_25_03, REG, PRIO, MC, STAGES_25_03 } from './pipeline-25.03.js';
export type { PipelineLayout, StageDef, StageName } from './pipeline-25.03.js';
export { formatLflowList, formatLflowLine, compareLflows } from './print.js';
export { stableUuid } from './southbound.js';
export { parseNbctlScript } from './nbctl.js';
export { lflowSet, normalizeLine, normalizeMeter, southboundSummary } from './compare.js';
export type { SouthboundSummary } from './compare.js';

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
