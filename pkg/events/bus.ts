/** A message as published to the event bus. */
export interface OutgoingMessage {
  /** Partition key: the merchant id, so one merchant's events stay in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** A message as delivered to a subscriber. */
export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offset as a decimal string (Kafka offsets exceed 2^53 in theory). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker timestamp in ms since epoch. */
  readonly timestamp: number;
}

/**
 * Publishes messages durably: `publish` resolves only once every message is acknowledged by the bus
 * (Kafka: acks=all from the idempotent producer; embedded: after the consumer committed it).
 */
export interface EventPublisher {
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Creates the topic if it is missing. */
  ensureTopic(topic: string, partitions: number): Promise<void>;
  close(): Promise<void>;
}

/** Handles one batch; offsets are committed only after it resolves (at-least-once). */
export type BatchHandler = (batch: readonly IncomingMessage[]) => Promise<void>;

/**
 * Delivers messages of a topic to a handler in batches, at least once, committing offsets after the
 * handler resolved; `run` returns once `signal` aborts and the current batch finished.
 */
export interface EventSubscriber {
  run(handler: BatchHandler, signal: AbortSignal): Promise<void>;
}
