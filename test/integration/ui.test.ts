// The merchant UI end to end in headless Debian chromium against the real services: simulated
// orders go through ingest -> outbox relay -> Kafka -> aggregator into Postgres; forecast-api serves
// the built UI at /ui, the forecasts and proxies /api/* to the aggregator; the forecast job runs
// midway. Screenshots of each main view (desktop and 375 px) land in test-results/ui/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../pkg/auth/index.js';
import { generateCatalog, runSimulation, type SimMerchant } from '../../pkg/simulator/index.js';
import {
  categorySalesSpec,
  checkSchema,
  checkValue,
  categoryPathSpec,
  compareModelsSpec,
  forecastTopSpec,
  nowcastSpec,
  merchantDetailSpec,
  merchantListSpec,
  modelCatalogSpec,
  topCategoriesSpec,
  type FieldSpec,
} from '../../ui/src/api/contract.js';
import { currentPeriod, periodContaining, periodLabel, shiftPeriod } from '../../ui/src/lib/period.js';
import { buildUi, launchBrowser, runAxe, type TestBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import {
  startBinary,
  startForecastApi,
  type ChildService,
  type ForecastApiHandle,
} from './support/ui-stack.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results', 'ui');
const suffix = randomBytes(4).toString('hex');
const SECRET = `ui-test-secret-${randomBytes(16).toString('hex')}`;
const SEED = 'ui-e2e';
const catalog = generateCatalog({ seed: SEED, merchants: 2 });
const [first, second] = catalog.merchants as [SimMerchant, SimMerchant];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

let db: TestDatabase;
let browser: TestBrowser;
let ingest: ChildService;
let relay: ChildService;
let aggregator: ChildService;
let aggregatorEnv: Record<string, string>;
let api: ForecastApiHandle;
let token: string;
let page: Page;
// Console lines that are expected while a test takes the aggregator down on purpose.
let allowedProblems = 0;

function kafkaEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: inject('kafkaBrokers'),
    KAFKA_TOPIC: `ui-it-${suffix}`,
    KAFKA_DLQ_TOPIC: `ui-it-${suffix}.dlq`,
    KAFKA_CONSUMER_GROUP: `ui-it-${suffix}`,
    KAFKA_TOPIC_PARTITIONS: '3',
  };
}

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(sql);
  return rows[0]!.n;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** The texts of every chart axis whose boxes overlap another label of the same axis. */
async function overlappingAxisLabels(): Promise<string[]> {
  return page.evaluate(() => {
    type Box = { left: number; right: number; top: number; bottom: number };
    type El = { textContent: string | null; getBoundingClientRect(): Box };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> } })
      .document;
    const out: string[] = [];
    for (const axis of doc.querySelectorAll('svg g.axis')) {
      const texts = [
        ...(axis as unknown as { querySelectorAll(s: string): Iterable<El> }).querySelectorAll('text'),
      ];
      texts.forEach((a, i) => {
        const p = a.getBoundingClientRect();
        for (const b of texts.slice(i + 1)) {
          const q = b.getBoundingClientRect();
          if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom)
            out.push(`${a.textContent} / ${b.textContent}`);
        }
      });
    }
    return out;
  });
}

/**
 * Screenshots the current view at 375 px and checks that nothing makes the page wider than the
 * phone and that no two labels of a chart axis run into each other.
 */
async function phoneShot(name: string, fitting: readonly string[] = []): Promise<void> {
  await page.setViewportSize(PHONE);
  // The charts size themselves from a ResizeObserver: wait until every one fits the phone.
  await page.waitForFunction(
    (w) =>
      [
        ...(
          globalThis as unknown as {
            document: { querySelectorAll(s: string): Iterable<{ width: { baseVal: { value: number } } }> };
          }
        ).document.querySelectorAll('svg[role="img"]'),
      ].every((svg) => svg.width.baseVal.value <= w),
    PHONE.width,
    { timeout: 10_000 },
  );
  const width = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );
  expect(width, 'page width at 375 px').toBeLessThanOrEqual(PHONE.width);
  expect(await overlappingAxisLabels(), 'overlapping axis labels at 375 px').toEqual([]);
  // Tables that must fit the phone without scrolling sideways (wider ones scroll in their region).
  for (const table of fitting) {
    const { scroll, client } = await page
      .locator(table)
      .evaluate((t) => ({ scroll: t.parentElement!.scrollWidth, client: t.parentElement!.clientWidth }));
    expect(scroll, `${table} fits 375 px`).toBeLessThanOrEqual(client);
  }
  await shot(`${name}-375`);
  await page.setViewportSize(DESKTOP);
}

async function expectAxeClean(): Promise<void> {
  expect(await runAxe(page)).toEqual([]);
}

function expectNoConsoleErrors(): void {
  expect(browser.problems.slice(allowedProblems)).toEqual([]);
}

function calendarOf(m: SimMerchant) {
  return { timezone: m.timezone, weekStart: m.weekStart };
}

async function labelShown(): Promise<string> {
  // The visible label, without the "current" badge.
  return (await page.locator('.period-label').innerText()).replace(/\s*current$/, '').trim();
}

function query(): URLSearchParams {
  return new URL(page.url()).searchParams;
}

async function topTableFor(period: string): Promise<void> {
  await page.locator(`.period-label[data-period="${period}"]`).waitFor();
  await page.locator('[data-table="top-categories"] tbody tr').first().waitFor();
}

/**
 * Like topTableFor, for a period that may hold no sale yet: a merchant's current week begins at its
 * own local midnight (sim-mumbai's on Sunday 18:30 UTC), and in its first hours the simulated
 * history (about six orders a day) has often placed none, so the panel says so instead.
 */
async function topPanelFor(period: string): Promise<void> {
  await page.locator(`.period-label[data-period="${period}"]`).waitFor();
  await page
    .locator('[data-table="top-categories"] tbody tr, [data-panel="top-categories"] [data-empty]')
    .first()
    .waitFor();
}

/** Opens a view of the first merchant (the token stays in the tab's sessionStorage). */
async function open(params: Record<string, string> = {}): Promise<void> {
  await page.goto(`${api.url}/ui/?${new URLSearchParams({ merchant: first.id, ...params }).toString()}`);
}

async function getJson(pathAndQuery: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { res, body: res.status === 200 ? ((await res.json()) as unknown) : undefined };
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  // Build the UI from the current source (type-check included), as the image and `make dev` do.
  const build = buildUi();
  const launched = launchBrowser();
  db = await createTestDatabase('ui');
  ingest = startBinary('ingest', { DATABASE_URL: db.url, PORT: '0', AUTH_MODE: 'none' });
  const ingestUrl = `http://127.0.0.1:${await ingest.port()}`;
  const sim = await runSimulation({
    ingestUrl,
    seed: SEED,
    merchants: 2,
    days: 430,
    ordersPerDay: 6,
    rate: 0,
    batchSize: 500,
    readyTimeoutSeconds: 60,
  });
  expect(sim.failed).toBe(0);
  relay = startBinary('relay', {
    DATABASE_URL: db.url,
    PORT: '0',
    RELAY_POLL_INTERVAL_MS: '200',
    ...kafkaEnv(),
  });
  aggregatorEnv = {
    DATABASE_URL: db.url,
    PORT: '0',
    AUTH_MODE: 'jwt',
    AUTH_HS256_SECRET: SECRET,
    ...kafkaEnv(),
  };
  aggregator = startBinary('aggregator', aggregatorEnv);
  const aggregatorPort = await aggregator.port();
  aggregatorEnv = { ...aggregatorEnv, PORT: String(aggregatorPort) };
  const orders = await count('SELECT count(*)::int AS n FROM ingestion.orders');
  await waitFor(
    `the aggregator to apply all ${orders} orders`,
    async () => (await count('SELECT count(*)::int AS n FROM forecasting.processed_events')) === orders,
    { timeoutMs: 150_000, intervalMs: 500 },
  );
  api = await startForecastApi({
    DATABASE_URL: db.url,
    AUTH_MODE: 'jwt',
    AUTH_HS256_SECRET: SECRET,
    AGGREGATOR_URL: `http://127.0.0.1:${aggregatorPort}`,
  });
  token = await mintToken({
    secret: SECRET,
    scopes: ['sales:read', 'forecasts:read'],
    merchants: [first.id, second.id],
  });
  await build;
  browser = await launched;
  page = await browser.newPage(DESKTOP);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await Promise.all([aggregator?.stop(), relay?.stop(), ingest?.stop()]);
  await db?.drop();
});

describe('the merchant UI against the real services', () => {
  it('serves responses that match what the UI reads, and the forecast OpenAPI document agrees', async () => {
    const week = currentPeriod('week', new Date(), calendarOf(first));
    const checks: [string, FieldSpec][] = [
      ['/api/merchants', merchantListSpec],
      [`/api/merchants/${first.id}`, merchantDetailSpec],
      [
        `/api/top-categories?merchantId=${first.id}&bucketType=WEEK&bucketStart=${week}&limit=100`,
        topCategoriesSpec,
      ],
      [
        `/api/category-sales?merchantId=${first.id}&bucketType=WEEK&from=${shiftPeriod('week', week, -8)}&to=${week}`,
        categorySalesSpec,
      ],
      [
        `/forecast/top-categories?merchant_id=${first.id}&bucket_type=WEEK&model=auto&limit=10`,
        forecastTopSpec,
      ],
      [`/forecast/compare-models?merchant_id=${first.id}&bucket_type=MONTH`, compareModelsSpec],
      [`/forecast/nowcast?merchant_id=${first.id}&bucket_type=WEEK&model=auto&limit=100`, nowcastSpec],
      ['/forecast/models', modelCatalogSpec],
    ];
    for (const [url, spec] of checks) {
      const { res, body } = await getJson(url);
      expect(res.status, url).toBe(200);
      expect(checkValue(body, spec), url).toEqual([]);
    }
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get: { responses: { 200: { content: { 'application/json': { schema: object } } } } } }
      >;
    };
    for (const [p, spec] of [
      ['/forecast/top-categories', forecastTopSpec],
      ['/forecast/compare-models', compareModelsSpec],
      ['/forecast/category-path', categoryPathSpec],
      ['/forecast/nowcast', nowcastSpec],
      ['/forecast/models', modelCatalogSpec],
    ] as const) {
      const schema = doc.paths[p]?.get.responses[200].content['application/json'].schema;
      expect(schema, `${p} in /openapi.json`).toBeDefined();
      expect(checkSchema(doc, schema!, spec), p).toEqual([]);
    }
    // Through the forecast-api proxy, the aggregator's ETag revalidates to a 304.
    const top = `/api/top-categories?merchantId=${first.id}&bucketType=WEEK&bucketStart=${week}&limit=100`;
    const { res } = await getJson(top);
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await getJson(top, { 'if-none-match': etag! })).res.status).toBe(304);
  });

  it('takes the merchant from the token and shows top categories and the on-demand forecast banner', async () => {
    const started = Date.now();
    await page.goto(`${api.url}/ui/?token=${token}`);
    const week = currentPeriod('week', new Date(), calendarOf(first));
    await topTableFor(week);
    const topCategoriesMs = Date.now() - started;
    await page.locator('[data-table="forecast"] tbody tr').first().waitFor();
    // Recorded, not asserted (timing targets belong to bench/): cold browser, on-demand forecast.
    const timing = { topCategoriesMs, withForecastMs: Date.now() - started };
    writeFileSync(path.join(shots, 'timing.json'), JSON.stringify(timing, null, 2));

    // The token left the address bar for sessionStorage; the merchant is the token's first.
    expect(query().get('token')).toBeNull();
    expect(query().get('merchant')).toBe(first.id);
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
        ).sessionStorage.getItem('catcast.token'),
      ),
    ).toBe(token);
    expect(await page.locator('#merchant option').allTextContents()).toEqual([first.name, second.name]);

    expect(await labelShown()).toBe(periodLabel('week', week));
    expect(await page.locator('[data-table="top-categories"] tbody tr').count()).toBeGreaterThan(1);
    await expect
      .poll(() => page.locator('[data-freshness]').textContent())
      .toMatch(/^Data as of (\d{1,2} \w{3}, )?\d{2}:\d{2}:\d{2}$/);
    // No forecast job has run: the ranking was computed on demand, and the page says so.
    await expect
      .poll(() => page.locator('[data-banner="forecast-on-demand"]').textContent())
      .toContain('forecast job has not run');
    await expect
      .poll(() => page.locator('.acc').first().textContent())
      .toMatch(/typically within \d+%|accuracy not known|rough guess/);
    // The forecast is for the week in progress: each row says what its category has sold of it so
    // far, as the aggregator counts it (0 for a category without sales this week).
    const { body: weekTop } = await getJson(
      `/api/top-categories?merchantId=${first.id}&bucketType=WEEK&bucketStart=${week}&limit=100`,
    );
    const sold = new Map(
      (weekTop as { categories: { name: string; total: string }[] }).categories.map((c) => [c.name, c.total]),
    );
    const shown = await page
      .locator('[data-table="forecast"] tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.querySelector('th a')?.textContent ?? '',
          r.querySelector('[data-so-far]')?.getAttribute('data-so-far') ?? null,
        ]),
      );
    expect(shown.length).toBeGreaterThan(0);
    for (const [name, value] of shown) expect(value, `so far of ${name}`).toBe(sold.get(name!) ?? '0');
    await page.locator('[data-so-far-note]').waitFor();
    // ...and where it is heading: the nowcast forecast-api serves for the same week and model.
    await expect
      .poll(() => page.locator('[data-table="forecast"] [data-heading]').count())
      .toBeGreaterThan(0);
    // The nowcast moves with the local minute (the part of today elapsed), so the page and the API
    // are compared as of the same minute: a mismatch across a minute boundary clears once the page
    // refreshes it (every 30 s); a wrong figure never does.
    const headingMismatches = async () => {
      const { body: nowcast } = await getJson(
        `/forecast/nowcast?merchant_id=${first.id}&bucket_type=WEEK&model=auto&limit=100`,
      );
      const answer = nowcast as {
        bucketStart: string;
        categories: { name: string; nowcast: string | null }[];
      };
      const heading = new Map(answer.categories.map((c) => [c.name, c.nowcast]));
      const headed = await page
        .locator('[data-table="forecast"] tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.querySelector('th a')?.textContent ?? '',
            r.querySelector('[data-heading]')?.getAttribute('data-heading') ?? null,
          ]),
        );
      return [
        ...(answer.bucketStart === week ? [] : [`nowcast of ${answer.bucketStart}, not ${week}`]),
        ...headed
          .filter(([name, value]) => value !== (heading.get(name!) ?? null))
          .map(([name, value]) => `heading of ${name}: page ${value}, API ${heading.get(name!) ?? null}`),
      ];
    };
    await expect.poll(headingMismatches, { timeout: 75_000, interval: 2_000 }).toEqual([]);
    expect(await page.locator('[data-so-far-note]').textContent()).toMatch(
      /heading for: that plus the forecast/,
    );

    await expectAxeClean();
    await shot('summary-desktop');
    await phoneShot('summary', ['[data-table="forecast"]', '[data-table="top-categories"]']);
    expectNoConsoleErrors();
  });

  it('switches timeframe and navigates periods in the merchant’s own terms', async () => {
    await open();
    const cal = calendarOf(first);
    const month = currentPeriod('month', new Date(), cal);
    await page.getByRole('radio', { name: 'Month' }).check();
    await topTableFor(month);
    expect(query().get('tf')).toBe('month');
    expect(await labelShown()).toBe(periodLabel('month', month));
    expect(await labelShown()).toMatch(/^[A-Z][a-z]+ \d{4}$/);

    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    const previous = shiftPeriod('month', month, -1);
    await topTableFor(previous);
    expect(query().get('period')).toBe(previous);
    expect(await labelShown()).toBe(periodLabel('month', previous));

    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await topTableFor(month);
    expect(query().get('period')).toBeNull();
    await expect.poll(() => page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).toBe(true);

    // Back and forward in the browser history restore the views.
    await page.goBack();
    await topTableFor(previous);
    await page.goForward();
    await topTableFor(month);

    // Jump to a date of last December (inside the simulated history): the month containing it;
    // then Year keeps that year.
    const lastYear = shiftPeriod('year', currentPeriod('year', new Date(), cal), -1);
    const date = `${lastYear.slice(0, 4)}-12-10`;
    await page.getByLabel('Jump to date').fill(date);
    const december = periodContaining('month', date, first.weekStart)!;
    await topTableFor(december);
    expect(await labelShown()).toBe(`December ${lastYear.slice(0, 4)}`);
    await shot('month-desktop');

    await page.getByRole('radio', { name: 'Year' }).check();
    await topTableFor(lastYear);
    expect(await labelShown()).toBe(lastYear.slice(0, 4));

    await page.getByRole('button', { name: 'Current' }).click();
    const year = currentPeriod('year', new Date(), cal);
    await topTableFor(year);
    await shot('year-desktop');

    await page.getByRole('radio', { name: 'Week' }).check();
    const week = currentPeriod('week', new Date(), cal);
    await topTableFor(week);
    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    const lastWeek = shiftPeriod('week', week, -1);
    await topTableFor(lastWeek);
    // Weeks are named by their first day, which honours the merchant's week start.
    expect(await labelShown()).toBe(periodLabel('week', lastWeek));
    expect(periodContaining('week', lastWeek, first.weekStart)).toBe(lastWeek);

    // The catalog has parent categories: group, expand one, collapse it again.
    await page.getByLabel('Group by parent').check();
    const group = page.locator('.group-row button.disclosure').first();
    await group.waitFor();
    await group.click();
    await expect.poll(() => page.locator('.child-row').count()).toBeGreaterThan(0);
    expect(await group.getAttribute('aria-expanded')).toBe('true');
    await expectAxeClean();
    await shot('grouped-desktop');
    await group.click();
    expect(await page.locator('.child-row').count()).toBe(0);
    await page.getByLabel('Group by parent').uncheck();

    // Day zooms into the first day of the week on screen; it has no forecasts and says so.
    await page.getByRole('radio', { name: 'Day' }).check();
    await page.locator(`.period-label[data-period="${lastWeek}"]`).waitFor();
    expect(await labelShown()).toBe(periodLabel('day', lastWeek));
    await page
      .locator('[data-table="top-categories"] tbody tr, [data-panel="top-categories"] [data-empty]')
      .first()
      .waitFor();
    await page.locator('[data-panel="forecast"] [data-empty]').waitFor();
    await page.getByRole('radio', { name: 'Week' }).check();
    expectNoConsoleErrors();
  });

  it('switches merchants with their own calendar', async () => {
    await open();
    await page.locator('#merchant').selectOption(second.id);
    const week = currentPeriod('week', new Date(), calendarOf(second));
    await topPanelFor(week);
    expect(query().get('merchant')).toBe(second.id);
    expect(await labelShown()).toBe(periodLabel('week', week));
    await page.locator('#merchant').selectOption(first.id);
    await topPanelFor(currentPeriod('week', new Date(), calendarOf(first)));
    expectNoConsoleErrors();
  });

  it('compares models for a category and switches the model used for the ranking', async () => {
    await open();
    await page.getByRole('link', { name: 'Compare models' }).click();
    expect(query().get('view')).toBe('compare');
    const rows = page.locator('[data-table="compare"] tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });
    expect(await rows.count()).toBeGreaterThan(3);
    expect(await page.locator('[data-table="compare"] tr.winner').count()).toBe(1);
    await page.locator('.history-chart svg path.history-line').waitFor();
    // The next months as a fan after the history: both bands, the line, a table row per step.
    const fan = page.locator('[data-path-steps]');
    await fan.waitFor({ timeout: 60_000 });
    const steps = Number(await fan.getAttribute('data-path-steps'));
    expect(steps).toBeGreaterThan(1);
    for (const part of ['path.fan-95', 'path.fan-80', 'path.fan-line', 'path.history-line'])
      expect(await fan.locator(`.fan-chart svg ${part}`).count(), part).toBe(1);
    expect(await fan.locator('.fan-chart svg circle.fan-dot').count()).toBe(steps);
    expect(await fan.locator('[data-table="path"] tbody tr').count()).toBe(steps);

    const options = await page
      .locator('#compare-category option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(options.length).toBeGreaterThan(1);
    await page.locator('#compare-category').selectOption(options[1]!);
    expect(query().get('category')).toBe(options[1]);
    await rows.first().waitFor();
    await page.locator('.history-chart svg path.history-line').waitFor();

    const candidate = page
      .locator('[data-table="compare"] tbody tr:not(.winner)[data-model]:not([data-model="auto"])')
      .first();
    const model = (await candidate.getAttribute('data-model'))!;
    await candidate.getByRole('button').click();
    expect(query().get('model')).toBe(model);
    await expect.poll(() => candidate.locator('.in-use').textContent()).toBe('In use');
    await expectAxeClean();
    await shot('compare-desktop');
    await phoneShot('compare');

    await page.getByRole('link', { name: 'Top & forecast' }).click();
    await page.locator(`[data-forecast-model="${model}"]`).waitFor({ timeout: 60_000 });
    expect(await page.locator('#ranking-model').inputValue()).toBe(model);
    await page.locator('#ranking-model').selectOption('auto');
    await page.locator('[data-forecast-model="auto"]').waitFor({ timeout: 60_000 });
    expectNoConsoleErrors();
  });

  it('exports the top categories and the model comparison as CSV', async () => {
    await open();
    await topTableFor(currentPeriod('week', new Date(), calendarOf(first)));
    const rows = await page.locator('[data-table="top-categories"] tbody tr').count();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-panel="top-categories"] button[data-csv]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^catcast-${first.id}-week-\\d{4}-\\d{2}-\\d{2}-top-categories\\.csv$`),
    );
    const csv = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv[0]).toBe(
      'rank,category_id,category,parent_category_id,total,currency,share,previous_total,change,orders,items,period_start,period_type',
    );
    expect(csv).toHaveLength(rows + 1);

    await page.getByRole('link', { name: 'Compare models' }).click();
    const models = page.locator('[data-table="compare"] tbody tr');
    await models.first().waitFor();
    const [download2] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-panel="compare"] button[data-csv]').click(),
    ]);
    const csv2 = readFileSync(await download2.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv2[0]).toMatch(/^category_id,category,model,model_version,winner,forecast,/);
    expect(csv2).toHaveLength((await models.count()) + 1);
    expect(csv2.filter((l) => l.includes(',yes,'))).toHaveLength(1);
    await page.getByRole('link', { name: 'Top & forecast' }).click();
    expectNoConsoleErrors();
  });

  it('drops the forecast banners once the forecast job has run', async () => {
    const job = startBinary('forecast-job', {
      DATABASE_URL: db.url,
      FORECAST_THREADS: '1',
      FORECAST_LEASE_WAIT_SECONDS: '10',
    });
    expect(await job.exited, job.log.join('')).toBe(0);
    const { res } = await getJson(`/forecast/top-categories?merchant_id=${first.id}&bucket_type=WEEK`);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('precomputed');
    await page.reload();
    await page.locator('[data-table="forecast"] tbody tr').first().waitFor();
    await page.locator('[data-forecast-model="auto"]').waitFor();
    expect(await page.locator('[data-banner^="forecast-"]').count()).toBe(0);
    await shot('summary-precomputed-desktop');
    expectNoConsoleErrors();
  });

  it('keeps what it has, shows a banner and recovers when the aggregator is down', async () => {
    await open();
    const week = currentPeriod('week', new Date(), calendarOf(first));
    await topTableFor(week);
    await aggregator.stop();
    allowedProblems = browser.problems.length;
    // A period the page has not loaded yet: its request fails, the forecast stays on screen.
    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    const banner = page.locator('[data-banner="offline"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Cannot reach catcast');
    expect(await page.locator('[data-table="forecast"] tbody tr').count()).toBeGreaterThan(0);
    await shot('offline-desktop');
    // The failures the browser logged are the expected 502s of the proxy, nothing else.
    for (const p of browser.problems.slice(allowedProblems))
      expect(p).toMatch(/Failed to load resource.*502/);

    aggregator = startBinary('aggregator', aggregatorEnv);
    await aggregator.port();
    await page.getByRole('button', { name: 'Retry now' }).click();
    await topTableFor(shiftPeriod('week', week, -1));
    await banner.waitFor({ state: 'detached' });
    allowedProblems = browser.problems.length;
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await topTableFor(week);
    expectNoConsoleErrors();
  });
});
