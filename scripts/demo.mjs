#!/usr/bin/env node
// `npm run demo`: runs udnc on every bundled scenario (fixtures/*): the connectivity matrix with
// reasons, what it compiles to at each OVN stage (counts), and one packet traced through the flows.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli.js');
const udnc = (...args) => {
  try {
    return execFileSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (e) {
    return e.stdout ?? '';
  }
};
const lines = (s) => s.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('Datapath:')).length;

const fixtures = readdirSync(join(root, 'fixtures')).filter((f) => statSync(join(root, 'fixtures', f)).isDirectory()).sort();
for (const f of fixtures) {
  const dir = join('fixtures', f);
  console.log(`\n=== ${f} ${'='.repeat(Math.max(0, 70 - f.length))}`);
  console.log(udnc('matrix', dir).trimEnd());
  const nb = udnc('compile', dir, '--stage', 'nb', '--format', 'nbctl');
  const lflow = udnc('compile', dir, '--stage', 'lflow');
  const of = udnc('compile', dir);
  console.log(`\ncompiles to: ${(nb.match(/ create [A-Za-z_]+/g) ?? []).length} NB rows (ovn-nbctl), ${lines(lflow)} logical flows (ovn-northd 25.03), ${lines(of)} OpenFlow flows (ovn-controller 25.03, one chassis)`);
}
console.log('\nTry: node dist/cli.js trace fixtures/02-networkpolicy-on-udn --from green/virt-launcher-vm-a-fmtf4 --to green/webserver --port 9000');
console.log(udnc('trace', 'fixtures/02-networkpolicy-on-udn', '--from', 'green/virt-launcher-vm-a-fmtf4', '--to', 'green/webserver', '--port', '9000').split('\n').slice(-3).join('\n'));
