// forecast-api's answer cache against real PostgreSQL (issue 17): while it listens to
// catcast_forecasts_changed, a precomputed answer is served from memory for as long as nothing it
// shows changes, and a published set, a renamed category or a new currency shows in the next answer
// without waiting for a TTL (the exact lifetime here is ten minutes).
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORECAST_CHANGES_CHANNEL,
  ForecastChangeLog,
  createForecastApi,
  listenForForecastChanges,
} from '../../pkg/forecast-api/index.js';
import { writeSet, type StoredForecast } from '../../pkg/forecast-job/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry, type Registry } from '../../pkg/metrics/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { seedCatalog } from './support/seed.js';
import { startListening, waitFor } from './support/wait.js';

// A Wednesday: the WEEK being forecast starts Monday 2026-11-23 (UTC, weeks from Monday).
const NOW = new Date('2026-11-25T12:00:00Z');

let db: TestDatabase;
let app: Hono;
let registry: Registry;
const listening = new AbortController();
let listener: Promise<void> | undefined;
let token = 0;

/** Publishes a WEEK set for `shop` as forecast-job does (rows and set row in one transaction). */
async function publish(forecasts: Record<string, bigint>, generatedAt: Date): Promise<string> {
  const runId = randomUUID();
  await db.pool.query(
    `INSERT INTO forecasting.forecast_runs (run_id, shard_index, shard_count, lease_holder, fencing_token, status)
     VALUES ($1, 0, 1, 'test', 1, 'succeeded')`,
    [runId],
  );
  const rows = Object.entries(forecasts).map(([categoryId, f]): StoredForecast => ({
    categoryId,
    model: 'auto',
    modelVersion: '1.0.0',
    effectiveModel: 'ses',
    effectiveModelVersion: '1.0.0',
    forecastMinor: f,
    lo80Minor: f - 100n,
    hi80Minor: f + 100n,
    lo95Minor: f - 200n,
    hi95Minor: f + 200n,
    params: {},
    metrics: null,
    inputHash: `h-${categoryId}`,
    historyLength: 52,
    fallbackFrom: null,
    fallbackReason: null,
  }));
  await writeSet(
    db.pool,
    {
      merchantId: 'shop',
      bucketType: 'WEEK',
      generatedAt,
      runId,
      targetBucketStart: '2026-11-23',
      lastBucketStart: '2026-11-16',
      lookback: 156,
      inputHash: runId,
      checkedAt: new Date(NOW.getTime() - 30 * 60_000),
      rows,
    },
    { shardKey: 'test', token: ++token },
  );
  return runId;
}

interface TopBody {
  source: string;
  runId: string | null;
  currency: string;
  categories: { categoryId: string; name: string; forecastMinor: string }[];
}

const TOP = '/forecast/top-categories?merchant_id=shop&bucket_type=WEEK';
const top = async () => (await (await app.request(TOP)).json()) as TopBody;

/** Lookups of the answer cache so far, by result. */
async function lookups(result: 'hit' | 'miss'): Promise<number> {
  const text = await registry.getSingleMetricAsString('catcast_forecast_response_cache_lookups_total');
  const re = new RegExp(`route="top-categories",result="${result}"[^}]*\\} (\\d+)$`, 'm');
  return Number(re.exec(text)?.[1] ?? 0);
}

beforeAll(async () => {
  db = await createTestDatabase('fcache');
  await seedCatalog(db.pool, 'shop', 3);
  const changes = new ForecastChangeLog();
  const started = await startListening((onLive) =>
    listenForForecastChanges(
      { connectionString: db.url, changes, logger: silentLogger(), onLive },
      listening.signal,
    ),
  );
  listener = started.stopped;
  registry = createRegistry('t');
  app = createForecastApi({
    readDb: db.pool,
    logger: silentLogger(),
    registry,
    now: () => NOW,
    changes,
    // Only a notification can make a change show within the tests' timeouts.
    responseCacheMs: 1,
    responseCacheExactMs: 600_000,
  });
});
afterAll(async () => {
  listening.abort();
  await listener;
  await db.drop();
});

describe('forecast-api answer cache over change notifications', () => {
  it('serves a precomputed answer from memory while nothing changes', async () => {
    const runId = await publish({ c0: 300_00n, c1: 200_00n, c2: 100_00n }, new Date('2026-11-25T11:00:00Z'));
    const first = await top();
    expect(first).toMatchObject({ source: 'precomputed', runId });
    // The set's own notification may arrive after the first answer was computed, which then is not
    // kept (it might show the older state); once it arrived, the answer stays.
    await waitFor('an answer served from memory', async () => {
      const before = await lookups('hit');
      expect(await top()).toEqual(first);
      return (await lookups('hit')) > before;
    });
    // Past the short TTL (1 ms): only the exact lifetime keeps it.
    await new Promise((r) => setTimeout(r, 20));
    const [hits, misses] = [await lookups('hit'), await lookups('miss')];
    for (let i = 0; i < 5; i++) expect(await top()).toEqual(first);
    expect(await lookups('hit')).toBe(hits + 5);
    expect(await lookups('miss')).toBe(misses);
  });

  it('shows a newly published set in the next answer', async () => {
    const runId = await publish({ c0: 100_00n, c1: 200_00n, c2: 900_00n }, new Date('2026-11-25T11:30:00Z'));
    const body = await waitFor('the new set in the answer', async () => {
      const b = await top();
      return b.runId === runId ? b : undefined;
    });
    expect(body.categories.map((c) => c.categoryId)).toEqual(['c2', 'c1', 'c0']);
  });

  it('shows a renamed category and a new currency in the next answer', async () => {
    await db.pool.query(
      `UPDATE ingestion.categories SET name = 'Renamed' WHERE merchant_id = 'shop' AND id = 'c2'`,
    );
    await waitFor('the new name in the answer', async () =>
      (await top()).categories.some((c) => c.name === 'Renamed'),
    );
    await db.pool.query(`UPDATE ingestion.merchants SET currency = 'USD' WHERE id = 'shop'`);
    await waitFor('the new currency in the answer', async () => (await top()).currency === 'USD');
    // And then it is served from memory again.
    const hits = await lookups('hit');
    await top();
    expect(await lookups('hit')).toBe(hits + 1);
  });

  it('notifies only for columns forecast answers read, at commit, once per merchant and bucket type', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const received: string[] = [];
    client.on('notification', (n) => received.push(n.payload ?? ''));
    await client.query(`LISTEN ${FORECAST_CHANGES_CHANNEL}`);
    try {
      // Not read by forecast answers: no notification.
      await db.pool.query(`UPDATE ingestion.merchants SET name = 'Another name' WHERE id = 'shop'`);
      // An update that changes nothing: none either.
      await db.pool.query(`UPDATE ingestion.categories SET name = name WHERE merchant_id = 'shop'`);
      // A set with its rows: one notification.
      await publish({ c0: 1n }, new Date('2026-11-25T11:45:00Z'));
      await db.pool.query(
        `UPDATE ingestion.categories SET parent_category_id = 'c0' WHERE merchant_id = 'shop' AND id = 'c1'`,
      );
      // Delivered in commit order: once the last arrived, every earlier one has.
      await waitFor('the notification of the last commit', () => received.includes('shop\t*'));
      expect(received).toEqual(['shop\tWEEK', 'shop\t*']);
    } finally {
      await client.end();
    }
  });
});
