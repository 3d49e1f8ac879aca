import { gzipSync } from 'node:zlib';
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
/** What the server answered to requests whose client went away (no one reads that answer). */
const unheard: Array<{ status: number; detail: string }> = [];
app.post('/abandoned', async (c) => {
  try {
    await readJson(c, 1024);
    unheard.push({ status: 200, detail: '' });
  } catch (err) {
    unheard.push({
      status: err instanceof HttpProblem ? err.status : 500,
      detail: err instanceof HttpProblem ? (err.detail ?? '') : String(err),
    });
  }
  return c.body(null, 204);
});

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
        // A fresh connection per request: a kept-alive one would carry a refused body's unsent bytes
        // into the next request (the server reads the next request's head as their remainder).
        agent: false,
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
    // Only 10 of the declared 100 bytes are sent: the 413 comes from the header alone.
    expect(await post(['x'.repeat(10)], { 'content-length': '100' })).toEqual({
      status: 413,
      body: '{"status":413}',
    });
  });

  // Reading stops once the limit is passed (leaving the loop destroys the request stream, as
  // cancelling the web stream does) and the handler's 413 reaches the client.
  it('refuses a chunked body once it passes the limit', async () => {
    expect(await post(['{"a":"', 'x'.repeat(100), '"}'])).toEqual({ status: 413, body: '{"status":413}' });
  });

  it('refuses a chunked body past the limit on the web stream path too', async () => {
    const chunks = ['{"a":"', 'x'.repeat(100), '"}'].map((c) => new TextEncoder().encode(c));
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('turns a body the client abandoned mid-upload into a 400, not a server or database error', async () => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/abandoned',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '1000' },
    });
    req.on('error', () => undefined);
    req.write('{"partial": ');
    // Let the server start reading, then go away.
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    const deadline = Date.now() + 5000;
    while (unheard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(unheard).toHaveLength(1);
    expect(unheard[0]?.status).toBe(400);
    expect(unheard[0]?.detail).toMatch(/could not be read to its end/);
  });

  it('refuses a compressed body with 415 naming the encoding, not as malformed JSON', async () => {
    const gz = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync('{"a":1}')),
    });
    expect(gz.status).toBe(415);
    const plain = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
      body: '{"a":1}',
    });
    expect(plain.status).toBe(200);
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
