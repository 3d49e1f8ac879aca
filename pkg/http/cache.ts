import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { requestHeader } from './request.js';

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
  return sendRendered(c, renderJson(body), options);
}

/** A JSON body serialised once, with its strong ETag: what a response cache keeps. */
export interface RenderedJson {
  readonly text: string;
  readonly etag: string;
}

/** Serialises `body` and hashes it into a strong ETag. */
export function renderJson(body: unknown): RenderedJson {
  const text = JSON.stringify(body);
  return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"` };
}

/** Sends a rendered body like {@link cachedJson} (ETag, Cache-Control, 304 on a matching If-None-Match). */
export function sendRendered(
  c: Context,
  { text, etag: tag }: RenderedJson,
  options: CachedJsonOptions,
): Response {
  const headers: Record<string, string> = {
    ...options.headers,
    etag: tag,
    'cache-control': options.cacheControl,
  };
  if (options.vary) headers.vary = options.vary;
  const inm = requestHeader(c, 'if-none-match');
  if (inm && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag))) {
    return c.body(null, 304, headers);
  }
  return c.body(text, 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
}
