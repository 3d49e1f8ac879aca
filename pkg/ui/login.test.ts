import { describe, expect, it } from 'vitest';
import { CookieSealer, createAuthenticator, parseAuthConfig, readCookie } from '../auth/index.js';
import { silentLogger } from '../log/index.js';
import { loginRoutes, safeReturnTo } from './index.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';

describe('safeReturnTo', () => {
  it.each([
    ['/ui/?merchant=a&tf=month', '/ui/?merchant=a&tf=month'],
    ['/ui/compare', '/ui/compare'],
    [undefined, '/ui/'],
    ['https://evil.example/ui/', '/ui/'],
    ['//evil.example/ui/', '/ui/'],
    ['/api/merchants', '/ui/'],
    ['/ui/\\evil', '/ui/'],
    ['/ui/\r\nSet-Cookie: x=1', '/ui/'],
    ['/ui/\u007f', '/ui/'],
    ['/ui/\u0001', '/ui/'],
    ['/ui/?q=a b', '/ui/'],
    ['/ui/\u00e9', '/ui/'],
  ])('%s -> %s', (raw, expected) => {
    expect(safeReturnTo(raw)).toBe(expected);
  });
});

describe('CookieSealer', () => {
  it('opens what it sealed, and nothing altered or sealed under another secret', () => {
    const sealer = new CookieSealer(SECRET);
    const sealed = sealer.seal({ accessToken: 'x', n: 1 });
    expect(sealer.open(sealed)).toEqual({ accessToken: 'x', n: 1 });
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    expect(sealer.open(flipped)).toBeUndefined();
    expect(new CookieSealer(`${SECRET}-other`).open(sealed)).toBeUndefined();
    expect(sealer.open('')).toBeUndefined();
    expect(sealer.open('not base64 at all!')).toBeUndefined();
    expect(() => new CookieSealer('short')).toThrow(/at least 32/);
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; catcast_session=xyz; b=2', 'catcast_session')).toBe('xyz');
    expect(readCookie('catcast_session_old=1', 'catcast_session')).toBeUndefined();
    expect(readCookie(undefined, 'catcast_session')).toBeUndefined();
  });
});

describe('loginRoutes', () => {
  const authenticator = () => createAuthenticator(parseAuthConfig({ AUTH_HS256_SECRET: SECRET }));

  it('answers 404 problem+json when sign-in is not configured, so the page uses a dev token', async () => {
    const app = loginRoutes({
      config: { UI_OIDC_SCOPES: 'openid', UI_SESSION_MAX_AGE_SECONDS: 60 },
      authenticator: await authenticator(),
      logger: silentLogger(),
    });
    const res = await app.request('/ui/auth/session');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/UI_OIDC_CLIENT_ID is unset/);
  });

  it('refuses a client id without issuer or session secret, naming them', async () => {
    const auth = await authenticator();
    expect(() =>
      loginRoutes({
        config: { UI_OIDC_CLIENT_ID: 'ui', UI_OIDC_SCOPES: 'openid', UI_SESSION_MAX_AGE_SECONDS: 60 },
        authenticator: auth,
        logger: silentLogger(),
      }),
    ).toThrow(/needs AUTH_ISSUER and AUTH_SESSION_SECRET/);
  });

  it('says who is not signed in, refuses a sign-out without its header and a callback without a flow', async () => {
    const app = loginRoutes({
      config: {
        UI_OIDC_CLIENT_ID: 'ui',
        UI_OIDC_SCOPES: 'openid',
        UI_SESSION_MAX_AGE_SECONDS: 60,
        AUTH_ISSUER: 'http://127.0.0.1:9/',
        AUTH_SESSION_SECRET: SECRET,
      },
      authenticator: await authenticator(),
      logger: silentLogger(),
    });
    const session = await app.request('/ui/auth/session');
    expect(session.status).toBe(401);
    expect(await session.json()).toEqual({ signedIn: false, login: '/ui/auth/login' });
    const forged = await app.request('/ui/auth/session', {
      headers: { cookie: `catcast_session=${new CookieSealer(`${SECRET}-x`).seal({ accessToken: 'a' })}` },
    });
    expect(forged.status).toBe(401);
    const logout = await app.request('/ui/auth/logout', { method: 'POST' });
    expect(logout.status).toBe(400);
    const callback = await app.request('/ui/auth/callback?code=c&state=s');
    expect(callback.status).toBe(400);
    expect(((await callback.json()) as { detail: string }).detail).toMatch(/no sign-in was started/);
    // The provider is unreachable: a 503 that says so, not a 500.
    const login = await app.request('/ui/auth/login?return=/ui/');
    expect(login.status).toBe(503);
  });
});
