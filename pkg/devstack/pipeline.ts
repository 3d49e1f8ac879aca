import { createAuthenticator, parseAuthConfig } from '../auth/index.js';
import { deadLetterSink, parseAggregatorConfig, run as runAggregator } from '../aggregation/index.js';
import { EmbeddedBus } from '../bus/index.js';
import { createPool } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { createRegistry } from '../metrics/index.js';
import { parseRelayConfig, run as runRelay } from '../relay/index.js';

/**
 * Relay and aggregator in one process over the embedded in-process bus: the development pipeline when
 * no Kafka is configured. The relay marks a row published only after the aggregator's transaction for
 * it committed, so a crash anywhere loses nothing.
 */
export async function runEmbeddedPipeline(
  env: Record<string, string | undefined>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const aggregatorConfig = parseAggregatorConfig(env);
  const relayConfig = parseRelayConfig({ ...env, PORT: env.RELAY_PORT ?? '8083' });
  const authenticator = await createAuthenticator(parseAuthConfig(env));
  const bus = new EmbeddedBus({ sinkTopics: [aggregatorConfig.KAFKA_DLQ_TOPIC], logger });
  const pool = createPool({
    connectionString: aggregatorConfig.DATABASE_URL,
    max: aggregatorConfig.DATABASE_POOL_MAX,
    applicationName: 'catcast-pipeline',
  });
  try {
    await Promise.all([
      runAggregator(
        aggregatorConfig,
        {
          pool,
          subscriber: bus.subscriber(aggregatorConfig.KAFKA_TOPIC),
          deadLetters: deadLetterSink(bus, aggregatorConfig.KAFKA_DLQ_TOPIC),
          logger: logger.child({ component: 'aggregator' }),
          registry: createRegistry('aggregator'),
          authenticator,
        },
        signal,
      ),
      runRelay(
        relayConfig,
        {
          pool,
          publisher: bus,
          logger: logger.child({ component: 'relay' }),
          registry: createRegistry('relay'),
        },
        signal,
      ),
    ]);
  } finally {
    await bus.close();
    await pool.end();
  }
}
