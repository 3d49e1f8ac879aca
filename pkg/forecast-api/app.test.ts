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
import type { ForecastSet, StoredForecast } from '../forecast-job/index.js';
import { silentLogger } from '../log/index.js';
import { createRegistry } from '../metrics/index.js';
import { createForecastApi, type ForecastApiOptions } from './app.js';
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
  ],
  // 'new' has no precomputed set: its forecast is computed on demand from this history.
  history: [
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

  it('lists the model catalog', async () => {
    const { res, body } = await get(api(), '/forecast/models');
    expect(res.status).toBe(200);
    expect((body.models as { name: string }[]).map((m) => m.name)).toEqual([...MODEL_NAMES]);
  });

  it('serves its OpenAPI document', async () => {
    const { res, body } = await get(api(), '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining(['/forecast/top-categories', '/forecast/compare-models', '/forecast/models']),
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
