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

/** Adds the {@link SECURITY_HEADERS} that `res` does not set itself; copies a response with immutable headers. */
export function withSecurityHeaders(res: Response): Response {
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
