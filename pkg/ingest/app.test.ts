import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertMerchantAccess,
  createAuthenticator,
  mintToken,
  parseAuthConfig,
  requireScope,
} from '../auth/index.js';
import {
  CatalogRejection,
  type CatalogStore,
  type Category,
  type Merchant,
  type Product,
} from '../catalog/index.js';
import { silentLogger } from '../log/index.js';
import { createMemoryOrderStore, type MemoryOrderStore } from '../orders/memory-store.js';
import { createIngestApp, type IngestAppSettings } from './app.js';

const SECRET = 'a-development-secret-of-at-least-32-chars';
const NOW = new Date('2026-11-25T12:00:00Z');

/**
 * A catalog over maps with the Postgres store's answers for what these tests touch: created vs
 * updated, and 404 for a category or product of an unknown merchant.
 */
function memoryCatalog(): CatalogStore {
  const merchants = new Map<string, Merchant>();
  const categories = new Map<string, Category>();
  const products = new Map<string, Product>();
  const stamp = NOW.toISOString();
  function known(merchantId: string): void {
    if (!merchants.has(merchantId))
      throw new CatalogRejection(404, 'unknown_merchant', `merchant ${merchantId} does not exist`, [
        { field: 'merchantId', message: `unknown merchant ${merchantId}` },
      ]);
  }
  function upsert<T>(map: Map<string, T>, key: string, entity: T) {
    const created = !map.has(key);
    map.set(key, entity);
    return Promise.resolve({ created, entity });
  }
  return {
    upsertMerchant: (id, input) =>
      upsert(merchants, id, { id, ...input, createdAt: stamp, updatedAt: stamp }),
    upsertCategory: (merchantId, id, input) => {
      known(merchantId);
      return upsert(categories, `${merchantId}/${id}`, {
        merchantId,
        id,
        name: input.name,
        parentCategoryId: input.parentCategoryId ?? null,
        createdAt: stamp,
        updatedAt: stamp,
      });
    },
    upsertProduct: (merchantId, id, input) => {
      known(merchantId);
      return upsert(products, `${merchantId}/${id}`, {
        merchantId,
        id,
        name: input.name,
        categoryId: input.categoryId,
        createdAt: stamp,
        updatedAt: stamp,
      });
    },
  };
}

function ordersOf(failWrite?: () => Error | undefined): MemoryOrderStore {
  return createMemoryOrderStore({
    merchants: [
      { id: 'acme', currency: 'EUR', timezone: 'Europe/Berlin', weekStart: 'MONDAY' },
      { id: 'other', currency: 'EUR', timezone: 'UTC', weekStart: 'MONDAY' },
    ],
    products: [
      { merchantId: 'acme', productId: 'p1', categoryId: 'shoes' },
      { merchantId: 'acme', productId: 'p2', categoryId: 'hats' },
      { merchantId: 'other', productId: 'p1', categoryId: 'shoes' },
    ],
    now: () => NOW,
    ...(failWrite ? { failWrite } : {}),
  });
}

function app(orderStore: MemoryOrderStore = ordersOf(), settings: Partial<IngestAppSettings> = {}): Hono {
  return createIngestApp({
    catalog: memoryCatalog(),
    orderStore,
    logger: silentLogger(),
    registry: new Registry(),
    clock: { now: () => NOW },
    // One order per statement: each request's write is its own (no group-commit wait in a unit test).
    insertCoalescing: { maxBatch: 1, maxInFlight: 1 },
    ...settings,
  });
}

const order = (externalOrderId = 'o-1', extra: Record<string, unknown> = {}) => ({
  merchantId: 'acme',
  externalOrderId,
  placedAt: '2026-11-25T10:00:00Z',
  currency: 'EUR',
  items: [
    { productId: 'p1', quantity: 2, unitPrice: '19.99' },
    { productId: 'p2', quantity: 1, unitPrice: '5.00' },
  ],
  ...extra,
});

async function send(
  target: Hono,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await target.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { res, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

describe('ingest API over in-memory stores', () => {
  it('creates an order (201, Location, one outbox event), then answers its replay with 200', async () => {
    const store = ordersOf();
    const ingest = app(store);
    const first = await send(ingest, 'POST', '/v1/orders', order());
    expect(first.res.status).toBe(201);
    expect(first.body).toMatchObject({
      merchantId: 'acme',
      externalOrderId: 'o-1',
      currency: 'EUR',
      total: '44.98',
    });
    expect(first.res.headers.get('location')).toBe(`/v1/orders/${String(first.body.id)}`);
    const again = await send(ingest, 'POST', '/v1/orders', order());
    expect(again.res.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(store.events).toHaveLength(1);
    expect(store.events[0]?.payload).toMatchObject({ merchantId: 'acme', merchantTimezone: 'Europe/Berlin' });
    const read = await send(ingest, 'GET', `/v1/orders/${String(first.body.id)}`);
    expect(read.res.status).toBe(200);
    expect(read.body).toMatchObject({ id: first.body.id, externalOrderId: 'o-1' });
  });

  it('answers a batch entry by entry, and refuses it whole when an entry is malformed', async () => {
    const store = ordersOf();
    const ingest = app(store);
    const { res, body } = await send(ingest, 'POST', '/v1/orders/batch', {
      orders: [
        order('b-1'),
        order('b-2', { currency: 'USD' }),
        order('b-3', { items: [{ productId: 'nope', quantity: 1, unitPrice: '1.00' }] }),
      ],
    });
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ created: 1, replayed: 0, rejected: 2 });
    const results = body.results as { index: number; status: number; problem?: { reason?: string } }[];
    expect(results.map((r) => r.status)).toEqual([201, 422, 422]);
    expect(results[2]?.problem?.reason).toBe('unknown_product');
    expect(store.events).toHaveLength(1);
    const malformed = await send(ingest, 'POST', '/v1/orders/batch', {
      orders: [order('b-4'), order('b-5', { items: [] })],
    });
    expect(malformed.res.status).toBe(400);
    expect(store.events).toHaveLength(1);
  });

  it('mirrors the catalog: 201 when created, 200 when it existed', async () => {
    const ingest = app();
    const merchant = { name: 'Acme', currency: 'EUR', timezone: 'Europe/Berlin' };
    expect((await send(ingest, 'PUT', '/v1/merchants/acme', merchant)).res.status).toBe(201);
    const again = await send(ingest, 'PUT', '/v1/merchants/acme', merchant);
    expect(again.res.status).toBe(200);
    expect(again.body).toMatchObject({ id: 'acme', weekStart: 'MONDAY' });
    const category = await send(ingest, 'PUT', '/v1/merchants/acme/categories/shoes', { name: 'Shoes' });
    expect(category.res.status).toBe(201);
  });

  it.each([
    [
      'POST',
      '/v1/orders',
      order('o-2', { items: [{ productId: 'p1', quantity: 0, unitPrice: '1.00' }] }),
      'items.0.quantity',
    ],
    ['POST', '/v1/orders', order('o-3', { currency: 'EURO' }), 'currency'],
    ['POST', '/v1/orders', order('o-4', { merchantId: 'a b' }), 'merchantId'],
    ['POST', '/v1/orders/batch', { orders: [] }, 'orders'],
    ['PUT', '/v1/merchants/acme', { name: '', currency: 'EUR' }, 'name'],
    ['PUT', '/v1/merchants/acme', { name: 'Acme', currency: 'EUR', weekStart: 'FUNDAY' }, 'weekStart'],
    ['PUT', '/v1/merchants/a%20b', { name: 'Acme', currency: 'EUR' }, 'merchantId'],
  ])('answers %s %s with a 400 problem naming the field', async (method, path, body, field) => {
    const { res, body: problem } = await send(app(), method, path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((problem.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  it('answers malformed JSON with 400 and another media type with 415, writing nothing', async () => {
    const store = ordersOf();
    const ingest = app(store);
    const broken = await send(ingest, 'POST', '/v1/orders', '{"merchantId":');
    expect(broken.res.status).toBe(400);
    expect(broken.res.headers.get('content-type')).toBe('application/problem+json');
    const text = await send(ingest, 'POST', '/v1/orders', JSON.stringify(order()), {
      'content-type': 'text/plain',
    });
    expect(text.res.status).toBe(415);
    expect(store.writeCalls()).toBe(0);
  });

  it('answers orders the catalog refuses with 422 naming the reason', async () => {
    const { res, body } = await send(
      app(),
      'POST',
      '/v1/orders',
      order('o-5', { items: [{ productId: 'nope', quantity: 1, unitPrice: '1.00' }] }),
    );
    expect(res.status).toBe(422);
    expect(body).toMatchObject({ status: 422, reason: 'unknown_product' });
  });

  it('answers a category of an unknown merchant with a 404 problem', async () => {
    const { res, body } = await send(app(), 'PUT', '/v1/merchants/ghost/categories/shoes', { name: 'Shoes' });
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ title: 'Unknown merchant', reason: 'unknown_merchant' });
  });

  it('answers unknown orders and paths with 404, wrong methods with 405 and Allow', async () => {
    const ingest = app();
    const unknown = await send(ingest, 'GET', '/v1/orders/0f5a0c1e-0000-4000-8000-000000000000');
    expect(unknown.res.status).toBe(404);
    expect(unknown.body).toMatchObject({ title: 'Unknown order' });
    const nowhere = await send(ingest, 'GET', '/v1/nothing');
    expect(nowhere.res.status).toBe(404);
    expect(nowhere.res.headers.get('content-type')).toBe('application/problem+json');
    const method = await send(ingest, 'DELETE', '/v1/merchants/acme');
    expect(method.res.status).toBe(405);
    expect(method.res.headers.get('allow')).toBe('PUT');
    expect((await send(ingest, 'GET', '/v1/orders/batch')).res.headers.get('allow')).toMatch(/POST/);
  });

  it('answers 503 with Retry-After when the database is unreachable, never a 201', async () => {
    const down = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { res, body } = await send(app(ordersOf(down)), 'POST', '/v1/orders', order());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(body).toMatchObject({ detail: 'the database is unavailable; retry later' });
  });

  it('serves health, readiness without a database check, and its OpenAPI document', async () => {
    const ingest = app();
    expect((await send(ingest, 'GET', '/health')).res.status).toBe(200);
    const ready = await send(ingest, 'GET', '/ready');
    expect(ready.res.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: {} });
    const doc = await send(ingest, 'GET', '/openapi.json');
    expect(Object.keys(doc.body.paths as object)).toContain('/v1/orders');
  });
});

describe('ingest API with authentication', () => {
  let secured: Hono;
  let store: MemoryOrderStore;
  const as = async (scopes: string[], merchants: string[] | '*') => ({
    authorization: `Bearer ${await mintToken({ secret: SECRET, scopes: scopes as never, merchants })}`,
  });

  beforeAll(async () => {
    const auth = await createAuthenticator(parseAuthConfig({ AUTH_HS256_SECRET: SECRET }));
    store = ordersOf();
    // Wired as run() wires it: authenticate /v1, a scope per route, then the merchant.
    secured = app(store, {
      authMiddleware: auth.middleware,
      requireScope,
      authorizeMerchant: assertMerchantAccess,
    });
  });

  it('refuses a request without a token with 401', async () => {
    const { res } = await send(secured, 'POST', '/v1/orders', order('s-1'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses the wrong scope and another merchant with 403, writing nothing', async () => {
    const catalogOnly = await send(
      secured,
      'POST',
      '/v1/orders',
      order('s-2'),
      await as(['catalog:write'], ['acme']),
    );
    expect(catalogOnly.res.status).toBe(403);
    const ordersOnly = await send(
      secured,
      'PUT',
      '/v1/merchants/acme',
      { name: 'A', currency: 'EUR' },
      await as(['orders:write'], ['acme']),
    );
    expect(ordersOnly.res.status).toBe(403);
    const elsewhere = await send(
      secured,
      'POST',
      '/v1/orders',
      order('s-3'),
      await as(['orders:write'], ['other']),
    );
    expect(elsewhere.res.status).toBe(403);
    expect(store.events).toHaveLength(0);
  });

  it("accepts the merchant's own token, and hides its order from another merchant as 404", async () => {
    const created = await send(
      secured,
      'POST',
      '/v1/orders',
      order('s-4'),
      await as(['orders:write'], ['acme']),
    );
    expect(created.res.status).toBe(201);
    const path = `/v1/orders/${String(created.body.id)}`;
    expect(
      (await send(secured, 'GET', path, undefined, await as(['orders:write'], ['acme']))).res.status,
    ).toBe(200);
    expect(
      (await send(secured, 'GET', path, undefined, await as(['orders:write'], ['other']))).res.status,
    ).toBe(404);
  });

  it('serves the OpenAPI document and health without a token', async () => {
    expect((await send(secured, 'GET', '/openapi.json')).res.status).toBe(200);
    expect((await send(secured, 'GET', '/health')).res.status).toBe(200);
  });
});
