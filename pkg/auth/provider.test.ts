import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import {
  SignJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler } from '../http/index.js';
import { silentLogger } from '../log/index.js';
import {
  assertMerchantAccess,
  createAuthenticator,
  mintToken,
  parseAuthConfig,
  requireScope,
} from './index.js';

/**
 * Tokens of an identity provider (asymmetric keys published as a JWKS, issuer and audience checked):
 * every way such a token can be wrong is a 401 problem+json that says what is wrong.
 */
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'catcast';
const SECRET = 'a-development-secret-of-at-least-32-chars';

interface Key {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A JWKS endpoint whose key set the test replaces (a rotation), counting fetches. */
let server: Server;
let jwksUrl: string;
let published: Key[] = [];
let fetches = 0;
/** What the JWKS endpoint answers: its keys, or this HTTP error status (an outage). */
let jwksFailure: number | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/jwks') {
      fetches++;
      if (jwksFailure !== undefined) {
        res.writeHead(jwksFailure, { 'content-type': 'text/plain' }).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: discoveryIssuer,
          jwks_uri: jwksUrl,
          authorization_endpoint: 'x',
          token_endpoint: 'y',
        }),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  discoveryIssuer = jwksUrl.replace(/jwks$/, '');
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
let discoveryIssuer = '';

function sign(key: Key, claims: JWTPayload, edit?: (j: SignJWT) => SignJWT): Promise<string> {
  let jwt = new SignJWT({
    scope: 'sales:read',
    merchants: ['a'],
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'ana',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuedAt()
    .setExpirationTime('10m');
  if (edit) jwt = edit(jwt);
  return jwt.sign(key.privateKey);
}

async function appWith(env: Record<string, string>) {
  const auth = await createAuthenticator(parseAuthConfig(env));
  const app = new Hono();
  app.onError(problemHandler(silentLogger()));
  app.use('*', auth.middleware);
  app.get('/m/:id', requireScope('sales:read'), (c) => {
    assertMerchantAccess(c, c.req.param('id'));
    return c.json({ ok: true });
  });
  return app;
}

async function call(app: Hono, token: string, merchant = 'a') {
  const res = await app.request(`/m/${merchant}`, { headers: { authorization: `Bearer ${token}` } });
  const body = res.status === 200 ? undefined : ((await res.json()) as { detail: string; status: number });
  return { status: res.status, type: res.headers.get('content-type'), detail: body?.detail };
}

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

describe('identity provider tokens (JWKS, issuer, audience)', () => {
  it('refuses every kind of bad token with a 401 problem naming the problem', async () => {
    const key = await newKey('k1');
    published = [key];
    const app = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    const good = await sign(key, {});
    expect((await call(app, good)).status).toBe(200);

    const noExp = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(key.privateKey);
    const payload = {
      scope: 'sales:read',
      merchants: ['a'],
      iss: ISSUER,
      aud: AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    // Algorithm confusion: HS256 with the provider's public key (as published) as the HMAC secret.
    const confused = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(new TextEncoder().encode(JSON.stringify(key.jwk)));
    const cases: Array<[string, string, RegExp]> = [
      ['no exp', noExp, /no "exp" claim/],
      ['alg none', algNone, /algorithm "none" is not accepted/],
      ['HS256 with the public key', confused, /algorithm "HS256" is not accepted/],
      [
        'wrong issuer',
        await sign(key, { iss: 'https://evil.example.test/' }),
        /issuer \(iss\) is not the expected/,
      ],
      [
        'wrong audience',
        await sign(key, { aud: 'someone-else' }),
        /audience \(aud\) does not include "catcast"/,
      ],
      [
        'expired',
        await sign(key, {}, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 120)),
        /token expired/,
      ],
      [
        'unknown key',
        await sign(await newKey('k-unknown'), {}),
        /no key of the identity provider's JWKS matches/,
      ],
    ];
    for (const [name, token, detail] of cases) {
      const r = await call(app, token);
      expect({ name, status: r.status, type: r.type }).toEqual({
        name,
        status: 401,
        type: 'application/problem+json',
      });
      expect(r.detail, name).toMatch(detail);
    }
  });

  it('refuses a token whose alg is not header-safe text with a 401, never a 500', async () => {
    published = [await newKey('k1')];
    const app = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    const payload = b64({ exp: Math.floor(Date.now() / 1000) + 600 });
    for (const alg of ['中', '\u007f', 'a"b\\c', 'x'.repeat(5000)]) {
      const res = await app.request('/m/a', {
        headers: { authorization: `Bearer ${b64({ alg })}.${payload}.c2ln` },
      });
      expect({ alg: alg.slice(0, 8), status: res.status }).toEqual({ alg: alg.slice(0, 8), status: 401 });
      const header = res.headers.get('www-authenticate') ?? '';
      expect(header).toMatch(
        /^Bearer realm="catcast", error="invalid_token", error_description="[\x20-\x7e]*"$/,
      );
      expect(header.length).toBeLessThan(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/is not accepted/);
    }
  });

  it('answers 503 with Retry-After, not 401, while the JWKS cannot be read', async () => {
    const key = await newKey('k-outage');
    published = [key];
    const token = await sign(key, {});
    // The endpoint answers an HTTP error.
    jwksFailure = 500;
    try {
      const app = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
      const res = await app.request('/m/a', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/JWKS cannot be read/);
    } finally {
      jwksFailure = undefined;
    }
    // Nothing listens at the address (connection refused).
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await appWith({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    const res = await refused.request('/m/a', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    // Once it answers again, the same token is accepted.
    const app = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    expect((await call(app, token)).status).toBe(200);
  });

  it('follows a key rotation: a new kid is fetched, a rotated-away key is refused, refetches are rate-limited', async () => {
    const old = await newKey('old');
    published = [old];
    const app = await appWith({
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_COOLDOWN_SECONDS: '1',
    });
    fetches = 0;
    expect((await call(app, await sign(old, { sub: 'before' }))).status).toBe(200);
    expect(fetches).toBe(1);
    // Cached: another token of the same key needs no fetch.
    expect((await call(app, await sign(old, { sub: 'again' }))).status).toBe(200);
    expect(fetches).toBe(1);

    const next = await newKey('new');
    published = [next];
    // The cooldown (1 s) after the first fetch must have passed before an unknown kid refetches.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(app, await sign(next, { sub: 'after' }))).status).toBe(200);
    expect(fetches).toBe(2);
    const stale = await call(app, await sign(old, { sub: 'rotated-away' }));
    expect(stale.status).toBe(401);
    expect(stale.detail).toMatch(/rotated away/);
    // A burst of forged kids within the cooldown costs no more fetches.
    const forger = await newKey('forged');
    for (let i = 0; i < 5; i++)
      expect((await call(app, await sign(forger, { sub: `f${i}` }))).status).toBe(401);
    expect(fetches).toBeLessThanOrEqual(3);
  });

  it('finds the JWKS through the issuer discovery document when only AUTH_ISSUER is set', async () => {
    const key = await newKey('disc');
    published = [key];
    const app = await appWith({ AUTH_ISSUER: discoveryIssuer, AUTH_AUDIENCE: AUDIENCE });
    expect((await call(app, await sign(key, { iss: discoveryIssuer }))).status).toBe(200);
    expect((await call(app, await sign(key, {}))).detail).toMatch(/issuer/);
  });

  it('refuses a token signed with a static public key as HMAC secret, and one without exp', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const app = await appWith({ AUTH_PUBLIC_KEY: pem });
    const ok = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await call(app, ok)).status).toBe(200);
    const confused = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    const refused = await call(app, confused);
    expect(refused.status).toBe(401);
    expect(refused.detail).toMatch(/"HS256" is not accepted/);
    const forever = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect(await call(app, forever)).toMatchObject({ status: 401, detail: 'token has no "exp" claim' });
  });

  it('keeps `catcast token` (HS256) working beside the provider, without the provider issuer/audience', async () => {
    const key = await newKey('both');
    published = [key];
    const app = await appWith({
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_HS256_SECRET: SECRET,
    });
    expect(
      (await call(app, await mintToken({ secret: SECRET, scopes: ['sales:read'], merchants: ['a'] }))).status,
    ).toBe(200);
    expect((await call(app, await sign(key, {}))).status).toBe(200);
    const noExp = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    expect(await call(app, noExp)).toMatchObject({ status: 401, detail: 'token has no "exp" claim' });
  });
});

describe('merchant scope from configurable claims', () => {
  it.each([
    [
      'a custom claim',
      { AUTH_MERCHANTS_CLAIM: 'https://catcast.io/merchants' },
      { 'https://catcast.io/merchants': ['a'] },
      200,
    ],
    [
      'a custom claim, other merchant',
      { AUTH_MERCHANTS_CLAIM: 'https://catcast.io/merchants' },
      { 'https://catcast.io/merchants': ['b'] },
      403,
    ],
    [
      'a group mapping',
      { AUTH_GROUP_MERCHANTS: '{"shop-a-staff":["a"],"ops":["*"]}' },
      { merchants: [], groups: ['shop-a-staff'] },
      200,
    ],
    [
      'a group of another merchant',
      { AUTH_GROUP_MERCHANTS: '{"shop-a-staff":["a"]}' },
      { merchants: [], groups: ['shop-b'] },
      403,
    ],
    [
      'an all-merchants group',
      { AUTH_GROUP_MERCHANTS: '{"ops":["*"]}' },
      { merchants: [], groups: 'ops' },
      200,
    ],
    [
      'a custom groups claim',
      { AUTH_GROUPS_CLAIM: 'roles', AUTH_GROUP_MERCHANTS: '{"a-viewer":["a"]}' },
      { merchants: [], roles: ['a-viewer'] },
      200,
    ],
  ])('reads merchants from %s', async (_name, env, claims, status) => {
    const key = await newKey(`m-${Math.random()}`);
    published = [key];
    const app = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, ...env });
    expect((await call(app, await sign(key, claims))).status).toBe(status);
  });

  it('grants AUTH_DEFAULT_SCOPES to a provider token without catcast scopes', async () => {
    const key = await newKey('scopes');
    published = [key];
    const plain = await sign(key, { scope: 'openid profile' });
    const without = await appWith({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER });
    expect((await call(without, plain)).status).toBe(403);
    const withDefault = await appWith({
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_DEFAULT_SCOPES: 'sales:read forecasts:read',
    });
    expect((await call(withDefault, plain)).status).toBe(200);
  });

  it('names a bad group mapping at start', () => {
    expect(() => parseAuthConfig({ AUTH_ISSUER: ISSUER, AUTH_GROUP_MERCHANTS: '{"g":"a"}' })).toThrow(
      /AUTH_GROUP_MERCHANTS: must map group names to arrays of merchant ids/,
    );
    expect(() => parseAuthConfig({ AUTH_ISSUER: ISSUER, AUTH_GROUP_MERCHANTS: 'nope' })).toThrow(
      /AUTH_GROUP_MERCHANTS: must be a JSON object/,
    );
  });
});
