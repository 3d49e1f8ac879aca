import { Hono } from 'hono';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { problemHandler } from '../http/index.js';
import { silentLogger } from '../log/index.js';
import {
  assertMerchantAccess,
  createAuthenticator,
  createRateLimiter,
  mintToken,
  parseAuthConfig,
  requireScope,
} from './index.js';

const SECRET = 'a-development-secret-of-at-least-32-chars';

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

const get = (app: Hono, path: string, token?: string) =>
  app.request(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('auth', () => {
  it('refuses jwt mode without a key source, naming the variables', () => {
    expect(() => parseAuthConfig({})).toThrow(
      /AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_HS256_SECRET or AUTH_ISSUER/,
    );
  });

  it.each([
    ['no token', undefined, 401, /missing bearer token/],
    ['garbage', 'not-a-jwt', 401, /invalid/],
  ])('answers %s with %s', async (_name, token, status, detail) => {
    const app = await appWith({ AUTH_HS256_SECRET: SECRET });
    const res = await get(app, '/m/a', token);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
  });

  it('keeps rejecting a tampered or expired token after the genuine one was verified (and cached)', async () => {
    const app = await appWith({ AUTH_HS256_SECRET: SECRET });
    const good = await mintToken({ secret: SECRET, scopes: ['sales:read'], merchants: ['a'] });
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), merchants: ['*'] }),
    ).toString('base64url');
    const expired = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 31)
      .sign(new TextEncoder().encode(SECRET));
    for (let i = 0; i < 2; i++) expect((await get(app, '/m/a', good)).status).toBe(200);
    for (const bad of [
      `${header}.${payload}.${flipped}`,
      `${header}.${otherPayload}.${signature}`,
      expired,
    ]) {
      expect((await get(app, '/m/a', bad)).status).toBe(401);
      expect((await get(app, '/m/a', bad)).status).toBe(401);
    }
    expect((await get(app, '/m/b', good)).status).toBe(403);
  });

  it('separates good, expired, wrong-signature, wrong-scope and other-merchant tokens', async () => {
    const app = await appWith({ AUTH_HS256_SECRET: SECRET });
    const good = await mintToken({ secret: SECRET, scopes: ['sales:read'], merchants: ['a'] });
    const expired = await new SignJWT({ scope: 'sales:read', merchants: ['a'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(SECRET));
    const forged = await mintToken({ secret: `${SECRET}-other`, scopes: ['sales:read'], merchants: ['a'] });
    const wrongScope = await mintToken({ secret: SECRET, scopes: ['orders:write'], merchants: ['a'] });
    const admin = await mintToken({ secret: SECRET, scopes: ['admin'], merchants: [] });
    expect((await get(app, '/m/a', good)).status).toBe(200);
    expect((await get(app, '/m/b', good)).status).toBe(403);
    expect((await get(app, '/m/a', expired)).status).toBe(401);
    expect(await (await get(app, '/m/a', expired)).text()).toMatch(/expired/);
    expect((await get(app, '/m/a', forged)).status).toBe(401);
    expect((await get(app, '/m/a', wrongScope)).status).toBe(403);
    expect((await get(app, '/m/zzz', admin)).status).toBe(200);
  });

  it('verifies ES256 tokens with a static public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const app = await appWith({ AUTH_PUBLIC_KEY: await exportSPKI(publicKey) });
    const token = await new SignJWT({ scope: 'sales:read', merchant_id: 'a' })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await get(app, '/m/a', token)).status).toBe(200);
    expect((await get(app, '/m/b', token)).status).toBe(403);
  });

  it('lets everything through with AUTH_MODE=none', async () => {
    const app = await appWith({ AUTH_MODE: 'none' });
    expect((await get(app, '/m/anything')).status).toBe(200);
  });
});

describe('rate limiter', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const rl = createRateLimiter({ ratePerSecond: 2, burst: 3, key: () => 'k', now: () => now });
    expect([rl.take('k'), rl.take('k'), rl.take('k')]).toEqual([0, 0, 0]);
    expect(rl.take('k')).toBeCloseTo(0.5);
    now = 500;
    expect(rl.take('k')).toBe(0);
    expect(rl.take('other')).toBe(0);
  });
  it('rejects nonsense settings', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0, burst: 1, key: () => '' })).toThrow(
      /ratePerSecond > 0/,
    );
  });
});
