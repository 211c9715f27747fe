/**
 * The exact text of `ovn-sbctl lflow-list` (OVN 25.03 utilities/ovn-sbctl.c):
 *
 *   Datapath: "<name>" (<datapath uuid>)  Pipeline: <ingress|egress>
 *     table=%-2d(%-19s), priority=%-5d, match=(%s), action=(%s)
 *
 * Blocks are ordered by datapath name, then datapath UUID, ingress before egress; flows by table,
 * priority descending, then byte order of match and of actions.
 */
import type { Lflow, LflowResult } from './types.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareLflows(a: Lflow, b: Lflow, uuidOf: (dp: string) => string = () => ''): number {
  return (
    cmp(a.datapath, b.datapath) ||
    cmp(uuidOf(a.datapath), uuidOf(b.datapath)) ||
    (a.pipeline === b.pipeline ? 0 : a.pipeline === 'ingress' ? -1 : 1) ||
    a.table - b.table ||
    b.priority - a.priority ||
    cmp(a.match, b.match) ||
    cmp(a.actions, b.actions)
  );
}

export function formatLflowLine(f: Pick<Lflow, 'table' | 'stage' | 'priority' | 'match' | 'actions'>): string {
  return `  table=${String(f.table).padEnd(2)}(${f.stage.padEnd(19)}), priority=${String(f.priority).padEnd(5)}, match=(${f.match}), action=(${f.actions})`;
}

/** The lflow-list text, newline-terminated (empty string for no flows). */
export function formatLflowList(result: Pick<LflowResult, 'flows' | 'southbound'>): string {
  const uuids = new Map(result.southbound.datapaths.map((d) => [d.name, d.uuid]));
  const uuidOf = (dp: string) => uuids.get(dp) ?? '00000000-0000-0000-0000-000000000000';
  const flows = [...result.flows].sort((a, b) => compareLflows(a, b, uuidOf));
  const out: string[] = [];
  let header = '';
  for (const f of flows) {
    const h = `Datapath: "${f.datapath}" (${uuidOf(f.datapath)})  Pipeline: ${f.pipeline}`;
    if (h !== header) {
      out.push(h);
      header = h;
    }
    out.push(formatLflowLine(f));
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
