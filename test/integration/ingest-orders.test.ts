import pg from 'pg';
import { Registry } from '../../pkg/metrics/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../pkg/db/index.js';
import { isValidOrderCreated, type OrderCreatedV1 } from '../../pkg/events/index.js';
import { createIngestApp } from '../../pkg/ingest/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import {
  call,
  createIngestHarness,
  order,
  orderCounts,
  seedCatalog,
  type Body,
  type IngestHarness,
} from './ingest-fixtures.js';
import { waitFor } from './support/wait.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
let h: IngestHarness;

beforeAll(async () => {
  h = await createIngestHarness('ingord', {
    traceparent: () => TRACEPARENT,
    limits: { bodyBytes: 64 * 1024 },
  });
  await seedCatalog(h);
});
afterAll(async () => h.db.drop());

function fields(body: Body): string[] {
  return (body.errors ?? []).map((e) => e.field);
}

describe('POST /v1/orders', () => {
  it('stores the order, its items and one outbox event, and answers 201 with a Location', async () => {
    const before = await orderCounts(h.db.pool);
    const body = order(h.clock.now(), { externalOrderId: 'first' });
    const r = await h.call('POST', '/v1/orders', body);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/v1/orders/${r.body.id}`);
    expect(r.body).toMatchObject({
      merchantId: 'm1',
      externalOrderId: 'first',
      placedAt: body.placedAt,
      currency: 'EUR',
      total: '44.98',
      itemCount: 2,
      items: [
        { lineNo: 1, productId: 'p1', categoryId: 'shoes', quantity: 2, unitPrice: '19.99', amount: '39.98' },
        { lineNo: 2, productId: 'p2', categoryId: 'root', quantity: 1, unitPrice: '5.00', amount: '5.00' },
      ],
    });
    expect(await orderCounts(h.db.pool)).toEqual({
      orders: before.orders + 1,
      items: before.items + 2,
      events: before.events + 1,
    });

    const { rows } = await h.db.pool.query<{
      id: string;
      event_type: string;
      schema_version: number;
      partition_key: string;
      payload: OrderCreatedV1;
      traceparent: string;
      published_at: Date | null;
    }>(`SELECT * FROM ingestion.order_events WHERE order_id = $1`, [r.body.id]);
    expect(rows).toHaveLength(1);
    const event = rows[0]!;
    expect(event).toMatchObject({
      event_type: 'order.created',
      schema_version: 1,
      partition_key: 'm1',
      traceparent: TRACEPARENT,
      published_at: null,
    });
    expect(isValidOrderCreated(event.payload)).toBe(true);
    expect(event.payload).toMatchObject({
      eventId: event.id,
      orderId: r.body.id,
      merchantId: 'm1',
      merchantTimezone: 'Europe/Berlin',
      merchantWeekStart: 'SUNDAY',
      externalOrderId: 'first',
      totalMinor: '4498',
      items: [
        { productId: 'p1', categoryId: 'shoes', quantity: 2, amountMinor: '3998' },
        { productId: 'p2', categoryId: 'root', quantity: 1, amountMinor: '500' },
      ],
    });
    const stored = await h.db.pool.query(
      `SELECT total_minor, item_count, placed_at FROM ingestion.orders WHERE id = $1`,
      [r.body.id],
    );
    expect(stored.rows[0]).toEqual({
      total_minor: 4498n,
      item_count: 2,
      placed_at: new Date(body.placedAt as string),
    });
  });

  it('wakes the relay with NOTIFY catcast_outbox on commit', async () => {
    const listener = new pg.Client({ connectionString: h.db.url });
    await listener.connect();
    try {
      const received: string[] = [];
      listener.on('notification', (n) => received.push(n.channel));
      await listener.query('LISTEN catcast_outbox');
      const r = await h.call('POST', '/v1/orders', order(h.clock.now()));
      expect(r.status).toBe(201);
      await waitFor('an outbox notification', () => received.includes('catcast_outbox'), { timeoutMs: 5000 });
    } finally {
      await listener.end();
    }
  });

  it('defaults placedAt to now (injected clock)', async () => {
    h.clock.current = new Date('2025-06-01T08:30:00.000Z');
    const { placedAt: _, ...body } = order(h.clock.now());
    const r = await h.call('POST', '/v1/orders', body);
    expect(r.status).toBe(201);
    expect(r.body.placedAt).toBe('2025-06-01T08:30:00.000Z');
    h.clock.current = new Date();
  });

  it('accepts a backfill of an old order and an order 5 minutes ahead, refuses one further ahead', async () => {
    const now = h.clock.now();
    const old = await h.call('POST', '/v1/orders', order(now, { placedAt: '2019-03-10T12:00:00+05:30' }));
    expect(old.status).toBe(201);
    expect(old.body.placedAt).toBe('2019-03-10T06:30:00.000Z');
    const ahead = new Date(now.getTime() + 300_000).toISOString();
    expect((await h.call('POST', '/v1/orders', order(now, { placedAt: ahead }))).status).toBe(201);
    const before = await orderCounts(h.db.pool);
    const tooFar = new Date(now.getTime() + 301_000).toISOString();
    const r = await h.call('POST', '/v1/orders', order(now, { placedAt: tooFar }));
    // Well-formed (the document cannot rule it out: it depends on the clock), so 422, not 400.
    expect(r.status).toBe(422);
    expect(fields(r.body)).toEqual(['placedAt']);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('answers a replay with 200 and the original order, writing nothing', async () => {
    const body = order(h.clock.now(), { externalOrderId: 'replay-me' });
    const first = await h.call('POST', '/v1/orders', body);
    expect(first.status).toBe(201);
    const before = await orderCounts(h.db.pool);
    // Same content spelled differently: another offset for the same instant, extra unknown fields.
    const respelled = {
      ...body,
      placedAt: new Date(body.placedAt as string).toISOString().replace('Z', '+00:00'),
      note: 'retry',
    };
    for (const replay of [body, respelled]) {
      const again = await h.call('POST', '/v1/orders', replay);
      expect(again.status).toBe(200);
      expect(again.headers.get('location')).toBe(`/v1/orders/${first.body.id}`);
      expect(again.body).toEqual(first.body);
    }
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('treats a replay without placedAt as the same order even when the clock moved', async () => {
    const { placedAt: _, ...body } = order(h.clock.now(), { externalOrderId: 'no-time' });
    const first = await h.call('POST', '/v1/orders', body);
    h.clock.current = new Date(h.clock.current.getTime() + 60_000);
    const again = await h.call('POST', '/v1/orders', body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
  });

  it('answers 409 when the same external id comes with different content, writing nothing', async () => {
    const body = order(h.clock.now(), { externalOrderId: 'conflict-me' });
    const first = await h.call('POST', '/v1/orders', body);
    const before = await orderCounts(h.db.pool);
    const changed = { ...body, items: [{ productId: 'p1', quantity: 3, unitPrice: '19.99' }] };
    const r = await h.call('POST', '/v1/orders', changed);
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fields(r.body)).toEqual(['externalOrderId']);
    expect(r.body.orderId).toBe(first.body.id);
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });

  it('stores exactly one order and one event for 20 concurrent identical submissions', async () => {
    const body = order(h.clock.now(), { externalOrderId: 'concurrent' });
    const before = await orderCounts(h.db.pool);
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.call('POST', '/v1/orders', body)));
    const statuses = answers.map((a) => a.status).sort((a, b) => a - b);
    expect(statuses).toEqual([...Array<number>(19).fill(200), 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await orderCounts(h.db.pool)).toEqual({
      orders: before.orders + 1,
      items: before.items + 2,
      events: before.events + 1,
    });
  });

  it('stores exactly one of 20 concurrent submissions that differ in content; the rest get 409', async () => {
    const before = await orderCounts(h.db.pool);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.call(
          'POST',
          '/v1/orders',
          order(h.clock.now(), {
            externalOrderId: 'race',
            items: [{ productId: 'p1', quantity: i + 1, unitPrice: '1.00' }],
          }),
        ),
      ),
    );
    expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([201, ...Array<number>(19).fill(409)]);
    const after = await orderCounts(h.db.pool);
    expect(after.orders - before.orders).toBe(1);
    expect(after.events - before.events).toBe(1);
  });

  it('records the category of the product as of the order', async () => {
    await h.call('PUT', '/v1/merchants/m1/products/p-move', { name: 'Mover', categoryId: 'shoes' });
    const items = [{ productId: 'p-move', quantity: 1, unitPrice: '1.00' }];
    const before = await h.call('POST', '/v1/orders', order(h.clock.now(), { items }));
    await h.call('PUT', '/v1/merchants/m1/products/p-move', { name: 'Mover', categoryId: 'root' });
    const after = await h.call('POST', '/v1/orders', order(h.clock.now(), { items }));
    expect(before.body.items?.[0]?.categoryId).toBe('shoes');
    expect(after.body.items?.[0]?.categoryId).toBe('root');
    const { rows } = await h.db.pool.query(
      `SELECT category_id FROM ingestion.order_items WHERE order_id = $1`,
      [before.body.id],
    );
    expect(rows).toEqual([{ category_id: 'shoes' }]);
  });

  it('handles zero-decimal amounts up to the per-order maximum exactly, and refuses one yen more', async () => {
    const r = await h.call(
      'POST',
      '/v1/orders',
      order(h.clock.now(), {
        merchantId: 'm3',
        currency: 'JPY',
        // 10^6 x 10^7 yen = 10^13, the largest accepted order.
        items: [{ productId: 'p3', quantity: 1_000_000, unitPrice: '10000000' }],
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body.total).toBe('10000000000000');
    const { rows } = await h.db.pool.query(`SELECT total_minor FROM ingestion.orders WHERE id = $1`, [
      r.body.id,
    ]);
    expect(rows).toEqual([{ total_minor: 10000000000000n }]);
    const over = await h.call(
      'POST',
      '/v1/orders',
      order(h.clock.now(), {
        merchantId: 'm3',
        currency: 'JPY',
        items: [
          { productId: 'p3', quantity: 1_000_000, unitPrice: '10000000' },
          { productId: 'p3', quantity: 1, unitPrice: '1' },
        ],
      }),
    );
    expect(over.status).toBe(422);
    expect(over.body.reason).toBe('amount_overflow');
  });

  const now = new Date();
  const ok = order(now);
  it.each<[string, number, unknown, string[], string]>([
    ['a bad merchant id', 400, { ...ok, merchantId: 'm 1' }, ['merchantId'], 'invalid'],
    ['a missing external id', 400, { ...ok, externalOrderId: undefined }, ['externalOrderId'], 'invalid'],
    ['an unknown currency code', 400, { ...ok, currency: 'EURO' }, ['currency'], 'invalid'],
    ['a placedAt without zone', 400, { ...ok, placedAt: '2025-01-01T10:00:00' }, ['placedAt'], 'invalid'],
    ['no items', 400, { ...ok, items: [] }, ['items'], 'invalid'],
    [
      'several bad item fields',
      400,
      { ...ok, items: [{ productId: 'p1', quantity: 0, unitPrice: 1 }] },
      ['items.0.quantity', 'items.0.unitPrice'],
      'invalid',
    ],
    [
      'more than 1000 items',
      400,
      {
        ...ok,
        items: Array.from({ length: 1001 }, () => ({ productId: 'p1', quantity: 1, unitPrice: '1' })),
      },
      ['items'],
      'invalid',
    ],
    ['an unknown merchant', 404, { ...ok, merchantId: 'ghost' }, ['merchantId'], 'unknown_merchant'],
    [
      'an unknown product',
      422,
      { ...ok, items: [{ productId: 'nope', quantity: 1, unitPrice: '1.00' }] },
      ['items.0.productId'],
      'unknown_product',
    ],
    [
      "another merchant's product",
      422,
      { ...ok, items: [...(ok.items as unknown[]), { productId: 'p9', quantity: 1, unitPrice: '1.00' }] },
      ['items.2.productId'],
      'unknown_product',
    ],
    ['a currency mismatch', 422, { ...ok, currency: 'USD' }, ['currency'], 'currency_mismatch'],
    [
      'too many decimals for EUR',
      422,
      { ...ok, items: [{ productId: 'p1', quantity: 1, unitPrice: '19.999' }] },
      ['items.0.unitPrice'],
      'amount_precision',
    ],
    [
      'decimals for JPY',
      422,
      {
        ...ok,
        merchantId: 'm3',
        currency: 'JPY',
        items: [{ productId: 'p3', quantity: 1, unitPrice: '1.5' }],
      },
      ['items.0.unitPrice'],
      'amount_precision',
    ],
    [
      'an amount beyond bigint',
      422,
      { ...ok, items: [{ productId: 'p1', quantity: 1_000_000, unitPrice: '999999999999999999' }] },
      ['items.0.unitPrice'],
      'amount_overflow',
    ],
  ])(
    'answers %s with %i naming the fields, persisting nothing',
    async (_, status, body, expected, reason) => {
      const before = await orderCounts(h.db.pool);
      const r = await h.call('POST', '/v1/orders', body);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ status, reason, type: 'about:blank', instance: '/v1/orders' });
      expect(fields(r.body)).toEqual(expect.arrayContaining(expected));
      expect(await orderCounts(h.db.pool)).toEqual(before);
    },
  );

  it('answers 415, 413 and 400 for the wrong content type, an oversized and a malformed body', async () => {
    const before = await orderCounts(h.db.pool);
    const wrongType = await h.call('POST', '/v1/orders', JSON.stringify(ok), {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(415);
    const declared = await h.call('POST', '/v1/orders', JSON.stringify(ok), {
      'content-length': String(65 * 1024),
    });
    expect(declared.status).toBe(413);
    const big = await h.call('POST', '/v1/orders', { ...ok, padding: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    const malformed = await h.call('POST', '/v1/orders', '{"merchantId":');
    expect(malformed.status).toBe(400);
    const empty = await h.call('POST', '/v1/orders', '');
    expect(empty.status).toBe(400);
    for (const r of [wrongType, declared, big, malformed, empty]) {
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect(await orderCounts(h.db.pool)).toEqual(before);
  });
});

describe('GET /v1/orders/{orderId}', () => {
  it('returns a stored order as POST answered it', async () => {
    const created = await h.call('POST', '/v1/orders', order(h.clock.now()));
    const r = await h.call('GET', `/v1/orders/${created.body.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(created.body);
    expect((await h.call('GET', `/v1/orders/${created.body.id!.toUpperCase()}`)).body.id).toBe(
      created.body.id,
    );
  });

  it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1'; DROP TABLE x; --"])(
    'answers 404 problem for %s',
    async (id) => {
      const r = await h.call('GET', `/v1/orders/${encodeURIComponent(id)}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    },
  );
});

describe('operations', () => {
  it('exposes accepted/rejected counters and pool gauges in /metrics', async () => {
    const text = await (await h.app.request('/metrics')).text();
    expect(text).toMatch(/catcast_ingest_orders_accepted_total\{endpoint="single",outcome="created"\} [1-9]/);
    expect(text).toMatch(
      /catcast_ingest_orders_accepted_total\{endpoint="single",outcome="replayed"\} [1-9]/,
    );
    expect(text).toMatch(/catcast_ingest_orders_rejected_total\{endpoint="single",reason="conflict"\} [1-9]/);
    expect(text).toMatch(
      /catcast_ingest_orders_rejected_total\{endpoint="single",reason="too_large"\} [1-9]/,
    );
    expect(text).toMatch(/catcast_db_pool_connections\{pool="primary",state="total"\} \d+/);
    expect(text).toMatch(
      /catcast_http_request_duration_seconds_count\{method="POST",route="\/v1\/orders",status="201"\}/,
    );
  });

  it('is ready while the database answers', async () => {
    const r = await h.call('GET', '/ready');
    expect(r.status).toBe(200);
    expect((await h.call('GET', '/health')).status).toBe(200);
  });

  it('answers 503 with Retry-After (never 500) while the database is unreachable', async () => {
    const pool = createPool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/none' });
    const app = createIngestApp({ db: pool, logger: silentLogger(), registry: new Registry() });
    try {
      const post = await call(app, 'POST', '/v1/orders', order(new Date()));
      expect(post.status).toBe(503);
      expect(post.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(post.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const put = await call(app, 'PUT', '/v1/merchants/m1', { name: 'M', currency: 'EUR' });
      expect(put.status).toBe(503);
      const ready = await call(app, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ checks: { database: { ok: false } } });
    } finally {
      await pool.end();
    }
  });

  it('only ever wrote outbox payloads that validate against the order.created v1 schema', async () => {
    const { rows } = await h.db.pool.query<{ payload: unknown }>(
      `SELECT payload FROM ingestion.order_events`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(isValidOrderCreated(row.payload)).toBe(true);
  });
});
