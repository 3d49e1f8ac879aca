import { bucketStart, formatDate, parseDate, shiftBucket, type BucketType } from '../buckets/index.js';
import type {
  CategorySeries,
  ForecastMerchant,
  ForecastSet,
  StoredForecast,
  StoredPathStep,
} from '../forecast-job/index.js';
import type { PeriodProgress } from './progress.js';
import type { CategoryLabel, ForecastStore } from './store.js';

/** What an in-memory forecast store holds. */
export interface MemoryForecastData {
  readonly merchants?: readonly ForecastMerchant[];
  readonly categories?: ReadonlyArray<CategoryLabel & { readonly merchantId: string; readonly id: string }>;
  /** Precomputed sets with their rows; the newest `generatedAt` of a (merchant, bucket type) is its latest. */
  readonly sets?: ReadonlyArray<{
    readonly set: ForecastSet;
    readonly rows: readonly StoredForecast[];
    readonly paths?: readonly StoredPathStep[];
  }>;
  /** Sales of the period in progress and of its references, per merchant and bucket type (none: nothing sold). */
  readonly progress?: ReadonlyArray<{
    readonly merchantId: string;
    readonly bucketType: BucketType;
    readonly progress: PeriodProgress;
  }>;
  /** Histories for on-demand forecasts, oldest value first, ending with the bucket before `now`'s. */
  readonly history?: ReadonlyArray<{
    readonly merchantId: string;
    readonly bucketType: BucketType;
    readonly series: readonly CategorySeries[];
  }>;
}

/**
 * A {@link ForecastStore} over fixed data, for tests of the API's logic without Postgres (the
 * Postgres store is covered by test/integration/forecast-api.test.ts). Histories are served as
 * given: lookback does not cut them.
 */
export function createMemoryForecastStore(data: MemoryForecastData): ForecastStore {
  return {
    merchant: (merchantId) => Promise.resolve(data.merchants?.find((m) => m.id === merchantId)),
    categoryLabels: (merchantId) =>
      Promise.resolve(
        new Map(
          (data.categories ?? [])
            .filter((c) => c.merchantId === merchantId)
            .map((c) => [c.id, { name: c.name, parentCategoryId: c.parentCategoryId }]),
        ),
      ),
    latestSet: (merchantId, bucketType) =>
      Promise.resolve(
        (data.sets ?? [])
          .map((s) => s.set)
          .filter((s) => s.merchantId === merchantId && s.bucketType === bucketType)
          .sort((a, b) => b.generatedAt.getTime() - a.generatedAt.getTime())[0],
      ),
    setRows: (set, filter) =>
      Promise.resolve(
        (data.sets?.find((s) => s.set === set)?.rows ?? []).filter(
          (r) =>
            (!filter.models || filter.models.includes(r.model)) &&
            (!filter.categoryId || r.categoryId === filter.categoryId),
        ),
      ),
    setPaths: (set, filter) =>
      Promise.resolve(
        (data.sets?.find((s) => s.set === set)?.paths ?? []).filter(
          (r) =>
            (!filter.models || filter.models.includes(r.model)) &&
            (!filter.categoryId || r.categoryId === filter.categoryId),
        ),
      ),
    progress: (merchant, bucketType) =>
      Promise.resolve(
        data.progress?.find((p) => p.merchantId === merchant.id && p.bucketType === bucketType)?.progress ?? {
          asOf: null,
          categories: new Map(),
        },
      ),
    history: (merchant, bucketType, lookback, now, categoryId) => {
      const target = parseDate(bucketStart(now, bucketType, merchant))!;
      const series = (data.history ?? [])
        .filter((h) => h.merchantId === merchant.id && h.bucketType === bucketType)
        .flatMap((h) => h.series)
        .filter((s) => !categoryId || s.categoryId === categoryId);
      return Promise.resolve({
        merchant,
        bucketType,
        targetBucketStart: formatDate(target),
        lastBucketStart: formatDate(shiftBucket(target, bucketType, -1)),
        lookback,
        series,
      });
    },
  };
}
