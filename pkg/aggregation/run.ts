import { Hono, type MiddlewareHandler } from 'hono';
import {
  assertMerchantAccess,
  principalOf,
  requireScope,
  type Authenticator,
  type AuthVariables,
} from '../auth/index.js';
import type { Pool, Queryable } from '../db/index.js';
import type { EventSubscriber } from '../events/index.js';
import {
  notFoundHandler,
  opsRoutes,
  problemHandler,
  serveUntilAborted,
  type ReadinessCheck,
} from '../http/index.js';
import type { Logger } from '../log/index.js';
import { Counter, type Registry } from '../metrics/index.js';
import { createAggregatorApi } from './api.js';
import type { AggregatorConfig } from './config.js';
import { createBatchHandler, type DeadLetterSink } from './consumer.js';
import { ResponseCache } from './response-cache.js';
import { createAggregationMetrics, systemClock, type Clock } from './metrics.js';
import { runRetention } from './retention.js';
import { abortableSleep as sleep } from '../retry/index.js';

/** Collaborators of {@link run}, built by cmd/aggregator (or a test). */
export interface AggregatorDeps {
  /** Primary pool: the consumer's transactions and the retention job. */
  readonly pool: Pool;
  /** Read-replica pool for the API. @default pool */
  readonly readPool?: Queryable;
  /** Source of order events; without one only the read API runs. */
  readonly subscriber?: EventSubscriber;
  /** Dead-letter destination; required with a subscriber. */
  readonly deadLetters?: DeadLetterSink;
  /** Reads the consumer group's lag per partition, for catcast_consumer_lag. @default none */
  readonly readLag?: () => Promise<ReadonlyArray<{ readonly partition: number; readonly lag: number }>>;
  /** Extra readiness checks (e.g. kafka), added to the database check. */
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  readonly logger: Logger;
  readonly registry: Registry;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Verifies bearer tokens on /api/* (sales:read scope, merchant scoping). @default none (open API) */
  readonly authenticator?: Authenticator;
  /** Called with the bound port once the HTTP server listens. */
  readonly onListening?: (port: number) => void;
}

/** The settings {@link run} reads. */
export type AggregatorRunConfig = Pick<
  AggregatorConfig,
  | 'PORT'
  | 'HOST'
  | 'AGGREGATION_STALE_AFTER_SECONDS'
  | 'PROCESSED_EVENTS_RETENTION_DAYS'
  | 'PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS'
  | 'AGGREGATION_LAG_REFRESH_SECONDS'
  | 'AGGREGATION_API_MAX_AGE_SECONDS'
  | 'AGGREGATION_API_CACHE_MS'
>;

function authOptions(authenticator: Authenticator) {
  const scope = requireScope('sales:read');
  const authMiddleware: MiddlewareHandler<{ Variables: AuthVariables }> =
    async function authenticateSalesRead(c, next) {
      return authenticator.middleware(c, async () => {
        await scope(c, next);
      });
    };
  return {
    authMiddleware,
    authorizeMerchant: assertMerchantAccess,
    visibleMerchants: (c: Parameters<typeof principalOf>[0]) => principalOf(c).merchants,
  };
}

/**
 * Runs the aggregator until `signal` aborts: the HTTP server (read API, /health, /ready, /metrics),
 * the consumer loop (each batch applied in one transaction, then DLQ, then offsets), the lag gauge
 * refresher and the processed-events retention job. On abort the current batch finishes (committed or
 * rolled back, never half-applied) before it returns; if a part fails, the others are stopped and
 * the error is rethrown.
 */
export async function run(
  config: AggregatorRunConfig,
  deps: AggregatorDeps,
  signal: AbortSignal,
): Promise<void> {
  const { pool, logger, registry, clock = systemClock } = deps;
  if (deps.subscriber && !deps.deadLetters) throw new Error('a subscriber needs a dead-letter sink');
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();

  const metrics = createAggregationMetrics(registry, clock);
  // Hot top-category reads come from memory; this process's applies invalidate them at once.
  const cacheLookups = new Counter({
    name: 'catcast_api_response_cache_lookups_total',
    help: 'Lookups of the /api/top-categories response cache, by result (hit = answered from memory)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const responseCache =
    config.AGGREGATION_API_CACHE_MS > 0
      ? new ResponseCache({
          ttlMs: config.AGGREGATION_API_CACHE_MS,
          onLookup: (hit) => cacheLookups.inc({ result: hit ? 'hit' : 'miss' }),
        })
      : undefined;
  const readDb = deps.readPool ?? pool;
  const checks: Record<string, ReadinessCheck> = {
    database: async () => {
      await pool.query('SELECT 1');
    },
    ...(deps.readPool
      ? {
          readDatabase: async () => {
            await readDb.query('SELECT 1');
          },
        }
      : {}),
    ...deps.readinessChecks,
  };

  const app = new Hono();
  app.onError(problemHandler(logger));
  app.notFound(notFoundHandler(app));
  app.route('/', opsRoutes({ checks, registry, accepting: () => !stop.signal.aborted }));
  app.route(
    '/',
    createAggregatorApi({
      readDb,
      clock,
      logger,
      registry,
      staleAfterSeconds: config.AGGREGATION_STALE_AFTER_SECONDS,
      maxAgeSeconds: config.AGGREGATION_API_MAX_AGE_SECONDS,
      ...(responseCache ? { responseCache } : {}),
      ...(deps.authenticator ? authOptions(deps.authenticator) : {}),
    }),
  );

  const parts: Promise<void>[] = [
    serveUntilAborted(
      {
        app,
        port: config.PORT,
        host: config.HOST,
        logger,
        ...(deps.onListening ? { onListening: deps.onListening } : {}),
      },
      stop.signal,
    ),
    runRetention(
      pool,
      {
        retentionDays: config.PROCESSED_EVENTS_RETENTION_DAYS,
        intervalMs: config.PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS * 1000,
        logger,
      },
      stop.signal,
    ),
  ];
  if (deps.subscriber) {
    const handler = createBatchHandler({
      pool,
      deadLetters: deps.deadLetters!,
      metrics,
      logger,
      signal: stop.signal,
      ...(responseCache ? { onApplied: (m: Iterable<string>) => responseCache.invalidate(m) } : {}),
    });
    parts.push(deps.subscriber.run(handler, stop.signal).then(() => logger.info('consumer stopped')));
  } else {
    logger.warn('no event subscriber configured: serving the read API only');
  }
  if (deps.readLag) {
    const readLag = deps.readLag;
    parts.push(
      (async () => {
        while (!stop.signal.aborted) {
          try {
            metrics.setLag(await readLag());
          } catch (err) {
            logger.debug({ err: (err as Error).message }, 'cannot read consumer lag');
          }
          await sleep(config.AGGREGATION_LAG_REFRESH_SECONDS * 1000, stop.signal);
        }
      })(),
    );
  }

  let failure: unknown;
  await Promise.all(
    parts.map((p) =>
      p.catch((err: unknown) => {
        // One failed part stops the whole process: a consumer that died must not leave a healthy-looking API.
        failure ??= err;
        stop.abort();
      }),
    ),
  );
  signal.removeEventListener('abort', onAbort);
  if (failure !== undefined) throw new Error('aggregator stopped after a failure', { cause: failure });
}
