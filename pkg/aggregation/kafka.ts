import type { EventSubscriber } from '../events/index.js';
import type { ReadinessCheck } from '../http/index.js';
import { DlqPublisher } from '../dlq/index.js';
import {
  createKafka,
  KafkaPublisher,
  KafkaSubscriber,
  LagReader,
  readTopicRetention,
  retentionProblem,
} from '../kafka/index.js';
import type { Logger } from '../log/index.js';
import type { AggregatorConfig } from './config.js';
import type { DeadLetterSink } from './consumer.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** The event plumbing of the aggregator: where batches come from and where poison goes. */
export interface AggregatorEventDeps {
  /** Source of order events; without one only the read API runs. */
  readonly subscriber?: EventSubscriber;
  /** Dead-letter destination; required with a subscriber. */
  readonly deadLetters?: DeadLetterSink;
  /** Reads the consumer group's lag per partition, for catcast_consumer_lag. @default none */
  readonly readLag?: () => Promise<ReadonlyArray<{ readonly partition: number; readonly lag: number }>>;
  /** Extra readiness checks (e.g. kafka), added to the database check. */
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
}

/** The Kafka collaborators of the aggregator and how to release them. */
export interface KafkaWiring {
  readonly deps: AggregatorEventDeps;
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
    minBytes: config.AGGREGATION_FETCH_MIN_BYTES,
    maxWaitTimeMs: config.AGGREGATION_FETCH_MAX_WAIT_MS,
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
          await abortableSleep(backoffDelay(attempt, 1000, 30_000), signal);
        }
      }
      if (signal.aborted) return;
      await checkTopicRetention(kafka, config, logger);
      await consumer.run(handler, signal);
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

/** Raised at start when order-events may outlive the dedupe window (KAFKA_TOPIC_RETENTION_CHECK=refuse). */
export class TopicRetentionError extends Error {
  override readonly name = 'TopicRetentionError';
}

/**
 * Exactness needs Kafka to drop a message before its event id leaves processed_events. Checks the
 * topic's effective retention once before consuming; a broker that does not answer DescribeConfigs
 * (e.g. not authorised) only logs a warning, since the check cannot decide anything then.
 */
async function checkTopicRetention(
  kafka: ReturnType<typeof createKafka>,
  config: AggregatorConfig,
  logger: Logger,
): Promise<void> {
  const admin = kafka.admin();
  let problem: string | null;
  try {
    await admin.connect();
    const retention = await readTopicRetention(admin, config.KAFKA_TOPIC);
    problem = retentionProblem(config.KAFKA_TOPIC, retention, config.PROCESSED_EVENTS_RETENTION_DAYS);
    if (!problem)
      logger.info({ topic: config.KAFKA_TOPIC, ...retention }, 'topic retention fits the dedupe window');
  } catch (err) {
    logger.warn(
      { err: (err as Error).message, topic: config.KAFKA_TOPIC },
      'cannot check the topic retention',
    );
    return;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (!problem) return;
  if (config.KAFKA_TOPIC_RETENTION_CHECK === 'warn') logger.warn({ topic: config.KAFKA_TOPIC }, problem);
  else throw new TopicRetentionError(problem);
}
