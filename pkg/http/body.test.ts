import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from './body.js';
import { HttpProblem } from './problem.js';

// readJson over a real Node server (the stream fast path) and in-process (the web stream path).
const app = new Hono();
app.onError((err, c) =>
  c.json(
    { status: err instanceof HttpProblem ? err.status : 500 },
    err instanceof HttpProblem ? (err.status as 400) : 500,
  ),
);
app.post('/echo', async (c) => c.json({ got: await readJson(c, 64) }));

let server: ServerType;
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `chunks` as a chunked body (no Content-Length) unless `length` is given. */
function post(
  chunks: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/echo',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readJson on a Node server', () => {
  it.each([
    [['{"a":', '1}'], 200, '{"got":{"a":1}}'],
    [['{"a":'], 400, '{"status":400}'],
    [[' '], 400, '{"status":400}'],
  ])('%j -> %i', async (chunks, status, body) => {
    expect(await post(chunks)).toEqual({ status, body });
  });

  it('refuses a declared length above the limit before reading', async () => {
    const r = await post(['x'.repeat(10)], { 'content-length': '100' }).catch(() => ({ status: 0 }));
    expect([413, 0]).toContain(r.status);
  });

  // Reading stops and the request stream is destroyed mid-body, exactly as cancelling the web stream
  // does; Node then answers the connection itself (400), before any handler could send a 413.
  it('refuses a chunked body once it passes the limit', async () => {
    const r = await post(['{"a":"', 'x'.repeat(100), '"}']).catch(() => ({ status: 0 }));
    expect([400, 413, 0]).toContain(r.status);
  });

  it('reads the same way in-process (web stream path)', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"b":2}',
    });
    expect(await res.json()).toEqual({ got: { b: 2 } });
  });
});
