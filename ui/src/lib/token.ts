/** Reads which merchants a bearer token grants (for the picker; the server enforces it). */

/** "*" for every merchant, a list of merchant ids, or undefined when the token is not a readable JWT. */
export type TokenMerchants = '*' | readonly string[] | undefined;

function base64UrlJson(part: string): unknown {
  const b64 = part
    .replaceAll('-', '+')
    .replaceAll('_', '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
}

/** Decodes (without verifying) the `merchant_id`/`merchants` and scope claims, as pkg/auth reads them. */
export function tokenMerchants(token: string): TokenMerchants {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: Record<string, unknown>;
  try {
    const parsed = base64UrlJson(payload);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    claims = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const rawScopes = claims.scope ?? claims.scp ?? claims.scopes;
  const scopes = Array.isArray(rawScopes)
    ? rawScopes.map(String)
    : typeof rawScopes === 'string'
      ? rawScopes.split(/\s+/)
      : [];
  const m = claims.merchant_id ?? claims.merchants;
  const merchants = Array.isArray(m) ? m.map(String) : typeof m === 'string' ? [m] : [];
  return scopes.includes('admin') || merchants.includes('*') ? '*' : merchants;
}
