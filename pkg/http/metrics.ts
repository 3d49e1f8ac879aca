import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from '../metrics/index.js';
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
  // One child per label combination, found by a flat string: observe({labels}) validates and hashes
  // the label object on every request. Routes are templates and statuses few, so this stays small;
  // a child keeps working after the histogram is reset (prom-client re-creates its series).
  const children = new Map<string, { observe(value: number): void }>();
  return async function recordRequest(c, next) {
    const start = performance.now();
    await next();
    const route = routePath(c) || 'unmatched';
    nameHttpSpan(c.req.method, route);
    const method = c.req.method;
    const status = c.res.status;
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = histogram.labels({ method, route, status: String(status) });
      children.set(key, child);
    }
    child.observe((performance.now() - start) / 1000);
  };
}
