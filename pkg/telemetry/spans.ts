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
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
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
