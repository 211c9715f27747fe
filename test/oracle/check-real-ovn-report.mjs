#!/usr/bin/env node
// Reads a vitest JSON report and fails (exit 1) when a real-OVN test did not run: any test under a
// "[real-ovn]" suite title, or in a real-OVN test file (test/*oracle*.test.ts, test/*.ovn.test.ts),
// that is skipped, pending or todo; or when no real-OVN test passed at all. Used by .ci/run.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const path = process.argv[2];
if (!path) {
  console.error('usage: check-real-ovn-report.mjs VITEST_JSON');
  process.exit(2);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const REAL_FILE = /(oracle[^/]*|\.ovn)\.test\.[cm]?[jt]s$/;

let passed = 0;
const notRun = [];
const otherSkipped = [];
for (const file of report.testResults ?? []) {
  const realFile = REAL_FILE.test(basename(file.name));
  if (realFile && file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
    notRun.push(`${file.name}: failed before any test ran: ${String(file.message).split('\n')[0]}`);
  }
  for (const t of file.assertionResults ?? []) {
    const real = realFile || [...(t.ancestorTitles ?? []), t.title].some((s) => String(s).startsWith('[real-ovn]'));
    const ran = t.status === 'passed' || t.status === 'failed';
    if (real && t.status === 'passed') passed++;
    if (!ran) (real ? notRun : otherSkipped).push(`${basename(file.name)} > ${t.fullName} (${t.status})`);
  }
}
for (const s of otherSkipped) console.log(`note: skipped (not a real-OVN test): ${s}`);
if (notRun.length) {
  console.error(`real-OVN tests that did not run (${notRun.length}):`);
  for (const s of notRun) console.error(`  ${s}`);
  process.exit(1);
}
if (passed === 0) {
  console.error('no real-OVN test passed: the real-OVN judge did not run');
  process.exit(1);
}
console.log(`real-OVN judge: ${passed} real-OVN tests passed, none skipped`);
