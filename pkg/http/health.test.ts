import { Hono } from 'hono';
import { Registry } from '../metrics/index.js';
import { describe, expect, it } from 'vitest';
import { opsRoutes, type ReadinessCheck } from './health.js';
import { SECURITY_HEADERS, withSecurityHeaders } from './security.js';

function app(checks: Readonly<Record<string, ReadinessCheck>> = {}): (path: string) => Promise<Response> {
  const a = new Hono();
  a.route('/', opsRoutes({ checks, registry: new Registry() }));
  // As serveUntilAborted serves every app.
  return async (path) => withSecurityHeaders(await a.fetch(new Request(`http://h${path}`)));
}

describe('opsRoutes', () => {
  it('answers /health with JSON, its length and every security header', async () => {
    const res = await app()('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const body = JSON.parse(text) as { status: string; eventLoopLagMs: number };
    expect(body.status).toBe('ok');
    expect(Number.isInteger(body.eventLoopLagMs)).toBe(true);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it.each([
    ['every check passes', () => Promise.resolve(), 200, 'ready'],
    ['a check fails', () => Promise.reject(new Error('down')), 503, 'not ready'],
  ])('answers /ready when %s with %s', async (_name, check, status, state) => {
    const res = await app({ database: check })('/ready');
    expect(res.status).toBe(status);
    expect(((await res.json()) as { status: string }).status).toBe(state);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
