import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertMerchantAccess,
  createAuthenticator,
  mintToken,
  parseAuthConfig,
  requireScope,
} from '../auth/index.js';
import { MODEL_NAMES } from '../forecast-engine/index.js';
import type { ForecastSet, StoredForecast, StoredPathStep } from '../forecast-job/index.js';
import { silentLogger } from '../log/index.js';
import { createRegistry } from '../metrics/index.js';
import { createForecastApi, type ForecastApiOptions } from './app.js';
import { ForecastChangeLog } from './changes.js';
import { createMemoryForecastStore, type MemoryForecastData } from './memory-store.js';
import type { ForecastStore } from './store.js';

// A Wednesday: the WEEK being forecast starts Monday 2026-11-23 (UTC, weeks from Monday).
const NOW = new Date('2026-11-25T12:00:00Z');
const SECRET = 'a-development-secret-of-at-least-32-chars';

const merchant = { id: 'shop', timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' } as const;

const metrics = (mase: number | null, wape: number | null = 0.2) => ({
  origins: 8,
  mae: 1,
  mase,
  wape,
  smape: 0.1,
  coverage80: 0.8,
  coverage95: 0.95,
  maseRatioToSeasonalNaive: mase === null ? null : mase / 2,
  wapeRatioToSeasonalNaive: null,
});

function stored(
  categoryId: string,
  model: string,
  forecastMinor: bigint,
  mase: number | null = 1,
): StoredForecast {
  return {
    categoryId,
    model,
    modelVersion: '1.0.0',
    effectiveModel: model === 'auto' ? 'ses' : model,
    effectiveModelVersion: '1.0.0',
    forecastMinor,
    lo80Minor: forecastMinor - 100n,
    hi80Minor: forecastMinor + 100n,
    lo95Minor: forecastMinor - 200n,
    hi95Minor: forecastMinor + 200n,
    params: {},
    metrics: metrics(mase),
    inputHash: `h-${categoryId}-${model}`,
    historyLength: 52,
    fallbackFrom: null,
    fallbackReason: null,
  };
}

const weekSet: ForecastSet = {
  merchantId: 'shop',
  bucketType: 'WEEK',
  generatedAt: new Date('2026-11-25T11:00:00Z'),
  runId: 'run-1',
  targetBucketStart: '2026-11-23',
  lastBucketStart: '2026-11-16',
  lookback: 156,
  inputHash: 'set-hash',
  horizon: 0,
  categories: 3,
  checkedAt: new Date('2026-11-25T11:30:00Z'),
};

// A MONTH set with 3-step paths of auto for shoes (boots' parent) and boots.
const monthSet: ForecastSet = {
  ...weekSet,
  bucketType: 'MONTH',
  targetBucketStart: '2026-11-01',
  lastBucketStart: '2026-10-01',
  lookback: 48,
  horizon: 3,
  categories: 2,
  runId: 'run-m',
};
const pathStep = (categoryId: string, model: string, step: number, minor: bigint): StoredPathStep => ({
  categoryId,
  model,
  modelVersion: '1.0.0',
  step,
  bucketStart: ['2026-11-01', '2026-12-01', '2027-01-01'][step - 1]!,
  forecastMinor: minor,
  lo80Minor: minor - 10n * BigInt(step),
  hi80Minor: minor + 10n * BigInt(step),
  lo95Minor: minor - 20n * BigInt(step),
  hi95Minor: minor + 20n * BigInt(step),
  errors: 10 - step,
  wape: 0.1 * step,
  mae: 5 * step,
  inputHash: `p-${categoryId}`,
});
const monthly = (level: number, phase: number) =>
  Array.from({ length: 36 }, (_, i) => Math.round(level + level * 0.2 * Math.sin((i + phase) / 2)));

const data: MemoryForecastData = {
  merchants: [merchant, { ...merchant, id: 'other' }, { ...merchant, id: 'new' }],
  categories: [
    { merchantId: 'shop', id: 'shoes', name: 'Shoes', parentCategoryId: null },
    { merchantId: 'shop', id: 'boots', name: 'Boots', parentCategoryId: 'shoes' },
    { merchantId: 'shop', id: 'hats', name: 'Hats', parentCategoryId: null },
  ],
  sets: [
    {
      set: weekSet,
      rows: [
        stored('boots', 'auto', 250_00n),
        stored('hats', 'auto', 90_00n),
        stored('shoes', 'auto', 1234_50n),
        stored('boots', 'naive', 240_00n, 1.3),
        stored('boots', 'theta', 245_00n, 0.7),
        stored('hats', 'naive', 80_00n, null),
        stored('hats', 'ses', 85_00n, null),
        stored('shoes', 'ses', 1200_00n, 0.9),
      ],
    },
    {
      set: monthSet,
      rows: [
        stored('boots', 'auto', 300_00n),
        stored('boots', 'naive', 310_00n),
        stored('shoes', 'auto', 50_00n),
      ],
      paths: [1, 2, 3].flatMap((step) => [
        pathStep('boots', 'auto', step, 300_00n + BigInt(step)),
        pathStep('shoes', 'auto', step, 350_00n + BigInt(step)),
      ]),
    },
  ],
  // 'new' has no precomputed set: its forecast is computed on demand from this history.
  history: [
    {
      merchantId: 'shop',
      bucketType: 'MONTH',
      series: [
        { categoryId: 'boots', firstBucketStart: '2023-11-01', values: monthly(30_000, 0) },
        { categoryId: 'hats', firstBucketStart: '2023-11-01', values: monthly(9_000, 3) },
        { categoryId: 'shoes', firstBucketStart: '2023-11-01', values: monthly(5_000, 1) },
      ],
    },
    {
      merchantId: 'new',
      bucketType: 'WEEK',
      series: [
        {
          categoryId: 'tea',
          firstBucketStart: '2025-11-24',
          values: Array.from({ length: 52 }, (_, i) => 5_000 + 300 * Math.sin(i / 3) + 17 * i),
        },
        {
          categoryId: 'cups',
          firstBucketStart: '2025-11-24',
          values: Array.from({ length: 52 }, (_, i) => 1_000 + 50 * Math.cos(i / 2)),
        },
      ],
    },
  ],
};

type Extra = Partial<Omit<ForecastApiOptions, 'store' | 'readDb'>>;

function api(store: ForecastStore = createMemoryForecastStore(data), extra: Extra = {}): Hono {
  return createForecastApi({
    store,
    logger: silentLogger(),
    registry: createRegistry('t'),
    now: () => NOW,
    ...extra,
  });
}

async function get(app: Hono, path: string, init: RequestInit = {}) {
  const res = await app.request(path, init);
  return {
    res,
    body: (await res.json()) as Record<string, unknown> & { categories?: Record<string, unknown>[] },
  };
}

describe('forecast API over an in-memory store', () => {
  it('ranks the precomputed set by forecast, with names, decimals and the source', async () => {
    const { res, body } = await get(
      api(),
      '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&limit=2',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('precomputed');
    expect(res.headers.get('cache-control')).toBe('public, max-age=15');
    expect(res.headers.get('etag')).toMatch(/./);
    expect(body).toMatchObject({
      merchantId: 'shop',
      currency: 'EUR',
      bucketType: 'WEEK',
      targetBucketStart: '2026-11-23',
      model: 'auto',
      source: 'precomputed',
      runId: 'run-1',
      stale: false,
      reason: null,
    });
    expect(body.categories).toMatchObject([
      {
        rank: 1,
        categoryId: 'shoes',
        name: 'Shoes',
        parentCategoryId: null,
        forecast: '1234.50',
        lo80: '1233.50',
      },
      { rank: 2, categoryId: 'boots', name: 'Boots', parentCategoryId: 'shoes', forecastMinor: '25000' },
    ]);
  });

  it('computes on demand when there is no precomputed set, and says why', async () => {
    const { res, body } = await get(
      api(),
      '/forecast/top-categories?merchant_id=new&bucket_type=WEEK&model=naive',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('on_demand');
    expect(body).toMatchObject({
      source: 'on_demand',
      model: 'naive',
      targetBucketStart: '2026-11-23',
      runId: null,
    });
    expect(String(body.reason)).toMatch(/no precomputed forecast/);
    // naive forecasts the last value: tea's last week is far above cups'.
    expect(body.categories?.map((c) => c.categoryId)).toEqual(['tea', 'cups']);
  });

  it('compares every model per category in catalog order and names the winner', async () => {
    const { res, body } = await get(api(), '/forecast/compare-models?merchant_id=shop&bucket_type=WEEK');
    expect(res.status).toBe(200);
    const byId = new Map(body.categories?.map((c) => [c.categoryId, c]));
    expect(byId.get('boots')).toMatchObject({ name: 'Boots', winner: 'theta' });
    expect((byId.get('boots')?.models as { model: string }[]).map((m) => m.model)).toEqual([
      'naive',
      'theta',
      'auto',
    ]);
    // Neither model of hats has a MASE: WAPE (equal) decides, and the first in the catalog wins the tie.
    expect(byId.get('hats')).toMatchObject({ winner: 'naive' });
    const one = await get(
      api(),
      '/forecast/compare-models?merchant_id=shop&bucket_type=WEEK&category_id=shoes',
    );
    expect(one.body.categories?.map((c) => c.categoryId)).toEqual(['shoes']);
  });

  it('reuses a rendered compare-models answer while the response cache holds it, per category filter', async () => {
    const store = createMemoryForecastStore(data);
    let reads = 0;
    const counting: ForecastStore = {
      ...store,
      latestSet: async (m, t) => {
        reads++;
        return store.latestSet(m, t);
      },
    };
    const compare = '/forecast/compare-models?merchant_id=shop&bucket_type=WEEK';
    const registry = createRegistry('t');
    const cached = api(counting, { responseCacheMs: 60_000, registry });
    const first = await get(cached, compare);
    const again = await get(cached, compare);
    expect(again.res.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
    expect(reads).toBe(1);
    // Counted for the benchmark's and the dashboard's hit ratio: one miss, then one hit.
    const counted = await registry.getSingleMetricAsString('catcast_forecast_response_cache_lookups_total');
    expect(counted).toMatch(/route="compare-models",result="miss"[^}]*\} 1$/m);
    expect(counted).toMatch(/route="compare-models",result="hit"[^}]*\} 1$/m);
    // Another filter is another answer.
    const shoes = await get(cached, `${compare}&category_id=shoes`);
    expect(shoes.body.categories?.map((c) => c.categoryId)).toEqual(['shoes']);
    expect(reads).toBe(2);
    // Off (the default here): every request reads the store.
    const uncached = api(counting);
    await get(uncached, compare);
    await get(uncached, compare);
    expect(reads).toBe(4);
    // An answer larger than the byte bound is served but not kept.
    const tiny = api(counting, { responseCacheMs: 60_000, compareCacheBytes: 10 });
    await get(tiny, compare);
    await get(tiny, compare);
    expect(reads).toBe(6);
  });

  it('serves a precomputed path step by step, cut to the asked horizon, with accuracy per step', async () => {
    const path = '/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes';
    const { res, body } = await get(api(), path);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('precomputed');
    expect(body).toMatchObject({
      categoryId: 'shoes',
      name: 'Shoes',
      parentCategoryId: null,
      children: ['boots'],
      model: 'auto',
      horizon: 3,
      source: 'precomputed',
      runId: 'run-m',
      targetBucketStart: '2026-11-01',
      reason: null,
    });
    const steps = body.steps as Record<string, unknown>[];
    expect(steps.map((s) => s.bucketStart)).toEqual(['2026-11-01', '2026-12-01', '2027-01-01']);
    expect(steps[1]).toMatchObject({
      step: 2,
      forecast: '350.02',
      forecastMinor: '35002',
      lo80Minor: '34982',
      hi95Minor: '35042',
      lo95: '349.62',
      accuracy: { step: 2, wape: 0.2, maeMinor: 10, errors: 8 },
    });
    const two = await get(api(), `${path}&horizon=2`);
    expect((two.body.steps as unknown[]).length).toBe(2);
    expect(two.body.source).toBe('precomputed');
  });

  it('computes a path on demand beyond the precomputed horizon, coherent with the children', async () => {
    const q = '/forecast/category-path?merchant_id=shop&bucket_type=MONTH&horizon=6&model=seasonal_naive';
    const shoes = await get(api(), `${q}&category_id=shoes`);
    expect(shoes.res.status).toBe(200);
    expect(shoes.body).toMatchObject({ source: 'on_demand', horizon: 6, runId: null });
    expect(String(shoes.body.reason)).toMatch(/horizon 6 is longer than the precomputed 3/);
    const boots = await get(api(), `${q}&category_id=boots`);
    const own = monthly(5_000, 1);
    const b = boots.body.steps as { forecastMinor: string }[];
    const s = shoes.body.steps as { forecastMinor: string; step: number }[];
    expect(s).toHaveLength(6);
    // Seasonal naive repeats the last year; the parent's step is its own plus its child's.
    s.forEach((st, j) =>
      expect(BigInt(st.forecastMinor)).toBe(BigInt(b[j]!.forecastMinor) + BigInt(own[36 - 12 + j]!)),
    );
    // A model the set has no path of is computed on demand too.
    const ets = await get(
      api(),
      '/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=hats&model=ets',
    );
    expect(ets.body).toMatchObject({ source: 'on_demand', children: [] });
    expect(String(ets.body.reason)).toMatch(/no precomputed ets path for category hats/);
  });

  it('answers a category without sales with an empty path, and an unknown one with 404', async () => {
    const none = await get(api(), '/forecast/category-path?merchant_id=new&bucket_type=YEAR&category_id=tea');
    expect(none.res.status).toBe(404);
    const empty = await get(
      api(),
      '/forecast/category-path?merchant_id=shop&bucket_type=YEAR&category_id=hats',
    );
    expect(empty.res.status).toBe(200);
    expect(empty.body).toMatchObject({ steps: [], source: 'on_demand' });
    expect(String(empty.body.reason)).toMatch(/no sales yet/);
    const unknown = await get(
      api(),
      '/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=gloves',
    );
    expect(unknown.res.status).toBe(404);
    expect(unknown.res.headers.get('content-type')).toBe('application/problem+json');
    expect((unknown.body.errors as { field: string }[])[0]!.field).toBe('category_id');
  });

  it('reports accuracy per horizon in compare-models for the models whose path the set holds', async () => {
    const { body } = await get(api(), '/forecast/compare-models?merchant_id=shop&bucket_type=MONTH');
    const boots = body.categories?.find((c) => c.categoryId === 'boots');
    const models = boots?.models as { model: string; horizons: unknown }[];
    expect(models.find((m) => m.model === 'auto')!.horizons).toEqual([
      { step: 1, wape: 0.1, maeMinor: 5, errors: 9 },
      { step: 2, wape: 0.2, maeMinor: 10, errors: 8 },
      { step: 3, wape: expect.closeTo(0.3, 9) as unknown, maeMinor: 15, errors: 7 },
    ]);
    expect(models.find((m) => m.model === 'naive')!.horizons).toBeNull();
    // Answers computed on demand carry no per-horizon accuracy.
    const od = await get(api(), '/forecast/compare-models?merchant_id=new&bucket_type=WEEK&category_id=tea');
    expect((od.body.categories![0]!.models as { horizons: unknown }[])[0]!.horizons).toBeNull();
  });

  it('lists the model catalog', async () => {
    const { res, body } = await get(api(), '/forecast/models');
    expect(res.status).toBe(200);
    expect((body.models as { name: string }[]).map((m) => m.name)).toEqual([...MODEL_NAMES]);
  });

  it('serves its OpenAPI document', async () => {
    const { res, body } = await get(api(), '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        '/forecast/top-categories',
        '/forecast/compare-models',
        '/forecast/category-path',
        '/forecast/models',
      ]),
    );
  });

  it.each([
    ['/forecast/top-categories?bucket_type=WEEK', 'merchant_id'],
    ['/forecast/top-categories?merchant_id=shop&bucket_type=DAY', 'bucket_type'],
    ['/forecast/top-categories?merchant_id=sh%20op&bucket_type=WEEK', 'merchant_id'],
    ['/forecast/top-categories?merchant_id=shop&merchant_id=x&bucket_type=WEEK', 'merchant_id'],
    ['/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&limit=0', 'limit'],
    ['/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&lookback=3', 'lookback'],
    ['/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&model=magic', 'model'],
    ['/forecast/compare-models?merchant_id=shop&bucket_type=YEARLY', 'bucket_type'],
    ['/forecast/compare-models?merchant_id=shop&bucket_type=WEEK&category_id=', 'category_id'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=MONTH', 'category_id'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes&horizon=0', 'horizon'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes&horizon=105', 'horizon'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes&horizon=2.5', 'horizon'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes&model=magic', 'model'],
    ['/forecast/category-path?merchant_id=shop&bucket_type=DAY&category_id=shoes', 'bucket_type'],
  ])('answers %s with a 400 problem naming %s', async (path, field) => {
    const { res, body } = await get(api(), path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ status: 400, title: 'Invalid request' });
    expect((body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  it('answers an unknown merchant with a 404 problem naming merchant_id', async () => {
    const { res, body } = await get(api(), '/forecast/compare-models?merchant_id=nobody&bucket_type=WEEK');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({
      detail: 'merchant nobody does not exist',
      errors: [{ field: 'merchant_id' }],
    });
  });

  it('answers an unknown path with 404 and a wrong method with 405 and Allow', async () => {
    const missing = await get(api(), '/forecast/nothing');
    expect(missing.res.status).toBe(404);
    expect(missing.res.headers.get('content-type')).toBe('application/problem+json');
    const post = await get(api(), '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK', {
      method: 'POST',
    });
    expect(post.res.status).toBe(405);
    expect(post.res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 503 with Retry-After when the store cannot reach the database', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const broken: ForecastStore = {
      ...createMemoryForecastStore(data),
      merchant: () => Promise.reject(down),
    };
    const { res, body } = await get(
      api(broken),
      '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK',
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(body).toMatchObject({ detail: 'the database is unavailable; retry later' });
  });
});

describe('GET /forecast/nowcast over an in-memory store', () => {
  // Wednesday noon of the week of Monday 2026-11-23: 2.5 days elapsed.
  const progress = new Map([
    // Usually 30% (recent weeks) and 50% (a year ago) sold by now: share 0.4.
    [
      'shoes',
      {
        soFarMinor: 400_00n,
        recent: { elapsed: 300, total: 1000 },
        lastYear: { elapsed: 50, total: 100 },
        recentSpread: 0,
      },
    ],
    [
      'boots',
      {
        soFarMinor: 0n,
        recent: { elapsed: 0, total: 0 },
        lastYear: { elapsed: 0, total: 0 },
        recentSpread: 0,
      },
    ],
    // Sold this week, but no forecast (a new category).
    [
      'scarves',
      {
        soFarMinor: 5_00n,
        recent: { elapsed: 0, total: 0 },
        lastYear: { elapsed: 0, total: 0 },
        recentSpread: 0,
      },
    ],
  ]);
  const withProgress = createMemoryForecastStore({
    ...data,
    progress: [
      {
        merchantId: 'shop',
        bucketType: 'WEEK',
        progress: { asOf: new Date('2026-11-25T11:59:58Z'), categories: progress },
      },
    ],
  });

  it('adds the forecast’s share still to come to what each category sold so far', async () => {
    const { res, body } = await get(api(withProgress), '/forecast/nowcast?merchant_id=shop&bucket_type=WEEK');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('precomputed');
    expect(body).toMatchObject({
      merchantId: 'shop',
      currency: 'EUR',
      bucketType: 'WEEK',
      bucketStart: '2026-11-23',
      bucketEnd: '2026-11-30',
      asOfLocal: '2026-11-25T12:00',
      elapsedDays: 2.5,
      asOf: '2026-11-25T11:59:58.000Z',
      model: 'auto',
      source: 'precomputed',
      stale: false,
    });
    expect(body.method).toMatch(/soFar \+ \(1 − share\) × forecast/);
    const cats = body.categories!;
    expect(cats.map((c) => c.categoryId)).toEqual(['shoes', 'scarves', 'boots', 'hats']);
    // 400.00 + (1 - 0.4) x 1234.50 = 1140.70; the 80% interval ±100 minor units narrowed by √0.6.
    expect(cats[0]).toMatchObject({
      rank: 1,
      name: 'Shoes',
      soFar: '400.00',
      soFarMinor: '40000',
      forecast: '1234.50',
      share: 0.4,
      nowcast: '1140.70',
      nowcastMinor: '114070',
      lo80: '1139.93',
      hi80: '1141.47',
      lo95: '1139.15',
      hi95: '1142.25',
    });
    // No forecast, or no share (nothing sold in the reference periods): no nowcast, the rest shown.
    expect(cats[1]).toMatchObject({ soFar: '5.00', forecast: null, share: null, nowcast: null, lo80: null });
    expect(cats[2]).toMatchObject({ soFar: '0.00', forecast: '250.00', share: null, nowcast: null });
    expect(cats[3]).toMatchObject({ soFar: '0.00', forecast: '90.00', share: null, nowcast: null });
  });

  it('refuses DAY and a bad limit with 400 naming the parameter, and an unknown merchant with 404', async () => {
    const day = await get(api(withProgress), '/forecast/nowcast?merchant_id=shop&bucket_type=DAY');
    expect(day.res.status).toBe(400);
    expect(JSON.stringify(day.body.errors)).toMatch(/bucket_type/);
    const limit = await get(api(withProgress), '/forecast/nowcast?merchant_id=shop&bucket_type=WEEK&limit=0');
    expect(limit.res.status).toBe(400);
    expect(JSON.stringify(limit.body.errors)).toMatch(/limit/);
    const unknown = await get(api(withProgress), '/forecast/nowcast?merchant_id=nobody&bucket_type=WEEK');
    expect(unknown.res.status).toBe(404);
  });
});

describe('forecast API with authentication', () => {
  let secured: Hono;
  const token = (scopes: string[], merchants: string[] | '*') =>
    mintToken({ secret: SECRET, scopes: scopes as never, merchants });
  const bearer = async (scopes: string[], merchants: string[] | '*') => ({
    headers: { authorization: `Bearer ${await token(scopes, merchants)}` },
  });

  beforeAll(async () => {
    // Wired as runForecastApi wires it: authenticate, demand forecasts:read, then the merchant.
    const auth = await createAuthenticator(parseAuthConfig({ AUTH_HS256_SECRET: SECRET }));
    const scope = requireScope('forecasts:read');
    secured = api(createMemoryForecastStore(data), {
      authMiddleware: async (c, next) => {
        await auth.middleware(c, async () => {
          await scope(c, next);
        });
      },
      authorizeMerchant: assertMerchantAccess,
    });
  });

  const top = '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK';

  it('refuses a request without a token with 401', async () => {
    const { res } = await get(secured, top);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('guards /forecast/category-path the same way', async () => {
    const path = '/forecast/category-path?merchant_id=shop&bucket_type=MONTH&category_id=shoes';
    expect((await get(secured, path)).res.status).toBe(401);
    expect((await get(secured, path, await bearer(['forecasts:read'], ['other']))).res.status).toBe(403);
    expect((await get(secured, path, await bearer(['forecasts:read'], ['shop']))).res.status).toBe(200);
  });

  it('refuses a token without forecasts:read with 403', async () => {
    const { res, body } = await get(secured, top, await bearer(['sales:read'], ['shop']));
    expect(res.status).toBe(403);
    expect(String(body.detail)).toMatch(/forecasts:read/);
  });

  it("refuses another merchant's token with 403, also for an answer already cached", async () => {
    const cached = api(createMemoryForecastStore(data), {
      responseCacheMs: 60_000,
      authMiddleware: async (c, next) => {
        await (await createAuthenticator(parseAuthConfig({ AUTH_HS256_SECRET: SECRET }))).middleware(c, next);
      },
      authorizeMerchant: assertMerchantAccess,
    });
    expect((await get(cached, top, await bearer(['forecasts:read'], ['shop']))).res.status).toBe(200);
    expect((await get(cached, top, await bearer(['forecasts:read'], ['other']))).res.status).toBe(403);
    const compare = '/forecast/compare-models?merchant_id=shop&bucket_type=WEEK';
    expect((await get(cached, compare, await bearer(['forecasts:read'], ['shop']))).res.status).toBe(200);
    expect((await get(cached, compare, await bearer(['forecasts:read'], ['other']))).res.status).toBe(403);
  });

  it('answers a token with the scope and the merchant, privately cached', async () => {
    const { res } = await get(secured, top, await bearer(['forecasts:read'], ['shop']));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=15');
    expect(res.headers.get('vary')).toMatch(/Authorization/);
  });

  it('serves the OpenAPI document without a token', async () => {
    expect((await get(secured, '/openapi.json')).res.status).toBe(200);
  });
});

describe('the response cache while change notifications are live', () => {
  /** An API over a counting store, with its own clock and a live change log. */
  function live(extra: Extra = {}) {
    const store = createMemoryForecastStore(data);
    const reads: string[] = [];
    const counting: ForecastStore = {
      ...store,
      latestSet: async (m, t) => {
        reads.push(`${m} ${t}`);
        return store.latestSet(m, t);
      },
    };
    const changes = new ForecastChangeLog();
    changes.setExact(true);
    const clock = { now: NOW };
    const app = api(counting, {
      responseCacheMs: 1,
      responseCacheExactMs: 3_600_000,
      changes,
      now: () => clock.now,
      ...extra,
    });
    return { app, reads, changes, clock };
  }
  const week = '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK';
  const month = '/forecast/compare-models?merchant_id=shop&bucket_type=MONTH';
  // Longer than the short TTL (1 ms): only the exact lifetime can keep an answer.
  const pastShortTtl = () => new Promise((r) => setTimeout(r, 5));

  it('keeps a precomputed answer past the short TTL until a notification names its merchant and bucket type', async () => {
    const { app, reads, changes } = live();
    await get(app, week);
    await get(app, month);
    await pastShortTtl();
    await get(app, week);
    await get(app, month);
    expect(reads).toEqual(['shop WEEK', 'shop MONTH']);
    changes.record([{ merchantId: 'shop', bucketType: 'WEEK' }]);
    await get(app, week);
    await get(app, month);
    expect(reads).toEqual(['shop WEEK', 'shop MONTH', 'shop WEEK']);
    // A catalog change names every bucket type of the merchant; another merchant's changes none.
    changes.record([{ merchantId: 'other', bucketType: '*' }]);
    await get(app, week);
    expect(reads).toHaveLength(3);
    changes.record([{ merchantId: 'shop', bucketType: '*' }]);
    await get(app, week);
    await get(app, month);
    expect(reads).toEqual(['shop WEEK', 'shop MONTH', 'shop WEEK', 'shop WEEK', 'shop MONTH']);
  });

  it('keeps an on-demand answer only the short TTL', async () => {
    const { app, reads } = live();
    const onDemand = '/forecast/top-categories?merchant_id=new&bucket_type=WEEK';
    expect((await get(app, onDemand)).body.source).toBe('on_demand');
    await pastShortTtl();
    await get(app, onDemand);
    expect(reads).toEqual(['new WEEK', 'new WEEK']);
  });

  it('stops serving a precomputed answer when its set turns stale by the clock', async () => {
    const { app, reads, clock } = live();
    expect((await get(app, week)).body).toMatchObject({ source: 'precomputed', stale: false });
    // checked_at 11:30 + 7200 s: still fresh at 13:30, stale from then on.
    clock.now = new Date('2026-11-25T13:29:59Z');
    await get(app, week);
    expect(reads).toHaveLength(1);
    clock.now = new Date('2026-11-25T13:30:01Z');
    expect((await get(app, week)).body).toMatchObject({ source: 'on_demand', stale: true });
    expect(reads).toHaveLength(2);
  });

  it('stops serving a precomputed answer when its period ends', async () => {
    const { app, reads, clock } = live({ staleAfterSeconds: 30 * 86_400 });
    await get(app, week);
    clock.now = new Date('2026-11-29T23:59:59Z');
    await get(app, week);
    expect(reads).toHaveLength(1);
    // Monday 2026-11-30: the set's week (from 2026-11-23) has ended.
    clock.now = new Date('2026-11-30T00:00:00Z');
    expect((await get(app, week)).body).toMatchObject({ source: 'on_demand', stale: true });
    expect(reads).toHaveLength(2);
  });

  it('forgets every answer when the notifications are lost, and keeps the short TTL until they are back', async () => {
    const { app, reads, changes } = live();
    await get(app, week);
    changes.setExact(false);
    await get(app, week);
    await pastShortTtl();
    await get(app, week);
    expect(reads).toHaveLength(3);
    changes.setExact(true);
    await get(app, week);
    await pastShortTtl();
    await get(app, week);
    expect(reads).toHaveLength(4);
  });
});
