/**
 * A conntrack model sufficient for OVN's use of ct(): per-zone connection table keyed by the
 * 5-tuple, original/reply direction, commit, ct_mark/ct_label written by exec() on commit,
 * and NAT bindings (dst for load balancing, src for gateway SNAT) applied by `nat` on later
 * packets of the connection in both directions.
 *
 * Not modelled: TCP window/state tracking (every committed connection is `est` from its second
 * packet on), `rel` (ICMP errors), `inv`, timeouts, port allocation for SNAT without a port.
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
    for (const e of this.entries()) c.commit({ ...e, orig: { ...e.orig }, reply: { ...e.reply }, nat: { ...e.nat } });
    return c;
  }
}

export const CT_NEW = CT.trk | CT.new;
