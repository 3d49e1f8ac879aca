// Retention on real Postgres, with the clock controlled by the ages of the rows: each policy drops what
// it says, in batches, and never a row still needed (an unpublished outbox row, an event id inside the
// dedupe window, a merchant's newest forecast sets, a partition holding a kept set, today's partition).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeProcessedEvents } from '../../pkg/aggregation/retention.js';
import { forecast } from '../../pkg/forecast-engine/index.js';
import { applyRetention, toStored, writeSet } from '../../pkg/forecast-job/index.js';
import { deletePublishedOutboxRows } from '../../pkg/relay/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { seedCatalog } from './support/seed.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ret');
  await seedCatalog(db.pool, 'm1', 1);
  await seedCatalog(db.pool, 'm2', 1);
});
afterAll(async () => db?.drop());

const DAY = 86_400_000;

describe('outbox retention', () => {
  it('deletes published rows older than the retention, and never an unpublished one however old', async () => {
    // One order per outbox row (the foreign key); ages in hours relative to the database's now().
    const rows: { id: string; created: number; published: number | null }[] = [
      { id: randomUUID(), created: 200, published: 199 }, // published 199 h ago: gone
      { id: randomUUID(), created: 100, published: 73 }, // published 73 h ago: gone
      { id: randomUUID(), created: 100, published: 71 }, // published 71 h ago: kept (inside 72 h)
      { id: randomUUID(), created: 1, published: 0.5 }, // recent: kept
      { id: randomUUID(), created: 500, published: null }, // never published, 500 h old: kept
      { id: randomUUID(), created: 80, published: null }, // never published: kept
    ];
    for (const [i, r] of [...rows, ...extraOld(5)].entries()) {
      const orderId = randomUUID();
      await db.pool.query(
        `INSERT INTO ingestion.orders (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
         VALUES ($1, 'm1', $2, now(), 'EUR', 100, 1, 'h')`,
        [orderId, `o-${i}`],
      );
      await db.pool.query(
        `INSERT INTO ingestion.order_events (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, created_at, published_at)
         VALUES ($1, $2, 'm1', 'order.accepted', 1, 'm1', '{}', now() - make_interval(secs => $3 * 3600),
                 CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $4 * 3600) END)`,
        [r.id, orderId, r.created, r.published],
      );
    }
    // Batches of 2: the five extra old rows and the two above take several statements.
    const deleted = await deletePublishedOutboxRows(db.pool, 72, { batch: 2 });
    expect(deleted).toBe(2 + 5);
    const { rows: left } = await db.pool.query<{ id: string }>(`SELECT id FROM ingestion.order_events`);
    expect(new Set(left.map((r) => r.id))).toEqual(new Set(rows.slice(2).map((r) => r.id)));
    // A second sweep finds nothing more to delete.
    expect(await deletePublishedOutboxRows(db.pool, 72, { batch: 2 })).toBe(0);
  });
});

/** Published rows well past the retention, to make the sweep loop over batches. */
function extraOld(n: number): { id: string; created: number; published: number }[] {
  return Array.from({ length: n }, () => ({ id: randomUUID(), created: 300, published: 299 }));
}

describe('processed event ids retention', () => {
  it('forgets ids older than the window in batches and keeps every id inside it', async () => {
    const ages: [string, string][] = [
      ['old-a', '30 days'],
      ['old-b', '15 days'],
      ['old-c', '14 days 1 minute'],
      ['edge', '13 days 23 hours 59 minutes'], // inside the 14-day window: still deduplicates
      ['recent', '1 minute'],
    ];
    const ids = new Map(ages.map(([name]) => [name, randomUUID()]));
    for (const [name, age] of ages)
      await db.pool.query(
        `INSERT INTO forecasting.processed_events (event_id, processed_at) VALUES ($1, now() - $2::interval)`,
        [ids.get(name), age],
      );
    expect(await purgeProcessedEvents(db.pool, { retentionDays: 14, batchSize: 2 })).toBe(3);
    const { rows } = await db.pool.query<{ event_id: string }>(
      `SELECT event_id FROM forecasting.processed_events`,
    );
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([ids.get('edge'), ids.get('recent')]));
  });
});

describe('forecast retention (applyRetention)', () => {
  it('keeps the newest sets per merchant and bucket type, drops the rest and only partitions holding no kept set', async () => {
    const today = new Date();
    const at = (daysAgo: number) => new Date(today.getTime() - daysAgo * DAY);
    const runId = randomUUID();
    await db.pool.query(
      `INSERT INTO forecasting.forecast_runs (run_id, shard_index, shard_count, lease_holder, fencing_token)
       VALUES ($1, 0, 1, 'test', 1)`,
      [runId],
    );
    const result = forecast({ bucketType: 'WEEK', values: [10, 12, 11, 13, 12, 14] }, 'naive');
    const write = (merchantId: string, generatedAt: Date) =>
      writeSet(
        db.pool,
        {
          merchantId,
          bucketType: 'WEEK',
          generatedAt,
          runId,
          targetBucketStart: '2026-12-07',
          lastBucketStart: '2026-11-30',
          lookback: 6,
          inputHash: `h-${merchantId}-${generatedAt.toISOString()}`,
          checkedAt: generatedAt,
          rows: [toStored('c0', result)],
          horizon: 2,
          paths: [1, 2].map((step) => ({
            categoryId: 'c0',
            model: result.model,
            modelVersion: result.modelVersion,
            step,
            bucketStart: step === 1 ? '2026-12-07' : '2026-12-14',
            forecastMinor: 100n,
            lo80Minor: 90n,
            hi80Minor: 110n,
            lo95Minor: 80n,
            hi95Minor: 120n,
            errors: 0,
            wape: null,
            mae: null,
            inputHash: `p-${merchantId}`,
          })),
        },
        { shardKey: 'shard-0-of-1', token: 1 },
      );
    // m1: sets 6..2 days ago and today; keep 3 -> the sets of 6, 5 and 4 days ago go.
    for (const d of [6, 5, 4, 3, 2, 0]) await write('m1', at(d));
    // m2: a single set 6 days ago, its newest: still needed, so day -6's partition stays.
    await write('m2', at(6));
    const partitionOf = (d: Date, table = 'category_sales_forecast') =>
      `${table}_${d.toISOString().slice(0, 10).replaceAll('-', '')}`;

    const { sets, partitions } = await applyRetention(db.pool, 3);
    expect(sets).toBe(3);
    // The path rows live in their own daily partitions, dropped with the one-step ones.
    expect(partitions.sort()).toEqual(
      [
        partitionOf(at(5)),
        partitionOf(at(4)),
        partitionOf(at(5), 'category_forecast_path'),
        partitionOf(at(4), 'category_forecast_path'),
      ].sort(),
    );

    const kept = await db.pool.query<{ merchant_id: string; generated_at: Date; rows: number }>(
      `SELECT s.merchant_id, s.generated_at,
              (SELECT count(*)::int FROM forecasting.category_sales_forecast f
                WHERE f.merchant_id = s.merchant_id AND f.bucket_type = s.bucket_type AND f.generated_at = s.generated_at) AS rows
         FROM forecasting.forecast_sets s ORDER BY s.merchant_id, s.generated_at`,
    );
    expect(kept.rows.map((r) => [r.merchant_id, r.generated_at.getTime(), r.rows])).toEqual([
      ['m1', at(3).getTime(), 1],
      ['m1', at(2).getTime(), 1],
      ['m1', at(0).getTime(), 1],
      ['m2', at(6).getTime(), 1],
    ]);
    // Forecast rows of dropped sets are gone, also from partitions that stay (day -6 keeps m2's).
    const { rows: stray } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM forecasting.category_sales_forecast f
        WHERE NOT EXISTS (SELECT 1 FROM forecasting.forecast_sets s
                           WHERE s.merchant_id = f.merchant_id AND s.bucket_type = f.bucket_type AND s.generated_at = f.generated_at)`,
    );
    expect(stray[0]!.n).toBe(0);
    const { rows: strayPaths } = await db.pool.query<{ n: number; kept: number }>(
      `SELECT count(*) FILTER (WHERE s.merchant_id IS NULL)::int AS n, count(s.merchant_id)::int AS kept
         FROM forecasting.category_forecast_path f
         LEFT JOIN forecasting.forecast_sets s
           ON s.merchant_id = f.merchant_id AND s.bucket_type = f.bucket_type AND s.generated_at = f.generated_at`,
    );
    expect(strayPaths[0]).toEqual({ n: 0, kept: 4 * 2 });
    const { rows: left } = await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'forecasting.category_sales_forecast'::regclass ORDER BY 1`,
    );
    expect(left.map((r) => r.name)).toEqual(
      [partitionOf(at(6)), partitionOf(at(3)), partitionOf(at(2)), partitionOf(at(0))].sort(),
    );
    // Applying it again changes nothing.
    expect(await applyRetention(db.pool, 3)).toEqual({ sets: 0, partitions: [] });
  });
});
