import type { ForecastMerchant, StoredForecast, StoredPathStep } from '../forecast-job/index.js';
import { AnswerCache } from './answer-cache.js';
import { ForecastChangeLog } from './changes.js';
import type { CategoryLabel, ForecastStore, SetRowFilter } from './store.js';

/** Options of {@link cachedForecastStore}. */
export interface CachedForecastStoreOptions {
  /**
   * How long a merchant's calendar and category labels are reused, ms: they change rarely, and an
   * answer already says max-age 15 s to its clients. @default 5000
   */
  readonly catalogTtlMs?: number;
  /**
   * The change notifications the merchant and label entries follow: while they are live an entry is
   * kept until a notification names its merchant (at most `catalogExactTtlMs`). @default none (never live)
   */
  readonly changes?: ForecastChangeLog;
  /** Most lifetime of a merchant or label entry while notifications are live, ms. @default catalogTtlMs */
  readonly catalogExactTtlMs?: number;
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
 * the merchant's calendar and category labels for a few seconds, or, while change notifications are
 * live, until one names the merchant. Concurrent misses of one key share one statement. Everything
 * else goes straight to `inner`.
 */
export function cachedForecastStore(
  inner: ForecastStore,
  options: CachedForecastStoreOptions = {},
): ForecastStore {
  const { catalogTtlMs = 5000, maxSets = 2000, maxRows = 8_000, maxLabels = 50_000 } = options;
  const { changes = new ForecastChangeLog(), catalogExactTtlMs = catalogTtlMs } = options;
  const clock = options.now ? { now: options.now } : {};
  // A merchant's catalog entries depend on its catalog only (changes naming `*`), not on its sets.
  const catalog = { changes, ttlMs: catalogTtlMs, exactTtlMs: Math.max(catalogTtlMs, catalogExactTtlMs) };
  const merchants = new AnswerCache<ForecastMerchant | undefined>({
    ...catalog,
    maxEntries: 10_000,
    ...clock,
  });
  const labels = new AnswerCache<ReadonlyMap<string, CategoryLabel>>({
    ...catalog,
    maxEntries: 10_000,
    maxWeight: maxLabels,
    weigh: (m) => m.size,
    ...clock,
  });
  // Weighed by rows: a merchant with 600 categories has a hundred times the rows of one with 6, so
  // a bound on sets alone held 330 MB of heap at 2000 sets in the 10,000-merchant read mix.
  // Kept per set for SET_TTL_MS either way; a notification naming the set's merchant and bucket
  // type (a row rewritten in place, which forecast-job never does) drops them sooner.
  const setCache = { changes, ttlMs: SET_TTL_MS, maxEntries: maxSets, maxWeight: maxRows, ...clock };
  const rows = new AnswerCache<StoredForecast[]>({ ...setCache, weigh: (r) => r.length });
  const paths = new AnswerCache<StoredPathStep[]>({ ...setCache, weigh: (p) => p.length });
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
    merchant: (merchantId) =>
      merchants.getOrCompute(merchantId, { merchantId }, async () => ({
        value: await inner.merchant(merchantId),
      })),
    categoryLabels: (merchantId) =>
      labels.getOrCompute(merchantId, { merchantId }, async () => ({
        value: await inner.categoryLabels(merchantId),
      })),
    setRows: (set, filter) =>
      rows.getOrCompute(setKey(set, filter), set, async () => ({ value: await inner.setRows(set, filter) })),
    setPaths: (set, filter) =>
      paths.getOrCompute(setKey(set, filter), set, async () => ({
        value: await inner.setPaths(set, filter),
      })),
  };
}
