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
    // a default-network pod to a primary-UDN pod's address: not delivered (the UDN is isolated);
    // the default network routes it out of the cluster instead
    const code = await main(['trace', FX('01-namespace-isolation'), '--from', 'default-client/client', '--to', '192.168.0.3', '--proto', 'tcp', '--port', '8080', '-o', 'json'], c.io);
    expect(code).toBe(1);
    const j = JSON.parse(c.out.join(''));
    expect(j.allowed).toBe(false);
    expect(j.forward.verdict.kind).toBe('external');
    expect(j.forward.steps.length).toBeGreaterThan(10);
  }, 120_000);

  it('--from/--to take a KubeVirt VM or workload name: same trace as naming its pod, stderr says which pod', async () => {
    const byPod = capture();
    const podCode = await main(['trace', FX('02-networkpolicy-on-udn'), '--from', 'green/virt-launcher-vm-a-fmtf4', '--to', 'green/webserver', '--port', '9000'], byPod.io);
    const byVm = capture();
    const vmCode = await main(['trace', FX('02-networkpolicy-on-udn'), '--from', 'green/vm-a', '--to', 'green/webserver', '--port', '9000'], byVm.io);
    expect(vmCode).toBe(podCode);
    expect(byVm.out.join('')).toBe(byPod.out.join(''));
    expect(byVm.err.join('')).toBe('udnc trace: --from green/vm-a: VirtualMachine green/vm-a: its pod green/virt-launcher-vm-a-fmtf4\n');
    expect(byPod.err.join('')).toBe('');
    // the id udnc matrix prints, NS/NAME[Kind], names the same pod
    const byId = capture();
    expect(await main(['trace', FX('02-networkpolicy-on-udn'), '--from', 'green/vm-a[VirtualMachine]', '--to', 'green/webserver', '--port', '9000'], byId.io)).toBe(podCode);
    expect(byId.out.join('')).toBe(byPod.out.join(''));
  }, 240_000);

  it('a Deployment with several pods: the first by name, and stderr lists them all', async () => {
    const c = capture();
    const code = await main(['trace', FX('08-policy-and-service-edge-cases'), '--from', 'shop/db', '--to', 'shop/api', '--port', '8080', '-o', 'json'], c.io);
    expect([0, 1]).toContain(code);
    const err = c.err.join('');
    const m = /^udnc trace: --to shop\/api: Deployment shop\/api has 2 pods \((api-[a-z0-9]+-[a-z0-9]+), (api-[a-z0-9]+-[a-z0-9]+)\); tracing the first, shop\/(\S+) \(name a pod to choose another\)\n$/.exec(err);
    expect(m, err).not.toBeNull();
    expect(m![1]! < m![2]!).toBe(true);
    expect(m![3]).toBe(m![1]);
    // the traced packet goes to that pod: same output as naming it
    const named = capture();
    expect(await main(['trace', FX('08-policy-and-service-edge-cases'), '--from', 'shop/db', '--to', `shop/${m![1]}`, '--port', '8080', '-o', 'json'], named.io)).toBe(code);
    expect(c.out.join('')).toBe(named.out.join(''));
  }, 240_000);

  it('an unknown name is exit 2 and lists the namespace\'s pods', async () => {
    const c = capture();
    expect(await main(['trace', FX('08-policy-and-service-edge-cases'), '--from', 'shop/nope', '--to', 'shop/db'], c.io)).toBe(2);
    expect(c.out.join('')).toBe('');
    expect(c.err.join('')).toMatch(/--from shop\/nope: no pod or workload of that name \(pods of namespace shop: api-\S+, api-\S+, db\)/);
  }, 120_000);

  it('bad input is exit 2', async () => {
    const c = capture();
    expect(await main(['trace', FX('01-namespace-isolation'), '--from', 'nope'], c.io)).toBe(2);
  });
});
