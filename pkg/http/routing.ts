import type { Hono, NotFoundHandler } from 'hono';
import { HttpProblem, problemResponse } from './problem.js';

/** A route as Hono lists it in `app.routes`. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

interface CompiledRoute {
  readonly method: string;
  readonly pattern: RegExp;
}

// Hono's path syntax as used here: `:name` is one segment (optionally `:name{regex}`), `*` is anything.
function compile(path: string): RegExp {
  let out = '';
  for (const part of path.split(/(:[A-Za-z0-9_]+(?:\{[^}]*\})?|\*)/)) {
    if (part === '*') out += '.*';
    else if (part.startsWith(':')) {
      const custom = /\{([^}]*)\}$/.exec(part);
      out += custom ? `(?:${custom[1]})` : '[^/]+';
    } else out += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  // Hono matches `/x` and `/x/` alike unless strict; the tail slash is optional here too.
  return new RegExp(`^${out.replace(/\/$/, '')}/?$`);
}

/**
 * The methods some route answers for `path`, in a stable order, with HEAD wherever GET is (Hono
 * serves HEAD from the GET handler). `ALL` entries are middleware (`app.use`) or catch-alls and do
 * not name a method, so they are left out. Empty when no route matches the path at all.
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  return methodsOf(
    routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, pattern: compile(r.path) })),
    path,
  );
}

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function methodsOf(compiled: readonly CompiledRoute[], path: string): string[] {
  const found = new Set<string>();
  for (const r of compiled) if (r.pattern.test(path)) found.add(r.method);
  if (found.has('GET')) found.add('HEAD');
  const rank = (m: string) => (ORDER.includes(m) ? ORDER.indexOf(m) : ORDER.length);
  return [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The problem+json answer of a request no route handles: 405 with an `Allow` header naming the
 * methods the path does support (RFC 9110 15.5.6), or 404 when no route has the path. The routes of
 * `app` are read at request time, so routes added after this handler is installed count too.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function notFoundHandler(app: Hono<any, any, any>): NotFoundHandler {
  let seen = -1;
  let compiled: CompiledRoute[] = [];
  return function notFound(c) {
    if (app.routes.length !== seen) {
      compiled = app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => ({ method: r.method, pattern: compile(r.path) }));
      seen = app.routes.length;
    }
    const allow = methodsOf(compiled, c.req.path);
    if (allow.length > 0) {
      return problemResponse(
        c,
        new HttpProblem(405, {
          detail: `${c.req.method} is not supported on ${c.req.path}; use ${allow.join(', ')}`,
          headers: { allow: allow.join(', ') },
        }),
      );
    }
    return problemResponse(c, new HttpProblem(404, { detail: `no route for ${c.req.method} ${c.req.path}` }));
  };
}
