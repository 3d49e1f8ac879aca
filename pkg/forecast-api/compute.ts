import { bucketStart, parseDate, shiftBucket, startOfLocalDay, type BucketType } from '../buckets/index.js';
import {
  MODEL_NAMES,
  defaultHorizon,
  forecastModels,
  forecastPath,
  type ForecastPath,
  type ModelName,
} from '../forecast-engine/index.js';
import {
  DEFAULT_LOOKBACK,
  coherentPaths,
  planPaths,
  rollupStart,
  toStored,
  toStoredPath,
  type ForecastMerchant,
  type ForecastSet,
  type PathNode,
  type StoredForecast,
  type StoredPathStep,
} from '../forecast-job/index.js';
import type { ForecastStore } from './store.js';
import { TtlCache } from '../cache/index.js';

/** Forecast rows for one merchant and bucket type, precomputed or computed now, and why. */
export interface ForecastRows {
  readonly source: 'precomputed' | 'on_demand';
  readonly targetBucketStart: string;
  readonly generatedAt: Date;
  readonly runId: string | null;
  readonly lookback: number;
  /** True when a precomputed set exists but was too old (or for a past period) to serve. */
  readonly stale: boolean;
  /** Why the on-demand path was taken, or why the list is empty. */
  readonly reason: string | null;
  readonly rows: readonly StoredForecast[];
  /** The set the rows come from (precomputed only). */
  readonly set?: ForecastSet;
}

/** What {@link getForecastRows} needs to decide. */
export interface ForecastQuery {
  readonly merchant: ForecastMerchant;
  readonly bucketType: BucketType;
  /** Models to return; undefined = every model of the precomputed set (all models when on demand). */
  readonly models: readonly ModelName[] | undefined;
  readonly lookback: number | undefined;
  readonly categoryId?: string;
  readonly now: Date;
  readonly staleAfterSeconds: number;
}

/** On-demand results keyed by the full query, timed by the query's clock (q.now). */
export class OnDemandCache extends TtlCache<ForecastRows> {
  constructor(ttlMs: number) {
    super(ttlMs, { maxEntries: 500 });
  }
}

/** Whether a precomputed set may be served now: why not (null: it may), and whether it is stale. */
function judgeSet(
  set: ForecastSet | undefined,
  target: string,
  q: { readonly now: Date; readonly staleAfterSeconds: number },
): { reason: string | null; stale: boolean } {
  if (!set)
    return {
      reason: 'no precomputed forecast yet: the forecast job has not run for this merchant',
      stale: false,
    };
  if (set.targetBucketStart !== target)
    return {
      reason: `the precomputed forecast is for the period starting ${set.targetBucketStart}, which has ended`,
      stale: true,
    };
  // checked_at is the job's clock at its last run over this set (written or found unchanged).
  if ((q.now.getTime() - set.checkedAt.getTime()) / 1000 > q.staleAfterSeconds)
    return {
      reason: `the precomputed forecast was last refreshed at ${set.checkedAt.toISOString()}, older than ${q.staleAfterSeconds} s`,
      stale: true,
    };
  return { reason: null, stale: false };
}

/**
 * The instant (ms) from which a precomputed result of {@link getForecastRows} is no longer what the
 * same query returns even if the database does not change: its set turns stale (judgeSet: more than
 * `staleAfterSeconds` after its checked_at) or its target period ends (the next period's start in the
 * merchant's timezone). Undefined for an on-demand result, which moves with the aggregates.
 */
export function precomputedUntil(
  result: ForecastRows,
  q: {
    readonly merchant: ForecastMerchant;
    readonly bucketType: BucketType;
    readonly staleAfterSeconds: number;
  },
): number | undefined {
  if (result.source !== 'precomputed' || !result.set) return undefined;
  const stale = result.set.checkedAt.getTime() + q.staleAfterSeconds * 1000;
  const target = parseDate(result.set.targetBucketStart);
  if (!target) return stale;
  const next = startOfLocalDay(shiftBucket(target, q.bucketType, 1), q.merchant.timezone).getTime();
  return Math.min(stale, next);
}

/**
 * Serves the precomputed set when it is fresh, for the current target period, made with the asked
 * lookback and holds the asked models; otherwise computes on demand from the aggregates (the seed's
 * degraded mode) and says why.
 */
export async function getForecastRows(
  store: ForecastStore,
  q: ForecastQuery,
  cache: OnDemandCache,
): Promise<ForecastRows> {
  const target = bucketStart(q.now, q.bucketType, q.merchant);
  const set = await store.latestSet(q.merchant.id, q.bucketType);
  const judged = judgeSet(set, target, q);
  const stale = judged.stale;
  let reason = judged.reason;
  if (set && reason === null && q.lookback !== undefined && q.lookback !== set.lookback)
    reason = `lookback ${q.lookback} differs from the precomputed ${set.lookback}`;
  if (set && reason === null) {
    const rows = await store.setRows(set, {
      ...(q.models ? { models: q.models } : {}),
      ...(q.categoryId ? { categoryId: q.categoryId } : {}),
    });
    const present = new Set(rows.map((r) => r.model));
    const missing = (q.models ?? []).filter((m) => !present.has(m));
    if (missing.length === 0 || set.categories === 0)
      return {
        source: 'precomputed',
        targetBucketStart: set.targetBucketStart,
        generatedAt: set.generatedAt,
        runId: set.runId,
        lookback: set.lookback,
        stale: false,
        reason: null,
        rows,
        set,
      };
    reason = `model ${missing.join(', ')} is not precomputed`;
  }
  const lookback = q.lookback ?? DEFAULT_LOOKBACK[q.bucketType];
  const models = q.models ?? MODEL_NAMES;
  const key = [q.merchant.id, q.bucketType, lookback, models.join(','), q.categoryId ?? '', target].join('|');
  const hit = cache.get(key, q.now.getTime());
  if (hit) return { ...hit, stale, reason };
  const ms = await store.history(q.merchant, q.bucketType, lookback, q.now, q.categoryId);
  const rows: StoredForecast[] = [];
  for (const s of ms.series) {
    const results = forecastModels(
      { bucketType: q.bucketType, values: s.values, start: s.firstBucketStart },
      models,
    );
    for (const r of results) rows.push(toStored(s.categoryId, r));
  }
  const value: ForecastRows = {
    source: 'on_demand',
    targetBucketStart: ms.targetBucketStart,
    generatedAt: q.now,
    runId: null,
    lookback,
    stale,
    reason: ms.series.length === 0 ? 'no sales yet: there is no history to forecast from' : reason,
    rows,
  };
  cache.set(key, value, { at: q.now.getTime() });
  return value;
}

/** One category's path for one model, precomputed or computed now, and why. */
export interface PathRows {
  readonly source: 'precomputed' | 'on_demand';
  readonly targetBucketStart: string;
  readonly generatedAt: Date;
  readonly runId: string | null;
  readonly horizon: number;
  readonly stale: boolean;
  readonly reason: string | null;
  /** The steps, oldest bucket first; empty when the category's subtree has no sales. */
  readonly steps: readonly StoredPathStep[];
}

/** What {@link getCategoryPath} needs to decide. */
export interface PathQuery {
  readonly merchant: ForecastMerchant;
  readonly bucketType: BucketType;
  readonly categoryId: string;
  readonly model: ModelName;
  /** Steps; undefined = the precomputed set's horizon, else the engine's default for the bucket type. */
  readonly horizon: number | undefined;
  /** Every category of the merchant and its parent: the subtree a parent's path covers. */
  readonly parents: ReadonlyMap<string, string | null>;
  readonly now: Date;
  readonly staleAfterSeconds: number;
}

/** On-demand paths keyed by the full query, timed by the query's clock (q.now). */
export class OnDemandPathCache extends TtlCache<PathRows> {
  constructor(ttlMs: number) {
    super(ttlMs, { maxEntries: 500 });
  }
}

/**
 * Serves a category's precomputed path when its set is fresh, holds the model's path and is at least
 * `horizon` steps long (cut to `horizon`); otherwise computes the coherent path of the category's
 * subtree now from the aggregates (the job's own planPaths/coherentPaths), and says why.
 */
export async function getCategoryPath(
  store: ForecastStore,
  q: PathQuery,
  cache: OnDemandPathCache,
): Promise<PathRows> {
  const target = bucketStart(q.now, q.bucketType, q.merchant);
  const set = await store.latestSet(q.merchant.id, q.bucketType);
  const judged = judgeSet(set, target, q);
  const stale = judged.stale;
  let reason = judged.reason;
  const horizon = q.horizon ?? (set && set.horizon > 0 ? set.horizon : defaultHorizon(q.bucketType));
  if (set && reason === null) {
    if (set.horizon === 0) reason = 'the precomputed forecast set holds no multi-horizon paths';
    else if (horizon > set.horizon)
      reason = `horizon ${horizon} is longer than the precomputed ${set.horizon}`;
  }
  if (set && reason === null) {
    const steps = await store.setPaths(set, { models: [q.model], categoryId: q.categoryId });
    if (steps.length > 0)
      return {
        source: 'precomputed',
        targetBucketStart: set.targetBucketStart,
        generatedAt: set.generatedAt,
        runId: set.runId,
        horizon,
        stale: false,
        reason: null,
        steps: steps.slice(0, horizon),
      };
    reason = `no precomputed ${q.model} path for category ${q.categoryId}`;
  }
  const lookback = DEFAULT_LOOKBACK[q.bucketType];
  const key = [q.merchant.id, q.bucketType, q.categoryId, q.model, horizon, target].join('|');
  const hit = cache.get(key, q.now.getTime());
  if (hit) return { ...hit, stale, reason: hit.steps.length === 0 ? hit.reason : reason };
  const ms = await store.history(q.merchant, q.bucketType, lookback, q.now);
  const all = planPaths(ms.series, q.parents);
  // Only the asked category's subtree is forecast: its nodes and their descendants.
  const subtree = new Map<string, PathNode>();
  const take = (id: string, depth: number): void => {
    const n = all.get(id);
    if (!n || subtree.has(id) || depth > 1000) return;
    subtree.set(id, n);
    for (const c of n.children) take(c, depth + 1);
  };
  take(q.categoryId, 0);
  const own = new Map<string, ForecastPath>();
  const whole = new Map<string, ForecastPath>();
  const bySeries = new Map(ms.series.map((s) => [s.categoryId, s]));
  for (const n of subtree.values()) {
    const s = bySeries.get(n.categoryId);
    if (s)
      own.set(
        n.categoryId,
        forecastPath(
          { bucketType: q.bucketType, values: s.values, start: s.firstBucketStart },
          q.model,
          horizon,
        ),
      );
    if (n.children.length > 0) {
      const start = rollupStart(n, ms.series, q.bucketType);
      whole.set(
        n.categoryId,
        forecastPath({ bucketType: q.bucketType, values: n.rollup, start }, q.model, horizon),
      );
    }
  }
  const path = coherentPaths(subtree, own, whole).get(q.categoryId);
  const value: PathRows = {
    source: 'on_demand',
    targetBucketStart: ms.targetBucketStart,
    generatedAt: q.now,
    runId: null,
    horizon,
    stale,
    reason: path ? reason : 'no sales yet: there is no history to forecast from',
    steps: path ? toStoredPath(q.categoryId, path, ms.targetBucketStart) : [],
  };
  cache.set(key, value, { at: q.now.getTime() });
  return value;
}
