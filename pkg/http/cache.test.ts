import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { prepareJson, renderJson, sendRendered, type CachedJsonOptions } from './cache.js';
import { SECURITY_HEADERS, withSecurityHeaders } from './security.js';

const OPTIONS: CachedJsonOptions = {
  cacheControl: 'private, max-age=5',
  vary: 'Authorization',
  headers: { 'x-catcast-forecast-source': 'precomputed' },
};

function appSending(prepared: boolean) {
  const rendered = renderJson({ a: 'é', n: [1, 2, 3] });
  const value = prepared ? prepareJson(rendered, OPTIONS) : rendered;
  const app = new Hono();
  app.get('/x', (c) => sendRendered(c, value, OPTIONS));
  // As serveUntilAborted serves every app.
  const fetch = async (headers: Record<string, string> = {}) =>
    withSecurityHeaders(await app.fetch(new Request('http://h/x', { headers })));
  return { rendered, fetch };
}

const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([k]) => k !== 'content-length'));

describe('sendRendered with a prepared header block', () => {
  it('answers 200 with exactly the headers and body of the unprepared path, and the right Content-Length', async () => {
    const plain = await appSending(false).fetch();
    const { fetch, rendered } = appSending(true);
    for (let i = 0; i < 2; i++) {
      const res = await fetch();
      expect(res.status).toBe(200);
      expect(headersOf(res)).toEqual(headersOf(plain));
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(rendered.text)));
      expect(await res.text()).toBe(rendered.text);
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(plain.headers.get(name)).toBe(value);
  });

  it.each([
    ['the ETag', (etag: string) => etag, 304],
    ['a weak form of the ETag', (etag: string) => `W/${etag}`, 304],
    ['a list holding the ETag', (etag: string) => `"x", ${etag}`, 304],
    ['*', () => '*', 304],
    ['another ETag', () => '"other"', 200],
  ])('answers If-None-Match: %s with %s', async (_name, inm, status) => {
    const { fetch, rendered } = appSending(true);
    const res = await fetch({ 'if-none-match': inm(rendered.etag) });
    expect(res.status).toBe(status);
    expect(res.headers.get('etag')).toBe(rendered.etag);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    if (status === 304) expect(await res.text()).toBe('');
  });

  it('keeps a route header that overrides a security header', () => {
    const prepared = prepareJson(renderJson({}), {
      cacheControl: 'no-store',
      headers: { 'content-security-policy': "default-src 'self'" },
    });
    expect(prepared.okHeaders['content-security-policy']).toBe("default-src 'self'");
    expect(Object.isFrozen(prepared.okHeaders)).toBe(true);
  });
});
