import { Hono, type MiddlewareHandler } from 'hono';
import {
  assertMerchantAccess,
  createAuthenticator,
  principalOf,
  requireScope,
  type Authenticator,
  type AuthVariables,
} from '../auth/index.js';
import { createPool, registerPoolMetrics, type Pool, type Queryable } from '../db/index.js';
import type { ChangedPeriod, EventSubscriber } from '../events/index.js';
import {
  notFoundHandler,
  opsRoutes,
  problemHandler,
  serveUntilAborted,
  type ReadinessCheck,
} from '../http/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { Counter, createRegistry, type Registry } from '../metrics/index.js';
import { createAggregatorApi } from './api.js';
import type { AggregatorConfig } from './config.js';
import { createBatchHandler } from './consumer.js';
import { kafkaWiring, type AggregatorEventDeps } from './kafka.js';
import { listenForChanges } from './changes.js';
import { ResponseCache } from './response-cache.js';
import { createAggregationMetrics, systemClock, type Clock } from './metrics.js';
import { runRetention } from './retention.js';
import { abortableSleep as sleep } from '../retry/index.js';

/**
 * Optional collaborators of {@link run}; each defaults to the production choice built from the
 * config. The embedded pipeline of `make dev` passes the in-process bus as subscriber and DLQ.
 */
export interface AggregatorDeps extends AggregatorEventDeps {
  /**
   * Primary pool: the consumer's transactions and the retention job. @default a pool on
   * DATABASE_URL plus one on DATABASE_READ_URL when set (closed when run returns), with pool metrics
   */
  readonly pool?: Pool;
  /** Read-replica pool for the API. @default pool */
  readonly readPool?: Queryable;
  /**
   * Source of order events. @default a Kafka consumer group member when KAFKA_BROKERS is set (with
   * its DLQ publisher, lag reader and readiness check); otherwise only the read API runs
   */
  readonly subscriber?: EventSubscriber;
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** @default a new registry labelled service="aggregator" */
  readonly registry?: Registry;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Verifies bearer tokens on /api/* (sales:read scope, merchant scoping). @default built from config.auth */
  readonly authenticator?: Authenticator;
  /** Called with the bound port once the HTTP server listens. */
  readonly onListening?: (port: number) => void;
  /**
   * Where the read API LISTENs for the aggregates' change notifications; null: it does not listen
   * (answers then live only AGGREGATION_API_CACHE_MS). @default DATABASE_URL
   */
  readonly changesConnectionString?: string | null;
}

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
 * the error is rethrown. The one wiring of cmd/aggregator and `make dev`; what it built it closes.
 */
export async function run(
  config: AggregatorConfig,
  signal: AbortSignal,
  deps: AggregatorDeps = {},
): Promise<void> {
  const logger = deps.logger ?? createLogger({ service: 'aggregator', level: config.LOG_LEVEL });
  const registry = deps.registry ?? createRegistry('aggregator');
  const closers: Array<() => Promise<void>> = [];
  let { pool, readPool } = deps;
  if (!pool) {
    const primary = createPool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      applicationName: 'catcast-aggregator',
    });
    const read = config.DATABASE_READ_URL
      ? createPool({
          connectionString: config.DATABASE_READ_URL,
          max: config.DATABASE_POOL_MAX,
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
          applicationName: 'catcast-aggregator-read',
        })
      : undefined;
    registerPoolMetrics(registry, { primary, ...(read ? { read } : {}) });
    closers.push(() => primary.end().catch(() => undefined));
    if (read) closers.push(() => read.end().catch(() => undefined));
    pool = primary;
    readPool ??= read;
  }
  let bus: AggregatorEventDeps = deps;
  // The read-only role never consumes: no Kafka client at all.
  if (config.AGGREGATOR_ROLE !== 'api' && !deps.subscriber && config.KAFKA_BROKERS?.length) {
    const kafka = kafkaWiring(config, logger);
    closers.unshift(() => kafka.close().catch(() => undefined));
    bus = kafka.deps;
  }
  try {
    // The consumer role parses no AUTH_* (it serves no API), so it builds no authenticator.
    const authenticator =
      deps.authenticator ?? (config.auth ? await createAuthenticator(config.auth) : undefined);
    await aggregateUntilAborted(config, signal, {
      ...deps,
      ...bus,
      pool,
      ...(readPool ? { readPool } : {}),
      logger,
      registry,
      ...(authenticator ? { authenticator } : {}),
    });
  } finally {
    for (const close of closers) await close();
  }
}

async function aggregateUntilAborted(
  config: AggregatorConfig,
  signal: AbortSignal,
  deps: AggregatorDeps & Required<Pick<AggregatorDeps, 'pool' | 'logger' | 'registry'>>,
): Promise<void> {
  const { pool, logger, registry, clock = systemClock } = deps;
  if (deps.subscriber && !deps.deadLetters) throw new Error('a subscriber needs a dead-letter sink');
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();

  const role = config.AGGREGATOR_ROLE;
  const serving = role !== 'consumer';
  const consuming = role !== 'api';
  // Never serve /api/* without verifying tokens (AUTH_MODE=none is an authenticator too).
  if (serving && !deps.authenticator) throw new Error('the read API needs an authenticator');
  const metrics = createAggregationMetrics(registry, clock, {
    consumerGroup: config.KAFKA_CONSUMER_GROUP,
    topic: config.KAFKA_TOPIC,
  });
  // Read answers come from memory until a period they show changes: this process's applies and the
  // change notifications of every aggregator drop exactly those answers.
  const cacheLookups = new Counter({
    name: 'catcast_api_response_cache_lookups_total',
    help: 'Lookups of the read API response cache, by result (hit = answered from memory)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const responseCache =
    serving && config.AGGREGATION_API_CACHE_MS > 0
      ? new ResponseCache({
          ttlMs: config.AGGREGATION_API_CACHE_MS,
          // A replica may not have replayed a change yet when its notification (from the primary)
          // arrives: with DATABASE_READ_URL only the short TTL bounds what a replica's answer lags.
          exactTtlMs:
            deps.readPool || config.DATABASE_READ_URL
              ? config.AGGREGATION_API_CACHE_MS
              : Math.max(config.AGGREGATION_API_CACHE_MS, config.AGGREGATION_API_CACHE_EXACT_MS),
          maxEntries: config.AGGREGATION_API_CACHE_ENTRIES,
          maxBytes: config.AGGREGATION_API_CACHE_BYTES,
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
  if (serving) {
    app.route(
      '/',
      createAggregatorApi({
        readDb,
        clock,
        logger,
        registry,
        staleAfterSeconds: config.AGGREGATION_STALE_AFTER_SECONDS,
        maxAgeSeconds: config.AGGREGATION_API_MAX_AGE_SECONDS,
        readBatchMax: config.AGGREGATION_API_READ_BATCH_MAX,
        readConcurrency: config.AGGREGATION_API_READ_CONCURRENCY,
        ...(responseCache ? { responseCache } : {}),
        ...(deps.authenticator ? authOptions(deps.authenticator) : {}),
      }),
    );
  }

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
  ];
  if (consuming) {
    parts.push(
      runRetention(
        pool,
        {
          retentionDays: config.PROCESSED_EVENTS_RETENTION_DAYS,
          intervalMs: config.PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS * 1000,
          logger,
        },
        stop.signal,
      ),
    );
  }
  if (responseCache && deps.changesConnectionString !== null) {
    parts.push(
      listenForChanges(
        {
          connectionString: deps.changesConnectionString ?? config.DATABASE_URL,
          onChanges: (periods) => responseCache.invalidate(periods),
          onLive: (live) => responseCache.setExact(live),
          logger,
        },
        stop.signal,
      ),
    );
  }
  if (consuming && deps.subscriber) {
    const handler = createBatchHandler({
      pool,
      deadLetters: deps.deadLetters!,
      metrics,
      logger,
      signal: stop.signal,
      ...(responseCache ? { onApplied: (p: readonly ChangedPeriod[]) => responseCache.invalidate(p) } : {}),
    });
    parts.push(deps.subscriber.run(handler, stop.signal).then(() => logger.info('consumer stopped')));
  } else if (consuming) {
    logger.warn('no event subscriber configured: serving the read API only');
  }
  if (consuming && deps.readLag) {
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
