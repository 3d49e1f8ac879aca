import { Hono } from 'hono';
import { currencyExponent, isCurrency } from '../money/index.js';

/** A request the fake ingest received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Wall-clock arrival time in milliseconds. */
  readonly at: number;
}

/** Options of {@link createFakeIngest}. */
export interface FakeIngestOptions {
  /**
   * Called before routing; returning a Response answers the request with it (to inject 503s,
   * 429s, slow answers). `count` is how many requests with this method and path came before.
   */
  readonly intercept?: (request: RecordedRequest, count: number) => Response | Promise<Response> | undefined;
  /** When set, /v1 requests without `Authorization: Bearer <token>` get 401. */
  readonly token?: string;
}

/** An in-memory stand-in for the ingest API, for testing clients of it (not a reference implementation). */
export interface FakeIngest {
  readonly app: Hono;
  /** A fetch that answers from `app` in-process, without a port. */
  readonly fetch: typeof fetch;
  readonly requests: RecordedRequest[];
  /** Stored orders by "merchantId/externalOrderId", as their JSON. */
  readonly orders: Map<string, string>;
  readonly merchants: Map<string, { currency: string }>;
  readonly categories: Map<string, { parentCategoryId?: string }>;
  /** By "merchantId/productId". */
  readonly products: Map<string, { categoryId: string }>;
}

type Verdict = { status: number; problem?: Record<string, unknown> };

/** Creates a fake ingest service that follows the API contract of issue 2 closely enough for protocol tests. */
export function createFakeIngest(options: FakeIngestOptions = {}): FakeIngest {
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const orders = new Map<string, string>();
  const merchants = new Map<string, { currency: string }>();
  const categories = new Map<string, { parentCategoryId?: string }>();
  const products = new Map<string, { categoryId: string }>();
  const app = new Hono();
  const problem = (status: number, title: string, detail?: string): Verdict => ({
    status,
    problem: { type: 'about:blank', title, status, detail },
  });
  // Refusals are application/problem+json, as the real service's one error handler answers them.
  const refuse = (body: Record<string, unknown>, status: number): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

  app.use('*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.raw.clone().text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const rec: RecordedRequest = {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      body,
      at: Date.now(),
    };
    requests.push(rec);
    const key = `${rec.method} ${rec.path}`;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    const forced = await options.intercept?.(rec, n);
    if (forced) return forced;
    if (
      options.token &&
      rec.path.startsWith('/v1/') &&
      rec.headers.authorization !== `Bearer ${options.token}`
    ) {
      return refuse(problem(401, 'Unauthorized').problem!, 401);
    }
    await next();
  });

  app.get('/ready', (c) => c.json({ status: 'ready' }));

  const upsert = <T>(map: Map<string, T>, key: string, value: T): 200 | 201 => {
    const existed = map.has(key);
    map.set(key, value);
    return existed ? 200 : 201;
  };
  app.put('/v1/merchants/:m', async (c) => {
    const b = await c.req.json<{ currency: string }>();
    return c.json(b, upsert(merchants, c.req.param('m'), { currency: b.currency }));
  });
  app.put('/v1/merchants/:m/categories/:c', async (c) => {
    const b = await c.req.json<{ parentCategoryId?: string }>();
    const m = c.req.param('m');
    if (!merchants.has(m)) return refuse(problem(404, 'unknown merchant').problem!, 404);
    if (b.parentCategoryId !== undefined && !categories.has(`${m}/${b.parentCategoryId}`)) {
      return refuse(problem(422, 'unknown parent category').problem!, 422);
    }
    return c.json(
      b,
      upsert(categories, `${m}/${c.req.param('c')}`, { parentCategoryId: b.parentCategoryId }),
    );
  });
  app.put('/v1/merchants/:m/products/:p', async (c) => {
    const b = await c.req.json<{ categoryId: string }>();
    const m = c.req.param('m');
    if (!categories.has(`${m}/${b.categoryId}`))
      return refuse(problem(422, 'unknown category').problem!, 422);
    return c.json(b, upsert(products, `${m}/${c.req.param('p')}`, { categoryId: b.categoryId }));
  });

  // With `store` false only the request is judged (nothing is recorded).
  const accept = (o: unknown, store = true): Verdict => {
    const order = o as {
      merchantId?: unknown;
      externalOrderId?: unknown;
      placedAt?: unknown;
      currency?: unknown;
      items?: { productId?: unknown; quantity?: unknown; unitPrice?: unknown }[];
    };
    if (typeof order?.merchantId !== 'string' || typeof order.externalOrderId !== 'string') {
      return problem(400, 'invalid order', 'merchantId and externalOrderId are required');
    }
    if (!Array.isArray(order.items) || order.items.length === 0 || order.items.length > 1000) {
      return problem(400, 'invalid order', 'items must have 1..1000 entries');
    }
    if (typeof order.currency !== 'string' || !isCurrency(order.currency))
      return problem(400, 'invalid currency');
    if (typeof order.placedAt === 'string' && Date.parse(order.placedAt) > Date.now() + 300_000) {
      return problem(422, 'invalid order', 'placedAt is more than 5 minutes in the future');
    }
    const exp = currencyExponent(order.currency);
    for (const item of order.items) {
      if (!Number.isInteger(item.quantity) || (item.quantity as number) < 1)
        return problem(400, 'invalid quantity');
      const m = typeof item.unitPrice === 'string' ? /^\d+(?:\.(\d+))?$/.exec(item.unitPrice) : null;
      if (!m) return problem(400, 'invalid unitPrice');
    }
    const merchant = merchants.get(order.merchantId);
    if (!merchant) return problem(404, 'unknown merchant');
    if (merchant.currency !== order.currency) return problem(422, 'currency mismatch');
    // More decimals than the currency has: well-formed, refused by a data rule (422), as the service does.
    if (order.items.some((i) => ((i.unitPrice as string).split('.')[1]?.length ?? 0) > exp))
      return problem(422, 'amount precision');
    for (const item of order.items) {
      if (!products.has(`${order.merchantId}/${String(item.productId)}`))
        return problem(422, 'unknown product');
    }
    if (!store) return { status: 201 };
    const key = `${order.merchantId}/${order.externalOrderId}`;
    const json = JSON.stringify(order);
    const existing = orders.get(key);
    if (existing !== undefined) return existing === json ? { status: 200 } : problem(409, 'conflict');
    orders.set(key, json);
    return { status: 201 };
  };

  app.post('/v1/orders', async (c) => {
    const v = accept(await c.req.json());
    if (v.problem) return refuse(v.problem, v.status);
    return c.json({ ok: true }, v.status as 200 | 201);
  });
  app.post('/v1/orders/batch', async (c) => {
    const b = await c.req.json<{ orders?: unknown[] }>();
    if (!Array.isArray(b.orders) || b.orders.length > 1000) {
      return refuse(problem(400, 'orders must be an array of at most 1000').problem!, 400);
    }
    // Like the real service: an entry that does not match the schema refuses the whole batch.
    const malformed = b.orders.flatMap((o, index) => {
      const v = accept(o, false);
      return v.status === 400
        ? [
            {
              field: `orders.${index}`,
              message: typeof v.problem?.detail === 'string' ? v.problem.detail : 'invalid',
            },
          ]
        : [];
    });
    if (malformed.length > 0)
      return refuse({ ...problem(400, 'Invalid request').problem, errors: malformed }, 400);
    const results = b.orders.map((o, index) => {
      const v = accept(o);
      return v.problem
        ? { index, status: v.status, problem: v.problem }
        : { index, status: v.status, order: o };
    });
    return c.json({ results }, 200);
  });

  const fetchInProcess = ((input: string | URL | Request, init?: RequestInit) =>
    app.request(input, init)) as typeof fetch;
  return { app, fetch: fetchInProcess, requests, orders, merchants, categories, products };
}
