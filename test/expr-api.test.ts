/** Public API of src/expr, the grammar entry points and `udnc expr`. */
import { describe, expect, it } from 'vitest';
import { expandTemplates } from '../grammar/match-parser.js';
import {
  ExprError, annotateExpr, exprToFlows, exprToMatchObjects, formatExpr, normalizeExpr, parseExpr,
  resolveField, lookupSymbol, simplifyExpr, testSymtab, getSymtab, symbolIsWritable,
} from '../src/expr/index.js';
import { main } from '../src/cli/main.js';

const env = { addressSets: { as: ['10.0.0.1', '10.0.0.2', 'bogus'] }, portGroups: { pg: ['p1', 'p2'] }, ports: { p1: 1, p2: 2 } };

describe('step functions', () => {
  it('are pure and chain like test-ovn', () => {
    const p = parseExpr('tcp.dst == {80, 443} && ip4.src == $as', env);
    const before = formatExpr(p);
    const a = annotateExpr(p);
    expect(formatExpr(p)).toBe(before);
    const s = simplifyExpr(a, env);
    const n = normalizeExpr(s);
    expect(formatExpr(n)).toBe('eth.type == 0x800 && ip.proto == 0x6 && (ip4.src == 0xa000001 || ip4.src == 0xa000002) && (tcp.dst == 0x50 || tcp.dst == 0x1bb)');
  });

  it('reports OVN messages with the column of the offending token', () => {
    try {
      parseExpr('ip4.src == 1.2.3.4 && tcp.dst = 80', env);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExprError);
      expect((e as ExprError).message).toBe("Syntax error at `=' expecting relational operator.");
      expect((e as ExprError).column).toBe(31);
    }
  });

  it('resolves @pg through the SB name "<dp>_<pg>" first, then the plain name', () => {
    expect(exprToFlows('outport == @pg', env).sort()).toEqual(['reg15=0x1', 'reg15=0x2']);
    expect(exprToFlows('outport == @pg', { ...env, portGroups: { '7_pg': ['p1'], pg: ['p2'] } }, { dpId: 7 })).toEqual(['reg15=0x1']);
  });

  it('exprToFlows returns the error line like test-ovn', () => {
    expect(exprToFlows('ip4.src == $nope', env)).toEqual(["Syntax error at `$nope' expecting address set name."]);
    expect(exprToFlows('ip4.src == {1.2.3.4} && ip6', env)).toEqual(['(no flows)']);
  });

  it('structured matches carry OVS flow fields and conjunctions', () => {
    const r = exprToMatchObjects('outport == @pg && ip4.src == $as', env);
    expect(r.nConjs).toBe(1);
    const conjFlow = r.matches.find((m) => m.fields.conj_id);
    expect(conjFlow?.text).toBe('conj_id=1,ip');
    const member = r.matches.find((m) => m.fields.reg15?.value === 2n)!;
    expect(member.conjunctions).toEqual([{ id: 1, clause: 1, nClauses: 2 }]);
    expect(member.fields.dl_type).toEqual({ value: 0x800n, mask: 0xffffn });
  });

  it('expands ^templates textually', () => {
    expect(expandTemplates('ip4.dst == ^vip && tcp.dst == ^port', { vip: '10.0.0.1', port: '80' })).toBe('ip4.dst == 10.0.0.1 && tcp.dst == 80');
  });
});

describe('symtab lookup API', () => {
  it('resolves subfields to OVS fields and bit ranges', () => {
    expect(resolveField(lookupSymbol('reg0')!, 1, 1)).toMatchObject({ mf: 'xxreg0', nxm: 'NXM_NX_XXREG0', ofs: 97, nBits: 1 });
    expect(resolveField(lookupSymbol('reg8')!, 30, 2)).toMatchObject({ mf: 'xreg4', ofs: 62, nBits: 2 });
    expect(resolveField(lookupSymbol('ct_label.label')!)).toMatchObject({ mf: 'ct_label', ofs: 96, nBits: 32 });
    expect(resolveField(lookupSymbol('outport')!)).toMatchObject({ mf: 'reg15', ofs: 0, nBits: 32 });
  });
  it('knows levels, write scopes and test-only symbols', () => {
    expect(lookupSymbol('ip')!.level).toBe('nominal');
    expect(lookupSymbol('vlan.present')!.level).toBe('Boolean');
    expect(lookupSymbol('ct_mark.blocked')!.rw).toBe(2);
    expect(symbolIsWritable(lookupSymbol('ct.new')!)).toBe(false);
    expect(lookupSymbol('eth.type')!.mustCrossproduct).toBe(true);
    expect(getSymtab().has('big_string')).toBe(false);
    expect(testSymtab().has('big_string')).toBe(true);
  });
});

describe('udnc expr', () => {
  const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await main(['expr', ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, readStdin: async () => '' });
    return { code, out, err };
  };
  it('prints each step like test-ovn (test-ovn environment by default)', async () => {
    expect((await run('parse', '!(vlan.pcp != 0x4)')).out).toBe('vlan.pcp == 0x4\n');
    expect((await run('annotate', 'ip4.src == 1.2.3.4')).out).toBe('ip4.src == 0x1020304 && eth.type == 0x800\n');
    expect((await run('simplify', 'is_chassis_resident("eth1")')).out).toBe('1\n');
    expect((await run('flows', 'ip4.src == $set1')).out).toBe('ip,nw_src=10.0.0.1\nip,nw_src=10.0.0.2\nip,nw_src=10.0.0.3\n');
  });
  it('takes --address-set/--port-group/--port', async () => {
    const r = await run('flows', 'outport == @g && ip4.src == $s', '--address-set', 's=1.1.1.1', '--port-group=g=a', '--port', 'a=0x10');
    expect(r.out).toBe('ip,reg15=0x10,nw_src=1.1.1.1\n');
  });
  it('exits 2 with the OVN message on error', async () => {
    const r = await run('parse', 'eth.type');
    expect(r.code).toBe(2);
    expect(r.err).toBe("Explicit `!= 0' is required for inequality test of multibit field against 0.\n");
    expect((await run('bogus', 'x')).code).toBe(2);
  });
});

describe('compile options', () => {
  it('ANDs action prerequisites before annotation and honours isChassisResident', () => {
    const prereqs = parseExpr('ip', env);
    expect(exprToFlows('outport == "p1"', env, { prereqs }).sort()).toEqual(['ip,reg15=0x1', 'ipv6,reg15=0x1']);
    expect(exprToFlows('is_chassis_resident("p1")', env, { isChassisResident: () => false })).toEqual(['(no flows)']);
    expect(exprToFlows('is_chassis_resident("p1")', env)).toEqual(['']);
  });
});
