// The OrderStore contract (pkg/orders/contract.ts) against the Postgres store, so that the in-memory
// store the service's unit tests use (run through the same suite in pkg/orders/memory-store.test.ts)
// is checked against the SQL it stands in for.
import { afterAll, beforeAll } from 'vitest';
import type { OrderCreatedV1 } from '../../pkg/events/index.js';
import { describeOrderStoreContract } from '../../pkg/orders/contract.js';
import { createPgOrderStore } from '../../pkg/orders/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('orderstore');
});
afterAll(async () => {
  await db?.drop();
});

describeOrderStoreContract('postgres', async ({ merchants, products }) => {
  for (const m of merchants) {
    await db.pool.query(
      `INSERT INTO ingestion.merchants (id, name, timezone, week_start, currency) VALUES ($1, $2, $3, $4, $5)`,
      [m.id, `Merchant ${m.id}`, m.timezone, m.weekStart, m.currency],
    );
  }
  for (const p of products) {
    await db.pool.query(
      `INSERT INTO ingestion.categories (merchant_id, id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [p.merchantId, p.categoryId, `Category ${p.categoryId}`],
    );
    await db.pool.query(
      `INSERT INTO ingestion.products (merchant_id, id, name, category_id) VALUES ($1, $2, $3, $4)`,
      [p.merchantId, p.productId, `Product ${p.productId}`, p.categoryId],
    );
  }
  return {
    store: createPgOrderStore(db.pool),
    async outbox(orderId) {
      const { rows } = await db.pool.query<{
        id: string;
        order_id: string;
        merchant_id: string;
        payload: OrderCreatedV1;
        traceparent: string | null;
      }>(
        `SELECT id, order_id, merchant_id, payload, traceparent FROM ingestion.order_events
          WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return rows.map((r) => ({
        id: r.id,
        orderId: r.order_id,
        merchantId: r.merchant_id,
        payload: r.payload,
        traceparent: r.traceparent ?? undefined,
      }));
    },
  };
});
