/**
 * Provenance shared by every stage: each object, NB row, lflow and OpenFlow flow can point back
 * to the Kubernetes object (kind, namespace/name) and the place in the manifests it came from.
 */

/** A position in an input file. Lines and columns are 1-based, as editors show them. */
export interface SourceRef {
  file: string; // path as given on the command line (or "<stdin>")
  line: number;
  col: number;
}

/** A Kubernetes object named the way users name it: kind, namespace/name, where it was written. */
export interface ObjectRef {
  kind: string;
  namespace?: string; // absent for cluster-scoped kinds
  name: string;
  source?: SourceRef; // absent for objects udnc synthesizes (default node, default network)
}

export function formatSource(s: SourceRef | undefined): string {
  return s ? `${s.file}:${s.line}:${s.col}` : '<generated>';
}

export function formatObjectRef(r: ObjectRef): string {
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  return r.source ? `${r.kind} ${name} (${formatSource(r.source)})` : `${r.kind} ${name}`;
}
