/**
 * Merchants sign in to the UI through a real OpenID Provider (catcast-idp, zitadel/oidc's op with its
 * login page) in headless chromium: forecast-api runs the Authorization Code + PKCE flow and keeps the
 * provider's tokens in a sealed HttpOnly cookie; the aggregator and forecast-api verify the access
 * token against the provider's JWKS, issuer and audience. Two users of different merchants.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch as launchChrome } from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { chromium } from 'playwright-core';
import { applyBatch, run as runAggregator } from '../../pkg/aggregation/index.js';
import {
  CookieSealer,
  createAuthenticator,
  parseAuthConfig,
  SESSION_COOKIE,
  type UiSession,
} from '../../pkg/auth/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import {
  asMessage,
  orderEvent,
  prng,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from '../integration/aggregation-fixtures.js';
import { buildUi, CHROMIUM, launchBrowser, type TestBrowser } from '../integration/support/browser.js';
import { createTestDatabase, type TestDatabase } from '../integration/support/db.js';
import { startIdp, type Idp } from '../integration/support/idp.js';
import { startForecastApi, type ForecastApiHandle } from '../integration/support/ui-stack.js';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results', 'login');
const CLIENT_ID = 'catcast-ui';
const CLIENT_SECRET = randomBytes(16).toString('hex');
const SESSION_SECRET = randomBytes(24).toString('hex');
const merchant = (id: string): FixtureMerchant => ({
  id,
  timezone: 'Europe/Berlin',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['toys', 'games', 'books', 'garden', 'kitchen', 'sports', 'music', 'tools'],
});

/** Two years of daily orders for `m`, applied to the aggregates as the aggregator would. */
async function seedSales(m: FixtureMerchant): Promise<void> {
  const rnd = prng(19);
  const day = 86_400_000;
  const start = Date.now() - 730 * day;
  for (let d = 0; d < 730; d += 30) {
    const events = [];
    for (let i = d; i < Math.min(d + 30, 730); i++) {
      for (let k = 0; k < 3; k++) {
        const category = m.categories[Math.floor(rnd() * rnd() * m.categories.length)]!;
        const at = new Date(start + i * day + Math.floor(rnd() * day)).toISOString();
        events.push(
          orderEvent(m, at, [
            { categoryId: category, quantity: 1 + Math.floor(rnd() * 3), unitPriceMinor: 1999n },
          ]),
        );
      }
    }
    await storeOrders(db.pool, events);
    await applyBatch(
      db.pool,
      events.map((e) => asMessage(e)),
    );
  }
}
const USERS = {
  ana: { password: 'ana-password', name: 'Ana Alvarez', merchants: ['shop-a1', 'shop-a2'] },
  ben: { password: 'ben-password', name: 'Ben Brook', merchants: ['shop-b'] },
};

let db: TestDatabase;
let idp: Idp;
let api: ForecastApiHandle;
let browser: TestBrowser;
const stops: Array<() => Promise<void>> = [];
/** Every URL any page navigated to, and every request URL: no token may ever appear in one. */
const urls: string[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('framenavigated', (f) => urls.push(f.url()));
  page.on('request', (r) => urls.push(r.url()));
  return page;
}

/** Fills the provider's login form (it is the provider's page, not catcast's). */
async function providerLogin(page: Page, user: keyof typeof USERS): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(idp.issuer) && u.pathname.startsWith('/login/'));
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(USERS[user].password);
  await page.locator('button[type=submit]').click();
}

async function signedInAs(page: Page): Promise<{ name: string; merchants: string }> {
  await page.locator('[data-user-name]').waitFor();
  return {
    name: await page.locator('[data-user-name]').innerText(),
    merchants: (await page.locator('[data-user-merchants]').innerText()).replace(/^\s*·\s*/, ''),
  };
}

/** Merchant ids the picker offers. */
async function offered(page: Page): Promise<string[]> {
  await page.locator('#merchant, [data-merchant]').first().waitFor();
  if (await page.locator('#merchant').count())
    return page
      .locator('#merchant option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
  return [(await page.locator('[data-merchant]').getAttribute('data-merchant'))!];
}

/** Status of a same-origin GET made by the page itself (with its cookie, as the UI makes them). */
function pageGet(page: Page, url: string): Promise<number> {
  return page.evaluate(
    async (u) => (await fetch(u, { credentials: 'same-origin', cache: 'no-store' })).status,
    url,
  );
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const build = buildUi();
  const launched = launchBrowser();
  db = await createTestDatabase('login');
  await seedCatalog(db.pool, [merchant('shop-a1'), merchant('shop-a2'), merchant('shop-b')]);
  await seedSales(merchant('shop-a1'));
  // Tokens live 40 s, so the renewal and expiry tests need not wait long.
  idp = await startIdp({
    users: USERS,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    accessTokenTtl: '40s',
  });
  stops.push(() => idp.stop());
  const authEnv = {
    AUTH_MODE: 'jwt',
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: CLIENT_ID,
    AUTH_SESSION_SECRET: SESSION_SECRET,
  };
  const controller = new AbortController();
  const aggregatorUrl = await new Promise<string>((resolve, reject) => {
    const running = (async () =>
      runAggregator(
        {
          PORT: 0,
          HOST: '127.0.0.1',
          AGGREGATION_STALE_AFTER_SECONDS: 300,
          PROCESSED_EVENTS_RETENTION_DAYS: 14,
          PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS: 3600,
          AGGREGATION_LAG_REFRESH_SECONDS: 15,
          AGGREGATION_API_MAX_AGE_SECONDS: 5,
        } as Parameters<typeof runAggregator>[0],
        controller.signal,
        {
          pool: db.pool,
          logger: silentLogger(),
          registry: createRegistry('aggregator'),
          authenticator: await createAuthenticator(parseAuthConfig(authEnv)),
          onListening: (port: number) => resolve(`http://127.0.0.1:${port}`),
        },
      ))();
    running.catch(reject);
    stops.push(async () => {
      controller.abort();
      await running.catch(() => undefined);
    });
  });
  api = await startForecastApi({
    DATABASE_URL: db.url,
    AGGREGATOR_URL: aggregatorUrl,
    UI_OIDC_CLIENT_ID: CLIENT_ID,
    UI_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    ...authEnv,
  });
  stops.push(() => api.stop());
  await build;
  browser = await launched;
  stops.push(() => browser.close());
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await db?.drop();
});

describe('OpenID Connect sign-in', () => {
  it('signs Ana in through the provider and returns to the deep link, with only her merchants', async () => {
    const page = await newPage();
    const deepLink = '/ui/?merchant=shop-a2&tf=month&view=summary';
    await page.goto(`${api.url}${deepLink}`, { waitUntil: 'commit' });
    await providerLogin(page, 'ana');
    await page.waitForURL(`${api.url}${deepLink}`);
    expect(await signedInAs(page)).toEqual({ name: 'Ana Alvarez', merchants: 'shop-a1, shop-a2' });
    expect((await offered(page)).sort()).toEqual(['shop-a1', 'shop-a2']);
    expect(await page.locator('#merchant').inputValue()).toBe('shop-a2');
    await page.screenshot({ path: path.join(shots, 'signed-in-ana.png'), fullPage: true });

    // The session is an HttpOnly cookie; no token in storage or in any URL the browser saw.
    const cookies = await browser.context.cookies(api.url);
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const stored = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(stored).toEqual({ local: '{}', session: '{}' });
    expect(urls.filter((u) => /eyJ[\w-]+\.eyJ|access_token|id_token=/.test(u))).toEqual([]);
    await page.close();
  });

  it("never shows another merchant's data to Ana, even with an edited URL", async () => {
    const page = await newPage();
    await page.goto(`${api.url}/ui/?merchant=shop-b&tf=week`);
    await page.getByText('Merchant shop-b was not found').waitFor();
    expect(await offered(page)).not.toContain('shop-b');
    // Nothing of shop-b on the page but the refusal itself.
    const text = (await page.locator('body').innerText()).replace('Merchant shop-b was not found', '');
    expect(text).not.toContain('shop-b');
    // The services refuse it, whatever the page would ask.
    expect(await pageGet(page, '/api/merchants/shop-b')).toBe(403);
    expect(
      await pageGet(page, '/api/top-categories?merchantId=shop-b&bucketType=WEEK&bucketStart=2026-11-30'),
    ).toBe(403);
    expect(await pageGet(page, '/forecast/top-categories?merchant_id=shop-b&bucket_type=MONTH')).toBe(403);
    expect(await pageGet(page, '/api/merchants/shop-a1')).toBe(200);
    await page.close();
  });

  it('signs out at catcast and at the provider', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/ui/`);
    await signedInAs(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.url}/ui/signed-out`);
    await page.getByText('You are signed out of catcast').waitFor();
    expect((await browser.context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(await pageGet(page, '/api/merchants/shop-a1')).toBe(401);
    // Signing in again goes to the provider's login page.
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.close();
  });

  it('signs Ben in and shows only his merchant', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/ui/?merchant=shop-a1`, { waitUntil: 'commit' });
    await providerLogin(page, 'ben');
    await page.waitForURL(`${api.url}/ui/?merchant=shop-a1`);
    expect(await signedInAs(page)).toEqual({ name: 'Ben Brook', merchants: 'shop-b' });
    await page.getByText('Merchant shop-a1 was not found').waitFor();
    expect(await offered(page)).toEqual(['shop-b']);
    expect(await pageGet(page, '/api/merchants/shop-a1')).toBe(403);
    await page.goto(`${api.url}/ui/`);
    await page.waitForURL((u) => u.searchParams.get('merchant') === 'shop-b');
    await page.screenshot({ path: path.join(shots, 'signed-in-ben.png'), fullPage: true });
    await page.close();
  });

  it('renews the session silently with the refresh token when the access token expires', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/ui/`);
    await signedInAs(page);
    const before = (await browser.context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)!.value;
    // The 40 s access token is renewed 60 s before expiry, i.e. on every session check: ask now.
    const status = await pageGet(page, '/ui/auth/session');
    expect(status).toBe(200);
    const after = (await browser.context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)!.value;
    expect(after).not.toBe(before);
    const sealer = new CookieSealer(SESSION_SECRET);
    const [a, b] = [sealer.open<UiSession>(before)!, sealer.open<UiSession>(after)!];
    expect(b.accessToken).not.toBe(a.accessToken);
    expect(b.name).toBe('Ben Brook');
    expect(await pageGet(page, '/api/merchants/shop-b')).toBe(200);
    await page.close();
  });

  it('sends an ended session back through sign-in to the same view', async () => {
    const page = await newPage();
    const sealer = new CookieSealer(SESSION_SECRET);
    const current = sealer.open<UiSession>(
      (await browser.context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)!.value,
    )!;
    // A session past UI_SESSION_MAX_AGE_SECONDS (8 h), sealed with the real secret.
    const ended = sealer.seal({ ...current, signedInAt: Math.floor(Date.now() / 1000) - 9 * 3600 });
    await browser.context.addCookies([
      { name: SESSION_COOKIE, value: ended, url: api.url, httpOnly: true, sameSite: 'Lax' },
    ]);
    await page.goto(`${api.url}/ui/?merchant=shop-b&tf=year`, { waitUntil: 'commit' });
    await providerLogin(page, 'ben');
    await page.waitForURL(`${api.url}/ui/?merchant=shop-b&tf=year`);
    expect((await signedInAs(page)).name).toBe('Ben Brook');

    // A cookie that was tampered with is refused by the APIs, and the page signs in again.
    await browser.context.addCookies([
      {
        name: SESSION_COOKIE,
        value: `${ended.slice(0, -4)}AAAA`,
        url: api.url,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    // Asked through the context's request API (same cookies), not from inside the page: the running
    // page may itself meet the refused cookie first and navigate to sign-in mid-evaluate.
    const refused = await browser.context.request.get(`${api.url}/api/merchants/shop-b`);
    expect(refused.status()).toBe(401);
    // A fresh page: the old one's own API calls may meet the refused cookie and start navigating to
    // sign-in by themselves, which would interrupt a goto issued on it.
    await page.close();
    const again = await newPage();
    await again.goto(`${api.url}/ui/?merchant=shop-b`, { waitUntil: 'commit' });
    await again.waitForURL((u) => u.href.startsWith(idp.issuer));
    await again.close();
  });

  it('reported no console errors or CSP violations on catcast pages', () => {
    expect(browser.problems.filter((p) => p.includes(api.url) && !/status of 40[13]/.test(p))).toEqual([]);
  });
});

/** What one Lighthouse run scored (written to test-results/login/lighthouse-<preset>.json). */
interface Scores {
  readonly performance: number | null;
  readonly accessibility: number | null;
  readonly bestPractices: number | null;
  readonly cls: number;
  readonly lcpMs: number;
  readonly fcpMs: number;
  readonly speedIndexMs: number;
  readonly tbtMs: number;
}

describe('Lighthouse on the signed-in page', () => {
  // Lighthouse drives its own chromium over the DevTools protocol; playwright signs in through the
  // same browser first, and Lighthouse keeps the cookie (disableStorageReset).
  it.each([
    ['desktop', desktopConfig],
    ['mobile', undefined],
  ] as const)('scores %s: CLS at most 0.1, accessibility and best practices 1.0', async (preset, config) => {
    const chrome = await launchChrome({
      chromePath: CHROMIUM,
      chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
    });
    try {
      const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
      const context = cdp.contexts()[0]!;
      const page = await context.newPage();
      const view = `${api.url}/ui/?merchant=shop-a1&tf=month`;
      await page.goto(view, { waitUntil: 'commit' });
      await page.waitForURL((u) => u.href.startsWith(idp.issuer) && u.pathname.startsWith('/login/'));
      await page.locator('#username').fill('ana');
      await page.locator('#password').fill(USERS.ana.password);
      await page.locator('button[type=submit]').click();
      await page.waitForURL(view);
      await page.locator('[data-table="top-categories"] tbody tr').first().waitFor();
      await page.close();
      // Layout shift, accessibility and best practices do not depend on the machine: asserted on
      // every run. The performance score does (total blocking time is the CPU time Lighthouse
      // observed, times 4 for mobile), so like every speed figure it is recorded, not asserted: the
      // project keeps timing targets out of tests. It is written to test-results/login/ with the load.
      const runs: Scores[] = [];
      const loads: number[] = [];
      // A run Lighthouse itself gave up on (runtimeError, e.g. a page-load timeout on a saturated
      // machine) has no scores: recorded, and another run is made.
      const failedRuns: string[] = [];
      for (let i = 0; i < 3 && runs.length === 0; i++) {
        loads.push(loadavg()[0]!);
        const result = await lighthouse(
          view,
          {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            disableStorageReset: true,
            onlyCategories: ['performance', 'accessibility', 'best-practices'],
          },
          config,
        );
        const lhr = result!.lhr;
        loads.push(loadavg()[0]!);
        const cls = lhr.audits['cumulative-layout-shift'];
        if (
          lhr.runtimeError ||
          lhr.categories.performance?.score == null ||
          cls?.numericValue === undefined
        ) {
          const why = Object.values(lhr.audits).find((a) => a.errorMessage)?.errorMessage;
          failedRuns.push(lhr.runtimeError?.message ?? why ?? 'no performance score');
          continue;
        }
        expect(lhr.finalDisplayedUrl, 'Lighthouse measured the signed-in page').toBe(view);
        runs.push({
          performance: lhr.categories.performance.score,
          accessibility: lhr.categories.accessibility!.score,
          bestPractices: lhr.categories['best-practices']!.score,
          cls: cls.numericValue,
          lcpMs: lhr.audits['largest-contentful-paint']!.numericValue!,
          fcpMs: lhr.audits['first-contentful-paint']!.numericValue!,
          speedIndexMs: lhr.audits['speed-index']!.numericValue!,
          tbtMs: lhr.audits['total-blocking-time']!.numericValue!,
        });
      }
      const loadPerCore = Math.max(...loads) / cpus().length;
      writeFileSync(
        path.join(shots, `lighthouse-${preset}.json`),
        JSON.stringify({ loadPerCore, runs, failedRuns }, null, 2),
      );
      expect(
        runs.length,
        `Lighthouse runs that produced scores (failures: ${failedRuns.join('; ')})`,
      ).toBeGreaterThan(0);
      for (const r of runs) expect(r.cls, `CLS ${preset}: ${JSON.stringify(r)}`).toBeLessThanOrEqual(0.1);
      expect(
        runs.every((r) => r.accessibility === 1 && r.bestPractices === 1),
        JSON.stringify(runs),
      ).toBe(true);
      await cdp.close();
    } finally {
      chrome.kill();
    }
  });
});
