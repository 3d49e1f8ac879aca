import type { Pool } from '../db/index.js';
import { isUnavailableError } from '../db/index.js';
import {
  HEADERS,
  type BatchHandler,
  type EventPublisher,
  type IncomingMessage,
  type OutgoingMessage,
} from '../events/index.js';
import type { Logger } from '../log/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';
import { traceConsumedBatch, type ConsumedBatchTrace } from '../telemetry/index.js';
import { applyBatch, type ApplyResult } from './apply.js';
import type { ChangedPeriod } from '../events/index.js';
import type { AggregationMetrics } from './metrics.js';

/** Options of {@link createBatchHandler}. */
export interface BatchHandlerOptions {
  readonly pool: Pool;
  /** Where rejected messages go (the dead-letter topic). */
  readonly deadLetters: DeadLetterSink;
  readonly metrics: AggregationMetrics;
  readonly logger: Logger;
  /** How long to retry a batch while the database is unavailable before failing it. @default 15000 */
  readonly retryForMs?: number;
  /** Stops retrying early (shutdown). */
  readonly signal?: AbortSignal;
  /** Called with the periods a committed batch changed (read-cache invalidation). */
  readonly onApplied?: (periods: readonly ChangedPeriod[]) => void;
}

const MAX_REASON = 1000;

/** Publishes rejected messages to the dead-letter topic; resolves once they are acknowledged. */
export interface DeadLetterSink {
  publish(rejected: readonly { readonly message: IncomingMessage; readonly reason: string }[]): Promise<void>;
}

/** A {@link DeadLetterSink} over any {@link EventPublisher} (Kafka or the embedded bus). */
export function deadLetterSink(publisher: EventPublisher, topic = 'order-events.dlq'): DeadLetterSink {
  return {
    async publish(rejected) {
      if (rejected.length > 0) await publisher.publish(topic, rejected.map(toDeadLetter));
    },
  };
}

/** The DLQ copy of a rejected message: original key, value and headers plus the reason and its origin. */
export function toDeadLetter(rejected: {
  readonly message: IncomingMessage;
  readonly reason: string;
}): OutgoingMessage {
  const { message, reason } = rejected;
  return {
    key: message.key ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: {
      ...message.headers,
      [HEADERS.dlqReason]: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
      [HEADERS.dlqSourceTopic]: message.topic,
      [HEADERS.dlqSourcePartition]: String(message.partition),
      [HEADERS.dlqSourceOffset]: message.offset,
    },
  };
}

/**
 * The aggregator's consumer callback: applies the batch in one transaction, then publishes rejected
 * messages to the DLQ, and only then resolves (so the subscriber commits offsets after both).
 * Retries while the database is unavailable; other failures reject so the batch is redelivered.
 */
export function createBatchHandler(options: BatchHandlerOptions): BatchHandler {
  const { pool, deadLetters, metrics, logger, retryForMs = 15_000, signal, onApplied } = options;
  return async function handleBatch(batch) {
    if (batch.length === 0) return;
    // One span per event, continuing the order's trace; the batch's SQL hangs under a batch span.
    const trace = traceConsumedBatch(batch[0]!.topic, batch);
    try {
      await trace.run(() => handle(batch, trace));
      trace.end();
    } catch (err) {
      trace.end(err);
      throw err;
    }
  };

  async function handle(batch: readonly IncomingMessage[], trace: ConsumedBatchTrace) {
    const stop = metrics.batchSeconds.startTimer();
    const result = await withRetry(() => applyBatch(pool, batch), retryForMs, logger, signal);
    if (result.changedPeriods.length > 0) onApplied?.(result.changedPeriods);
    if (result.rejected.length > 0) {
      await deadLetters.publish(result.rejected);
      for (const r of result.rejected) {
        trace.deadLettered(r.message, r.reason);
        metrics.dlqMessages.inc({ reason: r.kind });
        logger.warn(
          {
            topic: r.message.topic,
            partition: r.message.partition,
            offset: r.message.offset,
            reason: r.reason,
          },
          'message sent to the dead-letter topic',
        );
      }
    }
    metrics.eventsApplied.inc(result.applied);
    metrics.eventsDuplicate.inc(result.duplicates);
    trace.annotate({
      'catcast.events.applied': result.applied,
      'catcast.events.duplicates': result.duplicates,
      'catcast.events.dead_lettered': result.rejected.length,
    });
    if (result.newestAppliedEventAt) metrics.noteApplied(result.newestAppliedEventAt);
    stop();
    logger.debug(
      {
        messages: batch.length,
        applied: result.applied,
        duplicates: result.duplicates,
        rows: result.rowsUpserted,
      },
      'batch applied',
    );
  }
}

async function withRetry(
  fn: () => Promise<ApplyResult>,
  retryForMs: number,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<ApplyResult> {
  const deadline = Date.now() + retryForMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isUnavailableError(err) || Date.now() > deadline || signal?.aborted) {
        throw new Error('cannot apply the batch of order events', { cause: err });
      }
      const delay = backoffDelay(attempt, 200, 2000);
      logger.warn(
        { attempt, delayMs: delay, err: (err as Error).message },
        'database unavailable; retrying batch',
      );
      await abortableSleep(delay, signal);
    }
  }
}
