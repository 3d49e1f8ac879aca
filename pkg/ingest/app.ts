import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Registry } from '../metrics/index.js';
import { z } from 'zod';
import {
  CatalogRejection,
  categoryInputSchema,
  createPgCatalogStore,
  merchantInputSchema,
  platformId,
  productInputSchema,
  type CatalogStore,
} from '../catalog/index.js';
import type { Principal } from '../auth/index.js';
import { isUnavailableError, type Pool } from '../db/index.js';
import {
  HttpProblem,
  notFoundHandler,
  opsRoutes,
  problemHandler,
  problemBody,
  readJson,
  unavailableWhen,
  requestMetrics,
  validationProblem,
} from '../http/index.js';
import type { Logger } from '../log/index.js';
import {
  createOrderService,
  coalesceInserts,
  createPgOrderStore,
  MAX_ORDERS_PER_BATCH,
  OrderRejection,
  systemClock,
  type Clock,
  type OrderService,
  type OrderStore,
  type SubmitResult,
} from '../orders/index.js';
import { createIngestMetrics, reasonOfStatus, type IngestMetrics } from './metrics.js';
import { ingestOpenApi } from './openapi.js';

/** Request size and time limits of the ingest API. */
export interface IngestLimits {
  /** Body limit of the single-order and catalog endpoints. @default 1048576 */
  readonly bodyBytes: number;
  /** Body limit of POST /v1/orders/batch. @default 16777216 */
  readonly batchBodyBytes: number;
  /** How far in the future placedAt may be. @default 300 */
  readonly maxFutureSeconds: number;
}

/** The scopes the ingest routes require (see pkg/auth). */
export type IngestScope = 'orders:write' | 'catalog:write';

/** Where the ingest API writes: the primary pool (Postgres stores), or the stores themselves. */
export type IngestStorage =
  | {
      /** Primary database pool (catalog writes need transactions); also the /ready check and pool gauges. */
      readonly db: Pool;
      readonly catalog?: never;
      readonly orderStore?: never;
    }
  | {
      /** The catalog (an in-memory one in unit tests). */
      readonly catalog: CatalogStore;
      /** The order store (pkg/orders' in-memory store in unit tests). */
      readonly orderStore: OrderStore;
      readonly db?: never;
    };

/** Options of {@link createIngestApp}: where it writes, and these. */
export type IngestAppOptions = IngestStorage & IngestAppSettings;

/** Everything of {@link IngestAppOptions} but the storage. */
export interface IngestAppSettings {
  readonly logger: Logger;
  readonly registry: Registry;
  /** @default the wall clock */
  readonly clock?: Clock;
  /** @default 1 MiB / 16 MiB / 300 s */
  readonly limits?: Partial<IngestLimits>;
  /**
   * Group commit of concurrent single-order requests (pkg/orders coalesceInserts): orders per
   * statement (1 = off) and statements in flight. @default 50 / 1
   */
  readonly insertCoalescing?: { readonly maxBatch: number; readonly maxInFlight: number };
  /** W3C traceparent of the current request, stored in each outbox row. @default none */
  readonly traceparent?: () => string | undefined;
  /** Authenticates every /v1 request (e.g. pkg/auth's middleware). @default none */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly authMiddleware?: MiddlewareHandler<any>;
  /** Builds the middleware that demands a scope on a route. @default none */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly requireScope?: (scope: IngestScope) => MiddlewareHandler<any>;
  /** Throws (401/403) unless the caller may act for the merchant. @default everyone may */
  readonly authorizeMerchant?: (c: Context, merchantId: string) => void | Promise<void>;
  /** False once shutdown began, so /ready fails first. @default always true */
  readonly accepting?: () => boolean;
}

/** The characters of an order id in the route (the service checks the UUID form; others are 404). */
const ORDER_ID_ROUTE = '[0-9a-fA-F-]+';

const DEFAULT_LIMITS: IngestLimits = {
  bodyBytes: 1_048_576,
  batchBodyBytes: 16_777_216,
  maxFutureSeconds: 300,
};

const batchSchema = z.object({
  orders: z
    .array(z.unknown(), { error: 'must be an array of orders' })
    .min(1, 'must contain at least one order')
    .max(MAX_ORDERS_PER_BATCH, `must contain at most ${MAX_ORDERS_PER_BATCH} orders`),
});

/** The problem document of a refused order (also used per entry of a batch). */
export function rejectionProblem(rejection: OrderRejection): HttpProblem {
  return new HttpProblem(rejection.status, {
    title: rejection.title,
    detail: rejection.detail,
    errors: rejection.errors,
    extensions: {
      reason: rejection.reason,
      ...(rejection.omittedErrors > 0 ? { omittedErrors: rejection.omittedErrors } : {}),
      ...rejection.extensions,
    },
  });
}

function pathId(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  const parsed = platformId.safeParse(value);
  if (!parsed.success) {
    throw new HttpProblem(400, {
      title: 'Invalid request',
      detail: `${name}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
      errors: [{ field: name, message: parsed.error.issues[0]?.message ?? 'is invalid' }],
    });
  }
  return parsed.data;
}

function catalogProblem(err: CatalogRejection): HttpProblem {
  return new HttpProblem(err.status, {
    title:
      err.status === 404
        ? 'Unknown merchant'
        : err.status === 409
          ? 'Conflict'
          : err.status === 422
            ? 'Unprocessable entity'
            : 'Invalid request',
    detail: err.message,
    errors: err.errors,
    extensions: { reason: err.reason },
  });
}

/** Assembles the ingest HTTP API: catalog sync, orders (single, batch, read) and the ops endpoints. */
export function createIngestApp(options: IngestAppOptions): Hono {
  const { db, logger, registry, clock = systemClock, traceparent, accepting } = options;
  const limits: IngestLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics: IngestMetrics = createIngestMetrics(registry, db);
  const catalog: CatalogStore = db ? createPgCatalogStore(db) : options.catalog;
  const orderStore: OrderStore = db ? createPgOrderStore(db) : options.orderStore;
  const orders: OrderService = createOrderService({
    store: coalesceInserts(orderStore, options.insertCoalescing),
    clock,
    maxFutureSeconds: limits.maxFutureSeconds,
    ...(traceparent ? { traceparent } : {}),
  });
  const authorize = options.authorizeMerchant;
  const passThrough: MiddlewareHandler = async function noScope(_c, next) {
    await next();
  };
  // Scope checks are per route (catalog:write vs orders:write); without auth they pass through.
  const scope = (s: IngestScope): MiddlewareHandler => options.requireScope?.(s) ?? passThrough;

  const app = new Hono();
  // The one dependency whose outage is a 503 (retry later) rather than a 500.
  app.onError(problemHandler(logger, { classifiers: [unavailableWhen('the database', isUnavailableError)] }));
  app.notFound(notFoundHandler(app));
  app.use('*', requestMetrics(registry));
  app.route(
    '/',
    opsRoutes({
      checks: db
        ? {
            database: async () => {
              await db.query('SELECT 1');
            },
          }
        : {},
      registry,
      ...(accepting ? { accepting } : {}),
    }),
  );
  // The document is public (no token): it describes the API, not a merchant's data.
  const openApi = ingestOpenApi();
  app.get('/openapi.json', (c) => c.json(openApi));
  if (options.authMiddleware) app.use('/v1/*', options.authMiddleware);

  async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
    const raw = await readJson(c, limits.bodyBytes);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationProblem(parsed.error);
    return parsed.data;
  }

  async function upsert<T>(
    c: Context,
    entity: 'merchant' | 'category' | 'product',
    ids: Readonly<Record<string, string>>,
    write: () => Promise<{ created: boolean; entity: T }>,
  ): Promise<Response> {
    // One audit line per catalog change attempt: who (token subject, never the token), what, outcome.
    const audit = (outcome: string, extra: Record<string, unknown> = {}) =>
      logger.info(
        {
          audit: true,
          action: `catalog.${entity}.upsert`,
          actor: (c.get('principal') as Principal | undefined)?.subject ?? 'anonymous',
          ...ids,
          outcome,
          ...extra,
        },
        'catalog change',
      );
    try {
      const result = await write();
      metrics.catalogWrites.inc({ entity, outcome: result.created ? 'created' : 'updated' });
      audit(result.created ? 'created' : 'updated');
      return c.json(result.entity as object, result.created ? 201 : 200);
    } catch (err) {
      if (err instanceof CatalogRejection) {
        metrics.catalogWrites.inc({ entity, outcome: 'rejected' });
        audit('rejected', { reason: err.reason });
        throw catalogProblem(err);
      }
      throw err;
    }
  }

  app.put('/v1/merchants/:merchantId', scope('catalog:write'), async (c) => {
    const merchantId = pathId(c, 'merchantId');
    await authorize?.(c, merchantId);
    const input = await readBody(c, merchantInputSchema);
    return upsert(c, 'merchant', { merchantId }, () => catalog.upsertMerchant(merchantId, input));
  });

  app.put('/v1/merchants/:merchantId/categories/:categoryId', scope('catalog:write'), async (c) => {
    const merchantId = pathId(c, 'merchantId');
    const categoryId = pathId(c, 'categoryId');
    await authorize?.(c, merchantId);
    const input = await readBody(c, categoryInputSchema);
    return upsert(c, 'category', { merchantId, categoryId }, () =>
      catalog.upsertCategory(merchantId, categoryId, input),
    );
  });

  app.put('/v1/merchants/:merchantId/products/:productId', scope('catalog:write'), async (c) => {
    const merchantId = pathId(c, 'merchantId');
    const productId = pathId(c, 'productId');
    await authorize?.(c, merchantId);
    const input = await readBody(c, productInputSchema);
    return upsert(c, 'product', { merchantId, productId }, () =>
      catalog.upsertProduct(merchantId, productId, input),
    );
  });

  /** Reads a body for an order endpoint, counting body-level refusals as rejected orders. */
  async function readOrderBody(c: Context, endpoint: 'single' | 'batch', limit: number): Promise<unknown> {
    try {
      return await readJson(c, limit);
    } catch (err) {
      if (err instanceof HttpProblem) metrics.rejected.inc({ endpoint, reason: reasonOfStatus(err.status) });
      throw err;
    }
  }

  function count(endpoint: 'single' | 'batch', result: SubmitResult<unknown>): void {
    if (result.outcome === 'rejected') metrics.rejected.inc({ endpoint, reason: result.rejection.reason });
    else metrics.accepted.inc({ endpoint, outcome: result.outcome });
  }

  const authorizeFor = (c: Context) => (authorize ? { authorize: (m: string) => authorize(c, m) } : {});

  app.post('/v1/orders/batch', scope('orders:write'), async (c) => {
    const raw = await readOrderBody(c, 'batch', limits.batchBodyBytes);
    // Count first: an absurd array is refused without zod walking it.
    const list = (raw as { orders?: unknown } | null)?.orders;
    if (Array.isArray(list) && list.length > MAX_ORDERS_PER_BATCH) {
      metrics.rejected.inc({ endpoint: 'batch', reason: 'invalid' });
      throw new HttpProblem(400, {
        title: 'Invalid request',
        detail: `orders: must contain at most ${MAX_ORDERS_PER_BATCH} orders (got ${list.length})`,
        errors: [{ field: 'orders', message: `must contain at most ${MAX_ORDERS_PER_BATCH} orders` }],
      });
    }
    const parsed = batchSchema.safeParse(raw);
    if (!parsed.success) {
      metrics.rejected.inc({ endpoint: 'batch', reason: 'invalid' });
      throw validationProblem(parsed.error);
    }
    let results: Awaited<ReturnType<OrderService['submitBatch']>>;
    try {
      results = await orders.submitBatch(parsed.data.orders, authorizeFor(c));
    } catch (err) {
      // An entry that does not match the schema: the body is invalid, nothing was written.
      if (!(err instanceof OrderRejection)) throw err;
      metrics.rejected.inc({ endpoint: 'batch', reason: err.reason });
      throw rejectionProblem(err);
    }
    const summary = { created: 0, replayed: 0, rejected: 0 };
    const body = results.map((r, index) => {
      count('batch', r);
      summary[r.outcome]++;
      if (r.outcome === 'rejected') {
        return { index, status: r.rejection.status, problem: problemBody(rejectionProblem(r.rejection)) };
      }
      return { index, status: r.outcome === 'created' ? 201 : 200, order: r.order };
    });
    return c.json({ ...summary, results: body }, 200);
  });

  app.post('/v1/orders', scope('orders:write'), async (c) => {
    const raw = await readOrderBody(c, 'single', limits.bodyBytes);
    const result = await orders.submit(raw, authorizeFor(c));
    count('single', result);
    if (result.outcome === 'rejected') throw rejectionProblem(result.rejection);
    c.header('location', `/v1/orders/${result.order.id}`);
    return c.json(result.order, result.outcome === 'created' ? 201 : 200);
  });

  // Order ids are UUIDs: the pattern keeps GET /v1/orders/batch from being an order lookup (it is a
  // 405, Allow: POST) and the document's parameter pattern says the same.
  app.get(`/v1/orders/:orderId{${ORDER_ID_ROUTE}}`, scope('orders:write'), async (c) => {
    const orderId = c.req.param('orderId') ?? '';
    const order = await orders.get(orderId);
    const notFound = new HttpProblem(404, {
      title: 'Unknown order',
      detail: `order ${orderId} does not exist`,
    });
    if (!order) throw notFound;
    if (authorize) {
      // Another merchant's order answers like an unknown one: ids must not be probeable.
      try {
        await authorize(c, order.merchantId);
      } catch {
        throw notFound;
      }
    }
    return c.json(order, 200);
  });

  return app;
}
