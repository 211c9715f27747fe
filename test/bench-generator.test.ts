/**
 * bench/generate.ts: deterministic, valid YAML, and small generated clusters compile through the
 * whole pipeline (manifests → model → northbound → lflow → openflow) without errors.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generateCluster, toFiles, toYaml, type GenerateOptions } from '../bench/generate.js';
import { compile } from '../src/compile.js';

const SHAPES: Array<[string, GenerateOptions]> = [
  ['default network, every NetworkPolicy shape', { namespaces: 6, pods: 4, policies: 6, services: 4 }],
  ['ANP + BANP + UDN/CUDN (Layer3 and Layer2) + services', { namespaces: 10, pods: 5, policies: 3, anps: 4, banp: true, udns: 2, cudns: 2, services: 12, nodes: 2 }],
  ['issue-6 shape, scaled down', { namespaces: 20, pods: 10, policies: 2, anps: 2, services: 10, seed: 7 }],
];

describe('bench generator', () => {
  it('is deterministic and seed-sensitive', () => {
    const a = toYaml(generateCluster({ namespaces: 20, pods: 7, policies: 3, anps: 2 }).objects);
    const b = toYaml(generateCluster({ namespaces: 20, pods: 7, policies: 3, anps: 2 }).objects);
    const c = toYaml(generateCluster({ namespaces: 20, pods: 7, policies: 3, anps: 2, seed: 2 }).objects);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('writes YAML that the yaml package reads back to the same objects', () => {
    const cluster = generateCluster(SHAPES[1]![1]);
    const docs = parseAllDocuments(toYaml(cluster.objects)).map((d) => d.toJS() as unknown);
    expect(docs).toEqual(cluster.objects);
  });

  it('counts pods and policies as asked', () => {
    const c = generateCluster({ namespaces: 8, pods: 10, policies: 2, anps: 3, services: 5 });
    expect(c.counts['NetworkPolicy']).toBe(16);
    expect(c.counts['AdminNetworkPolicy']).toBe(3);
    expect(c.counts['Service']).toBe(5);
    expect(c.counts['Pod']).toBe(8 * 3); // 30 % bare
    expect(c.counts['Deployment']).toBe(8 * 3); // 7 replicas → 3 + 3 + 1
  });

  for (const [name, opts] of SHAPES) {
    it(`compiles through the whole pipeline: ${name}`, async () => {
      const cluster = generateCluster(opts);
      const r = await compile(toFiles(cluster), { until: 'openflow' });
      const pods = cluster.options.namespaces * cluster.options.pods;
      expect(r.model!.pods.filter((p) => p.attachments.length > 0).length).toBe(pods);
      expect(r.nb!.acls.length).toBeGreaterThan(0);
      expect(r.lflow!.flows.length).toBeGreaterThan(500);
      expect(r.openflow!.errors).toEqual([]);
      expect(r.openflow!.flows.length).toBeGreaterThan(1000);
      expect(r.openflow!.ports.filter((p) => p.kind === 'vif').length).toBeGreaterThanOrEqual(pods);
    }, 120_000);
  }
});
