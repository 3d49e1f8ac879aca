import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogCounts, createIngestHarness, type Body, type IngestHarness } from './ingest-fixtures.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await createIngestHarness('ingcat', { limits: { bodyBytes: 4096 } });
});
afterAll(async () => h.db.drop());

function fields(body: Body): string[] {
  return (body.errors ?? []).map((e) => e.field);
}

describe('catalog sync', () => {
  it('creates a merchant with 201, updates with 200, and leaves an unchanged one alone', async () => {
    const body = { name: 'Shop', timezone: 'America/New_York', weekStart: 'SUNDAY', currency: 'USD' };
    const created = await h.call('PUT', '/v1/merchants/shop-1', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'shop-1', ...body });

    const same = await h.call('PUT', '/v1/merchants/shop-1', body);
    expect(same.status).toBe(200);
    expect(same.body.updatedAt).toBe(created.body.updatedAt);

    const renamed = await h.call('PUT', '/v1/merchants/shop-1', { ...body, name: 'Shop & Co' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Shop & Co');
    const { rows } = await h.db.pool.query(
      `SELECT name, week_start FROM ingestion.merchants WHERE id = 'shop-1'`,
    );
    expect(rows).toEqual([{ name: 'Shop & Co', week_start: 'SUNDAY' }]);
  });

  it('changes a currency only while the merchant has no orders; after that 409, nothing written', async () => {
    const put = (body: Record<string, unknown>) => h.call('PUT', '/v1/merchants/cur-1', body);
    expect((await put({ name: 'Cur', currency: 'EUR' })).status).toBe(201);
    // No orders yet: a correction of the currency is an ordinary update.
    const corrected = await put({ name: 'Cur', currency: 'USD' });
    expect(corrected.status).toBe(200);
    expect(corrected.body.currency).toBe('USD');
    expect((await h.call('PUT', '/v1/merchants/cur-1/categories/c', { name: 'C' })).status).toBe(201);
    expect(
      (await h.call('PUT', '/v1/merchants/cur-1/products/p', { name: 'P', categoryId: 'c' })).status,
    ).toBe(201);
    const placed = await h.call('POST', '/v1/orders', {
      merchantId: 'cur-1',
      externalOrderId: 'cur-order-1',
      placedAt: new Date(h.clock.now().getTime() - 60_000).toISOString(),
      currency: 'USD',
      items: [{ productId: 'p', quantity: 1, unitPrice: '10.00' }],
    });
    expect(placed.status).toBe(201);
    // With an order, a new currency (even beside a new name) is refused whole.
    const refused = await put({ name: 'Renamed', currency: 'JPY' });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('currency_locked');
    expect(fields(refused.body)).toEqual(['currency']);
    expect(refused.body.detail).toMatch(/has orders in USD; its currency cannot change to JPY/);
    const { rows } = await h.db.pool.query(
      `SELECT name, currency::text FROM ingestion.merchants WHERE id = 'cur-1'`,
    );
    expect(rows).toEqual([{ name: 'Cur', currency: 'USD' }]);
    // Everything else still updates.
    const renamed = await put({ name: 'Renamed', currency: 'USD' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed');
  });

  it('defaults the calendar to UTC and MONDAY', async () => {
    const r = await h.call('PUT', '/v1/merchants/shop-2', { name: 'Two', currency: 'EUR' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' });
  });

  it.each<[string, string, unknown, string]>([
    [
      'an unknown time zone',
      '/v1/merchants/x1',
      { name: 'X', currency: 'EUR', timezone: 'Mars/Base' },
      'timezone',
    ],
    [
      'an offset time zone',
      '/v1/merchants/x1',
      { name: 'X', currency: 'EUR', timezone: '+05:30' },
      'timezone',
    ],
    ['an unknown currency', '/v1/merchants/x1', { name: 'X', currency: 'ABC' }, 'currency'],
    [
      'a bad week start',
      '/v1/merchants/x1',
      { name: 'X', currency: 'EUR', weekStart: 'FUNDAY' },
      'weekStart',
    ],
    ['a missing name', '/v1/merchants/x1', { currency: 'EUR' }, 'name'],
    ['a bad merchant id', '/v1/merchants/bad%20id', { name: 'X', currency: 'EUR' }, 'merchantId'],
    ['a too long id', `/v1/merchants/${'x'.repeat(65)}`, { name: 'X', currency: 'EUR' }, 'merchantId'],
    ['a bad category id', '/v1/merchants/shop-1/categories/a$b', { name: 'C' }, 'categoryId'],
    [
      'a bad parent id',
      '/v1/merchants/shop-1/categories/c',
      { name: 'C', parentCategoryId: 'a b' },
      'parentCategoryId',
    ],
    ['a bad product id', '/v1/merchants/shop-1/products/p%2Fq', { name: 'P', categoryId: 'c' }, 'productId'],
    ['a missing category', '/v1/merchants/shop-1/products/p', { name: 'P' }, 'categoryId'],
  ])('answers 400 naming the field for %s, writing nothing', async (_, path, body, field) => {
    const before = await catalogCounts(h.db.pool);
    const r = await h.call('PUT', path, body);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fields(r.body)).toContain(field);
    expect(await catalogCounts(h.db.pool)).toEqual(before);
  });

  it('upserts categories with a parent hierarchy', async () => {
    expect((await h.call('PUT', '/v1/merchants/shop-1/categories/root', { name: 'Root' })).status).toBe(201);
    const child = await h.call('PUT', '/v1/merchants/shop-1/categories/kids', {
      name: 'Kids',
      parentCategoryId: 'root',
    });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({ merchantId: 'shop-1', id: 'kids', parentCategoryId: 'root' });
    expect(
      (await h.call('PUT', '/v1/merchants/shop-1/categories/kids', { name: 'Kids' })).body.parentCategoryId,
    ).toBe(null);
    const again = await h.call('PUT', '/v1/merchants/shop-1/categories/kids', {
      name: 'Kids',
      parentCategoryId: 'root',
    });
    expect(again.status).toBe(200);
    expect(again.body.parentCategoryId).toBe('root');
  });

  it('answers 404 for a category or product of an unknown merchant', async () => {
    const before = await catalogCounts(h.db.pool);
    const c = await h.call('PUT', '/v1/merchants/nobody/categories/c1', { name: 'C' });
    expect(c.status).toBe(404);
    expect(fields(c.body)).toEqual(['merchantId']);
    const p = await h.call('PUT', '/v1/merchants/nobody/products/p1', { name: 'P', categoryId: 'c1' });
    expect(p.status).toBe(404);
    expect(fields(p.body)).toEqual(['merchantId']);
    expect(await catalogCounts(h.db.pool)).toEqual(before);
  });

  it('answers 422 for an unknown parent, a self parent and a cycle', async () => {
    await h.call('PUT', '/v1/merchants/shop-1/categories/a', { name: 'A' });
    await h.call('PUT', '/v1/merchants/shop-1/categories/b', { name: 'B', parentCategoryId: 'a' });
    await h.call('PUT', '/v1/merchants/shop-1/categories/c', { name: 'C', parentCategoryId: 'b' });
    const before = await catalogCounts(h.db.pool);

    const unknown = await h.call('PUT', '/v1/merchants/shop-1/categories/d', {
      name: 'D',
      parentCategoryId: 'zz',
    });
    expect(unknown.status).toBe(422);
    expect(fields(unknown.body)).toEqual(['parentCategoryId']);

    const self = await h.call('PUT', '/v1/merchants/shop-1/categories/a', {
      name: 'A',
      parentCategoryId: 'a',
    });
    expect(self.status).toBe(422);
    expect(fields(self.body)).toEqual(['parentCategoryId']);

    const cycle = await h.call('PUT', '/v1/merchants/shop-1/categories/a', {
      name: 'A',
      parentCategoryId: 'c',
    });
    expect(cycle.status).toBe(422);
    expect(cycle.body.detail).toMatch(/cycle/);
    expect(await catalogCounts(h.db.pool)).toEqual(before);
    const { rows } = await h.db.pool.query(
      `SELECT parent_category_id FROM ingestion.categories WHERE merchant_id = 'shop-1' AND id = 'a'`,
    );
    expect(rows).toEqual([{ parent_category_id: null }]);
  });

  it('never forms a cycle under concurrent re-parenting', async () => {
    await h.call('PUT', '/v1/merchants/shop-1/categories/x', { name: 'X' });
    await h.call('PUT', '/v1/merchants/shop-1/categories/y', { name: 'Y' });
    const answers = await Promise.all([
      h.call('PUT', '/v1/merchants/shop-1/categories/x', { name: 'X', parentCategoryId: 'y' }),
      h.call('PUT', '/v1/merchants/shop-1/categories/y', { name: 'Y', parentCategoryId: 'x' }),
    ]);
    expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([200, 422]);
  });

  it('does not let a parent point at another merchant', async () => {
    await h.call('PUT', '/v1/merchants/shop-2/categories/other', { name: 'Other' });
    const r = await h.call('PUT', '/v1/merchants/shop-1/categories/e', {
      name: 'E',
      parentCategoryId: 'other',
    });
    expect(r.status).toBe(422);
  });

  it('upserts products (201/200) and answers 422 for an unknown or foreign category', async () => {
    const created = await h.call('PUT', '/v1/merchants/shop-1/products/sku-1', {
      name: 'Sneaker',
      categoryId: 'kids',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ merchantId: 'shop-1', id: 'sku-1', categoryId: 'kids' });
    const moved = await h.call('PUT', '/v1/merchants/shop-1/products/sku-1', {
      name: 'Sneaker',
      categoryId: 'root',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.categoryId).toBe('root');
    const before = await catalogCounts(h.db.pool);
    for (const categoryId of ['nope', 'other']) {
      const r = await h.call('PUT', '/v1/merchants/shop-1/products/sku-2', { name: 'X', categoryId });
      expect(r.status).toBe(422);
      expect(fields(r.body)).toEqual(['categoryId']);
    }
    expect(await catalogCounts(h.db.pool)).toEqual(before);
  });

  it('answers 415 without a JSON content type, 413 above the limit, 400 for malformed JSON', async () => {
    const wrongType = await h.call('PUT', '/v1/merchants/shop-3', 'name=x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    const tooLarge = await h.call('PUT', '/v1/merchants/shop-3', { name: 'x'.repeat(5000), currency: 'EUR' });
    expect(tooLarge.status).toBe(413);
    const malformed = await h.call('PUT', '/v1/merchants/shop-3', '{"name": ');
    expect(malformed.status).toBe(400);
    const notObject = await h.call('PUT', '/v1/merchants/shop-3', '[]');
    expect(notObject.status).toBe(400);
    const { rows } = await h.db.pool.query(`SELECT 1 FROM ingestion.merchants WHERE id = 'shop-3'`);
    expect(rows).toEqual([]);
  });

  it('counts catalog writes in /metrics', async () => {
    const r = await h.app.request('/metrics');
    const text = await r.text();
    expect(text).toMatch(/catcast_ingest_catalog_writes_total\{entity="merchant",outcome="created"\} [1-9]/);
    expect(text).toMatch(/catcast_ingest_catalog_writes_total\{entity="category",outcome="rejected"\} [1-9]/);
  });
});
