import type { Hono } from 'hono';
import { Registry } from '../../pkg/metrics/index.js';
import { createIngestApp, type IngestAppSettings } from '../../pkg/ingest/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import type { Clock, OrderItemView } from '../../pkg/orders/index.js';
import type { Queryable } from '../../pkg/db/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

/** A clock the test can move. */
export class TestClock implements Clock {
  constructor(public current = new Date()) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
}

/** An in-process ingest app over a fresh database. */
export interface IngestHarness {
  readonly db: TestDatabase;
  readonly app: Hono;
  readonly clock: TestClock;
  readonly registry: Registry;
  /** Sends a JSON request in-process and parses the answer. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

/** The members of catalog entities, orders, problems and batch answers that tests look at. */
export interface Body {
  readonly [key: string]: unknown;
  readonly id?: string;
  readonly merchantId?: string;
  readonly name?: string;
  readonly updatedAt?: string;
  readonly parentCategoryId?: string | null;
  readonly categoryId?: string;
  readonly externalOrderId?: string;
  readonly placedAt?: string;
  readonly currency?: string;
  readonly total?: string;
  readonly itemCount?: number;
  readonly items?: readonly OrderItemView[];
  readonly title?: string;
  readonly detail?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly orderId?: string;
  readonly errors?: readonly { field: string; message: string }[];
  readonly created?: number;
  readonly replayed?: number;
  readonly rejected?: number;
  readonly results?: readonly { index: number; status: number; order?: Body; problem?: Body }[];
}

/** A parsed HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Body;
}

/** Creates a migrated database and an ingest app on it. */
export async function createIngestHarness(
  prefix: string,
  overrides: Partial<IngestAppSettings> = {},
): Promise<IngestHarness> {
  const db = await createTestDatabase(prefix);
  const clock = new TestClock();
  const registry = new Registry();
  const app = createIngestApp({ db: db.pool, logger: silentLogger(), registry, clock, ...overrides });
  return { db, app, clock, registry, call: (m, p, b, h) => call(app, m, p, b, h) };
}

/** Sends a request to `app` in-process; a string body is sent verbatim. */
export async function call(
  app: Hono,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.request(path, init);
  const text = await res.text();
  let parsed: Body = { text };
  try {
    if (text) parsed = JSON.parse(text) as Body;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * Seeds two merchants: m1 (EUR, Europe/Berlin, SUNDAY weeks) with categories root > shoes and
 * products p1 (shoes), p2 (root); m2 (USD) with category c9 and product p9.
 */
export async function seedCatalog(h: IngestHarness): Promise<void> {
  const steps: [string, unknown][] = [
    [
      '/v1/merchants/m1',
      { name: 'Merchant One', timezone: 'Europe/Berlin', weekStart: 'SUNDAY', currency: 'EUR' },
    ],
    ['/v1/merchants/m2', { name: 'Merchant Two', currency: 'USD' }],
    ['/v1/merchants/m3', { name: 'Merchant Three', currency: 'JPY', timezone: 'Asia/Tokyo' }],
    ['/v1/merchants/m1/categories/root', { name: 'Everything' }],
    ['/v1/merchants/m1/categories/shoes', { name: 'Shoes', parentCategoryId: 'root' }],
    ['/v1/merchants/m1/products/p1', { name: 'Runner', categoryId: 'shoes' }],
    ['/v1/merchants/m1/products/p2', { name: 'Gift card', categoryId: 'root' }],
    ['/v1/merchants/m2/categories/c9', { name: 'Other' }],
    ['/v1/merchants/m2/products/p9', { name: 'Thing', categoryId: 'c9' }],
    ['/v1/merchants/m3/categories/c3', { name: 'Tea' }],
    ['/v1/merchants/m3/products/p3', { name: 'Matcha', categoryId: 'c3' }],
  ];
  for (const [path, body] of steps) {
    const r = await h.call('PUT', path, body);
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`seeding ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** Row counts of the order tables. */
export async function orderCounts(db: Queryable): Promise<{ orders: number; items: number; events: number }> {
  const { rows } = await db.query<{ orders: number; items: number; events: number }>(
    `SELECT (SELECT count(*) FROM ingestion.orders)::int AS orders,
            (SELECT count(*) FROM ingestion.order_items)::int AS items,
            (SELECT count(*) FROM ingestion.order_events)::int AS events`,
  );
  return rows[0]!;
}

/** Row counts of the catalog tables. */
export async function catalogCounts(
  db: Queryable,
): Promise<{ merchants: number; categories: number; products: number }> {
  const { rows } = await db.query<{ merchants: number; categories: number; products: number }>(
    `SELECT (SELECT count(*) FROM ingestion.merchants)::int AS merchants,
            (SELECT count(*) FROM ingestion.categories)::int AS categories,
            (SELECT count(*) FROM ingestion.products)::int AS products`,
  );
  return rows[0]!;
}

/** A valid order of merchant m1 (placed an hour before `now`). */
export function order(now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    merchantId: 'm1',
    externalOrderId: `ext-${Math.random().toString(36).slice(2)}`,
    placedAt: new Date(now.getTime() - 3_600_000).toISOString(),
    currency: 'EUR',
    items: [
      { productId: 'p1', quantity: 2, unitPrice: '19.99' },
      { productId: 'p2', quantity: 1, unitPrice: '5.00' },
    ],
    ...overrides,
  };
}
