import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { rawQuery, requestHeader } from './request.js';

function probe() {
  const app = new Hono();
  app.get('/p', (c) =>
    c.json({
      inm: requestHeader(c, 'if-none-match') ?? null,
      auth: requestHeader(c, 'authorization') ?? null,
    }),
  );
  app.get('/q', (c) => c.text(rawQuery(c)));
  return app;
}

describe('requestHeader', () => {
  it.each([
    [
      'Node headers (as @hono/node-server passes them)',
      { incoming: { headers: { 'if-none-match': '"a"' } } },
      '"a"',
    ],
    ['a repeated Node header', { incoming: { headers: { 'if-none-match': ['"a"', '"b"'] } } }, '"a", "b"'],
    ['no Node bindings: the fetch request', undefined, '"from-request"'],
  ])('reads %s', async (_name, env, expected) => {
    const res = await probe().request('/p', { headers: { 'if-none-match': '"from-request"' } }, env);
    expect(((await res.json()) as { inm: string }).inm).toBe(expected);
  });

  it('is undefined for a header the request does not carry', async () => {
    const res = await probe().request('/p', {}, { incoming: { headers: {} } });
    expect(await res.json()).toEqual({ inm: null, auth: null });
  });
});

describe('rawQuery', () => {
  it.each([
    ['/q?a=1&b=2', 'a=1&b=2'],
    ['/q', ''],
    ['/q?', ''],
    ['/q?a=%20x&a=2', 'a=%20x&a=2'],
  ])('of the fetch request %s is %j', async (path, expected) => {
    expect(await (await probe().request(path)).text()).toBe(expected);
  });

  it('prefers the Node request line', async () => {
    const res = await probe().request(
      '/q?from=request',
      {},
      { incoming: { url: '/q?from=node#x', headers: {} } },
    );
    expect(await res.text()).toBe('from=node');
  });
});
