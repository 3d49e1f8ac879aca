import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';

/** Options of {@link uiRoutes}. */
export interface UiRoutesOptions {
  /**
   * Folder of the built UI.
   * @default pkg/ui/static beside this module, or beside the source tree when running from dist/
   */
  readonly staticDir?: string;
  /** Send Strict-Transport-Security (only behind TLS, e.g. an HTTPS ingress). @default false */
  readonly hsts?: boolean;
}

/** The Content-Security-Policy of every /ui response: same-origin only, no inline script or style. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const BASE = '/ui';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = /^(text\/|image\/svg|application\/json)/;

interface Variant {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly etag: string;
}

interface Asset {
  readonly type: string;
  readonly cacheControl: string;
  readonly identity: Variant;
  readonly gzip: Variant | undefined;
  readonly br: Variant | undefined;
}

function defaultStaticDir(): string {
  const here = import.meta.dirname;
  const beside = path.join(here, 'static');
  // Compiled to dist/pkg/ui: the build output stays in pkg/ui/static of the tree (and the image).
  const source = path.resolve(here, '../../../pkg/ui/static');
  return existsSync(beside) || !existsSync(source) ? beside : source;
}

function tag(body: Uint8Array<ArrayBuffer>, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}${suffix}"`;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(path.join(dir, e.name), `${prefix}${e.name}/`)
      : e.isFile()
        ? [`${prefix}${e.name}`]
        : [],
  );
}

function load(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const rel of walk(dir)) {
    const body = new Uint8Array(readFileSync(path.join(dir, rel)));
    const type = TYPES[path.extname(rel).toLowerCase()] ?? 'application/octet-stream';
    const compress = COMPRESSIBLE.test(type) && body.byteLength > 512;
    const gz = compress ? new Uint8Array(gzipSync(body, { level: 9 })) : undefined;
    const br = compress
      ? new Uint8Array(brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }))
      : undefined;
    assets.set(rel, {
      type,
      // Vite puts content-hashed files under assets/: they never change, so caches keep them a year.
      cacheControl: rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      identity: { body, etag: tag(body, '') },
      gzip: gz && gz.byteLength < body.byteLength ? { body: gz, etag: tag(body, '-gz') } : undefined,
      br: br && br.byteLength < body.byteLength ? { body: br, etag: tag(body, '-br') } : undefined,
    });
  }
  return assets;
}

function accepts(header: string | undefined, coding: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== coding) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === etag;
  });
}

/**
 * The /ui sub-app: mount it with `app.route('/', uiRoutes())`. GET /ui redirects to /ui/; files of
 * the build are served as they are; other paths under /ui/ get index.html (the page keeps its state
 * in the query string); a missing asset under /ui/assets/ is a 404, not the page.
 */
export function uiRoutes(options: UiRoutesOptions = {}): Hono {
  const { staticDir = defaultStaticDir(), hsts = false } = options;
  let assets: Map<string, Asset> | undefined;
  let loadedFrom = 0;

  // Loaded on first use (not at import or construction), and again when a rebuild replaced index.html.
  function current(): Map<string, Asset> | undefined {
    const index = path.join(staticDir, 'index.html');
    let mtime: number;
    try {
      mtime = statSync(index).mtimeMs;
    } catch {
      return undefined;
    }
    if (!assets || mtime !== loadedFrom) {
      assets = load(staticDir);
      loadedFrom = mtime;
    }
    return assets;
  }

  const security: Record<string, string> = {
    'content-security-policy': UI_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };

  function send(c: Context, asset: Asset): Response {
    const enc = c.req.header('accept-encoding');
    const [variant, encoding] =
      asset.br && accepts(enc, 'br')
        ? [asset.br, 'br']
        : asset.gzip && accepts(enc, 'gzip')
          ? [asset.gzip, 'gzip']
          : [asset.identity, undefined];
    const headers: Record<string, string> = {
      ...security,
      'cache-control': asset.cacheControl,
      etag: variant.etag,
      ...(asset.gzip || asset.br ? { vary: 'Accept-Encoding' } : {}),
    };
    if (matches(c.req.header('if-none-match'), variant.etag)) return c.body(null, 304, headers);
    headers['content-type'] = asset.type;
    if (encoding) headers['content-encoding'] = encoding;
    return c.body(variant.body, 200, headers);
  }

  function text(c: Context, status: 404 | 503, message: string): Response {
    return c.body(message, status, {
      ...security,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
  }

  const app = new Hono();
  app.get(BASE, (c) => {
    const query = new URL(c.req.url).search;
    return c.body(null, 308, { ...security, location: `${BASE}/${query}` });
  });
  app.get(`${BASE}/*`, (c) => {
    const files = current();
    if (!files) {
      return text(c, 503, 'The catcast UI is not built: run `npm run build:ui` (it writes pkg/ui/static).\n');
    }
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice(BASE.length + 1));
    } catch {
      return text(c, 404, 'Not found\n');
    }
    const file = rel === '' ? undefined : files.get(rel);
    if (file) return send(c, file);
    // Missing build files must fail loudly (a stale page asking for an old hash), not return HTML.
    if (rel.startsWith('assets/') || /\.[a-z0-9]{1,8}$/i.test(rel)) return text(c, 404, 'Not found\n');
    const index = files.get('index.html');
    return index ? send(c, index) : text(c, 503, 'The catcast UI build has no index.html.\n');
  });
  return app;
}
