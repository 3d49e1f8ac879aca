import { Registry } from '../../pkg/metrics/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../pkg/db/index.js';
import { isValidOrderCreated } from '../../pkg/events/index.js';
import { createIngestApp } from '../../pkg/ingest/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import {
  call,
  createIngestHarness,
  order,
  orderCounts,
  seedCatalog,
  type IngestHarness,
} from './ingest-fixtures.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await createIngestHarness('ingbat', { limits: { batchBodyBytes: 4 * 1024 * 1024 } });
  await seedCatalog(h);
});
afterAll(async () => h.db.drop());

describe('POST /v1/orders/batch', () => {
  it('answers per order; one bad order does not sink the others', async () => {
    const now = h.clock.now();
    const good = order(now, { externalOrderId: 'b-good' });
    const entries = [
      good,
      order(now, { placedAt: new Date(now.getTime() + 3_600_000).toISOString() }), // well-formed, too far ahead
      order(now, { merchantId: 'ghost' }),
      order(now, { items: [{ productId: 'p9', quantity: 1, unitPrice: '1.00' }] }),
      good, // same key, same content: answered like a replay of entry 0
      { ...good, currency: 'EUR', items: [{ productId: 'p1', quantity: 9, unitPrice: '1.00' }] }, // same key, changed
      order(now, {
        merchantId: 'm2',
        currency: 'USD',
        items: [{ productId: 'p9', quantity: 1, unitPrice: '2.50' }],
      }),
      order(now, { currency: 'USD' }),
    ];
    const before = await orderCounts(h.db.pool);
    const r = await h.call('POST', '/v1/orders/batch', { orders: entries });
    expect(r.status).toBe(200);
    const results = r.body.results!;
    expect(results.map((x) => [x.index, x.status])).toEqual([
      [0, 201],
      [1, 422],
      [2, 404],
      [3, 422],
      [4, 200],
      [5, 409],
      [6, 201],
      [7, 422],
    ]);
    expect(r.body).toMatchObject({ created: 2, replayed: 1, rejected: 5 });
    expect(results[4]!.order!.id).toBe(results[0]!.order!.id);
    expect(results[1]!.problem!.errors!.map((e) => e.field)).toEqual(['orders.1.placedAt']);
    expect(results[2]!.problem!.errors!.map((e) => e.field)).toEqual(['orders.2.merchantId']);
    expect(results[3]!.problem!.errors!.map((e) => e.field)).toEqual(['orders.3.items.0.productId']);
    expect(results[5]!.problem).toMatchObject({ status: 409, orderId: results[0]!.order!.id });
    expect(results[7]!.problem).toMatchObject({ status: 422, reason: 'currency_mismatch' });
    expect(results[6]!.order).toMatchObject({ merchantId: 'm2', total: '2.50' });
    expect(await orderCounts(h.db.pool)).toEqual({
      orders: before.orders + 2,
      items: before.items + 3,
      events: before.events + 2,
    });
  });

  it('answers a replayed batch with 200s and writes nothing', async () => {
    const now = h.clock.now();
    const entries = Array.from({ length: 50 }, (_, i) => order(now, { externalOrderId: `replay-${i}` }));
    const first = await h.call('POST', '/v1/orders/batch', { orders: entries });
    expect(first.body.created).toBe(50);
    const before = await orderCounts(h.db.pool);
    const again = await h.call('POST', '/v1/orders/batch', { orders: entries });
    expect(again.body).toMatchObject({ created: 0, replayed: 50, rejected: 0 });
    expect(again.body.results!.map((x) => x.order!.id)).toEqual(first.body.results!.map((x) => x.order!.id));
    expect(again.body.results![7]!.order).toEqual(first.body.results![7]!.order);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('mixes new orders and replays of single submissions', async () => {
    const now = h.clock.now();
    const single = order(now, { externalOrderId: 'was-single' });
    const created = await h.call('POST', '/v1/orders', single);
    const r = await h.call('POST', '/v1/orders/batch', { orders: [order(now), single, order(now)] });
    expect(r.body.results!.map((x) => x.status)).toEqual([201, 200, 201]);
    expect(r.body.results![1]!.order!.id).toBe(created.body.id);
  });

  it('stores 1000 orders in one request', async () => {
    const now = h.clock.now();
    const before = await orderCounts(h.db.pool);
    const entries = Array.from({ length: 1000 }, (_, i) =>
      order(now, {
        externalOrderId: `bulk-${i}`,
        placedAt: new Date(now.getTime() - i * 3_600_000).toISOString(),
        items: [
          { productId: 'p1', quantity: 1 + (i % 3), unitPrice: '10.00' },
          { productId: 'p2', quantity: 1, unitPrice: `${i}.99` },
          { productId: 'p1', quantity: 2, unitPrice: '0.01' },
        ],
      }),
    );
    const r = await h.call('POST', '/v1/orders/batch', { orders: entries });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 1000, replayed: 0, rejected: 0 });
    expect(r.body.results![999]!.order).toMatchObject({ externalOrderId: 'bulk-999', total: '1010.01' });
    expect(await orderCounts(h.db.pool)).toEqual({
      orders: before.orders + 1000,
      items: before.items + 3000,
      events: before.events + 1000,
    });
    const { rows } = await h.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingestion.orders o
         JOIN ingestion.order_events e ON e.order_id = o.id
        WHERE o.external_order_id LIKE 'bulk-%'
          AND (e.payload->>'totalMinor')::bigint = o.total_minor
          AND e.payload->>'placedAt' = to_char(o.placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    );
    expect(rows[0]!.n).toBe(1000);
  });

  it('stores each order once when overlapping batches race (no deadlock)', async () => {
    const now = h.clock.now();
    const entries = Array.from({ length: 200 }, (_, i) => order(now, { externalOrderId: `overlap-${i}` }));
    const before = await orderCounts(h.db.pool);
    const answers = await Promise.all([
      h.call('POST', '/v1/orders/batch', { orders: entries }),
      h.call('POST', '/v1/orders/batch', { orders: [...entries].reverse() }),
      h.call('POST', '/v1/orders/batch', { orders: entries.slice(50, 150) }),
    ]);
    for (const a of answers) expect(a.status).toBe(200);
    const created = answers.reduce((n, a) => n + (a.body.created ?? 0), 0);
    const replayed = answers.reduce((n, a) => n + (a.body.replayed ?? 0), 0);
    expect(created).toBe(200);
    expect(replayed).toBe(300);
    const after = await orderCounts(h.db.pool);
    expect(after.orders - before.orders).toBe(200);
    expect(after.events - before.events).toBe(200);
  });

  it('refuses the whole batch with one 400, writing nothing, when an entry does not match the schema', async () => {
    const now = h.clock.now();
    const before = await orderCounts(h.db.pool);
    const r = await h.call('POST', '/v1/orders/batch', {
      orders: [
        order(now, { externalOrderId: 'whole-1' }),
        { ...order(now), items: 'nope' },
        order(now, { externalOrderId: 'whole-3' }),
        order(now, { currency: 'EURO', externalOrderId: ' ' }),
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.errors!.map((e) => e.field)).toEqual([
      'orders.1.items',
      'orders.3.externalOrderId',
      'orders.3.currency',
    ]);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it.each<[string, unknown, string]>([
    ['an empty list', { orders: [] }, 'orders'],
    ['no list', { order: [] }, 'orders'],
    ['a bare array', [order(new Date())], '(body)'],
    ['more than 1000 orders', { orders: Array.from({ length: 1001 }, () => ({})) }, 'orders'],
  ])('answers 400 for %s', async (_, body, field) => {
    const before = await orderCounts(h.db.pool);
    const r = await h.call('POST', '/v1/orders/batch', body);
    expect(r.status).toBe(400);
    expect(r.body.errors!.map((e) => e.field)).toContain(field);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('has its own body limit, larger than the single-order one', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) =>
      order(h.clock.now(), { externalOrderId: `limit-${i}`, note: 'x'.repeat(2000) }),
    );
    const body = JSON.stringify({ orders: entries });
    expect(body.length).toBeGreaterThan(1_048_576);
    expect(body.length).toBeLessThan(4 * 1024 * 1024);
    expect((await h.call('POST', '/v1/orders/batch', body)).status).toBe(200);
    const tooBig = JSON.stringify({ orders: entries.map((e) => ({ ...e, note: 'x'.repeat(5000) })) });
    const before = await orderCounts(h.db.pool);
    expect((await h.call('POST', '/v1/orders/batch', tooBig)).status).toBe(413);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('is not cut off by the API statement timeout when a backfill batch is huge', async () => {
    // A pool whose statements time out after 100 ms: far too short for 40,000 items in one INSERT.
    const pool = createPool({ connectionString: h.db.url, statementTimeoutMs: 100 });
    const app = createIngestApp({ db: pool, logger: silentLogger(), registry: new Registry() });
    try {
      const items = Array.from({ length: 40 }, (_, i) => ({
        productId: i % 2 ? 'p1' : 'p2',
        quantity: 1,
        unitPrice: '1.00',
      }));
      const entries = Array.from({ length: 1000 }, (_, i) =>
        order(h.clock.now(), { externalOrderId: `huge-${i}`, items }),
      );
      const before = await orderCounts(h.db.pool);
      const r = await call(app, 'POST', '/v1/orders/batch', { orders: entries });
      expect(r.status).toBe(200);
      expect(r.body.created).toBe(1000);
      const after = await orderCounts(h.db.pool);
      expect(after.items - before.items).toBe(40_000);
    } finally {
      await pool.end();
    }
  });

  it('writes the same event payload through the single and the batch path', async () => {
    const now = h.clock.now();
    const content = {
      placedAt: '2025-03-30T01:30:00+01:00',
      items: [
        { productId: 'p1', quantity: 2, unitPrice: '3.10' },
        { productId: 'p2', quantity: 1, unitPrice: '0' },
      ],
    };
    const single = await h.call('POST', '/v1/orders', order(now, { externalOrderId: 'same-1', ...content }));
    const batch = await h.call('POST', '/v1/orders/batch', {
      orders: [order(now, { externalOrderId: 'same-2', ...content })],
    });
    expect(batch.body.results![0]!.order).not.toHaveProperty('items');
    const { rows } = await h.db.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM ingestion.order_events WHERE order_id = ANY ($1::uuid[]) ORDER BY payload->>'externalOrderId'`,
      [[single.body.id, batch.body.results![0]!.order!.id]],
    );
    const strip = ({
      eventId: _e,
      orderId: _o,
      externalOrderId: _x,
      occurredAt: _t,
      ...rest
    }: Record<string, unknown>) => rest;
    expect(rows).toHaveLength(2);
    expect(strip(rows[0]!.payload)).toEqual(strip(rows[1]!.payload));
    expect(rows[0]!.payload).toMatchObject({
      merchantTimezone: 'Europe/Berlin',
      merchantWeekStart: 'SUNDAY',
      totalMinor: '620',
    });
  });

  it('only wrote outbox payloads that validate against the schema', async () => {
    const { rows } = await h.db.pool.query<{ payload: unknown }>(
      `SELECT payload FROM ingestion.order_events`,
    );
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.filter((r) => !isValidOrderCreated(r.payload))).toEqual([]);
  });
});
