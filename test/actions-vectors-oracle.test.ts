/**
 * The inputs of all 486 upstream parse-actions vectors, run through the real ovn-controller 25.03
 * (not test-ovn): each becomes a hand-inserted Logical_Flow (northd paused) in a switch's ingress
 * table 10 (test-ovn's setting), a router's ingress table 10 and a switch's egress table 5.
 * For every input, udnc in controllerContext() must
 *  - encode exactly what ovn-controller installed (group/meter ids renumbered), or
 *  - reject it with the error ovn-trace reports for it.
 * Inputs that parse but install no flow (contradictory prerequisites such as ip4 && ip6, learn()
 * without the matching flow prerequisites) are listed and must stay that set.
 *
 * Needs root and the trixie chroot (skipped with a message otherwise, failed with
 * UDNC_REQUIRE_OVN=1).  With UDNC_ACTIONS_RECORD=1 the results are written to
 * test/data/actions/v25.03.0/vectors-controller-recorded.json for test/actions-recorded.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeRealOvn } from './oracle/vitest.js';
import type { OvnSandbox } from './oracle/ovn.js';
import { ActionError, controllerContext, encodeActions, ExtendTable } from '../src/expr/actions/index.js';

/**
 * learn() actions need the flow's own match to satisfy their source fields' prerequisites, or OVS
 * rejects the flow-mod (OFPBAC_MATCH_INCONSISTENT); those inputs are compared, with proper
 * matches, in test/actions-oracle.test.ts instead.
 */
const NEEDS_MATCH = /^commit_(lb_aff|ecmp_nh)\(/;

const INPUTS = [...new Set(readFileSync(new URL('./data/actions/v25.03.0/parse-actions.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map((l) => (JSON.parse(l) as { input: string }).input))].filter((a) => !NEEDS_MATCH.test(a));

/** Lflows per SB transaction (each followed by a sync), so one rejected flow-mod stays local. */
const CHUNK = 40;

const MARK_BASE = 0x7d000000;

function renumber(s: string): string {
  const maps: Record<string, Map<string, number>> = { group: new Map(), meter: new Map(), meter_id: new Map() };
  return s.replace(/\b(group|meter|meter_id)([:=])(\d+)/g, (_m, k: string, sep: string, id: string) => {
    const map = maps[k]!;
    if (!map.has(id)) map.set(id, map.size + 1);
    return `${k}${sep}${map.get(id)}`;
  });
}

interface Config { name: string; kind: 'switch' | 'router'; pipeline: 'ingress' | 'egress'; table: number }

/** Where the inputs run: a switch's ingress (like test-ovn), a router's ingress, a switch's egress. */
const CONFIGS: Config[] = [
  { name: 'switch ingress', kind: 'switch', pipeline: 'ingress', table: 10 },
  { name: 'router ingress', kind: 'router', pipeline: 'ingress', table: 10 },
  { name: 'switch egress', kind: 'switch', pipeline: 'egress', table: 5 },
];

interface Dp { uuid: string; key: number; ports: Record<string, number> }

interface SbList { headings: string[]; data: unknown[][] }
const list = async (sb: OvnSandbox, table: string): Promise<Record<string, unknown>[]> => {
  const j = JSON.parse(await sb.sbctl('--format=json', 'list', table)) as SbList;
  return j.data.map((r) => Object.fromEntries(j.headings.map((h, i) => [h, r[i]])));
};
const uuidOf = (v: unknown): string => (v as [string, string])[1];

describeRealOvn('parse-actions vector inputs vs ovn-controller 25.03', (sandbox) => {
  /** Per config: installed actions by input index, lflow UUIDs. */
  const flows = CONFIGS.map(() => new Map<number, string>());
  const uuids: string[][] = CONFIGS.map(() => []);
  const errors = new Map<string, string>();
  const dps = {} as Record<'switch' | 'router', Dp>;
  const mark = (c: number, i: number): number => MARK_BASE + c * 0x10000 + i;

  beforeAll(async () => {
    const sb = sandbox();
    for (const cmd of [
      ['ls-add', 'sw0'], ['lsp-add', 'sw0', 'p1'], ['lr-add', 'r0'], ['lrp-add', 'r0', 'r0-sw0', '00:00:00:00:ff:01', '10.0.0.254/24'],
      ['lsp-add', 'sw0', 'sw0-r0'], ['lsp-set-type', 'sw0-r0', 'router'], ['lsp-set-addresses', 'sw0-r0', 'router'],
      ['lsp-set-options', 'sw0-r0', 'router-port=r0-sw0'],
    ]) await sb.nbctl(...cmd);
    await sb.addVif('vif1', 'p1');
    await sb.sync();
    const kindOf = new Map<string, 'switch' | 'router'>();
    for (const d of await list(sb, 'Datapath_Binding')) {
      const kind = new Map((d['external_ids'] as [string, [string, string][]])[1]).get('name') === 'r0' ? 'router' : 'switch';
      kindOf.set(uuidOf(d['_uuid']), kind);
      dps[kind] = { uuid: uuidOf(d['_uuid']), key: d['tunnel_key'] as number, ports: {} };
    }
    for (const p of await list(sb, 'Port_Binding')) dps[kindOf.get(uuidOf(p['datapath']))!].ports[p['logical_port'] as string] = p['tunnel_key'] as number;
    for (const g of await list(sb, 'Multicast_Group')) dps[kindOf.get(uuidOf(g['datapath']))!].ports[g['name'] as string] = g['tunnel_key'] as number;

    await sb.pauseNorthd();
    for (const [c, cfg] of CONFIGS.entries()) {
      for (let start = 0; start < INPUTS.length; start += CHUNK) {
        const result = await sb.sbTransact(INPUTS.slice(start, start + CHUNK).map((actions, j) => ({
          op: 'insert',
          table: 'Logical_Flow',
          row: {
            logical_datapath: ['uuid', dps[cfg.kind].uuid], pipeline: cfg.pipeline, table_id: cfg.table, priority: 100,
            match: `pkt.mark == ${mark(c, start + j)}`, actions, external_ids: ['map', [['stage-name', 'udnc_vectors']]],
          },
        })));
        result.forEach((r) => uuids[c]!.push(uuidOf((r as { uuid: unknown }).uuid)));
        await sb.sync();
      }
    }
    for (const l of await sb.dumpFlows('br-int')) {
      const m = /pkt_mark=(0x[0-9a-f]+)/.exec(l);
      if (!m) continue;
      const v = parseInt(m[1]!, 16) - MARK_BASE;
      const c = Math.floor(v / 0x10000);
      const i = v % 0x10000;
      if (v >= 0 && c < CONFIGS.length && i < INPUTS.length) flows[c]!.set(i, l.slice(l.indexOf(' actions=') + ' actions='.length));
    }
    // ovn-trace parses every lflow (30 logical tables, the real symbol table) and names failures.
    const out = await sb.exec('sh', ['-c', `ovn-trace --db=unix:${sb.dir}/sb.sock sw0 'inport == "p1"' 2>&1 >/dev/null`]);
    for (const line of out.split('\n')) {
      const m = /\|ovntrace\|WARN\|(.*): parsing actions failed \((.*)\)$/s.exec(line);
      if (m) errors.set(m[1]!, m[2]!);
    }
    if (process.env.UDNC_ACTIONS_RECORD === '1') {
      const record = {
        source: `${sb.versions.controller} / ${sb.versions.vswitchd} (test/actions-vectors-oracle.test.ts)`,
        datapaths: dps,
        configs: CONFIGS.map((cfg, c) => ({
          ...cfg,
          cases: INPUTS.map((input, i) => ({ input, lflowUuid: uuids[c]![i], ofpacts: flows[c]!.get(i) ?? null, error: errors.get(input) ?? null })),
        })),
      };
      writeFileSync(new URL('./data/actions/v25.03.0/vectors-controller-recorded.json', import.meta.url), JSON.stringify(record) + '\n');
    }
  }, 600_000);

  for (const [c, cfg] of CONFIGS.entries()) {
    it(`encodes or rejects every input like the real OVN (${cfg.name})`, () => {
      const groups = new ExtendTable();
      const meters = new ExtendTable();
      const mismatches: string[] = [];
      const noFlow: string[] = [];
      let installed = 0;
      const dp = dps[cfg.kind];
      INPUTS.forEach((input, i) => {
        let ours: string | null = null;
        let ourError: string | null = null;
        try {
          ours = encodeActions(input, controllerContext({
            pipeline: cfg.pipeline, table: cfg.table, isSwitch: cfg.kind === 'switch', ports: dp.ports,
            lflowUuid: uuids[c]![i]!, dpKey: dp.key, groups, meters,
          })).ofpacts;
        } catch (e) {
          if (!(e instanceof ActionError)) throw e;
          ourError = e.message;
        }
        const theirs = flows[c]!.get(i);
        const theirError = errors.get(input) ?? null;
        if (ourError !== theirError) {
          mismatches.push(`${input}\n  ovn-trace error: ${theirError}\n  udnc error:      ${ourError}`);
        } else if (theirs !== undefined) {
          installed++;
          if (ours === null || renumber(ours) !== renumber(theirs)) mismatches.push(`${input}\n  ovn-controller: ${theirs}\n  udnc:           ${ours}`);
        } else if (ours !== null) {
          noFlow.push(input);
        }
      });
      console.log(`vector inputs in ovn-controller, ${cfg.name}: ${INPUTS.length} inputs, ${installed} installed and compared, ` +
        `${INPUTS.filter((a) => errors.has(a)).length} rejected, ${noFlow.length} parsed but installed no flow, ${mismatches.length} mismatches`);
      if (mismatches.length) console.log(mismatches.join('\n'));
      expect(mismatches).toEqual([]);
      // ip4 && ip6 prerequisites: the match is always false.
      expect(noFlow).toEqual(['ip4.src = ip6.src[0..31];', 'ip4.src <-> ip6.src[0..31];']);
    });
  }
});
