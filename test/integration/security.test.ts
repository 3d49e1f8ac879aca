/**
 * Authentication, authorization and hardening of every HTTP route of ingest, aggregator and
 * forecast-api, against the real run() wiring of each service (over HTTP, real Postgres). The route
 * list comes from the apps themselves, so a new route is covered (and must be classified) automatically.
 */
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAggregatorApi, run as runAggregator } from '../../pkg/aggregation/index.js';
import { createAuthenticator, mintToken, parseAuthConfig, type Scope } from '../../pkg/auth/index.js';
import {
  createForecastApi,
  parseForecastApiConfig,
  run as runForecastApi,
} from '../../pkg/forecast-api/index.js';
import { createIngestApp, parseIngestConfig, run as runIngest } from '../../pkg/ingest/index.js';
import { createLogger, silentLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import { uiRoutes } from '../../pkg/ui/index.js';
import { orderEvent, seedCatalog, storeOrders, type FixtureMerchant } from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const SECRET = 'security-test-secret-0123456789abcdef';
const A: FixtureMerchant = {
  id: 'sec-a',
  timezone: 'UTC',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['c0', 'c1'],
};
const B: FixtureMerchant = {
  id: 'sec-b',
  timezone: 'UTC',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['c0'],
};
const authEnv = { AUTH_MODE: 'jwt', AUTH_HS256_SECRET: SECRET };
const OPS = new Set(['/health', '/ready', '/metrics', '/openapi.json']);

let db: TestDatabase;
let orderId: string;
const stops: Array<() => Promise<void>> = [];
const base = { ingest: '', aggregator: '', forecast: '', limited: '' };
const logLines: string[] = [];
const tokens: string[] = [];

/** A logger that keeps every line, so the test can prove no token is ever written. */
function capturingLogger(service: string) {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return createLogger({ service, level: 'debug', destination });
}

async function token(scopes: Scope[], merchants: string[] | '*', subject = 'tester'): Promise<string> {
  const t = await mintToken({ secret: SECRET, scopes, merchants, subject });
  tokens.push(t);
  return t;
}

/** Starts run(...) of a service on an ephemeral port; resolves with its base URL. */
function listen(
  start: (signal: AbortSignal, onListening: (port: number) => void) => Promise<void>,
): Promise<string> {
  const controller = new AbortController();
  return new Promise<string>((resolve, reject) => {
    const running = start(controller.signal, (port) => resolve(`http://127.0.0.1:${port}`));
    running.catch(reject);
    stops.push(async () => {
      controller.abort();
      await running.catch(() => undefined);
    });
  });
}

beforeAll(async () => {
  db = await createTestDatabase('sec');
  await seedCatalog(db.pool, [A, B]);
  const event = orderEvent(A, '2026-03-02T10:00:00Z', [
    { categoryId: 'c0', quantity: 1, unitPriceMinor: 1000n },
  ]);
  await storeOrders(db.pool, [event]);
  orderId = event.orderId;
  const common = { DATABASE_URL: db.url, HOST: '127.0.0.1', PORT: '0', ...authEnv };
  const authenticator = await createAuthenticator(parseAuthConfig(authEnv));
  base.ingest = await listen((signal, onListening) =>
    runIngest(parseIngestConfig(common), signal, {
      authenticator,
      onListening,
      logger: capturingLogger('ingest'),
    }),
  );
  base.limited = await listen((signal, onListening) =>
    runIngest(
      parseIngestConfig({ ...common, INGEST_RATE_LIMIT_PER_SECOND: '0.5', INGEST_RATE_LIMIT_BURST: '3' }),
      signal,
      { authenticator, onListening, logger: capturingLogger('ingest-limited') },
    ),
  );
  base.aggregator = await listen((signal, onListening) =>
    runAggregator(
      {
        PORT: 0,
        HOST: '127.0.0.1',
        AGGREGATION_STALE_AFTER_SECONDS: 300,
        PROCESSED_EVENTS_RETENTION_DAYS: 14,
        PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS: 3600,
        AGGREGATION_LAG_REFRESH_SECONDS: 15,
        AGGREGATION_API_MAX_AGE_SECONDS: 5,
      } as Parameters<typeof runAggregator>[0],
      signal,
      {
        pool: db.pool,
        logger: capturingLogger('aggregator'),
        registry: createRegistry('aggregator'),
        authenticator,
        onListening,
      },
    ),
  );
  base.forecast = await listen((signal, onListening) =>
    runForecastApi(parseForecastApiConfig({ ...common, AGGREGATOR_URL: base.aggregator }), signal, {
      logger: capturingLogger('forecast-api'),
      ui: uiRoutes(),
      onListening,
    }),
  );
});
afterAll(async () => {
  await Promise.all(stops.map((s) => s()));
  await db?.drop();
});

interface RouteCase {
  readonly service: 'ingest' | 'aggregator' | 'forecast';
  readonly method: string;
  readonly path: string;
  readonly scope: Scope;
  /** Builds the URL path + query and the body for a merchant. */
  readonly request: (merchant: string) => { url: string; body?: unknown };
  /** How a valid token bound to another merchant is refused: 403, or 404 where ids must not be probeable. */
  readonly otherMerchant: 403 | 404 | 'filtered' | 'none' | 'per-order';
}

/** The routes of an app, as Hono registered them (middleware entries and ops endpoints left out). */
function routesOf(app: Hono): Array<{ method: string; path: string }> {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || OPS.has(r.path) || r.path.includes('*')) continue;
    // A parameter's pattern (`:orderId{[0-9a-fA-F-]+}`) is not part of its name.
    const path = r.path.replace(/\{[^}]*\}/g, '');
    seen.set(`${r.method} ${path}`, { method: r.method, path });
  }
  return [...seen.values()];
}

const fill = (path: string, merchant: string) =>
  path
    .replace(':merchantId', merchant)
    .replace(':categoryId', 'c0')
    .replace(':productId', 'p-c0')
    .replace(':orderId', orderId);

function classify(service: RouteCase['service'], method: string, path: string): RouteCase {
  const r = (
    scope: Scope,
    otherMerchant: RouteCase['otherMerchant'],
    request: RouteCase['request'],
  ): RouteCase => ({
    service,
    method,
    path,
    scope,
    otherMerchant,
    request,
  });
  const key = `${method} ${path}`;
  switch (key) {
    case 'PUT /v1/merchants/:merchantId':
      return r('catalog:write', 403, (m) => ({
        url: fill(path, m),
        body: { name: 'M', timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' },
      }));
    case 'PUT /v1/merchants/:merchantId/categories/:categoryId':
      return r('catalog:write', 403, (m) => ({ url: fill(path, m), body: { name: 'Category' } }));
    case 'PUT /v1/merchants/:merchantId/products/:productId':
      return r('catalog:write', 403, (m) => ({
        url: fill(path, m),
        body: { name: 'Product', categoryId: 'c0' },
      }));
    case 'POST /v1/orders':
      return r('orders:write', 403, (m) => ({ url: path, body: orderBody(m) }));
    case 'POST /v1/orders/batch':
      return r('orders:write', 'per-order', (m) => ({ url: path, body: { orders: [orderBody(m)] } }));
    case 'GET /v1/orders/:orderId':
      // Another merchant's order answers like an unknown one (ids must not be probeable).
      return r('orders:write', 404, (m) => ({ url: fill(path, m) }));
    case 'GET /api/top-categories':
      return r('sales:read', 403, (m) => ({ url: `${path}?merchantId=${m}&bucketType=MONTH` }));
    case 'GET /api/category-sales':
      return r('sales:read', 403, (m) => ({ url: `${path}?merchantId=${m}&bucketType=MONTH` }));
    case 'GET /api/merchants':
      return r('sales:read', 'filtered', () => ({ url: path }));
    case 'GET /api/merchants/:merchantId':
      return r('sales:read', 403, (m) => ({ url: fill(path, m) }));
    case 'GET /forecast/top-categories':
      return r('forecasts:read', 403, (m) => ({ url: `${path}?merchant_id=${m}&bucket_type=MONTH` }));
    case 'GET /forecast/compare-models':
      return r('forecasts:read', 403, (m) => ({ url: `${path}?merchant_id=${m}&bucket_type=MONTH` }));
    case 'GET /forecast/category-path':
      return r('forecasts:read', 403, (m) => ({
        url: `${path}?merchant_id=${m}&bucket_type=MONTH&category_id=c0`,
      }));
    case 'GET /forecast/nowcast':
      return r('forecasts:read', 403, (m) => ({ url: `${path}?merchant_id=${m}&bucket_type=WEEK` }));
    case 'GET /forecast/models':
      return r('forecasts:read', 'none', () => ({ url: path }));
    default:
      throw new Error(
        `route ${key} of ${service} is not classified in security.test.ts: add its scope and merchant rule`,
      );
  }
}

function orderBody(merchantId: string) {
  return {
    merchantId,
    externalOrderId: `sec-${Math.random()}`,
    currency: 'EUR',
    items: [{ productId: 'p-c0', quantity: 1, unitPrice: '1.00' }],
  };
}

function allRoutes(): RouteCase[] {
  const registry = createRegistry('routes');
  const logger = silentLogger();
  const apps: Array<[RouteCase['service'], Hono]> = [
    ['ingest', createIngestApp({ db: db.pool, logger, registry })],
    [
      'aggregator',
      createAggregatorApi({
        readDb: db.pool,
        clock: { now: () => new Date() },
        logger,
        registry: createRegistry('agg'),
      }),
    ],
    ['forecast', createForecastApi({ readDb: db.pool, logger, registry: createRegistry('fc') })],
  ];
  return apps.flatMap(([service, app]) => routesOf(app).map((r) => classify(service, r.method, r.path)));
}

async function call(baseUrl: string, c: RouteCase, merchant: string, authorization?: string) {
  const { url, body } = c.request(merchant);
  const res = await fetch(baseUrl + url, {
    method: c.method,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, text };
}

const OTHER_SCOPES = (scope: Scope): Scope[] =>
  (['orders:write', 'catalog:write', 'sales:read', 'forecasts:read'] as Scope[]).filter((s) => s !== scope);

describe('every route x every bad credential', () => {
  it('lists the routes of all three services from the apps themselves', () => {
    const routes = allRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(13);
    expect(routes.map((r) => r.service)).toEqual(
      expect.arrayContaining(['ingest', 'aggregator', 'forecast']),
    );
  });

  it('answers 401/403 problem+json for no token, a bad signature, an expired token, a wrong scope and another merchant', async () => {
    const failures: string[] = [];
    for (const c of allRoutes()) {
      const baseUrl = base[c.service];
      const label = `${c.service} ${c.method} ${c.path}`;
      const good = await token([c.scope], [A.id]);
      const forged = await mintToken({ secret: `${SECRET}-forged`, scopes: [c.scope], merchants: [A.id] });
      const expired = await new SignJWT({ scope: c.scope, merchants: [A.id] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('tester')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
        .sign(new TextEncoder().encode(SECRET));
      const wrongScope = await token(OTHER_SCOPES(c.scope), [A.id]);
      const other = await token([c.scope], [B.id]);
      tokens.push(forged, expired);
      const expect401 = async (name: string, auth?: string) => {
        const r = await call(baseUrl, c, A.id, auth);
        if (r.status !== 401 || r.type !== 'application/problem+json' || !r.headers.get('www-authenticate'))
          failures.push(`${label} ${name}: ${r.status} ${r.type}`);
      };
      await expect401('no token');
      await expect401('garbage token', 'Bearer not.a.jwt');
      await expect401('bad signature', `Bearer ${forged}`);
      await expect401('expired', `Bearer ${expired}`);
      const ws = await call(baseUrl, c, A.id, `Bearer ${wrongScope}`);
      if (ws.status !== 403 || ws.type !== 'application/problem+json')
        failures.push(`${label} wrong scope: ${ws.status}`);

      // Positive control: the right token reaches the handler (so the refusals above were about auth).
      const ok = await call(baseUrl, c, A.id, `Bearer ${good}`);
      if (ok.status === 401 || ok.status === 403 || ok.status >= 500)
        failures.push(`${label} good token: ${ok.status} ${ok.text.slice(0, 200)}`);

      const om = await call(baseUrl, c, A.id, `Bearer ${other}`);
      if (c.otherMerchant === 403 && (om.status !== 403 || om.type !== 'application/problem+json'))
        failures.push(`${label} other merchant: ${om.status}`);
      if (c.otherMerchant === 404 && (om.status !== 404 || om.type !== 'application/problem+json'))
        failures.push(`${label} other merchant: ${om.status}`);
      if (c.otherMerchant === 'per-order') {
        const body = JSON.parse(om.text) as {
          results: Array<{ status: number; problem?: { status: number } }>;
        };
        if (om.status !== 200 || body.results[0]?.status !== 403 || body.results[0]?.problem?.status !== 403)
          failures.push(`${label} other merchant: ${om.status} ${om.text.slice(0, 200)}`);
      }
      if (c.otherMerchant === 'filtered' && (om.status !== 200 || om.text.includes(A.id)))
        failures.push(`${label} other merchant sees ${A.id}: ${om.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    // Nothing the refused requests carried was stored.
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ingestion.orders WHERE merchant_id = $1`,
      [B.id],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('refuses the UI data calls (/api via forecast-api, /forecast) the same way', async () => {
    const other = await token(['sales:read', 'forecasts:read'], [B.id]);
    const good = await token(['sales:read', 'forecasts:read'], [A.id]);
    for (const path of [
      `/api/top-categories?merchantId=${A.id}&bucketType=MONTH`,
      `/api/merchants/${A.id}`,
      `/forecast/top-categories?merchant_id=${A.id}&bucket_type=MONTH`,
    ]) {
      const none = await fetch(base.forecast + path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('content-type')).toBe('application/problem+json');
      const wrong = await fetch(base.forecast + path, { headers: { authorization: `Bearer ${other}` } });
      expect(wrong.status, path).toBe(403);
      const ok = await fetch(base.forecast + path, { headers: { authorization: `Bearer ${good}` } });
      expect(ok.status, path).toBe(200);
    }
  });
});

describe('rate limit, headers, audit, logs', () => {
  it('limits each token on ingest with 429 + Retry-After, without touching other tokens', async () => {
    const t = await token(['orders:write'], [A.id], 'busy');
    const calm = await token(['orders:write'], [B.id], 'calm');
    const get = (tk: string) =>
      fetch(`${base.limited}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${tk}` } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await get(t);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(limited, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.headers.get('content-type')).toBe('application/problem+json');
    expect(((await limited!.json()) as { status: number }).status).toBe(429);
    expect((await get(calm)).status).toBe(404); // its own bucket; B's token cannot see A's order
  });

  it.each([
    ['ingest', '/health'],
    ['ingest', '/v1/orders/nope'],
    ['aggregator', '/api/merchants'],
    ['aggregator', '/metrics'],
    ['forecast', '/forecast/models'],
    ['forecast', '/no-such-route'],
  ] as const)('%s %s carries the security headers', async (service, path) => {
    const res = await fetch(base[service] + path);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('serves /ui with a strict Content-Security-Policy and the security headers', async () => {
    const res = await fetch(`${base.forecast}/ui/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'|default-src 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
  });

  it('writes an audit line per catalog change naming the token subject, and never a token', async () => {
    const t = await token(['catalog:write'], [A.id], 'alice@platform');
    const res = await fetch(`${base.ingest}/v1/merchants/${A.id}/categories/audited`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Audited' }),
    });
    expect(res.status).toBe(201);
    const audit = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.audit === true);
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'catalog.category.upsert',
        actor: 'alice@platform',
        merchantId: A.id,
        categoryId: 'audited',
        outcome: 'created',
      }),
    );
    const all = logLines.join('');
    expect(logLines.length).toBeGreaterThan(10);
    for (const tk of tokens)
      expect(all.includes(tk.split('.')[2]!), 'a token signature in the logs').toBe(false);
  });
});
