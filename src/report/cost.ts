/** Per-policy cost for the report: ACLs, logical flows, OpenFlow flows (from src/cost, by provenance). */
import type { CompileResult } from '../compile.js';
import { computeCost } from '../cost/index.js';
import { formatSource } from '../common/source.js';

export interface PolicyCostRow {
  kind: string;
  name: string;
  source: string;
  acls: number;
  lflows: number;
  openflow: number;
  /** how many of the counts are shared with other objects (acls, lflows, openflow) */
  shared: { acls: number; lflows: number; openflow: number };
  rules: Array<{ rule: string; acls: number; lflows: number; openflow: number }>;
}

export interface PolicyCost {
  rows: PolicyCostRow[];
  totals: { acls: number; lflows: number; openflow: number };
  /** pipeline stages not computed (their columns are 0) */
  missingStages: string[];
}

const POLICY_ORDER: Record<string, number> = { AdminNetworkPolicy: 0, NetworkPolicy: 1, BaselineAdminNetworkPolicy: 2 };

export function policyCost(result: CompileResult): PolicyCost {
  const r = computeCost(result);
  const rows = r.objects
    .filter((o) => o.category === 'policy')
    .map((o): PolicyCostRow => ({
      kind: o.object.kind,
      name: `${o.object.namespace ? `${o.object.namespace}/` : ''}${o.object.name}`,
      source: formatSource(o.object.source),
      acls: o.counts.acls,
      lflows: o.counts.lflows,
      openflow: o.counts.openflow,
      shared: { acls: o.shared.acls, lflows: o.shared.lflows, openflow: o.shared.openflow },
      rules: o.rules.map((x) => ({ rule: x.rule, acls: x.counts.acls, lflows: x.counts.lflows, openflow: x.counts.openflow })),
    }))
    .sort((a, b) => (POLICY_ORDER[a.kind] ?? 9) - (POLICY_ORDER[b.kind] ?? 9) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    rows,
    totals: { acls: r.totals.acls, lflows: r.totals.lflows, openflow: r.totals.openflow },
    missingStages: r.missingStages,
  };
}
