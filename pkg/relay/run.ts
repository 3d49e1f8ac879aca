import { abortableSleep, backoffDelay } from '../retry/index.js';
import { ConfigError } from '../config/index.js';
import { createPool, registerPoolMetrics, type Pool } from '../db/index.js';
import type { EventPublisher } from '../events/index.js';
import { opsRoutes, serveUntilAborted, type ReadinessCheck } from '../http/index.js';
import { createKafka, KafkaPublisher, LagReader, registerConsumerLagMetrics } from '../kafka/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { createRegistry, type Registry } from '../metrics/index.js';
import type { RelayConfig } from './config.js';
import { listenForOutbox } from './listener.js';
import { relayMetrics, type RelayMetrics } from './metrics.js';
import { Relay } from './relay.js';
import { runRetention } from './retention.js';

/**
 * Optional collaborators of {@link run}; each defaults to the production choice built from the
 * config. The embedded pipeline of `make dev` passes the in-process bus as the publisher.
 */
export interface RelayDeps {
  /** @default a pool on DATABASE_URL (closed when run returns), with pool metrics */
  readonly pool?: Pool;
  /**
   * Where rows are published. @default a Kafka producer on KAFKA_BROKERS (required then), with a
   * kafka /ready check and the aggregator group's lag as catcast_consumer_lag
   */
  readonly publisher?: EventPublisher;
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** @default a new registry labelled service="relay" */
  readonly registry?: Registry;
  /** Extra /ready checks; the database check is built in. */
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
 * On abort the batch in progress is finished before it resolves. The one wiring of cmd/relay and
 * `make dev`; what it built it closes.
 */
export async function run(config: RelayConfig, signal: AbortSignal, deps: RelayDeps = {}): Promise<void> {
  if (!deps.publisher && !config.KAFKA_BROKERS?.length)
    throw new ConfigError(
      'KAFKA_BROKERS: required by the relay (without Kafka, `make dev` runs the relay in-process with the embedded bus)',
      ['KAFKA_BROKERS'],
    );
  const logger = deps.logger ?? createLogger({ service: 'relay', level: config.LOG_LEVEL });
  const registry = deps.registry ?? createRegistry('relay');
  const closers: Array<() => Promise<void>> = [];
  let pool = deps.pool;
  if (!pool) {
    const own = createPool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      applicationName: 'catcast-relay',
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    });
    registerPoolMetrics(registry, { primary: own });
    closers.push(() => own.end());
    pool = own;
  }
  let publisher = deps.publisher;
  let readiness = deps.readiness;
  if (!publisher) {
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS ?? [],
      clientId: `${config.KAFKA_CLIENT_ID}-relay`,
      logger,
    });
    const kafkaPublisher = new KafkaPublisher({
      kafka,
      logger,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    });
    // The aggregator group's lag, seen from outside the aggregator (which cannot report it while stuck).
    const lagReader = new LagReader(kafka.admin());
    registerConsumerLagMetrics(registry, {
      read: () => lagReader.read(config.KAFKA_CONSUMER_GROUP, config.KAFKA_TOPIC),
    });
    closers.unshift(
      () => lagReader.close().catch(() => undefined),
      () => kafkaPublisher.close(),
    );
    readiness = { kafka: () => kafkaPublisher.ping(), ...readiness };
    publisher = kafkaPublisher;
  }
  try {
    await relayUntilAborted(config, signal, { ...deps, pool, publisher, logger, registry, readiness });
  } finally {
    for (const close of closers) await close();
  }
}

async function relayUntilAborted(
  config: RelayConfig,
  signal: AbortSignal,
  deps: RelayDeps & Required<Pick<RelayDeps, 'pool' | 'publisher' | 'logger' | 'registry'>>,
): Promise<void> {
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
    lingerMs: config.RELAY_LINGER_MS,
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
