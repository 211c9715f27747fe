/**
 * Every upstream `action parsing` vector of OVN 25.03.0 (tests/ovn.at, re-checked against a
 * v25.03.0 test-ovn): formats as / encodes as / uses group / has prereqs / errors.  The vectors run
 * in file order with one group/meter allocator, as `ovstest test-ovn parse-actions` does, since
 * group ids depend on that order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testOvnContext, encodeActions, parseActions, formatActions, ActionError } from '../src/expr/actions/index.js';

interface Vector {
  input: string;
  formats_as?: string[];
  encodes_as?: string[];
  has_prereqs?: string[];
  uses_group?: string[];
  uses_meter?: string[];
  error_or_other?: string[];
}

const VECTORS: Vector[] = readFileSync(new URL('./data/actions/v25.03.0/parse-actions.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Vector);

/** Vectors udnc does not reproduce, with the reason.  Each is still run and must fail as stated. */
const KNOWN_FAILURES: Record<string, string> = {};

/** What test-ovn prints for one input line (after the echoed input). */
function run(ctx: ReturnType<typeof testOvnContext>, input: string): string[] {
  const out: string[] = [];
  try {
    const p = parseActions(input, ctx);
    const f = formatActions(p.actions);
    if (f !== input) out.push(`formats as ${f}`);
    const e = encodeActions(input, ctx);
    out.push(`encodes as ${e.ofpacts}`);
    for (const g of e.groups) out.push(`uses group: ${g}`);
    if (e.prereqs) out.push(`has prereqs ${e.prereqs}`);
    // test-ovn also re-parses the formatted text and requires the same formatting.
    const again = formatActions(parseActions(f, ctx).actions);
    if (again !== f) out.push(`bad reformat: ${again}`);
  } catch (err) {
    if (!(err instanceof ActionError)) throw err;
    out.push(err.message);
  }
  return out;
}

function expected(v: Vector): string[] {
  const out: string[] = [];
  if (v.formats_as) out.push(`formats as ${v.formats_as[0]}`);
  if (v.encodes_as) out.push(`encodes as ${v.encodes_as[0]}`);
  for (const g of v.uses_group ?? []) out.push(`uses group: ${g}`);
  for (const m of v.uses_meter ?? []) out.push(`uses meter: ${m}`);
  if (v.has_prereqs) out.push(`has prereqs ${v.has_prereqs[0]}`);
  out.push(...(v.error_or_other ?? []));
  return out;
}

describe('OVN 25.03.0 parse-actions vectors', () => {
  it(`reproduces the ${VECTORS.length} upstream vectors`, () => {
    const ctx = testOvnContext();
    let pass = 0;
    const failures: string[] = [];
    const unexpectedPasses: string[] = [];
    for (const v of VECTORS) {
      const got = run(ctx, v.input);
      const exp = expected(v);
      const ok = JSON.stringify(got) === JSON.stringify(exp);
      if (ok) pass++;
      if (ok && KNOWN_FAILURES[v.input]) unexpectedPasses.push(v.input);
      if (!ok && !KNOWN_FAILURES[v.input]) failures.push(`${v.input}\n  expected: ${exp.join('\n            ')}\n  got:      ${got.join('\n            ')}`);
    }
    const known = Object.entries(KNOWN_FAILURES);
    console.log(`parse-actions v25.03.0: ${pass}/${VECTORS.length} pass; ${known.length} known failures:` +
      known.map(([k, why]) => `\n  ${k}  -- ${why}`).join(''));
    if (failures.length) console.log(failures.join('\n'));
    expect(unexpectedPasses).toEqual([]);
    expect(failures.length).toBe(0);
  });
});
