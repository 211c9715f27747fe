/**
 * The real ovn-controller 25.03 as judge of src/openflow: for every fixture, udnc's NB (single-chassis
 * view: requested-chassis dropped, every gateway router on chassis hv1) is loaded into the real OVN
 * sandbox, every VIF bound as a dummy port with udnc's ofports, and `ovs-ofctl dump-flows br-int`
 * compared with udnc's flows. udnc is given the real SB UUIDs (Logical_Flow, Datapath_Binding,
 * Port_Binding, Multicast_Group) and the real ct-zone assignments, so cookies, conjunction ids
 * (same hash_2words as lflow-conj-ids.c), zones and multicast member order are compared literally;
 * only group ids are mapped (by their backends).
 * Skips without root / chroot; fails under UDNC_REQUIRE_OVN=1.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadManifests } from '../src/manifests/index.js';
import { buildModel } from '../src/model/index.js';
import { formatTransact, lowerToNorthbound, type NorthboundDB } from '../src/northbound/index.js';
import { computeLogicalFlows, parseNbctlScript } from '../src/lflow/index.js';
import { shellWords } from '../src/lflow/nbctl.js';
import { compileOpenFlow, formatDumpLine, formatAddFlows, formatGroups, lflowKey } from '../src/openflow/index.js';
import type { OpenFlowResult } from '../src/openflow/types.js';
import { DEFAULT_NB_GLOBAL_OPTIONS, type OvnSandbox } from './oracle/ovn.js';
import { describeRealOvn } from './oracle/vitest.js';
import { singleChassisView as singleChassis } from './oracle/single-chassis.js';
import { nodeView, remoteBindings } from './oracle/node-view.js';

const FIXTURES_DIR = join(import.meta.dirname, '../fixtures');
const SCENARIOS_DIR = join(import.meta.dirname, 'data/openflow/scenarios');
const SCENARIOS = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.nbctl')).sort();
const FIXTURES = readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

type Cell = unknown;
async function sbList(sb: OvnSandbox, table: string, columns: string[]): Promise<Record<string, Cell>[]> {
  const out = JSON.parse(await sb.sbctl('--format=json', `--columns=${columns.join(',')}`, 'list', table)) as { headings: string[]; data: Cell[][] };
  return out.data.map((row) => Object.fromEntries(out.headings.map((h, i) => [h, row[i]])));
}
const atom = (c: Cell): string => (Array.isArray(c) && c[0] === 'uuid' ? String(c[1]) : Array.isArray(c) && c[0] === 'set' && (c[1] as Cell[]).length === 0 ? '' : String(c));
const setOf = (c: Cell): string[] => (Array.isArray(c) && c[0] === 'set' ? (c[1] as Cell[]).map(atom) : [atom(c)].filter((x) => x));
const mapOf = (c: Cell): Record<string, string> => (Array.isArray(c) && c[0] === 'map' ? Object.fromEntries(c[1] as [string, string][]) : {});


function groupKeys(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const id = /group_id=(\d+)/.exec(l)?.[1];
    if (id) m.set(id, [...l.matchAll(/nat\(dst=[^)]*\)/g)].map((x) => x[0]).sort().join('+') + '|' + (/zone=([^,)]*)/.exec(l)?.[1] ?? ''));
  }
  return m;
}

const normalize = (lines: string[], groups: Map<string, string>): string[] =>
  lines.map((l) => l.trim().replace(/group:(\d+)/g, (_, id: string) => `group:{${groups.get(id) ?? id}}`)).sort();


/** One comparison: load the NB, bind, dump, compare. `node`: that node's view, else the single-chassis view. */
/** A fixture's NB in the given view, and how to load it into the real NB. */
async function fixtureNb(dir: string, node: string | undefined): Promise<{ nb: NorthboundDB; load: (sb: OvnSandbox) => Promise<void> }> {
  const lowered = lowerToNorthbound(buildModel(await loadManifests([join(FIXTURES_DIR, dir)])));
  const nb = node === undefined ? singleChassis(lowered) : nodeView(lowered);
  return {
    nb,
    load: async (sb) => {
      const ops = (JSON.parse(formatTransact(nb)) as Array<{ op?: string; table?: string; row?: unknown }>).map((op) =>
        op && op.table === 'NB_Global' && op.op === 'insert' ? { op: 'update', table: 'NB_Global', where: [], row: op.row } : op);
      await sb.nbTransact(ops);
    },
  };
}

/** An nbctl scenario (test/data/openflow/scenarios): udnc reads it with parseNbctlScript, the real NB runs it. */
function scenarioNb(file: string): { nb: NorthboundDB; load: (sb: OvnSandbox) => Promise<void> } {
  const script = readFileSync(join(SCENARIOS_DIR, file), 'utf8');
  return {
    nb: parseNbctlScript(script, DEFAULT_NB_GLOBAL_OPTIONS),
    load: async (sb) => {
      for (const raw of script.split('\n')) {
        const line = raw.trim();
        if (line && !line.startsWith('#')) await sb.nbctl(...shellWords(line));
      }
    },
  };
}

async function compareView(
  sb: OvnSandbox, dir: string, node: string | undefined, bound: string[],
  source: { nb: NorthboundDB; load: (sb: OvnSandbox) => Promise<void> },
  allowLflowGap = false,
): Promise<string> {
  for (const t of ['Logical_Switch', 'Logical_Router', 'Load_Balancer', 'Load_Balancer_Group', 'Address_Set', 'Port_Group', 'ACL', 'Meter']) {
    await sb.nbctl('--all', 'destroy', t);
  }
  for (const v of bound.splice(0)) await sb.vsctl('--if-exists', 'del-port', 'br-int', v);
  const { nb } = source;
  await source.load(sb);
  await sb.nbctl('--wait=sb', 'sync');
  const first = compileOpenFlow(computeLogicalFlows(nb), { nb, ...(node !== undefined ? { node } : {}) });
  const vifOf: Record<string, number> = {};
  for (const p of first.ports) {
    if (p.kind !== 'vif') continue;
    const name = `vif${p.ofport}`;
    vifOf[p.ifaceId!] = await sb.addVif(name, p.ifaceId!, { ofport: p.ofport });
    bound.push(name);
  }
  const tunnelOfports: Record<string, number> = {};
  if (node !== undefined) {
    // the other nodes as chassis with a geneve encap, and what they would bind
    const others = remoteBindings(nb, node);
    let ip = 2;
    for (const ch of [...others.keys()].sort()) {
      await sb.sbctl('--may-exist', 'chassis-add', ch, 'geneve', `127.0.0.${ip++}`);
    }
    await sb.nbctl('--wait=hv', 'sync');
    for (const [ch, lps] of others) for (const lp of lps) await sb.sbctl('lsp-bind', lp, ch);
    const ifaces = JSON.parse(await sb.vsctl('--format=json', '--columns=name,ofport,options', 'list', 'Interface')) as { data: Cell[][] };
    const ipToCh = new Map([...others.keys()].sort().map((c, i) => [`127.0.0.${i + 2}`, c]));
    for (const row of ifaces.data) {
      const ch = ipToCh.get(mapOf(row[2])['remote_ip'] ?? '');
      if (ch) tunnelOfports[ch] = Number(row[1]);
    }
  }
  await sb.nbctl('--wait=hv', 'sync');

  // the real SB identities and zones
  const dps = await sbList(sb, 'Datapath_Binding', ['_uuid', 'external_ids', 'tunnel_key']);
  const dpName = new Map(dps.map((d) => [atom(d['_uuid']), mapOf(d['external_ids'])['name'] ?? '']));
  const pbs = await sbList(sb, 'Port_Binding', ['_uuid', 'logical_port', 'tunnel_key']);
  // tunnel keys as the real northd chose them (creation order), then udnc's lflows with those keys
  const lf = computeLogicalFlows(nb, {
    datapathKeys: Object.fromEntries(dps.map((d) => [mapOf(d['external_ids'])['name'] ?? '', Number(d['tunnel_key'])])),
    portKeys: Object.fromEntries(pbs.map((p) => [String(p['logical_port']), Number(p['tunnel_key'])])),
  });
  const mcs = await sbList(sb, 'Multicast_Group', ['_uuid', 'datapath', 'name']);
  const sbLbs = await sbList(sb, 'Load_Balancer', ['_uuid', 'name']);
  const groupsDp = new Map((await sbList(sb, 'Logical_DP_Group', ['_uuid', 'datapaths'])).map((g) => [atom(g['_uuid']), setOf(g['datapaths'])]));
  const lfl = await sbList(sb, 'Logical_Flow', ['_uuid', 'logical_datapath', 'logical_dp_group', 'pipeline', 'table_id', 'priority', 'match', 'actions']);
  const lflowUuid = new Map<string, string>();
  for (const f of lfl) {
    const dpl = atom(f['logical_datapath']) ? [atom(f['logical_datapath'])] : groupsDp.get(atom(f['logical_dp_group'])) ?? [];
    for (const d of dpl) lflowUuid.set(`${dpName.get(d)}|${String(f['pipeline'])}|${String(f['table_id'])}|${String(f['priority'])}|${String(f['match'])}|${String(f['actions'])}`, atom(f['_uuid']));
  }
  const zones = { ports: {} as Record<string, number>, dnat: {} as Record<string, number>, snat: {} as Record<string, number> };
  for (const line of (await sb.appctl('controller', 'ct-zone-list')).split('\n')) {
    const [name, z] = line.trim().split(/\s+/);
    if (!name || z === undefined) continue;
    // datapath zones are keyed `<dp name or uuid>_dnat|_snat`
    const m = /^(.*)_(dnat|snat)$/.exec(name);
    const dp = m ? (dpName.get(m[1]!) ?? m[1]!) : undefined;
    if (m && dp !== undefined && [...dpName.values()].includes(dp)) zones[m[2] as 'dnat' | 'snat'][dp] = Number(z);
    else zones.ports[name] = Number(z);
  }
  const ours: OpenFlowResult = compileOpenFlow(lf, {
    nb, ofports: vifOf, zones, tunnelOfports, ...(node !== undefined ? { node } : {}),
    uuids: {
      lflow: (k) => lflowUuid.get(k),
      datapath: Object.fromEntries([...dpName].map(([u, n]) => [n, u])),
      portBinding: Object.fromEntries(pbs.map((p) => [String(p['logical_port']), atom(p['_uuid'])])),
      loadBalancer: Object.fromEntries(sbLbs.map((l) => [String(l['name']), atom(l['_uuid'])])),
      mcGroup: Object.fromEntries(mcs.map((m) => [`${dpName.get(atom(m['datapath']))}|${String(m['name'])}`, atom(m['_uuid'])])),
    },
  });
  const missingUuid = lf.flows.filter((f) => ours.localDatapaths.includes(f.datapath) && !lflowUuid.has(lflowKey(f))).length;
  // real lflows (on datapaths local here) that udnc's lflow stage does not produce: their flows are
  // an lflow-stage gap, reported apart from the openflow stage's own differences
  const udncKeys = new Set(lf.flows.map(lflowKey));
  const gapCookies = new Set<string>();
  for (const [k, u] of lflowUuid) if (ours.localDatapaths.includes(k.slice(0, k.indexOf('|'))) && !udncKeys.has(k)) gapCookies.add(`cookie=0x${parseInt(u.slice(0, 8), 16).toString(16)},`);

  const realFlows = await sb.dumpFlows('br-int');
  if (process.env['UDNC_OPENFLOW_DUMP']) writeFileSync(join(process.env['UDNC_OPENFLOW_DUMP'], `${dir}${node ? '.' + node : ''}.real.txt`), realFlows.join('\n') + '\n');
  const realGroups = await sb.dumpGroups('br-int');
  const real = normalize(realFlows, groupKeys(realGroups));
  // where several lflows give the same table/priority/match with different actions, the real
  // controller installs one of them (SB hash order): accept any of udnc's candidates
  const realSet = new Set(realFlows.map((l) => l.trim()));
  let ambiguous = 0;
  const chosen = ours.flows.map((f) => {
    if (!f.shadowed?.length) return f;
    ambiguous++;
    const alts = [f, ...f.shadowed.map((s) => ({ ...f, cookie: s.cookie, actions: s.actions }))];
    return alts.find((a) => realSet.has(formatDumpLine(a).trim())) ?? f;
  });
  const mine = normalize(chosen.map(formatDumpLine), groupKeys(ours.groups.map((g) => g.text)));
  const count = (a: string[]) => { const m = new Map<string, number>(); for (const x of a) m.set(x, (m.get(x) ?? 0) + 1); return m; };
  const A = count(mine);
  const B = count(real);
  const missing: string[] = [];
  const extra: string[] = [];
  const lflowGap: string[] = [];
  for (const [k, v] of B) for (let i = (A.get(k) ?? 0); i < v; i++) (gapCookies.has(k.slice(0, k.indexOf(' '))) ? lflowGap : missing).push(k);
  for (const [k, v] of A) for (let i = (B.get(k) ?? 0); i < v; i++) extra.push(k);
  const line = `openflow oracle ${dir}${node !== undefined ? ` (node ${node})` : ''}: real ${real.length} flows, udnc ${mine.length}, missing ${missing.length}, extra ${extra.length}, lflows without real uuid ${missingUuid}, errors ${ours.errors.length}, same-match flows of several lflows ${ambiguous}, flows of real lflows udnc's lflow stage lacks ${lflowGap.length}`;
  console.log(line);
  if (missing.length + extra.length) {
    console.log([...missing.slice(0, 40).map((l) => `- ${l}`), ...extra.slice(0, 40).map((l) => `+ ${l}`)].join('\n'));
  }
  // the text udnc emits loads into a real ovs-vswitchd bridge
  await sb.ofctl('-O', 'OpenFlow15', 'del-flows', 'br-test');
  if (ours.tlvMap.length) {
    // the mapping udnc declares is the one the real controller put on br-int
    expect((await sb.ofctl('dump-tlv-map', 'br-int')).replace(/\s+/g, ' ')).toContain('0x102 0x80 4 tun_metadata0');
    await sb.ofctl('del-tlv-map', 'br-test');
    await sb.ofctl('add-tlv-map', 'br-test', ours.tlvMap.join(','));
  }
  if (ours.groups.length) await sb.addGroups('br-test', formatGroups(ours));
  await sb.addFlows('br-test', formatAddFlows(ours));
  const loaded = await sb.dumpFlows('br-test');
  expect(loaded.length).toBe(ours.flows.length);
  await sb.ofctl('-O', 'OpenFlow15', 'del-flows', 'br-test');
  await sb.ofctl('-O', 'OpenFlow15', 'del-groups', 'br-test');
  if (lflowGap.length) console.log(`lflow-stage gap (${lflowGap.length} flows), e.g.:\n${lflowGap.slice(0, 5).map((l) => `  ${l.slice(0, 200)}`).join('\n')}`);
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  if (!allowLflowGap) expect(lflowGap).toEqual([]);
  return line;
}

/** Fixtures with more than one node, and their nodes. */
async function multiNode(): Promise<Array<[string, string]>> {
  const views: Array<[string, string]> = [];
  for (const dir of FIXTURES) {
    const nb = lowerToNorthbound(buildModel(await loadManifests([join(FIXTURES_DIR, dir)])));
    const nodes = [...new Set(nb.logicalSwitchPorts.map((p) => p.options['requested-chassis']).filter((x): x is string => !!x))].sort();
    if (nodes.length > 1) for (const n of nodes) views.push([dir, n]);
  }
  return views;
}

describeRealOvn('openflow: udnc vs real ovn-controller 25.03 (fixtures)', (sandbox) => {
  const bound: string[] = [];
  for (const dir of FIXTURES) {
    it(`fixture ${dir}`, async () => {
      await compareView(sandbox(), dir, undefined, bound, await fixtureNb(dir, undefined));
    }, 300_000);
  }
  for (const file of SCENARIOS) {
    it(`scenario ${file}`, async () => {
      // scenarios target the openflow stage: NB features the lflow stage lacks are reported, not failed
      await compareView(sandbox(), file, undefined, bound, scenarioNb(file), true);
    }, 300_000);
  }
});

// node views need a sandbox whose chassis is that node
const NODE_VIEWS: Array<[string, string]> = [['05-default-network-openshift', 'worker-0'], ['05-default-network-openshift', 'worker-1']];
for (const [dir, node] of NODE_VIEWS) {
  describeRealOvn(`openflow: node view ${node} of ${dir} vs real ovn-controller 25.03`, (sandbox) => {
    it(`fixture ${dir}, node ${node}`, async () => {
      expect((await multiNode()).map((v) => v.join('/'))).toContain(`${dir}/${node}`);
      await compareView(sandbox(), dir, node, [], await fixtureNb(dir, node));
    }, 300_000);
  }, { systemId: node });
}
