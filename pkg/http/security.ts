/**
 * Response headers every catcast server sends, whatever the route (API, ops endpoints, errors, the
 * UI). A header the route set itself (the UI's own Content-Security-Policy, for example) is kept.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // JSON APIs render nothing: a browser that opens one directly may run no script and load nothing.
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  // Only honoured over HTTPS (behind the ingress); harmless over plain HTTP.
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

// Responses built by securedResponse(): their header block already holds every security header.
const secured = new WeakSet<Response>();

/**
 * `headers` (lower-case names) with every {@link SECURITY_HEADERS} entry it does not set itself: the
 * header block {@link withSecurityHeaders} would produce, to build once and reuse.
 */
export function withSecurityHeaderRecord(headers: Readonly<Record<string, string>>): Record<string, string> {
  return { ...SECURITY_HEADERS, ...headers };
}

/**
 * A response whose `headers` already include the security headers (built by
 * {@link withSecurityHeaderRecord}), which {@link withSecurityHeaders} passes through untouched: on
 * @hono/node-server the plain header record then goes to Node as it is, without a fetch Headers
 * object being built, filled, checked and sorted for it.
 */
export function securedResponse(
  body: string,
  status: number,
  headers: Readonly<Record<string, string>>,
): Response {
  const res = new Response(body, { status, headers });
  secured.add(res);
  return res;
}

/** Adds the {@link SECURITY_HEADERS} that `res` does not set itself; copies a response with immutable headers. */
export function withSecurityHeaders(res: Response): Response {
  if (secured.has(res)) return res;
  const missing = Object.entries(SECURITY_HEADERS).filter(([name]) => !res.headers.has(name));
  if (missing.length === 0) return res;
  let out = res;
  try {
    for (const [name, value] of missing) out.headers.set(name, value);
  } catch {
    // A Response from fetch() (e.g. a proxied one) has immutable headers: copy it.
    out = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    for (const [name, value] of missing) out.headers.set(name, value);
  }
  return out;
}
