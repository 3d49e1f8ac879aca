import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_CSP, uiRoutes } from './index.js';

let dir: string;
const INDEX =
  '<!doctype html><title>catcast</title><script type="module" src="/ui/assets/index-abc123.js"></script>';
const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'catcast-ui-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), JS);
  writeFileSync(path.join(dir, 'assets', 'logo-xyz.svg'), '<svg/>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uiRoutes', () => {
  it('serves index.html with a strict CSP, security headers and no-cache', async () => {
    const res = await uiRoutes({ staticDir: dir }).request('/ui/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(UI_CSP).toContain("default-src 'self'");
    expect(UI_CSP).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(await res.text()).toBe(INDEX);
  });

  it.each(['/ui/compare', '/ui/some/deep/route', '/ui/?merchant=a&tf=month'])(
    'falls back to index.html for %s',
    async (p) => {
      const res = await uiRoutes({ staticDir: dir }).request(p);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(INDEX);
    },
  );

  it('redirects /ui to /ui/ keeping the query', async () => {
    const res = await uiRoutes({ staticDir: dir }).request('/ui?tf=year');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/ui/?tf=year');
  });

  it('serves hashed assets as immutable, compressed when the client accepts it', async () => {
    const app = uiRoutes({ staticDir: dir });
    const plain = await app.request('/ui/assets/index-abc123.js');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(JS);

    const gz = await app.request('/ui/assets/index-abc123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(JS);

    const br = await app.request('/ui/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('etag')).not.toBe(gz.headers.get('etag'));

    const refused = await app.request('/ui/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'br;q=0' },
    });
    expect(refused.headers.get('content-encoding')).toBeNull();
  });

  it('answers If-None-Match with 304', async () => {
    const app = uiRoutes({ staticDir: dir });
    const first = await app.request('/ui/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request('/ui/', { headers: { 'if-none-match': `W/${etag}` } });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(await again.text()).toBe('');
  });

  it.each(['/ui/assets/index-old.js', '/ui/missing.png', '/ui/%E0%A4%A'])(
    '404s for %s instead of serving the page',
    async (p) => {
      const res = await uiRoutes({ staticDir: dir }).request(p);
      expect(res.status).toBe(404);
    },
  );

  it('does not serve files outside the build', async () => {
    const res = await uiRoutes({ staticDir: path.join(dir, 'assets') }).request('/ui/../index.html');
    expect(res.status).not.toBe(200);
  });

  it('says how to build when the UI is not built, and picks the build up once it exists', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'catcast-ui-empty-'));
    try {
      const app = uiRoutes({ staticDir: empty, hsts: true });
      const res = await app.request('/ui/');
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:ui');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      writeFileSync(path.join(empty, 'index.html'), INDEX);
      expect((await app.request('/ui/')).status).toBe(200);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('leaves other paths to the app it is mounted in', async () => {
    const res = await uiRoutes({ staticDir: dir }).request('/forecast/models');
    expect(res.status).toBe(404);
  });
});
