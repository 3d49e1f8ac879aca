import {
  parseAggregatorConfig,
  deadLetterSink,
  run as runAggregator,
  type AggregatorConfig,
} from '../aggregation/index.js';
import { EmbeddedBus } from '../bus/index.js';
import { parseTogether } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { parseRelayConfig, run as runRelay, type RelayConfig } from '../relay/index.js';

/** Configuration of the embedded pipeline: the aggregator's and the relay's, from one environment. */
export interface EmbeddedPipelineConfig {
  readonly aggregator: AggregatorConfig;
  readonly relay: RelayConfig;
}

/**
 * Parses both services' variables from `env` (PORT is the aggregator's, RELAY_PORT the relay's, as
 * each has its own /metrics), reporting every bad variable at once.
 */
export function parseEmbeddedPipelineConfig(
  env: Readonly<Record<string, string | undefined>>,
): EmbeddedPipelineConfig {
  const [aggregator, relay] = parseTogether(
    () => parseAggregatorConfig(env),
    () => parseRelayConfig({ ...env, PORT: env.RELAY_PORT ?? '8083' }),
  );
  return { aggregator, relay };
}

/**
 * Relay and aggregator in one process over the embedded in-process bus: the development pipeline when
 * no Kafka is configured. Each is the production `run` of its package (own pools, pool metrics,
 * readiness, authentication); only the bus is swapped for Kafka. The relay marks a row published only
 * after the aggregator's transaction for it committed, so a crash anywhere loses nothing.
 */
export async function runEmbeddedPipeline(
  config: EmbeddedPipelineConfig,
  signal: AbortSignal,
): Promise<void> {
  const { aggregator, relay } = config;
  const bus = new EmbeddedBus({
    sinkTopics: [aggregator.KAFKA_DLQ_TOPIC],
    logger: createLogger({ service: 'pipeline', level: aggregator.LOG_LEVEL }),
  });
  try {
    await Promise.all([
      runAggregator(aggregator, signal, {
        subscriber: bus.subscriber(aggregator.KAFKA_TOPIC),
        deadLetters: deadLetterSink(bus, aggregator.KAFKA_DLQ_TOPIC),
      }),
      runRelay(relay, signal, { publisher: bus }),
    ]);
  } finally {
    await bus.close();
  }
}
