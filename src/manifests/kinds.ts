/**
 * What udnc knows about each kind: the API group/version it is served under and whether it is
 * namespaced (the CRD `scope`, or the built-in resource's scope).
 */
import type { KnownKind } from './types.js';

export interface KindInfo {
  /** apiVersions accepted for this kind (the first is the canonical one) */
  apiVersions: readonly string[];
  namespaced: boolean;
}

export const KIND_INFO: Readonly<Record<KnownKind, KindInfo>> = {
  Namespace: { apiVersions: ['v1'], namespaced: false },
  Node: { apiVersions: ['v1'], namespaced: false },
  Pod: { apiVersions: ['v1'], namespaced: true },
  ReplicationController: { apiVersions: ['v1'], namespaced: true },
  Service: { apiVersions: ['v1'], namespaced: true },
  Deployment: { apiVersions: ['apps/v1'], namespaced: true },
  StatefulSet: { apiVersions: ['apps/v1'], namespaced: true },
  DaemonSet: { apiVersions: ['apps/v1'], namespaced: true },
  ReplicaSet: { apiVersions: ['apps/v1'], namespaced: true },
  Job: { apiVersions: ['batch/v1'], namespaced: true },
  CronJob: { apiVersions: ['batch/v1'], namespaced: true },
  EndpointSlice: { apiVersions: ['discovery.k8s.io/v1'], namespaced: true },
  NetworkPolicy: { apiVersions: ['networking.k8s.io/v1'], namespaced: true },
  AdminNetworkPolicy: { apiVersions: ['policy.networking.k8s.io/v1alpha1'], namespaced: false },
  BaselineAdminNetworkPolicy: { apiVersions: ['policy.networking.k8s.io/v1alpha1'], namespaced: false },
  UserDefinedNetwork: { apiVersions: ['k8s.ovn.org/v1'], namespaced: true },
  ClusterUserDefinedNetwork: { apiVersions: ['k8s.ovn.org/v1'], namespaced: false },
  NetworkAttachmentDefinition: { apiVersions: ['k8s.cni.cncf.io/v1'], namespaced: true },
  VirtualMachine: { apiVersions: ['kubevirt.io/v1'], namespaced: true },
  VirtualMachineInstance: { apiVersions: ['kubevirt.io/v1'], namespaced: true },
  Network: { apiVersions: ['config.openshift.io/v1'], namespaced: false },
};

const KNOWN = new Set<string>(Object.keys(KIND_INFO));
export function isKnownKind(kind: string): kind is KnownKind {
  return KNOWN.has(kind);
}
