/**
 * (4) Read path: /api/top-categories (aggregator) and /forecast/top-categories from a precomputed
 * set (forecast-api) against /health of the same server — a trivial Hono route in the same process,
 * same middleware, same load tool: max requests/s, and latency at a fixed 1,000 requests/s. The
 * services run as deployed by default, with JWT auth on: every request (the trivial route's too, so
 * both send the same bytes) carries a bearer token the endpoint verifies.
 */
import { randomBytes } from 'node:crypto';
import { mintToken } from '../../pkg/auth/index.js';
import { round, type BenchContext } from '../lib/context.js';
import { freshDatabase, seedCatalog } from '../lib/env.js';
import { seedAggregates } from '../lib/aggregates.js';
import { combineLoads, runLoad, type LoadResult } from '../lib/load.js';
import { log, runCommand, startService, type Service } from '../lib/proc.js';

/** Max rate and fixed-rate latency of one endpoint next to the trivial route. */
export interface ReadPair {
  readonly path: string;
  readonly trivialMax: LoadResult;
  readonly endpointMax: LoadResult;
  readonly trivialAtRate: LoadResult;
  readonly endpointAtRate: LoadResult;
  readonly rate: number;
  readonly ratio: number | null;
}

/** Results of the read scenario. */
export interface ReadResult {
  readonly topCategories: ReadPair;
  /** The same with the in-memory response cache off (AGGREGATION_API_CACHE_MS=0): its measured effect. */
  readonly topCategoriesUncached: ReadPair;
  readonly forecastTopCategories: ReadPair & { source: string | null };
  /** How requests authenticated. */
  readonly auth: string;
}

/** A read token and the service environment that accepts it. */
interface ReadAuth {
  readonly env: Record<string, string>;
  readonly authorization: string;
}

async function readAuth(): Promise<ReadAuth> {
  const secret = randomBytes(32).toString('hex');
  const token = await mintToken({
    secret,
    subject: 'bench-read',
    scopes: ['sales:read', 'forecasts:read'],
    merchants: ['bench-m-1'],
  });
  return { env: { AUTH_MODE: 'jwt', AUTH_HS256_SECRET: secret }, authorization: `Bearer ${token}` };
}

async function pair(ctx: BenchContext, service: Service, path: string, auth: ReadAuth): Promise<ReadPair> {
  const url = `http://127.0.0.1:${await service.port()}`;
  const seconds = ctx.smoke ? 2 : 12;
  const rate = ctx.smoke ? 100 : 1000;
  const job = {
    url,
    kind: 'get' as const,
    merchants: 1,
    merchantOffset: 0,
    products: 1,
    prefix: ctx.runId,
    authorization: auth.authorization,
  };
  const res = await fetch(url + path, { headers: { authorization: auth.authorization } });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  await runLoad({ ...job, paths: [path], connections: 16, durationSec: 2 }); // warm-up
  // Trivial route and endpoint alternate in short rounds, so a change in the machine's load hits both.
  const rounds = ctx.smoke ? 1 : 3;
  const slice = Math.max(2, Math.round(seconds / rounds));
  const trivialRuns: LoadResult[] = [];
  const endpointRuns: LoadResult[] = [];
  for (let r = 0; r < rounds; r++) {
    trivialRuns.push(await runLoad({ ...job, paths: ['/health'], connections: 16, durationSec: slice }));
    endpointRuns.push(await runLoad({ ...job, paths: [path], connections: 16, durationSec: slice }));
  }
  const trivialMax = combineLoads(trivialRuns);
  const endpointMax = combineLoads(endpointRuns);
  const trivialAtRate = await runLoad({
    ...job,
    paths: ['/health'],
    connections: 16,
    durationSec: seconds,
    overallRate: rate,
  });
  const endpointAtRate = await runLoad({
    ...job,
    paths: [path],
    connections: 16,
    durationSec: seconds,
    overallRate: rate,
  });
  log(
    `read: ${path.split('?')[0]}: ${endpointMax.okPerSecond.toFixed(0)} vs /health ${trivialMax.okPerSecond.toFixed(0)} req/s; p99 at ${rate}/s ${endpointAtRate.latencyMs.p99} ms`,
  );
  return {
    path,
    trivialMax,
    endpointMax,
    trivialAtRate,
    endpointAtRate,
    rate,
    ratio: round(endpointMax.okPerSecond / trivialMax.okPerSecond),
  };
}

/** Runs the read-path benchmark. */
export async function readScenario(ctx: BenchContext): Promise<ReadResult> {
  const db = await freshDatabase(ctx.infra, 'read');
  try {
    await seedCatalog(db, { merchants: 1, categories: 50, products: 50 });
    await seedAggregates(db, { fromMerchant: 1, toMerchant: 1, days: ctx.smoke ? 120 : 730 });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const topPath = `/api/top-categories?merchantId=bench-m-1&bucketType=DAY&bucketStart=${yesterday}&limit=10`;
    const auth = await readAuth();
    const pairs: ReadPair[] = [];
    for (const cacheMs of ['0', '250']) {
      const aggregator = startService('aggregator', {
        DATABASE_URL: db.url,
        AGGREGATION_API_CACHE_MS: cacheMs,
        ...auth.env,
      });
      try {
        pairs.push(await pair(ctx, aggregator, topPath, auth));
        ctx.noteRss(aggregator, 'read path at max rate');
      } finally {
        await aggregator.stop();
      }
    }
    const [uncached, top] = pairs as [ReadPair, ReadPair];

    // Precompute the weekly forecasts with the real job, so the API serves them as "precomputed".
    log('read: precomputing forecasts with forecast-job');
    await runCommand(process.execPath, ['--import', 'tsx', 'cmd/forecast-job/main.ts'], {
      env: {
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        FORECAST_BUCKET_TYPES: 'WEEK',
        OTEL_SDK_DISABLED: 'true',
      },
    });
    const api = startService('forecast-api', { DATABASE_URL: db.url, ...auth.env });
    try {
      const path = '/forecast/top-categories?merchant_id=bench-m-1&bucket_type=WEEK&limit=10';
      const res = await fetch(`http://127.0.0.1:${await api.port()}${path}`, {
        headers: { authorization: auth.authorization },
      });
      const source = res.headers.get('x-catcast-forecast-source');
      await res.arrayBuffer();
      const forecast = await pair(ctx, api, path, auth);
      ctx.noteRss(api, 'read path at max rate');
      return {
        topCategories: top,
        topCategoriesUncached: uncached,
        forecastTopCategories: { ...forecast, source },
        auth: 'JWT (HS256 bearer token on every request, AUTH_MODE=jwt as deployed)',
      };
    } finally {
      await api.stop();
    }
  } finally {
    await db.drop();
  }
}
