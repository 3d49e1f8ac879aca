// The outbox relay: publishes ingestion.order_events to Kafka (health/metrics on PORT, default 8083).
import { ConfigError } from '../../pkg/config/index.js';
import { createPool, registerPoolMetrics } from '../../pkg/db/index.js';
import { createKafka, KafkaPublisher, LagReader, registerConsumerLagMetrics } from '../../pkg/kafka/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import { parseRelayConfig, run } from '../../pkg/relay/index.js';
import { shutdownTelemetry } from '../../pkg/telemetry/index.js';

try {
  const config = parseRelayConfig(process.env);
  if (!config.KAFKA_BROKERS?.length)
    throw new ConfigError(
      'KAFKA_BROKERS: required by cmd/relay (without Kafka, `make dev` runs the relay in-process with the embedded bus)',
      ['KAFKA_BROKERS'],
    );
  const logger = createLogger({ service: 'relay', level: config.LOG_LEVEL });
  const registry = createRegistry('relay');
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: 'catcast-relay',
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-relay`,
    logger,
  });
  const publisher = new KafkaPublisher({ kafka, logger, replicationFactor: config.KAFKA_REPLICATION_FACTOR });
  registerPoolMetrics(registry, { primary: pool });
  // The aggregator group's lag, seen from outside the aggregator (which cannot report it while stuck).
  const lagReader = new LagReader(kafka.admin());
  registerConsumerLagMetrics(registry, {
    read: () => lagReader.read(config.KAFKA_CONSUMER_GROUP, config.KAFKA_TOPIC),
  });

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    logger.info({ signal }, 'shutting down: finishing the current batch');
    controller.abort();
    // A publish stuck on an unreachable broker must not keep the pod in Terminating forever; the open
    // transaction rolls back when the connection closes, so nothing is lost.
    setTimeout(() => {
      logger.error({ timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  try {
    await run(
      config,
      { pool, publisher, logger, registry, readiness: { kafka: () => publisher.ping() } },
      controller.signal,
    );
  } finally {
    await lagReader.close().catch(() => undefined);
    await publisher.close();
    await pool.end();
  }
} catch (err) {
  process.stderr.write(
    `relay: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
await shutdownTelemetry();
