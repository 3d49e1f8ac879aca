import { TtlCache } from '../cache/index.js';
import type { ForecastMerchant } from '../forecast-job/index.js';
import type { CategoryLabel, ForecastStore, SetRowFilter } from './store.js';

/** Options of {@link cachedForecastStore}. */
export interface CachedForecastStoreOptions {
  /**
   * How long a merchant's calendar and category labels are reused, ms: they change rarely, and an
   * answer already says max-age 15 s to its clients. @default 5000
   */
  readonly catalogTtlMs?: number;
  /** Forecast sets whose rows are kept in memory. @default 2000 */
  readonly maxSets?: number;
  /**
   * Forecast rows (one per category and model) kept in memory over all sets, and as many path steps:
   * the bound that holds memory, since a set's size follows the merchant's categories. At about 1.7
   * KB per row on the heap, the default is ~14 MB (plus as many path steps). @default 8000
   */
  readonly maxRows?: number;
  /** Category labels kept over all merchants. @default 50000 */
  readonly maxLabels?: number;
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

// A published set never changes (a newer set replaces it as the latest), so its rows are kept
// until evicted; the TTL only lets a set that nobody asks for any more leave memory.
const SET_TTL_MS = 10 * 60_000;

/**
 * Wraps a forecast store so that a computed answer usually costs ONE statement, the "latest set"
 * pointer (which forecast-job moves): the rows of a published set are immutable and kept by set,
 * the merchant's calendar and category labels for a few seconds. Concurrent misses of one key share
 * one statement. Everything else goes straight to `inner`.
 */
export function cachedForecastStore(
  inner: ForecastStore,
  options: CachedForecastStoreOptions = {},
): ForecastStore {
  const { catalogTtlMs = 5000, maxSets = 2000, maxRows = 8_000, maxLabels = 50_000 } = options;
  const clock = options.now ? { now: options.now } : {};
  const merchants = new TtlCache<ForecastMerchant | undefined>(catalogTtlMs, {
    maxEntries: 10_000,
    ...clock,
  });
  const labels = new TtlCache<ReadonlyMap<string, CategoryLabel>>(catalogTtlMs, {
    maxEntries: 10_000,
    maxWeight: maxLabels,
    weigh: (m) => m.size,
    ...clock,
  });
  // Weighed by rows: a merchant with 600 categories has a hundred times the rows of one with 6, so
  // a bound on sets alone held 330 MB of heap at 2000 sets in the 10,000-merchant read mix.
  const rows = new TtlCache<Awaited<ReturnType<ForecastStore['setRows']>>>(SET_TTL_MS, {
    maxEntries: maxSets,
    maxWeight: maxRows,
    weigh: (r) => r.length,
    ...clock,
  });
  const paths = new TtlCache<Awaited<ReturnType<ForecastStore['setPaths']>>>(SET_TTL_MS, {
    maxEntries: maxSets,
    maxWeight: maxRows,
    weigh: (p) => p.length,
    ...clock,
  });
  const setKey = (set: Parameters<ForecastStore['setRows']>[0], filter: SetRowFilter) =>
    JSON.stringify([
      set.merchantId,
      set.bucketType,
      set.generatedAt.toISOString(),
      set.runId,
      filter.models ?? null,
      filter.categoryId ?? null,
    ]);
  return {
    ...inner,
    merchant: (merchantId) => merchants.getOrCompute(merchantId, () => inner.merchant(merchantId)),
    categoryLabels: (merchantId) => labels.getOrCompute(merchantId, () => inner.categoryLabels(merchantId)),
    setRows: (set, filter) => rows.getOrCompute(setKey(set, filter), () => inner.setRows(set, filter)),
    setPaths: (set, filter) => paths.getOrCompute(setKey(set, filter), () => inner.setPaths(set, filter)),
  };
}
