import type { BucketType } from '../buckets/index.js';
import type { Queryable } from '../db/index.js';
import {
  latestSet,
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

/** The forecast store over Postgres (the read replica when there is one): forecast-job's tables and the catalog. */
export function createPgForecastStore(db: Queryable): ForecastStore {
  return {
    merchant: (merchantId) => loadMerchant(db, merchantId),
    async categoryLabels(merchantId) {
      const { rows } = await db.query<{ id: string; name: string; parent_category_id: string | null }>(
        { name: 'catcast_category_labels', text: CATEGORY_LABELS_SQL },
        [merchantId],
      );
      return new Map(rows.map((r) => [r.id, { name: r.name, parentCategoryId: r.parent_category_id }]));
    },
    latestSet: (merchantId, bucketType) => latestSet(db, merchantId, bucketType),
    setRows: (set, filter) => readSetRows(db, set, filter),
    setPaths: (set, filter) => readSetPaths(db, set, filter),
    history: (merchant, bucketType, lookback, now, categoryId) =>
      loadMerchantSeries(db, merchant, bucketType, lookback, now, categoryId),
  };
}
