import { Hono } from 'hono';
import { Registry } from '../metrics/index.js';
import { describe, expect, it } from 'vitest';
import { requestMetrics } from './metrics.js';

describe('requestMetrics', () => {
  it('counts each request under its method, route template and status', async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use('/api/*', requestMetrics(registry));
    app.get('/api/items/:id', (c) => (c.req.param('id') === 'gone' ? c.text('no', 404) : c.text('ok')));
    for (const id of ['a', 'b', 'c', 'gone']) await app.request(`/api/items/${id}`);
    await app.request('/api/items/a', { method: 'POST' });
    const metric = await registry.getSingleMetric('catcast_http_request_duration_seconds')!.get();
    const counts = Object.fromEntries(
      metric.values
        .filter(
          (v) => (v as { metricName?: string }).metricName === 'catcast_http_request_duration_seconds_count',
        )
        .map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.status}`, v.value]),
    );
    expect(counts).toEqual({
      'GET /api/items/:id 200': 3,
      'GET /api/items/:id 404': 1,
      'POST /api/* 404': 1,
    });
  });

  it('keeps counting after the registry was reset', async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use('*', requestMetrics(registry));
    app.get('/h', (c) => c.text('ok'));
    await app.request('/h');
    registry.resetMetrics();
    await app.request('/h');
    await app.request('/h');
    const metric = await registry.getSingleMetric('catcast_http_request_duration_seconds')!.get();
    const count = metric.values.find(
      (v) => (v as { metricName?: string }).metricName === 'catcast_http_request_duration_seconds_count',
    );
    expect(count?.value).toBe(2);
  });
});
