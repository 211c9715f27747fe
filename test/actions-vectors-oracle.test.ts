/**
 * The inputs of all 486 upstream parse-actions vectors, run through the real ovn-controller 25.03
 * (not test-ovn): each becomes a hand-inserted Logical_Flow (switch ingress table 10, northd paused).
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

describeRealOvn('parse-actions vector inputs vs ovn-controller 25.03', (sandbox) => {
  const flows = new Map<number, string>();
  const errors = new Map<string, string>();
  const uuids: string[] = [];
  let ports: Record<string, number> = {};
  let dpKey = 0;

  beforeAll(async () => {
    const sb = sandbox();
    await sb.nbctl('ls-add', 'sw0');
    await sb.nbctl('lsp-add', 'sw0', 'p1');
    await sb.addVif('vif1', 'p1');
    await sb.sync();
    const dp = (JSON.parse(await sb.sbctl('--format=json', 'list', 'Datapath_Binding')) as { headings: string[]; data: unknown[][] });
    const row = Object.fromEntries(dp.headings.map((h, i) => [h, dp.data[0]![i]]));
    const dpUuid = (row['_uuid'] as [string, string])[1];
    dpKey = row['tunnel_key'] as number;
    const pb = JSON.parse(await sb.sbctl('--format=json', 'list', 'Port_Binding')) as { headings: string[]; data: unknown[][] };
    const lp = pb.headings.indexOf('logical_port');
    const tk = pb.headings.indexOf('tunnel_key');
    ports = Object.fromEntries(pb.data.map((r) => [r[lp] as string, r[tk] as number]));
    const mg = JSON.parse(await sb.sbctl('--format=json', 'list', 'Multicast_Group')) as { headings: string[]; data: unknown[][] };
    for (const r of mg.data) ports[r[mg.headings.indexOf('name')] as string] = r[mg.headings.indexOf('tunnel_key')] as number;
    await sb.pauseNorthd();
    for (let start = 0; start < INPUTS.length; start += CHUNK) {
      const result = await sb.sbTransact(INPUTS.slice(start, start + CHUNK).map((actions, j) => ({
        op: 'insert',
        table: 'Logical_Flow',
        row: {
          logical_datapath: ['uuid', dpUuid], pipeline: 'ingress', table_id: 10, priority: 100,
          match: `pkt.mark == ${MARK_BASE + start + j}`, actions, external_ids: ['map', [['stage-name', 'udnc_vectors']]],
        },
      })));
      result.forEach((r) => uuids.push((r as { uuid: [string, string] }).uuid[1]));
      await sb.sync();
    }
    for (const l of await sb.dumpFlows('br-int')) {
      const m = /pkt_mark=(0x[0-9a-f]+)/.exec(l);
      if (!m) continue;
      const i = parseInt(m[1]!, 16) - MARK_BASE;
      if (i >= 0 && i < INPUTS.length) flows.set(i, l.slice(l.indexOf(' actions=') + ' actions='.length));
    }
    const out = await sb.exec('sh', ['-c', `ovn-trace --db=unix:${sb.dir}/sb.sock sw0 'inport == "p1"' 2>&1 >/dev/null`]);
    for (const line of out.split('\n')) {
      const m = /\|ovntrace\|WARN\|(.*): parsing actions failed \((.*)\)$/s.exec(line);
      if (m) errors.set(m[1]!, m[2]!);
    }
    if (process.env.UDNC_ACTIONS_RECORD === '1') {
      const record = {
        source: `${sb.versions.controller} / ${sb.versions.vswitchd} (test/actions-vectors-oracle.test.ts): switch ingress table 10`,
        dpKey,
        ports,
        cases: INPUTS.map((input, i) => ({ input, lflowUuid: uuids[i], ofpacts: flows.get(i) ?? null, error: errors.get(input) ?? null })),
      };
      writeFileSync(new URL('./data/actions/v25.03.0/vectors-controller-recorded.json', import.meta.url), JSON.stringify(record, null, 1) + '\n');
    }
  }, 300_000);

  it('encodes or rejects every input like the real OVN', () => {
    const groups = new ExtendTable();
    const meters = new ExtendTable();
    const mismatches: string[] = [];
    const noFlow: string[] = [];
    let installed = 0;
    INPUTS.forEach((input, i) => {
      let ours: string | null = null;
      let ourError: string | null = null;
      try {
        ours = encodeActions(input, controllerContext({
          pipeline: 'ingress', table: 10, isSwitch: true, ports, lflowUuid: uuids[i]!, dpKey, groups, meters,
        })).ofpacts;
      } catch (e) {
        if (!(e instanceof ActionError)) throw e;
        ourError = e.message;
      }
      const theirs = flows.get(i);
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
    console.log(`vector inputs in ovn-controller: ${INPUTS.length} inputs, ${installed} installed and compared, ` +
      `${errors.size} rejected, ${noFlow.length} parsed but installed no flow, ${mismatches.length} mismatches`);
    if (noFlow.length) console.log('no flow installed for:\n  ' + noFlow.join('\n  '));
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
    // ip4 && ip6 prerequisites: the match is always false.
    expect(noFlow).toEqual(['ip4.src = ip6.src[0..31];', 'ip4.src <-> ip6.src[0..31];']);
  });
});
