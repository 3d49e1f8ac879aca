import type { Context, MiddlewareHandler } from 'hono';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { HttpProblem, requestHeader } from '../http/index.js';
import type { AuthConfig } from './config.js';
import { VerifiedTokenCache } from './token-cache.js';

/** Every scope a token can carry. */
export const SCOPES = ['orders:write', 'catalog:write', 'sales:read', 'forecasts:read', 'admin'] as const;
/** A permission carried by a token. */
export type Scope = (typeof SCOPES)[number];

/** Who is calling: the scopes and merchants a verified token grants. */
export interface Principal {
  readonly subject: string;
  readonly scopes: ReadonlySet<Scope>;
  /** Merchants this caller may touch; '*' means all (admin tokens and AUTH_MODE=none). */
  readonly merchants: ReadonlySet<string> | '*';
}

/** Hono variables set by the authentication middleware. */
export interface AuthVariables {
  principal: Principal;
}

/** Verifies bearer tokens and exposes the principal to handlers. */
export interface Authenticator {
  /** Middleware: 401 without a valid token, otherwise sets `c.var.principal`. */
  readonly middleware: MiddlewareHandler;
  /** Verifies a raw token (used by tests and tools). */
  verify(token: string): Promise<Principal>;
}

/** Seconds of clock skew allowed on exp/nbf. */
const CLOCK_TOLERANCE_SECONDS = 30;

const ALL: Principal = { subject: 'anonymous (AUTH_MODE=none)', scopes: new Set(SCOPES), merchants: '*' };

function unauthorized(detail: string, error = 'invalid_token'): HttpProblem {
  return new HttpProblem(401, {
    detail,
    headers: {
      'www-authenticate': `Bearer realm="catcast", error="${error}", error_description="${detail}"`,
    },
  });
}

function principalFrom(payload: JWTPayload): Principal {
  const raw = payload.scope ?? payload.scp ?? payload.scopes;
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/\s+/) : [];
  const scopes = new Set(list.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)));
  const m = payload.merchant_id ?? payload.merchants;
  const merchants = Array.isArray(m) ? m.map(String) : typeof m === 'string' ? [m] : [];
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : 'unknown',
    scopes,
    merchants: scopes.has('admin') || merchants.includes('*') ? '*' : new Set(merchants),
  };
}

/** Builds the authenticator for the configured mode and key source. */
export async function createAuthenticator(config: AuthConfig): Promise<Authenticator> {
  if (config.AUTH_MODE === 'none') {
    return {
      middleware: async function noAuth(c, next) {
        c.set('principal', ALL);
        await next();
      },
      verify: () => Promise.resolve(ALL),
    };
  }
  const keys: { getKey?: JWTVerifyGetKey; secret?: Uint8Array; algorithms: string[] }[] = [];
  if (config.AUTH_JWKS_URL)
    keys.push({ getKey: createRemoteJWKSet(new URL(config.AUTH_JWKS_URL)), algorithms: ['RS256', 'ES256'] });
  if (config.AUTH_PUBLIC_KEY) {
    const pem = config.AUTH_PUBLIC_KEY.replace(/\\n/g, '\n');
    // The PEM does not say which algorithm it is for: an RSA key imports for RS256, an EC P-256 key for ES256.
    const [alg, key] = await importSPKI(pem, 'RS256')
      .then((k) => ['RS256', k] as const)
      .catch(async () => ['ES256', await importSPKI(pem, 'ES256')] as const)
      .catch((err: unknown) => {
        throw new Error('AUTH_PUBLIC_KEY is not an RSA or P-256 SPKI PEM public key', { cause: err });
      });
    keys.push({ getKey: () => key, algorithms: [alg] });
  }
  if (config.AUTH_HS256_SECRET)
    keys.push({ secret: new TextEncoder().encode(config.AUTH_HS256_SECRET), algorithms: ['HS256'] });

  // jose's verification (HMAC, RSA or EC over the token, claim checks) costs ~200 µs, more than the
  // whole rest of a cached read; a client sends the same token for many requests, so a success is
  // remembered by the exact token string until it expires (and at most a minute, for key rotation).
  const verified = new VerifiedTokenCache<Principal>({ clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS });

  async function verify(token: string): Promise<Principal> {
    const known = verified.get(token);
    if (known) return known;
    let lastError: unknown;
    for (const k of keys) {
      try {
        const options = {
          algorithms: k.algorithms,
          ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
          ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        };
        const { payload } = k.secret
          ? await jwtVerify(token, k.secret, options)
          : await jwtVerify(token, k.getKey!, options);
        const principal = principalFrom(payload);
        verified.set(token, payload.exp, principal);
        return principal;
      } catch (err) {
        lastError = err;
      }
    }
    if (lastError instanceof joseErrors.JWTExpired) throw unauthorized('token expired');
    if (lastError instanceof joseErrors.JWTClaimValidationFailed)
      throw unauthorized(`token claim ${lastError.claim} is not acceptable`);
    throw unauthorized('token signature or format is invalid');
  }

  return {
    middleware: async function bearerAuth(c, next) {
      const header = requestHeader(c, 'authorization');
      if (!header) throw unauthorized('missing bearer token', 'invalid_request');
      const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header);
      if (!m) throw unauthorized('Authorization header must be "Bearer <token>"', 'invalid_request');
      c.set('principal', await verify(m[1]!));
      await next();
    },
    verify,
  };
}

/** The principal of the current request (set by the middleware). */
export function principalOf(c: Context): Principal {
  const p = c.get('principal') as Principal | undefined;
  if (!p) throw new HttpProblem(401, { detail: 'request was not authenticated' });
  return p;
}

/** Middleware: 403 unless the caller's token carries `scope` (or admin). */
export function requireScope(scope: Scope): MiddlewareHandler {
  return async function checkScope(c, next) {
    const p = principalOf(c);
    if (!p.scopes.has(scope) && !p.scopes.has('admin'))
      throw new HttpProblem(403, { detail: `token lacks the ${scope} scope` });
    await next();
  };
}

/** Throws 403 unless the caller may act for `merchantId`. */
export function assertMerchantAccess(c: Context, merchantId: string): void {
  const p = principalOf(c);
  if (p.merchants !== '*' && !p.merchants.has(merchantId))
    throw new HttpProblem(403, { detail: `token is not valid for merchant ${JSON.stringify(merchantId)}` });
}
