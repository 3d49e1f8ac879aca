import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createForecastApi } from '../../pkg/forecast-api/index.js';
import { createForecastPool } from '../../pkg/forecast-engine/index.js';
import { latestSet, latestSets, runForecastJob } from '../../pkg/forecast-job/index.js';
import { PostgresLeaseStore } from '../../pkg/leader/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import {
  assertMerchantAccess,
  createAuthenticator,
  mintToken,
  parseAuthConfig,
  requireScope,
} from '../../pkg/auth/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { seedAggregates, seedCatalog } from './support/seed.js';

let db: TestDatabase;
let clock = new Date('2026-11-25T12:00:00Z');
const now = () => clock;
let app: Hono;

interface TopBody {
  source: string;
  stale: boolean;
  reason: string | null;
  targetBucketStart: string;
  categories: {
    rank: number;
    categoryId: string;
    forecast: string;
    lo80: string;
    hi80: string;
    model: string;
    metrics: { mase: number | null } | null;
  }[];
}

beforeAll(async () => {
  db = await createTestDatabase('fapi');
  const cats = await seedCatalog(db.pool, 'shop', 4);
  await seedAggregates(
    db.pool,
    'shop',
    cats,
    'WEEK',
    '2024-06-03',
    '2026-11-16',
    // deterministic noise keeps seasonal naive from being exact (its MASE scale would be 0)
    (c, i) => 5_000 * (4 - c) + 800 * Math.sin((2 * Math.PI * i) / 52) + 11 * i + 400 * Math.sin(i * i + c),
  );
  await seedAggregates(
    db.pool,
    'shop',
    cats,
    'MONTH',
    '2023-01-01',
    '2026-10-01',
    (c, i) => 20_000 * (4 - c) + 3_000 * Math.cos((2 * Math.PI * i) / 12) + 900 * Math.sin(i * i + c),
  );
  await seedCatalog(db.pool, 'empty', 2);
  // A hierarchy: "top" (no sales of its own) over c0 and c1; c1 (which sells too) over c2 and c3.
  await db.pool.query(
    `INSERT INTO ingestion.categories (merchant_id, id, name) VALUES ('shop', 'top', 'All')`,
  );
  await db.pool.query(
    `UPDATE ingestion.categories SET parent_category_id = CASE WHEN id IN ('c0', 'c1') THEN 'top' ELSE 'c1' END
      WHERE merchant_id = 'shop' AND id IN ('c0', 'c1', 'c2', 'c3')`,
  );
  app = createForecastApi({ readDb: db.pool, logger: silentLogger(), registry: createRegistry('t'), now });
});
afterAll(async () => db.drop());

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await app.request(path, { headers });
  return {
    res,
    body: res.status === 304 ? undefined : ((await res.json()) as TopBody & Record<string, unknown>),
  };
};

describe('forecast-api', () => {
  it('computes on demand, and says so, before the job has run', async () => {
    const { res, body } = await get('/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&limit=3');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-catcast-forecast-source')).toBe('on_demand');
    expect(body).toMatchObject({ source: 'on_demand', stale: false, targetBucketStart: '2026-11-23' });
    expect(body!.reason).toMatch(/forecast job has not run/);
    expect(body!.categories.map((c) => c.categoryId)).toEqual(['c0', 'c1', 'c2']);
    expect(body!.categories[0]).toMatchObject({ rank: 1, model: 'auto' });
  });

  it('serves the precomputed set after the job ran, and the same ranking', async () => {
    const forecaster = createForecastPool({ threads: 1 });
    try {
      const summary = await runForecastJob(
        {
          shardIndex: 0,
          shardCount: 1,
          bucketTypes: ['WEEK', 'MONTH'],
          models: ['auto', 'seasonal_naive', 'naive', 'ets', 'theta'],
          merchantBatch: 10,
          keepSets: 3,
          leaseNamePrefix: 'api-test-',
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 200,
          leaseWaitMs: 5000,
        },
        {
          pool: db.pool,
          leaseStore: new PostgresLeaseStore(db.pool),
          forecaster,
          logger: silentLogger(),
          now,
        },
        new AbortController().signal,
      );
      expect(summary.status).toBe('succeeded');
    } finally {
      await forecaster.close();
    }
    const { res, body } = await get('/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&limit=3');
    expect(res.headers.get('x-catcast-forecast-source')).toBe('precomputed');
    expect(body).toMatchObject({ source: 'precomputed', stale: false, reason: null });
    expect(body!.categories.map((c) => c.categoryId)).toEqual(['c0', 'c1', 'c2']);
    for (const c of body!.categories)
      expect(Number(c.lo80) <= Number(c.forecast) && Number(c.forecast) <= Number(c.hi80)).toBe(true);
  });

  it('reads the latest sets of several (merchant, bucket type) pairs in one statement, as each alone', async () => {
    const pairs = [
      { merchantId: 'shop', bucketType: 'WEEK' as const },
      { merchantId: 'nobody', bucketType: 'WEEK' as const },
      { merchantId: 'shop', bucketType: 'MONTH' as const },
      { merchantId: 'shop', bucketType: 'YEAR' as const },
      { merchantId: 'shop', bucketType: 'WEEK' as const },
    ];
    const alone = await Promise.all(pairs.map((p) => latestSet(db.pool, p.merchantId, p.bucketType)));
    expect(alone.map((s) => s?.bucketType)).toEqual(['WEEK', undefined, 'MONTH', undefined, 'WEEK']);
    expect(await latestSets(db.pool, pairs)).toEqual(alone);
    // Concurrent answers through the API share that statement and keep their own bodies.
    const registry = createRegistry('t');
    const batched = createForecastApi({
      readDb: db.pool,
      logger: silentLogger(),
      registry,
      now,
      readBatchMax: 32,
      readConcurrency: 4,
    });
    const urls = ['WEEK', 'MONTH', 'WEEK'].map(
      (t) => `/forecast/top-categories?merchant_id=shop&bucket_type=${t}`,
    );
    const bodies = await Promise.all(urls.map(async (u) => (await batched.request(u)).text()));
    expect(bodies).toEqual(await Promise.all(urls.map(async (u) => (await app.request(u)).text())));
    const text = await registry.metrics();
    const value = (suffix: string) =>
      Number(
        new RegExp(
          `^catcast_api_read_batch_size_${suffix}\\{[^}]*route="latest-forecast-set"[^}]*\\} (\\S+)$`,
          'm',
        ).exec(text)?.[1],
      );
    expect(value('sum')).toBe(3);
    expect(value('count')).toBeLessThan(3);
  });

  it('falls back to on demand for a model or lookback that was not precomputed', async () => {
    const a = await get('/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&model=croston_sba');
    expect(a.body).toMatchObject({ source: 'on_demand', reason: 'model croston_sba is not precomputed' });
    const b = await get('/forecast/top-categories?merchant_id=shop&bucket_type=WEEK&lookback=60');
    expect(b.body).toMatchObject({ source: 'on_demand', lookback: 60 });
  });

  it('marks a precomputed set stale when it is too old, and serves on demand', async () => {
    clock = new Date('2026-11-25T16:00:00Z'); // 4 h later, past the 2 h default
    const { body } = await get('/forecast/top-categories?merchant_id=shop&bucket_type=WEEK');
    expect(body).toMatchObject({ source: 'on_demand', stale: true });
    expect(body!.reason).toMatch(/older than 7200 s/);
    clock = new Date('2026-11-25T12:30:00Z');
  });

  it('compares every precomputed model and names a winner per category', async () => {
    const { res, body } = await get(
      '/forecast/compare-models?merchant_id=shop&bucket_type=MONTH&category_id=c1',
    );
    expect(res.status).toBe(200);
    const cats = body!.categories as unknown as {
      categoryId: string;
      winner: string;
      models: { model: string; ratioToSeasonalNaive: number | null }[];
    }[];
    expect(cats).toHaveLength(1);
    expect(cats[0]!.categoryId).toBe('c1');
    expect(cats[0]!.models.length).toBeGreaterThanOrEqual(5);
    expect(cats[0]!.models.map((m) => m.model)).toContain(cats[0]!.winner);
    expect(cats[0]!.models.find((m) => m.model === 'seasonal_naive')!.ratioToSeasonalNaive).toBeCloseTo(1);
  });

  it('serves the precomputed paths, each parent step the sum of its children, and accuracy per horizon', async () => {
    interface PathBody {
      source: string;
      horizon: number;
      children: string[];
      steps: {
        step: number;
        bucketStart: string;
        forecastMinor: string;
        lo95Minor: string;
        hi95Minor: string;
      }[];
    }
    const path = async (bt: string, cat: string, extra = '') => {
      const { res, body } = await get(
        `/forecast/category-path?merchant_id=shop&bucket_type=${bt}&category_id=${cat}${extra}`,
      );
      expect(res.status).toBe(200);
      return body as unknown as PathBody;
    };
    for (const [bt, h, first] of [
      ['WEEK', 13, '2026-11-23'],
      ['MONTH', 12, '2026-11-01'],
    ] as const) {
      const top = await path(bt, 'top');
      expect(top).toMatchObject({ source: 'precomputed', horizon: h, children: ['c0', 'c1'] });
      expect(top.steps).toHaveLength(h);
      expect(top.steps[0]!.bucketStart).toBe(first);
      const [c0, c1, c2, c3] = await Promise.all(['c0', 'c1', 'c2', 'c3'].map((c) => path(bt, c)));
      expect(c1!.children).toEqual(['c2', 'c3']);
      top.steps.forEach((s, j) => {
        const m = (p: PathBody) => BigInt(p.steps[j]!.forecastMinor);
        expect(m(top), `${bt} step ${j + 1}`).toBe(m(c0!) + m(c1!));
        // c1 sells itself too: its subtree is at least its children's sum.
        expect(m(c1!) >= m(c2!) + m(c3!)).toBe(true);
        expect(BigInt(s.lo95Minor) <= BigInt(s.forecastMinor)).toBe(true);
      });
      // Step 1 is the forecast top-categories serves for the leaf.
      const leafTop = await get(`/forecast/top-categories?merchant_id=shop&bucket_type=${bt}&limit=10`);
      expect(leafTop.body!.categories.find((c) => c.categoryId === 'c3')).toBeDefined();
      const c3Minor = (
        leafTop.body!.categories as unknown as { categoryId: string; forecastMinor: string }[]
      ).find((c) => c.categoryId === 'c3')!.forecastMinor;
      expect(c3!.steps[0]!.forecastMinor).toBe(c3Minor);
    }
    // A shorter horizon is cut from the set; a longer one is computed on demand, coherent the same way.
    expect((await path('MONTH', 'c0', '&horizon=4')).steps).toHaveLength(4);
    const [top18, c018, c118] = await Promise.all(
      ['top', 'c0', 'c1'].map((c) => path('MONTH', c, '&horizon=18&model=seasonal_naive')),
    );
    expect(top18!.source).toBe('on_demand');
    top18!.steps.forEach((s, j) =>
      expect(BigInt(s.forecastMinor)).toBe(
        BigInt(c018!.steps[j]!.forecastMinor) + BigInt(c118!.steps[j]!.forecastMinor),
      ),
    );

    const { body } = await get('/forecast/compare-models?merchant_id=shop&bucket_type=MONTH&category_id=c2');
    const models = (
      body!.categories as unknown as { models: { model: string; horizons: unknown[] | null }[] }[]
    )[0]!.models;
    for (const m of ['auto', 'seasonal_naive']) {
      const hs = models.find((x) => x.model === m)!.horizons as {
        step: number;
        errors: number;
        wape: number;
      }[];
      expect(hs.map((x) => x.step)).toEqual(Array.from({ length: 12 }, (_, j) => j + 1));
      expect(hs[0]!.errors).toBeGreaterThan(0);
      expect(hs[0]!.wape).toBeGreaterThan(0);
    }
    expect(models.find((x) => x.model === 'ets')!.horizons).toBeNull();
  });

  it('answers a merchant without sales with an empty list and a reason', async () => {
    const { res, body } = await get('/forecast/top-categories?merchant_id=empty&bucket_type=MONTH');
    expect(res.status).toBe(200);
    expect(body!.categories).toEqual([]);
    expect(body!.reason).toMatch(/no sales yet/);
  });

  it.each([
    ['', 'merchant_id'],
    ['merchant_id=shop', 'bucket_type'],
    ['merchant_id=shop&bucket_type=DECADE', 'bucket_type'],
    ['merchant_id=shop&bucket_type=WEEK&model=prophet', 'model'],
    ['merchant_id=shop&bucket_type=WEEK&limit=0', 'limit'],
    ['merchant_id=shop&bucket_type=WEEK&limit=abc', 'limit'],
    ['merchant_id=shop&bucket_type=WEEK&lookback=2', 'lookback'],
    ['merchant_id=bad%20id&bucket_type=WEEK', 'merchant_id'],
  ])('rejects ?%s naming %s', async (query, field) => {
    const res = await app.request(`/forecast/top-categories?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain(field);
  });

  it('nowcasts the week and the year in progress from their DAY aggregates, the forecast and the reference periods', async () => {
    // 'daily' sells every day: category k sells (k + 1) x 100 x (weekday number, Monday 1) x a
    // slow growth and a daily wobble, so a week's share by Wednesday noon is neither flat nor the same every week.
    const cats = await seedCatalog(db.pool, 'daily', 2);
    const dayValue = (k: number, d: Date) => {
      const weekday = ((d.getUTCDay() + 6) % 7) + 1;
      const week = Math.floor((d.getTime() - Date.UTC(2024, 0, 1)) / (7 * 86_400_000));
      // A day-to-day wobble, so the share by Wednesday noon differs from week to week.
      const wobble = 1 + 0.1 * Math.sin(d.getTime() / 86_400_000 + k);
      return Math.round((k + 1) * 100 * weekday * (1 + 0.01 * week) * wobble);
    };
    const dayMs = 86_400_000;
    const rows: [string, string, string, number][] = [];
    // Every day from 2024-06-03 (a Monday) to Wednesday 2026-11-25 (today, noon: its sales so far).
    for (let t = Date.UTC(2024, 5, 3); t <= Date.UTC(2026, 10, 25); t += dayMs)
      cats.forEach((c, k) =>
        rows.push([c, 'DAY', new Date(t).toISOString().slice(0, 10), dayValue(k, new Date(t))]),
      );
    // Whole weeks (the forecast's history) and the week in progress, summed from the days.
    for (let w = Date.UTC(2024, 5, 3); w <= Date.UTC(2026, 10, 23); w += 7 * dayMs)
      cats.forEach((c, k) => {
        let sum = 0;
        for (let t = w; t < w + 7 * dayMs && t <= Date.UTC(2026, 10, 25); t += dayMs)
          sum += dayValue(k, new Date(t));
        rows.push([c, 'WEEK', new Date(w).toISOString().slice(0, 10), sum]);
      });
    // This year so far (the YEAR row of 2026).
    cats.forEach((c, k) => {
      let sum = 0;
      for (let t = Date.UTC(2026, 0, 1); t <= Date.UTC(2026, 10, 25); t += dayMs)
        sum += dayValue(k, new Date(t));
      rows.push([c, 'YEAR', '2026-01-01', sum]);
    });
    await db.pool.query(
      `INSERT INTO forecasting.category_sales_agg (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count)
       SELECT 'daily', c, b, d::date, v, 1, 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(c, b, d, v)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
    await db.pool.query(
      `INSERT INTO forecasting.aggregation_watermarks (merchant_id, last_event_created_at, last_event_placed_at)
       VALUES ('daily', '2026-11-25T11:59:00Z', '2026-11-25T11:58:00Z')`,
    );
    // The oracle: shares summed here from the same generator, not read back from the database.
    const share = (k: number) => {
      const part = (monday: number) => ({
        elapsed:
          dayValue(k, new Date(monday)) +
          dayValue(k, new Date(monday + dayMs)) +
          0.5 * dayValue(k, new Date(monday + 2 * dayMs)),
        total: Array.from({ length: 7 }, (_, i) => dayValue(k, new Date(monday + i * dayMs))).reduce(
          (a, b) => a + b,
        ),
      });
      const thisMonday = Date.UTC(2026, 10, 23);
      const recent = Array.from({ length: 8 }, (_, i) => part(thisMonday - (i + 1) * 7 * dayMs)).reduce(
        (a, b) => ({
          elapsed: a.elapsed + b.elapsed,
          total: a.total + b.total,
        }),
      );
      const lastYear = part(thisMonday - 52 * 7 * dayMs);
      return (recent.elapsed / recent.total + lastYear.elapsed / lastYear.total) / 2;
    };
    // How much the 8 recent weeks' own shares vary (sample standard deviation).
    const spread = (k: number) => {
      const thisMonday = Date.UTC(2026, 10, 23);
      const shares = Array.from({ length: 8 }, (_, i) => {
        const monday = thisMonday - (i + 1) * 7 * dayMs;
        const day = (n: number) => dayValue(k, new Date(monday + n * dayMs));
        return (day(0) + day(1) + 0.5 * day(2)) / [0, 1, 2, 3, 4, 5, 6].reduce((a, n) => a + day(n), 0);
      });
      const mean = shares.reduce((a, b) => a + b) / 8;
      return Math.sqrt(shares.reduce((a, b) => a + (b - mean) ** 2, 0) / 7);
    };

    clock = new Date('2026-11-25T12:00:00Z');
    const { res, body } = await get('/forecast/nowcast?merchant_id=daily&bucket_type=WEEK');
    expect(res.status).toBe(200);
    const answer = body as unknown as {
      bucketStart: string;
      elapsedDays: number;
      asOf: string;
      source: string;
      categories: {
        categoryId: string;
        soFarMinor: string;
        forecastMinor: string;
        share: number;
        shareSpread: number;
        nowcastMinor: string;
        lo80: string;
        hi80: string;
      }[];
    };
    expect(answer).toMatchObject({
      bucketStart: '2026-11-23',
      elapsedDays: 2.5,
      asOf: '2026-11-25T11:59:00.000Z',
      source: 'on_demand',
    });
    expect(answer.categories.map((c) => c.categoryId).sort()).toEqual([...cats].sort());
    for (const c of answer.categories) {
      const k = cats.indexOf(c.categoryId);
      const soFar = [23, 24, 25].reduce((a, d) => a + dayValue(k, new Date(Date.UTC(2026, 10, d))), 0);
      expect(c.soFarMinor).toBe(String(soFar));
      expect(c.share).toBeCloseTo(share(k), 4);
      expect(c.shareSpread).toBeCloseTo(spread(k), 4);
      const expected = soFar + (1 - share(k)) * Number(c.forecastMinor);
      expect(Math.abs(Number(c.nowcastMinor) - expected)).toBeLessThanOrEqual(1);
      expect(Number(c.lo80.replace('.', ''))).toBeLessThanOrEqual(Number(c.nowcastMinor));
      expect(Number(c.hi80.replace('.', ''))).toBeGreaterThanOrEqual(Number(c.nowcastMinor));
    }
    // YEAR: the most recent year is also last year's reference, read once and counted in both.
    const yearShare = (k: number) => {
      const part = (year: number) => {
        const from = Date.UTC(year, 0, 1);
        const cut = from + 328 * dayMs; // 2026-01-01 to 2026-11-25 is 328 days
        let elapsed = 0;
        let total = 0;
        for (let t = Math.max(from, Date.UTC(2024, 5, 3)); t < Date.UTC(year + 1, 0, 1); t += dayMs) {
          const v = dayValue(k, new Date(t));
          total += v;
          if (t < cut) elapsed += v;
          else if (t === cut) elapsed += 0.5 * v;
        }
        return { elapsed, total };
      };
      const [y1, y2] = [part(2025), part(2024)];
      const recent = (y1.elapsed + y2.elapsed) / (y1.total + y2.total);
      return (recent + y1.elapsed / y1.total) / 2;
    };
    const year = await get('/forecast/nowcast?merchant_id=daily&bucket_type=YEAR');
    expect(year.res.status).toBe(200);
    const yearCats = (
      year.body as unknown as { bucketStart: string; categories: { categoryId: string; share: number }[] }
    ).categories;
    expect((year.body as unknown as { bucketStart: string }).bucketStart).toBe('2026-01-01');
    for (const c of yearCats) expect(c.share).toBeCloseTo(yearShare(cats.indexOf(c.categoryId)), 4);
    expect(yearCats).toHaveLength(2);

    // Its sales so far are the only sales of a merchant with no history: the nowcast says so.
    const empty = await get('/forecast/nowcast?merchant_id=empty&bucket_type=MONTH');
    expect(empty.res.status).toBe(200);
    expect((empty.body as unknown as { categories: unknown[]; asOf: string | null }).asOf).toBeNull();
  });

  it('404s an unknown merchant', async () => {
    const res = await app.request('/forecast/compare-models?merchant_id=nobody&bucket_type=WEEK');
    expect(res.status).toBe(404);
  });

  it('revalidates with ETag', async () => {
    const first = await app.request('/forecast/top-categories?merchant_id=shop&bucket_type=MONTH');
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"/);
    const second = await app.request('/forecast/top-categories?merchant_id=shop&bucket_type=MONTH', {
      headers: { 'if-none-match': tag },
    });
    expect(second.status).toBe(304);
  });

  it('publishes the model catalog and an OpenAPI document generated from the routes', async () => {
    const models = (await (await app.request('/forecast/models')).json()) as {
      models: { name: string; version: string }[];
    };
    expect(models.models.map((m) => m.name)).toContain('holt_winters_additive');
    for (const m of models.models) expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/forecast/category-path',
      '/forecast/compare-models',
      '/forecast/models',
      '/forecast/nowcast',
      '/forecast/top-categories',
      '/health',
      '/metrics',
      '/ready',
    ]);
  });

  it('enforces tokens: 401 without, 403 for another merchant or scope', async () => {
    const secret = 'x'.repeat(40);
    const auth = await createAuthenticator(parseAuthConfig({ AUTH_HS256_SECRET: secret }));
    const secured = createForecastApi({
      readDb: db.pool,
      logger: silentLogger(),
      registry: createRegistry('t2'),
      now,
      authMiddleware: async (c, next) => {
        await auth.middleware(c, async () => {
          await requireScope('forecasts:read')(c, next);
        });
      },
      authorizeMerchant: assertMerchantAccess,
    });
    const path = '/forecast/top-categories?merchant_id=shop&bucket_type=MONTH';
    const own = await mintToken({ secret, scopes: ['forecasts:read'], merchants: ['shop'] });
    const other = await mintToken({ secret, scopes: ['forecasts:read'], merchants: ['empty'] });
    const noScope = await mintToken({ secret, scopes: ['sales:read'], merchants: ['shop'] });
    expect((await secured.request(path)).status).toBe(401);
    expect((await secured.request(path, { headers: { authorization: `Bearer ${own}` } })).status).toBe(200);
    expect((await secured.request(path, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403);
    expect((await secured.request(path, { headers: { authorization: `Bearer ${noScope}` } })).status).toBe(
      403,
    );
  });
});
