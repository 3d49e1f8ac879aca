import {
  CompressionTypes,
  Partitioners,
  type Admin,
  type ICustomPartitioner,
  type Kafka,
  type Message,
  type Producer,
} from 'kafkajs';
import type { EventPublisher, OutgoingMessage } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { tracePublish } from '../telemetry/index.js';
import { installFastRecordEncoder } from './record-encoder.js';

/** Options of {@link KafkaPublisher}. */
export interface KafkaPublisherOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  /** Replication factor of topics created by {@link KafkaPublisher.ensureTopic}. @default 1 */
  readonly replicationFactor?: number;
  /**
   * Producer retries of one publish before it rejects. kafkajs defaults to infinite retries for the
   * idempotent producer, which would hang the relay during an outage; the relay retries rows itself.
   * @default 5
   */
  readonly retries?: number;
  /** Broker-side ack timeout of one produce request in ms. @default 30000 */
  readonly ackTimeoutMs?: number;
  /** Compress record batches. @default false */
  readonly gzip?: boolean;
}

/** Keys remembered per topic by {@link memoizedDefaultPartitioner} before it starts over. */
const PARTITION_CACHE_KEYS = 100_000;

/**
 * kafkajs' DefaultPartitioner (Java-compatible murmur2 of the key) with each string key's partition
 * remembered per topic and partition count: keys are merchant ids, few and repeated, and the
 * partitioner hashed each one and filtered the partition list for every message. Messages without a
 * string key, or with an explicit partition, go to the DefaultPartitioner unchanged.
 */
export const memoizedDefaultPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== 'string' || message.partition != null) return inner(args);
    let memo = byTopic.get(topic);
    if (memo?.partitions !== partitionMetadata.length || memo.keys.size >= PARTITION_CACHE_KEYS) {
      memo = { partitions: partitionMetadata.length, keys: new Map() };
      byTopic.set(topic, memo);
    }
    let partition = memo.keys.get(key);
    if (partition === undefined) {
      partition = inner(args);
      memo.keys.set(key, partition);
    }
    return partition;
  };
};

/** Raised when a publish was not acknowledged; the rows/messages must be retried. */
export class PublishError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/**
 * The production {@link EventPublisher}: a kafkajs idempotent producer (acks=-1, one request in flight
 * per broker as kafkajs' idempotence requires, the Java-compatible murmur2 partitioner pinned), one
 * produce call per `publish`.
 */
export class KafkaPublisher implements EventPublisher {
  readonly #kafka: Kafka;
  readonly #logger: Logger;
  readonly #replicationFactor: number;
  readonly #retries: number;
  readonly #ackTimeoutMs: number;
  readonly #gzip: boolean;
  #producer: Promise<Producer> | undefined;
  #admin: Promise<Admin> | undefined;
  #closed = false;

  constructor(options: KafkaPublisherOptions) {
    this.#kafka = options.kafka;
    this.#logger = options.logger.child({ component: 'kafka-publisher' });
    this.#replicationFactor = options.replicationFactor ?? 1;
    this.#retries = options.retries ?? 5;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#gzip = options.gzip ?? false;
    if (this.#replicationFactor < 1)
      throw new RangeError(`replicationFactor must be >= 1, got ${this.#replicationFactor}`);
    // Before the first produce: kafkajs' own record encoding cost a third of the relay's CPU.
    if (!installFastRecordEncoder())
      this.#logger.debug('kafkajs produced before the fast record encoder could be installed');
  }

  /** Sends `messages` to `topic` and resolves once the broker acknowledged all of them (acks=-1). */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.#closed) throw new Error('cannot publish: the Kafka publisher is closed');
    const producerPromise = this.#connectProducer();
    try {
      const producer = await producerPromise;
      // Each message keeps the traceparent its producer set (see tracePublish).
      await tracePublish(topic, messages, () =>
        producer.send({
          topic,
          acks: -1,
          timeout: this.#ackTimeoutMs,
          compression: this.#gzip ? CompressionTypes.GZIP : CompressionTypes.None,
          // Passed as they are (no per-message copies): kafkajs only reads them, and its tracing
          // instrumentation, which would add a header, is suppressed by tracePublish.
          messages: messages as Message[],
        }),
      );
    } catch (err) {
      // A producer whose send failed may hold stale idempotence sequence numbers; a fresh producer
      // (new producer id) is the safe way back. Duplicates this may cause are deduplicated downstream.
      this.#discardProducer(producerPromise);
      throw new PublishError(
        `cannot publish ${messages.length} messages to ${topic}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Creates `topic` with `partitions` partitions if it does not exist (idempotent, race-safe). */
  async ensureTopic(topic: string, partitions: number): Promise<void> {
    const admin = await this.#connectAdmin();
    try {
      const existing = await admin.listTopics();
      if (existing.includes(topic)) return;
      // createTopics answers false (no throw) when another process created it first.
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions, replicationFactor: this.#replicationFactor }],
      });
      if (created) this.#logger.info({ topic, partitions }, 'created topic');
    } catch (err) {
      this.#admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw new Error(`cannot ensure topic ${topic}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Resolves when the cluster answers a metadata request (for /ready). */
  async ping(): Promise<void> {
    const admin = await this.#connectAdmin();
    try {
      await admin.describeCluster();
    } catch (err) {
      this.#admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Disconnects the producer and the admin client. */
  async close(): Promise<void> {
    this.#closed = true;
    const producer = this.#producer;
    const admin = this.#admin;
    this.#producer = undefined;
    this.#admin = undefined;
    await Promise.all([
      producer?.then((p) => p.disconnect()).catch(() => undefined),
      admin?.then((a) => a.disconnect()).catch(() => undefined),
    ]);
  }

  #connectProducer(): Promise<Producer> {
    if (!this.#producer) {
      const producer = this.#kafka.producer({
        idempotent: true,
        // kafkajs keeps idempotence sequence numbers correct only with one request in flight.
        maxInFlightRequests: 1,
        // Maps keys to partitions like the Java client (and silences the kafkajs v2 warning).
        createPartitioner: memoizedDefaultPartitioner,
        allowAutoTopicCreation: false,
        retry: { retries: this.#retries, initialRetryTime: 200, maxRetryTime: 5_000 },
      });
      const connecting = producer.connect().then(() => producer);
      this.#producer = connecting;
      connecting.catch(() => {
        if (this.#producer === connecting) this.#producer = undefined;
      });
    }
    return this.#producer;
  }

  #discardProducer(current: Promise<Producer>): void {
    if (this.#producer !== current) return;
    this.#producer = undefined;
    current.then((p) => p.disconnect()).catch(() => undefined);
  }

  #connectAdmin(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#kafka.admin({ retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 } });
      const connecting = admin.connect().then(() => admin);
      this.#admin = connecting;
      connecting.catch(() => {
        if (this.#admin === connecting) this.#admin = undefined;
      });
    }
    return this.#admin;
  }
}
