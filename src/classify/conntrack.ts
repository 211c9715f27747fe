/**
 * A conntrack model sufficient for OVN's use of ct(): per-zone connection table keyed by the
 * 5-tuple, original/reply direction, commit, ct_mark/ct_label written by exec() on commit,
 * and NAT bindings (dst for load balancing, src for gateway SNAT) applied by `nat` on later
 * packets of the connection in both directions.
 *
 * A connection is `new` until a packet of its reply direction has been seen, `est` from then on:
 * OVS's userspace conntrack answers a repeated original-direction packet of an unanswered
 * connection (a retransmitted SYN: SYN_SENT; UDP/other: not yet bidirectional) with
 * CT_UPDATE_VALID_NEW (+new), and the kernel's IP_CT_NEW lasts until a reply too. Seen on the real
 * OVS 3.5 datapath (test/datapath-oracle.test.ts: a retransmitted SYN to an affinity VIP is +new).
 *
 * Not modelled: TCP window tracking, `rel` (ICMP errors), `inv`, timeouts, port allocation for
 * SNAT without a port.
 */
import { CT } from './fields.js';

export interface CtTuple {
  src: bigint;
  dst: bigint;
  proto: number;
  sport: number;
  dport: number;
  v6: boolean;
}

export interface CtEntry {
  zone: number;
  orig: CtTuple;
  /** the tuple reply packets carry (after NAT) */
  reply: CtTuple;
  mark: bigint;
  label: bigint;
  /** which NAT was set up when committing */
  nat: { src: boolean; dst: boolean };
  /** a reply-direction packet went through conntrack: later packets are `est` */
  replied?: boolean;
}

export interface CtHit {
  entry: CtEntry;
  reply: boolean;
}

const tkey = (zone: number, t: CtTuple): string => `${zone}|${t.v6 ? 6 : 4}|${t.proto}|${t.src.toString(16)}:${t.sport}>${t.dst.toString(16)}:${t.dport}`;

export const reverse = (t: CtTuple): CtTuple => ({ src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport, v6: t.v6 });

export class Conntrack {
  private readonly table = new Map<string, CtHit>();

  lookup(zone: number, t: CtTuple): CtHit | undefined {
    return this.table.get(tkey(zone, t));
  }

  commit(e: CtEntry): void {
    this.table.set(tkey(e.zone, e.orig), { entry: e, reply: false });
    this.table.set(tkey(e.zone, e.reply), { entry: e, reply: true });
  }

  get size(): number {
    return this.table.size / 2;
  }

  /** All committed connections (for printing). */
  entries(): CtEntry[] {
    return [...new Set([...this.table.values()].map((h) => h.entry))];
  }

  /** Deep copy: a probe's forward and reply packets can share one without touching others. */
  clone(): Conntrack {
    const c = new Conntrack();
    c.restore(this);
    return c;
  }

  /** Makes this table a deep copy of `from` (in place: holders of this object see the change). */
  restore(from: Conntrack): void {
    const entries = from.entries();
    this.table.clear();
    for (const e of entries) this.commit({ ...e, orig: { ...e.orig }, reply: { ...e.reply }, nat: { ...e.nat } });
  }
}

export const CT_NEW = CT.trk | CT.new;
