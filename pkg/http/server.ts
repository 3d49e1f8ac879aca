import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { serve as nodeServe, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../log/index.js';
import { withSecurityHeaders } from './security.js';

/** Options of {@link serveUntilAborted}. */
export interface ServeOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly app: Hono<any, any, any>;
  readonly port: number;
  /** @default 0.0.0.0 */
  readonly host?: string;
  readonly logger: Logger;
  /** Max milliseconds to wait for in-flight requests after abort. @default 10000 */
  readonly drainMs?: number;
  /** Called with the bound port once listening. */
  readonly onListening?: (port: number) => void;
  /**
   * Serve HTTPS with these options (key, cert, client certificates) instead of HTTP; the app reads
   * the TLS socket from `env.incoming.socket`. @default plain HTTP
   */
  readonly tls?: HttpsServerOptions;
}

/** Serves `app` until `signal` aborts, then stops accepting and drains in-flight requests. */
export async function serveUntilAborted(options: ServeOptions, signal: AbortSignal): Promise<void> {
  const { app, port, host = '0.0.0.0', logger, drainMs = 10_000 } = options;
  const server: ServerType = await new Promise((resolve, reject) => {
    // Security headers are added here, around the whole app, so no route or error path can miss them.
    const fetch = async (req: Request, env?: unknown): Promise<Response> =>
      withSecurityHeaders(await app.fetch(req, env));
    const transport = options.tls ? { createServer: createHttpsServer, serverOptions: options.tls } : {};
    const s = nodeServe({ fetch, port, hostname: host, ...transport }, (info) => {
      logger.info({ port: info.port, host, tls: options.tls !== undefined }, 'listening');
      options.onListening?.(info.port);
      resolve(s);
    });
    s.once('error', reject);
  });
  if (!signal.aborted)
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      resolve();
    }, drainMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
  logger.info('http server closed');
}
