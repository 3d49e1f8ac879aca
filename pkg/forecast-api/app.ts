import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { isUnavailableError, type Queryable } from '../db/index.js';
import {
  HttpProblem,
  bearer,
  cachedJson,
  integerQuery,
  notFoundHandler,
  renderJson,
  sendRendered,
  problemHandler,
  registerCommon,
  unavailableWhen,
  requestMetrics,
  validationProblem,
  ValidatedQueries,
  prepareJson,
  type PreparedJson,
} from '../http/index.js';
import { MODEL_CATALOG, MODEL_NAMES, type ModelName } from '../forecast-engine/index.js';
import { loadMerchant, type ForecastMerchant, type StoredForecast } from '../forecast-job/index.js';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import { formatAmount } from '../money/index.js';
import { getForecastRows, metricsView, OnDemandCache, TtlCache } from './compute.js';

/** Options of {@link createForecastApi}. */
export interface ForecastApiOptions {
  /** Pool for reads (the replica when DATABASE_READ_URL is set). */
  readonly readDb: Queryable;
  readonly logger: Logger;
  readonly registry: Registry;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default 7200 */
  readonly staleAfterSeconds?: number;
  /** @default 60 */
  readonly onDemandCacheSeconds?: number;
  /** @default 15 */
  readonly maxAgeSeconds?: number;
  /** Runs before every /forecast route (authentication + scope). @default none */
  readonly authMiddleware?: MiddlewareHandler;
  /** Throws a 403 problem unless the caller may read the merchant. @default everyone may */
  readonly authorizeMerchant?: (c: Context, merchantId: string) => void;
  /** How long a rendered /forecast/top-categories response is reused, ms; 0 = never. @default 0 */
  readonly responseCacheMs?: number;
}

const PlatformId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
const ForecastBucket = z.enum(['WEEK', 'MONTH', 'YEAR'], { error: 'must be one of WEEK, MONTH, YEAR' });
const Metrics = z
  .object({
    mase: z.number().nullable(),
    wape: z.number().nullable(),
    smape: z.number(),
    coverage80: z.number(),
    coverage95: z.number(),
    ratioToSeasonalNaive: z
      .number()
      .nullable()
      .openapi({ description: 'MASE of this model / MASE of seasonal_naive' }),
    wapeRatioToSeasonalNaive: z.number().nullable(),
    origins: z.number().int(),
  })
  .nullable()
  .openapi('BacktestMetrics');

const Interval = {
  forecast: z
    .string()
    .openapi({ example: '1234.50', description: 'Point forecast, decimal in the merchant currency' }),
  forecastMinor: z.string().openapi({ description: 'Point forecast in minor units' }),
  lo80: z.string(),
  hi80: z.string(),
  lo95: z.string(),
  hi95: z.string(),
};

const TopCategory = z
  .object({
    rank: z.number().int(),
    categoryId: z.string(),
    name: z.string(),
    parentCategoryId: z.string().nullable(),
    ...Interval,
    model: z.string(),
    modelVersion: z.string(),
    effectiveModel: z.string(),
    fallbackFrom: z.string().nullable(),
    fallbackReason: z.string().nullable(),
    historyLength: z.number().int(),
    metrics: Metrics,
  })
  .openapi('ForecastCategory');

const Source = z.enum(['precomputed', 'on_demand']);

const TopResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    targetBucketStart: z.string(),
    model: z.string(),
    source: Source,
    generatedAt: z.string(),
    runId: z.string().nullable(),
    lookback: z.number().int(),
    stale: z.boolean(),
    reason: z.string().nullable(),
    categories: z.array(TopCategory),
  })
  .openapi('TopForecastResponse');

const CompareModel = z
  .object({
    model: z.string(),
    modelVersion: z.string(),
    effectiveModel: z.string(),
    ...Interval,
    fallbackFrom: z.string().nullable(),
    metrics: Metrics,
    ratioToSeasonalNaive: z.number().nullable(),
  })
  .openapi('ComparedModel');

const CompareResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    targetBucketStart: z.string(),
    source: Source,
    generatedAt: z.string(),
    stale: z.boolean(),
    reason: z.string().nullable(),
    categories: z.array(
      z.object({
        categoryId: z.string(),
        name: z.string(),
        winner: z
          .string()
          .nullable()
          .openapi({ description: 'Lowest backtest MASE, WAPE when MASE is undefined (auto excluded)' }),
        models: z.array(CompareModel),
      }),
    ),
  })
  .openapi('CompareModelsResponse');

const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problems = {
  400: { description: 'Invalid parameter', content: { 'application/problem+json': { schema: Problem } } },
  401: {
    description: 'Missing or invalid token',
    content: { 'application/problem+json': { schema: Problem } },
  },
  403: {
    description: 'Token lacks scope or merchant',
    content: { 'application/problem+json': { schema: Problem } },
  },
  404: { description: 'Unknown merchant', content: { 'application/problem+json': { schema: Problem } } },
  503: { description: 'Database unavailable', content: { 'application/problem+json': { schema: Problem } } },
};

const TopQuery = z.object({
  merchant_id: PlatformId,
  bucket_type: ForecastBucket,
  model: z
    .enum(MODEL_NAMES, { error: `must be one of ${MODEL_NAMES.join(', ')}` })
    .optional()
    .openapi({ description: 'Model used for the ranking', example: 'auto' }),
  lookback: integerQuery(4, 1000).optional().openapi({ description: 'Buckets of history to use' }),
  limit: integerQuery(1, 100).optional().openapi({ description: 'Categories returned; default 10' }),
});

/**
 * Validates a query like the route validator of @hono/zod-openapi does (a repeated parameter is an
 * array, which the schema refuses), throwing the 400 problem that names the parameter.
 */
function validateTopQuery(c: Context): z.infer<typeof TopQuery> {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(c.req.queries())) raw[k] = v.length === 1 ? v[0]! : v;
  const result = TopQuery.safeParse(raw);
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

const topRoute = createRoute({
  method: 'get',
  path: '/forecast/top-categories',
  security: bearer('forecasts:read'),
  summary: 'Categories ranked by forecast sales of the next period',
  request: { query: TopQuery },
  responses: {
    200: { description: 'Ranked forecast', content: { 'application/json': { schema: TopResponse } } },
    ...problems,
  },
});

const compareRoute = createRoute({
  method: 'get',
  path: '/forecast/compare-models',
  security: bearer('forecasts:read'),
  summary: 'Every model side by side with backtest metrics and the winner per category',
  request: {
    query: z.object({
      merchant_id: PlatformId,
      bucket_type: ForecastBucket,
      category_id: PlatformId.optional(),
    }),
  },
  responses: {
    200: { description: 'Model comparison', content: { 'application/json': { schema: CompareResponse } } },
    ...problems,
  },
});

const modelsRoute = createRoute({
  method: 'get',
  path: '/forecast/models',
  security: bearer('forecasts:read'),
  summary: 'The model catalog',
  responses: {
    200: {
      description: 'Models',
      content: {
        'application/json': {
          schema: z.object({
            models: z.array(z.object({ name: z.string(), version: z.string(), description: z.string() })),
          }),
        },
      },
    },
    401: problems[401],
    403: problems[403],
  },
});

/** The point forecast and its 80/95% interval as decimals of the merchant currency. */
function intervalView(r: StoredForecast, currency: string) {
  const money = (v: bigint) => formatAmount(v, currency);
  return {
    forecast: money(r.forecastMinor),
    forecastMinor: r.forecastMinor.toString(),
    lo80: money(r.lo80Minor),
    hi80: money(r.hi80Minor),
    lo95: money(r.lo95Minor),
    hi95: money(r.hi95Minor),
  };
}

/** The forecast API: /forecast/top-categories, /forecast/compare-models, /forecast/models, /openapi.json. */
export function createForecastApi(options: ForecastApiOptions): Hono {
  const {
    readDb,
    logger,
    registry,
    now = () => new Date(),
    staleAfterSeconds = 7200,
    onDemandCacheSeconds = 60,
    maxAgeSeconds = 15,
    authMiddleware,
    authorizeMerchant = () => undefined,
    responseCacheMs = 0,
  } = options;
  const cache = new OnDemandCache(onDemandCacheSeconds * 1000);
  // Rendered top-category answers (body, ETag, source), keyed by the whole query: a hot merchant's
  // page costs no query and no serialisation while the entry lives.
  const responses = new TtlCache<{ rendered: PreparedJson; source: string }>(responseCacheMs);
  const cacheControl = `${authMiddleware ? 'private' : 'public'}, max-age=${maxAgeSeconds}`;
  const vary = authMiddleware ? 'Authorization' : undefined;
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error);
    },
  });
  app.onError(problemHandler(logger, { classifiers: [unavailableWhen('the database', isUnavailableError)] }));
  app.notFound(notFoundHandler(app));
  // Bearer scheme and /health, /ready, /metrics (mounted by run()) in the document, as on every service.
  registerCommon(app.openAPIRegistry);
  app.use('/forecast/*', requestMetrics(registry));
  if (authMiddleware) app.use('/forecast/*', authMiddleware);

  async function merchantOr404(c: Context, id: string): Promise<ForecastMerchant> {
    authorizeMerchant(c, id);
    const m = await loadMerchant(readDb, id);
    if (!m)
      throw new HttpProblem(404, {
        detail: `merchant ${id} does not exist`,
        errors: [{ field: 'merchant_id', message: `unknown merchant ${id}` }],
      });
    return m;
  }

  async function names(merchantId: string) {
    const { rows } = await readDb.query<{ id: string; name: string; parent_category_id: string | null }>(
      'SELECT id, name, parent_category_id FROM ingestion.categories WHERE merchant_id = $1',
      [merchantId],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  // The hot route is described in the document like the others, but validates through a memo of
  // the raw query string (ValidatedQueries): a dashboard polls the same few URLs, and running the
  // route validator (zod, async) was a tenth of a cached answer's CPU.
  const topQueries = new ValidatedQueries((c) => {
    const q = Object.freeze(validateTopQuery(c));
    // The cache key of the answer, made once per query string like the validation.
    const key = JSON.stringify([
      q.merchant_id,
      q.bucket_type,
      q.model ?? null,
      q.lookback ?? null,
      q.limit ?? null,
    ]);
    return { q, key };
  });
  const topOptions = (source: string) => ({
    cacheControl,
    ...(vary ? { vary } : {}),
    headers: { 'x-catcast-forecast-source': source },
  });
  app.openAPIRegistry.registerPath(topRoute);
  app.get(topRoute.path, async (c) => {
    const { q, key } = topQueries.get(c);
    const sendTop = (value: { rendered: PreparedJson; source: string }) =>
      sendRendered(c, value.rendered, topOptions(value.source)) as never;
    // Authorised before the cache, so a cached answer never reaches a token that may not read it.
    authorizeMerchant(c, q.merchant_id);
    // Concurrent misses of one query share one computation (TtlCache.getOrCompute).
    const compute = async (): Promise<{ rendered: PreparedJson; source: string }> => {
      const merchant = await merchantOr404(c, q.merchant_id);
      const model: ModelName = q.model ?? 'auto';
      const result = await getForecastRows(
        readDb,
        {
          merchant,
          bucketType: q.bucket_type,
          models: [model],
          lookback: q.lookback,
          now: now(),
          staleAfterSeconds,
        },
        cache,
      );
      const catNames = await names(merchant.id);
      const ranked = [...result.rows]
        .sort((a, b) =>
          b.forecastMinor > a.forecastMinor
            ? 1
            : b.forecastMinor < a.forecastMinor
              ? -1
              : a.categoryId < b.categoryId
                ? -1
                : 1,
        )
        .slice(0, q.limit ?? 10);
      const body = {
        merchantId: merchant.id,
        currency: merchant.currency,
        bucketType: q.bucket_type,
        targetBucketStart: result.targetBucketStart,
        model,
        source: result.source,
        generatedAt: result.generatedAt.toISOString(),
        runId: result.runId,
        lookback: result.lookback,
        stale: result.stale,
        reason: result.reason,
        categories: ranked.map((r, i) => ({
          rank: i + 1,
          categoryId: r.categoryId,
          name: catNames.get(r.categoryId)?.name ?? r.categoryId,
          parentCategoryId: catNames.get(r.categoryId)?.parent_category_id ?? null,
          ...intervalView(r, merchant.currency),
          model: r.model,
          modelVersion: r.modelVersion,
          effectiveModel: r.effectiveModel,
          fallbackFrom: r.fallbackFrom,
          fallbackReason: r.fallbackReason,
          historyLength: r.historyLength,
          metrics: metricsView(r.metrics),
        })),
      };
      // The 200 header block is built here once; every hit of this entry reuses it.
      return { rendered: prepareJson(renderJson(body), topOptions(result.source)), source: result.source };
    };
    return sendTop(await responses.getOrCompute(key, compute));
  });

  app.openapi(compareRoute, async (c) => {
    const q = c.req.valid('query');
    const merchant = await merchantOr404(c, q.merchant_id);
    const result = await getForecastRows(
      readDb,
      {
        merchant,
        bucketType: q.bucket_type,
        models: undefined,
        lookback: undefined,
        ...(q.category_id ? { categoryId: q.category_id } : {}),
        now: now(),
        staleAfterSeconds,
      },
      cache,
    );
    const catNames = await names(merchant.id);
    const byCategory = new Map<string, typeof result.rows>();
    for (const r of result.rows) {
      const list = byCategory.get(r.categoryId) ?? [];
      byCategory.set(r.categoryId, [...list, r]);
    }
    const categories = [...byCategory].map(([categoryId, rows]) => {
      const order = new Map(MODEL_NAMES.map((m, i) => [m as string, i]));
      const models = [...rows].sort((a, b) => (order.get(a.model) ?? 99) - (order.get(b.model) ?? 99));
      let winner: string | null = null;
      let best = Infinity;
      // Lowest MASE wins; WAPE decides when MASE is undefined (a series whose seasonal-naive scale is 0).
      const score = (r: (typeof models)[number]) => r.metrics?.mase ?? r.metrics?.wape ?? null;
      for (const r of models) {
        const s = score(r);
        if (r.model !== 'auto' && typeof s === 'number' && s < best) {
          best = s;
          winner = r.model;
        }
      }
      return {
        categoryId,
        name: catNames.get(categoryId)?.name ?? categoryId,
        winner,
        models: models.map((r) => ({
          model: r.model,
          modelVersion: r.modelVersion,
          effectiveModel: r.effectiveModel,
          ...intervalView(r, merchant.currency),
          fallbackFrom: r.fallbackFrom,
          metrics: metricsView(r.metrics),
          ratioToSeasonalNaive: r.metrics?.maseRatioToSeasonalNaive ?? null,
        })),
      };
    });
    const body = {
      merchantId: merchant.id,
      currency: merchant.currency,
      bucketType: q.bucket_type,
      targetBucketStart: result.targetBucketStart,
      source: result.source,
      generatedAt: result.generatedAt.toISOString(),
      stale: result.stale,
      reason: result.reason,
      categories,
    };
    return cachedJson(c, body, {
      cacheControl,
      ...(vary ? { vary } : {}),
      headers: { 'x-catcast-forecast-source': result.source },
    }) as never;
  });

  app.openapi(modelsRoute, (c) =>
    c.json(
      {
        models: MODEL_CATALOG.map((m) => ({
          name: m.name,
          version: m.modelVersion,
          description: m.description,
        })),
      },
      200,
    ),
  );

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'catcast forecast API',
      version: '1.0.0',
      description: 'Next-period category forecasts and model comparison.',
    },
  });
  return app as unknown as Hono;
}
