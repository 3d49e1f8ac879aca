import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { isUnavailableError, readBatchSizeHistogram, type Queryable } from '../db/index.js';
import { MODEL_CATALOG, type ModelName } from '../forecast-engine/index.js';
import type { ForecastMerchant } from '../forecast-job/index.js';
import {
  HttpProblem,
  cachedJson,
  notFoundHandler,
  prepareJson,
  problemHandler,
  renderJson,
  requestMetrics,
  sendRendered,
  unavailableWhen,
  validationProblem,
  ValidatedQueries,
  type PreparedJson,
} from '../http/index.js';
import type { Logger } from '../log/index.js';
import { ChangeLog } from '../cache/index.js';
import { Counter, type Registry } from '../metrics/index.js';
import { AnswerCache, type Computed } from './answer-cache.js';
import { ForecastChangeLog } from './changes.js';
import {
  getCategoryPath,
  getForecastRows,
  OnDemandCache,
  OnDemandPathCache,
  precomputedUntil,
  type ForecastQuery,
} from './compute.js';
import { CompareQuery, forecastOpenApi, NowcastQuery, PathQuery, TopQuery } from './api-schema.js';
import { periodPoint } from './progress.js';
import { PeriodReferenceCache } from './reference-cache.js';
import { cachedForecastStore } from './cached-store.js';
import { createPgForecastStore, type ForecastStore } from './store.js';
import {
  categoryPathBody,
  compareModelsBody,
  modelsBody,
  nowcastBody,
  topCategoriesBody,
  type ViewContext,
} from './view.js';

/** Where the forecast API reads: a store, or a Postgres pool for the default store. */
export type ForecastSource =
  | {
      /** What the API reads (an in-memory store in unit tests). */
      readonly store: ForecastStore;
      readonly readDb?: never;
    }
  | {
      /** Pool for reads (the replica when DATABASE_READ_URL is set), read through {@link createPgForecastStore}. */
      readonly readDb: Queryable;
      readonly store?: never;
    };

/** Options of {@link createForecastApi}. */
export type ForecastApiOptions = ForecastSource & {
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
  /**
   * How long a rendered /forecast/top-categories or compare-models response is reused while change
   * notifications are not live, and an on-demand one always, ms; 0 = never. @default 0
   */
  readonly responseCacheMs?: number;
  /**
   * Most lifetime of a precomputed answer (and of the merchant, labels and set rows it was built
   * from) while `changes` is live, ms: it is dropped sooner when a notification names its merchant
   * and bucket type, when its set turns stale or when its period ends. @default responseCacheMs
   */
  readonly responseCacheExactMs?: number;
  /**
   * The change notifications the caches follow (fed by listenForForecastChanges). @default a log
   * that is never live: every entry lives the short TTLs
   */
  readonly changes?: ForecastChangeLog;
  /**
   * The aggregates' change notifications, as referenceChangeKeys (fed by listenForAggregateChanges):
   * what a nowcast's reference periods sold is kept until one names them. @default a log that is
   * never live: kept the short TTL
   */
  readonly aggregateChanges?: ChangeLog;
  /** Approximate bytes of nowcast reference sums kept at most (see PeriodReferenceCache). @default 4 MiB */
  readonly referenceCacheBytes?: number;
  /** Characters of rendered top-categories answers kept at most (their JSON text and a share per entry). @default 8 MiB */
  readonly topCacheBytes?: number;
  /** Characters of rendered compare-models answers kept at most (their JSON text and a share per entry). @default 16 MiB */
  readonly compareCacheBytes?: number;
  /** Rows of published sets kept in memory (see cachedForecastStore). @default 8000 */
  readonly setCacheRows?: number;
  /** Most latest-set reads sharing one statement (see createPgForecastStore). @default 1 */
  readonly readBatchMax?: number;
  /** Most latest-set statements in flight at once; 0 = no limit. @default 0 */
  readonly readConcurrency?: number;
};

/** A rendered top-categories or compare-models answer and where its forecast came from. */
interface RenderedTop {
  readonly rendered: PreparedJson;
  readonly source: string;
}

/**
 * Validates a query like a route validator does (a repeated parameter is an array, which the
 * schema refuses), throwing the 400 problem that names each invalid parameter.
 */
function validQuery<S extends z.ZodType>(schema: S, c: Context): z.infer<S> {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(c.req.queries())) raw[k] = v.length === 1 ? v[0]! : v;
  const result = schema.safeParse(raw);
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

/**
 * The forecast API: /forecast/top-categories, /forecast/compare-models, /forecast/category-path,
 * /forecast/models, /openapi.json.
 */
export function createForecastApi(options: ForecastApiOptions): Hono {
  const {
    logger,
    registry,
    now = () => new Date(),
    staleAfterSeconds = 7200,
    onDemandCacheSeconds = 60,
    maxAgeSeconds = 15,
    authMiddleware,
    authorizeMerchant = () => undefined,
    responseCacheMs = 0,
    topCacheBytes = 8 * 1024 * 1024,
    compareCacheBytes = 16 * 1024 * 1024,
    changes = new ForecastChangeLog(),
    aggregateChanges = new ChangeLog(),
  } = options;
  const responseCacheExactMs = Math.max(responseCacheMs, options.responseCacheExactMs ?? responseCacheMs);
  // Over Postgres a computed answer usually costs one statement: set rows, calendar and labels come
  // from memory (cached-store.ts); with readBatchMax > 1 that statement, the latest-set pointer,
  // is shared by the reads that arrive together.
  const lookups = new Counter({
    name: 'catcast_forecast_response_cache_lookups_total',
    help: 'Lookups of the forecast API response cache, by route and result (hit = answered from memory)',
    labelNames: ['route', 'result'] as const,
    registers: [registry],
  });
  const batchSizes = readBatchSizeHistogram(registry).labels({ route: 'latest-forecast-set' });
  // A nowcast reads its sales so far every time; what its reference periods sold (closed periods,
  // untouched by the live writes) is kept for the merchant's day until a change names one of them.
  const references = new PeriodReferenceCache({
    changes: aggregateChanges,
    ttlMs: responseCacheMs,
    exactTtlMs: responseCacheExactMs,
    ...(options.referenceCacheBytes ? { maxBytes: options.referenceCacheBytes } : {}),
    onLookup: (hit) => lookups.inc({ route: 'nowcast-references', result: hit ? 'hit' : 'miss' }),
  });
  const store =
    options.store ??
    cachedForecastStore(
      createPgForecastStore(options.readDb, {
        ...(options.readBatchMax ? { readBatchMax: options.readBatchMax } : {}),
        ...(options.readConcurrency ? { readConcurrency: options.readConcurrency } : {}),
        onBatch: (n) => batchSizes.observe(n),
        references,
      }),
      {
        ...(options.setCacheRows ? { maxRows: options.setCacheRows } : {}),
        changes,
        catalogExactTtlMs: responseCacheExactMs,
      },
    );
  const onDemand = new OnDemandCache(onDemandCacheSeconds * 1000);
  const onDemandPaths = new OnDemandPathCache(onDemandCacheSeconds * 1000);
  // Rendered answers, keyed by the whole query: a hot merchant's page costs no query and no
  // serialisation while the entry lives. While the notifications are live a precomputed answer lives
  // until one names its merchant and bucket type (a new set, a catalog change) or until it would
  // turn stale by the clock; an on-demand answer moves with the aggregates and keeps the short TTL.
  // Bounded by their bytes as well as their count: a compare-models answer (every model of every
  // category with its accuracy per horizon) weighs 10-100 KB, a top-10 2-4 KB.
  const answerCache = (route: string, maxWeight: number, maxEntries: number) =>
    new AnswerCache<RenderedTop>({
      changes,
      ttlMs: responseCacheMs,
      exactTtlMs: responseCacheExactMs,
      maxEntries,
      maxWeight,
      // JSON text, ETag and the shared header block (a few hundred characters).
      weigh: (a) => a.rendered.text.length + 600,
      wallNow: () => now().getTime(),
      onLookup: (hit) => lookups.inc({ route, result: hit ? 'hit' : 'miss' }),
    });
  const responses = answerCache('top-categories', topCacheBytes, 20_000);
  const comparisons = answerCache('compare-models', compareCacheBytes, 5_000);
  /** The cached answer of `key`, or a computed one (joined when already in flight), counted. */
  function cachedAnswer(
    cache: AnswerCache<RenderedTop>,
    key: string,
    q: { merchant_id: string; bucket_type: string },
    compute: () => Promise<Computed<RenderedTop>>,
  ): Promise<RenderedTop> {
    if (responseCacheMs <= 0) return compute().then((a) => a.value);
    return cache.getOrCompute(key, { merchantId: q.merchant_id, bucketType: q.bucket_type }, compute);
  }
  const headers = (source: string) => ({
    cacheControl: `${authMiddleware ? 'private' : 'public'}, max-age=${maxAgeSeconds}`,
    ...(authMiddleware ? { vary: 'Authorization' } : {}),
    headers: { 'x-catcast-forecast-source': source },
  });

  /** The merchant a request names (authorised), or a 404 problem. */
  async function merchantOf(c: Context, merchantId: string): Promise<ForecastMerchant> {
    authorizeMerchant(c, merchantId);
    const merchant: ForecastMerchant | undefined = await store.merchant(merchantId);
    if (!merchant)
      throw new HttpProblem(404, {
        detail: `merchant ${merchantId} does not exist`,
        errors: [{ field: 'merchant_id', message: `unknown merchant ${merchantId}` }],
      });
    return merchant;
  }

  /**
   * The merchant, its category labels and the forecast rows a request asks for, and how its answer
   * may be cached: an on-demand one moves, a precomputed one holds until its set turns stale or its
   * period ends (or a notification names it).
   */
  async function load(
    c: Context,
    merchantId: string,
    query: Omit<ForecastQuery, 'merchant' | 'now' | 'staleAfterSeconds'>,
  ) {
    const merchant = await merchantOf(c, merchantId);
    const result = await getForecastRows(
      store,
      { ...query, merchant, now: now(), staleAfterSeconds },
      onDemand,
    );
    const view: ViewContext = {
      merchant,
      labels: await store.categoryLabels(merchant.id),
      bucketType: query.bucketType,
    };
    const validUntil = precomputedUntil(result, {
      merchant,
      bucketType: query.bucketType,
      staleAfterSeconds,
    });
    const lifetime = {
      moving: validUntil === undefined,
      ...(validUntil !== undefined ? { validUntil } : {}),
    };
    return { view, result, lifetime };
  }

  const app = new Hono();
  // The database is the one dependency whose outage is a 503 (retry later) rather than a 500.
  app.onError(problemHandler(logger, { classifiers: [unavailableWhen('the database', isUnavailableError)] }));
  app.notFound(notFoundHandler(app));
  // The document is public (no token): it describes the API, not a merchant's data.
  const openApi = forecastOpenApi();
  app.get('/openapi.json', (c) => c.json(openApi));
  app.use('/forecast/*', requestMetrics(registry));
  if (authMiddleware) app.use('/forecast/*', authMiddleware);

  // The hot route validates through a memo of the raw query string: a dashboard polls the same few
  // URLs, and running the validator (zod) was a tenth of a cached answer's CPU.
  const topQueries = new ValidatedQueries((c) => {
    const q = Object.freeze(validQuery(TopQuery, c));
    // The response cache's key, made once per query string like the validation.
    const key = JSON.stringify([
      q.merchant_id,
      q.bucket_type,
      q.model ?? null,
      q.lookback ?? null,
      q.limit ?? null,
    ]);
    return { q, key };
  });
  app.get('/forecast/top-categories', async (c) => {
    const { q, key } = topQueries.get(c);
    // Authorised before the cache, so a cached answer never reaches a token that may not read it.
    authorizeMerchant(c, q.merchant_id);
    // Concurrent misses of one query share one computation.
    const top = await cachedAnswer(responses, key, q, async (): Promise<Computed<RenderedTop>> => {
      const model: ModelName = q.model ?? 'auto';
      const { view, result, lifetime } = await load(c, q.merchant_id, {
        bucketType: q.bucket_type,
        models: [model],
        lookback: q.lookback,
      });
      const body = topCategoriesBody(view, result, model, q.limit ?? 10);
      // The 200 header block is built once per entry; every hit reuses it.
      const rendered = prepareJson(renderJson(body), headers(result.source));
      return { value: { rendered, source: result.source }, ...lifetime };
    });
    return sendRendered(c, top.rendered, headers(top.source));
  });

  app.get('/forecast/compare-models', async (c) => {
    const q = validQuery(CompareQuery, c);
    // Authorised before the cache, like top-categories.
    authorizeMerchant(c, q.merchant_id);
    const key = JSON.stringify([q.merchant_id, q.bucket_type, q.category_id ?? null]);
    const answer = await cachedAnswer(comparisons, key, q, async (): Promise<Computed<RenderedTop>> => {
      const { view, result, lifetime } = await load(c, q.merchant_id, {
        bucketType: q.bucket_type,
        models: undefined,
        lookback: undefined,
        ...(q.category_id ? { categoryId: q.category_id } : {}),
      });
      // Accuracy per horizon comes from the set's paths (precomputed answers only).
      const paths = result.set
        ? await store.setPaths(result.set, q.category_id ? { categoryId: q.category_id } : {})
        : [];
      const body = compareModelsBody(view, result, paths);
      const rendered = prepareJson(renderJson(body), headers(result.source));
      return { value: { rendered, source: result.source }, ...lifetime };
    });
    return sendRendered(c, answer.rendered, headers(answer.source));
  });

  app.get('/forecast/category-path', async (c) => {
    const q = validQuery(PathQuery, c);
    const merchant = await merchantOf(c, q.merchant_id);
    const labels = await store.categoryLabels(merchant.id);
    if (!labels.has(q.category_id))
      throw new HttpProblem(404, {
        detail: `category ${q.category_id} does not exist for merchant ${merchant.id}`,
        errors: [{ field: 'category_id', message: `unknown category ${q.category_id}` }],
      });
    const model: ModelName = q.model ?? 'auto';
    const result = await getCategoryPath(
      store,
      {
        merchant,
        bucketType: q.bucket_type,
        categoryId: q.category_id,
        model,
        horizon: q.horizon,
        parents: new Map([...labels].map(([id, l]) => [id, l.parentCategoryId])),
        now: now(),
        staleAfterSeconds,
      },
      onDemandPaths,
    );
    const view: ViewContext = { merchant, labels, bucketType: q.bucket_type };
    return cachedJson(c, categoryPathBody(view, q.category_id, model, result), headers(result.source));
  });

  // The period in progress: sales so far with the forecast's share still to come. Not kept in the
  // answer caches: it moves with every applied batch and every minute (15 s of max-age, like the
  // other routes); its reference periods' sums are kept (PeriodReferenceCache above).
  app.get('/forecast/nowcast', async (c) => {
    const q = validQuery(NowcastQuery, c);
    const merchant = await merchantOf(c, q.merchant_id);
    const model: ModelName = q.model ?? 'auto';
    const at = now();
    const point = periodPoint(at, q.bucket_type, merchant);
    const [result, progress, labels] = await Promise.all([
      getForecastRows(
        store,
        {
          merchant,
          bucketType: q.bucket_type,
          models: [model],
          lookback: undefined,
          now: at,
          staleAfterSeconds,
        },
        onDemand,
      ),
      store.progress(merchant, q.bucket_type, point),
      store.categoryLabels(merchant.id),
    ]);
    const view: ViewContext = { merchant, labels, bucketType: q.bucket_type };
    return cachedJson(
      c,
      nowcastBody(view, point, progress, result, model, q.limit ?? 10),
      headers(result.source),
    );
  });

  app.get('/forecast/models', (c) => c.json(modelsBody(MODEL_CATALOG), 200));

  return app;
}
