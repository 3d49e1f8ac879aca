import { createHash, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import {
  CookieSealer,
  discover,
  readCookie,
  SESSION_COOKIE,
  type Authenticator,
  type DiscoveryDocument,
  type UiSession,
} from '../auth/index.js';
import { ConfigError } from '../config/index.js';
import { HttpProblem, problemHandler } from '../http/index.js';
import type { Logger } from '../log/index.js';
import type { UiLoginConfig } from './config.js';

/** Options of {@link loginRoutes}. */
export interface LoginRoutesOptions {
  readonly config: UiLoginConfig;
  /** The API's authenticator: a provider token it does not accept makes no session. */
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  /** Wall clock in ms. @default Date.now */
  readonly now?: () => number;
}

/** Cookie holding state, nonce, PKCE verifier and deep link between /login and /callback. */
const FLOW_COOKIE = 'catcast_login';
/** A token is renewed this many seconds before it expires. */
const RENEW_BEFORE_SECONDS = 60;

interface LoginFlow {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
  readonly redirectUri: string;
  readonly startedAt: number;
}

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

/**
 * Only paths of the UI itself are return targets: never another origin (no open redirect), and only
 * visible ASCII (the UI's own links are), so the path is always a valid Location header: a control
 * character would make Node refuse the redirect after a successful sign-in.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw || !raw.startsWith('/ui/') || raw.startsWith('//') || /[^\x21-\x7e]|\\/.test(raw)) return '/ui/';
  return raw;
}

function claimsOf(jwt: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}

/**
 * The UI's OpenID Connect sign-in as a backend for the page (forecast-api): Authorization Code with
 * PKCE, state and nonce; the provider's tokens are sealed into an HttpOnly, SameSite=Lax cookie, so
 * no token is ever in a URL, in storage or visible to scripts. Routes:
 * GET /ui/auth/login?return=/ui/..., GET /ui/auth/callback, GET /ui/auth/session (who is signed in;
 * renews the access token with the refresh token shortly before it expires), POST /ui/auth/logout.
 */
export function loginRoutes(options: LoginRoutesOptions): Hono {
  const { config, authenticator, logger, now = Date.now } = options;
  const clientId = config.UI_OIDC_CLIENT_ID;
  const issuer = config.AUTH_ISSUER;
  const secret = config.AUTH_SESSION_SECRET;
  const app = new Hono();
  app.onError(problemHandler(logger));
  if (!clientId) {
    // The page asks /ui/auth/session first: this answer tells it to use a development token instead.
    app.all('/ui/auth/*', () => {
      throw new HttpProblem(404, { detail: 'sign-in is not configured here (UI_OIDC_CLIENT_ID is unset)' });
    });
    return app;
  }
  if (!issuer || !secret)
    throw new ConfigError('UI_OIDC_CLIENT_ID needs AUTH_ISSUER and AUTH_SESSION_SECRET', [
      'UI_OIDC_CLIENT_ID: needs AUTH_ISSUER and AUTH_SESSION_SECRET',
    ]);
  const sealer = new CookieSealer(secret);

  // Discovery on first use and again after a failure (the provider may start after catcast).
  let provider: Promise<{ doc: DiscoveryDocument; jwks: JWTVerifyGetKey }> | undefined;
  function discovered() {
    provider ??= discover(issuer!).then(
      (doc) => ({ doc, jwks: createRemoteJWKSet(new URL(doc.jwks_uri)) }),
      (err: unknown) => {
        provider = undefined;
        throw new HttpProblem(503, {
          detail: `the identity provider cannot be reached: ${(err as Error).message}`,
        });
      },
    );
    return provider;
  }

  function uiBase(c: Context): string {
    if (config.UI_PUBLIC_URL) return config.UI_PUBLIC_URL.replace(/\/$/, '');
    return `${new URL(c.req.url).origin}/ui`;
  }
  function cookie(c: Context, name: string, value: string, maxAge: number, path: string): void {
    const secure = uiBase(c).startsWith('https:') ? '; Secure' : '';
    c.header(
      'set-cookie',
      `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
      { append: true },
    );
  }
  const noStore = (c: Context) => c.header('cache-control', 'no-store');

  async function tokenRequest(doc: DiscoveryDocument, form: Record<string, string>): Promise<TokenResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const body = new URLSearchParams(form);
    if (config.UI_OIDC_CLIENT_SECRET) {
      const enc = (s: string) => encodeURIComponent(s);
      headers.authorization = `Basic ${Buffer.from(`${enc(clientId!)}:${enc(config.UI_OIDC_CLIENT_SECRET)}`).toString('base64')}`;
    } else {
      body.set('client_id', clientId!);
    }
    const res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json().catch(() => ({}))) as TokenResponse;
    if (!res.ok || !json.access_token)
      throw new Error(
        `token endpoint answered ${res.status}: ${json.error ?? ''} ${json.error_description ?? ''}`.trim(),
      );
    return json;
  }

  function sessionFrom(
    tokens: TokenResponse,
    name: string,
    signedInAt: number,
    previous?: UiSession,
  ): UiSession {
    const exp = claimsOf(tokens.access_token!).exp;
    const expiresAt = typeof exp === 'number' ? exp : Math.floor(now() / 1000) + (tokens.expires_in ?? 300);
    const refreshToken = tokens.refresh_token ?? previous?.refreshToken;
    const idToken = tokens.id_token ?? previous?.idToken;
    const session: UiSession = {
      accessToken: tokens.access_token!,
      expiresAt,
      name,
      signedInAt,
      ...(refreshToken ? { refreshToken } : {}),
      ...(idToken ? { idToken } : {}),
    };
    // A browser keeps cookies of up to 4096 bytes: the ID token (only a sign-out hint) goes first.
    return sealer.seal(session).length > 3800 ? { ...session, idToken: undefined } : session;
  }

  function setSession(c: Context, session: UiSession): void {
    const left = session.signedInAt + config.UI_SESSION_MAX_AGE_SECONDS - Math.floor(now() / 1000);
    cookie(c, SESSION_COOKIE, sealer.seal(session), Math.max(left, 0), '/');
  }
  function clearSession(c: Context): void {
    cookie(c, SESSION_COOKIE, '', 0, '/');
  }

  app.get('/ui/auth/login', async (c) => {
    const { doc } = await discovered();
    const verifier = random();
    const flow: LoginFlow = {
      state: random(),
      nonce: random(),
      verifier,
      returnTo: safeReturnTo(c.req.query('return')),
      redirectUri: `${uiBase(c)}/auth/callback`,
      startedAt: Math.floor(now() / 1000),
    };
    const url = new URL(doc.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: flow.redirectUri,
      scope: config.UI_OIDC_SCOPES,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    cookie(c, FLOW_COOKIE, sealer.seal(flow), 600, '/ui/auth/');
    noStore(c);
    return c.redirect(url.toString(), 302);
  });

  app.get('/ui/auth/callback', async (c) => {
    noStore(c);
    const sealed = readCookie(c.req.header('cookie'), FLOW_COOKIE);
    const flow = sealed ? sealer.open<LoginFlow>(sealed) : undefined;
    cookie(c, FLOW_COOKIE, '', 0, '/ui/auth/');
    const error = c.req.query('error');
    if (error)
      throw new HttpProblem(401, {
        detail:
          `the identity provider refused the sign-in: ${error} ${c.req.query('error_description') ?? ''}`.trim(),
      });
    if (!flow || flow.startedAt + 600 < Math.floor(now() / 1000))
      throw new HttpProblem(400, {
        detail: 'no sign-in was started in this browser (or it took over 10 minutes); start again at /ui/',
      });
    if (c.req.query('state') !== flow.state)
      throw new HttpProblem(400, {
        detail: 'the sign-in answer does not belong to this browser (state mismatch)',
      });
    const code = c.req.query('code');
    if (!code) throw new HttpProblem(400, { detail: 'the sign-in answer has no code' });
    const { doc, jwks } = await discovered();
    let tokens: TokenResponse;
    try {
      tokens = await tokenRequest(doc, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: flow.redirectUri,
        code_verifier: flow.verifier,
      });
    } catch (err) {
      throw new HttpProblem(502, { detail: `cannot redeem the sign-in code: ${(err as Error).message}` });
    }
    if (!tokens.id_token) throw new HttpProblem(502, { detail: 'the identity provider sent no ID token' });
    let name: string;
    try {
      const { payload } = await jwtVerify(tokens.id_token, jwks, {
        issuer: doc.issuer,
        audience: clientId,
        requiredClaims: ['exp', 'sub'],
      });
      if (payload.nonce !== flow.nonce) throw new Error('nonce mismatch');
      const n = payload.name ?? payload.preferred_username ?? payload.email ?? payload.sub;
      name = typeof n === 'string' ? n : String(payload.sub);
    } catch (err) {
      throw new HttpProblem(401, { detail: `the ID token is not acceptable: ${(err as Error).message}` });
    }
    // The API must accept the access token, or the page would only ever show errors.
    await authenticator.verify(tokens.access_token!).catch((err: unknown) => {
      const detail = err instanceof HttpProblem ? err.detail : String(err);
      throw new HttpProblem(403, {
        detail: `signed in as ${name}, but catcast does not accept the provider's access token: ${detail}`,
      });
    });
    setSession(c, sessionFrom(tokens, name, Math.floor(now() / 1000)));
    logger.info({ user: name }, 'ui sign-in');
    return c.redirect(flow.returnTo, 302);
  });

  app.get('/ui/auth/session', async (c) => {
    noStore(c);
    const sealed = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    let session = sealed ? sealer.open<UiSession>(sealed) : undefined;
    const nowS = Math.floor(now() / 1000);
    const signIn = () => {
      clearSession(c);
      return c.json({ signedIn: false, login: '/ui/auth/login' }, 401);
    };
    if (!session || session.signedInAt + config.UI_SESSION_MAX_AGE_SECONDS <= nowS) return signIn();
    if (session.expiresAt - RENEW_BEFORE_SECONDS <= nowS) {
      if (!session.refreshToken) return signIn();
      try {
        const { doc } = await discovered();
        const tokens = await tokenRequest(doc, {
          grant_type: 'refresh_token',
          refresh_token: session.refreshToken,
        });
        session = sessionFrom(tokens, session.name, session.signedInAt, session);
        setSession(c, session);
      } catch (err) {
        logger.info({ err: (err as Error).message }, 'ui session renewal failed; sign-in needed');
        return signIn();
      }
    }
    let principal;
    try {
      principal = await authenticator.verify(session.accessToken);
    } catch {
      return signIn();
    }
    return c.json({
      signedIn: true,
      name: session.name,
      subject: principal.subject,
      merchants: principal.merchants === '*' ? '*' : [...principal.merchants].sort(),
      expiresAt: Math.min(session.expiresAt, session.signedInAt + config.UI_SESSION_MAX_AGE_SECONDS),
    });
  });

  app.post('/ui/auth/logout', async (c) => {
    noStore(c);
    // A custom header cannot be sent cross-site without a CORS preflight, which catcast never allows.
    if (c.req.header('x-catcast-logout') !== '1')
      throw new HttpProblem(400, { detail: 'sign-out needs the X-Catcast-Logout: 1 header' });
    const sealed = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    const session = sealed ? sealer.open<UiSession>(sealed) : undefined;
    clearSession(c);
    const after = `${uiBase(c)}/signed-out`;
    let redirect = after;
    try {
      const { doc } = await discovered();
      if (doc.end_session_endpoint) {
        const url = new URL(doc.end_session_endpoint);
        url.searchParams.set('client_id', clientId);
        url.searchParams.set('post_logout_redirect_uri', after);
        if (session?.idToken) url.searchParams.set('id_token_hint', session.idToken);
        redirect = url.toString();
      }
    } catch {
      // The provider is down: the catcast session is gone all the same.
    }
    return c.json({ signedOut: true, redirect });
  });

  app.get('/ui/auth/*', () => {
    throw new HttpProblem(404, { detail: 'no such sign-in route' });
  });
  return app;
}
