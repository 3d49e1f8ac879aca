import type { Context, MiddlewareHandler } from 'hono';
import {
  assertMerchantAccess,
  createAuthenticator,
  createRateLimiter,
  principalOf,
  requireScope,
  type Authenticator,
} from '../auth/index.js';
import { createPool } from '../db/index.js';
import { serveUntilAborted } from '../http/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { createRegistry, type Registry } from '../metrics/index.js';
import type { Clock } from '../orders/index.js';
import { currentTraceparent } from '../telemetry/index.js';
import { createIngestApp, type IngestAppOptions } from './app.js';
import type { IngestConfig } from './config.js';

/** Optional collaborators of {@link run}; each defaults to the production choice. */
export interface IngestDeps {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** @default a new registry labelled service="ingest" */
  readonly registry?: Registry;
  readonly clock?: Clock;
  /**
   * The current request's trace context, stored on each outbox row so the relay and aggregator
   * continue its trace. @default the active OpenTelemetry span's
   */
  readonly traceparent?: () => string | undefined;
  /**
   * Verifies bearer tokens on /v1 (scopes orders:write / catalog:write, merchant scoping, admin = all)
   * and rate-limits each token; ignored when `authMiddleware` is given. @default built from config.auth
   */
  readonly authenticator?: Authenticator;
  readonly authMiddleware?: IngestAppOptions['authMiddleware'];
  readonly requireScope?: IngestAppOptions['requireScope'];
  readonly authorizeMerchant?: IngestAppOptions['authorizeMerchant'];
  /** Called with the bound port once the server listens. */
  readonly onListening?: (port: number) => void;
}

/**
 * Runs the ingest service until `signal` aborts, then drains requests and closes the pool. The one
 * wiring of cmd/ingest and `make dev`; `deps` replace production parts in tests.
 */
export async function run(config: IngestConfig, signal: AbortSignal, deps: IngestDeps = {}): Promise<void> {
  const logger = deps.logger ?? createLogger({ service: 'ingest', level: config.LOG_LEVEL });
  const registry = deps.registry ?? createRegistry('ingest');
  const authenticator = deps.authMiddleware
    ? undefined
    : (deps.authenticator ?? (await createAuthenticator(config.auth)));
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'catcast-ingest',
  });
  const auth = authenticator ? authWiring(authenticator, config) : {};
  let accepting = !signal.aborted;
  signal.addEventListener('abort', () => (accepting = false), { once: true });
  const app = createIngestApp({
    db: pool,
    logger,
    registry,
    limits: {
      bodyBytes: config.INGEST_BODY_LIMIT_BYTES,
      batchBodyBytes: config.INGEST_BATCH_BODY_LIMIT_BYTES,
      maxFutureSeconds: config.INGEST_MAX_FUTURE_SECONDS,
    },
    insertCoalescing: {
      maxBatch: config.INGEST_INSERT_BATCH_MAX,
      maxInFlight: config.INGEST_INSERT_CONCURRENCY,
    },
    accepting: () => accepting,
    ...(deps.clock ? { clock: deps.clock } : {}),
    traceparent: deps.traceparent ?? currentTraceparent,
    ...auth,
    ...(deps.authMiddleware ? { authMiddleware: deps.authMiddleware } : {}),
    ...(deps.requireScope ? { requireScope: deps.requireScope } : {}),
    ...(deps.authorizeMerchant ? { authorizeMerchant: deps.authorizeMerchant } : {}),
  });
  try {
    await serveUntilAborted(
      {
        app,
        port: config.PORT,
        host: config.HOST,
        logger,
        // Shorter than runMain's deadline (SHUTDOWN_TIMEOUT_SECONDS), which would otherwise end a
        // drain that slow clients stretch with exit code 1 before the pool is closed.
        drainMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_SECONDS * 1000 - 2_000),
        ...(deps.onListening ? { onListening: deps.onListening } : {}),
      },
      signal,
    );
  } finally {
    await pool.end().catch((err: unknown) => logger.warn({ err }, 'cannot close the database pool cleanly'));
  }
  logger.info('ingest stopped');
}

/** The bucket of a caller: its token's subject and merchants (so two merchants never share one). */
function rateKey(c: Context): string {
  const p = principalOf(c);
  return `${p.subject}\u0000${p.merchants === '*' ? '*' : [...p.merchants].sort().join(',')}`;
}

/** Authentication, then the per-token rate limit, then per-route scopes and merchant checks. */
function authWiring(
  authenticator: Authenticator,
  config: IngestConfig,
): Pick<IngestAppOptions, 'authMiddleware' | 'requireScope' | 'authorizeMerchant'> {
  const limiter =
    config.INGEST_RATE_LIMIT_PER_SECOND > 0
      ? createRateLimiter({
          ratePerSecond: config.INGEST_RATE_LIMIT_PER_SECOND,
          burst: config.INGEST_RATE_LIMIT_BURST,
          key: rateKey,
        })
      : undefined;
  const authMiddleware: MiddlewareHandler = async function authenticateAndLimit(c, next) {
    await authenticator.middleware(c, async () => {
      if (limiter) await limiter.middleware(c, next);
      else await next();
    });
  };
  return { authMiddleware, requireScope, authorizeMerchant: assertMerchantAccess };
}
