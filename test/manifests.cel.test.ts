import { describe, expect, it } from 'vitest';
import { compileRule, evalRule, parseCIDR, parseIP } from '../src/manifests/cel.js';

const run = (rule: string, self: unknown): boolean | string => evalRule(compileRule(rule), self);

describe('CEL subset', () => {
  it('evaluates the CRD rule shapes', () => {
    const topo = "has(self.topology) && self.topology == 'Layer3' ? has(self.layer3) : !has(self.layer3)";
    expect(run(topo, { topology: 'Layer3', layer3: {} })).toBe(true);
    expect(run(topo, { topology: 'Layer2', layer3: {} })).toBe(false);
    expect(run(topo, { topology: 'Layer2' })).toBe(true);
    const fam = 'size(self) != 2 || !isCIDR(self[0]) || !isCIDR(self[1]) || cidr(self[0]).ip().family() != cidr(self[1]).ip().family()';
    expect(run(fam, ['10.0.0.0/16', 'fd00::/64'])).toBe(true);
    expect(run(fam, ['10.0.0.0/16', '10.1.0.0/16'])).toBe(false);
    expect(run(fam, ['10.0.0.0/16'])).toBe(true);
    expect(run("self.all(s, cidr(s).masked() == cidr(s))", ['10.0.0.0/16'])).toBe(true);
    expect(run("self.all(s, cidr(s).masked() == cidr(s))", ['10.0.0.1/16'])).toBe(false);
    expect(run("self.exists_one(i, i > 2)", [1, 3, 2])).toBe(true);
    expect(run("self.exists_one(i, i > 0)", [1, 3, 2])).toBe(false);
    expect(run("cidr('10.0.0.0/8').containsIP('10.9.8.7') && !cidr('10.0.0.0/8').containsCIDR('0.0.0.0/0')", null)).toBe(true);
    expect(run("self.split(':').size() == 2 && uint(self.split(':')[1]) <= 65535u", '100:200')).toBe(true);
    expect(run("self.matches('^[^,:]+$')", 'a,b')).toBe(false);
  });

  it('absorbs errors in || and && the way CEL does, and reports the rest', () => {
    expect(run('true || self.missing', {})).toBe(true);
    expect(run('self.missing || true', {})).toBe(true);
    expect(run('false && self.missing', {})).toBe(false);
    expect(run('self.missing == 1', {})).toBe('no such key: missing');
  });

  it('marks transition rules', () => {
    expect(compileRule('self == oldSelf').transition).toBe(true);
    expect(compileRule('self == 1').transition).toBe(false);
  });

  it('parses IPs and CIDRs like Kubernetes', () => {
    expect(parseIP('10.0.0.1')?.family).toBe(4);
    expect(parseIP('010.0.0.1')).toBeUndefined(); // leading zeros are ambiguous
    expect(parseIP('fd00::1')?.toString()).toBe('fd00::1');
    expect(parseIP('::ffff:1.2.3.4')).toBeUndefined(); // IPv4-mapped IPv6
    expect(parseIP('64:ff9b::1.2.3.4')?.family).toBe(6);
    expect(parseIP('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseCIDR('10.0.0.0/33')).toBeUndefined();
    expect(parseCIDR('fd00::/64')?.prefix).toBe(64);
    expect(parseCIDR('10.1.2.3/8')?.masked().toString()).toBe('10.0.0.0/8');
  });
});
