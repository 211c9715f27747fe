/**
 * Expected counts come from reading /work/shared/reference/ovnk-lowering.md (§1 NetworkPolicy,
 * §2 ANP/BANP) against the fixtures, not from udnc's output.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from '../src/compile.js';
import { computeCost, formatCost, type CostReport, type ObjectCost } from '../src/cost/index.js';
import { main } from '../src/cli/main.js';

const FX = join(__dirname, '../fixtures');

function find(r: CostReport, kind: string, name: string, namespace?: string): ObjectCost {
  const o = r.objects.find((x) => x.object.kind === kind && x.object.name === name && x.object.namespace === namespace);
  if (!o) throw new Error(`no cost for ${kind} ${namespace ?? ''}/${name}`);
  return o;
}

describe('cost: fixture 02 (NetworkPolicy on a Layer2 primary UDN)', async () => {
  const result = await compile([join(FX, '02-networkpolicy-on-udn')], { until: 'openflow' });
  const r = computeCost(result);

  it('the policy owns the ACLs §1 lowers it to', () => {
    const np = find(r, 'NetworkPolicy', 'ingress-port-9001-only', 'green');
    // one gress ACL (empty peer list, one protocol: `ip4 && tcp && tcp.dst==9001 && outport == @pg`)
    // + default-deny PGs for Ingress and Egress, each with defaultDeny and arpAllow (icmpAllow is off by default)
    expect(np.counts.acls).toBe(5);
    expect(np.category).toBe('policy');
    // no selector peers: no address set
    expect(np.counts.addressSetEntries).toBe(0);
    // policy PG + Ingress default-deny PG hold the 4 pods of green (webserver, new-webserver, vm-a, vm-b);
    // policyTypes is [Ingress] so the Egress default-deny PG is empty
    expect(np.counts.portGroupMembers).toBe(8);
    expect(np.rules.map((x) => x.rule)).toEqual(['ingress[0]']);
    expect(np.rules[0]!.counts.acls).toBe(1);
    expect(np.rules[0]!.counts.lflows).toBeGreaterThan(0);
    expect(np.rules[0]!.counts.openflow).toBeGreaterThan(0);
    expect(np.counts.openflow).toBeGreaterThanOrEqual(np.rules[0]!.counts.openflow);
  });

  it('totals count every item once; shares are fractions of them', () => {
    expect(r.totals.openflow).toBe(result.openflow!.flows.length);
    expect(r.totals.lflows).toBe(result.lflow!.flows.length);
    expect(r.totals.acls).toBe(result.nb!.acls.length);
    expect(r.missingStages).toEqual([]);
    for (const o of r.objects) {
      expect(o.counts.openflow).toBeLessThanOrEqual(r.totals.openflow);
      expect(o.shared.openflow).toBeLessThanOrEqual(o.counts.openflow);
      expect(o.share.acls).toBeCloseTo(r.totals.acls ? o.counts.acls / r.totals.acls : 0);
    }
    // sorted largest first
    for (let i = 1; i < r.objects.length; i++) expect(r.objects[i - 1]!.counts.openflow).toBeGreaterThanOrEqual(r.objects[i]!.counts.openflow);
  });

  it('formats txt, md and json; --top limits rows but not totals', () => {
    const txt = formatCost(r, 'txt', { top: 2 });
    expect(txt).toMatch(/^object\s+kind\s+OpenFlow/);
    expect(txt).toContain(`TOTAL`);
    expect(formatCost(r, 'md')).toContain('| ↳ ingress[0] |');
    const j = JSON.parse(formatCost(r, 'json', { top: 1 }));
    expect(j.objects).toHaveLength(1);
    expect(j.totals.openflow).toBe(r.totals.openflow);
  });
}, 300_000);

describe('cost: fixture 07 (ANP, BANP, NetworkPolicy on the default network)', async () => {
  const r = computeCost(await compile([join(FX, '07-anp-banp-cluster-guardrails')], { until: 'nb' }));

  it('ANP cluster-control: one ACL and one address set per rule (§2)', () => {
    const anp = find(r, 'AdminNetworkPolicy', 'cluster-control');
    expect(anp.counts.acls).toBe(3); // rule 0 TCP/9090, rules 1 and 2 port-less (`None`)
    // subject: pods of namespaces with a tenant label: web, client (tenant-a), db (tenant-b)
    expect(anp.counts.portGroupMembers).toBe(3);
    // peers: monitoring → prometheus; tenant=a → web, client; tenant Exists → web, client, db
    expect(anp.rules.map((x) => [x.rule, x.counts.acls, x.counts.addressSetEntries])).toEqual([
      ['ingress[0]', 1, 1], ['ingress[1]', 1, 2], ['ingress[2]', 1, 3],
    ]);
    expect(anp.counts.addressSetEntries).toBe(6);
  });

  it('BANP default: one ACL; its peer set holds every pod', () => {
    const banp = find(r, 'BaselineAdminNetworkPolicy', 'default');
    expect(banp.counts.acls).toBe(1);
    expect(banp.counts.addressSetEntries).toBe(4);
    expect(banp.counts.portGroupMembers).toBe(3);
  });

  it('NetworkPolicy allow-web: gress ACL + 4 default-deny ACLs, PodSelector set {client}', () => {
    const np = find(r, 'NetworkPolicy', 'allow-web', 'tenant-a');
    expect(np.counts.acls).toBe(5);
    expect(np.counts.addressSetEntries).toBe(1);
    expect(np.counts.portGroupMembers).toBe(2); // policy PG {web} + Ingress default-deny PG {web}
    // the PodSelector set is referenced by the ingress[0] ACL (`ip4.src == {$…}`)
    expect(np.rules.map((x) => [x.rule, x.counts.acls, x.counts.addressSetEntries])).toEqual([['ingress[0]', 1, 1]]);
    expect(r.missingStages).toEqual(['lflow', 'openflow']);
  });
});

describe('udnc cost CLI', () => {
  it('rejects bad options', async () => {
    let err = '';
    const io = { stdout: () => {}, stderr: (s: string) => (err += s), isTTY: false, readStdin: async () => '' };
    expect(await main(['cost', join(FX, '07-anp-banp-cluster-guardrails'), '-o', 'xml'], io)).toBe(2);
    expect(await main(['cost', join(FX, '07-anp-banp-cluster-guardrails'), '--top', '-1'], io)).toBe(2);
    expect(err).toContain('--top');
  });
});
