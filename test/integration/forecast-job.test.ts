import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForecastPool, type ForecastPool } from '../../pkg/forecast-engine/index.js';
import {
  latestSet,
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
