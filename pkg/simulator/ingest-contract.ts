// The ingest API as the simulator sees it: the answers (status codes, problem bodies, batch results)
// that its client reads. Run against the fake ingest (fake-ingest.test.ts) and the real ingest app on
// Postgres (test/integration/simulator-fake-ingest.test.ts), so simulator tests on the fake test the
// real protocol. Test-only: imported by test files, never by production code (it imports vitest).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

/** One ingest under test, fresh or shared: every test uses merchant ids of its own. */
export interface IngestFixture {
  /** Answers requests to `baseUrl` (in-process or over a port). */
  readonly fetch: typeof fetch;
  readonly baseUrl: string;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown> & {
    status?: number;
    errors?: { field: string }[];
    results?: { index: number; status: number; problem?: { status?: number } }[];
  };
}

async function send(f: IngestFixture, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await f.fetch(`${f.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : {}) as Answer['body'],
  };
}

/** A merchant (EUR, 2 decimals) with category `shoes` and product `p1`, unique to one test. */
async function merchant(f: IngestFixture): Promise<string> {
  const id = `sim-${randomBytes(4).toString('hex')}`;
  const steps: [string, unknown][] = [
    [`/v1/merchants/${id}`, { name: 'Contract', timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' }],
    [`/v1/merchants/${id}/categories/shoes`, { name: 'Shoes' }],
    [`/v1/merchants/${id}/products/p1`, { name: 'Runner', categoryId: 'shoes' }],
  ];
  for (const [path, body] of steps) {
    const r = await send(f, 'PUT', path, body);
    if (r.status !== 201) throw new Error(`PUT ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return id;
}

// One placedAt for every order of a run: a replay must repeat the content exactly.
const PLACED_AT = new Date(Date.now() - 3_600_000).toISOString();

const order = (merchantId: string, externalOrderId: string, extra: Record<string, unknown> = {}) => ({
  merchantId,
  externalOrderId,
  placedAt: PLACED_AT,
  currency: 'EUR',
  items: [{ productId: 'p1', quantity: 2, unitPrice: '19.99' }],
  ...extra,
});

/** A refusal as the simulator's client reads it: the status, in a problem+json body that repeats it. */
function expectProblem(r: Answer, status: number): void {
  expect({ status: r.status, contentType: r.contentType.split(';')[0] }).toEqual({
    status,
    contentType: 'application/problem+json',
  });
  expect(r.body.status).toBe(status);
}

/** Registers the ingest protocol contract for one ingest. */
export function describeIngestContract(name: string, make: () => Promise<IngestFixture>): void {
  describe(`ingest protocol contract: ${name}`, () => {
    it('answers a catalog upsert with 201 when new and 200 when it existed', async () => {
      const f = await make();
      const id = `sim-${randomBytes(4).toString('hex')}`;
      const body = { name: 'M', timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' };
      expect((await send(f, 'PUT', `/v1/merchants/${id}`, body)).status).toBe(201);
      expect((await send(f, 'PUT', `/v1/merchants/${id}`, body)).status).toBe(200);
      const category = `/v1/merchants/${id}/categories/c1`;
      expect((await send(f, 'PUT', category, { name: 'C' })).status).toBe(201);
      expect((await send(f, 'PUT', category, { name: 'C2' })).status).toBe(200);
    });

    it('refuses a category whose parent does not exist, and a product whose category does not (422)', async () => {
      const f = await make();
      const m = await merchant(f);
      expectProblem(
        await send(f, 'PUT', `/v1/merchants/${m}/categories/x`, { name: 'X', parentCategoryId: 'nope' }),
        422,
      );
      expectProblem(
        await send(f, 'PUT', `/v1/merchants/${m}/products/x`, { name: 'X', categoryId: 'nope' }),
        422,
      );
    });

    it('creates an order (201), replays the same content (200) and refuses other content under its id (409)', async () => {
      const f = await make();
      const m = await merchant(f);
      const o = order(m, 'o-1');
      expect((await send(f, 'POST', '/v1/orders', o)).status).toBe(201);
      expect((await send(f, 'POST', '/v1/orders', o)).status).toBe(200);
      const changed = { ...o, items: [{ productId: 'p1', quantity: 3, unitPrice: '19.99' }] };
      expectProblem(await send(f, 'POST', '/v1/orders', changed), 409);
    });

    it.each([
      ['an order without items', 400, { items: [] }],
      ['a quantity of zero', 400, { items: [{ productId: 'p1', quantity: 0, unitPrice: '1.00' }] }],
      [
        'a unit price that is not a decimal',
        400,
        { items: [{ productId: 'p1', quantity: 1, unitPrice: 'ten' }] },
      ],
      ['another currency than the merchant', 422, { currency: 'USD' }],
      ['an unknown product', 422, { items: [{ productId: 'p9', quantity: 1, unitPrice: '1.00' }] }],
      [
        'more decimals than the currency has',
        422,
        { items: [{ productId: 'p1', quantity: 1, unitPrice: '1.005' }] },
      ],
      ['a placedAt an hour ahead', 422, { placedAt: new Date(Date.now() + 3_600_000).toISOString() }],
    ] as [string, number, Record<string, unknown>][])(
      'refuses %s with %i, writing nothing',
      async (_, status, extra) => {
        const f = await make();
        const m = await merchant(f);
        expectProblem(await send(f, 'POST', '/v1/orders', order(m, 'o-1', extra)), status);
        // Nothing was stored under the id: a valid order with it is new.
        expect((await send(f, 'POST', '/v1/orders', order(m, 'o-1'))).status).toBe(201);
      },
    );

    it('refuses an order of an unknown merchant with 404', async () => {
      const f = await make();
      const unknown = `sim-${randomBytes(4).toString('hex')}`;
      expectProblem(await send(f, 'POST', '/v1/orders', order(unknown, 'o-1')), 404);
    });

    it('answers a batch per entry, in order, with each entry judged as if sent alone', async () => {
      const f = await make();
      const m = await merchant(f);
      expect((await send(f, 'POST', '/v1/orders', order(m, 'old'))).status).toBe(201);
      const r = await send(f, 'POST', '/v1/orders/batch', {
        orders: [
          order(m, 'a'),
          order(m, 'old'),
          order(m, 'b', { currency: 'USD' }),
          order(m, 'a', { items: [{ productId: 'p1', quantity: 9, unitPrice: '1.00' }] }),
          order(m, 'c', { items: [{ productId: 'p9', quantity: 1, unitPrice: '1.00' }] }),
        ],
      });
      expect(r.status).toBe(200);
      expect(r.body.results?.map((x) => [x.index, x.status, x.problem?.status])).toEqual([
        [0, 201, undefined],
        [1, 200, undefined],
        [2, 422, 422],
        [3, 409, 409],
        [4, 422, 422],
      ]);
    });

    it('refuses a whole batch when an entry does not match the schema, naming the entries, writing nothing', async () => {
      const f = await make();
      const m = await merchant(f);
      const r = await send(f, 'POST', '/v1/orders/batch', {
        orders: [order(m, 'a'), order(m, 'b', { items: [] }), order(m, 'c', { currency: 'USD' })],
      });
      expectProblem(r, 400);
      expect(r.body.errors?.map((e) => e.field.split('.').slice(0, 2).join('.'))).toEqual(['orders.1']);
      expect((await send(f, 'POST', '/v1/orders', order(m, 'a'))).status).toBe(201);
    });

    it('refuses a batch of more than 1000 orders (400)', async () => {
      const f = await make();
      const m = await merchant(f);
      const orders = Array.from({ length: 1001 }, (_, i) => order(m, `o-${i}`));
      expectProblem(await send(f, 'POST', '/v1/orders/batch', { orders }), 400);
    });
  });
}
