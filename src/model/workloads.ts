/**
 * Workloads → pods, the way the controllers would create them.
 *
 * Real controllers name pods with random suffixes (and a template hash for Deployments); udnc
 * derives them from the workload's namespace/name and the replica index instead (see
 * `safeSuffix`), so the same manifests always give the same pod names. Names keep the upstream
 * shape so that users recognise them:
 *   Deployment   <name>-<hash(10)>-<suffix(5)>   (hash also in label pod-template-hash)
 *   ReplicaSet / ReplicationController / DaemonSet / Job   <name>-<suffix(5)>
 *   StatefulSet  <name>-<ordinal>
 *   CronJob      <name>-<8 digits>-<suffix(5)>   (one job, one pod)
 *   VirtualMachine / VirtualMachineInstance   virt-launcher-<vmi>-<suffix(5)>
 */
import { createHash } from 'node:crypto';
import type { ObjectRef } from '../common/source.js';
import type { ManifestObject } from '../manifests/types.js';
import type { Protocol } from './k8s.js';
import type { ContainerPort, Pod } from './types.js';
import { cmp, fnv1a64, isRecord, type Problems, pushTo, refOf, safeSuffix, stableUID, stringMap } from './util.js';

export const POD_KINDS = new Set([
  'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController', 'Job', 'CronJob',
  'VirtualMachine', 'VirtualMachineInstance',
]);

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** A pod before scheduling and IPAM. */
export interface PodDraft {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** spec.nodeName as written (bare pods, or a template that pins one) */
  nodeName?: string;
  hostNetwork: boolean;
  phase: Pod['phase'];
  ports: ContainerPort[];
  workload: ObjectRef;
  ref: ObjectRef;
  mo: ManifestObject;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** DaemonSet pods are bound to this node by the controller, ignoring unschedulable */
  daemonNode?: string;
  /** scheduling spread: replicas of one workload start at hash(key) and go round the nodes */
  spreadKey: string;
  spreadIndex: number;
  /** status.podIPs (or podIP), as reported */
  statusIPs: string[];
  /** status.hostIP: where a dumped pod ran */
  statusHostIP?: string;
}

const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed']);

function containerPorts(spec: unknown): ContainerPort[] {
  const out: ContainerPort[] = [];
  if (!isRecord(spec)) return out;
  for (const list of [spec.initContainers, spec.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isRecord(c) || !Array.isArray(c.ports)) continue;
      // initContainers only count when they are sidecars (restartPolicy Always): others have exited.
      if (list === spec.initContainers && c.restartPolicy !== 'Always') continue;
      for (const p of c.ports) {
        if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
        const cp: ContainerPort = { containerPort: p.containerPort, protocol: protocolOf(p.protocol) };
        if (typeof p.name === 'string' && p.name) cp.name = p.name;
        out.push(cp);
      }
    }
  }
  return out;
}

function protocolOf(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

function tolerationsOf(spec: Record<string, unknown>): Toleration[] {
  return Array.isArray(spec.tolerations) ? spec.tolerations.filter(isRecord).map((t) => t as Toleration) : [];
}

function statusIPs(status: unknown): string[] {
  if (!isRecord(status)) return [];
  const ips: string[] = [];
  if (Array.isArray(status.podIPs)) {
    for (const x of status.podIPs) if (isRecord(x) && typeof x.ip === 'string') ips.push(x.ip);
  }
  if (ips.length === 0 && typeof status.podIP === 'string' && status.podIP) ips.push(status.podIP);
  return ips;
}

interface Template {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
}

function templateOf(t: unknown): Template {
  const md = isRecord(t) && isRecord(t.metadata) ? t.metadata : {};
  const spec = isRecord(t) && isRecord(t.spec) ? t.spec : {};
  return { labels: stringMap(md.labels), annotations: stringMap(md.annotations), spec };
}

function draftFromTemplate(
  mo: ManifestObject, tpl: Template, name: string, extraLabels: Record<string, string>,
  spreadKey: string, spreadIndex: number,
): PodDraft {
  const ns = mo.object.metadata.namespace ?? 'default';
  const spec = tpl.spec;
  const d: PodDraft = {
    namespace: ns,
    name,
    uid: stableUID(`Pod/${ns}/${name}`),
    labels: sortKeys({ ...tpl.labels, ...extraLabels }),
    annotations: sortKeys({ ...tpl.annotations }),
    hostNetwork: spec.hostNetwork === true,
    phase: 'Running',
    ports: containerPorts(spec),
    workload: refOf(mo),
    ref: { kind: 'Pod', namespace: ns, name, source: { ...mo.source } },
    mo,
    nodeSelector: stringMap(spec.nodeSelector),
    tolerations: tolerationsOf(spec),
    spreadKey,
    spreadIndex,
    statusIPs: [],
  };
  if (typeof spec.nodeName === 'string' && spec.nodeName) d.nodeName = spec.nodeName;
  return d;
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort(cmp)) out[k] = m[k]!;
  return out;
}

function replicasOf(spec: Record<string, unknown>, def = 1): number {
  const r = spec.replicas;
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : def;
}

/** n distinct suffixes for one workload (re-drawn on the rare collision, as the controller retries). */
function suffixes(seed: string, n: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const s = safeSuffix(`${seed}#${i}`, 5);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** k8s ComputeHash renders the template hash with the same safe alphabet; udnc hashes the workload's identity. */
function templateHash(seed: string): string {
  return safeSuffix(`template:${seed}`, 10);
}

/**
 * Expands every pod-producing object except DaemonSets (which need the node list) into drafts.
 * Pods in phase Succeeded/Failed are kept with their phase; they get no network attachments.
 */
/** The controlling ownerReference (controller: true, else the first one). */
function controllerRef(md: Record<string, unknown>): { kind?: string; name: string } | undefined {
  const owners = Array.isArray(md.ownerReferences) ? md.ownerReferences.filter(isRecord) : [];
  const o = owners.find((x) => x.controller === true) ?? owners[0];
  if (!o || typeof o.name !== 'string') return undefined;
  return typeof o.kind === 'string' ? { kind: o.kind, name: o.name } : { name: o.name };
}

/**
 * Ownership among the objects given, for cluster dumps that carry a controller *and* its pods
 * (`kubectl get all -o yaml`): pods that exist count towards their controller's replicas, and a
 * controller whose child controller is present (Deployment → ReplicaSet, CronJob → Job,
 * VirtualMachine → VirtualMachineInstance) leaves pod creation to the child.
 */
class Ownership {
  private readonly present = new Map<string, ManifestObject>();
  readonly delegated = new Set<string>();
  /** controller key → pods that already exist for it */
  readonly existing = new Map<string, ManifestObject[]>();

  constructor(objs: ManifestObject[]) {
    for (const mo of objs) if (mo.object.kind !== 'Pod') this.present.set(keyOf(mo), mo);
    for (const mo of objs) {
      if (mo.object.kind === 'Pod') {
        const owner = this.owner(mo);
        if (owner) pushTo(this.existing, keyOf(owner), mo);
      } else {
        const owner = this.owner(mo);
        if (owner) this.delegated.add(keyOf(owner));
      }
    }
  }

  /** the controller of `mo` when that controller is among the objects */
  owner(mo: ManifestObject): ManifestObject | undefined {
    const ns = mo.object.metadata.namespace ?? 'default';
    const c = controllerRef(mo.object.metadata);
    if (!c) return undefined;
    if (c.kind) {
      const hit = this.present.get(`${c.kind}/${ns}/${c.name}`);
      if (hit) return hit;
      // a ReplicaSet absent from the dump: `<deployment>-<hash>` points at its Deployment
      if (c.kind === 'ReplicaSet') {
        const dash = c.name.lastIndexOf('-');
        if (dash > 0) return this.present.get(`Deployment/${ns}/${c.name.slice(0, dash)}`);
      }
      // a VMI absent from the dump has the name of its VirtualMachine
      if (c.kind === 'VirtualMachineInstance') return this.present.get(`VirtualMachine/${ns}/${c.name}`);
      return undefined;
    }
    for (const k of ['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController', 'VirtualMachineInstance']) {
      const hit = this.present.get(`${k}/${ns}/${c.name}`);
      if (hit) return hit;
    }
    return undefined;
  }

  /** the top-most known controller of a pod: what users call its workload */
  workloadOf(mo: ManifestObject): ObjectRef {
    let cur: ManifestObject = mo;
    for (let depth = 0; depth < 5; depth++) {
      const up = this.owner(cur);
      if (!up) break;
      cur = up;
    }
    if (cur !== mo) return refOf(cur);
    const c = controllerRef(mo.object.metadata);
    if (!c) return refOf(mo);
    // an owner that is not in the manifests; kind unknown → 'Pod', as netpol-analyzer reports it
    return { kind: c.kind ?? 'Pod', namespace: mo.object.metadata.namespace ?? 'default', name: c.name };
  }
}

function keyOf(mo: ManifestObject): string {
  return `${mo.object.kind}/${mo.object.metadata.namespace ?? 'default'}/${mo.object.metadata.name}`;
}

export function expandWorkloads(objs: ManifestObject[], p: Problems): { drafts: PodDraft[]; daemonSets: ManifestObject[]; existing: Map<string, ManifestObject[]> } {
  const drafts: PodDraft[] = [];
  const daemonSets: ManifestObject[] = [];
  const own = new Ownership(objs);
  for (const mo of objs) {
    const o = mo.object;
    const ns = o.metadata.namespace ?? 'default';
    const name = o.metadata.name;
    const key = `${o.kind}/${ns}/${name}`;
    const spec: Record<string, unknown> = isRecord(o.spec) ? o.spec : {};
    if (own.delegated.has(key)) continue;
    const have = own.existing.get(key) ?? [];
    switch (o.kind) {
      case 'Pod': {
        const d = draftFromTemplate(mo, { labels: stringMap(o.metadata.labels), annotations: stringMap(o.metadata.annotations), spec }, name, {}, key, 0);
        d.workload = own.workloadOf(mo);
        d.ref = refOf(mo);
        if (typeof o.metadata.uid === 'string' && o.metadata.uid) d.uid = o.metadata.uid;
        const phase = isRecord(o.status) ? o.status.phase : undefined;
        if (typeof phase === 'string' && PHASES.has(phase)) d.phase = phase as Pod['phase'];
        d.statusIPs = statusIPs(o.status);
        if (isRecord(o.status) && typeof o.status.hostIP === 'string' && o.status.hostIP) d.statusHostIP = o.status.hostIP;
        drafts.push(d);
        break;
      }
      case 'Deployment': {
        const tpl = templateOf(spec.template);
        const hash = templateHash(key);
        const n = Math.max(0, replicasOf(spec) - have.length);
        suffixes(key, n).forEach((sfx, i) => {
          drafts.push(draftFromTemplate(mo, tpl, `${name}-${hash}-${sfx}`, { 'pod-template-hash': hash }, key, i));
        });
        break;
      }
      case 'ReplicaSet':
      case 'ReplicationController': {
        const tpl = templateOf(spec.template);
        const n = Math.max(0, replicasOf(spec) - have.length);
        suffixes(key, n).forEach((sfx, i) => drafts.push(draftFromTemplate(mo, tpl, `${name}-${sfx}`, {}, key, i)));
        break;
      }
      case 'StatefulSet': {
        const tpl = templateOf(spec.template);
        const n = replicasOf(spec);
        const rev = `${name}-${templateHash(key)}`;
        const taken = new Set(have.map((x) => x.object.metadata.name));
        // spec.ordinals.start (k8s 1.27+) shifts the ordinals
        const start = isRecord(spec.ordinals) && typeof spec.ordinals.start === 'number' ? spec.ordinals.start : 0;
        for (let i = start; i < start + n; i++) {
          const podName = `${name}-${i}`;
          if (taken.has(podName)) continue;
          drafts.push(draftFromTemplate(mo, tpl, podName, {
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': rev,
            'statefulset.kubernetes.io/pod-name': podName,
          }, key, i));
        }
        break;
      }
      case 'DaemonSet':
        daemonSets.push(mo);
        break;
      case 'Job': {
        if (have.length === 0) drafts.push(...jobPods(mo, spec, name, key));
        break;
      }
      case 'CronJob': {
        const jt = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
        const jobSpec = isRecord(jt.spec) ? jt.spec : {};
        // the CronJob controller names jobs <cronjob>-<scheduled time in minutes>; udnc fixes the time
        const minutes = String(fnv1a64(key) % 90000000n + 10000000n);
        const jobName = `${name}-${minutes}`;
        drafts.push(...jobPods(mo, jobSpec, jobName, key, stringMap(isRecord(jt.metadata) ? jt.metadata.labels : undefined)));
        break;
      }
      case 'VirtualMachine': {
        if (have.length > 0) break; // its virt-launcher pod is in the manifests
        if (!vmRunning(spec)) {
          p.notice(`VirtualMachine ${ns}/${name} is not running (runStrategy/running): no virt-launcher pod`, refOf(mo));
          break;
        }
        const t = isRecord(spec.template) ? spec.template : {};
        drafts.push(launcherPod(mo, templateOf(t), name, name, key, p));
        break;
      }
      case 'VirtualMachineInstance': {
        if (have.length > 0) break; // its virt-launcher pod is in the manifests
        const tpl: Template = { labels: stringMap(o.metadata.labels), annotations: stringMap(o.metadata.annotations), spec };
        const vmName = ownerVM(o.metadata) ?? undefined;
        drafts.push(launcherPod(mo, tpl, name, vmName, key, p));
        break;
      }
      default:
        break;
    }
  }
  return { drafts, daemonSets, existing: own.existing };
}

/** DaemonSet pods: one per eligible node (nodeSelector and taints), bound by the controller. */
export function expandDaemonSet(
  mo: ManifestObject, nodes: Array<{ name: string; labels: Readonly<Record<string, string>>; taints: Toleration[]; synthesized: boolean }>,
  p: Problems, existing: readonly ManifestObject[] = [],
): PodDraft[] {
  const o = mo.object;
  const ns = o.metadata.namespace ?? 'default';
  const key = `DaemonSet/${ns}/${o.metadata.name}`;
  const spec: Record<string, unknown> = isRecord(o.spec) ? o.spec : {};
  const tpl = templateOf(spec.template);
  const rev = templateHash(key);
  const out: PodDraft[] = [];
  // nodes that already run one of its pods (cluster dumps) get no second one
  const covered = new Set(existing.map((x) => (isRecord(x.object.spec) ? x.object.spec.nodeName : undefined)));
  const fits = nodes.filter((n) => n.synthesized || nodeFits(n, stringMap(tpl.spec.nodeSelector), tolerationsOf(tpl.spec)));
  const eligible = existing.length > 0 && !covered.has(undefined) ? fits.filter((n) => !covered.has(n.name)) : existing.length > 0 ? [] : fits;
  const sfx = suffixes(key, eligible.length);
  eligible.forEach((n, i) => {
    const d = draftFromTemplate(mo, tpl, `${o.metadata.name}-${sfx[i]}`, {
      'controller-revision-hash': rev,
      'pod-template-generation': '1',
    }, key, i);
    d.daemonNode = n.name;
    out.push(d);
  });
  if (fits.length === 0) p.notice(`DaemonSet ${ns}/${o.metadata.name} fits no node: no pods`, refOf(mo));
  return out;
}

/** The scheduler's predicates udnc models: nodeSelector, NoSchedule/NoExecute taints. */
export function nodeFits(
  node: { labels: Readonly<Record<string, string>>; taints: Toleration[] },
  nodeSelector: Record<string, string>, tolerations: Toleration[],
): boolean {
  for (const [k, v] of Object.entries(nodeSelector)) if (node.labels[k] !== v) return false;
  for (const t of node.taints) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    const tolerated = tolerations.some((tol) => {
      if (tol.effect && tol.effect !== t.effect) return false;
      if (!tol.key) return tol.operator === 'Exists';
      if (tol.key !== t.key) return false;
      return tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '');
    });
    if (!tolerated) return false;
  }
  return true;
}

function jobPods(mo: ManifestObject, jobSpec: Record<string, unknown>, jobName: string, key: string, jobLabels: Record<string, string> = {}): PodDraft[] {
  const tpl = templateOf(jobSpec.template);
  const par = typeof jobSpec.parallelism === 'number' && jobSpec.parallelism >= 0 ? jobSpec.parallelism : 1;
  const comp = typeof jobSpec.completions === 'number' && jobSpec.completions >= 0 ? jobSpec.completions : undefined;
  // a Job runs min(parallelism, completions) pods at once
  const n = comp === undefined ? par : Math.min(par, comp);
  const uid = stableUID(`Job/${mo.object.metadata.namespace ?? 'default'}/${jobName}`);
  const labels = {
    ...jobLabels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': jobName,
    'controller-uid': uid,
    'job-name': jobName,
  };
  return suffixes(`${key}/${jobName}`, n).map((sfx, i) => draftFromTemplate(mo, tpl, `${jobName}-${sfx}`, labels, key, i));
}

/** KubeVirt: runStrategy Always/RerunOnFailure/Once start the VM; Halted/Manual do not; else `running`. */
function vmRunning(spec: Record<string, unknown>): boolean {
  const rs = spec.runStrategy;
  if (typeof rs === 'string') return rs === 'Always' || rs === 'RerunOnFailure' || rs === 'Once';
  return spec.running === true;
}

function ownerVM(md: Record<string, unknown>): string | undefined {
  const owners = md.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  for (const o of owners) if (isRecord(o) && o.kind === 'VirtualMachine' && typeof o.name === 'string') return o.name;
  return undefined;
}

/**
 * virt-launcher pod of a VMI: the VMI template's labels plus the labels virt-controller adds.
 * KubeVirt networks of type multus become the pod's k8s.v1.cni.cncf.io/networks annotation.
 */
function launcherPod(mo: ManifestObject, tpl: Template, vmiName: string, vmName: string | undefined, key: string, p: Problems): PodDraft {
  const extra: Record<string, string> = { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/domain': vmiName };
  if (vmName !== undefined) extra['vm.kubevirt.io/name'] = vmName;
  const podName = `virt-launcher-${vmiName}-${safeSuffix(key, 5)}`;
  // the launcher pod runs the compute container; the VM's interface ports are what it serves
  const domain = isRecord(tpl.spec.domain) ? tpl.spec.domain : {};
  const devices = isRecord(domain.devices) ? domain.devices : {};
  const podSpec: Record<string, unknown> = {
    containers: [{ name: 'compute', ports: interfacePorts(devices.interfaces) }],
  };
  if (isRecord(tpl.spec.nodeSelector)) podSpec.nodeSelector = tpl.spec.nodeSelector;
  if (Array.isArray(tpl.spec.tolerations)) podSpec.tolerations = tpl.spec.tolerations;
  const d = draftFromTemplate(mo, { labels: tpl.labels, annotations: { ...tpl.annotations }, spec: podSpec }, podName, extra, key, 0);
  const nets = multusNetworks(tpl.spec.networks, mo, p);
  if (nets.length > 0) d.annotations = sortKeys({ ...d.annotations, 'k8s.v1.cni.cncf.io/networks': JSON.stringify(nets) });
  return d;
}

function interfacePorts(ifaces: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (!Array.isArray(ifaces)) return out;
  for (const i of ifaces) {
    if (!isRecord(i) || !Array.isArray(i.ports)) continue;
    for (const pt of i.ports) {
      if (!isRecord(pt) || typeof pt.port !== 'number') continue;
      const cp: Record<string, unknown> = { containerPort: pt.port, protocol: pt.protocol ?? 'TCP' };
      if (typeof pt.name === 'string') cp.name = pt.name;
      out.push(cp);
    }
  }
  return out;
}

function multusNetworks(networks: unknown, mo: ManifestObject, p: Problems): Array<{ name: string; namespace?: string; interface?: string }> {
  const out: Array<{ name: string; namespace?: string; interface?: string }> = [];
  if (!Array.isArray(networks)) return out;
  networks.forEach((n, i) => {
    if (!isRecord(n) || !isRecord(n.multus) || typeof n.multus.networkName !== 'string') return;
    if (n.multus.default === true) {
      p.notice(`multus default network override ${n.multus.networkName} is not modelled; the pod stays on its primary network`, refOf(mo));
      return;
    }
    const full = n.multus.networkName;
    const slash = full.indexOf('/');
    const e: { name: string; namespace?: string; interface?: string } = slash >= 0
      ? { name: full.slice(slash + 1), namespace: full.slice(0, slash) }
      : { name: full };
    e.interface = `pod${podIfaceHash(String(n.name ?? i))}`;
    out.push(e);
  });
  return out;
}

/** KubeVirt names secondary pod interfaces `pod` + the first 11 hex digits of sha256(VM network name). */
function podIfaceHash(netName: string): string {
  return createHash('sha256').update(netName).digest('hex').slice(0, 11);
}
