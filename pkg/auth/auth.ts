import type { Context, MiddlewareHandler } from 'hono';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { HttpProblem, requestHeader } from '../http/index.js';
import type { AuthConfig } from './config.js';
import { CookieSealer, readCookie, SESSION_COOKIE, type UiSession } from './session.js';
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

/**
 * A header-safe quoted-string value (RFC 6750: error_description is printable ASCII without `"` and
 * `\`): the detail can quote what a client sent (a token's `alg`), which may hold anything.
 */
function headerText(text: string): string {
  return text
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 300);
}

function unauthorized(detail: string, error = 'invalid_token'): HttpProblem {
  return new HttpProblem(401, {
    detail,
    headers: {
      'www-authenticate': `Bearer realm="catcast", error="${error}", error_description="${headerText(detail)}"`,
    },
  });
}

/** Algorithms accepted from an identity provider's keys (asymmetric only: never HS*, never none). */
const PROVIDER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/** How merchant scope and catcast scopes are read out of verified claims. */
export interface ClaimMapping {
  /** Claim with merchant ids. */
  readonly merchantsClaim: string;
  /** Claim with group names, looked up in `groupMerchants`. */
  readonly groupsClaim: string;
  readonly groupMerchants: ReadonlyMap<string, readonly string[]> | undefined;
  /** Scopes granted when a token carries none of catcast's. */
  readonly defaultScopes: readonly Scope[];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : [];
}

/** The principal a verified payload grants under `mapping`. */
export function principalFrom(payload: JWTPayload, mapping: ClaimMapping): Principal {
  const listed = strings(payload.scope ?? payload.scp ?? payload.scopes);
  let scopes = new Set(listed.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)));
  if (scopes.size === 0) scopes = new Set(mapping.defaultScopes);
  const claimed = payload[mapping.merchantsClaim] ?? payload.merchant_id;
  // A string claim is one merchant id (ids are not split on separators).
  const merchants = Array.isArray(claimed)
    ? claimed.map(String)
    : typeof claimed === 'string'
      ? [claimed]
      : [];
  if (mapping.groupMerchants) {
    for (const g of strings(payload[mapping.groupsClaim]))
      merchants.push(...(mapping.groupMerchants.get(g) ?? []));
  }
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : 'unknown',
    scopes,
    merchants: scopes.has('admin') || merchants.includes('*') ? '*' : new Set(merchants),
  };
}

/** Why a token was refused, in words a client developer can act on. */
function explain(
  err: unknown,
  alg: string | undefined,
  config: AuthConfig,
  remoteKeys: boolean,
): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof joseErrors.JWTExpired) return unauthorized('token expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return unauthorized(`token has no "${err.claim}" claim`);
    if (err.claim === 'iss')
      return unauthorized(`token issuer (iss) is not the expected ${JSON.stringify(config.AUTH_ISSUER)}`);
    if (err.claim === 'aud')
      return unauthorized(`token audience (aud) does not include ${JSON.stringify(config.AUTH_AUDIENCE)}`);
    if (err.claim === 'nbf') return unauthorized('token is not valid yet (nbf)');
    return unauthorized(`token claim ${err.claim} is not acceptable`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported)
    return unauthorized(`token algorithm ${JSON.stringify(alg)} is not accepted`);
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return unauthorized(
      "no key of the identity provider's JWKS matches the token (its key was rotated away, or it was not issued there)",
    );
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid)
    return jwksUnavailable();
  if (TOKEN_ERRORS.some((E) => err instanceof E) || !remoteKeys)
    return unauthorized('token signature or format is invalid');
  // Anything else came from reading the provider's key set (connection refused, HTTP 500, a body
  // that is not JSON): the token may be fine, so the caller should retry, not re-authenticate.
  return jwksUnavailable();
}

function jwksUnavailable(): HttpProblem {
  return new HttpProblem(503, {
    detail: "the identity provider's JWKS cannot be read; try again",
    headers: { 'retry-after': '5' },
  });
}

/** What jose throws for a token that is malformed or whose signature does not verify. */
const TOKEN_ERRORS = [
  joseErrors.JWSInvalid,
  joseErrors.JWTInvalid,
  joseErrors.JWSSignatureVerificationFailed,
  joseErrors.JWKSMultipleMatchingKeys,
];

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /** Reads a JSON document (the OpenID Connect discovery document). @default fetch with a 5 s timeout */
  readonly fetchJson?: (url: string) => Promise<unknown>;
}

async function defaultFetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(5000),
    headers: { accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as unknown;
}

/** The discovery document of an OpenID Connect issuer (the fields catcast uses). */
export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

/** Reads and checks `<issuer>/.well-known/openid-configuration` (its `issuer` must be the one asked for). */
export async function discover(
  issuer: string,
  fetchJson: (url: string) => Promise<unknown> = defaultFetchJson,
): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const doc = (await fetchJson(url)) as Partial<Record<keyof DiscoveryDocument, unknown>>;
  for (const k of ['issuer', 'jwks_uri', 'authorization_endpoint', 'token_endpoint'] as const)
    if (typeof doc[k] !== 'string') throw new Error(`${url} has no ${k}`);
  if (doc.issuer !== issuer) throw new Error(`${url} names issuer ${String(doc.issuer)}, not ${issuer}`);
  return doc as DiscoveryDocument;
}

/** Builds the authenticator for the configured mode and key source. */
export async function createAuthenticator(
  config: AuthConfig,
  options: AuthenticatorOptions = {},
): Promise<Authenticator> {
  if (config.AUTH_MODE === 'none') {
    return {
      middleware: async function noAuth(c, next) {
        c.set('principal', ALL);
        await next();
      },
      verify: () => Promise.resolve(ALL),
    };
  }
  const mapping: ClaimMapping = {
    merchantsClaim: config.AUTH_MERCHANTS_CLAIM ?? 'merchants',
    groupsClaim: config.AUTH_GROUPS_CLAIM ?? 'groups',
    groupMerchants: config.AUTH_GROUP_MERCHANTS,
    defaultScopes: strings(config.AUTH_DEFAULT_SCOPES).filter((s): s is Scope =>
      (SCOPES as readonly string[]).includes(s),
    ),
  };
  const { fetchJson = defaultFetchJson } = options;

  // The provider's keys: a JWKS (cached AUTH_JWKS_CACHE_SECONDS; a token naming an unknown kid makes it
  // fetch again, at most every AUTH_JWKS_COOLDOWN_SECONDS, which is how a rotation is picked up) or a
  // fixed public key. HS256 never goes this way, so a token signed with the public key as an HMAC
  // secret (algorithm confusion) fails on its algorithm.
  let provider: { algorithms: string[]; getKey: () => Promise<JWTVerifyGetKey> } | undefined;
  // Keys read over the network (a JWKS URL, or one found by discovery): their outage is a 503.
  let remoteKeys = false;
  const remote = (url: string) =>
    createRemoteJWKSet(new URL(url), {
      cacheMaxAge: (config.AUTH_JWKS_CACHE_SECONDS ?? 600) * 1000,
      cooldownDuration: (config.AUTH_JWKS_COOLDOWN_SECONDS ?? 30) * 1000,
      timeoutDuration: 5000,
    });
  if (config.AUTH_JWKS_URL) {
    remoteKeys = true;
    const jwks = remote(config.AUTH_JWKS_URL);
    provider = { algorithms: PROVIDER_ALGORITHMS, getKey: () => Promise.resolve(jwks) };
  } else if (config.AUTH_PUBLIC_KEY) {
    const pem = config.AUTH_PUBLIC_KEY.replace(/\\n/g, '\n');
    // The PEM does not say which algorithm it is for: an RSA key imports for RS256, an EC P-256 key for ES256.
    const [alg, key] = await importSPKI(pem, 'RS256')
      .then((k) => ['RS256', k] as const)
      .catch(async () => ['ES256', await importSPKI(pem, 'ES256')] as const)
      .catch((err: unknown) => {
        throw new Error('AUTH_PUBLIC_KEY is not an RSA or P-256 SPKI PEM public key', { cause: err });
      });
    const getKey: JWTVerifyGetKey = () => key;
    provider = { algorithms: [alg], getKey: () => Promise.resolve(getKey) };
  } else if (config.AUTH_ISSUER) {
    remoteKeys = true;
    // OpenID Connect discovery on first use (the provider may start after catcast) and again after a
    // failure: the document names the JWKS.
    const issuer = config.AUTH_ISSUER;
    let discovered: Promise<JWTVerifyGetKey> | undefined;
    provider = {
      algorithms: PROVIDER_ALGORITHMS,
      getKey: () =>
        (discovered ??= discover(issuer, fetchJson).then(
          (doc) => remote(doc.jwks_uri),
          (err: unknown) => {
            discovered = undefined;
            throw new HttpProblem(503, {
              detail: `the identity provider's discovery document cannot be read: ${(err as Error).message}`,
            });
          },
        )),
    };
  }
  const secret = config.AUTH_HS256_SECRET ? new TextEncoder().encode(config.AUTH_HS256_SECRET) : undefined;

  // jose's verification (HMAC, RSA or EC over the token, claim checks) costs ~200 µs, more than the
  // whole rest of a cached read; a client sends the same token for many requests, so a success is
  // remembered by the exact token string until it expires (and at most a minute, for key rotation).
  const verified = new VerifiedTokenCache<Principal>({ clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS });

  async function verify(token: string): Promise<Principal> {
    const known = verified.get(token);
    if (known) return known;
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized('token format is invalid: not a compact JWS (header.payload.signature)');
    }
    try {
      // Every token must expire: one without exp would be valid for ever.
      const common = { clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'] };
      let payload: JWTPayload;
      if (alg === 'HS256' && secret) {
        ({ payload } = await jwtVerify(token, secret, { ...common, algorithms: ['HS256'] }));
      } else if (provider) {
        ({ payload } = await jwtVerify(token, await provider.getKey(), {
          ...common,
          algorithms: provider.algorithms,
          ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
          ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
        }));
      } else {
        throw new joseErrors.JOSEAlgNotAllowed('only HS256 tokens are accepted here');
      }
      const principal = principalFrom(payload, mapping);
      verified.set(token, payload.exp, principal);
      return principal;
    } catch (err) {
      throw explain(err, alg, config, remoteKeys);
    }
  }

  const sealer = config.AUTH_SESSION_SECRET ? new CookieSealer(config.AUTH_SESSION_SECRET) : undefined;

  return {
    middleware: async function bearerAuth(c, next) {
      const header = requestHeader(c, 'authorization');
      // The UI's signed-in session: the provider's access token sealed in an HttpOnly cookie. Only for
      // reads (GET/HEAD), so a cross-site form can never write with it (SameSite=Lax stops it as well).
      if (!header && sealer && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
        const sealed = readCookie(requestHeader(c, 'cookie'), SESSION_COOKIE);
        if (sealed) {
          const session = sealer.open<UiSession>(sealed);
          if (!session) throw unauthorized('the sign-in session is not valid here; sign in again');
          c.set('principal', await verify(session.accessToken));
          await next();
          return;
        }
      }
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
