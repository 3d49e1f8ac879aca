import type {
  BatchHandler,
  EventPublisher,
  EventSubscriber,
  IncomingMessage,
  OutgoingMessage,
} from '../events/index.js';
import type { Logger } from '../log/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** Options of {@link EmbeddedBus}. */
export interface EmbeddedBusOptions {
  /** Messages a topic holds before `publish` waits for room (backpressure). @default 10000 */
  readonly maxQueued?: number;
  /**
   * How long `publish` waits for room and for the subscriber to handle its messages before it rejects
   * (the relay then keeps its rows and retries). @default 30000
   */
  readonly publishTimeoutMs?: number;
  /** Most messages handed to a handler at once. @default 500 */
  readonly maxBatchSize?: number;
  /**
   * Topics nobody subscribes to in-process (e.g. the DLQ): `publish` resolves once the message is stored
   * in a bounded in-memory log readable with {@link EmbeddedBus.stored}. @default none
   */
  readonly sinkTopics?: readonly string[];
  /** First and maximum delay after a failed batch. @default 100 / 5000 */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** @default no logging */
  readonly logger?: Logger;
}

/** Raised when `publish` gave up waiting; the messages may or may not be delivered later. */
export class EmbeddedBusTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedBusTimeoutError';
  }
}

interface Ticket {
  remaining: number;
  settled: boolean;
  resolve(): void;
  reject(err: Error): void;
}

interface Entry {
  readonly message: IncomingMessage;
  readonly ticket: Ticket;
}

/** Wakes every waiter at once; waiters re-check their condition. */
class Notifier {
  #waiters = new Set<() => void>();

  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /** Resolves on the next notify, on abort, or after `timeoutMs`. */
  wait(signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, Math.max(0, timeoutMs));
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

class TopicLog {
  /** Uncommitted messages in publish order; the first `inflight` are being handled. */
  queue: Entry[] = [];
  inflight = 0;
  nextOffset = 0n;
  committed = 0;
  /** Whether a subscriber currently consumes (one at a time, like a single-partition group). */
  owned = false;
  readonly changed = new Notifier();
  /** Sink topics only: the stored messages, oldest first. */
  readonly stored: IncomingMessage[] = [];

  constructor(readonly name: string) {}
}

/**
 * The in-process event bus used when KAFKA_BROKERS is unset: one partition per topic, one consuming
 * subscriber at a time, and the at-least-once guarantee of the Kafka adapter made stronger:
 * `publish` resolves only after the subscriber's handler resolved for every one of its messages, so a
 * crash at any point leaves the outbox rows unpublished and nothing is lost.
 */
export class EmbeddedBus implements EventPublisher {
  readonly #topics = new Map<string, TopicLog>();
  readonly #maxQueued: number;
  readonly #publishTimeoutMs: number;
  readonly #maxBatchSize: number;
  readonly #sinkTopics: ReadonlySet<string>;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #logger: Logger | undefined;
  #closed = false;

  constructor(options: EmbeddedBusOptions = {}) {
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    this.#maxBatchSize = options.maxBatchSize ?? 500;
    this.#sinkTopics = new Set(options.sinkTopics ?? []);
    this.#initialBackoffMs = options.initialBackoffMs ?? 100;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.#logger = options.logger?.child({ component: 'embedded-bus' });
    if (this.#maxQueued < 1) throw new RangeError(`maxQueued must be >= 1, got ${this.#maxQueued}`);
    if (this.#maxBatchSize < 1) throw new RangeError(`maxBatchSize must be >= 1, got ${this.#maxBatchSize}`);
  }

  #topic(name: string): TopicLog {
    let log = this.#topics.get(name);
    if (!log) {
      log = new TopicLog(name);
      this.#topics.set(name, log);
    }
    return log;
  }

  /** Resolves once the subscriber of `topic` handled all `messages` (sink topics: once stored). */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.#closed) throw new Error('cannot publish: the embedded bus is closed');
    const log = this.#topic(topic);
    const deadline = Date.now() + this.#publishTimeoutMs;

    if (this.#sinkTopics.has(topic)) {
      for (const m of messages) log.stored.push(this.#incoming(log, m));
      // Bounded: a dev process must not grow forever because nobody reads its DLQ.
      if (log.stored.length > this.#maxQueued) log.stored.splice(0, log.stored.length - this.#maxQueued);
      log.committed += messages.length;
      return;
    }

    // Backpressure: wait for room; a batch larger than the whole queue is admitted once it is empty.
    while (log.queue.length > 0 && log.queue.length + messages.length > this.#maxQueued) {
      if (this.#closed) throw new Error('cannot publish: the embedded bus is closed');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new EmbeddedBusTimeoutError(
          `cannot publish ${messages.length} messages to ${topic}: queue full for ${this.#publishTimeoutMs} ms (is the subscriber running?)`,
        );
      await log.changed.wait(undefined, left);
    }

    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve, reject) => {
      const ticket: Ticket = {
        remaining: messages.length,
        settled: false,
        resolve: () => {
          ticket.settled = true;
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          ticket.settled = true;
          clearTimeout(timer);
          reject(err);
        },
      };
      for (const m of messages) log.queue.push({ message: this.#incoming(log, m), ticket });
      timer = setTimeout(
        () => {
          // Withdraw what nobody started handling yet, so a retried publish does not duplicate it.
          const head = log.queue.slice(0, log.inflight);
          const tail = log.queue.slice(log.inflight).filter((e) => e.ticket !== ticket);
          log.queue = [...head, ...tail];
          log.changed.notify();
          ticket.reject(
            new EmbeddedBusTimeoutError(
              `cannot publish ${messages.length} messages to ${topic}: not handled within ${this.#publishTimeoutMs} ms (is the subscriber running?)`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      log.changed.notify();
    });
    await done;
  }

  #incoming(log: TopicLog, m: OutgoingMessage): IncomingMessage {
    const offset = log.nextOffset++;
    return {
      topic: log.name,
      partition: 0,
      offset: offset.toString(),
      key: m.key,
      value: m.value,
      headers: { ...m.headers },
      timestamp: Date.now(),
    };
  }

  /** Topics need no creation in-process; present for the {@link EventPublisher} contract. */
  async ensureTopic(topic: string, _partitions: number): Promise<void> {
    this.#topic(topic);
    return Promise.resolve();
  }

  /** A subscriber of `topic`; several may exist, but only one consumes at a time. */
  subscriber(topic: string): EventSubscriber {
    return { run: (handler, signal) => this.#consume(this.#topic(topic), handler, signal) };
  }

  /** Messages handled (committed) on `topic` so far. */
  committedCount(topic: string): number {
    return this.#topics.get(topic)?.committed ?? 0;
  }

  /** Messages waiting on `topic` (including the batch being handled). */
  pendingCount(topic: string): number {
    return this.#topics.get(topic)?.queue.length ?? 0;
  }

  /** The messages stored on a sink topic, oldest first. */
  stored(topic: string): readonly IncomingMessage[] {
    return this.#topics.get(topic)?.stored ?? [];
  }

  /** Rejects every pending publish; running subscribers stop when their signal aborts. */
  close(): Promise<void> {
    this.#closed = true;
    for (const log of this.#topics.values()) {
      for (const e of log.queue.slice(log.inflight)) {
        if (!e.ticket.settled) e.ticket.reject(new Error('the embedded bus was closed'));
      }
      log.queue = log.queue.slice(0, log.inflight);
      log.changed.notify();
    }
    return Promise.resolve();
  }

  async #consume(log: TopicLog, handler: BatchHandler, signal: AbortSignal): Promise<void> {
    while (log.owned) {
      if (signal.aborted) return;
      await log.changed.wait(signal);
    }
    log.owned = true;
    let failures = 0;
    try {
      while (!signal.aborted) {
        if (log.queue.length === 0) {
          await log.changed.wait(signal);
          continue;
        }
        const batch = log.queue.slice(0, this.#maxBatchSize);
        log.inflight = batch.length;
        try {
          await handler(batch.map((e) => e.message));
        } catch (err) {
          log.inflight = 0;
          failures++;
          const delay = backoffDelay(failures, this.#initialBackoffMs, this.#maxBackoffMs);
          this.#logger?.warn(
            { err, topic: log.name, firstOffset: batch[0]?.message.offset, retryInMs: delay },
            'batch handler failed; the batch will be delivered again',
          );
          // The batch stays at the head of the queue: the next attempt (or the next subscriber) gets it.
          await abortableSleep(delay, signal);
          continue;
        }
        failures = 0;
        // Commit: drop the batch, then settle each publisher whose messages are now all handled.
        log.queue = log.queue.slice(batch.length);
        log.inflight = 0;
        log.committed += batch.length;
        for (const e of batch) {
          if (!e.ticket.settled && --e.ticket.remaining === 0) e.ticket.resolve();
        }
        log.changed.notify();
      }
    } finally {
      log.inflight = 0;
      log.owned = false;
      log.changed.notify();
    }
  }
}
