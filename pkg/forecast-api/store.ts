import type { BucketType } from '../buckets/index.js';
import type { NowcastBucketType } from '../forecast-engine/index.js';
import {
  periodProgress,
  readPeriodReferences,
  readPeriodSoFar,
  type PeriodPoint,
  type PeriodProgress,
} from './progress.js';
import type { PeriodReferenceCache } from './reference-cache.js';
import { ReadBatcher, type Queryable } from '../db/index.js';
import {
  latestSet,
  latestSets,
  loadMerchant,
  loadMerchantSeries,
  readSetPaths,
  readSetRows,
  type ForecastMerchant,
  type ForecastSet,
  type MerchantSeries,
  type StoredForecast,
  type StoredPathStep,
} from '../forecast-job/index.js';

/** A category's display name and parent. */
export interface CategoryLabel {
  readonly name: string;
  readonly parentCategoryId: string | null;
}

/** Which rows of a set to read. */
export interface SetRowFilter {
  /** Only these models. @default every model of the set */
  readonly models?: readonly string[];
  /** Only this category. @default every category */
  readonly categoryId?: string;
}

/** Everything the forecast API reads: the handlers and the on-demand path hold no SQL. */
export interface ForecastStore {
  /** The merchant's calendar and currency, or undefined when there is no such merchant. */
  merchant(merchantId: string): Promise<ForecastMerchant | undefined>;
  /** Name and parent of every category of the merchant, by category id. */
  categoryLabels(merchantId: string): Promise<ReadonlyMap<string, CategoryLabel>>;
  /** The newest precomputed forecast set of (merchant, bucket type), or undefined before the first. */
  latestSet(merchantId: string, bucketType: BucketType): Promise<ForecastSet | undefined>;
  /** The rows of one set. */
  setRows(set: ForecastSet, filter: SetRowFilter): Promise<StoredForecast[]>;
  /** The multi-horizon path steps of one set, by category, model and step. */
  setPaths(set: ForecastSet, filter: SetRowFilter): Promise<StoredPathStep[]>;
  /** What the period in progress at `point` sold so far per category, and what its reference periods sold. */
  progress(
    merchant: ForecastMerchant,
    bucketType: NowcastBucketType,
    point: PeriodPoint,
  ): Promise<PeriodProgress>;
  /** The complete-bucket history of every category (or one) over `lookback` buckets before `now`'s. */
  history(
    merchant: ForecastMerchant,
    bucketType: BucketType,
    lookback: number,
    now: Date,
    categoryId?: string,
  ): Promise<MerchantSeries>;
}

/** $1 merchant. Exported for the read benchmark's pgbench reference. */
export const CATEGORY_LABELS_SQL =
  'SELECT id, name, parent_category_id FROM ingestion.categories WHERE merchant_id = $1';

/** How the Postgres store batches its latest-set reads (pkg/db ReadBatcher). */
export interface PgForecastStoreOptions {
  /** Most latest-set reads in one statement; 1 = each alone. @default 1 */
  readonly readBatchMax?: number;
  /** Most latest-set statements in flight at once; 0 = no limit. @default 0 */
  readonly readConcurrency?: number;
  /** Called with the reads each statement carried. */
  readonly onBatch?: (size: number) => void;
  /** Keeps what a nowcast's reference periods sold between requests. @default none: read every time */
  readonly references?: PeriodReferenceCache;
}

/**
 * The forecast store over Postgres (the read replica when there is one): forecast-job's tables and
 * the catalog, and the aggregates a nowcast reads (its sales so far every time, its reference
 * periods through `references` when given). The latest-set pointer, the one statement most answers
 * cost, can be read in batches (`readBatchMax` > 1): reads arriving in the same turn of the event
 * loop (or while `readConcurrency` statements run) then share one statement.
 */
export function createPgForecastStore(db: Queryable, options: PgForecastStoreOptions = {}): ForecastStore {
  const latest = new ReadBatcher<{ merchantId: string; bucketType: BucketType }, ForecastSet | undefined>({
    one: (q) => latestSet(db, q.merchantId, q.bucketType),
    many: (qs) => latestSets(db, qs),
    maxBatch: options.readBatchMax ?? 1,
    maxInFlight: options.readConcurrency ?? 0,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  return {
    merchant: (merchantId) => loadMerchant(db, merchantId),
    async categoryLabels(merchantId) {
      const { rows } = await db.query<{ id: string; name: string; parent_category_id: string | null }>(
        { name: 'catcast_category_labels', text: CATEGORY_LABELS_SQL },
        [merchantId],
      );
      return new Map(rows.map((r) => [r.id, { name: r.name, parentCategoryId: r.parent_category_id }]));
    },
    latestSet: (merchantId, bucketType) => latest.load({ merchantId, bucketType }),
    setRows: (set, filter) => readSetRows(db, set, filter),
    setPaths: (set, filter) => readSetPaths(db, set, filter),
    history: (merchant, bucketType, lookback, now, categoryId) =>
      loadMerchantSeries(db, merchant, bucketType, lookback, now, categoryId),
    async progress(merchant, bucketType, point) {
      const read = () => readPeriodReferences(db, merchant.id, point);
      const [soFar, references] = await Promise.all([
        readPeriodSoFar(db, merchant.id, bucketType, point.bucketStart),
        options.references ? options.references.get(merchant.id, bucketType, point, read) : read(),
      ]);
      return periodProgress(soFar, references, point.dayFraction);
    },
  };
}
