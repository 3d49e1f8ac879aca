// forecast-api keeps what a nowcast's reference periods sold (PeriodReferenceCache) against real
// PostgreSQL and real applies: the live writes into the period in progress show in the next nowcast
// without dropping the references, and a late order or a repair in a reference period shows without
// waiting for the ten-minute lifetime, through catcast_aggregates_changed.
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../pkg/aggregation/index.js';
import { ChangeLog } from '../../pkg/cache/index.js';
import { createForecastApi, listenForAggregateChanges } from '../../pkg/forecast-api/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry, type Registry } from '../../pkg/metrics/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import {
  asMessage,
  orderEvent,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startListening, waitFor } from './support/wait.js';

const SHOP: FixtureMerchant = {
  id: 'now-shop',
  timezone: 'UTC',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['a'],
};
const DAY_MS = 86_400_000;
// Monday of the week in progress; "now" starts at Wednesday noon.
const THIS_MONDAY = Date.UTC(2026, 10, 23);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

let db: TestDatabase;
let app: Hono;
let registry: Registry;
let now = new Date(THIS_MONDAY + 2.5 * DAY_MS);
const changes = new ChangeLog();
const listening = new AbortController();
let listener: Promise<void> | undefined;

/** Stores and applies orders of category a (placed at each instant, amount in minor units) as one batch. */
async function sell(sales: readonly [number, bigint][]): Promise<void> {
  const events = sales.map(([t, amount]) =>
    orderEvent(SHOP, new Date(t).toISOString(), [{ categoryId: 'a', quantity: 1, unitPriceMinor: amount }]),
  );
  await storeOrders(db.pool, events);
  await applyBatch(
    db.pool,
    events.map((e) => asMessage(e)),
  );
}

interface NowcastBody {
  categories: { categoryId: string; soFarMinor: string; share: number }[];
}
const nowcastOfA = async () => {
  const res = await app.request(`/forecast/nowcast?merchant_id=${SHOP.id}&bucket_type=WEEK`);
  expect(res.status).toBe(200);
  const a = ((await res.json()) as NowcastBody).categories.find((c) => c.categoryId === 'a')!;
  return { soFar: a.soFarMinor, share: a.share };
};

/** Lookups of the reference cache so far, by result. */
async function lookups(result: 'hit' | 'miss'): Promise<number> {
  const text = await registry.getSingleMetricAsString('catcast_forecast_response_cache_lookups_total');
  const re = new RegExp(`route="nowcast-references",result="${result}"[^}]*\\} (\\d+)$`, 'm');
  return Number(re.exec(text)?.[1] ?? 0);
}

/** Waits until the listener has recorded a notification sent after this call's `before` epoch. */
async function heard(before: number): Promise<void> {
  await waitFor('the apply’s notification', () => changes.epoch > before);
}

beforeAll(async () => {
  db = await createTestDatabase('nowcache');
  await seedCatalog(db.pool, [SHOP]);
  // The 8 recent weeks and the week 52 weeks back: 100 on Monday, 300 on Friday, so a week is a
  // quarter sold by Wednesday noon. The week in progress: 100 on Monday.
  const history: [number, bigint][] = [[THIS_MONDAY + 10 * 3_600_000, 100n]];
  for (const back of [1, 2, 3, 4, 5, 6, 7, 8, 52]) {
    const monday = THIS_MONDAY - back * 7 * DAY_MS;
    history.push([monday + 10 * 3_600_000, 100n], [monday + 4 * DAY_MS + 10 * 3_600_000, 300n]);
  }
  await sell(history);
  const started = await startListening((onLive) =>
    listenForAggregateChanges(
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
    now: () => now,
    aggregateChanges: changes,
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

describe('nowcast reference periods kept over the aggregates’ change notifications', () => {
  it('reads the sales so far every time and the references once while only the week in progress changes', async () => {
    expect(await nowcastOfA()).toEqual({ soFar: '100', share: 0.25 });
    await new Promise((r) => setTimeout(r, 20)); // past the short TTL (1 ms)
    const hits = await lookups('hit');
    expect(await nowcastOfA()).toEqual({ soFar: '100', share: 0.25 });
    expect(await lookups('hit')).toBe(hits + 1);

    // A live write into the week in progress: in the next answer, with the references still from memory.
    const before = changes.epoch;
    await sell([[THIS_MONDAY + 2 * DAY_MS + 9 * 3_600_000, 50n]]);
    await heard(before);
    const [h, m] = [await lookups('hit'), await lookups('miss')];
    expect(await nowcastOfA()).toEqual({ soFar: '150', share: 0.25 });
    expect([await lookups('hit'), await lookups('miss')]).toEqual([h + 1, m]);
  });

  // Run with referenceChangeKeys returning nothing, this test fails: the late order's week would keep
  // its cached sums for the ten-minute lifetime.
  it('shows a late order in a reference week in the next answer', async () => {
    // Tuesday of last week (before the cut, Wednesday): last week is now 500 of 800 by Wednesday
    // noon; the 8 recent weeks pool to 1,200 / 3,600; last year's week stays a quarter.
    await sell([[THIS_MONDAY - 6 * DAY_MS + 10 * 3_600_000, 400n]]);
    const share = (1200 / 3600 + 0.25) / 2;
    await waitFor('the late order in the share', async () => {
      const n = await nowcastOfA();
      return Math.abs(n.share - Math.round(share * 10_000) / 10_000) < 1e-9 ? n : undefined;
    });
  });

  // Run without the merchant-wide name in pkg/reconcile's rewrite for DAY rows, this test fails: a
  // repair of a DAY row alone names only that DAY, which the reference buckets do not depend on.
  it('shows a repaired DAY row of a reference week in the next answer', async () => {
    // A DAY row of the week 52 weeks back is corrupted behind the aggregator's back (its WEEK row
    // is right), and read into the cache on the next local day.
    const lastYearMonday = THIS_MONDAY - 52 * 7 * DAY_MS;
    await db.pool.query(
      `UPDATE forecasting.category_sales_agg SET total_sales_minor = 900
        WHERE merchant_id = $1 AND bucket_type = 'DAY' AND bucket_start = $2`,
      [SHOP.id, day(lastYearMonday)],
    );
    now = new Date(THIS_MONDAY + 3.5 * DAY_MS); // Thursday noon: a new day, read anew
    const drifted = await nowcastOfA();
    // Last year's week by Thursday noon: the corrupt Monday 900 of 1,200.
    expect(drifted.share).toBeCloseTo((1200 / 3600 + 900 / 1200) / 2, 4);
    const hits = await lookups('hit');
    expect((await nowcastOfA()).share).toBe(drifted.share);
    expect(await lookups('hit')).toBe(hits + 1);

    const repaired = await reconcile(db.pool, { merchantId: SHOP.id, repair: true });
    expect(repaired.drift.map((d) => `${d.bucketType} ${d.bucketStart}`)).toEqual([
      `DAY ${day(lastYearMonday)}`,
    ]);
    await waitFor('the repaired day in the share', async () => {
      const n = await nowcastOfA();
      return Math.abs(n.share - Math.round(((1200 / 3600 + 100 / 400) / 2) * 10_000) / 10_000) < 1e-9
        ? n
        : undefined;
    });
  });
});
