import { bucketStart, type BucketType } from '../buckets/index.js';
import { MODEL_NAMES, forecastModels, type ModelName } from '../forecast-engine/index.js';
import {
  DEFAULT_LOOKBACK,
  toStored,
  type ForecastMerchant,
  type StoredForecast,
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
  let reason: string | null = null;
  let stale = false;
  if (!set) reason = 'no precomputed forecast yet (the forecast job has not run for this merchant)';
  else if (set.targetBucketStart !== target) {
    stale = true;
    reason = `the precomputed forecast is for the period starting ${set.targetBucketStart}, which has ended`;
  } else if ((q.now.getTime() - set.checkedAt.getTime()) / 1000 > q.staleAfterSeconds) {
    // checked_at is the job's clock at its last run over this set (written or found unchanged).
    stale = true;
    reason = `the precomputed forecast was last refreshed at ${set.checkedAt.toISOString()}, older than ${q.staleAfterSeconds} s`;
  } else if (q.lookback !== undefined && q.lookback !== set.lookback) {
    reason = `lookback ${q.lookback} differs from the precomputed ${set.lookback}`;
  }
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
