import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';
import { compileStages, createProgress } from '../../common/progress.js';
import { loadManifests } from '../../manifests/index.js';
import { compileManifests } from '../../compile.js';
import { parseArgs, usage } from '../../semantics/cli-util.js';
import { classifyProbe, formatProbeTrace, type ProbeClassification } from '../../classify/index.js';
import type { PeerSpec, Probe } from '../../semantics/types.js';
import type { Protocol } from '../../model/k8s.js';
import { formatObjectRef } from '../../common/source.js';
import type { ClusterModel, Pod } from '../../model/types.js';

const FLAGS = {
  '--from': { value: true },
  '--to': { value: true },
  '--proto': { value: true },
  '--port': { value: true },
  '--reply': { value: false },
  '--node': { value: true },
  '--network': { value: true },
  '--output': { value: true, alias: '-o' },
  '--implicit-namespaces': { value: false },
};

export const trace: Command = {
  name: 'trace',
  summary: 'follow one packet through the compiled OpenFlow tables: why is it delivered or dropped?',
  help: `udnc trace PATHS... --from NS/NAME --to DEST [options]

Compiles the manifests down to OpenFlow (one chassis), builds the packet the source pod would send
(its MAC/IP, its VIF's ofport; destination MAC = the peer pod's when on-link, else its gateway's)
and runs it through udnc's interpreter of ovs-vswitchd (src/classify). Prints every table visited
with the flow that matched, the registers and ct state after it, and the chain back to the logical
flow, the NB rows (ACL, load balancer, …) and the Kubernetes objects (file:line).

NS/NAME is a pod, or the workload that made it (Deployment, StatefulSet, DaemonSet, Job, KubeVirt
VirtualMachine, ...; \`NS/NAME[Kind]\` as udnc matrix prints it also works): \`green/vm-a\` is the
VM's virt-launcher pod. A workload with several pods is traced from (or to) its first pod by
name; stderr says which, and lists the others (name one of them to choose).
DEST is NS/NAME, an IP address, or svc/NS/NAME (the Service's first VIP).

Options:
  --from NS/NAME          the source pod or workload (required)
  --to DEST               the destination (required)
  --proto P               tcp (default), udp, sctp or icmp (echo request)
  --port N                destination L4 port (default 80; ignored for icmp)
  --network ID            the Network.id to probe on (default: the source's primary network)
  --reply                 also trace the reply: the first packet is sent first (committing
                          conntrack and learned flows), then the receiver's answer is traced
  --node NODE             compute NODE's chassis view (default: one chassis hosting every pod)
  -o, --output FORMAT     txt (default) or json
  --implicit-namespaces   create Namespaces the manifests refer to but do not define

Verdicts: delivered (to which VIF), dropped (the last flow that matched says where), rejected
(a reject/tcp_reset/icmp error controller action), external (left by the gateway router's
external port), controller (some other controller action, e.g. ARP for an unknown next hop).
Conntrack is udnc's model (src/classify/conntrack.ts): NAT, commit, ct_mark/ct_label, est/rpl.

Exit: 0 the packet (and with --reply the answer) reached its destination, 1 it did not, 2 bad input.
`,
  async run(argv, io) {
    const a = parseArgs(argv, FLAGS, 'trace');
    if (!a.positional.length) throw usage('trace', 'no input paths');
    const from = a.flags.get('--from');
    const to = a.flags.get('--to');
    if (typeof from !== 'string' || !/^[^/]+\/[^/]+$/.test(from)) throw usage('trace', '--from NS/NAME (a pod or workload) is required');
    if (typeof to !== 'string') throw usage('trace', '--to DEST is required');
    const proto = String(a.flags.get('--proto') ?? 'tcp').toLowerCase();
    if (!['tcp', 'udp', 'sctp', 'icmp'].includes(proto)) throw usage('trace', `--proto must be tcp, udp, sctp or icmp (got '${proto}')`);
    const port = a.flags.has('--port') ? Number(a.flags.get('--port')) : 80;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw usage('trace', '--port must be 1-65535');
    const format = String(a.flags.get('--output') ?? 'txt');
    if (!['txt', 'json'].includes(format)) throw usage('trace', `unknown output format '${format}'`);
    const network = a.flags.get('--network');
    const parts = to.split('/');
    const toKind = (parts[0] === 'svc' || parts[0] === 'service') && parts.length === 3 ? 'service'
      : parts.length === 2 && !to.includes(':') ? 'pod'
        : /^[0-9.]+$/.test(to) || to.includes(':') ? 'ip' : undefined;
    if (!toKind) throw usage('trace', `--to must be NS/NAME, an IP or svc/NS/NAME (got '${to}')`);
    const node = a.flags.get('--node');
    const progress = createProgress(io, 'trace');
    let compiled;
    try {
      progress.stage('reading manifests');
      const set = await loadManifests(a.positional, { readStdin: io.readStdin });
      compiled = compileManifests(set, {
        until: 'openflow', implicitNamespaces: a.flags.has('--implicit-namespaces'), onStage: compileStages(progress), ...(typeof node === 'string' ? { node } : {}),
      });
    } finally {
      progress.done();
    }
    const onNetwork = typeof network === 'string' ? { network } : {};
    const podSpec = (flag: string, text: string): PeerSpec => {
      const r = resolvePod(compiled.model!, text);
      if (typeof r === 'string') throw usage('trace', `${flag} ${text}: ${r}`);
      if (r.note) io.stderr(`udnc trace: ${flag} ${text}: ${r.note}\n`);
      return { kind: 'pod', namespace: r.pod.namespace, name: r.pod.name, ...onNetwork };
    };
    const src = podSpec('--from', from);
    const dst: PeerSpec = toKind === 'service' ? { kind: 'service', namespace: parts[1]!, name: parts[2]! }
      : toKind === 'ip' ? { kind: 'ip', ip: to } : podSpec('--to', to);
    const probe: Probe = { src, dst, protocol: (proto === 'icmp' ? 'TCP' : proto.toUpperCase()) as Protocol, port };
    const c = classifyProbe(compiled, probe, { trace: true, reply: a.flags.has('--reply'), icmp: proto === 'icmp' });
    if (!c.classifiable) {
      io.stderr(`udnc trace: cannot build the packet: ${c.reason}\n`);
      return EXIT.BAD_INPUT;
    }
    io.stdout(format === 'json' ? JSON.stringify(traceJSON(c), bigintJSON, 2) + '\n' : formatProbeTrace(c));
    return c.allowed ? EXIT.OK : EXIT.CHECK_FAILED;
  },
};

/**
 * NS/NAME (optionally NS/NAME[Kind]) → a pod: the pod of that name, else the pods of the workload of
 * that name (a KubeVirt VM's virt-launcher pod, a Deployment's replicas), first by name when several.
 */
export function resolvePod(model: ClusterModel, text: string): { pod: Pod; note?: string } | string {
  const m = /^([^/]+)\/([^/[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(text);
  if (!m) return 'expected NS/NAME or NS/NAME[Kind]';
  const [, ns, name, kind] = m as unknown as [string, string, string, string | undefined];
  if (!kind) {
    const exact = model.pods.find((p) => p.namespace === ns && p.name === name);
    if (exact) return { pod: exact };
  }
  // A VirtualMachine's pod belongs to its VirtualMachineInstance of the same name.
  const kindOk = (k: string) => !kind || k === kind || (kind === 'VirtualMachine' && k === 'VirtualMachineInstance');
  const pods = model.pods.filter((p) => p.namespace === ns && p.workload.name === name && p.workload.kind !== 'Pod' && kindOk(p.workload.kind))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  if (!pods.length) {
    const inNs = model.pods.filter((p) => p.namespace === ns).map((p) => p.name).sort();
    return `no pod or workload of that name${inNs.length ? ` (pods of namespace ${ns}: ${inNs.slice(0, 10).join(', ')}${inNs.length > 10 ? ', …' : ''})` : ` (namespace ${ns} has no pods)`}`;
  }
  const w = pods[0]!.workload;
  const what = `${w.kind} ${ns}/${w.name}`;
  if (pods.length === 1) return { pod: pods[0]!, note: `${what}: its pod ${ns}/${pods[0]!.name}` };
  return {
    pod: pods[0]!,
    note: `${what} has ${pods.length} pods (${pods.map((p) => p.name).join(', ')}); tracing the first, ${ns}/${pods[0]!.name} (name a pod to choose another)`,
  };
}

function bigintJSON(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`;
  if (v instanceof Uint8Array) return Array.from(v, (x) => x.toString(16).padStart(2, '0')).join('');
  return v;
}

function runJSON(r: NonNullable<ProbeClassification['forward']>) {
  return {
    verdict: { kind: r.verdict.kind, summary: r.verdict.summary, outputs: r.verdict.outputs, ports: r.verdict.ports, controller: r.verdict.controller.map((c) => ({ opcode: c.opcode, name: c.name, table: c.table })) },
    steps: r.steps.map((s) => ({
      pass: s.pass, depth: s.depth, table: s.table, ...(s.note ? { note: s.note } : {}),
      ...(s.flow ? {
        priority: s.flow.priority, cookie: `0x${s.flow.cookie.toString(16)}`, match: s.flow.text, actions: s.actions, state: s.state,
        provenance: s.flow.provenance.map((p) => (p.kind === 'lflow'
          ? { kind: 'lflow', datapath: p.lflow.datapath, pipeline: p.lflow.pipeline, table: p.lflow.table, priority: p.lflow.priority, match: p.lflow.match, actions: p.lflow.actions, rows: p.lflow.rows, objects: p.lflow.objects.map(formatObjectRef) }
          : p)),
      } : { miss: true }),
    })),
    notes: r.notes,
  };
}

function traceJSON(c: ProbeClassification) {
  return {
    allowed: c.allowed, reason: c.reason, packet: c.packet, forward: runJSON(c.forward!),
    ...(c.reply ? { replyPacket: c.replyPacket, reply: runJSON(c.reply) } : {}),
  };
}
