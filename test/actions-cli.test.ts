import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

function capture(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => stdin },
  };
}

describe('udnc action', () => {
  it('prints what test-ovn prints, in the vectors environment by default', async () => {
    const c = capture();
    expect(await main(['action', 'tcp.dst=80; next;'], c.io)).toBe(0);
    expect(c.out.join('')).toBe(
      'formats as tcp.dst = 80; next;\n' +
      'encodes as set_field:80->tcp_dst,resubmit(,19)\n' +
      'has prereqs ip.proto == 0x6 && (eth.type == 0x800 || eth.type == 0x86dd)\n');
  });

  it('honours --table and --pipeline', async () => {
    const c = capture();
    expect(await main(['action', 'ct_next;', '--table', '3', '--pipeline', 'egress'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('encodes as ct(table=49,zone=NXM_NX_REG13[0..15])\n');
  });

  it('--router uses the DNAT/SNAT zones and --controller the real output table', async () => {
    const c = capture();
    expect(await main(['action', 'ct_next(snat); output;', '--router', '--controller', '--table', '4'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('encodes as ct(table=13,zone=NXM_NX_REG12[0..15]),resubmit(,40)\n');
  });

  it('reports OVN\'s error text with exit code 2', async () => {
    const c = capture();
    expect(await main(['action', 'next(24);'], c.io)).toBe(2);
    expect(c.err.join('')).toBe('"next" action cannot advance beyond table 23.\n');
  });

  it('reads actions from stdin and prints JSON', async () => {
    const c = capture('outport = "p1"; output;\n');
    expect(await main(['action', '-', '--port', 'p1=7', '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.ofpacts).toBe('set_field:0x7->reg15,resubmit(,64)');
    expect(j.prereqs).toBeNull();
  });
});
