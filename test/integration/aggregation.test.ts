import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  applyBatch,
  createAggregationMetrics,
  createBatchHandler,
  purgeProcessedEvents,
  type DeadLetterSink,
} from '../../pkg/aggregation/index.js';
import { createPool, type Pool } from '../../pkg/db/index.js';
import { HEADERS, type IncomingMessage } from '../../pkg/events/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { Registry } from '../../pkg/metrics/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import {
  asMessage,
  orderEvent,
  prng,
  randomOrders,
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
  categories: ['shoes', 'hats', 'socks'],
};
const NYC: FixtureMerchant = {
  id: 'nyc',
  timezone: 'America/New_York',
  weekStart: 'SUNDAY',
  currency: 'USD',
  categories: ['tea', 'coffee'],
};
const DELHI: FixtureMerchant = {
  id: 'delhi',
  timezone: 'Asia/Kolkata',
  weekStart: 'SATURDAY',
  currency: 'JPY',
  categories: ['rice', 'spice', 'oil'],
};
const MERCHANTS = [BERLIN, NYC, DELHI];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('agg');
  await seedCatalog(db.pool, MERCHANTS);
});
afterAll(async () => db.drop());
beforeEach(async () => {
  await db.pool
    .query(`TRUNCATE forecasting.category_sales_agg, forecasting.processed_events, forecasting.aggregation_watermarks,
                       ingestion.order_events, ingestion.order_items, ingestion.orders`);
});

async function snapshot(pool: Pool = db.pool): Promise<string[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count
       FROM forecasting.category_sales_agg ORDER BY 1, 2, 3, 4`,
  );
  return rows.map((r) => Object.values(r).map(String).join('|'));
}

async function expectExact(): Promise<void> {
  const result = await reconcile(db.pool);
  expect(result.inFlightOrders).toBe(0);
  expect(result.drift).toEqual([]);
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('applyBatch', () => {
  it('folds an order into DAY/WEEK/MONTH/YEAR buckets of the merchant calendar', async () => {
    // 23:30 UTC on 2025-12-31 is 00:30 on 2026-01-01 in Berlin: every bucket is in the new year.
    const e = orderEvent(BERLIN, '2025-12-31T23:30:00Z', [
      { categoryId: 'shoes', quantity: 2, unitPriceMinor: 4999n },
      { categoryId: 'shoes', quantity: 1, unitPriceMinor: 1n },
      { categoryId: 'hats', quantity: 3, unitPriceMinor: 1000n },
    ]);
    await storeOrders(db.pool, [e]);
    const result = await applyBatch(db.pool, [asMessage(e)]);
    expect(result).toMatchObject({ applied: 1, duplicates: 0, rejected: [] });
    expect(await snapshot()).toEqual([
      'berlin|hats|DAY|2026-01-01|3000|1|3',
      'berlin|hats|MONTH|2026-01-01|3000|1|3',
      'berlin|hats|WEEK|2025-12-29|3000|1|3',
      'berlin|hats|YEAR|2026-01-01|3000|1|3',
      'berlin|shoes|DAY|2026-01-01|9999|1|3',
      'berlin|shoes|MONTH|2026-01-01|9999|1|3',
      'berlin|shoes|WEEK|2025-12-29|9999|1|3',
      'berlin|shoes|YEAR|2026-01-01|9999|1|3',
    ]);
    const { rows } = await db.pool.query(
      `SELECT merchant_id, last_event_created_at, last_event_placed_at, events_applied FROM forecasting.aggregation_watermarks`,
    );
    expect(rows).toEqual([
      {
        merchant_id: 'berlin',
        last_event_created_at: new Date(e.occurredAt),
        last_event_placed_at: new Date(e.placedAt),
        events_applied: 1n,
      },
    ]);
    await expectExact();
  });

  it('applies many orders of several merchants exactly (checked by the reconciliation query)', async () => {
    const events = randomOrders(MERCHANTS, 600, '2025-12-20T00:00:00Z', '2026-01-12T00:00:00Z', prng(1));
    await storeOrders(db.pool, events);
    const result = await applyBatch(
      db.pool,
      events.map((e) => asMessage(e)),
    );
    expect(result.applied).toBe(600);
    expect(result.newestPerMerchant.size).toBe(3);
    await expectExact();
  });

  it('changes nothing when the same batch is applied again', async () => {
    const events = randomOrders(MERCHANTS, 200, '2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z', prng(2));
    await storeOrders(db.pool, events);
    const batch = events.map((e) => asMessage(e));
    await applyBatch(db.pool, batch);
    const before = await snapshot();
    const again = await applyBatch(db.pool, batch);
    expect(again).toMatchObject({ applied: 0, duplicates: 200, rowsUpserted: 0 });
    expect(await snapshot()).toEqual(before);
    await expectExact();
  });

  it('counts each event once across overlapping batches and duplicates inside one batch', async () => {
    const events = randomOrders(MERCHANTS, 300, '2026-03-01T00:00:00Z', '2026-04-20T00:00:00Z', prng(3));
    await storeOrders(db.pool, events);
    const msgs = events.map((e) => asMessage(e));
    const a = await applyBatch(db.pool, msgs.slice(0, 180));
    const b = await applyBatch(db.pool, [...msgs.slice(120, 300), ...msgs.slice(250, 260)]);
    expect(a.applied + b.applied).toBe(300);
    expect(b.duplicates).toBe(60 + 10);
    await expectExact();
  });

  it('stays exact when two aggregators apply overlapping batches concurrently', async () => {
    const rand = prng(4);
    const events = randomOrders(MERCHANTS, 800, '2026-05-01T00:00:00Z', '2026-05-10T00:00:00Z', rand);
    await storeOrders(db.pool, events);
    const msgs = events.map((e) => asMessage(e));
    const other = createPool({ connectionString: db.url, max: 4 });
    try {
      let applied = 0;
      // Each round both "replicas" get most of the same events in a different order.
      for (let round = 0; round < 4; round++) {
        const slice = msgs.slice(round * 200, round * 200 + 200);
        const results = await Promise.all([
          applyBatch(db.pool, shuffled(slice, rand).slice(0, 170)),
          applyBatch(other, shuffled(slice, rand).slice(0, 170)),
          applyBatch(other, shuffled(slice, rand)),
        ]);
        applied += results.reduce((s, r) => s + r.applied, 0);
      }
      expect(applied).toBe(800);
    } finally {
      await other.end();
    }
    await expectExact();
  });
});

describe('the batch handler', () => {
  function fakeSink(): DeadLetterSink & { got: { message: IncomingMessage; reason: string }[] } {
    const got: { message: IncomingMessage; reason: string }[] = [];
    return {
      got,
      publish(rejected) {
        got.push(...rejected);
        return Promise.resolve();
      },
    };
  }

  it('routes invalid messages to the DLQ with reasons and applies the rest', async () => {
    const good = randomOrders([BERLIN], 5, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z', prng(5));
    await storeOrders(db.pool, good);
    const unknownMerchant = orderEvent({ ...BERLIN, id: 'ghost' }, '2026-06-01T10:00:00Z', [
      { categoryId: 'shoes', quantity: 1, unitPriceMinor: 100n },
    ]);
    const unknownCategory = orderEvent(BERLIN, '2026-06-01T10:00:00Z', [
      { categoryId: 'shoes', quantity: 1, unitPriceMinor: 100n },
      { categoryId: 'gloves', quantity: 1, unitPriceMinor: 100n },
    ]);
    const wrongVersion = { ...good[0]!, eventId: crypto.randomUUID(), schemaVersion: 7 };
    const batch = [
      asMessage(good[0]),
      asMessage('{"broken'),
      asMessage(good[1]),
      asMessage(wrongVersion),
      asMessage(unknownMerchant),
      asMessage(unknownCategory),
      asMessage(null),
      ...good.slice(2).map((e) => asMessage(e)),
    ];
    const sink = fakeSink();
    const registry = new Registry();
    const metrics = createAggregationMetrics(registry, { now: () => new Date() });
    const handle = createBatchHandler({ pool: db.pool, deadLetters: sink, metrics, logger: silentLogger() });
    await handle(batch);

    const reasons = new Map(sink.got.map((r) => [r.message.offset, r.reason]));
    expect(reasons.get(batch[1]!.offset)).toMatch(/not valid JSON/);
    expect(reasons.get(batch[3]!.offset)).toMatch(/unsupported schema version 7/);
    expect(reasons.get(batch[4]!.offset)).toBe('unknown merchant ghost');
    expect(reasons.get(batch[5]!.offset)).toBe('unknown category gloves of merchant berlin');
    expect(reasons.get(batch[6]!.offset)).toMatch(/no value/);
    expect(sink.got).toHaveLength(5);
    await expectExact();

    const text = await registry.metrics();
    expect(text).toMatch(/catcast_events_applied_total 5/);
    expect(text).toMatch(/catcast_dlq_messages_total\{reason="schema"\} 3/);
    expect(text).toMatch(/catcast_dlq_messages_total\{reason="unknown-catalog"\} 2/);

    // Redelivery of the same batch: nothing applied twice, the rejects are dead-lettered again.
    await handle(batch);
    expect(sink.got).toHaveLength(10);
    expect(await registry.metrics()).toMatch(/catcast_events_duplicate_total 5/);
    await expectExact();
  });

  it('isolates an event the database refuses (bigint overflow) and applies the others', async () => {
    const events = randomOrders([NYC], 9, '2026-07-01T12:00:00Z', '2026-07-01T13:00:00Z', prng(6));
    const huge = orderEvent(NYC, '2026-07-01T12:30:00Z', [
      { categoryId: 'tea', quantity: 1, unitPriceMinor: 9_000_000_000_000_000_000n },
    ]);
    const huge2 = orderEvent(NYC, '2026-07-01T12:40:00Z', [
      { categoryId: 'tea', quantity: 1, unitPriceMinor: 9_000_000_000_000_000_000n },
    ]);
    const sink = fakeSink();
    const metrics = createAggregationMetrics(new Registry(), { now: () => new Date() });
    const handle = createBatchHandler({ pool: db.pool, deadLetters: sink, metrics, logger: silentLogger() });
    await handle([...events.slice(0, 4), huge, ...events.slice(4), huge2].map((e) => asMessage(e)));
    // The first huge amount fits; the second overflows every bucket of tea and is isolated.
    expect(sink.got.map((r) => JSON.parse(r.message.value!.toString()) as { eventId: string })).toEqual([
      expect.objectContaining({ eventId: huge2.eventId }),
    ]);
    expect(sink.got[0]!.reason).toMatch(/cannot be applied: .*out of range/);
    const { rows } = await db.pool.query<{ n: bigint }>(
      `SELECT count(*)::bigint AS n FROM forecasting.processed_events`,
    );
    expect(rows[0]!.n).toBe(10n);
  });

  it('keeps the DLQ header names of the event contract', async () => {
    const sink = fakeSink();
    const metrics = createAggregationMetrics(new Registry(), { now: () => new Date() });
    const { deadLetterSink } = await import('../../pkg/aggregation/index.js');
    const published: { topic: string; headers: Record<string, string> }[] = [];
    const publisher = {
      publish: (topic: string, msgs: readonly { headers: Readonly<Record<string, string>> }[]) => {
        published.push(...msgs.map((m) => ({ topic, headers: { ...m.headers } })));
        return Promise.resolve();
      },
      ensureTopic: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const handle = createBatchHandler({
      pool: db.pool,
      deadLetters: deadLetterSink(publisher, 'order-events.dlq'),
      metrics,
      logger: silentLogger(),
    });
    const bad = asMessage('nope', 3);
    await handle([bad]);
    expect(sink.got).toHaveLength(0);
    expect(published).toHaveLength(1);
    expect(published[0]!.topic).toBe('order-events.dlq');
    const headers = published[0]!.headers;
    expect(headers[HEADERS.dlqReason]).toMatch(/not valid JSON/);
    expect(headers).toMatchObject({
      [HEADERS.dlqSourceTopic]: 'order-events',
      [HEADERS.dlqSourcePartition]: '3',
      [HEADERS.dlqSourceOffset]: bad.offset,
      ce_type: 'order.created',
    });
  });
});

describe('processed_events retention', () => {
  it('purges ids older than the retention in batches and keeps newer ones', async () => {
    await db.pool.query(
      `INSERT INTO forecasting.processed_events (event_id, processed_at)
       SELECT gen_random_uuid(), now() - make_interval(days => 20) FROM generate_series(1, 25)`,
    );
    await db.pool.query(
      `INSERT INTO forecasting.processed_events (event_id, processed_at)
       SELECT gen_random_uuid(), now() - make_interval(days => 13) FROM generate_series(1, 7)`,
    );
    expect(await purgeProcessedEvents(db.pool, { retentionDays: 14, batchSize: 10 })).toBe(25);
    const { rows } = await db.pool.query<{ n: bigint }>(
      `SELECT count(*)::bigint AS n FROM forecasting.processed_events`,
    );
    expect(rows[0]!.n).toBe(7n);
  });
});

describe('reconcile', () => {
  it('finds injected drift per bucket and repairs it', async () => {
    const events = randomOrders(MERCHANTS, 300, '2026-02-01T00:00:00Z', '2026-03-15T00:00:00Z', prng(7));
    await storeOrders(db.pool, events);
    await applyBatch(
      db.pool,
      events.map((e) => asMessage(e)),
    );
    await expectExact();

    // Three kinds of drift: a wrong total, a missing row and a row that should not exist.
    await db.pool.query(
      `UPDATE forecasting.category_sales_agg SET total_sales_minor = total_sales_minor + 1
        WHERE merchant_id = 'berlin' AND category_id = 'shoes' AND bucket_type = 'MONTH' AND bucket_start = '2026-02-01'`,
    );
    await db.pool.query(
      `DELETE FROM forecasting.category_sales_agg
        WHERE merchant_id = 'nyc' AND category_id = 'tea' AND bucket_type = 'YEAR'`,
    );
    await db.pool.query(
      `INSERT INTO forecasting.category_sales_agg (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count)
       VALUES ('delhi', 'oil', 'DAY', '2024-01-01', 5, 1, 1)`,
    );
    const found = await reconcile(db.pool);
    expect(
      found.drift.map((d) => `${d.merchantId}/${d.categoryId}/${d.bucketType}/${d.bucketStart}`),
    ).toEqual(['berlin/shoes/MONTH/2026-02-01', 'delhi/oil/DAY/2024-01-01', 'nyc/tea/YEAR/2026-01-01']);
    const month = found.drift[0]!;
    expect(month.actual!.totalMinor - month.expected!.totalMinor).toBe(1n);
    expect(found.drift[1]!.expected).toBeNull();
    expect(found.drift[2]!.actual).toBeNull();

    // Scoped: only one merchant, only buckets starting in February.
    const scoped = await reconcile(db.pool, { merchantId: 'berlin', from: '2026-02-01', to: '2026-02-28' });
    expect(scoped.drift.map((d) => d.bucketStart)).toEqual(['2026-02-01']);

    const repaired = await reconcile(db.pool, { repair: true });
    expect(repaired.repaired).toBe(3);
    await expectExact();
  });

  it('does not count events that are still in flight, so a repair cannot double count them', async () => {
    const events = randomOrders([DELHI], 50, '2026-02-01T00:00:00Z', '2026-02-03T00:00:00Z', prng(8));
    await storeOrders(db.pool, events);
    await applyBatch(
      db.pool,
      events.slice(0, 30).map((e) => asMessage(e)),
    );
    const mid = await reconcile(db.pool, { repair: true });
    expect(mid.inFlightOrders).toBe(20);
    expect(mid.drift).toEqual([]);
    await applyBatch(
      db.pool,
      events.slice(30).map((e) => asMessage(e)),
    );
    await expectExact();
  });
});
