/**
 * An interpreter of OpenFlow as ovs-vswitchd translates it (ofproto/ofproto-dpif-xlate.c), over the
 * structured tables of the openflow stage. One `run()` is one packet entering br-int at table 0.
 *
 * Semantics followed (and where they come from):
 * - lookup: table.ts (classifier_lookup__, conjunctions). A table miss inside a resubmit does
 *   nothing (OpenFlow 1.3+ table-miss = drop), the caller's actions continue.
 * - resubmit: OVS counts depth only for resubmits to the same or an earlier table (a possible
 *   loop; `xlate_recursively(…, deepens = table_id <= ctx->table_id)`): at depth 64 (MAX_DEPTH) or
 *   4,096 resubmits per packet (MAX_RESUBMITS) the packet is dropped ("over max translation depth
 *   64", checked against the real ofproto/trace). Forward chains (8 → 9 → … → 40) never deepen.
 * - output:P skips P == in_port (OVS "skipping output to input port"); OVN's `set_field:ANY->in_port`
 *   around loopback outputs is what makes hairpin delivery possible, as in OVS.
 * - clone() and group buckets run on a copy of the packet state (xlate_group_bucket restores the
 *   flow afterwards; clone likewise).
 * - ct(table=N) forks: the packet after conntrack is queued for recirculation at table N and the
 *   current action list continues (compose_recirculate_and_fork). Recirculations run FIFO after
 *   the current pass, each a new "pass" of the trace.
 * - ct() without table commits (and runs exec()) but hides its results from the following
 *   actions, like OVS (ctx->conntracked = false).
 * - select groups (OVN load balancers): OVS picks one bucket per connection from a hash of the
 *   5-tuple (dp_hash), whose value depends on the datapath (kernel: a per-boot random seed;
 *   userspace: the RSS hash), so no packet's bucket is predictable offline. A run first takes the
 *   bucket whose cumulative weight range holds `fnv1a(5-tuple) mod total weight`; if the packet is
 *   then not delivered, it is rerun (conntrack and learned flows restored) with the other buckets
 *   of each select group it met, and the first run that delivers is the result: a probe asks
 *   whether a connection can get through, and some source port hashes to each live bucket (the
 *   real datapath, test/datapath-oracle.test.ts: an api pod reaching its own Service is delivered
 *   when its own backend is picked and dropped by its egress policy otherwise). `selectBucket`
 *   pins the choice instead (to replay what a real datapath chose). In `ctNext` (scripted) mode a
 *   `selection_method=dp_hash` group ends the pass, as ovs-vswitchd's hash+recirc freeze does in
 *   ofproto/trace, which does not follow that recirculation (checked on the real OVS).
 * - controller(): the OVN opcode (first 4 bytes of userdata) is reported; reject-family opcodes
 *   (reject, tcp_reset, icmp4/6_error, sctp_abort) make the verdict `rejected`. A paused controller
 *   action ends the translation (the packet is resumed by ovn-controller, which udnc does not run).
 *
 * Two conntrack modes:
 * - stateful (default): conntrack.ts; ct() looks up/commits/NATs, a probe's reply sees the state.
 * - scripted (`ctNext`): like `ovs-appctl ofproto/trace --ct-next FLAGS`: each recirculation gets
 *   the next ct_state from the list (default trk|new), no NAT, no commit effects. This mode exists
 *   so that the real ofproto/trace can judge the interpreter flow by flow.
 */
import type { OfAction, OfFlow, OfGroup, OfPort, OfProvenance, OpenFlowResult } from '../openflow/types.js';
import { formatOfActions } from '../openflow/format.js';
import type { Ofpact, OfCt, OfNat } from '../expr/actions/ofpact.js';
import type { MfSubfield } from '../expr/actions/mf.js';
import { ACTION_OPCODE } from '../expr/actions/tables.js';
import { CT, L4_READS, N_SLOTS, SLOT, SLOT_NAMES, compileWrite, fieldLayout, mfOf, formatCtState, ones, parseSubfieldText, readField, runWrite, writeField, type ConstWrite, type FieldLayout } from './fields.js';
import { FlowTable } from './table.js';
import { Conntrack, CT_NEW, reverse, type CtTuple } from './conntrack.js';
import { Learned, learnFlow } from './learn.js';

export const MAX_DEPTH = 64;
export const MAX_RESUBMITS = 4096;

const OPCODE_NAME: Record<number, string> = Object.fromEntries(Object.entries(ACTION_OPCODE).map(([k, v]) => [v, k.toLowerCase()]));
const REJECT_OPCODES = new Set<number>([ACTION_OPCODE.REJECT, ACTION_OPCODE.TCP_RESET, ACTION_OPCODE.ICMP4_ERROR, ACTION_OPCODE.ICMP6_ERROR, ACTION_OPCODE.SCTP_ABORT, ACTION_OPCODE.ICMP]);

/** Packet state: slot name → value (missing = 0). */
export type FlowFields = Record<string, bigint>;

export interface TraceStep {
  /** recirculation pass (0 = the packet as received) */
  pass: number;
  depth: number;
  table: number;
  /** undefined = table miss */
  flow?: OfFlow;
  actions: string;
  /** registers, metadata and ct state after the flow's own actions */
  state?: Record<string, string>;
  note?: string;
}

export interface ControllerEvent { opcode: number; name: string; pause: boolean; table: number; flow: OfFlow }

export type VerdictKind = 'delivered' | 'rejected' | 'controller' | 'external' | 'dropped';

export interface ClassifyVerdict {
  kind: VerdictKind;
  /** ofports output to, in order */
  outputs: number[];
  /** port names of the outputs (port map) */
  ports: string[];
  controller: ControllerEvent[];
  /** external: the localnet port the packet would leave by */
  external?: string;
  /** one line */
  summary: string;
}

export interface ClassifyResult {
  verdict: ClassifyVerdict;
  steps: TraceStep[];
  /** the state of each pass at its end (the last is the packet as it left) */
  final: FlowFields;
  notes: string[];
  resubmits: number;
  /** the packet as each output sent it */
  deliveries: Array<{ ofport: number; fields: FlowFields }>;
}

export interface RunOptions {
  /** record steps with states (costly); default false */
  trace?: boolean;
  /** stateful conntrack (kept across runs when passed in); ignored with ctNext */
  conntrack?: Conntrack;
  /** flows installed by learn() (kept across runs when passed in) */
  learned?: Learned;
  /** scripted conntrack: ct_state for each recirculation, in order (then trk|new) */
  ctNext?: bigint[];
  /** first table (default 0) */
  table?: number;
  /**
   * The bucket a multi-bucket select group takes (index into its buckets); undefined: the hash's.
   * Given, no other bucket is tried.
   */
  selectBucket?: (group: OfGroup) => number | undefined;
  /** rerun an undelivered packet with the other buckets of the select groups it met (default true) */
  exploreBuckets?: boolean;
}

/** Bounds the reruns of one packet over select-group buckets (combinations across groups). */
export const MAX_BUCKET_RUNS = 64;

/** One multi-bucket select-group decision of a run, in the order met. */
interface BucketChoice { group: number; buckets: number; chosen: number; /** buckets OVS can pick (weight > 0) */ live: number[] }

/** Localnet ports, so that a packet leaving the cluster can be told from a drop. */
export interface LocalnetPort { name: string; dpKey: number; portKey: number }

export interface ClassifierOptions {
  localnetPorts?: LocalnetPort[];
  /**
   * Router ports that face a switch with a localnet port (the gateway router's external port).
   * A packet that stops at `arp`/`nd_ns` with such an outport is leaving the cluster: its next
   * hop's MAC is learned at run time by ovn-controller (MAC_Binding), which udnc does not run.
   */
  externalRouterPorts?: LocalnetPort[];
  /** port names by datapath key and port key (for trace printing) */
  portNames?: Map<string, string>;
}

interface Frame {
  st: bigint[];
  stack: bigint[];
  /**
   * Header rewrites the datapath did that the translation does not see: NAT by a ct() without
   * recirculation. They are on the wire (outputs) and in any later recirculation.
   */
  wire?: Map<number, bigint>;
}

function onWire(fr: Frame): bigint[] {
  if (!fr.wire?.size) return fr.st;
  const o = [...fr.st];
  for (const [i, v] of fr.wire) o[i] = v;
  return o;
}
const copyFrame = (fr: Frame): Frame => ({ st: [...fr.st], stack: [...fr.stack], ...(fr.wire ? { wire: new Map(fr.wire) } : {}) });

interface RunCtx {
  opts: RunOptions;
  ct: Conntrack;
  learned: Learned;
  scripted: bigint[] | undefined;
  recirc: Array<{ table: number; st: bigint[] }>;
  outputs: number[];
  deliveries: Array<{ ofport: number; fields: FlowFields }>;
  controller: ControllerEvent[];
  steps: TraceStep[];
  notes: string[];
  resubmits: number;
  pass: number;
  stopped: boolean;
  /** the current pass froze (scripted mode, dp_hash group): the rest of it is not translated */
  frozen: boolean;
  external?: string;
  /** bucket indexes to take at the 1st, 2nd, … multi-bucket select group met (then the hash's) */
  forced: readonly number[];
  /** the multi-bucket select-group decisions taken */
  choices: BucketChoice[];
}

const S = SLOT;
const IN_PORT = S['in_port']!;
/** set_field actions compiled once (fields.ts compileWrite) */
const WRITES = new WeakMap<object, ConstWrite>();
const LOG_TO_PHY = 65;

/** Parsed select-group bucket (its ovs-ofctl action text). */
type BucketAction = Ofpact;

export class Classifier {
  readonly tables = new Map<number, FlowTable>();
  readonly ports: OfPort[];
  private readonly portByOf = new Map<number, OfPort>();
  private readonly groups = new Map<number, OfGroup & { parsed: BucketAction[][] }>();
  private readonly localnet = new Map<string, LocalnetPort>();
  private readonly extRouterPorts = new Map<string, LocalnetPort>();
  readonly flowCount: number;

  constructor(of: OpenFlowResult, opts: ClassifierOptions = {}) {
    const byTable = new Map<number, OfFlow[]>();
    for (const f of of.flows) {
      const l = byTable.get(f.table) ?? [];
      l.push(f);
      byTable.set(f.table, l);
    }
    for (const [t, fl] of byTable) this.tables.set(t, new FlowTable(fl));
    this.ports = of.ports;
    for (const p of of.ports) this.portByOf.set(p.ofport, p);
    for (const g of of.groups) this.groups.set(g.id, { ...g, parsed: g.buckets.map((b) => (b.actions.length ? b.actions as Ofpact[] : parseBucketActions(b.actionsText))) });
    for (const l of opts.localnetPorts ?? []) this.localnet.set(`${l.dpKey}|${l.portKey}`, l);
    for (const l of opts.externalRouterPorts ?? []) this.extRouterPorts.set(`${l.dpKey}|${l.portKey}`, l);
    this.flowCount = of.flows.length;
  }

  /** Ports by ofport. */
  port(ofport: number): OfPort | undefined {
    return this.portByOf.get(ofport);
  }

  run(packet: FlowFields, opts: RunOptions = {}): ClassifyResult {
    if (opts.ctNext || opts.selectBucket || opts.exploreBuckets === false) return this.runOnce(packet, opts, []).result;
    const ct = opts.conntrack ?? new Conntrack();
    const learned = opts.learned ?? new Learned();
    const o: RunOptions = { ...opts, conntrack: ct, learned };
    const ct0 = ct.clone();
    const l0 = learned.clone();
    const first = this.runOnce(packet, o, []);
    const delivers = (r: ClassifyResult): boolean => r.verdict.kind === 'delivered' || r.verdict.kind === 'external';
    if (!first.choices.length || delivers(first.result)) return first.result;
    const ct1 = ct.clone();
    const l1 = learned.clone();
    // every other bucket at each decision point the runs meet, breadth first
    const queue: number[][] = [];
    const expand = (forced: readonly number[], choices: readonly BucketChoice[]): void => {
      for (let i = forced.length; i < choices.length; i++) {
        for (const b of choices[i]!.live) {
          if (b !== choices[i]!.chosen) queue.push([...choices.slice(0, i).map((c) => c.chosen), b]);
        }
      }
    };
    expand([], first.choices);
    let runs = 1;
    while (queue.length && runs < MAX_BUCKET_RUNS) {
      const forced = queue.shift()!;
      ct.restore(ct0);
      learned.restore(l0);
      const r = this.runOnce(packet, o, forced);
      runs++;
      if (delivers(r.result)) {
        const text = (cs: readonly BucketChoice[]) => cs.map((c) => `group ${c.group} bucket ${c.chosen}/${c.buckets}`).join(', ');
        r.result.notes.unshift(`select group: the hash's choice (${text(first.choices)}) is ${first.result.verdict.summary}; ${text(r.choices)} delivers, and the load balancer picks a bucket per connection`);
        return r.result;
      }
      expand(forced, r.choices);
    }
    ct.restore(ct1);
    learned.restore(l1);
    first.result.notes.push(`select group: no bucket delivers (${runs} runs over ${first.choices.map((c) => `group ${c.group}`).join(', ')})`);
    return first.result;
  }

  private runOnce(packet: FlowFields, opts: RunOptions, forced: readonly number[]): { result: ClassifyResult; choices: BucketChoice[] } {
    const st: bigint[] = new Array(N_SLOTS).fill(0n);
    for (const [k, v] of Object.entries(packet)) {
      const i = S[k];
      if (i === undefined) throw new Error(`classifier: unknown packet field ${k}`);
      st[i] = v;
    }
    const ctx: RunCtx = {
      opts, ct: opts.conntrack ?? new Conntrack(), learned: opts.learned ?? new Learned(), scripted: opts.ctNext ? [...opts.ctNext] : undefined,
      recirc: [], outputs: [], deliveries: [], controller: [], steps: [], notes: [], resubmits: 0, pass: 0, stopped: false, frozen: false,
      forced, choices: [],
    };
    let frame: Frame = { st, stack: [] };
    this.resubmit(ctx, frame, opts.table ?? 0, 0, 0);
    let last = frame.st;
    while (ctx.recirc.length && !ctx.stopped) {
      const r = ctx.recirc.shift()!;
      ctx.pass++;
      ctx.frozen = false;
      frame = { st: r.st, stack: [] };
      this.resubmit(ctx, frame, r.table, 0, 0);
      last = frame.st;
    }
    const final = toFields(last);
    return { result: { verdict: this.verdict(ctx), steps: ctx.steps, final, notes: ctx.notes, resubmits: ctx.resubmits, deliveries: ctx.deliveries }, choices: ctx.choices };
  }

  private verdict(ctx: RunCtx): ClassifyVerdict {
    const ports = ctx.outputs.map((o) => this.portByOf.get(o)?.name ?? `ofport ${o}`);
    const base = { outputs: ctx.outputs, ports, controller: ctx.controller };
    if (ctx.outputs.length) return { ...base, kind: 'delivered', summary: `delivered to ${ports.map((p, i) => `${p} (ofport ${ctx.outputs[i]})`).join(', ')}` };
    const rej = ctx.controller.find((c) => REJECT_OPCODES.has(c.opcode));
    if (rej) return { ...base, kind: 'rejected', summary: `rejected: controller(${rej.name}) in table ${rej.table}` };
    if (ctx.external) return { ...base, kind: 'external', external: ctx.external, summary: `leaves the cluster by localnet port ${ctx.external}` };
    if (ctx.controller.length) return { ...base, kind: 'controller', summary: `sent to controller: ${ctx.controller.map((c) => c.name).join(', ')}` };
    const lastHit = [...ctx.steps].reverse().find((s) => s.flow);
    return { ...base, kind: 'dropped', summary: lastHit ? `dropped after table ${lastHit.table} priority ${lastHit.flow!.priority}` : 'dropped' };
  }

  /** `depth`: OVS's loop depth; `nest`: nesting for printing. */
  private resubmit(ctx: RunCtx, fr: Frame, table: number, depth: number, nest: number): void {
    if (ctx.stopped || ctx.frozen) return;
    if (depth >= MAX_DEPTH || ++ctx.resubmits > MAX_RESUBMITS) {
      ctx.notes.push(`over max translation depth ${MAX_DEPTH} (or ${MAX_RESUBMITS} resubmits) at table ${table}: packet dropped`);
      ctx.outputs.length = 0;
      ctx.deliveries.length = 0;
      ctx.stopped = true;
      return;
    }
    const t = this.tables.get(table);
    let hit = t?.lookup(fr.st);
    const lt = ctx.learned.table(table);
    if (lt) {
      const lh = lt.lookup(fr.st);
      if (lh && (!hit || lh.priority > hit.priority)) hit = lh;
    }
    if (!hit) {
      if (table === LOG_TO_PHY) this.checkExternal(ctx, fr);
      if (ctx.opts.trace) ctx.steps.push({ pass: ctx.pass, depth: nest, table, actions: 'drop', note: 'no flow matched (table miss)' });
      return;
    }
    const f = hit.flow;
    if (table === LOG_TO_PHY && f.actions.length === 0) this.checkExternal(ctx, fr);
    let step: TraceStep | undefined;
    if (ctx.opts.trace) {
      step = { pass: ctx.pass, depth: nest, table, flow: f, actions: formatOfActions(f.actions) };
      ctx.steps.push(step);
    }
    this.exec(ctx, fr, f.actions, depth, nest, f, step);
  }

  private checkExternal(ctx: RunCtx, fr: Frame): void {
    const l = this.localnet.get(`${fr.st[S['metadata']!]}|${fr.st[S['reg15']!]}`);
    if (l) ctx.external = l.name;
  }

  private exec(ctx: RunCtx, fr: Frame, acts: readonly OfAction[], depth: number, nest: number, flow: OfFlow, step?: TraceStep): void {
    for (let i = 0; i < acts.length && !ctx.stopped && !ctx.frozen; i++) {
      const a = acts[i]!;
      const st = fr.st;
      switch (a.type) {
        case 'set_field': {
          let w = WRITES.get(a);
          if (!w) { w = compileWrite(fieldLayout(a.field.name), a.value, a.mask); WRITES.set(a, w); }
          runWrite(st, w);
          break;
        }
        case 'move': {
          const v = readField(st, fieldLayout(a.src.field.name), a.src.ofs, a.src.nBits);
          writeField(st, fieldLayout(a.dst.field.name), v, ones(a.dst.nBits), a.dst.ofs);
          break;
        }
        case 'push':
          fr.stack.push(readField(st, fieldLayout(a.sf.field.name), a.sf.ofs, a.sf.nBits));
          break;
        case 'pop': {
          const v = fr.stack.pop();
          if (v === undefined) { ctx.notes.push(`table ${flow.table}: pop from empty stack`); break; }
          writeField(st, fieldLayout(a.sf.field.name), v, ones(a.sf.nBits), a.sf.ofs);
          break;
        }
        case 'push_phys': {
          const sf = parseSubfieldText(a.nxm);
          fr.stack.push(readField(st, sf.layout, sf.ofs, sf.nBits));
          break;
        }
        case 'pop_phys': {
          const sf = parseSubfieldText(a.nxm);
          const v = fr.stack.pop() ?? 0n;
          writeField(st, sf.layout, v, ones(sf.nBits), sf.ofs);
          break;
        }
        case 'move_phys': {
          const s = parseSubfieldText(a.src);
          const d = parseSubfieldText(a.dst);
          writeField(st, d.layout, readField(st, s.layout, s.ofs, s.nBits), ones(d.nBits), d.ofs);
          break;
        }
        case 'set_phys':
          writeField(st, fieldLayout(a.field), a.value, a.mask ?? ones(fieldLayout(a.field).nBits));
          break;
        case 'resubmit':
          if (step && ctx.opts.trace) step.state ??= snapshot(st);
          this.resubmit(ctx, fr, a.table, a.table <= flow.table ? depth + 1 : depth, nest + 1);
          break;
        case 'output':
          if (BigInt(a.port) === st[IN_PORT]) { ctx.notes.push(`table ${flow.table}: skipping output to input port ${a.port}`); break; }
          ctx.outputs.push(a.port);
          ctx.deliveries.push({ ofport: a.port, fields: toFields(onWire(fr)) });
          break;
        case 'conjunction':
          break; // only meaningful as a lookup result (table.ts)
        case 'clone': {
          const sub = copyFrame(fr);
          this.exec(ctx, sub, a.actions, depth, nest, flow, undefined);
          break;
        }
        case 'group': {
          const g = this.groups.get(a.id);
          if (!g || !g.buckets.length) { ctx.notes.push(`group ${a.id}: no such group or no buckets: drop`); break; }
          if (ctx.scripted && g.selectionMethod === 'dp_hash') {
            // ovs-vswitchd translates a dp_hash select group as hash(l4(0)),recirc and freezes the
            // rest of the pass; ofproto/trace does not follow that recirculation ("no live
            // bucket"), so in its compatible mode the pass ends here.
            ctx.notes.push(`group ${a.id}: dp_hash selection: hash + recirculation, not followed (ofproto/trace mode)`);
            ctx.frozen = true;
            break;
          }
          const b = this.chooseBucket(ctx, g, st);
          if (ctx.opts.trace) ctx.steps.push({ pass: ctx.pass, depth: nest + 1, table: flow.table, actions: g.buckets[b]!.actionsText, note: `group ${a.id} bucket ${g.buckets[b]!.bucketId}` });
          const sub = copyFrame(fr);
          this.exec(ctx, sub, g.parsed[b]!, depth, nest, flow, undefined);
          break;
        }
        case 'ct':
          this.ct(ctx, fr, a, flow);
          break;
        case 'ct_clear':
          for (const n of ['ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'ct_nw_src', 'ct_nw_dst', 'ct_nw_proto', 'ct_tp_src', 'ct_tp_dst', 'ct_ipv6_src', 'ct_ipv6_dst']) st[S[n]!] = 0n;
          break;
        case 'controller': {
          const u = a.userdata;
          const opcode = u.length >= 4 ? ((u[0]! << 24) | (u[1]! << 16) | (u[2]! << 8) | u[3]!) >>> 0 : -1;
          ctx.controller.push({ opcode, name: OPCODE_NAME[opcode] ?? `opcode ${opcode}`, pause: a.pause, table: flow.table, flow });
          if (opcode === ACTION_OPCODE.ARP || opcode === ACTION_OPCODE.ND_NS) {
            const ext = this.extRouterPorts.get(`${st[S['metadata']!]}|${st[S['reg15']!]}`);
            if (ext) ctx.external ??= `${ext.name} (next hop MAC unresolved: ${OPCODE_NAME[opcode]})`;
          }
          if (a.pause) { ctx.stopped = true; }
          break;
        }
        case 'dec_ttl': {
          const ttl = st[S['nw_ttl']!]!;
          if (ttl <= 1n) { ctx.notes.push(`table ${flow.table}: dec_ttl: TTL expired`); return; }
          st[S['nw_ttl']!] = ttl - 1n;
          break;
        }
        case 'check_pkt_larger':
          // udnc's probes are small packets: the result bit is always 0.
          writeField(st, fieldLayout(a.dst.field.name), 0n, ones(a.dst.nBits), a.dst.ofs);
          break;
        case 'nat':
          ctx.notes.push(`table ${flow.table}: nat outside ct() ignored`);
          break;
        case 'learn': {
          const lf = learnFlow(a.text, st, flow.table);
          ctx.learned.add(lf);
          if (ctx.opts.trace) ctx.notes.push(`table ${flow.table}: learned table=${lf.table},priority=${lf.priority},${lf.text} actions=${formatOfActions(lf.actions)}`);
          break;
        }
        case 'note': case 'sample': case 'meter': case 'set_queue':
          break;
      }
    }
    if (step && ctx.opts.trace) step.state ??= snapshot(fr.st);
  }

  private chooseBucket(ctx: RunCtx, g: OfGroup, st: bigint[]): number {
    if (ctx.scripted || g.buckets.length === 1) return 0;
    const i = ctx.choices.length;
    const pinned = ctx.forced[i] ?? ctx.opts.selectBucket?.(g);
    const chosen = pinned !== undefined && pinned >= 0 && pinned < g.buckets.length ? pinned : this.hashBucket(g, st);
    ctx.choices.push({ group: g.id, buckets: g.buckets.length, chosen, live: g.buckets.flatMap((b, j) => (b.weight > 0 ? [j] : [])) });
    return chosen;
  }

  private hashBucket(g: OfGroup, st: bigint[]): number {
    const total = g.buckets.reduce((s, b) => s + b.weight, 0);
    if (total <= 0) return 0;
    let h = fnv1a(`${st[S['nw_src']!]}|${st[S['ipv6_src']!]}|${st[S['tp_src']!]}|${st[S['nw_dst']!]}|${st[S['ipv6_dst']!]}|${st[S['tp_dst']!]}|${st[S['nw_proto']!]}`) % total;
    for (let i = 0; i < g.buckets.length; i++) {
      h -= g.buckets[i]!.weight;
      if (h < 0) return i;
    }
    return g.buckets.length - 1;
  }

  private ct(ctx: RunCtx, fr: Frame, a: OfCt, flow: OfFlow): void {
    const st = onWire(fr);
    const zone = Number(readField(st, fieldLayout(a.zone.field.name), a.zone.ofs, a.zone.nBits));
    const nat = a.actions.find((x): x is OfNat => x.type === 'nat');
    const exec = a.actions.filter((x) => x.type !== 'nat');
    if (ctx.scripted) {
      if (a.table === null) return;
      const next = [...fr.st];
      next[S['ct_state']!] = ctx.scripted.length ? ctx.scripted.shift()! : CT_NEW;
      next[S['ct_zone']!] = BigInt(zone);
      ctx.recirc.push({ table: a.table, st: next });
      return;
    }
    const isIp = st[S['dl_type']!] === 0x800n || st[S['dl_type']!] === 0x86ddn;
    const out = [...st];
    if (!isIp) {
      out[S['ct_state']!] = CT.trk | CT.inv;
    } else {
      const t = tupleOf(st);
      const hit = ctx.ct.lookup(zone, t);
      let state: bigint;
      let mark: bigint;
      let label: bigint;
      let origT: CtTuple;
      if (hit) {
        const e = hit.entry;
        // new until the reply direction has been seen (conntrack.ts)
        if (hit.reply) e.replied = true;
        state = CT.trk | (e.replied ? CT.est : CT.new) | (hit.reply ? CT.rpl : 0n);
        origT = e.orig;
        if (nat && (e.nat.dst || e.nat.src)) {
          // translate to the other direction's view: original → reverse(reply), reply → reverse(orig)
          setTuple(out, hit.reply ? reverse(e.orig) : reverse(e.reply));
          if (e.nat.dst) state |= CT.dnat;
          if (e.nat.src) state |= CT.snat;
        }
        if (a.commit) {
          const m = applyExec(exec, e.mark, e.label);
          e.mark = m.mark;
          e.label = m.label;
        }
        mark = e.mark;
        label = e.label;
      } else {
        state = CT_NEW;
        origT = t;
        let translated = t;
        if (nat && nat.kind && nat.family) {
          translated = { ...t };
          if (nat.kind === 'dst') {
            translated.dst = nat.addr;
            if (nat.portMin) translated.dport = nat.portMin;
            state |= CT.dnat;
          } else {
            translated.src = nat.addr;
            if (nat.portMin) translated.sport = nat.portMin;
            state |= CT.snat;
          }
        }
        const m = applyExec(exec, 0n, 0n);
        mark = a.commit ? m.mark : 0n;
        label = a.commit ? m.label : 0n;
        if (a.commit) {
          ctx.ct.commit({ zone, orig: t, reply: reverse(translated), mark, label, nat: { src: nat?.kind === 'src' && !!nat.family, dst: nat?.kind === 'dst' && !!nat.family } });
          if (translated !== t) setTuple(out, translated);
        } else if (translated !== t) {
          ctx.notes.push(`table ${flow.table}: nat on an uncommitted connection ignored`);
          state &= ~(CT.dnat | CT.snat);
        }
      }
      out[S['ct_state']!] = state;
      out[S['ct_mark']!] = mark;
      out[S['ct_label']!] = label;
      if (origT.v6) {
        out[S['ct_ipv6_src']!] = origT.src;
        out[S['ct_ipv6_dst']!] = origT.dst;
      } else {
        out[S['ct_nw_src']!] = origT.src;
        out[S['ct_nw_dst']!] = origT.dst;
      }
      out[S['ct_nw_proto']!] = BigInt(origT.proto);
      out[S['ct_tp_src']!] = BigInt(origT.sport);
      out[S['ct_tp_dst']!] = BigInt(origT.dport);
    }
    out[S['ct_zone']!] = BigInt(zone);
    if (a.table !== null) { ctx.recirc.push({ table: a.table, st: out }); return; }
    // Without recirculation OVS hides the ct results from the following actions; NAT done by the
    // datapath is not visible to the translation either, only on the wire.
    for (const n of ['nw_src', 'nw_dst', 'ipv6_src', 'ipv6_dst', 'tp_src', 'tp_dst']) {
      const i = S[n]!;
      if (out[i] !== st[i]) (fr.wire ??= new Map()).set(i, out[i]!);
    }
  }
}

function toFields(st: readonly bigint[]): FlowFields {
  const o: FlowFields = {};
  for (let i = 0; i < st.length; i++) if (st[i] !== 0n) o[SLOT_NAMES[i]!] = st[i]!;
  return o;
}

function applyExec(exec: readonly Ofpact[], mark: bigint, label: bigint): { mark: bigint; label: bigint } {
  for (const x of exec) {
    if (x.type !== 'set_field') continue;
    if (x.field.name === 'ct_mark') mark = (mark & ~x.mask) | (x.value & x.mask);
    else if (x.field.name === 'ct_label') label = (label & ~x.mask) | (x.value & x.mask);
  }
  return { mark, label };
}

function tupleOf(st: bigint[]): CtTuple {
  const v6 = st[S['dl_type']!] === 0x86ddn;
  const proto = Number(st[S['nw_proto']!]);
  const l4 = proto === 6 || proto === 17 || proto === 132;
  return {
    v6, proto,
    src: v6 ? st[S['ipv6_src']!]! : st[S['nw_src']!]!,
    dst: v6 ? st[S['ipv6_dst']!]! : st[S['nw_dst']!]!,
    sport: l4 ? Number(st[S['tp_src']!]) : 0,
    dport: l4 ? Number(st[S['tp_dst']!]) : 0,
  };
}

function setTuple(st: bigint[], t: CtTuple): void {
  L4_READS.wrote = true; // NAT: the cross-check's port classes must know (crosscheck.ts PortClasses)
  if (t.v6) { st[S['ipv6_src']!] = t.src; st[S['ipv6_dst']!] = t.dst; }
  else { st[S['nw_src']!] = t.src; st[S['nw_dst']!] = t.dst; }
  if (t.proto === 6 || t.proto === 17 || t.proto === 132) { st[S['tp_src']!] = BigInt(t.sport); st[S['tp_dst']!] = BigInt(t.dport); }
}

const SNAP = ['metadata', ...Array.from({ length: 16 }, (_, i) => `reg${i}`), 'ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'in_port'];
function snapshot(st: bigint[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (const n of SNAP) {
    const v = st[S[n]!]!;
    if (v === 0n) continue;
    o[n] = n === 'ct_state' ? formatCtState(v) : n === 'in_port' || n === 'ct_zone' ? v.toString() : `0x${v.toString(16)}`;
  }
  return o;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Group bucket actions (ovs-ofctl text; the openflow stage leaves bucket.actions empty).

/** Splits on commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function subfieldOf(text: string): MfSubfield {
  const sf = parseSubfieldText(text);
  return { field: mfOf(sf.layout), ofs: sf.ofs, nBits: sf.nBits };
}

function parseIpText(s: string): { v: bigint; v6: boolean } {
  if (s.includes(':')) {
    const [h, t] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
    const hs = h ? h.split(':') : [];
    const ts = t ? t.split(':') : [];
    const gs = t !== undefined ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
    return { v: gs.reduce((a: bigint, g: string) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n), v6: true };
  }
  return { v: s.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n), v6: false };
}

function parseValue(v: string, layout: FieldLayout): bigint {
  if (/^0x[0-9a-f]+$/i.test(v) || /^\d+$/.test(v)) return BigInt(v);
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v)) return BigInt('0x' + v.split(':').join(''));
  if (/^[\d.]+$/.test(v) || v.includes(':')) return parseIpText(v).v;
  throw new Error(`classifier: cannot parse value ${v} for ${layout.name}`);
}

/** The subset of ovs-ofctl action syntax that OVN's group buckets use: ct(...), set_field, move, resubmit. */
export function parseBucketActions(text: string): Ofpact[] {
  const out: Ofpact[] = [];
  for (const tok of splitTop(text.trim())) {
    const t = tok.trim();
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = /^ct\((.*)\)$/.exec(t))) {
      const ct: OfCt = { type: 'ct', commit: false, table: null, zone: subfieldOf('NXM_NX_REG13[0..15]'), actions: [] };
      let zoneImm: number | undefined;
      for (const arg of splitTop(m[1]!)) {
        let n: RegExpExecArray | null;
        if (arg === 'commit') ct.commit = true;
        else if ((n = /^table=(\d+)$/.exec(arg))) ct.table = Number(n[1]);
        else if ((n = /^zone=(\d+)$/.exec(arg))) zoneImm = Number(n[1]);
        else if ((n = /^zone=(.+)$/.exec(arg))) ct.zone = subfieldOf(n[1]!);
        else if ((n = /^nat(?:\((src|dst)(?:=(.*))?\))?$/.exec(arg))) {
          const nat: OfNat = { type: 'nat', kind: (n[1] as 'src' | 'dst' | undefined) ?? null, family: null, addr: 0n, portMin: 0, portMax: 0, random: false };
          if (n[2]) {
            const parts = splitTop(n[2]);
            const a = parts[0]!;
            const br = /^\[([^\]]+)\](?::(\d+)(?:-(\d+))?)?$/.exec(a);
            const v4 = /^([\d.]+)(?:-[\d.]+)?(?::(\d+)(?:-(\d+))?)?$/.exec(a);
            const hit = br ?? v4;
            if (hit) {
              const ip = parseIpText(hit[1]!);
              nat.family = ip.v6 ? 'ipv6' : 'ipv4';
              nat.addr = ip.v;
              if (hit[2]) { nat.portMin = Number(hit[2]); nat.portMax = Number(hit[3] ?? hit[2]); }
            } else {
              const ip = parseIpText(a);
              nat.family = ip.v6 ? 'ipv6' : 'ipv4';
              nat.addr = ip.v;
            }
            nat.random = parts.includes('random');
          }
          ct.actions.unshift(nat);
        } else if ((n = /^exec\((.*)\)$/.exec(arg))) ct.actions.push(...parseBucketActions(n[1]!));
        else throw new Error(`classifier: unsupported ct() argument '${arg}' in group bucket`);
      }
      if (zoneImm !== undefined) {
        // An immediate zone: model it as a constant read from an otherwise unused slot is not
        // possible; OVN's buckets always use a register zone.
        throw new Error(`classifier: immediate ct zone ${zoneImm} in a group bucket is not supported`);
      }
      out.push(ct);
    } else if ((m = /^set_field:([^/]+?)(?:\/(\S+))?->(\w+)$/.exec(t))) {
      const layout = fieldLayout(m[3]!);
      const value = parseValue(m[1]!, layout);
      const mask = m[2] !== undefined ? parseValue(m[2], layout) : ones(layout.nBits);
      out.push({ type: 'set_field', field: mfOf(layout), value, mask });
    } else if ((m = /^move:(\S+)->(\S+)$/.exec(t))) {
      out.push({ type: 'move', src: subfieldOf(m[1]!), dst: subfieldOf(m[2]!) });
    } else if ((m = /^resubmit\(,(\d+)\)$/.exec(t))) {
      out.push({ type: 'resubmit', table: Number(m[1]) });
    } else {
      throw new Error(`classifier: unsupported group bucket action '${t}'`);
    }
  }
  return out;
}

export type { OfProvenance };
