import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';
import { nameHttpSpan } from '../telemetry/index.js';

/**
 * Records catcast_http_request_duration_seconds by method, route template and status, and names the
 * request's trace span after the same route template.
 */
export function requestMetrics(registry: Registry): MiddlewareHandler {
  const histogram = new Histogram({
    name: 'catcast_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async function recordRequest(c, next) {
    const start = performance.now();
    await next();
    const route = routePath(c) || 'unmatched';
    nameHttpSpan(c.req.method, route);
    histogram.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      (performance.now() - start) / 1000,
    );
  };
}
