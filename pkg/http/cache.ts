import { createHash } from 'node:crypto';
import type { Context } from 'hono';

/** Options of {@link cachedJson}. */
export interface CachedJsonOptions {
  /** Cache-Control header value, e.g. "private, max-age=5". */
  readonly cacheControl: string;
  /** Vary header (e.g. Authorization when responses depend on the token). @default none */
  readonly vary?: string;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Sends `body` as JSON with a strong ETag (hash of the bytes) and Cache-Control; a matching
 * If-None-Match gets 304 without a body, so clients and caches revalidate cheaply.
 */
export function cachedJson(c: Context, body: unknown, options: CachedJsonOptions): Response {
  const text = JSON.stringify(body);
  const tag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"`;
  const headers: Record<string, string> = {
    ...options.headers,
    etag: tag,
    'cache-control': options.cacheControl,
  };
  if (options.vary) headers.vary = options.vary;
  const inm = c.req.header('if-none-match');
  if (inm && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag))) {
    return c.body(null, 304, headers);
  }
  return c.body(text, 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
}
