import type { Context } from 'hono';
import { HttpProblem } from './problem.js';

/**
 * Reads a JSON request body: 415 unless the content type is JSON, 413 beyond `limitBytes`
 * (checked against Content-Length before reading, and while streaming), 400 when it does not parse.
 */
export async function readJson(c: Context, limitBytes: number): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new HttpProblem(415, {
      detail: `expected Content-Type application/json, got ${type ? JSON.stringify(type) : 'none'}`,
    });
  }
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limitBytes) {
    throw new HttpProblem(413, {
      detail: `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`,
    });
  }
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
      throw new HttpProblem(413, { detail: `request body exceeds the limit of ${limitBytes} bytes` });
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
