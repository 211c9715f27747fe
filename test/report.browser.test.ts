/**
 * The HTML report in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * heat-map cells, known allowed/denied pairs from the seed scenarios, hover reasons, per-port
 * recolouring, no console errors, and a screenshot under os.tmpdir().
 * Skips when Chromium is absent, unless UDNC_REQUIRE_BROWSER=1 (CI), which makes that a failure.
 */
import { existsSync, mkdtempSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/report/index.js';

const CHROMIUM = process.env['UDNC_CHROMIUM'] ?? '/usr/bin/chromium';
const REQUIRED = process.env['UDNC_REQUIRE_BROWSER'] === '1';
const present = existsSync(CHROMIUM);

if (!present && !REQUIRED) {
  console.warn(`report.browser: SKIPPED — no Chromium at ${CHROMIUM} (apt-get install chromium, or set UDNC_CHROMIUM); set UDNC_REQUIRE_BROWSER=1 to make this a failure`);
}

if (REQUIRED && !present) {
  describe('report in headless Chromium', () => {
    it('Chromium is required (UDNC_REQUIRE_BROWSER=1)', () => {
      expect.fail(`UDNC_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    });
  });
}

describe.runIf(present)('report in headless Chromium', () => {
  // playwright-core types only; loaded lazily so the suite does not need it when skipped
  let browser: import('playwright-core').Browser;
  const dir = mkdtempSync(join(tmpdir(), 'udnc-report-'));

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => { await browser?.close(); });

  async function open(fixture: string) {
    const { text } = await buildReport([`fixtures/${fixture}`], { version: 'test' });
    const file = join(dir, `${fixture}.html`);
    writeFileSync(file, text);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  async function cellAt(page: import('playwright-core').Page, src: string, dst: string) {
    const cols = await Promise.all((await page.locator('th.col').all()).map((l) => l.getAttribute('data-dst')));
    const j = cols.indexOf(dst);
    expect(j, `column ${dst}`).toBeGreaterThanOrEqual(0);
    return page.locator(`tr[data-src="${src}"] td`).nth(j);
  }

  async function shot(page: import('playwright-core').Page, name: string) {
    const path = join(dir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    // PNG IHDR: width and height at bytes 16..23
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    console.log(`report.browser: screenshot ${path} (${statSync(path).size} bytes, ${width}x${height})`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(width).toBe(1280);
    expect(height).toBeGreaterThan(900);
  }

  it('fixture 07: ANP deny-other-tenants, NetworkPolicy allow-web, monitoring scrape', async () => {
    const { page, errors, requests } = await open('07-anp-banp-cluster-guardrails');
    await expect.poll(() => page.locator('#hm td').count()).toBe(16); // 4 workloads on the default network
    // tenant-b → tenant-a: denied by the ANP's deny-other-tenants rule (seed 07)
    const denied = await cellAt(page, 'tenant-b/db', 'tenant-a/web');
    expect(await denied.getAttribute('class')).toMatch(/\bd\b/);
    await denied.hover();
    const tip = page.locator('#tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.innerText()).toContain('deny-other-tenants');
    expect(await tip.innerText()).toContain('AdminNetworkPolicy cluster-control');
    // click pins the reason chain
    await denied.click();
    expect(await page.locator('#details').innerText()).toContain('deny-other-tenants');
    // tenant-a client → web: allowed on 8080 by allow-web (9090 denied: partial over all ports)
    const partial = await cellAt(page, 'tenant-a/client', 'tenant-a/web');
    expect(await partial.getAttribute('class')).toMatch(/\bp\b/);
    await page.selectOption('#port', 'TCP/8080');
    expect(await partial.getAttribute('class')).toMatch(/\ba\b/);
    // monitoring scrapes 9090 in every tenant (allow-monitoring)
    await page.selectOption('#port', 'TCP/9090');
    expect(await (await cellAt(page, 'monitoring/prometheus', 'tenant-a/web')).getAttribute('class')).toMatch(/\ba\b/);
    expect(await (await cellAt(page, 'monitoring/prometheus', 'tenant-b/db')).getAttribute('class')).toMatch(/\ba\b/);
    await page.selectOption('#port', '');
    // per-policy cost rows
    const cost = await page.locator('#cost').innerText();
    expect(cost).toContain('cluster-control');
    expect(cost).toContain('tenant-a/allow-web');
    await page.mouse.move(0, 0);
    await denied.hover();
    await shot(page, 'udnc-report-07');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 180_000);

  it('fixture 01: UDN workloads reach the webserver; the default network cannot', async () => {
    const { page, errors, requests } = await open('01-namespace-isolation');
    await expect.poll(() => page.locator('#hm td').count()).toBe(16); // client + vm-a, vm-b, webserver
    const ok = await cellAt(page, 'green/vm-a[VirtualMachine]', 'green/webserver');
    expect(await ok.getAttribute('class')).toMatch(/\ba\b/);
    const iso = await cellAt(page, 'default-client/client', 'green/webserver');
    expect(await iso.getAttribute('class')).toMatch(/\bi\b/);
    await iso.hover();
    await expect.poll(() => page.locator('#tip').innerText()).toContain('different primary networks');
    expect(await page.locator('#networks').innerText()).toContain('udn:green/namespace-scoped');
    expect(await page.locator('#networks').innerText()).toContain('192.168.0.0/16');
    await shot(page, 'udnc-report-01');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 180_000);
});
