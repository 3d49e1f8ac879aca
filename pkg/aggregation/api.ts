import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  BUCKET_TYPES,
  bucketStart as bucketStartOf,
  bucketStartOfDate,
  daysBetween,
  describeBucketStarts,
  elapsedComparison,
  formatDate,
  isBucketStart,
  parseDate,
  shiftBucket,
  type BucketType,
  type Calendar,
  type CivilDate,
} from '../buckets/index.js';
import { isUnavailableError, readBatchSizeHistogram, ReadBatcher, type Queryable } from '../db/index.js';
import {
  HttpProblem,
  prepareJson,
  problemHandler,
  renderJson,
  requestMetrics,
  sendRendered,
  unavailableWhen,
  ValidatedQueries,
  validationProblem,
} from '../http/index.js';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import { formatAmount } from '../money/index.js';
import { aggregatorOpenApi, PLATFORM_ID, SeriesQuery, TopQuery } from './api-schema.js';
import type { Clock } from './metrics.js';
import type { ComputedAnswer, RenderedResponse, ResponseCache } from './response-cache.js';
import {
  listMerchants,
  loadCategory,
  loadMerchant,
  readSeries,
  readSeriesBatch,
  readTopCategories,
  readTopCategoriesBatch,
  type MerchantView,
  type SeriesQuery as SeriesReadQuery,
  type SeriesRead,
  type TopCategoriesQuery,
  type TopCategoriesRead,
} from './read.js';

/** Options of {@link createAggregatorApi}. */
export interface AggregatorApiOptions {
  /** Pool for reads: the replica (DATABASE_READ_URL) when configured, else the primary. */
  readonly readDb: Queryable;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  /** An order accepted longer ago than this and not yet aggregated marks the data stale. @default 300 */
  readonly staleAfterSeconds?: number;
  /** Runs before every /api route (authentication, scope check). @default none */
  readonly authMiddleware?: MiddlewareHandler;
  /** Throws (e.g. a 403 HttpProblem) unless the caller may read `merchantId`. @default everyone may */
  readonly authorizeMerchant?: (c: Context, merchantId: string) => void;
  /** The merchants the caller may list in /api/merchants. @default all */
  readonly visibleMerchants?: (c: Context) => ReadonlySet<string> | '*';
  /** Cache-Control max-age of read responses. @default 5 */
  readonly maxAgeSeconds?: number;
  /** Largest number of buckets /api/category-sales returns. @default 400 */
  readonly maxSeriesBuckets?: number;
  /** Buckets returned by /api/category-sales when `from` is omitted. @default 12 */
  readonly defaultSeriesBuckets?: number;
  /** In-memory cache of rendered /api/top-categories responses. @default none */
  readonly responseCache?: ResponseCache;
  /**
   * Most reads of one route that share a statement when they reach the process in the same turn of
   * the event loop (pkg/db ReadBatcher); 1 runs every read alone. @default 1
   */
  readonly readBatchMax?: number;
  /** Most read statements of one route in flight at once (pkg/db ReadBatcher maxInFlight); 0 = no limit. @default 0 */
  readonly readConcurrency?: number;
}

/** Freshness block of every per-merchant response. */
export interface Freshness {
  /** Creation time of the newest applied event of the merchant (ISO), null before the first. */
  readonly asOf: string | null;
  /** When the aggregator last applied an event of the merchant (ISO). */
  readonly lastAppliedAt: string | null;
  /** Seconds between the newest event's creation and its application (pipeline delay). */
  readonly lagSeconds: number | null;
  /** True when orders accepted more than `staleAfterSeconds` ago are not yet aggregated. */
  readonly stale: boolean;
  readonly staleAfterSeconds: number;
}

function freshnessOf(m: MerchantView, staleAfterSeconds: number): Freshness {
  const asOf = m.lastEventCreatedAt;
  const applied = m.lastAppliedAt;
  return {
    asOf: asOf?.toISOString() ?? null,
    lastAppliedAt: applied?.toISOString() ?? null,
    lagSeconds:
      asOf && applied ? Math.max(0, Math.round((applied.getTime() - asOf.getTime()) / 10) / 100) : null,
    stale: m.pending,
    staleAfterSeconds,
  };
}

// An order whose transaction began before a read's snapshot may commit after it, accepted (created_at)
// before the read: this much is taken off how long a "not stale" answer is known to stay right.
const COMMIT_SKEW_MS = 30_000;

/**
 * How long, ms from `now`, the merchant's `stale: false` stays true by the clock alone: until the
 * oldest order not yet applied (or one accepted just before the read) passes the stale threshold.
 * 0 while stale (an answer then moves: the backlog may clear any moment).
 */
export function notStaleForMs(m: MerchantView, now: Date, staleAfterSeconds: number): number {
  if (m.pending) return 0;
  const t = now.getTime();
  const oldest = Math.min(m.pendingSince?.getTime() ?? Infinity, t - COMMIT_SKEW_MS);
  return Math.max(0, oldest + staleAfterSeconds * 1000 - t);
}

function validate<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

function share(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  return Number((part * 1_000_000n) / whole) / 1_000_000;
}

function change(current: bigint, previous: bigint): number | null {
  if (previous <= 0n) return null;
  return Number(((current - previous) * 1_000_000n) / previous) / 1_000_000;
}

// Number of buckets from the one starting at `from` to the one starting at `to`, inclusive.
function bucketCount(from: CivilDate, to: CivilDate, type: BucketType): number {
  switch (type) {
    case 'DAY':
      return daysBetween(from, to) + 1;
    case 'WEEK':
      return Math.floor(daysBetween(from, to) / 7) + 1;
    case 'MONTH':
      return to.year * 12 + to.month - (from.year * 12 + from.month) + 1;
    case 'YEAR':
      return to.year - from.year + 1;
  }
}

function toNumber(n: bigint): number {
  return Number(n);
}

/**
 * The aggregator's read API: GET /api/top-categories, /api/category-sales, /api/merchants and
 * /api/merchants/:merchantId. Responses carry a strong ETag (hash of the body) and a short
 * Cache-Control, and a matching If-None-Match gets 304.
 */
export function createAggregatorApi(options: AggregatorApiOptions): Hono {
  const {
    readDb,
    clock,
    logger,
    registry,
    staleAfterSeconds = 300,
    authMiddleware,
    authorizeMerchant = () => undefined,
    visibleMerchants = () => '*' as const,
    maxAgeSeconds = 5,
    maxSeriesBuckets = 400,
    defaultSeriesBuckets = 12,
    responseCache,
    readBatchMax = 1,
    readConcurrency = 0,
  } = options;
  // Reads of one route that arrive in the same turn of the event loop share one statement.
  const batchSizes = readBatchSizeHistogram(registry);
  const topBatch = batchSizes.labels({ route: 'top-categories' });
  const seriesBatch = batchSizes.labels({ route: 'category-sales' });
  const topReads = new ReadBatcher<TopCategoriesQuery, TopCategoriesRead>({
    one: (q) => readTopCategories(readDb, q),
    many: (qs) => readTopCategoriesBatch(readDb, qs),
    maxBatch: readBatchMax,
    maxInFlight: readConcurrency,
    onBatch: (n) => topBatch.observe(n),
  });
  const seriesReads = new ReadBatcher<SeriesReadQuery, SeriesRead>({
    one: (q) => readSeries(readDb, q),
    many: (qs) => readSeriesBatch(readDb, qs),
    maxBatch: readBatchMax,
    maxInFlight: readConcurrency,
    onBatch: (n) => seriesBatch.observe(n),
  });
  // Per-merchant data behind authentication must not land in shared caches.
  const cacheControl = `${authMiddleware ? 'private' : 'public'}, max-age=${maxAgeSeconds}`;

  const responseOptions = { cacheControl, ...(authMiddleware ? { vary: 'Authorization' } : {}) };

  function cachedJson(c: Context, body: unknown): Response {
    return respond(c, renderJson(body));
  }

  // ETag, Cache-Control, Vary; 304 on a matching If-None-Match; a prepared entry (the response
  // cache's) is answered with its prebuilt header block.
  function respond(c: Context, rendered: RenderedResponse): Response {
    // A cache hit comes without its header block (kept out of memory): built here, it keeps the
    // response on node-server's fast path, where adding headers to a Response afterwards does not.
    const prepared = rendered.okHeaders ? rendered : prepareJson(rendered, responseOptions);
    return sendRendered(c, prepared, responseOptions);
  }

  async function merchantOr404(c: Context, merchantId: string): Promise<MerchantView> {
    // Authorise before looking up, so a foreign token cannot probe which merchants exist.
    authorizeMerchant(c, merchantId);
    const m = await loadMerchant(readDb, merchantId, clock.now(), staleAfterSeconds);
    if (!m) {
      throw new HttpProblem(404, {
        detail: `merchant ${merchantId} does not exist`,
        errors: [{ field: 'merchantId', message: `unknown merchant ${merchantId}` }],
      });
    }
    return m;
  }

  function startOrProblem(
    name: string,
    text: string,
    type: BucketType,
    m: MerchantView,
    mustBeStart: boolean,
  ): CivilDate {
    const d = parseDate(text)!;
    if (!mustBeStart || isBucketStart(d, type, m.weekStart)) return d;
    const before = bucketStartOfDate(d, type, m.weekStart);
    const after = shiftBucket(before, type, 1);
    const nearest = daysBetween(before, d) <= daysBetween(d, after) ? before : after;
    const valid = describeBucketStarts(type, m.weekStart);
    const message =
      `${text} is not the start of a ${type} bucket for merchant ${m.id}: ${type} buckets start on ${valid}; ` +
      `the nearest valid ${name} is ${formatDate(nearest)} (the bucket containing ${text} starts ${formatDate(before)}, the next starts ${formatDate(after)})`;
    // The date is well-formed (the document's `format: date`); which dates start a bucket depends on
    // the merchant's calendar, which no schema can state: 422, like every such rule of the API.
    throw new HttpProblem(422, {
      detail: `${name}: ${message}`,
      errors: [{ field: name, message }],
      extensions: {
        validBucketStarts: [formatDate(before), formatDate(after)],
        nearestBucketStart: formatDate(nearest),
      },
    });
  }

  // A dashboard asks the same few top-categories URLs over and over: each is validated once.
  const topQueries = new ValidatedQueries((c) => {
    const q = Object.freeze(validate(TopQuery, c.req.query()));
    const limit = q.limit ?? 10;
    // The response cache's key, made once per query string like the validation.
    const key = `${q.merchantId}\u0000${q.bucketType}\u0000${q.bucketStart ?? ''}\u0000${limit}`;
    return { q, limit, key };
  });

  const app = new Hono();
  app.onError(problemHandler(logger, { classifiers: [unavailableWhen('the database', isUnavailableError)] }));
  // The document is public (no token): it describes the API, not a merchant's data.
  const openApi = aggregatorOpenApi();
  app.get('/openapi.json', (c) => c.json(openApi));
  app.use('/api/*', requestMetrics(registry));
  if (authMiddleware) app.use('/api/*', authMiddleware);

  // Each merchant's calendar (timezone, week start) as last read: lets a read compute its bucket
  // range and comparison BEFORE its one statement. Every answer re-reads the calendar in that same
  // statement; a change makes the request run again with the new one, so the memo is never trusted.
  const calendars = new Map<string, Calendar>();
  const remember = (m: MerchantView): Calendar => {
    const cal = { timezone: m.timezone, weekStart: m.weekStart };
    if (calendars.size >= 50_000 && !calendars.has(m.id)) calendars.delete(calendars.keys().next().value!);
    calendars.set(m.id, cal);
    return cal;
  };
  const sameCalendar = (a: Calendar | undefined, b: Calendar) =>
    a !== undefined && a.timezone === b.timezone && a.weekStart === b.weekStart;
  async function calendarOf(c: Context, merchantId: string): Promise<Calendar> {
    return calendars.get(merchantId) ?? remember(await merchantOr404(c, merchantId));
  }
  const notFound = (merchantId: string) =>
    new HttpProblem(404, {
      detail: `merchant ${merchantId} does not exist`,
      errors: [{ field: 'merchantId', message: `unknown merchant ${merchantId}` }],
    });

  app.get('/api/top-categories', async (c) => {
    const { q, limit, key: queryKey } = topQueries.get(c);
    // Authorised before the cache, so a cached answer never reaches a token that may not read it.
    authorizeMerchant(c, q.merchantId);
    const now = clock.now();
    // Without bucketStart the current bucket is wanted, which needs the calendar first.
    const cal0 = q.bucketStart ? calendars.get(q.merchantId) : await calendarOf(c, q.merchantId);
    const start0 = q.bucketStart ?? bucketStartOf(now, q.bucketType, cal0!);
    // Concurrent misses of one key share one computation: an expiring hot entry costs one query.
    const compute = async (): Promise<ComputedAnswer> => {
      let cal = cal0;
      for (;;) {
        const start = q.bucketStart
          ? parseDate(q.bucketStart)!
          : parseDate(bucketStartOf(now, q.bucketType, cal!))!;
        const previous = shiftBucket(start, q.bucketType, -1);
        // A bucket in progress is compared with the same elapsed part of the previous one.
        const comparisonFor = (k: Calendar | undefined) =>
          k && bucketStartOf(now, q.bucketType, k) === formatDate(start)
            ? elapsedComparison(now, q.bucketType, k)
            : undefined;
        const elapsed = comparisonFor(cal);
        const read = await topReads.load({
          merchantId: q.merchantId,
          bucketType: q.bucketType,
          bucketStart: formatDate(start),
          previousStart: formatDate(previous),
          limit,
          now,
          staleAfterSeconds,
          elapsed,
        });
        if (!read) throw notFound(q.merchantId);
        const m = read.merchant;
        const real = remember(m);
        if (q.bucketStart) startOrProblem('bucketStart', q.bucketStart, q.bucketType, m, true);
        if (!sameCalendar(cal, real)) {
          // Read with a guessed (or outdated) calendar: run again unless nothing it decided changes.
          const wanted = comparisonFor(real);
          cal = real;
          if (!q.bucketStart || wanted !== undefined || elapsed !== undefined) continue;
        }
        const { top } = read;
        const freshness = freshnessOf(m, staleAfterSeconds);
        const rendered = renderJson({
          merchantId: m.id,
          currency: m.currency,
          timezone: m.timezone,
          weekStart: m.weekStart,
          bucketType: q.bucketType,
          bucketStart: formatDate(start),
          bucketEnd: formatDate(shiftBucket(start, q.bucketType, 1)),
          previousBucketStart: formatDate(previous),
          limit,
          periodTotal: formatAmount(top.periodTotalMinor, m.currency),
          periodTotalMinor: top.periodTotalMinor.toString(),
          previousPeriodTotal: formatAmount(top.previousPeriodTotalMinor, m.currency),
          previousPeriodTotalMinor: top.previousPeriodTotalMinor.toString(),
          previousFullPeriodTotal: formatAmount(top.previousFullPeriodTotalMinor, m.currency),
          previousFullPeriodTotalMinor: top.previousFullPeriodTotalMinor.toString(),
          comparison: elapsed
            ? {
                kind: 'like_for_like',
                inProgress: true,
                asOfLocal: elapsed.asOfLocal,
                previousFromLocal: `${elapsed.previousStart}T00:00`,
                previousToLocal: elapsed.previousToLocal,
                description: `${q.bucketType.toLowerCase()} so far (to ${elapsed.asOfLocal.replace('T', ' ')} ${m.timezone}) vs the previous ${q.bucketType.toLowerCase()} to the same point (${elapsed.previousToLocal.replace('T', ' ')})`,
              }
            : {
                kind: 'full_period',
                inProgress: false,
                asOfLocal: null,
                previousFromLocal: `${formatDate(previous)}T00:00`,
                previousToLocal: `${formatDate(start)}T00:00`,
                description: `whole ${q.bucketType.toLowerCase()} vs the whole previous ${q.bucketType.toLowerCase()}`,
              },
          categoryCount: top.categoryCount,
          categories: top.rows.map((r, i) => ({
            rank: i + 1,
            categoryId: r.categoryId,
            name: r.name ?? r.categoryId,
            parentCategoryId: r.parentCategoryId,
            total: formatAmount(r.totalMinor, m.currency),
            totalMinor: r.totalMinor.toString(),
            orderCount: toNumber(r.orderCount),
            itemCount: toNumber(r.itemCount),
            share: share(r.totalMinor, top.periodTotalMinor),
            previousTotal: formatAmount(r.previousTotalMinor, m.currency),
            previousTotalMinor: r.previousTotalMinor.toString(),
            change: change(r.totalMinor, r.previousTotalMinor),
          })),
          asOf: freshness.asOf,
          freshness,
        });
        // The 200 header block is built here once; every hit of this entry reuses it.
        return {
          value: prepareJson(rendered, responseOptions),
          // A period in progress compares with the clock; "stale" may end any moment.
          moving: elapsed !== undefined || m.pending,
          // "not stale" may end by the clock alone: when the oldest unapplied order gets too old.
          validForMs: notStaleForMs(m, now, staleAfterSeconds),
          // Read for another period than the key names (the calendar changed): not stored under it.
          store: formatDate(start) === start0,
        };
      }
    };
    if (!responseCache) return respond(c, (await compute()).value);
    const scope = {
      merchantId: q.merchantId,
      bucketType: q.bucketType,
      bucketStarts: [start0, formatDate(shiftBucket(parseDate(start0)!, q.bucketType, -1))],
    };
    const key = q.bucketStart ? queryKey : `${queryKey}\u0000${start0}`;
    return respond(c, await responseCache.getOrCompute(key, scope, compute));
  });

  const seriesQueries = new ValidatedQueries((c) => validate(SeriesQuery, c.req.query()));

  // The buckets a series request shows under calendar `cal`; a problem when the range is not valid.
  function seriesRange(q: z.infer<typeof SeriesQuery>, cal: Calendar, now: Date) {
    const type = q.bucketType;
    const current = parseDate(bucketStartOf(now, type, cal))!;
    const to = q.to ? bucketStartOfDate(parseDate(q.to)!, type, cal.weekStart) : current;
    const from = q.from
      ? bucketStartOfDate(parseDate(q.from)!, type, cal.weekStart)
      : shiftBucket(to, type, -(defaultSeriesBuckets - 1));
    const count = bucketCount(from, to, type);
    if (count < 1) {
      // Each date is valid alone; the pair is not (a rule across parameters): 422.
      throw new HttpProblem(422, {
        detail: `from: ${formatDate(from)} is after to (${formatDate(to)})`,
        errors: [{ field: 'from', message: `must not be after to (${formatDate(to)})` }],
      });
    }
    if (count > maxSeriesBuckets) {
      throw new HttpProblem(422, {
        detail: `to: the range ${formatDate(from)}..${formatDate(to)} spans ${count} ${type} buckets; at most ${maxSeriesBuckets} are allowed`,
        errors: [{ field: 'to', message: `range spans ${count} buckets; at most ${maxSeriesBuckets}` }],
      });
    }
    const buckets: string[] = [];
    for (let i = 0, d = from; i < count; i++, d = shiftBucket(d, type, 1)) buckets.push(formatDate(d));
    return { type, from: buckets[0]!, to: buckets.at(-1)!, buckets };
  }

  app.get('/api/category-sales', async (c) => {
    const q = seriesQueries.get(c);
    authorizeMerchant(c, q.merchantId);
    const now = clock.now();
    const cal0 = await calendarOf(c, q.merchantId);
    const range0 = seriesRange(q, cal0, now);
    const compute = async (): Promise<ComputedAnswer> => {
      let cal = cal0;
      let range = range0;
      for (;;) {
        const { type, from, to, buckets } = range;
        const query: SeriesReadQuery = {
          merchantId: q.merchantId,
          bucketType: type,
          from,
          to,
          categoryId: q.categoryId,
          now,
          staleAfterSeconds,
        };
        // A one-category series has its own statement and runs alone; the rest share statements.
        const read = await (q.categoryId === undefined ? seriesReads.load(query) : readSeries(readDb, query));
        if (!read) throw notFound(q.merchantId);
        const m = read.merchant;
        const real = remember(m);
        if (!sameCalendar(cal, real)) {
          cal = real; // the range was aligned with an outdated calendar
          range = seriesRange(q, cal, now);
          continue;
        }
        let only: { name: string; parentCategoryId: string | null } | undefined;
        if (q.categoryId) {
          only = await loadCategory(readDb, m.id, q.categoryId);
          if (!only) {
            throw new HttpProblem(404, {
              detail: `category ${q.categoryId} of merchant ${m.id} does not exist`,
              errors: [{ field: 'categoryId', message: `unknown category ${q.categoryId}` }],
            });
          }
        }
        const { rows } = read;
        const byCategory = new Map<
          string,
          { name: string | null; parentCategoryId: string | null; points: Map<string, (typeof rows)[number]> }
        >();
        if (q.categoryId && only) byCategory.set(q.categoryId, { ...only, points: new Map() });
        for (const r of rows) {
          let s = byCategory.get(r.categoryId);
          if (!s) {
            s = { name: r.name, parentCategoryId: r.parentCategoryId, points: new Map() };
            byCategory.set(r.categoryId, s);
          }
          s.points.set(r.bucketStart, r);
        }
        const series = [...byCategory.entries()].map(([categoryId, s]) => {
          let total = 0n;
          const points = buckets.map((b) => {
            const r = s.points.get(b);
            const minor = r?.totalMinor ?? 0n;
            total += minor;
            return {
              bucketStart: b,
              total: formatAmount(minor, m.currency),
              totalMinor: minor.toString(),
              orderCount: toNumber(r?.orderCount ?? 0n),
              itemCount: toNumber(r?.itemCount ?? 0n),
            };
          });
          return {
            categoryId,
            name: s.name ?? categoryId,
            parentCategoryId: s.parentCategoryId,
            total: formatAmount(total, m.currency),
            totalMinor: total.toString(),
            totalSortKey: total,
            points,
          };
        });
        // Largest categories first, ties by id, so the response is deterministic (stable ETag).
        series.sort((a, b) =>
          a.totalSortKey === b.totalSortKey
            ? a.categoryId < b.categoryId
              ? -1
              : 1
            : a.totalSortKey > b.totalSortKey
              ? -1
              : 1,
        );
        const freshness = freshnessOf(m, staleAfterSeconds);
        const rendered = renderJson({
          merchantId: m.id,
          currency: m.currency,
          timezone: m.timezone,
          weekStart: m.weekStart,
          bucketType: type,
          from,
          to,
          buckets,
          series: series.map(({ totalSortKey: _k, ...s }) => s),
          asOf: freshness.asOf,
          freshness,
        });
        return {
          value: prepareJson(rendered, responseOptions),
          moving: m.pending,
          validForMs: notStaleForMs(m, now, staleAfterSeconds),
          store: range === range0,
        };
      }
    };
    if (!responseCache) return respond(c, (await compute()).value);
    const key = `series\u0000${q.merchantId}\u0000${range0.type}\u0000${range0.from}\u0000${range0.to}\u0000${q.categoryId ?? ''}`;
    const scope = { merchantId: q.merchantId, bucketType: range0.type, bucketStarts: range0.buckets };
    return respond(c, await responseCache.getOrCompute(key, scope, compute));
  });

  app.get('/api/merchants', async (c) => {
    const visible = visibleMerchants(c);
    // A token that names its merchants gets exactly those (however far down the id order); an
    // admin token the first 1,000 by id.
    const merchants = await listMerchants(readDb, 1000, visible === '*' ? undefined : [...visible]);
    return cachedJson(c, { merchants });
  });

  app.get('/api/merchants/:merchantId', async (c) => {
    const parsed = PLATFORM_ID.safeParse(c.req.param('merchantId'));
    if (!parsed.success) throw validationProblem(parsed.error, 'merchantId');
    const m = await merchantOr404(c, parsed.data);
    const freshness = freshnessOf(m, staleAfterSeconds);
    return cachedJson(c, {
      id: m.id,
      name: m.name,
      timezone: m.timezone,
      weekStart: m.weekStart,
      currency: m.currency,
      eventsApplied: m.eventsApplied.toString(),
      currentBuckets: Object.fromEntries(
        BUCKET_TYPES.map((t) => [t, bucketStartOf(clock.now(), t, m)] as const),
      ),
      asOf: freshness.asOf,
      freshness,
    });
  });

  return app;
}
