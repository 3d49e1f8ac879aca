// Browser tests of the UI states the real services cannot be put in on demand: no merchants at all,
// a shop without orders, a token the API refuses, the API down on first load and during use. The
// page is the real built UI served by pkg/ui; the API is a canned stand-in in the contract's shapes.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildUi, launchBrowser, runAxe, type TestBrowser } from './support/browser.js';
import { createCannedApp, type CannedControls } from './support/ui-canned.js';

const shots = path.resolve(import.meta.dirname, '../../test-results/ui');
let browser: TestBrowser;
let server: ServerType;
let base: string;
let controls: CannedControls;
let page: Page;
let allowed = 0;

beforeAll(async () => {
  await buildUi();
  const canned = createCannedApp();
  controls = canned.controls;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: canned.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

beforeEach(async () => {
  Object.assign(controls, { down: false, noMerchants: false, unauthorized: false });
  page = await browser.newPage({ width: 1280, height: 900 });
  allowed = browser.problems.length;
});

afterEach(async () => {
  await page.close();
});

/** Console lines since the test began, minus the failed requests the test caused on purpose. */
function problems(expectedStatus?: number): string[] {
  return browser.problems
    .slice(allowed)
    .filter((p) => !(expectedStatus && p.includes(`status of ${expectedStatus}`)));
}

describe('UI states against a canned API', () => {
  it('says so when there are no merchants yet', async () => {
    controls.noMerchants = true;
    await page.goto(`${base}/ui/`);
    await page.getByText('No merchants yet').waitFor();
    expect(await runAxe(page)).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('shows a shop without orders as a friendly empty state, on a phone too', async () => {
    await page.goto(`${base}/ui/?merchant=canned-new`);
    await page.getByText('No sales yet').waitFor();
    await page.getByText('Not enough history to forecast yet').waitFor();
    // Weeks of this merchant start on Sunday in New York.
    expect(await page.locator('.period-label').textContent()).toMatch(/^Week of Sun /);
    expect(await runAxe(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: path.join(shots, 'empty-375.png'), fullPage: true });
    expect(problems()).toEqual([]);
  });

  it('asks for a valid link when the API refuses the token', async () => {
    controls.unauthorized = true;
    await page.goto(`${base}/ui/?token=not.a.token`);
    const banner = page.locator('[data-banner="auth"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('valid sign-in link');
    expect(new URL(page.url()).searchParams.get('token')).toBeNull();
    expect(problems(401)).toEqual([]);
  });

  it('recovers with "Retry now" when the API is down on first load', async () => {
    controls.down = true;
    await page.goto(`${base}/ui/`);
    await page.locator('[data-banner="offline"]').waitFor();
    await page.getByText('The merchant list is not available.').waitFor();
    controls.down = false;
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('[data-table="top-categories"] tbody tr').first().waitFor();
    await page.locator('[data-banner="offline"]').waitFor({ state: 'detached' });
    expect(problems(503)).toEqual([]);
  });

  it('keeps what it has and retries by itself when the API fails during use', async () => {
    await page.goto(`${base}/ui/?merchant=canned-toys`);
    await page.locator('[data-table="forecast"] tbody tr').first().waitFor();
    controls.down = true;
    const before = controls.requests;
    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    await page.locator('[data-banner="offline"]').waitFor();
    expect(await page.locator('[data-table="forecast"] tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shots, 'offline-canned-desktop.png'), fullPage: true });
    controls.down = false;
    // No click: the page retries on its own (first retry after 2 s).
    await page.locator('[data-banner="offline"]').waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('[data-table="top-categories"] tbody tr').first().waitFor();
    expect(controls.requests).toBeGreaterThan(before);
    expect(problems(503)).toEqual([]);
  });
});
