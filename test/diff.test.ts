/**
 * udnc diff on pairs of small manifest sets (test/data/diff/). The expected connectivity changes
 * are written from reading the manifests:
 *
 * base: namespace shop, single pods web (containerPort 8080), api (9000), client (none), default
 * network, no policy. Probed ports are the union of both sides' container and policy ports.
 *
 * - add-policy: NetworkPolicy api-allow-web isolates api for ingress and allows only app=web on
 *   TCP 9000. Probes TCP/8080 and TCP/9000. Lost: client→api on 8080 and 9000, web→api on 8080.
 *   api→api is the pod to itself (loopback, no policy involved): unchanged. Nothing gained.
 * - widen-port: the same policy's port 9000 becomes 9000-9010 (endPort). Probes add TCP/9010
 *   (the range edge). Gained: web→api on 9010. Nothing lost.
 * - add-service: Service shop/api (port 80 → 9000, selects api). Gained: client, web and api
 *   (hairpin) → svc:shop/api on TCP/80; pod-to-pod unchanged.
 * - reformatted: the base objects, reformatted into one file in another order: no change at all.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../src/compile.js';
import { connectivityChanged, diffClusters, formatDiff, type ClusterDiff, type ConnectivityChange } from '../src/diff/index.js';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/command.js';

const DATA = join(import.meta.dirname, 'data', 'diff');
const at = (d: string) => join(DATA, d);

const results = new Map<string, CompileResult>();
async function compiled(dir: string): Promise<CompileResult> {
  let r = results.get(dir);
  if (!r) {
    r = await compile([at(dir)], { until: 'openflow' });
    results.set(dir, r);
  }
  return r;
}

const conn = (d: ClusterDiff) =>
  d.connectivity.changes.map((c: ConnectivityChange) => `${c.change} ${c.network} ${c.src} -> ${c.dst} ${c.protocol}/${c.port}`).sort();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false, readStdin: async () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('diffClusters', () => {
  beforeAll(async () => {
    for (const d of ['base', 'add-policy', 'widen-port-old', 'widen-port-new', 'add-service', 'reformatted']) await compiled(d);
  }, 600_000);

  it('adding a policy: connectivity lost on specific ports, the policy named', async () => {
    const d = diffClusters(await compiled('base'), await compiled('add-policy'));
    expect(conn(d)).toEqual([
      'lost default shop/client -> shop/api TCP/8080',
      'lost default shop/client -> shop/api TCP/9000',
      'lost default shop/web -> shop/api TCP/8080',
    ]);
    for (const c of d.connectivity.changes) {
      expect(c.objects).toContain('NetworkPolicy shop/api-allow-web');
      expect(c.now.join('\n')).toContain('api-allow-web');
    }
    expect(connectivityChanged(d)).toBe(true);
    // the new NB rows, lflows and OpenFlow flows are the policy's, and nothing is removed
    for (const s of [d.nb!, d.lflow!, d.openflow!]) {
      expect(s.added).toBeGreaterThan(0);
      expect(s.removed).toBe(0);
      expect(s.byObject.map((g) => g.object)).toContain('NetworkPolicy shop/api-allow-web');
    }
    expect(d.nb!.byObject.find((g) => g.object === 'NetworkPolicy shop/api-allow-web')!.items.some((i) => i.key.startsWith('ACL:') && i.key.includes('api-allow-web'))).toBe(true);
  });

  it('widening a port: connectivity gained on the new range edge only', async () => {
    const d = diffClusters(await compiled('widen-port-old'), await compiled('widen-port-new'));
    expect(conn(d)).toEqual(['gained default shop/web -> shop/api TCP/9010']);
    expect(d.connectivity.changes[0]!.objects).toContain('NetworkPolicy shop/api-allow-web');
    const nb = d.nb!;
    expect(nb.added + nb.removed + nb.changed).toBeGreaterThan(0);
    expect(nb.byObject.map((g) => g.object)).toContain('NetworkPolicy shop/api-allow-web');
  });

  it('adding a Service: its VIP becomes reachable; load balancer rows and flows added under the Service', async () => {
    const d = diffClusters(await compiled('base'), await compiled('add-service'));
    expect(conn(d)).toEqual([
      'gained default shop/api -> svc:shop/api TCP/80',
      'gained default shop/client -> svc:shop/api TCP/80',
      'gained default shop/web -> svc:shop/api TCP/80',
    ]);
    expect(d.connectivity.added).toEqual(['default: svc:shop/api']);
    const lb = d.nb!.byObject.find((g) => g.object === 'Service shop/api')!;
    expect(lb.items.some((i) => i.key.startsWith('Load_Balancer:') && i.change === 'added')).toBe(true);
    expect(d.lflow!.byObject.map((g) => g.object)).toContain('Service shop/api');
    expect(d.openflow!.added).toBeGreaterThan(0);
  });

  it('reformatting the YAML changes nothing', async () => {
    const d = diffClusters(await compiled('base'), await compiled('reformatted'));
    expect(d.connectivity.changes).toEqual([]);
    for (const s of [d.nb!, d.lflow!, d.openflow!]) expect([s.added, s.removed, s.changed, s.byObject.length]).toEqual([0, 0, 0, 0]);
    expect(connectivityChanged(d)).toBe(false);
  });

  it('formats: txt, md (collapsible), json', async () => {
    const d = diffClusters(await compiled('base'), await compiled('add-policy'));
    const txt = formatDiff(d, 'txt');
    expect(txt).toContain('connectivity: 0 gained, 3 lost');
    expect(txt).toContain('- lost: from shop/client on TCP/8080, TCP/9000');
    const md = formatDiff(d, 'md', { limit: 2 });
    expect(md).toContain('<details>');
    expect(md).toContain('<summary>NetworkPolicy shop/api-allow-web: +');
    expect(md).toMatch(/… and \d+ more/);
    const json = JSON.parse(formatDiff(d, 'json')) as ClusterDiff;
    expect(json.connectivity.lost).toBe(3);
  });
});

describe('udnc diff (CLI)', () => {
  it('exit 1 when connectivity changed; comma lists as inputs', async () => {
    const r = await run(['diff', at('base'), `${at('add-policy/shop.yaml')},${at('add-policy/policy.yaml')}`, '--until', 'nb']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('3 lost');
    expect(r.out).toContain('logical flows (not computed)');
  }, 300_000);
  it('exit 0 for a no-op change (--old/--new form)', async () => {
    const r = await run(['diff', '--old', at('base'), '--new', at('reformatted'), '-o', 'md', '--until', 'lflow']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('**Connectivity**: 0 gained, 0 lost');
  }, 300_000);
  it('exit 2 on bad input', async () => {
    expect((await run(['diff', at('base')])).code).toBe(2);
    expect((await run(['diff', at('base'), at('does-not-exist')])).code).toBe(2);
    expect((await run(['diff', at('base'), at('base'), '-o', 'xml'])).code).toBe(2);
  }, 300_000);
});
