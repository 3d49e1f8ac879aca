import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../pkg/db/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('mig');
});
afterAll(async () => db.drop());

describe('migrations', () => {
  it('create both schemas with their keys', async () => {
    const { rows } = await db.pool.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema IN ('ingestion','forecasting') ORDER BY 1, 2`,
    );
    const names = rows.map((r) => `${r.table_schema}.${r.table_name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'ingestion.merchants',
        'ingestion.categories',
        'ingestion.products',
        'ingestion.orders',
        'ingestion.order_items',
        'ingestion.order_events',
        'forecasting.category_sales_agg',
        'forecasting.processed_events',
      ]),
    );
  });

  it('is idempotent when run again', async () => {
    expect(await migrate({ databaseUrl: db.url })).toEqual([]);
  });

  it('enforces merchant-scoped foreign keys', async () => {
    await db.pool.query(
      `INSERT INTO ingestion.merchants (id, name, currency) VALUES ('m1','M1','EUR'), ('m2','M2','EUR')`,
    );
    await db.pool.query(`INSERT INTO ingestion.categories (merchant_id, id, name) VALUES ('m1','c1','C1')`);
    await expect(
      db.pool.query(
        `INSERT INTO ingestion.products (merchant_id, id, name, category_id) VALUES ('m2','p1','P','c1')`,
      ),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('rejects ids outside the platform id alphabet', async () => {
    await expect(
      db.pool.query(`INSERT INTO ingestion.merchants (id, name, currency) VALUES ('bad id','x','EUR')`),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
