/**
 * Differential test of src/lflow against the real ovn-northd 25.03: every scenario in
 * test/data/lflow/scenarios/*.nbctl is loaded into a real NB (test/oracle/ovn.ts) and into udnc,
 * and the lflow sets (datapath, pipeline, table, stage, priority, match, action) and the SB
 * Address_Set / Port_Group / Multicast_Group rows must be equal.
 *
 * Needs root and the trixie chroot; skipped with a message otherwise, failed when
 * UDNC_REQUIRE_OVN=1. With UDNC_LFLOW_RECORD=1 the real outputs are also written to
 * test/data/lflow/recorded/ so that test/lflow.test.ts can check them without root.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLogicalFlows, formatLflowLine, lflowSet, parseNbctlScript, southboundSummary } from '../src/lflow/index.js';
import { loadManifests } from '../src/manifests/index.js';
import { buildModel } from '../src/model/index.js';
import { type NorthboundDB, formatTransact, lowerToNorthbound } from '../src/northbound/index.js';
import type { SouthboundSummary } from '../src/lflow/compare.js';
import { shellWords } from '../src/lflow/nbctl.js';
import { DEFAULT_NB_GLOBAL_OPTIONS, type OvnSandbox, REAL_OVN_PREFIX, ovnAvailable, startOvn } from './oracle/ovn.js';

const DATA = join(import.meta.dirname, 'data/lflow');
const SCENARIOS = readdirSync(join(DATA, 'scenarios')).filter((f) => f.endsWith('.nbctl')).sort();
const FIXTURES_DIR = join(import.meta.dirname, '../fixtures');
const MANIFESTS_DIR = join(DATA, 'manifests');
/** Manifest folders lowered by src/northbound then compared: the repo fixtures and lflow's own. */
const FIXTURES = [
  ...readdirSync(FIXTURES_DIR).filter((f) => /^\d\d-/.test(f)).sort().map((f) => ({ name: f, dir: join(FIXTURES_DIR, f) })),
  ...readdirSync(MANIFESTS_DIR).sort().map((f) => ({ name: `lflow-${f}`, dir: join(MANIFESTS_DIR, f) })),
];
const avail = ovnAvailable();
if (!avail.ok) {
  if (process.env.UDNC_REQUIRE_OVN === '1') throw new Error(`UDNC_REQUIRE_OVN=1 but real OVN is unavailable: ${avail.why}`);
  console.warn(`lflow differential skipped: ${avail.why}`);
}

/** lflow-list text → one canonical line per flow: `datapath|pipeline|<lflow-list line>`. */
interface SbJson { headings: string[]; data: unknown[][] }
function rows(json: string): Array<Record<string, unknown>> {
  const j = JSON.parse(json) as SbJson;
  return j.data.map((r) => Object.fromEntries(j.headings.map((h, i) => [h, r[i]])));
}
const setOf = (v: unknown): unknown[] => (Array.isArray(v) && v[0] === 'set' ? (v[1] as unknown[]) : [v]);
const uuidOf = (v: unknown): string => (v as [string, string])[1];

async function realSouthbound(sb: OvnSandbox): Promise<SouthboundSummary> {
  const dps = rows(await sb.sbctl('--format=json', 'list', 'Datapath_Binding'));
  const dpName = new Map<string, string>();
  const keyName = new Map<number, string>();
  for (const d of dps) {
    const ext = new Map((d['external_ids'] as [string, [string, string][]])[1]);
    dpName.set(uuidOf(d['_uuid']), ext.get('name')!);
    keyName.set(d['tunnel_key'] as number, ext.get('name')!);
  }
  const pbs = rows(await sb.sbctl('--format=json', 'list', 'Port_Binding'));
  const mapOf = (v: unknown): Record<string, string> => Object.fromEntries((v as [string, [string, string][]])[1]);
  const portBindings = pbs.map((p) => {
    const options = mapOf(p['options']);
    const sorted = Object.keys(options).sort().map((k) => `${k}=${options[k]}`).join(',');
    return `${dpName.get(uuidOf(p['datapath']))}/${p['logical_port'] as string}/${p['type'] as string}/${sorted}/${(setOf(p['mac']) as string[]).join('|')}`;
  }).sort();
  const pbName = new Map(pbs.map((p) => [uuidOf(p['_uuid']), p['logical_port'] as string]));
  const addressSets = rows(await sb.sbctl('--format=json', 'list', 'Address_Set'))
    .map((a) => `${a['name'] as string}=${(setOf(a['addresses']) as string[]).slice().sort().join(',')}`).sort();
  const portGroups = rows(await sb.sbctl('--format=json', 'list', 'Port_Group')).map((g) => {
    const name = g['name'] as string;
    const us = name.indexOf('_');
    return `${keyName.get(Number(name.slice(0, us)))}/${name.slice(us + 1)}=${(setOf(g['ports']) as string[]).slice().sort().join(',')}`;
  }).sort();
  const mcGroups = rows(await sb.sbctl('--format=json', 'list', 'Multicast_Group')).map((g) =>
    `${dpName.get(uuidOf(g['datapath']))}/${g['name'] as string}/${g['tunnel_key'] as number}=${setOf(g['ports']).map((p) => pbName.get(uuidOf(p))).sort().join(',')}`).sort();
  return { addressSets, portGroups, mcGroups, portBindings };
}

describe.skipIf(!avail.ok)(`${REAL_OVN_PREFIX} lflow differential vs real ovn-northd 25.03`, () => {
  let sb: OvnSandbox;
  let compared = 0;
  let databases = 0;
  beforeAll(async () => {
    sb = await startOvn({ controller: false, testBridge: false });
  });
  afterAll(async () => {
    console.log(`lflow differential: ${compared} flows compared over ${databases} NB databases`);
    await sb?.stop();
  });

  async function resetNb(): Promise<void> {
    for (const t of ['Logical_Switch', 'Logical_Router', 'Load_Balancer', 'Load_Balancer_Group', 'Address_Set', 'Port_Group', 'ACL', 'Meter']) {
      await sb.nbctl('--all', 'destroy', t);
    }
  }

  async function compare(name: string, nb: NorthboundDB, load: () => Promise<void>): Promise<void> {
    await resetNb();
    await load();
    await sb.nbctl('--wait=sb', 'sync');
    const realText = await sb.lflowList();
    const real = lflowSet(realText);
    const mine = computeLogicalFlows(nb);
    const ours = lflowSet(mine.flows.map((f) => `Datapath: "${f.datapath}" (0)  Pipeline: ${f.pipeline}\n${formatLflowLine(f)}`).join('\n'));
    const realSb = await realSouthbound(sb);
    if (process.env.UDNC_LFLOW_RECORD === '1') {
      mkdirSync(join(DATA, 'recorded'), { recursive: true });
      writeFileSync(join(DATA, 'recorded', `${name}.lflow.txt`), realText);
      writeFileSync(join(DATA, 'recorded', `${name}.sb.json`), `${JSON.stringify(realSb, null, 1)}\n`);
    }
    const ourSet = new Set(ours);
    const realSet = new Set(real);
    const missing = real.filter((l) => !ourSet.has(l));
    const extra = ours.filter((l) => !realSet.has(l));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(southboundSummary(mine)).toEqual(realSb);
    expect(mine.unsupported).toEqual([]);
    compared += real.length;
    databases += 1;
  }

  for (const { name: dir, dir: path } of FIXTURES) {
    it(`fixture ${dir}`, async () => {
      const lowered = lowerToNorthbound(buildModel(await loadManifests([path])));
      // pin what northd would otherwise draw at random, in both copies
      const nb: NorthboundDB = { ...lowered, nbGlobal: { ...lowered.nbGlobal, options: { ...lowered.nbGlobal.options, ...DEFAULT_NB_GLOBAL_OPTIONS } } };
      await compare(`fixture-${dir}`, nb, async () => {
        // the sandbox already has an NB_Global row: turn its insert into an update
        const ops = (JSON.parse(formatTransact(nb)) as Array<{ op?: string; table?: string; row?: unknown }>).map((op) =>
          op && op.table === 'NB_Global' && op.op === 'insert' ? { op: 'update', table: 'NB_Global', where: [], row: op.row } : op);
        await sb.nbTransact(ops);
      });
    });
  }

  for (const file of SCENARIOS) {
    it(file, async () => {
      const script = readFileSync(join(DATA, 'scenarios', file), 'utf8');
      await compare(file.replace(/\.nbctl$/, ''), parseNbctlScript(script, DEFAULT_NB_GLOBAL_OPTIONS), async () => {
        for (const raw of script.split('\n')) {
          const line = raw.trim();
          if (line === '' || line.startsWith('#')) continue;
          await sb.nbctl(...shellWords(line));
        }
      });
    });
  }
});
