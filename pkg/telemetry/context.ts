import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** The W3C traceparent of the active span, e.g. for the outbox row of an order; undefined when not tracing. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The remote context described by a stored W3C traceparent (and tracestate), or undefined when invalid. */
export function contextFromTraceparent(
  traceparent: string | null | undefined,
  tracestate?: string | null,
): Context | undefined {
  if (!traceparent) return undefined;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  const ctx = propagation.extract(ROOT_CONTEXT, carrier);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/** The span context carried by a traceparent, for span links; undefined when invalid. */
export function spanContextFromTraceparent(traceparent: string | null | undefined): SpanContext | undefined {
  const ctx = contextFromTraceparent(traceparent);
  return ctx ? trace.getSpanContext(ctx) : undefined;
}

/** The W3C traceparent of `ctx` (for writing into a message header). */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** trace_id and span_id of the active span, for log lines; empty outside a span (pino mixin). */
export function logTraceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
