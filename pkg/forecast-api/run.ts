import type { Context, Hono } from 'hono';
import { Hono as HonoApp } from 'hono';
import { assertMerchantAccess, createAuthenticator, requireScope } from '../auth/index.js';
import { ChangeLog } from '../cache/index.js';
import { createPool, registerPoolMetrics } from '../db/index.js';
import {
  HttpProblem,
  notFoundHandler,
  opsRoutes,
  problemHandler,
  problemResponse,
  serveUntilAborted,
} from '../http/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { loginRoutes, uiRoutes } from '../ui/index.js';
import { createRegistry } from '../metrics/index.js';
import { createForecastApi } from './app.js';
import { ForecastChangeLog, listenForForecastChanges } from './changes.js';
import { listenForAggregateChanges } from './reference-cache.js';
import type { ForecastApiConfig } from './config.js';
import { registerForecastRunMetrics } from './metrics.js';

/** Optional collaborators of {@link run}; each defaults to the production choice. */
export interface ForecastApiDeps {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** Routes serving the merchant UI under /ui (with the sign-in routes). @default pkg/ui's built UI */
  readonly ui?: Hono;
  /** Called with the bound port once the HTTP server listens. */
  readonly onListening?: (port: number) => void;
  /** Called with true once the change notifications are live, with false when they were lost (tests). */
  readonly onChangesLive?: (live: boolean) => void;
  /** Called with true once the aggregates' change notifications are live, with false when lost (tests). */
  readonly onAggregateChangesLive?: (live: boolean) => void;
}

/** Proxies /api/* to the aggregator so the UI needs one origin (development without an ingress). */
function aggregatorProxy(base: string) {
  return async function proxy(c: Context): Promise<Response> {
    const url = new URL(c.req.url);
    const target = new URL(url.pathname + url.search, base);
    const headers = new Headers();
    // The cookie carries the UI's sign-in session, which the aggregator accepts (AUTH_SESSION_SECRET).
    for (const h of ['authorization', 'cookie', 'if-none-match', 'accept']) {
      const v = c.req.header(h);
      if (v) headers.set(h, v);
    }
    try {
      const res = await fetch(target, { method: c.req.method, headers, signal: AbortSignal.timeout(10_000) });
      return new Response(res.body, { status: res.status, headers: res.headers });
    } catch (err) {
      return problemResponse(
        c,
        new HttpProblem(502, { detail: `aggregator unreachable: ${(err as Error).message}`, cause: err }),
      );
    }
  };
}

/** Runs forecast-api until `signal` aborts: the one wiring of cmd/forecast-api and `make dev`. */
export async function run(
  config: ForecastApiConfig,
  signal: AbortSignal,
  deps: ForecastApiDeps = {},
): Promise<void> {
  const logger = deps.logger ?? createLogger({ service: 'forecast-api', level: config.LOG_LEVEL });
  const ui = deps.ui ?? uiRoutes();
  const primary = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'catcast-forecast-api',
  });
  const read = config.DATABASE_READ_URL
    ? createPool({
        connectionString: config.DATABASE_READ_URL,
        max: config.DATABASE_POOL_MAX,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
        applicationName: 'catcast-forecast-api-read',
      })
    : primary;
  const registry = createRegistry('forecast-api');
  registerForecastRunMetrics(registry, read);
  registerPoolMetrics(registry, read === primary ? { primary } : { primary, read });
  const auth = await createAuthenticator(config);
  const scope = requireScope('forecasts:read');
  let accepting = true;
  // Change notifications come from the primary; answers from a replica may lag them, so with
  // DATABASE_READ_URL only the short TTL bounds how late a change shows.
  const changes = new ForecastChangeLog();
  const aggregateChanges = new ChangeLog();
  const exactMs = config.DATABASE_READ_URL
    ? config.FORECAST_RESPONSE_CACHE_MS
    : Math.max(config.FORECAST_RESPONSE_CACHE_MS, config.FORECAST_RESPONSE_CACHE_EXACT_MS);
  const app = new HonoApp();
  // The mounted apps bring their own error handling; these cover the requests none of them routes.
  app.onError(problemHandler(logger));
  app.notFound(notFoundHandler(app));
  app.route(
    '/',
    opsRoutes({
      registry,
      accepting: () => accepting,
      checks: { database: async () => void (await read.query('SELECT 1')) },
    }),
  );
  app.route(
    '/',
    createForecastApi({
      readDb: read,
      logger,
      registry,
      staleAfterSeconds: config.FORECAST_STALE_AFTER_SECONDS,
      onDemandCacheSeconds: config.FORECAST_ON_DEMAND_CACHE_SECONDS,
      maxAgeSeconds: config.FORECAST_MAX_AGE_SECONDS,
      responseCacheMs: config.FORECAST_RESPONSE_CACHE_MS,
      responseCacheExactMs: exactMs,
      changes,
      aggregateChanges,
      setCacheRows: config.FORECAST_SET_CACHE_ROWS,
      readBatchMax: config.FORECAST_READ_BATCH_MAX,
      readConcurrency: config.FORECAST_READ_CONCURRENCY,
      ...(config.AUTH_MODE === 'none'
        ? {}
        : {
            authMiddleware: async (c, next) => {
              await auth.middleware(c, async () => {
                await scope(c, next);
              });
            },
            authorizeMerchant: assertMerchantAccess,
          }),
    }),
  );
  // Sign-in routes first: /ui/* of the page would answer /ui/auth/* with index.html.
  app.route('/', loginRoutes({ config, authenticator: auth, logger }));
  app.route('/', ui);
  if (config.AGGREGATOR_URL) app.all('/api/*', aggregatorProxy(config.AGGREGATOR_URL));
  signal.addEventListener('abort', () => (accepting = false), { once: true });
  const stopListening = new AbortController();
  const listening = listenForForecastChanges(
    {
      connectionString: config.DATABASE_URL,
      changes,
      logger,
      ...(deps.onChangesLive ? { onLive: deps.onChangesLive } : {}),
    },
    stopListening.signal,
  );
  const listeningAggregates = listenForAggregateChanges(
    {
      connectionString: config.DATABASE_URL,
      changes: aggregateChanges,
      logger,
      ...(deps.onAggregateChangesLive ? { onLive: deps.onAggregateChangesLive } : {}),
    },
    stopListening.signal,
  );
  try {
    await serveUntilAborted(
      {
        app,
        port: config.PORT,
        host: config.HOST,
        logger,
        ...(deps.onListening ? { onListening: deps.onListening } : {}),
      },
      signal,
    );
  } finally {
    stopListening.abort();
    await Promise.all([listening, listeningAggregates]);
    await primary.end();
    if (read !== primary) await read.end();
  }
}
