import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HttpProblem } from './problem.js';

/**
 * Reads a JSON request body: 415 unless the content type is JSON and the body is not compressed, 413 beyond `limitBytes`
 * (checked against Content-Length before reading, and while streaming), 400 when it does not parse.
 */
export async function readJson(c: Context, limitBytes: number): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new HttpProblem(415, {
      detail: `expected Content-Type application/json, got ${type ? JSON.stringify(type) : 'none'}`,
    });
  }
  // A compressed body would reach the parser as binary and be called malformed JSON.
  const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new HttpProblem(415, {
      detail: `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send the JSON body uncompressed`,
    });
  }
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limitBytes) {
    throw new HttpProblem(413, {
      detail: `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`,
    });
  }
  let text: string;
  try {
    text = (await readNodeBody(c, limitBytes)) ?? (await readWebBody(c, limitBytes));
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    // The stream broke (the client closed the connection mid-upload: "aborted", ECONNRESET). That
    // is the client's doing, not an outage of anything behind us: a 4xx, never the 503 the error
    // handler gives a reset database connection.
    throw new HttpProblem(400, {
      title: 'Incomplete request body',
      detail: `the request body could not be read to its end: ${(err as Error).message}`,
    });
  }
  if (text.trim() === '')
    throw new HttpProblem(400, { title: 'Malformed JSON', detail: 'request body is empty' });
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpProblem(400, {
      title: 'Malformed JSON',
      detail: `request body is not valid JSON: ${(err as Error).message}`,
    });
  }
}

function tooLarge(limitBytes: number): HttpProblem {
  return new HttpProblem(413, { detail: `request body exceeds the limit of ${limitBytes} bytes` });
}

/**
 * On @hono/node-server, reads the Node request stream directly: touching `c.req.raw.body` would
 * build a fetch Request, an AbortController and a web stream around it for every request, a
 * measurable share of an order's CPU. Undefined when not on Node or when the body was already
 * touched, and the web stream is used instead.
 */
async function readNodeBody(c: Context, limitBytes: number): Promise<string | undefined> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function') return undefined;
  if (incoming.readableFlowing !== null || incoming.readableDidRead) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the stream, as cancelling the web stream does.
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

async function readWebBody(c: Context, limitBytes: number): Promise<string> {
  const body = c.req.raw.body;
  if (!body) throw new HttpProblem(400, { title: 'Malformed JSON', detail: 'request body is empty' });
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
