import { abortableSleep, backoffDelay } from '../retry/index.js';
import type { Pool } from '../db/index.js';
import type { EventPublisher } from '../events/index.js';
import { opsRoutes, serveUntilAborted, type ReadinessCheck } from '../http/index.js';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import type { RelayConfig } from './config.js';
import { listenForOutbox } from './listener.js';
import { relayMetrics, type RelayMetrics } from './metrics.js';
import { Relay } from './relay.js';
import { runRetention } from './retention.js';

/** Collaborators of {@link run}; the publisher is the Kafka adapter in production, the embedded bus in dev. */
export interface RelayDeps {
  readonly pool: Pool;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Extra /ready checks, e.g. { kafka: () => publisher.ping() }; the database check is built in. */
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Serve /health, /ready, /metrics on config.PORT. @default true */
  readonly serveHttp?: boolean;
  /** Called with the bound HTTP port (tests use PORT=0). */
  readonly onListening?: (port: number) => void;
}

/** Creates the topic and the DLQ topic, retrying with backoff until it works or `signal` aborts. */
async function ensureTopics(
  config: RelayConfig,
  publisher: EventPublisher,
  logger: Logger,
  signal: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await publisher.ensureTopic(config.KAFKA_TOPIC, config.KAFKA_TOPIC_PARTITIONS);
      await publisher.ensureTopic(config.KAFKA_DLQ_TOPIC, config.KAFKA_TOPIC_PARTITIONS);
      return true;
    } catch (err) {
      const delay = backoffDelay(attempt, 200, config.RELAY_MAX_BACKOFF_MS);
      logger.warn({ err, retryInMs: delay }, 'cannot ensure the topics yet; retrying');
      await abortableSleep(delay, signal);
    }
  }
  return false;
}

/**
 * Runs the relay process until `signal` aborts: ensures the topics, publishes the outbox (LISTEN
 * wake-ups plus a fallback poll), sweeps old published rows, and serves /health, /ready and /metrics.
 * On abort the batch in progress is finished before it resolves.
 */
export async function run(config: RelayConfig, deps: RelayDeps, signal: AbortSignal): Promise<void> {
  const { pool, publisher, logger, registry, serveHttp = true } = deps;
  const metrics: RelayMetrics = relayMetrics(registry, pool);
  const relay = new Relay({
    pool,
    publisher,
    topic: config.KAFKA_TOPIC,
    logger,
    metrics,
    batchSize: config.RELAY_BATCH_SIZE,
    pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
    maxBackoffMs: config.RELAY_MAX_BACKOFF_MS,
  });

  let accepting = true;
  const http = serveHttp
    ? serveUntilAborted(
        {
          app: opsRoutes({
            checks: {
              database: async () => {
                await pool.query('SELECT 1');
              },
              ...deps.readiness,
            },
            registry,
            accepting: () => accepting,
          }),
          port: config.PORT,
          host: config.HOST,
          logger,
          drainMs: 2_000,
          onListening: deps.onListening,
        },
        signal,
      )
    : Promise.resolve();

  const work = (async () => {
    if (!(await ensureTopics(config, publisher, logger, signal))) return;
    logger.info({ topic: config.KAFKA_TOPIC, batchSize: config.RELAY_BATCH_SIZE }, 'relay started');
    await Promise.all([
      relay.run(signal),
      listenForOutbox(
        { connectionString: config.DATABASE_URL, onNotify: () => relay.wake(), logger },
        signal,
      ),
      runRetention(
        {
          db: pool,
          retentionHours: config.OUTBOX_RETENTION_HOURS,
          intervalMs: config.OUTBOX_RETENTION_INTERVAL_SECONDS * 1000,
          logger,
          metrics,
        },
        signal,
      ),
    ]);
  })();
  signal.addEventListener('abort', () => (accepting = false), { once: true });
  await Promise.all([work, http]);
  logger.info('relay stopped');
}
