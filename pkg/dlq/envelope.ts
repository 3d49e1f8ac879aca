import { HEADERS, type EventPublisher, type IncomingMessage, type OutgoingMessage } from '../events/index.js';

/** Longest DLQ reason kept in a header; a header is not a place for a full stack trace. */
const MAX_REASON_LENGTH = 2000;

/**
 * Builds the dead-letter copy of a rejected message: same key, value and headers, plus why it was
 * rejected and where it came from (so `catcast dlq replay` can put it back).
 */
export function toDlqMessage(message: IncomingMessage, reason: string): OutgoingMessage {
  return {
    key: message.key ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: {
      ...message.headers,
      [HEADERS.dlqReason]: reason.length > MAX_REASON_LENGTH ? reason.slice(0, MAX_REASON_LENGTH) : reason,
      [HEADERS.dlqSourceTopic]: message.topic,
      [HEADERS.dlqSourcePartition]: String(message.partition),
      [HEADERS.dlqSourceOffset]: message.offset,
    },
  };
}

/** A rejected message and the reason it was rejected. */
export interface Rejected {
  readonly message: IncomingMessage;
  readonly reason: string;
}

/** Publishes rejected messages to the dead-letter topic through any {@link EventPublisher}. */
export class DlqPublisher {
  constructor(
    private readonly publisher: EventPublisher,
    readonly topic: string,
  ) {}

  /** Publishes all `rejected` in one call; resolves once acknowledged. */
  async publish(rejected: readonly Rejected[]): Promise<void> {
    if (rejected.length === 0) return;
    await this.publisher.publish(
      this.topic,
      rejected.map((r) => toDlqMessage(r.message, r.reason)),
    );
  }
}
