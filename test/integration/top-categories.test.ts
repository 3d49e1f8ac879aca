import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch, createAggregatorApi } from '../../pkg/aggregation/index.js';
import { HttpProblem } from '../../pkg/http/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { Registry } from '../../pkg/metrics/index.js';
import {
  asMessage,
  orderEvent,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const BERLIN: FixtureMerchant = {
  id: 'berlin',
  timezone: 'Europe/Berlin',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['apparel', 'shoes', 'hats', 'socks', 'gloves'],
  parent: { shoes: 'apparel', hats: 'apparel' },
};
const TOKYO: FixtureMerchant = {
  id: 'tokyo',
  timezone: 'Asia/Tokyo',
  weekStart: 'SUNDAY',
  currency: 'JPY',
  categories: ['tea'],
};

// "Now" for the API: Sunday 2026-03-01 23:30 UTC = Monday 00:30 in Berlin, Monday 08:30 in Tokyo.
const NOW = new Date('2026-03-01T23:30:00Z');
const clock = { now: () => NOW };

let db: TestDatabase;
let api: ReturnType<typeof createAggregatorApi>;

interface Problem {
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  validBucketStarts?: string[];
  nearestBucketStart?: string;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await api.request(path, { headers });
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function problem(path: string, status: number): Promise<Problem> {
  const { res, body } = await get(path);
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  return body as unknown as Problem;
}

const line = (categoryId: string, quantity: number, unitPriceMinor: bigint) => ({
  categoryId,
  quantity,
  unitPriceMinor,
});

beforeAll(async () => {
  db = await createTestDatabase('topcat');
  await seedCatalog(db.pool, [BERLIN, TOKYO]);
  api = createAggregatorApi({
    readDb: db.pool,
    clock,
    logger: silentLogger(),
    registry: new Registry(),
    staleAfterSeconds: 300,
  });
  // Week of Mon 2026-02-16 (previous) and week of Mon 2026-02-23 (current for the tests), Berlin time.
  const events = [
    orderEvent(BERLIN, '2026-02-17T10:00:00Z', [line('shoes', 1, 5000n)], '2026-02-17T10:00:01Z'),
    orderEvent(BERLIN, '2026-02-18T10:00:00Z', [line('hats', 2, 1000n)], '2026-02-18T10:00:01Z'),
    orderEvent(
      BERLIN,
      '2026-02-23T09:00:00Z',
      [line('shoes', 2, 4000n), line('socks', 3, 500n)],
      '2026-02-23T09:00:01Z',
    ),
    orderEvent(BERLIN, '2026-02-24T09:00:00Z', [line('shoes', 1, 2000n)], '2026-02-24T09:00:01Z'),
    orderEvent(
      BERLIN,
      '2026-02-25T09:00:00Z',
      [line('hats', 1, 9999n), line('socks', 1, 1n)],
      '2026-02-25T09:00:01Z',
    ),
    // Sunday 2026-03-01 23:10 UTC is Monday 2026-03-02 in Berlin: first order of the "current" week.
    orderEvent(BERLIN, '2026-03-01T23:10:00Z', [line('gloves', 1, 1234n)], '2026-03-01T23:10:01Z'),
    orderEvent(TOKYO, '2026-02-20T01:00:00Z', [line('tea', 3, 700n)], '2026-02-20T01:00:01Z'),
  ];
  await storeOrders(db.pool, events);
  await applyBatch(
    db.pool,
    events.map((e) => asMessage(e)),
  );
});
afterAll(async () => db.drop());

describe('GET /api/top-categories', () => {
  it('ranks categories by total with names, counts, shares and the previous period', async () => {
    const { res, body } = await get(
      '/api/top-categories?merchantId=berlin&bucketType=WEEK&bucketStart=2026-02-23&limit=2',
    );
    expect(res.status).toBe(200);
    expect(body).toEqual({
      merchantId: 'berlin',
      currency: 'EUR',
      timezone: 'Europe/Berlin',
      weekStart: 'MONDAY',
      bucketType: 'WEEK',
      bucketStart: '2026-02-23',
      bucketEnd: '2026-03-02',
      previousBucketStart: '2026-02-16',
      limit: 2,
      periodTotal: '215.00',
      periodTotalMinor: '21500',
      previousPeriodTotal: '70.00',
      previousPeriodTotalMinor: '7000',
      previousFullPeriodTotal: '70.00',
      previousFullPeriodTotalMinor: '7000',
      // A closed week (NOW is in the next one): whole week against whole week.
      comparison: {
        kind: 'full_period',
        inProgress: false,
        asOfLocal: null,
        previousFromLocal: '2026-02-16T00:00',
        previousToLocal: '2026-02-23T00:00',
        description: 'whole week vs the whole previous week',
      },
      categoryCount: 3,
      categories: [
        {
          rank: 1,
          categoryId: 'shoes',
          name: 'Category shoes',
          parentCategoryId: 'apparel',
          total: '100.00',
          totalMinor: '10000',
          orderCount: 2,
          itemCount: 3,
          share: 0.465116,
          previousTotal: '50.00',
          previousTotalMinor: '5000',
          change: 1,
        },
        {
          rank: 2,
          categoryId: 'hats',
          name: 'Category hats',
          parentCategoryId: 'apparel',
          total: '99.99',
          totalMinor: '9999',
          orderCount: 1,
          itemCount: 1,
          share: 0.465069,
          previousTotal: '20.00',
          previousTotalMinor: '2000',
          change: 3.9995,
        },
      ],
      asOf: '2026-03-01T23:10:01.000Z',
      freshness: {
        asOf: '2026-03-01T23:10:01.000Z',
        lastAppliedAt: expect.any(String) as string,
        lagSeconds: expect.any(Number) as number,
        stale: false,
        staleAfterSeconds: 300,
      },
    });
  });

  it('defaults limit to 10 and bucketStart to the bucket containing now in the merchant zone', async () => {
    const { body } = await get('/api/top-categories?merchantId=berlin&bucketType=WEEK');
    expect(body).toMatchObject({ bucketStart: '2026-03-02', bucketEnd: '2026-03-09', limit: 10 });
    expect((body!.categories as { categoryId: string }[]).map((c) => c.categoryId)).toEqual(['gloves']);
    const day = await get('/api/top-categories?merchantId=berlin&bucketType=DAY');
    expect(day.body).toMatchObject({ bucketStart: '2026-03-02', periodTotal: '12.34' });
    const year = await get('/api/top-categories?merchantId=berlin&bucketType=YEAR');
    expect(year.body).toMatchObject({
      bucketStart: '2026-01-01',
      bucketEnd: '2027-01-01',
      periodTotal: '297.34',
    });
    // A Sunday week start, in a zero-decimal currency.
    const tokyo = await get('/api/top-categories?merchantId=tokyo&bucketType=WEEK&bucketStart=2026-02-15');
    expect(tokyo.body).toMatchObject({
      bucketEnd: '2026-02-22',
      categories: [
        { categoryId: 'tea', total: '2100', totalMinor: '2100', itemCount: 3, share: 1, change: null },
      ],
    });
  });

  it('answers an empty bucket with an empty ranking', async () => {
    const { res, body } = await get(
      '/api/top-categories?merchantId=berlin&bucketType=MONTH&bucketStart=2025-01-01',
    );
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ categories: [], periodTotal: '0.00', categoryCount: 0 });
  });

  it.each([
    ['bucketType=WEEK', 'merchantId'],
    ['merchantId=bad%20id&bucketType=WEEK', 'merchantId'],
    ['merchantId=berlin', 'bucketType'],
    ['merchantId=berlin&bucketType=QUARTER', 'bucketType'],
    ['merchantId=berlin&bucketType=DAY&bucketStart=2026-02-30', 'bucketStart'],
    ['merchantId=berlin&bucketType=DAY&bucketStart=yesterday', 'bucketStart'],
    ['merchantId=berlin&bucketType=DAY&limit=0', 'limit'],
    ['merchantId=berlin&bucketType=DAY&limit=101', 'limit'],
    ['merchantId=berlin&bucketType=DAY&limit=ten', 'limit'],
    ['merchantId=berlin&bucketType=DAY&limit=-1', 'limit'],
  ])('rejects %s naming %s', async (query, field) => {
    const p = await problem(`/api/top-categories?${query}`, 400);
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
    expect(p.detail).toContain(field);
  });

  it.each([
    ['WEEK', '2026-02-25', "a Monday (the merchant's week start)", '2026-02-23', '2026-03-02', '2026-02-23'],
    ['WEEK', '2026-02-28', "a Monday (the merchant's week start)", '2026-02-23', '2026-03-02', '2026-03-02'],
    ['MONTH', '2026-02-10', 'the first day of a month', '2026-02-01', '2026-03-01', '2026-02-01'],
    ['YEAR', '2026-12-01', 'January 1st', '2026-01-01', '2027-01-01', '2027-01-01'],
  ])(
    'rejects a %s bucketStart %s that is not a boundary, naming valid ones',
    async (type, date, rule, before, after, nearest) => {
      const p = await problem(
        `/api/top-categories?merchantId=berlin&bucketType=${type}&bucketStart=${date}`,
        422,
      );
      expect(p.errors?.[0]?.field).toBe('bucketStart');
      expect(p.detail).toContain(rule);
      expect(p.detail).toContain(`nearest valid bucketStart is ${nearest}`);
      expect(p.validBucketStarts).toEqual([before, after]);
      expect(p.nearestBucketStart).toBe(nearest);
    },
  );

  it('answers 404 for an unknown merchant', async () => {
    const p = await problem('/api/top-categories?merchantId=nobody&bucketType=WEEK', 404);
    expect(p.detail).toContain('nobody');
  });

  it('sends an ETag and Cache-Control, answers 304 to If-None-Match, and a new ETag after a change', async () => {
    const url = '/api/top-categories?merchantId=berlin&bucketType=MONTH&bucketStart=2026-03-01';
    const first = await get(url);
    const etag = first.res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.res.headers.get('cache-control')).toBe('public, max-age=5');
    const again = await get(url, { 'if-none-match': etag });
    expect(again.res.status).toBe(304);
    expect(again.res.headers.get('etag')).toBe(etag);
    expect(again.res.headers.get('cache-control')).toBe('public, max-age=5');
    expect(again.body).toBeUndefined();
    expect((await get(url, { 'if-none-match': '"other", W/' + etag })).res.status).toBe(304);
    expect((await get(url, { 'if-none-match': '"other"' })).res.status).toBe(200);

    const e = orderEvent(BERLIN, '2026-03-03T10:00:00Z', [line('socks', 1, 100n)], '2026-03-03T10:00:01Z');
    await storeOrders(db.pool, [e]);
    await applyBatch(db.pool, [asMessage(e)]);
    const changed = await get(url, { 'if-none-match': etag });
    expect(changed.res.status).toBe(200);
    expect(changed.res.headers.get('etag')).not.toBe(etag);
  });

  it('flags stale data when an accepted order is not aggregated within the threshold', async () => {
    const url = '/api/top-categories?merchantId=tokyo&bucketType=YEAR';
    expect((await get(url)).body).toMatchObject({ freshness: { stale: false } });
    // An order accepted 10 minutes before "now" whose event never arrived.
    const e = orderEvent(TOKYO, '2026-03-01T23:00:00Z', [line('tea', 1, 1n)]);
    await storeOrders(db.pool, [e]);
    await db.pool.query(`UPDATE ingestion.orders SET created_at = $1 WHERE id = $2`, [
      new Date(NOW.getTime() - 600_000),
      e.orderId,
    ]);
    expect((await get(url)).body).toMatchObject({ freshness: { stale: true } });
    await applyBatch(db.pool, [asMessage(e)]);
    expect((await get(url)).body).toMatchObject({ freshness: { stale: false } });
  });
});

describe('GET /api/category-sales', () => {
  it('returns a zero-filled series per category, oldest first, from/to inclusive', async () => {
    const { res, body } = await get(
      '/api/category-sales?merchantId=berlin&bucketType=WEEK&from=2026-02-10&to=2026-02-23',
    );
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      bucketType: 'WEEK',
      from: '2026-02-09',
      to: '2026-02-23',
      buckets: ['2026-02-09', '2026-02-16', '2026-02-23'],
    });
    const series = body!.series as { categoryId: string; total: string; points: { totalMinor: string }[] }[];
    expect(series.map((s) => [s.categoryId, s.total, s.points.map((p) => p.totalMinor)])).toEqual([
      ['shoes', '150.00', ['0', '5000', '10000']],
      ['hats', '119.99', ['0', '2000', '9999']],
      ['socks', '15.01', ['0', '0', '1501']],
    ]);
  });

  it('filters one category (zeros when it sold nothing) and defaults to the last 12 buckets', async () => {
    const one = await get('/api/category-sales?merchantId=berlin&bucketType=MONTH&categoryId=gloves');
    expect(one.body).toMatchObject({ from: '2025-04-01', to: '2026-03-01' });
    const series = one.body!.series as {
      categoryId: string;
      points: { bucketStart: string; orderCount: number }[];
    }[];
    expect(series).toHaveLength(1);
    expect(series[0]!.points).toHaveLength(12);
    expect(series[0]!.points.at(-1)).toMatchObject({ bucketStart: '2026-03-01', orderCount: 1 });
    const none = await get(
      '/api/category-sales?merchantId=berlin&bucketType=DAY&categoryId=apparel&from=2026-02-01&to=2026-02-03',
    );
    expect(none.body!.series).toEqual([
      expect.objectContaining({ categoryId: 'apparel', total: '0.00', totalMinor: '0' }),
    ]);
  });

  it.each([
    ['merchantId=berlin&bucketType=DAY&from=2026-02-10&to=2026-02-01', 422, 'from'],
    ['merchantId=berlin&bucketType=DAY&from=2025-01-01&to=2026-02-10', 422, 'to'],
    ['merchantId=berlin&bucketType=DAY&from=2026-13-01', 400, 'from'],
    ['merchantId=berlin&bucketType=YEARLY', 400, 'bucketType'],
    ['merchantId=berlin&bucketType=DAY&categoryId=nope', 404, 'categoryId'],
    ['merchantId=ghost&bucketType=DAY', 404, 'merchantId'],
  ])('rejects %s with %i naming %s', async (query, status, field) => {
    const p = await problem(`/api/category-sales?${query}`, status);
    expect(p.errors?.[0]?.field).toBe(field);
  });

  it('allows a range of exactly 400 buckets', async () => {
    const { res, body } = await get(
      '/api/category-sales?merchantId=berlin&bucketType=DAY&from=2025-01-28&to=2026-03-03',
    );
    expect(res.status).toBe(200);
    expect((body!.buckets as string[]).length).toBe(400);
  });
});

describe('GET /api/merchants', () => {
  it('lists merchants for the picker and shows one with its current buckets', async () => {
    const list = await get('/api/merchants');
    expect(list.body).toEqual({
      merchants: [
        {
          id: 'berlin',
          name: 'Merchant berlin',
          timezone: 'Europe/Berlin',
          weekStart: 'MONDAY',
          currency: 'EUR',
        },
        { id: 'tokyo', name: 'Merchant tokyo', timezone: 'Asia/Tokyo', weekStart: 'SUNDAY', currency: 'JPY' },
      ],
    });
    const one = await get('/api/merchants/tokyo');
    expect(one.body).toMatchObject({
      id: 'tokyo',
      currentBuckets: { DAY: '2026-03-02', WEEK: '2026-03-01', MONTH: '2026-03-01', YEAR: '2026-01-01' },
    });
    await problem('/api/merchants/ghost', 404);
    await problem('/api/merchants/bad%20id', 400);
  });
});

describe('authorisation hooks', () => {
  it('lets the auth layer refuse foreign merchants and filter the merchant list', async () => {
    const scoped = createAggregatorApi({
      readDb: db.pool,
      clock,
      logger: silentLogger(),
      registry: new Registry(),
      authMiddleware: async (_c, next) => next(),
      authorizeMerchant: (_c: Context, merchantId: string) => {
        if (merchantId !== 'tokyo') throw new HttpProblem(403, { detail: `not ${merchantId}` });
      },
      visibleMerchants: () => new Set(['tokyo']),
    });
    const denied = await scoped.request('/api/top-categories?merchantId=berlin&bucketType=DAY');
    expect(denied.status).toBe(403);
    // A foreign token cannot tell an unknown merchant from a forbidden one.
    expect((await scoped.request('/api/top-categories?merchantId=ghost&bucketType=DAY')).status).toBe(403);
    const list = await scoped.request('/api/merchants');
    expect(list.headers.get('cache-control')).toBe('private, max-age=5');
    expect(((await list.json()) as { merchants: { id: string }[] }).merchants.map((m) => m.id)).toEqual([
      'tokyo',
    ]);
  });

  it('lists a token’s merchants even when 1,000 others come first by id', async () => {
    await db.pool.query(
      `INSERT INTO ingestion.merchants (id, name, timezone, week_start, currency)
       SELECT 'aaa-' || lpad(i::text, 4, '0'), 'Filler ' || i, 'UTC', 'MONDAY', 'EUR' FROM generate_series(1, 1001) i`,
    );
    try {
      const scoped = createAggregatorApi({
        readDb: db.pool,
        clock,
        logger: silentLogger(),
        registry: new Registry(),
        authMiddleware: async (_c, next) => next(),
        visibleMerchants: () => new Set(['tokyo', 'aaa-0002', 'no-such-merchant']),
      });
      const list = await scoped.request('/api/merchants');
      expect(((await list.json()) as { merchants: { id: string }[] }).merchants.map((m) => m.id)).toEqual([
        'aaa-0002',
        'tokyo',
      ]);
    } finally {
      await db.pool.query(`DELETE FROM ingestion.merchants WHERE id LIKE 'aaa-%'`);
    }
  });
});

describe('reads that share a statement (AGGREGATION_API_READ_BATCH_MAX)', () => {
  // Every kind of answer a batch can hold: ranked, empty, a bucket in progress (like-for-like
  // comparison), another merchant's calendar, an unknown merchant, a series, a one-category series.
  const urls = [
    '/api/top-categories?merchantId=berlin&bucketType=WEEK&bucketStart=2026-02-23',
    '/api/top-categories?merchantId=berlin&bucketType=WEEK&bucketStart=2026-02-16&limit=1',
    '/api/top-categories?merchantId=berlin&bucketType=MONTH&bucketStart=2025-01-01',
    '/api/top-categories?merchantId=berlin&bucketType=WEEK&bucketStart=2026-03-02',
    '/api/top-categories?merchantId=berlin&bucketType=DAY',
    '/api/top-categories?merchantId=tokyo&bucketType=WEEK&bucketStart=2026-02-15',
    '/api/top-categories?merchantId=nobody&bucketType=WEEK&bucketStart=2026-02-23',
    '/api/category-sales?merchantId=berlin&bucketType=WEEK&from=2026-02-09&to=2026-03-02',
    '/api/category-sales?merchantId=tokyo&bucketType=DAY&from=2026-02-18&to=2026-02-21',
    '/api/category-sales?merchantId=berlin&bucketType=MONTH',
    '/api/category-sales?merchantId=berlin&bucketType=WEEK&categoryId=shoes',
    '/api/category-sales?merchantId=nobody&bucketType=WEEK',
  ];

  function apiWith(readBatchMax: number, registry = new Registry()) {
    return createAggregatorApi({
      readDb: db.pool,
      clock,
      logger: silentLogger(),
      registry,
      staleAfterSeconds: 300,
      readBatchMax,
      readConcurrency: readBatchMax > 1 ? 4 : 0,
    });
  }

  async function answers(app: ReturnType<typeof createAggregatorApi>) {
    // All at once: the reads reach the API in the same turn of the event loop.
    return Promise.all(
      urls.map(async (url) => {
        const res = await app.request(url);
        return { url, status: res.status, etag: res.headers.get('etag'), body: await res.text() };
      }),
    );
  }

  it('gives every read the answer it gets alone, byte for byte, and sends fewer statements', async () => {
    const registry = new Registry();
    const batched = apiWith(32, registry);
    // Twice: the second time the calendars are known, so every read goes straight to its statement
    // (the first time a read of the current bucket runs again once it learns the calendar).
    await answers(batched);
    registry.resetMetrics();
    const together = await answers(batched);
    const alone = await answers(apiWith(1));
    expect(together).toEqual(alone);
    expect(alone.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404]);

    const metric = await registry.getSingleMetric('catcast_api_read_batch_size')!.get();
    const series = (suffix: string, route: string) =>
      metric.values.find(
        (v) => (v as { metricName?: string }).metricName?.endsWith(suffix) && v.labels.route === route,
      )?.value ?? 0;
    const statements = (route: string) => series('_count', route);
    const reads = (route: string) => series('_sum', route);
    // 7 top-categories reads and 3 all-category series reads (the one-category series runs its own
    // statement; the unknown merchant's series ends at its calendar lookup), in fewer statements.
    expect(reads('top-categories')).toBe(7);
    expect(reads('category-sales')).toBe(3);
    expect(statements('top-categories')).toBeLessThan(7);
    expect(statements('category-sales')).toBeLessThan(3);
  });

  it('answers a batch exactly as the single statement does, row for row, against the database', async () => {
    const { readTopCategories, readTopCategoriesBatch, readSeries, readSeriesBatch } =
      await import('../../pkg/aggregation/read.js');
    const top = [
      ['berlin', 'WEEK', '2026-02-23', '2026-02-16', 10],
      ['berlin', 'WEEK', '2026-02-16', '2026-02-09', 2],
      ['nobody', 'WEEK', '2026-02-23', '2026-02-16', 10],
      ['tokyo', 'DAY', '2026-02-20', '2026-02-19', 5],
      ['berlin', 'YEAR', '2020-01-01', '2019-01-01', 10],
    ].map(([merchantId, bucketType, bucketStart, previousStart, limit]) => ({
      merchantId: merchantId as string,
      bucketType: bucketType as 'WEEK',
      bucketStart: bucketStart as string,
      previousStart: previousStart as string,
      limit: limit as number,
      now: NOW,
      staleAfterSeconds: 300,
    }));
    // One read compares with the elapsed part of its previous bucket (orders of the cut day included).
    top.push({
      ...top[0]!,
      bucketStart: '2026-03-02',
      previousStart: '2026-02-23',
      elapsed: {
        cutoffDate: '2026-02-23',
        partialFrom: new Date('2026-02-22T23:00:00Z'),
        partialTo: new Date('2026-02-23T09:30:00Z'),
      },
    } as (typeof top)[number]);
    const single = await Promise.all(top.map((q) => readTopCategories(db.pool, q)));
    expect(await readTopCategoriesBatch(db.pool, top)).toEqual(single);
    expect(single[2]).toBeUndefined();
    expect(single[5]?.top.previousPeriodTotalMinor).toBe(9500n); // shoes 8000 + socks 1500 before 10:30 Berlin

    const series = [
      ['berlin', 'WEEK', '2026-02-09', '2026-03-02'],
      ['nobody', 'WEEK', '2026-02-09', '2026-03-02'],
      ['tokyo', 'DAY', '2026-02-18', '2026-02-21'],
    ].map(([merchantId, bucketType, from, to]) => ({
      merchantId: merchantId!,
      bucketType: bucketType as 'WEEK',
      from: from!,
      to: to!,
      now: NOW,
      staleAfterSeconds: 300,
    }));
    const seriesAlone = await Promise.all(series.map((q) => readSeries(db.pool, q)));
    expect(await readSeriesBatch(db.pool, series)).toEqual(seriesAlone);
    expect(seriesAlone[0]?.rows.length).toBeGreaterThan(3);
  });
});
