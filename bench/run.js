#!/usr/bin/env node
/**
 * Runs the benchmark suites (bench/*.bench.ts) one after another, each in its own Node process
 * through tsx, so one suite's heap and JIT state never colour another's figures.
 *
 *   npm run bench                         every suite (pipeline: its `small` benchmark.js case)
 *   npm run bench -- pipeline             one suite
 *   npm run bench -- pipeline --case issue6 --no-real
 *                                         arguments after the suite name go to that suite
 *   npm run bench -- --list               the suites found
 *
 * The pipeline suite runs with --max-old-space-size=2048, so the 2 GB memory target of the big
 * cases fails loudly (heap out of memory) instead of passing by swapping.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const argv = process.argv.slice(2);
if (argv.includes('--list') || argv.includes('--help') || argv.includes('-h')) {
  console.log(`suites: ${suites.join(', ')}\nusage: node bench/run.js [SUITE [suite args...]]`);
  process.exit(0);
}
let chosen = suites;
let extra = [];
if (argv.length > 0 && !argv[0].startsWith('-')) {
  if (!suites.includes(argv[0])) {
    console.error(`unknown suite '${argv[0]}' (have: ${suites.join(', ')})`);
    process.exit(2);
  }
  chosen = [argv[0]];
  extra = argv.slice(1);
}

let failed = 0;
for (const s of chosen) {
  const nodeArgs = ['--import', 'tsx'];
  if (s === 'pipeline') nodeArgs.unshift('--max-old-space-size=2048');
  console.log(`\n=== ${s}: node ${nodeArgs.join(' ')} bench/${s}.bench.ts ${extra.join(' ')}`);
  const r = spawnSync(process.execPath, [...nodeArgs, join(here, `${s}.bench.ts`), ...extra], { stdio: 'inherit', cwd: join(here, '..') });
  if (r.status !== 0) {
    console.error(`=== ${s}: exit ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
