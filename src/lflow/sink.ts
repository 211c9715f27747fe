/**
 * Collects flows the way ovn-northd's lflow table does: a flow is identified by (datapath, stage,
 * priority, match, actions); adding the same flow twice keeps one and merges provenance.
 */
import type { ObjectRef } from '../common/source.js';
import type { Cause } from './model.js';
import type { PipelineLayout, StageName } from './pipeline-25.03.js';
import type { Lflow } from './types.js';

function refKey(r: ObjectRef): string {
  return `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}\u0000${r.source?.file ?? ''}\u0000${r.source?.line ?? 0}\u0000${r.source?.col ?? 0}`;
}

interface Entry {
  flow: Omit<Lflow, 'provenance'>;
  rows: Set<string>;
  objects: Map<string, ObjectRef>;
}

export class FlowSink {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly layout: PipelineLayout) {}

  add(datapath: string, stageName: StageName, priority: number, match: string, actions: string, causes: readonly Cause[]): void {
    const stage = this.layout.stage(stageName);
    const key = `${datapath}\u0000${stage.pipeline}\u0000${stage.table}\u0000${priority}\u0000${match}\u0000${actions}`;
    let e = this.entries.get(key);
    if (!e) {
      e = {
        flow: { datapath, pipeline: stage.pipeline, table: stage.table, stage: stageName, priority, match, actions },
        rows: new Set(),
        objects: new Map(),
      };
      this.entries.set(key, e);
    }
    for (const c of causes) {
      e.rows.add(c.id);
      for (const o of c.provenance) e.objects.set(refKey(o), o);
    }
  }

  flows(): Lflow[] {
    return [...this.entries.values()].map((e) => ({
      ...e.flow,
      provenance: {
        rows: [...e.rows].sort(),
        objects: [...e.objects.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, o]) => o),
      },
    }));
  }
}
