/**
 * Vitest glue for real-OVN suites: one sandbox per describe block (so per test file when used at
 * top level), skipped with a printed reason when real OVN cannot run here, and failing instead of
 * skipping when UDNC_REQUIRE_OVN=1 (as .ci/run sets).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { REAL_OVN_PREFIX, ovnAvailable, startOvn, type OvnAvailability, type OvnSandbox, type StartOvnOptions } from './ovn.js';

export function ovnRequired(): boolean {
  return process.env.UDNC_REQUIRE_OVN === '1';
}

/** Title every real-OVN suite carries; .ci/run checks no test under it was skipped. */
export function realOvnTitle(name: string): string {
  return `${REAL_OVN_PREFIX} ${name}`;
}

const warned = new Set<string>();

/** Availability for a suite, printing why it is skipped (once per reason). */
export function ovnForSuite(name: string): OvnAvailability {
  const avail = ovnAvailable();
  if (!avail.ok && !ovnRequired() && !warned.has(`${name}\0${avail.why}`)) {
    warned.add(`${name}\0${avail.why}`);
    console.warn(`${REAL_OVN_PREFIX} skipping "${name}": ${avail.why}. Set UDNC_REQUIRE_OVN=1 to make this a failure.`);
  }
  return avail;
}

/**
 * describe() for a suite that needs real OVN. `body` gets a getter for the suite's sandbox, which
 * is started in beforeAll and stopped in afterAll.
 */
export function describeRealOvn(
  name: string,
  body: (sandbox: () => OvnSandbox) => void,
  opts: StartOvnOptions = {},
): void {
  const title = realOvnTitle(name);
  const avail = ovnForSuite(name);
  if (!avail.ok && ovnRequired()) {
    describe(title, () => {
      it('has real OVN 25.03 (UDNC_REQUIRE_OVN=1)', () => {
        throw new Error(`real OVN unavailable: ${avail.why}`);
      });
    });
    return;
  }
  describe.skipIf(!avail.ok)(title, () => {
    let sandbox: OvnSandbox | undefined;
    beforeAll(async () => {
      sandbox = await startOvn(opts);
    }, 120_000);
    afterAll(async () => {
      await sandbox?.stop();
    });
    body(() => {
      if (!sandbox) throw new Error('real-OVN sandbox did not start');
      return sandbox;
    });
  });
}
