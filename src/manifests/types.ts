/**
 * Output contract of the manifests stage: validated, apiserver-defaulted Kubernetes objects,
 * each with where it was written. The model stage consumes exactly this.
 */
import type { Diagnostic } from '../common/errors.js';
import type { SourceRef } from '../common/source.js';

/** Kinds udnc understands. Everything else is skipped with a notice. */
export const KNOWN_KINDS = [
  'Namespace', 'Node', 'Pod',
  'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob',
  'VirtualMachine', 'VirtualMachineInstance',
  'Service', 'EndpointSlice',
  'NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
  'UserDefinedNetwork', 'ClusterUserDefinedNetwork', 'NetworkAttachmentDefinition',
  'Network', // config.openshift.io/v1
] as const;
export type KnownKind = (typeof KNOWN_KINDS)[number];

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  [k: string]: unknown;
}

/** A Kubernetes object as the apiserver would store it (after defaulting), plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any; // typed per kind in src/model/k8s.ts; kept loose here so the front end stays generic
  status?: any;
  [k: string]: unknown;
}

export interface ManifestObject {
  object: K8sObject;
  /** where the document starts (its first line) */
  source: SourceRef;
  /** JSON-pointer-like field path → position, for diagnostics raised by later stages (e.g. `spec.podSelector`) */
  positions?: ReadonlyMap<string, SourceRef>;
  /** field paths the apiserver defaulting filled in (e.g. `spec.ports[0].protocol`, `metadata.namespace`) */
  defaulted?: string[];
}

export interface ManifestSet {
  objects: ManifestObject[]; // sorted deterministically: kind, namespace, name
  notices: Diagnostic[]; // skipped kinds, non-object documents, defaulting remarks
}
