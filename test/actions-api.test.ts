/** The public API of src/expr/actions beyond what the vector and oracle suites exercise. */
import { describe, expect, it } from 'vitest';
import {
  controllerContext, encodeActions, ExtendTable, formatActions, parseActions, testOvnContext, ActionError,
} from '../src/expr/actions/index.js';
import { formatExpr, parseExpr, getSymtab } from '../src/expr/index.js';

const ctl = (over: Partial<Parameters<typeof controllerContext>[0]> = {}) => controllerContext({
  pipeline: 'ingress', table: 3, isSwitch: false, ports: { 'r0-sw0': 1 }, lflowUuid: 'deadbeef-0000-0000-0000-000000000000', dpKey: 3, ...over,
});

describe('actions API', () => {
  it('returns prerequisites both as text and as an expression to AND with the match', () => {
    const r = encodeActions('tcp.dst = 80; ct_next;', ctl());
    expect(r.prereqs).toBe('ip.proto == 0x6 && (eth.type == 0x800 || eth.type == 0x86dd) && ip');
    expect(formatExpr(r.prereqsExpr!)).toBe(r.prereqs);
    // What ovn-controller does: expr_combine(AND, match, prereqs), which flattens nested ANDs.
    const match = parseExpr('inport == "r0-sw0"', undefined, { symtab: getSymtab() });
    const p = r.prereqsExpr!;
    expect(p.type).toBe('and');
    const combined = { type: 'and' as const, subs: [match, ...(p.type === 'and' ? p.subs : [p])] };
    expect(formatExpr(combined)).toBe(`inport == "r0-sw0" && ${r.prereqs}`);
    expect(encodeActions('next;', ctl()).prereqsExpr).toBeNull();
  });

  it('prints dec_ttl as test-ovn does or as dump-flows shows it', () => {
    expect(encodeActions('ip.ttl--; next;', testOvnContext()).ofpacts).toBe('dec_ttl,resubmit(,19)');
    expect(encodeActions('ip.ttl--; next;', ctl()).ofpacts).toBe('dec_ttl(),resubmit(,12)');
  });

  it('uses the router zones and the real output tables in controllerContext', () => {
    expect(encodeActions('ct_next; output;', ctl()).ofpacts).toBe('ct(table=12,zone=NXM_NX_REG11[0..15]),resubmit(,40)');
    expect(encodeActions('ct_next(snat); output;', ctl({ pipeline: 'egress' })).ofpacts).toBe('ct(table=49,zone=NXM_NX_REG12[0..15]),resubmit(,64)');
    expect(encodeActions('ct_commit { ct_mark.blocked = 1; };', ctl()).ofpacts)
      .toBe('ct(commit,zone=NXM_NX_REG11[0..15],nat(src),exec(set_field:0x1/0x1->ct_mark))');
  });

  it('shares group ids through the ExtendTable: same definition, same id', () => {
    const groups = new ExtendTable();
    const a = encodeActions('ct_lb_mark(backends=10.0.0.1:80);', ctl({ groups }));
    const b = encodeActions('ct_lb_mark(backends=10.0.0.2:80);', ctl({ groups }));
    const c = encodeActions('ct_lb_mark(backends=10.0.0.1:80);', ctl({ groups }));
    expect([a.ofpacts, b.ofpacts, c.ofpacts]).toEqual(['group:1', 'group:2', 'group:1']);
    expect(groups.entries().map((e) => e.id)).toEqual([1, 2]);
  });

  it('formats to OVN canonical text and throws ActionError with OVN wording', () => {
    expect(formatActions(parseActions('next(pipeline=egress);ct_dnat(10.0.0.1, 1-10);', ctl()).actions))
      .toBe('next(pipeline=egress, table=4); ct_dnat(10.0.0.1,1-10);');
    expect(() => parseActions('ct_mark = 1;', ctl())).toThrow(new ActionError('Field ct_mark is not modifiable.'));
  });
});
