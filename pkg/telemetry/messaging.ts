import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { HEADERS, type IncomingMessage, type OutgoingMessage } from '../events/index.js';
import { contextFromTraceparent, traceparentOf } from './context.js';
import { telemetryStarted } from './shutdown.js';

const TRACER = 'catcast';
/** Attribute keys of the OpenTelemetry messaging semantic conventions (spelled out: they are still "incubating"). */
const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  partition: 'messaging.destination.partition.id',
  key: 'messaging.kafka.message.key',
  offset: 'messaging.kafka.offset',
} as const;

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** An outbox row as far as tracing cares. */
export interface TracedOutboxRow {
  readonly id: string;
  readonly partition_key: string;
  /** The ingest request's context, stored with the row. */
  readonly traceparent: string | null;
  readonly created_at: Date;
}

/** The spans of one relay batch; see {@link traceOutboxBatch}. */
export interface OutboxBatchTrace {
  /** The messages with each traceparent header replaced by the event's own "create" span. */
  inject(messages: readonly OutgoingMessage[]): OutgoingMessage[];
  /** Runs `fn` inside the batch span (the publish call and the UPDATE become its children). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Ends every span (once; later calls do nothing); `err` marks them failed (the rows stay for a retry). */
  end(err?: unknown): void;
}

const PASSTHROUGH: OutboxBatchTrace = {
  inject: (messages) => [...messages],
  run: (fn) => fn(),
  end: () => undefined,
};

/**
 * Traces one relay batch following the messaging conventions for batch publishing: per event, an
 * "outbox wait" span (from the row's creation until the relay picked it up) and a "create" span,
 * both children of the ingest request's stored context, whose context replaces the message's
 * traceparent; and one "publish" batch span linked to every event. Without a started SDK the
 * messages pass unchanged (the stored traceparent still travels on).
 */
export function traceOutboxBatch(topic: string, rows: readonly TracedOutboxRow[]): OutboxBatchTrace {
  if (!telemetryStarted() || rows.length === 0) return PASSTHROUGH;
  const tracer = trace.getTracer(TRACER);
  const picked = new Date();
  const parents = rows.map((r) => contextFromTraceparent(r.traceparent));
  const batch = tracer.startSpan(`publish ${topic}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [ATTR.system]: 'kafka',
      [ATTR.destination]: topic,
      [ATTR.batchCount]: rows.length,
      'catcast.outbox.oldest_wait_seconds': Math.max(
        0,
        (picked.getTime() - Math.min(...rows.map((r) => r.created_at.getTime()))) / 1000,
      ),
    },
    links: parents.flatMap((p): Link[] => {
      const sc = p && trace.getSpanContext(p);
      return sc ? [{ context: sc }] : [];
    }),
  });
  const batchCtx = trace.setSpan(context.active(), batch);
  const creates = rows.map((row, i) => {
    const parent = parents[i] ?? batchCtx;
    const waited = Math.max(0, (picked.getTime() - row.created_at.getTime()) / 1000);
    if (parents[i]) {
      // Makes the time an order spent waiting in the outbox visible in its trace.
      tracer
        .startSpan(
          'outbox wait',
          { startTime: row.created_at, attributes: { 'catcast.outbox.event_id': row.id } },
          parent,
        )
        .end(picked);
    }
    return tracer.startSpan(
      `create ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR.system]: 'kafka',
          [ATTR.destination]: topic,
          [ATTR.operationType]: 'create',
          [ATTR.operationName]: 'create',
          [ATTR.messageId]: row.id,
          [ATTR.key]: row.partition_key,
          'catcast.outbox.wait_seconds': waited,
        },
        links: [{ context: batch.spanContext() }],
      },
      parent,
    );
  });
  let ended = false;
  return {
    inject(messages) {
      return messages.map((m, i) => {
        const span = creates[i];
        const tp = span ? traceparentOf(trace.setSpan(context.active(), span)) : undefined;
        return tp ? { ...m, headers: { ...m.headers, [HEADERS.traceparent]: tp } } : m;
      });
    },
    run: (fn) => context.with(batchCtx, fn),
    end(err) {
      if (ended) return;
      ended = true;
      for (const span of [...creates, batch]) {
        if (err !== undefined) fail(span, err);
        span.end();
      }
    },
  };
}

/**
 * Runs a produce call with the kafkajs instrumentation suppressed, inside one "send" span linked to
 * each message's context. The instrumentation would otherwise start its own producer span per
 * message under the *current* context and overwrite each message's traceparent with it, cutting
 * every event off from the order it belongs to.
 */
export async function tracePublish<T>(
  topic: string,
  messages: readonly OutgoingMessage[],
  send: () => Promise<T>,
): Promise<T> {
  if (!telemetryStarted()) return send();
  const span = trace.getTracer(TRACER).startSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR.system]: 'kafka',
      [ATTR.destination]: topic,
      [ATTR.operationType]: 'send',
      [ATTR.operationName]: 'send',
      [ATTR.batchCount]: messages.length,
    },
    links: messages.flatMap((m): Link[] => {
      const ctx = contextFromTraceparent(m.headers[HEADERS.traceparent]);
      const sc = ctx && trace.getSpanContext(ctx);
      return sc ? [{ context: sc }] : [];
    }),
  });
  try {
    return await context.with(suppressTracing(trace.setSpan(context.active(), span)), send);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The spans of one consumed batch; see {@link traceConsumedBatch}. */
export interface ConsumedBatchTrace {
  /** Runs the batch handler inside the batch span (its SQL becomes the batch's children). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Marks one message's span as dead-lettered, with the reason. */
  deadLettered(message: IncomingMessage, reason: string): void;
  /** Adds attributes to the batch span (applied, duplicates, ...). */
  annotate(attributes: Readonly<Record<string, number | string | boolean>>): void;
  /** Ends every span; `err` marks them failed (the batch will be delivered again). */
  end(err?: unknown): void;
}

const NO_BATCH: ConsumedBatchTrace = {
  run: (fn) => fn(),
  deadLettered: () => undefined,
  annotate: () => undefined,
  end: () => undefined,
};

/**
 * Traces one consumed batch: an "aggregate <topic> batch" span (a "process" operation) linked to
 * every message's creation context (messaging conventions for batch processing), and per message an "aggregate" span that is a
 * CHILD of the message's creation context, so that each order's trace ends with the aggregator
 * applying it; that span links back to the batch span, which holds the shared transaction.
 */
export function traceConsumedBatch(topic: string, batch: readonly IncomingMessage[]): ConsumedBatchTrace {
  if (!telemetryStarted() || batch.length === 0) return NO_BATCH;
  const tracer = trace.getTracer(TRACER);
  const parents: (Context | undefined)[] = batch.map((m) =>
    contextFromTraceparent(m.headers[HEADERS.traceparent], m.headers[HEADERS.tracestate]),
  );
  const span = tracer.startSpan(`aggregate ${topic} batch`, {
    kind: SpanKind.CONSUMER,
    attributes: {
      [ATTR.system]: 'kafka',
      [ATTR.destination]: topic,
      [ATTR.operationType]: 'process',
      [ATTR.operationName]: 'process',
      [ATTR.batchCount]: batch.length,
      [ATTR.partition]: String(batch[0]?.partition ?? ''),
    },
    links: parents.flatMap((p): Link[] => {
      const sc = p && trace.getSpanContext(p);
      return sc ? [{ context: sc }] : [];
    }),
  });
  const batchCtx = trace.setSpan(context.active(), span);
  const perMessage = new Map<IncomingMessage, Span>();
  batch.forEach((m, i) => {
    const parent = parents[i];
    if (!parent) return;
    perMessage.set(
      m,
      tracer.startSpan(
        `aggregate ${topic}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            [ATTR.system]: 'kafka',
            [ATTR.destination]: topic,
            [ATTR.operationType]: 'process',
            [ATTR.operationName]: 'aggregate',
            [ATTR.partition]: String(m.partition),
            [ATTR.offset]: m.offset,
            ...(m.key !== null ? { [ATTR.key]: m.key } : {}),
            ...(m.headers[HEADERS.id] ? { [ATTR.messageId]: m.headers[HEADERS.id] } : {}),
          },
          links: [{ context: span.spanContext() }],
        },
        parent,
      ),
    );
  });
  return {
    run: (fn) => context.with(batchCtx, fn),
    deadLettered(message, reason) {
      const s = perMessage.get(message);
      s?.setAttribute('catcast.outcome', 'dead_lettered');
      s?.setAttribute('catcast.dlq.reason', reason);
    },
    annotate(attributes) {
      span.setAttributes(attributes);
    },
    end(err) {
      for (const s of perMessage.values()) {
        if (err !== undefined) fail(s, err);
        s.end();
      }
      if (err !== undefined) fail(span, err);
      span.end();
    },
  };
}
