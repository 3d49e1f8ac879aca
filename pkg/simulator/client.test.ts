import { describe, expect, it } from 'vitest';
import { IngestClient, parseBatchResults, parseRetryAfter, type Sleep } from './client.js';
import { createFakeIngest, type FakeIngestOptions } from './fake-ingest.js';
import type { SimOrder } from './history.js';

function setup(options: FakeIngestOptions = {}, token?: string) {
  const fake = createFakeIngest(options);
  const sleeps: number[] = [];
  const sleep: Sleep = (ms) => {
    sleeps.push(ms);
    return Promise.resolve();
  };
  const client = new IngestClient({
    baseUrl: 'http://ingest.test',
    token,
    fetch: fake.fetch,
    sleep,
    maxAttempts: 4,
  });
  return { fake, client, sleeps };
}

const order = (id: string, overrides: Partial<SimOrder> = {}): SimOrder => ({
  merchantId: 'm1',
  externalOrderId: id,
  placedAt: '2026-01-01T10:00:00.000Z',
  currency: 'EUR',
  items: [{ productId: 'p1', quantity: 1, unitPrice: '9.99' }],
  ...overrides,
});

async function seedCatalog(client: IngestClient): Promise<void> {
  await client.putMerchant({
    id: 'm1',
    name: 'M1',
    timezone: 'Europe/Berlin',
    weekStart: 'MONDAY',
    currency: 'EUR',
    southern: false,
    categories: [],
    products: [],
  });
  await client.putCategory('m1', { id: 'c1', name: 'C1' });
  await client.putProduct('m1', { id: 'p1', name: 'P1', categoryId: 'c1', priceMinor: 999n, popularity: 1 });
}

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['soon', undefined],
    [null, undefined],
  ])('parses %j as %j ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms);
  });
});

describe('parseBatchResults', () => {
  it('maps results by index and marks missing ones', () => {
    const r = parseBatchResults(
      {
        results: [
          { index: 1, status: 422, problem: { title: 'x' } },
          { index: 0, status: 201 },
        ],
      },
      3,
    );
    expect(r.map((x) => x.status)).toEqual([201, 422, 'network']);
    expect(r[1]!.problem).toEqual({ title: 'x' });
  });

  it('accepts a bare array without indexes and a status only inside the problem', () => {
    const r = parseBatchResults([{ status: 200 }, { problem: { status: 409 } }], 2);
    expect(r.map((x) => x.status)).toEqual([200, 409]);
  });
});

describe('IngestClient', () => {
  it('upserts the catalog with the documented bodies and sends the bearer token', async () => {
    const { fake, client } = setup({ token: 'tok' }, 'tok');
    await seedCatalog(client);
    expect(await client.putCategory('m1', { id: 'c1', name: 'C1' })).toBe(200);
    const paths = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual([
      'PUT /v1/merchants/m1',
      'PUT /v1/merchants/m1/categories/c1',
      'PUT /v1/merchants/m1/products/p1',
      'PUT /v1/merchants/m1/categories/c1',
    ]);
    expect(fake.requests[0]!.body).toEqual({
      name: 'M1',
      timezone: 'Europe/Berlin',
      weekStart: 'MONDAY',
      currency: 'EUR',
    });
    expect(fake.requests[2]!.body).toEqual({ name: 'P1', categoryId: 'c1' });
    for (const r of fake.requests) expect(r.headers.authorization).toBe('Bearer tok');
  });

  it('sends no Authorization header without a token', async () => {
    const { fake, client } = setup();
    await seedCatalog(client);
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('retries 503 honouring Retry-After, then succeeds', async () => {
    const { fake, client, sleeps } = setup({
      intercept: (r, n) =>
        r.path === '/v1/orders' && n < 2
          ? new Response('{}', { status: 503, headers: { 'retry-after': '2' } })
          : undefined,
    });
    await seedCatalog(client);
    const outcome = await client.postOrder(order('o1'));
    expect(outcome).toMatchObject({ status: 201, attempts: 3 });
    expect(sleeps).toEqual([2000, 2000]);
    expect(fake.requests.filter((r) => r.path === '/v1/orders')).toHaveLength(3);
  });

  it('retries 429 and network errors with growing backoff, and gives up after maxAttempts', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const client = new IngestClient({
      baseUrl: 'http://ingest.test',
      fetch: () => {
        calls++;
        return Promise.reject(new TypeError('fetch failed'));
      },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      maxAttempts: 4,
      baseDelayMs: 100,
    });
    const outcome = await client.postOrder(order('o1'));
    expect(outcome.status).toBe('network');
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[2]!).toBeGreaterThanOrEqual(200); // third delay: ceiling 400, half of it at least
  });

  it.each([400, 404, 409, 422])('never retries a %i', async (status) => {
    const { fake, client, sleeps } = setup({
      intercept: (r) => (r.path === '/v1/orders' ? new Response('{"title":"no"}', { status }) : undefined),
    });
    const outcome = await client.postOrder(order('o1'));
    expect(outcome).toMatchObject({ status, attempts: 1, problem: { title: 'no' } });
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('returns per-order batch results and resends only the orders answered with a retryable status', async () => {
    let batches = 0;
    const { fake, client } = setup({
      intercept: (r) => {
        if (r.path !== '/v1/orders/batch' || batches++ > 0) return undefined;
        const { orders } = r.body as { orders: SimOrder[] };
        return Response.json({
          results: orders.map((_, index) => ({ index, status: index === 1 ? 503 : 201 })),
        });
      },
    });
    await seedCatalog(client);
    const outcomes = await client.postBatch([order('a'), order('b'), order('c', { currency: 'USD' })]);
    expect(outcomes.map((o) => o.status)).toEqual([201, 201, 201]);
    const second = fake.requests.filter((r) => r.path === '/v1/orders/batch')[1]!;
    expect((second.body as { orders: SimOrder[] }).orders.map((o) => o.externalOrderId)).toEqual(['b']);
    expect(outcomes[1]!.attempts).toBe(2);
  });

  it('reports per-order rejections of a batch without sinking the others', async () => {
    const { client } = setup();
    await seedCatalog(client);
    const outcomes = await client.postBatch([order('a'), order('b', { currency: 'USD' }), order('a')]);
    expect(outcomes.map((o) => o.status)).toEqual([201, 422, 200]);
  });

  it('gives the entries a whole-batch 400 names their verdict and resends the others', async () => {
    const { fake, client } = setup();
    await seedCatalog(client);
    const zero = { ...order('b'), items: [{ ...order('b').items[0]!, quantity: 0 }] };
    const outcomes = await client.postBatch([order('a'), zero, order('c'), order('d', { currency: 'USD' })]);
    expect(outcomes.map((o) => o.status)).toEqual([201, 400, 201, 422]);
    expect(outcomes[1]!.problem).toMatchObject({ errors: [{ field: 'orders.1' }] });
    const batches = fake.requests.filter((r) => r.path === '/v1/orders/batch');
    expect(batches).toHaveLength(2);
    expect((batches[1]!.body as { orders: SimOrder[] }).orders.map((o) => o.externalOrderId)).toEqual([
      'a',
      'c',
      'd',
    ]);
  });

  it('halves a batch answered 413 until it fits', async () => {
    const { fake, client } = setup({
      intercept: (r) =>
        r.path === '/v1/orders/batch' && (r.body as { orders: unknown[] }).orders.length > 2
          ? new Response('too large', { status: 413 })
          : undefined,
    });
    await seedCatalog(client);
    const outcomes = await client.postBatch(['a', 'b', 'c', 'd', 'e'].map((id) => order(id)));
    expect(outcomes.map((o) => o.status)).toEqual([201, 201, 201, 201, 201]);
    expect(fake.orders.size).toBe(5);
  });

  it('waits for /ready and names the last answer when it never comes', async () => {
    const { client } = setup({
      intercept: (r) =>
        r.path === '/ready' ? Response.json({ failed: ['database'] }, { status: 503 }) : undefined,
    });
    await expect(client.waitReady(50)).rejects.toThrow(/not ready within 50 ms: HTTP 503 .*database/);
  });

  it('throws a named error when a catalog upsert is rejected', async () => {
    const { client } = setup();
    await expect(client.putCategory('nobody', { id: 'c', name: 'C' })).rejects.toThrow(
      /cannot PUT \/v1\/merchants\/nobody\/categories\/c: HTTP 404 unknown merchant/,
    );
  });
});
