import { createHash } from 'node:crypto';
import {
  bucketSequence,
  bucketStart,
  parseDate,
  shiftBucket,
  formatDate,
  type BucketType,
  type Calendar,
  type WeekStart,
} from '../buckets/index.js';
import type { Queryable } from '../db/index.js';

/** A merchant as the forecasting side needs it. */
export interface ForecastMerchant extends Calendar {
  readonly id: string;
  readonly currency: string;
}

/** One category's history, oldest first, zero-filled from its first sale to the last complete bucket. */
export interface CategorySeries {
  readonly categoryId: string;
  /** Bucket start of values[0]. */
  readonly firstBucketStart: string;
  readonly values: number[];
}

/** The histories of every category of a merchant for one bucket type, and what they forecast. */
export interface MerchantSeries {
  readonly merchant: ForecastMerchant;
  readonly bucketType: BucketType;
  /** The first bucket that is not complete yet: what the forecast is for. */
  readonly targetBucketStart: string;
  readonly lastBucketStart: string;
  readonly lookback: number;
  readonly series: CategorySeries[];
}

/** Default history length (buckets) per bucket type. */
export const DEFAULT_LOOKBACK: Record<BucketType, number> = { DAY: 365, WEEK: 156, MONTH: 48, YEAR: 10 };

/** Stable shard of a merchant: FNV-1a 32-bit of its id modulo the shard count. */
export function shardOf(merchantId: string, shardCount: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < merchantId.length; i++) {
    h ^= merchantId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shardCount;
}

/** $1 merchant id. Exported so the read benchmark's pgbench reference runs the same statement. */
export const FORECAST_MERCHANT_SQL =
  'SELECT id, timezone, week_start, currency FROM ingestion.merchants WHERE id = $1';

/** Loads a merchant by id, or undefined (a named statement: prepared once per connection). */
export async function loadMerchant(db: Queryable, merchantId: string): Promise<ForecastMerchant | undefined> {
  const { rows } = await db.query<{ id: string; timezone: string; week_start: WeekStart; currency: string }>(
    { name: 'catcast_forecast_merchant', text: FORECAST_MERCHANT_SQL },
    [merchantId],
  );
  const r = rows[0];
  return r
    ? { id: r.id, timezone: r.timezone, weekStart: r.week_start, currency: r.currency.trim() }
    : undefined;
}

/** Lists the merchants of one shard. */
export async function listShardMerchants(
  db: Queryable,
  shardIndex: number,
  shardCount: number,
): Promise<ForecastMerchant[]> {
  const { rows } = await db.query<{ id: string; timezone: string; week_start: WeekStart; currency: string }>(
    'SELECT id, timezone, week_start, currency FROM ingestion.merchants ORDER BY id',
  );
  return rows
    .filter((r) => shardOf(r.id, shardCount) === shardIndex)
    .map((r) => ({ id: r.id, timezone: r.timezone, weekStart: r.week_start, currency: r.currency.trim() }));
}

/** Reads the complete-bucket history of every category of `merchant` from the aggregates. */
export async function loadMerchantSeries(
  db: Queryable,
  merchant: ForecastMerchant,
  bucketType: BucketType,
  lookback: number,
  now: Date,
  categoryId?: string,
): Promise<MerchantSeries> {
  const target = parseDate(bucketStart(now, bucketType, merchant))!;
  const last = shiftBucket(target, bucketType, -1);
  const from = shiftBucket(target, bucketType, -lookback);
  const { rows } = await db.query<{ category_id: string; bucket_start: string; total: bigint }>(
    `SELECT category_id, bucket_start, total_sales_minor AS total
       FROM forecasting.category_sales_agg
      WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start >= $3 AND bucket_start < $4
        AND ($5::text IS NULL OR category_id = $5)
      ORDER BY category_id, bucket_start`,
    [merchant.id, bucketType, formatDate(from), formatDate(target), categoryId ?? null],
  );
  const buckets = bucketSequence(from, last, bucketType, merchant.weekStart);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const byCategory = new Map<string, Float64Array>();
  for (const r of rows) {
    let arr = byCategory.get(r.category_id);
    if (!arr) byCategory.set(r.category_id, (arr = new Float64Array(buckets.length)));
    const i = index.get(r.bucket_start);
    if (i !== undefined) arr[i] = Number(r.total);
  }
  const series: CategorySeries[] = [];
  for (const [categoryId, arr] of [...byCategory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const first = arr.findIndex((v) => v !== 0);
    if (first < 0) continue;
    series.push({ categoryId, firstBucketStart: buckets[first]!, values: Array.from(arr.subarray(first)) });
  }
  return {
    merchant,
    bucketType,
    targetBucketStart: formatDate(target),
    lastBucketStart: formatDate(last),
    lookback,
    series,
  };
}

/** Hash of a whole forecast set's input: unchanged when no series, model version or target changed. */
export function setInputHash(target: string, lookback: number, seriesHashes: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`${target}|${lookback}|`);
  for (const s of seriesHashes) h.update(`${s}\n`);
  return h.digest('hex');
}

/** Every category of a merchant and its parent (null: a root), for the coherent paths. */
export async function loadCategoryParents(
  db: Queryable,
  merchantId: string,
): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ id: string; parent_category_id: string | null }>(
    'SELECT id, parent_category_id FROM ingestion.categories WHERE merchant_id = $1',
    [merchantId],
  );
  return new Map(rows.map((r) => [r.id, r.parent_category_id]));
}
