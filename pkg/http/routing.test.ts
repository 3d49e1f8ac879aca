import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { opsRoutes } from './health.js';
import { Registry } from '../metrics/index.js';
import { problemHandler } from './problem.js';
import { allowedMethods, notFoundHandler } from './routing.js';
import { silentLogger } from '../log/index.js';

const routes = [
  { method: 'ALL', path: '/v1/*' },
  { method: 'PUT', path: '/v1/merchants/:merchantId' },
  { method: 'GET', path: '/v1/orders/:orderId' },
  { method: 'POST', path: '/v1/orders' },
  { method: 'POST', path: '/v1/orders/batch' },
  { method: 'GET', path: '/ui/*' },
  { method: 'GET', path: '/n/:id{[0-9]+}' },
];

describe('allowedMethods', () => {
  it.each([
    ['/v1/merchants/acme', ['PUT']],
    ['/v1/orders', ['POST']],
    ['/v1/orders/', ['POST']],
    // "batch" is also a value of :orderId: both routes own the path.
    ['/v1/orders/batch', ['GET', 'HEAD', 'POST']],
    ['/v1/orders/0f5a', ['GET', 'HEAD']],
    ['/ui/assets/app.js', ['GET', 'HEAD']],
    ['/n/42', ['GET', 'HEAD']],
    ['/n/abc', []],
    ['/v1/merchants/acme/extra', []],
    ['/v1/nothing', []],
    ['/', []],
  ])('%s -> %j', (path, expected) => {
    expect(allowedMethods(routes, path)).toEqual(expected);
  });
});

function service(): Hono {
  const app = new Hono();
  app.onError(problemHandler(silentLogger()));
  app.notFound(notFoundHandler(app));
  app.use('/v1/*', async (_c, next) => next());
  app.post('/v1/orders', (c) => c.json({ ok: true }, 201));
  app.route('/', opsRoutes({ checks: {}, registry: new Registry() }));
  // Added after notFound was installed: still counted.
  app.put('/v1/merchants/:merchantId', (c) => c.json({ ok: true }));
  return app;
}

describe('notFoundHandler', () => {
  it.each([
    ['DELETE', '/v1/orders', 'POST'],
    ['GET', '/v1/orders', 'POST'],
    ['PATCH', '/health', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
    ['OPTIONS', '/v1/merchants/acme', 'PUT'],
  ])('answers %s %s with 405 problem+json and Allow: %s', async (method, path, allow) => {
    const res = await service().request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { status: number; title: string; detail: string };
    expect(body).toMatchObject({ status: 405, title: 'Method Not Allowed', instance: path });
    expect(body.detail).toContain(allow);
  });

  it('answers a path no route has with 404 and no Allow', async () => {
    const res = await service().request('/v1/unknown', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    expect(((await res.json()) as { status: number }).status).toBe(404);
  });

  it('still routes the supported methods', async () => {
    const app = service();
    expect((await app.request('/v1/orders', { method: 'POST' })).status).toBe(201);
    expect((await app.request('/health', { method: 'HEAD' })).status).toBe(200);
  });

  it('gives the ops routes served alone the same answer', async () => {
    const res = await opsRoutes({ checks: {}, registry: new Registry() }).request('/ready', {
      method: 'DELETE',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});
