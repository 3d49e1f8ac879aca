import { Hono } from 'hono';
import type { Registry } from '../metrics/index.js';
import { notFoundHandler } from './routing.js';
import { securedResponse, withSecurityHeaderRecord } from './security.js';

/** A readiness check: resolves when the dependency is usable, rejects (with a reason) when it is not. */
export type ReadinessCheck = () => Promise<void>;

/** Options of {@link opsRoutes}. */
export interface OpsRoutesOptions {
  /** Named readiness checks, e.g. { database: ..., kafka: ... }. */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly registry: Registry;
  /** Per-check timeout in ms. @default 2000 */
  readonly timeoutMs?: number;
  /** Returns false while the process is shutting down, so /ready fails first. @default always true */
  readonly accepting?: () => boolean;
}

/** Measures event-loop delay so /health can report a blocked loop. */
export function eventLoopProbe(): { lagMs(): number } {
  let last = performance.now();
  let lag = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(0, now - last - 500);
    last = now;
  }, 500);
  timer.unref();
  return { lagMs: () => Math.max(lag, performance.now() - last - 500) };
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** /health (liveness, no dependencies), /ready (dependency checks, JSON naming failures) and /metrics. */
export function opsRoutes(options: OpsRoutesOptions): Hono {
  const { checks, registry, timeoutMs = 2000, accepting = () => true } = options;
  const loop = eventLoopProbe();
  const app = new Hono();
  // Used when served alone (the relay's health port); a parent app mounting these routes has its own.
  app.notFound(notFoundHandler(app));
  app.get('/health', (c) => {
    const lag = loop.lagMs();
    // A loop blocked for 10 s is as good as dead: let the kubelet restart it.
    if (lag > 10_000) return c.json({ status: 'unhealthy', eventLoopLagMs: Math.round(lag) }, 503);
    // With its header block complete (security headers included), like a cached read answer: the
    // benchmark measures the read path against this route, so both skip the fetch Headers round trip.
    const text = JSON.stringify({ status: 'ok', eventLoopLagMs: Math.round(lag) });
    return securedResponse(
      text,
      200,
      withSecurityHeaderRecord({
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      }),
    );
  });
  app.get('/ready', async (c) => {
    const results: Record<string, { ok: boolean; error?: string }> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          results[name] = { ok: true };
        } catch (err) {
          results[name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const shuttingDown = !accepting();
    const ok = !shuttingDown && Object.values(results).every((r) => r.ok);
    return c.json({ status: ok ? 'ready' : 'not ready', shuttingDown, checks: results }, ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { 'content-type': registry.contentType });
  });
  return app;
}
