import { createPool } from '../db/index.js';
import { serveUntilAborted } from '../http/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { createRegistry } from '../metrics/index.js';
import type { Clock } from '../orders/index.js';
import { createIngestApp, type IngestAppOptions } from './app.js';
import type { IngestConfig } from './config.js';

/** Optional collaborators of {@link run}; each defaults to the production choice. */
export interface RunOptions {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly traceparent?: () => string | undefined;
  readonly authMiddleware?: IngestAppOptions['authMiddleware'];
  readonly requireScope?: IngestAppOptions['requireScope'];
  readonly authorizeMerchant?: IngestAppOptions['authorizeMerchant'];
  /** Called with the bound port once the server listens. */
  readonly onListening?: (port: number) => void;
}

/** Runs the ingest service until `signal` aborts, then drains requests and closes the pool. */
export async function run(
  config: IngestConfig,
  signal: AbortSignal,
  options: RunOptions = {},
): Promise<void> {
  const logger = options.logger ?? createLogger({ service: 'ingest', level: config.LOG_LEVEL });
  const registry = createRegistry('ingest');
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'catcast-ingest',
  });
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
    accepting: () => accepting,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.traceparent ? { traceparent: options.traceparent } : {}),
    ...(options.authMiddleware ? { authMiddleware: options.authMiddleware } : {}),
    ...(options.requireScope ? { requireScope: options.requireScope } : {}),
    ...(options.authorizeMerchant ? { authorizeMerchant: options.authorizeMerchant } : {}),
  });
  try {
    await serveUntilAborted(
      {
        app,
        port: config.PORT,
        host: config.HOST,
        logger,
        drainMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
        ...(options.onListening ? { onListening: options.onListening } : {}),
      },
      signal,
    );
  } finally {
    await pool.end().catch((err: unknown) => logger.warn({ err }, 'cannot close the database pool cleanly'));
  }
  logger.info('ingest stopped');
}
