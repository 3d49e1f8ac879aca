import type { EventSubscriber } from '../events/index.js';
import { createKafka, DlqPublisher, KafkaPublisher, KafkaSubscriber, LagReader } from '../kafka/index.js';
import type { Logger } from '../log/index.js';
import type { AggregatorConfig } from './config.js';
import type { AggregatorDeps } from './run.js';
import { sleep } from './sleep.js';

/** The Kafka collaborators of the aggregator and how to release them. */
export interface KafkaWiring {
  readonly deps: Pick<AggregatorDeps, 'subscriber' | 'deadLetters' | 'readLag' | 'readinessChecks'>;
  close(): Promise<void>;
}

/**
 * Builds the production event plumbing: a consumer group member on KAFKA_TOPIC, a DLQ publisher on
 * KAFKA_DLQ_TOPIC and a lag reader. Topics are created (if missing) in the background before
 * consuming starts, so a broker outage at start-up delays consumption but not the read API.
 */
export function kafkaWiring(config: AggregatorConfig, logger: Logger): KafkaWiring {
  const brokers = config.KAFKA_BROKERS ?? [];
  const kafka = createKafka({ brokers, clientId: `${config.KAFKA_CLIENT_ID}-aggregator`, logger });
  const publisher = new KafkaPublisher({ kafka, logger, replicationFactor: config.KAFKA_REPLICATION_FACTOR });
  const consumer = new KafkaSubscriber({
    kafka,
    logger,
    topic: config.KAFKA_TOPIC,
    groupId: config.KAFKA_CONSUMER_GROUP,
    partitionsConsumedConcurrently: config.AGGREGATION_PARTITIONS_CONCURRENTLY,
    // Bigger fetches mean bigger batches: fewer transactions per event.
    maxBytesPerPartition: config.AGGREGATION_FETCH_MAX_BYTES,
    maxBytes: config.AGGREGATION_FETCH_MAX_BYTES_TOTAL,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    // kafkajs needs the heartbeat at most a third of the session timeout.
    heartbeatIntervalMs: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)),
  });
  const lagReader = new LagReader(kafka.admin());

  const subscriber: EventSubscriber = {
    async run(handler, signal) {
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          await publisher.ensureTopic(config.KAFKA_TOPIC, config.KAFKA_TOPIC_PARTITIONS);
          await publisher.ensureTopic(config.KAFKA_DLQ_TOPIC, config.KAFKA_TOPIC_PARTITIONS);
          break;
        } catch (err) {
          logger.warn({ err: (err as Error).message, attempt }, 'cannot ensure Kafka topics; retrying');
          await sleep(Math.min(30_000, 500 * 2 ** attempt), signal);
        }
      }
      if (!signal.aborted) await consumer.run(handler, signal);
    },
  };

  return {
    deps: {
      subscriber,
      deadLetters: new DlqPublisher(publisher, config.KAFKA_DLQ_TOPIC),
      readLag: async () =>
        (await lagReader.read(config.KAFKA_CONSUMER_GROUP, config.KAFKA_TOPIC)).partitions.map((p) => ({
          partition: p.partition,
          lag: p.lag,
        })),
      // By default a broker outage does not fail /ready: the read API must stay in the Service
      // while Kafka is down (consumer health shows in catcast_consumer_lag instead).
      ...(config.AGGREGATION_READY_REQUIRES_KAFKA
        ? { readinessChecks: { kafka: () => publisher.ping() } }
        : {}),
    },
    async close() {
      await Promise.all([publisher.close(), lagReader.close().catch(() => undefined)]);
    },
  };
}
