import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), isTTY: false, readStdin: async () => '' },
  };
}
const FX = (n: string) => join(__dirname, '..', 'fixtures', n);

describe('udnc trace', () => {
  it('has honest help', async () => {
    const c = capture();
    expect(await main(['trace', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('--reply');
  });

  it('pod → Service VIP with --reply: DNAT to the endpoint, the reply comes back, provenance to lflow/NB/k8s', async () => {
    const c = capture();
    const code = await main(['trace', FX('04-service-loadbalancer-on-cudn'), '--from', 'red-namespace/red-pod', '--to', 'svc/red-namespace/webapp', '--port', '80', '--reply'], c.io);
    const text = c.out.join('');
    expect(code).toBe(0);
    expect(text).toContain('result: ALLOWED');
    expect(text).toMatch(/group 2 bucket 0|group \d+ bucket 0/);
    expect(text).toContain('ct_state=new|trk|dnat');
    expect(text).toContain('reply: in_port=');
    expect(text).toMatch(/k8s Service red-namespace\/webapp \(.*04-service-loadbalancer-on-cudn\.yaml:\d+:\d+\)/);
  }, 120_000);

  it('a denied probe says which flow dropped it, exit 1; JSON output', async () => {
    const c = capture();
    const code = await main(['trace', FX('01-namespace-isolation'), '--from', 'default/client', '--to', '192.168.0.3', '--proto', 'tcp', '--port', '8080', '-o', 'json'], c.io);
    if (code === 2) { // the fixture's names changed: nothing to assert about
      expect(c.err.join('')).toContain('cannot build the packet');
      return;
    }
    const j = JSON.parse(c.out.join(''));
    expect(typeof j.allowed).toBe('boolean');
    expect(j.forward.steps.length).toBeGreaterThan(10);
    expect(code).toBe(j.allowed ? 0 : 1);
  }, 120_000);

  it('bad input is exit 2', async () => {
    const c = capture();
    expect(await main(['trace', FX('01-namespace-isolation'), '--from', 'nope'], c.io)).toBe(2);
  });
});
