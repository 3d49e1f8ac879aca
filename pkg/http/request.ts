import type { Context } from 'hono';

interface NodeBindings {
  readonly incoming?: { readonly headers?: Readonly<Record<string, string | string[] | undefined>> };
}

/**
 * A request header by its lower-case name. On @hono/node-server it is read from Node's parsed
 * headers: c.req.header() would first copy every header of the request into a fetch Headers object
 * (a few µs per request, measurable on a cached read). Node joins repeated headers with ", " like
 * Headers does, except the few it allows once (Authorization among them), where it keeps the first.
 * Elsewhere (app.request in tests, other runtimes) it is c.req.header().
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const headers = (c.env as NodeBindings | undefined)?.incoming?.headers;
  if (headers && typeof headers === 'object') {
    const v = headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }
  return c.req.header(name);
}

/**
 * The raw query string of the request without its "?" ('' when there is none), without building a
 * URL: the key under which a validated query can be remembered.
 */
export function rawQuery(c: Context): string {
  const incoming = (c.env as { incoming?: { url?: string } } | undefined)?.incoming;
  const url = typeof incoming?.url === 'string' ? incoming.url : c.req.url;
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}
