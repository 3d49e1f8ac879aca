/**
 * Hostile input at every read route of the aggregator and forecast-api (ingest's bodies are fuzzed in
 * ingest-fuzz.test.ts): random and hostile query strings, path segments and bodies never produce a
 * 5xx, every refusal is problem+json, nothing is written, and no prototype is polluted.
 */
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAggregatorApi } from '../../pkg/aggregation/index.js';
import { createForecastApi } from '../../pkg/forecast-api/index.js';
import { notFoundHandler, problemHandler } from '../../pkg/http/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import { orderEvent, seedCatalog, storeOrders, type FixtureMerchant } from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const M: FixtureMerchant = {
  id: 'fz-a',
  timezone: 'America/New_York',
  weekStart: 'SUNDAY',
  currency: 'USD',
  categories: ['c0', 'c1'],
};
let db: TestDatabase;
let apps: Array<{ name: string; app: Hono; routes: string[] }>;

const nasty = fc.constantFrom(
  "'; DROP TABLE forecasting.category_sales_agg; --",
  "fz-a' OR '1'='1",
  '$1',
  '%00',
  '\u0000',
  '\ud800',
  '\u202e',
  '__proto__',
  'constructor',
  'prototype',
  '💥'.repeat(40),
  'x'.repeat(5000),
  '',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '99999999999999999999999',
  '9'.repeat(400),
  '0x10',
  '2026-02-30',
  '+275760-09-13',
  '0000-00-00',
  'DAY',
  'WEEK',
  'MONTH',
  'YEAR',
  'week',
  'fz-a',
  'c0',
  'auto',
  '[object Object]',
);
const value = fc.oneof(
  { arbitrary: nasty, weight: 4 },
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const KEYS = [
  'merchantId',
  'merchant_id',
  'bucketType',
  'bucket_type',
  'bucketStart',
  'from',
  'to',
  'limit',
  'categoryId',
  'category_id',
  'model',
  'lookback',
  '__proto__',
  'constructor',
  'merchantId[]',
  'a[b][c]',
];
/** Percent-encodes every byte (a lone surrogate becomes U+FFFD, as a browser would send it). */
const enc = (v: string) =>
  [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Raw, already-encoded fragments that are not valid UTF-8 or not valid percent-encoding at all. */
const rawBad = fc.constantFrom('%FF', '%ED%A0%80', '%', '%zz', '%C0%AF', '%00%00');
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })), value), {
  maxLength: 8,
});

beforeAll(async () => {
  db = await createTestDatabase('secfz');
  await seedCatalog(db.pool, [M]);
  await storeOrders(db.pool, [
    orderEvent(M, '2026-03-02T10:00:00Z', [{ categoryId: 'c0', quantity: 2, unitPriceMinor: 1999n }]),
  ]);
  const logger = silentLogger();
  const aggregator = createAggregatorApi({
    readDb: db.pool,
    clock: { now: () => new Date() },
    logger,
    registry: createRegistry('fz-agg'),
  });
  const forecast = createForecastApi({
    readDb: db.pool,
    logger,
    registry: createRegistry('fz-fc'),
  });
  const routes = (app: Hono) => [
    ...new Set(app.routes.filter((r) => r.method === 'GET' && !r.path.includes('*')).map((r) => r.path)),
  ];
  // Mounted like run() mounts them: one error handler and a problem+json 404 around the routes.
  const mount = (sub: Hono) => {
    const root = new Hono();
    root.onError(problemHandler(logger));
    root.notFound(notFoundHandler(root));
    root.route('/', sub);
    return root;
  };
  apps = [
    { name: 'aggregator', app: mount(aggregator), routes: routes(aggregator) },
    { name: 'forecast-api', app: mount(forecast), routes: routes(forecast) },
  ];
});
afterAll(async () => db?.drop());

async function counts(): Promise<string> {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*) FROM ingestion.orders)::int o, (SELECT count(*) FROM ingestion.merchants)::int m,
            (SELECT count(*) FROM forecasting.category_sales_agg)::int a, (SELECT count(*) FROM forecasting.forecast_sets)::int s,
            (SELECT count(*) FROM forecasting.category_sales_forecast)::int f, (SELECT count(*) FROM forecasting.processed_events)::int p`,
  );
  return JSON.stringify(rows[0]);
}

async function expectSafe(app: Hono, url: string, init?: RequestInit): Promise<void> {
  const res = await app.request(url, init);
  const text = await res.text();
  expect(res.status, `${init?.method ?? 'GET'} ${url} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(
    500,
  );
  if (res.status >= 400) expect(res.headers.get('content-type'), `${url}`).toBe('application/problem+json');
}

describe('hostile input at the read APIs', () => {
  it('covers every GET route of both apps', () => {
    expect(apps.flatMap((a) => a.routes).length).toBeGreaterThanOrEqual(7);
  });

  it('never answers 5xx to hostile query strings, and writes nothing', async () => {
    const before = await counts();
    for (const { app, routes } of apps) {
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(query, value, fc.option(rawBad), async (params, segment, raw) => {
            const qs = [
              ...params.map(([k, v]) => `${enc(k)}=${enc(v)}`),
              ...(raw ? [`merchantId=${raw}`] : []),
            ].join('&');
            const path = route.replace(/:[A-Za-z]+/g, () => enc(segment) || raw || 'x');
            await expectSafe(app, `${path}${qs ? `?${qs}` : ''}`);
          }),
          { numRuns: 60 },
        );
      }
    }
    expect(await counts()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never answers 5xx to hostile bodies and methods on read routes', async () => {
    const body = fc.oneof(
      fc.json(),
      fc.constantFrom(
        '{"__proto__":{"polluted":true}}',
        '['.repeat(10_000),
        '{"a":' + '1'.repeat(400) + '}',
        '\u0000',
        'null',
      ),
    );
    for (const { app, routes } of apps) {
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'GET'),
            body,
            async (method, b) => {
              const path = route.replace(/:[A-Za-z]+/g, M.id);
              await expectSafe(
                app,
                `${path}?merchantId=${M.id}&merchant_id=${M.id}&bucketType=MONTH&bucket_type=MONTH`,
                {
                  method,
                  headers: { 'content-type': 'application/json' },
                  ...(method === 'GET' ? {} : { body: b }),
                },
              );
            },
          ),
          { numRuns: 25 },
        );
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
