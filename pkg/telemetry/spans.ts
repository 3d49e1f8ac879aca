import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const TRACER = 'catcast';

/**
 * Runs `fn` inside a new span named `name` (a child of the active span), ends it when `fn`
 * settles and marks it failed when `fn` throws. With telemetry off this costs one no-op call.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Names the active HTTP server span after the matched route template ("POST /v1/orders"), as the HTTP conventions ask. */
export function nameHttpSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Records an unexpected error (with its cause chain in the message) on the active span. */
export function recordErrorOnActiveSpan(err: unknown): void {
  const span = trace.getSpan(context.active());
  if (!span) return;
  span.recordException(err instanceof Error ? err : new Error(String(err)));
}

/** A started span that work can be run inside; see {@link startScope}. */
export interface SpanScope {
  /** Runs `fn` with this span active (its database calls become children). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Adds attributes. */
  set(attributes: Attributes): void;
  /** Ends the span once; `err` marks it failed. */
  end(err?: unknown): void;
}

/**
 * Starts a span (child of the active one) for work that is not one function call, e.g. a merchant
 * whose series are loaded, forecast in a shared batch, then written.
 */
export function startScope(name: string, attributes: Attributes): SpanScope {
  const span = trace.getTracer(TRACER).startSpan(name, { attributes });
  const ctx = trace.setSpan(context.active(), span);
  let ended = false;
  return {
    run: (fn) => context.with(ctx, fn),
    set: (a) => void span.setAttributes(a),
    end(err) {
      if (ended) return;
      ended = true;
      if (err !== undefined) failSpan(span, err);
      span.end();
    },
  };
}

/** Adds attributes to the active span, if any (e.g. the fencing token once a lease is won). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Marks `span` failed: the error (a string or Error) is recorded as an exception and the status. */
export function failSpan(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}
