import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForecastPool, type ForecastPool } from '../../pkg/forecast-engine/index.js';
import {
  latestSet,
  readSetPaths,
  readSetRows,
  runForecastJob,
  type ForecastJobOptions,
} from '../../pkg/forecast-job/index.js';
import { FencedError, PostgresLeaseStore, claimFence } from '../../pkg/leader/index.js';
import { withTransaction } from '../../pkg/db/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { seedAggregates, seedCatalog } from './support/seed.js';

let db: TestDatabase;
let forecaster: ForecastPool;
const NOW = new Date('2026-11-25T12:00:00Z'); // a Wednesday: the current week started Mon 2026-11-23

const options: ForecastJobOptions = {
  shardIndex: 0,
  shardCount: 1,
  bucketTypes: ['WEEK', 'MONTH'],
  models: ['seasonal_naive', 'naive', 'ets', 'auto'],
  merchantBatch: 10,
  keepSets: 3,
  leaseNamePrefix: 'test-shard-',
  leaseDurationMs: 3000,
  renewDeadlineMs: 2000,
  retryPeriodMs: 200,
  leaseWaitMs: 10_000,
};

beforeAll(async () => {
  db = await createTestDatabase('fjob');
  forecaster = createForecastPool({ threads: 2 });
  for (const m of ['m-a', 'm-b']) {
    const cats = await seedCatalog(db.pool, m, 3);
    await seedAggregates(
      db.pool,
      m,
      cats,
      'WEEK',
      '2024-11-25',
      '2026-11-16',
      (c, i) => 10_000 * (c + 1) + 2_000 * Math.sin((2 * Math.PI * i) / 52) + 37 * i,
    );
    await seedAggregates(
      db.pool,
      m,
      cats,
      'MONTH',
      '2023-11-01',
      '2026-10-01',
      (c, i) => 40_000 * (c + 1) + 5_000 * Math.sin((2 * Math.PI * i) / 12),
    );
  }
  await seedCatalog(db.pool, 'm-new', 2); // no sales yet
  // m-a's categories all sit under a parent that sells nothing itself: its path must be their sum.
  await db.pool.query(
    `INSERT INTO ingestion.categories (merchant_id, id, name) VALUES ('m-a', 'all', 'Everything')`,
  );
  await db.pool.query(
    `UPDATE ingestion.categories SET parent_category_id = 'all' WHERE merchant_id = 'm-a' AND id <> 'all'`,
  );
});
afterAll(async () => {
  await forecaster.close();
  await db.drop();
});

// Runs share the day but never the same generated_at, as in production.
let tick = 0;
const deps = () => ({
  pool: db.pool,
  leaseStore: new PostgresLeaseStore(db.pool),
  forecaster,
  logger: silentLogger(),
  now: () => new Date(NOW.getTime() + 1000 * tick++),
});

describe('forecast job', () => {
  it('writes one complete set per merchant and bucket type, for the first incomplete bucket', async () => {
    const summary = await runForecastJob(options, deps(), new AbortController().signal);
    expect(summary).toMatchObject({
      status: 'succeeded',
      merchants: 3,
      setsWritten: 4,
      setsUnchanged: 0,
      failures: 0,
    });
    const set = await latestSet(db.pool, 'm-a', 'WEEK');
    expect(set).toMatchObject({
      targetBucketStart: '2026-11-23',
      lastBucketStart: '2026-11-16',
      categories: 3,
    });
    const rows = await readSetRows(db.pool, set!);
    expect(rows).toHaveLength(3 * options.models.length);
    for (const r of rows) {
      expect(r.forecastMinor).toBeGreaterThanOrEqual(0n);
      expect(
        r.lo95Minor <= r.lo80Minor &&
          r.lo80Minor <= r.forecastMinor &&
          r.forecastMinor <= r.hi80Minor &&
          r.hi80Minor <= r.hi95Minor,
      ).toBe(true);
    }
    expect(await latestSet(db.pool, 'm-new', 'WEEK')).toBeUndefined();
    const runs = await db.pool.query(`SELECT status, sets_written FROM forecasting.forecast_runs`);
    expect(runs.rows).toEqual([{ status: 'succeeded', sets_written: 4 }]);
  });

  it('writes the next H buckets per category and path model, the parent coherent with its children', async () => {
    for (const [bt, horizon, first, second] of [
      ['WEEK', 13, '2026-11-23', '2026-11-30'],
      ['MONTH', 12, '2026-11-01', '2026-12-01'],
    ] as const) {
      const set = (await latestSet(db.pool, 'm-a', bt))!;
      expect(set.horizon).toBe(horizon);
      const steps = await readSetPaths(db.pool, set);
      // c0..c2 and their parent "all", for the default path models auto and seasonal_naive.
      expect(steps).toHaveLength(4 * 2 * horizon);
      const of = (cat: string, model: string) =>
        steps.filter((s) => s.categoryId === cat && s.model === model);
      for (const model of ['auto', 'seasonal_naive']) {
        const c0 = of('c0', model);
        expect(c0.map((s) => s.step)).toEqual(Array.from({ length: horizon }, (_, j) => j + 1));
        expect(c0.slice(0, 2).map((s) => s.bucketStart)).toEqual([first, second]);
        of('all', model).forEach((s, j) => {
          const sum = ['c0', 'c1', 'c2'].reduce((a, c) => a + of(c, model)[j]!.forecastMinor, 0n);
          expect(s.forecastMinor, `${bt} ${model} step ${j + 1}`).toBe(sum);
          expect(s.lo95Minor <= s.lo80Minor && s.hi80Minor <= s.hi95Minor).toBe(true);
        });
      }
      // Step 1 of auto's path is the one-step forecast that top-categories serves.
      const rows = await readSetRows(db.pool, set, { models: ['auto'], categoryId: 'c1' });
      expect(of('c1', 'auto')[0]!.forecastMinor).toBe(rows[0]!.forecastMinor);
      expect(of('c1', 'seasonal_naive').at(-1)!.errors).toBeGreaterThan(0);
    }
    // A merchant without a hierarchy gets paths for its own categories only.
    const b = (await latestSet(db.pool, 'm-b', 'MONTH'))!;
    expect(new Set((await readSetPaths(db.pool, b)).map((s) => s.categoryId))).toEqual(
      new Set(['c0', 'c1', 'c2']),
    );
  });

  it('writes no new rows when the input did not change', async () => {
    const before = await db.pool.query<{ n: bigint }>(
      'SELECT count(*)::bigint AS n FROM forecasting.category_sales_forecast',
    );
    const summary = await runForecastJob(options, deps(), new AbortController().signal);
    expect(summary).toMatchObject({ status: 'succeeded', setsWritten: 0, setsUnchanged: 4 });
    const after = await db.pool.query<{ n: bigint }>(
      'SELECT count(*)::bigint AS n FROM forecasting.category_sales_forecast',
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('lets exactly one of two concurrent runs of a shard do the work', async () => {
    await db.pool.query(
      `UPDATE forecasting.category_sales_agg SET total_sales_minor = total_sales_minor + 1 WHERE merchant_id = 'm-b'`,
    );
    const [a, b] = await Promise.all([
      runForecastJob(
        { ...options, identity: 'pod-a', leaseWaitMs: 1500 },
        deps(),
        new AbortController().signal,
      ),
      runForecastJob(
        { ...options, identity: 'pod-b', leaseWaitMs: 1500 },
        deps(),
        new AbortController().signal,
      ),
    ]);
    // One of them works; the other either never gets the lease or gets it only after the first released it.
    expect([a.status, b.status]).toContain('succeeded');
    expect([a.status, b.status].every((s) => s === 'succeeded' || s === 'not_leader')).toBe(true);
    expect(a.setsWritten + b.setsWritten).toBe(2); // only m-b's WEEK and MONTH changed
    const { rows } = await db.pool.query<{ overlapping: bigint }>(
      `SELECT count(*)::bigint AS overlapping FROM forecasting.forecast_runs r1 JOIN forecasting.forecast_runs r2
          ON r1.run_id < r2.run_id AND r1.started_at < r2.finished_at AND r2.started_at < r1.finished_at`,
    );
    expect(rows[0]!.overlapping).toBe(0n);
  });

  it('fences a stale writer out', async () => {
    const { rows } = await db.pool.query<{ token: bigint }>(
      `SELECT token FROM forecasting.shard_fences WHERE shard_key = 'shard-0-of-1'`,
    );
    const current = Number(rows[0]!.token);
    await expect(
      withTransaction(db.pool, (tx) => claimFence(tx, 'shard-0-of-1', current - 1)),
    ).rejects.toBeInstanceOf(FencedError);
    await expect(
      withTransaction(db.pool, (tx) => claimFence(tx, 'shard-0-of-1', current)),
    ).resolves.toBeUndefined();
  });
});
