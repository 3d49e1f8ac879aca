// Group commit of single orders (pkg/orders coalesceInserts + the store's insertMany) on real
// PostgreSQL: orders written together are checked, stored and answered exactly as if each had been
// sent alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidOrderCreated } from '../../pkg/events/index.js';
import { createPgOrderStore, type OrderDraft } from '../../pkg/orders/index.js';
import {
  createIngestHarness,
  order,
  orderCounts,
  seedCatalog,
  type IngestHarness,
} from './ingest-fixtures.js';

let h: IngestHarness;

beforeAll(async () => {
  // One statement in flight: every request arriving meanwhile joins the next shared statement.
  h = await createIngestHarness('ingcoal', { insertCoalescing: { maxBatch: 50, maxInFlight: 1 } });
  await seedCatalog(h);
});
afterAll(async () => h.db.drop());

function draft(n: number, overrides: Partial<OrderDraft> = {}): OrderDraft {
  const id = `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const eventId = `00000000-0000-7000-9000-${String(n).padStart(12, '0')}`;
  const merchantId = overrides.merchantId ?? 'm1';
  return {
    id,
    merchantId,
    externalOrderId: `many-${n}`,
    placedAt: new Date('2026-11-01T10:00:00Z'),
    currency: 'EUR',
    totalMinor: 4498n,
    contentHash: `hash-${n}`,
    lines: [
      { lineNo: 1, productId: 'p1', quantity: 2, unitPriceMinor: 1999n, amountMinor: 3998n },
      { lineNo: 2, productId: 'p2', quantity: 1, unitPriceMinor: 500n, amountMinor: 500n },
    ],
    eventId,
    eventTemplate: {
      eventId,
      eventType: 'order.created',
      schemaVersion: 1,
      occurredAt: '2026-11-01T10:00:01.000Z',
      merchantId,
      orderId: id,
      externalOrderId: overrides.externalOrderId ?? `many-${n}`,
      placedAt: '2026-11-01T10:00:00.000Z',
      currency: overrides.currency ?? 'EUR',
      totalMinor: '4498',
    },
    traceparent: `00-${String(n).padStart(32, '0')}-b7ad6b7169203331-01`,
    ...overrides,
  };
}

describe('insertMany', () => {
  it('checks and writes each order on its own, with the same rows and event as insertOne', async () => {
    const store = createPgOrderStore(h.db.pool);
    const existing = draft(1);
    expect((await store.insertOne(existing)).createdAt).toBeInstanceOf(Date);
    const alone = draft(2);
    await store.insertOne(alone);

    const before = await orderCounts(h.db.pool);
    const drafts = [
      draft(10),
      draft(11, { merchantId: 'nobody' }),
      draft(12, { currency: 'USD' }),
      draft(13, {
        lines: [
          { lineNo: 1, productId: 'no-such-product', quantity: 1, unitPriceMinor: 1n, amountMinor: 1n },
        ],
      }),
      draft(14, { externalOrderId: existing.externalOrderId }),
      draft(15, {
        merchantId: 'm2',
        currency: 'USD',
        lines: [{ lineNo: 1, productId: 'p9', quantity: 3, unitPriceMinor: 100n, amountMinor: 300n }],
      }),
    ];
    const results = await store.insertMany(drafts);

    expect(results.map((r) => r.createdAt instanceof Date)).toEqual([true, false, false, false, false, true]);
    expect(results.map((r) => r.merchant?.id)).toEqual(['m1', undefined, 'm1', 'm1', 'm1', 'm2']);
    expect(results.map((r) => r.categories)).toEqual([
      ['shoes', 'root'],
      [null, null],
      ['shoes', 'root'],
      [null],
      ['shoes', 'root'],
      ['c9'],
    ]);
    const after = await orderCounts(h.db.pool);
    expect(after).toEqual({ orders: before.orders + 2, items: before.items + 3, events: before.events + 2 });

    // The outbox event of a grouped order equals the one insertOne wrote for its twin, ids aside.
    const { rows } = await h.db.pool.query<{
      id: string;
      payload: Record<string, unknown>;
      traceparent: string;
    }>(
      `SELECT e.id, e.payload, e.traceparent FROM ingestion.order_events e WHERE e.order_id = ANY ($1::uuid[])`,
      [[alone.id, drafts[0]!.id]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const grouped = byId.get(drafts[0]!.eventId)!;
    const single = byId.get(alone.eventId)!;
    expect(isValidOrderCreated(grouped.payload)).toBe(true);
    const strip = (p: Record<string, unknown>) => ({ ...p, eventId: 0, orderId: 0, externalOrderId: 0 });
    expect(strip(grouped.payload)).toEqual(strip(single.payload));
    expect(grouped.traceparent).toBe(drafts[0]!.traceparent);
  });
});

describe('POST /v1/orders under concurrency, with group commit', () => {
  it('answers every request as if it had been sent alone, and stores exactly the accepted orders', async () => {
    const now = h.clock.now();
    const before = await orderCounts(h.db.pool);
    const valid = Array.from({ length: 40 }, (_, i) => order(now, { externalOrderId: `conc-${i}` }));
    const replay = valid[3]!; // the same order twice: one 201, one 200
    const conflicting = { ...valid[5]!, items: [{ productId: 'p1', quantity: 9, unitPrice: '19.99' }] };
    const unknownProduct = order(now, { items: [{ productId: 'nope', quantity: 1, unitPrice: '1.00' }] });
    const wrongCurrency = order(now, { currency: 'USD' });
    const requests = [...valid, replay, conflicting, unknownProduct, wrongCurrency];

    const answers = await Promise.all(requests.map((b) => h.call('POST', '/v1/orders', b)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 40).filter((s) => s === 201).length).toBeGreaterThanOrEqual(38);
    // Of each pair (valid[3] / replay and valid[5] / conflicting) exactly one wrote the order.
    expect([statuses[3], statuses[40]].sort()).toEqual([200, 201]);
    expect([statuses[5], statuses[41]].sort()).toEqual([201, 409]);
    expect(statuses[42]).toBe(422);
    expect(answers[42]!.body.errors?.map((e) => e.field)).toEqual(['items.0.productId']);
    expect(statuses[43]).toBe(422);
    for (const [i, a] of answers.entries()) {
      if (a.status === 201)
        expect(a.body.externalOrderId).toBe((requests[i] as { externalOrderId: string }).externalOrderId);
    }

    const after = await orderCounts(h.db.pool);
    expect(after.orders - before.orders).toBe(40);
    expect(after.events - before.events).toBe(40);
    expect(after.items - before.items).toBe(80 - (statuses[41] === 201 ? 1 : 0));
  });
});
