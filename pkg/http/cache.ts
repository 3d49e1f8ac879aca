import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { requestHeader } from './request.js';
import { securedResponse, withSecurityHeaderRecord } from './security.js';

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

/** A rendered body with the whole header block of its 200 answer, built once for every request it serves. */
export interface PreparedJson extends RenderedJson {
  /** ETag, Cache-Control, Vary, Content-Type, Content-Length, the extras and the security headers. */
  readonly okHeaders: Readonly<Record<string, string>>;
}

/**
 * Builds the 200 header block of `rendered` under `options` once, so a response cache can answer a
 * hit without assembling headers per request ({@link sendRendered} uses it when present).
 */
export function prepareJson(rendered: RenderedJson, options: CachedJsonOptions): PreparedJson {
  const okHeaders = withSecurityHeaderRecord({
    ...options.headers,
    etag: rendered.etag,
    'cache-control': options.cacheControl,
    ...(options.vary ? { vary: options.vary } : {}),
    'content-type': 'application/json; charset=utf-8',
    // Stated here so that nothing downstream adds it to this shared, frozen record.
    'content-length': String(Buffer.byteLength(rendered.text)),
  });
  return { text: rendered.text, etag: rendered.etag, okHeaders: Object.freeze(okHeaders) };
}

/**
 * Sends a rendered body like {@link cachedJson} (ETag, Cache-Control, 304 on a matching
 * If-None-Match). A {@link PreparedJson} is answered with its prebuilt header block, which must have
 * been prepared with the same `options`.
 */
export function sendRendered(
  c: Context,
  rendered: RenderedJson | PreparedJson,
  options: CachedJsonOptions,
): Response {
  const { text, etag: tag } = rendered;
  const inm = requestHeader(c, 'if-none-match');
  const notModified =
    inm !== undefined &&
    inm !== '' &&
    (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag));
  const okHeaders = (rendered as Partial<PreparedJson>).okHeaders;
  if (!notModified && okHeaders) return securedResponse(text, 200, okHeaders);
  const headers: Record<string, string> = {
    ...options.headers,
    etag: tag,
    'cache-control': options.cacheControl,
  };
  if (options.vary) headers.vary = options.vary;
  if (notModified) return c.body(null, 304, headers);
  return c.body(text, 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
}
