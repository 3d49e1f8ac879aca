import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { BatchHandler, EventSubscriber, IncomingMessage } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** Options of {@link KafkaSubscriber}. */
export interface KafkaSubscriberOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly logger: Logger;
  /** Where a group without committed offsets starts. @default true (the earliest retained message) */
  readonly fromBeginning?: boolean;
  /** Group session timeout in ms. @default 30000 */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval in ms, also used while a long batch is being handled. @default 3000 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Longest time the broker holds a fetch that has less than `minBytes`, in ms; bounds how long abort
   * waits for an idle fetch. @default 1000
   */
  readonly maxWaitTimeMs?: number;
  /**
   * Bytes a fetch waits for (at most `maxWaitTimeMs`) before the broker answers: above 1, a trickle of
   * messages arrives as one batch per wait instead of one batch per message. @default 1
   */
  readonly minBytes?: number;
  /** Max bytes fetched per partition per batch. @default 1048576 */
  readonly maxBytesPerPartition?: number;
  /**
   * Max bytes of one fetch response over all partitions. Every message of a fetch stays in memory
   * until the last of its partition batches is handled, so this bounds the consumer's heap. @default 10485760
   */
  readonly maxBytes?: number;
  /** Partitions handled at the same time (each call of the handler is one partition's batch). @default 1 */
  readonly partitionsConsumedConcurrently?: number;
  /** First and maximum delay in ms after a failed batch or a failed connection. @default 200 / 30000 */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

function headerString(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function decodeHeaders(raw: KafkaMessage['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const s = headerString(value);
    if (s !== undefined) headers[name] = s;
  }
  return headers;
}

/**
 * An {@link IncomingMessage} over a kafkajs message whose headers are decoded on first use. The
 * aggregator reads them only for tracing and dead letters, while a drain fetch holds ~14,000
 * messages of ~9 headers each: decoding them all up front cost ~0.6 KB of heap per message that
 * outlived the young generation (promoted to old space with the batch).
 */
class KafkaIncomingMessage implements IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  #raw: KafkaMessage['headers'] | undefined;
  #headers: Record<string, string> | undefined;

  constructor(topic: string, partition: number, m: KafkaMessage) {
    this.topic = topic;
    this.partition = partition;
    this.offset = m.offset;
    this.key = m.key ? m.key.toString('utf8') : null;
    this.value = m.value;
    this.timestamp = Number(m.timestamp);
    this.#raw = m.headers;
  }

  get headers(): Readonly<Record<string, string>> {
    if (this.#headers === undefined) {
      this.#headers = decodeHeaders(this.#raw);
      this.#raw = undefined;
    }
    return this.#headers;
  }

  // Spreading or serialising the message keeps its headers (a getter is not an own property).
  toJSON(): IncomingMessage {
    return { ...this, headers: this.headers };
  }
}

/** Converts a kafkajs message into the bus's {@link IncomingMessage} (headers decoded on first read). */
export function toIncomingMessage(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  return new KafkaIncomingMessage(topic, partition, m);
}

/**
 * The production {@link EventSubscriber}: a kafkajs consumer group member that hands each fetched
 * partition batch to the handler and commits the offsets to Kafka only after the handler resolved.
 * A failed batch is not resolved, so kafkajs fetches it again after a backoff (redelivery); a broker
 * outage is retried until `signal` aborts.
 */
export class KafkaSubscriber implements EventSubscriber {
  readonly #o: Required<Omit<KafkaSubscriberOptions, 'kafka' | 'logger'>>;
  readonly #kafka: Kafka;
  readonly #logger: Logger;
  #failures = 0;

  constructor(options: KafkaSubscriberOptions) {
    this.#kafka = options.kafka;
    this.#logger = options.logger.child({
      component: 'kafka-subscriber',
      topic: options.topic,
      groupId: options.groupId,
    });
    this.#o = {
      topic: options.topic,
      groupId: options.groupId,
      fromBeginning: options.fromBeginning ?? true,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeMs: options.maxWaitTimeMs ?? 1_000,
      minBytes: options.minBytes ?? 1,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxBytes: options.maxBytes ?? 10_485_760,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      initialBackoffMs: options.initialBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    };
    if (this.#o.heartbeatIntervalMs * 3 > this.#o.sessionTimeoutMs)
      throw new RangeError(
        `heartbeatIntervalMs (${this.#o.heartbeatIntervalMs}) must be at most a third of sessionTimeoutMs (${this.#o.sessionTimeoutMs})`,
      );
  }

  /** Consumes until `signal` aborts; then finishes (and commits) the batch in progress and leaves the group. */
  async run(handler: BatchHandler, signal: AbortSignal): Promise<void> {
    let connectFailures = 0;
    while (!signal.aborted) {
      const consumer = this.#createConsumer();
      try {
        const crashed = new Promise<never>((_, reject) => {
          consumer.on(consumer.events.CRASH, (event) => {
            // kafkajs restarts the consumer itself unless the error is not retriable.
            if (!event.payload.restart) reject(event.payload.error);
          });
        });
        crashed.catch(() => undefined);
        await consumer.connect();
        await consumer.subscribe({ topics: [this.#o.topic], fromBeginning: this.#o.fromBeginning });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.#o.partitionsConsumedConcurrently,
          eachBatch: (payload) => this.#eachBatch(payload, handler, signal),
        });
        connectFailures = 0;
        this.#logger.info('consuming');
        await Promise.race([crashed, aborted(signal)]);
      } catch (err) {
        connectFailures++;
        const delay = backoffDelay(connectFailures, this.#o.initialBackoffMs, this.#o.maxBackoffMs);
        this.#logger.warn({ err, retryInMs: delay }, 'consumer failed; restarting');
        await this.#disconnect(consumer);
        await abortableSleep(delay, signal);
        continue;
      }
      await this.#disconnect(consumer);
    }
  }

  async #disconnect(consumer: Consumer): Promise<void> {
    // disconnect() stops the runner, which waits for the batch in progress (and its commit).
    await consumer.disconnect().catch((err: unknown) => this.#logger.warn({ err }, 'cannot disconnect'));
  }

  #createConsumer(): Consumer {
    return this.#kafka.consumer({
      groupId: this.#o.groupId,
      sessionTimeout: this.#o.sessionTimeoutMs,
      heartbeatInterval: this.#o.heartbeatIntervalMs,
      maxWaitTimeInMs: this.#o.maxWaitTimeMs,
      minBytes: this.#o.minBytes,
      maxBytesPerPartition: this.#o.maxBytesPerPartition,
      maxBytes: this.#o.maxBytes,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  async #eachBatch(payload: EachBatchPayload, handler: BatchHandler, signal: AbortSignal): Promise<void> {
    // kafkajs passes these as plain closures, so calling them detached is safe.
    /* eslint-disable @typescript-eslint/unbound-method */
    const { batch, heartbeat, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    /* eslint-enable @typescript-eslint/unbound-method */
    // After abort, batches already fetched are left unresolved: the next group member gets them.
    if (signal.aborted || !isRunning() || isStale() || batch.messages.length === 0) return;
    const messages = batch.messages.map((m) => toIncomingMessage(batch.topic, batch.partition, m));

    // Keep the membership alive while the handler works on a long batch.
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) => this.#logger.debug({ err }, 'heartbeat during batch failed'));
    }, this.#o.heartbeatIntervalMs);
    try {
      await handler(messages);
    } catch (err) {
      this.#failures++;
      const delay = backoffDelay(this.#failures, this.#o.initialBackoffMs, this.#o.maxBackoffMs);
      this.#logger.warn(
        { err, partition: batch.partition, firstOffset: batch.firstOffset(), retryInMs: delay },
        'batch handler failed; the batch will be delivered again',
      );
      // Not resolving the offsets makes kafkajs fetch the same messages again.
      await abortableSleep(delay, signal);
      return;
    } finally {
      clearInterval(beat);
    }
    this.#failures = 0;
    const last = batch.lastOffset();
    resolveOffset(last);
    await commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
        },
      ],
    });
    await heartbeat();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
