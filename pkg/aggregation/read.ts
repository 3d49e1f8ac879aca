import type { BucketType, WeekStart } from '../buckets/index.js';
import type { Queryable } from '../db/index.js';

/** A merchant with its calendar and aggregation watermark, as the read API needs it. */
export interface MerchantView {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
  /** Creation time of the newest applied event (data "as of"), or null before the first one. */
  readonly lastEventCreatedAt: Date | null;
  /** When the aggregator last applied an event of this merchant. */
  readonly lastAppliedAt: Date | null;
  readonly eventsApplied: bigint;
  /** True when an order accepted more than `staleAfterSeconds` ago is not yet in the aggregates. */
  readonly pending: boolean;
}

// "pending": an order placed after the newest applied one and accepted longer than the threshold
// ago means the pipeline is behind. The range scan on (merchant_id, placed_at) keeps it cheap; a
// quiet merchant with nothing to apply is therefore not stale.
const MERCHANT = `
SELECT m.id, m.name, m.timezone, m.week_start, m.currency,
       w.last_event_created_at, w.last_applied_at, coalesce(w.events_applied, 0) AS events_applied,
       EXISTS (SELECT 1 FROM ingestion.orders o
                WHERE o.merchant_id = m.id
                  AND o.placed_at > coalesce(w.last_event_placed_at, '-infinity'::timestamptz)
                  AND o.created_at < $2::timestamptz - make_interval(secs => $3::double precision)) AS pending
  FROM ingestion.merchants m
  LEFT JOIN forecasting.aggregation_watermarks w ON w.merchant_id = m.id
 WHERE m.id = $1`;

interface MerchantRow {
  id: string;
  name: string;
  timezone: string;
  week_start: WeekStart;
  currency: string;
  last_event_created_at: Date | null;
  last_applied_at: Date | null;
  events_applied: bigint;
  pending: boolean;
}

/** Loads one merchant with its freshness, or undefined when it does not exist. */
export async function loadMerchant(
  db: Queryable,
  merchantId: string,
  now: Date,
  staleAfterSeconds: number,
): Promise<MerchantView | undefined> {
  const { rows } = await db.query<MerchantRow>(MERCHANT, [merchantId, now.toISOString(), staleAfterSeconds]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    weekStart: r.week_start,
    currency: r.currency.trim(),
    lastEventCreatedAt: r.last_event_created_at,
    lastAppliedAt: r.last_applied_at,
    eventsApplied: r.events_applied,
    pending: r.pending,
  };
}

/** A merchant in the picker list. */
export interface MerchantSummary {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
}

/** Lists merchants ordered by id (at most `limit`). */
export async function listMerchants(db: Queryable, limit: number): Promise<MerchantSummary[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    timezone: string;
    week_start: WeekStart;
    currency: string;
  }>(`SELECT id, name, timezone, week_start, currency FROM ingestion.merchants ORDER BY id LIMIT $1`, [
    limit,
  ]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    weekStart: r.week_start,
    currency: r.currency.trim(),
  }));
}

/** One ranked category of a bucket. */
export interface TopCategoryRow {
  readonly categoryId: string;
  readonly name: string | null;
  readonly parentCategoryId: string | null;
  readonly totalMinor: bigint;
  readonly orderCount: bigint;
  readonly itemCount: bigint;
  /** The category's total in the previous bucket (0 when it sold nothing then). */
  readonly previousTotalMinor: bigint;
}

/** The ranked categories of a bucket plus the bucket's and the previous bucket's totals. */
export interface TopCategories {
  readonly periodTotalMinor: bigint;
  readonly previousPeriodTotalMinor: bigint;
  readonly categoryCount: number;
  readonly rows: readonly TopCategoryRow[];
}

// The top-N CTE is served by category_sales_agg_topn_idx (merchant, type, start, total DESC)
// INCLUDE (category_id, ...): an index-only scan in rank order. The outer query always yields one
// row (period totals) even for an empty bucket.
const TOP = `
WITH period AS (
  SELECT coalesce(sum(total_sales_minor), 0)::bigint AS total, count(*)::int AS categories
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $3::date
), previous AS (
  SELECT coalesce(sum(total_sales_minor), 0)::bigint AS total
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $5::date
), top AS (
  SELECT category_id, total_sales_minor, order_count, item_count
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $3::date
   ORDER BY total_sales_minor DESC, category_id
   LIMIT $4
)
SELECT period.total AS period_total, period.categories, previous.total AS previous_period_total,
       t.category_id, t.total_sales_minor, t.order_count, t.item_count,
       c.name, c.parent_category_id, coalesce(p.total_sales_minor, 0) AS previous_total
  FROM period CROSS JOIN previous
  LEFT JOIN top t ON true
  LEFT JOIN ingestion.categories c ON c.merchant_id = $1 AND c.id = t.category_id
  LEFT JOIN forecasting.category_sales_agg p
         ON p.merchant_id = $1 AND p.category_id = t.category_id AND p.bucket_type = $2 AND p.bucket_start = $5::date
 ORDER BY t.total_sales_minor DESC NULLS LAST, t.category_id`;

/** Reads the top `limit` categories of one bucket, with previous-bucket totals. */
export async function readTopCategories(
  db: Queryable,
  q: {
    merchantId: string;
    bucketType: BucketType;
    bucketStart: string;
    previousStart: string;
    limit: number;
  },
): Promise<TopCategories> {
  const { rows } = await db.query<{
    period_total: bigint;
    categories: number;
    previous_period_total: bigint;
    category_id: string | null;
    total_sales_minor: bigint;
    order_count: bigint;
    item_count: bigint;
    name: string | null;
    parent_category_id: string | null;
    previous_total: bigint;
  }>(TOP, [q.merchantId, q.bucketType, q.bucketStart, q.limit, q.previousStart]);
  const first = rows[0];
  return {
    periodTotalMinor: first?.period_total ?? 0n,
    previousPeriodTotalMinor: first?.previous_period_total ?? 0n,
    categoryCount: first?.categories ?? 0,
    rows: rows
      .filter((r) => r.category_id !== null)
      .map((r) => ({
        categoryId: r.category_id!,
        name: r.name,
        parentCategoryId: r.parent_category_id,
        totalMinor: r.total_sales_minor,
        orderCount: r.order_count,
        itemCount: r.item_count,
        previousTotalMinor: r.previous_total,
      })),
  };
}

/** One stored aggregate row of a time series. */
export interface SeriesRow {
  readonly categoryId: string;
  readonly name: string | null;
  readonly parentCategoryId: string | null;
  readonly bucketStart: string;
  readonly totalMinor: bigint;
  readonly orderCount: bigint;
  readonly itemCount: bigint;
}

/** Reads stored aggregate rows of a merchant and bucket type between two bucket starts (inclusive). */
export async function readSeries(
  db: Queryable,
  q: {
    merchantId: string;
    bucketType: BucketType;
    from: string;
    to: string;
    categoryId?: string | undefined;
  },
): Promise<SeriesRow[]> {
  const { rows } = await db.query<{
    category_id: string;
    name: string | null;
    parent_category_id: string | null;
    bucket_start: string;
    total_sales_minor: bigint;
    order_count: bigint;
    item_count: bigint;
  }>(
    `SELECT a.category_id, c.name, c.parent_category_id, a.bucket_start, a.total_sales_minor, a.order_count, a.item_count
       FROM forecasting.category_sales_agg a
       LEFT JOIN ingestion.categories c ON c.merchant_id = a.merchant_id AND c.id = a.category_id
      WHERE a.merchant_id = $1 AND a.bucket_type = $2 AND a.bucket_start BETWEEN $3::date AND $4::date
        AND ($5::text IS NULL OR a.category_id = $5::text)
      ORDER BY a.category_id, a.bucket_start`,
    [q.merchantId, q.bucketType, q.from, q.to, q.categoryId ?? null],
  );
  return rows.map((r) => ({
    categoryId: r.category_id,
    name: r.name,
    parentCategoryId: r.parent_category_id,
    bucketStart: r.bucket_start,
    totalMinor: r.total_sales_minor,
    orderCount: r.order_count,
    itemCount: r.item_count,
  }));
}

/** Loads one category of a merchant, or undefined. */
export async function loadCategory(
  db: Queryable,
  merchantId: string,
  categoryId: string,
): Promise<{ name: string; parentCategoryId: string | null } | undefined> {
  const { rows } = await db.query<{ name: string; parent_category_id: string | null }>(
    `SELECT name, parent_category_id FROM ingestion.categories WHERE merchant_id = $1 AND id = $2`,
    [merchantId, categoryId],
  );
  const r = rows[0];
  return r ? { name: r.name, parentCategoryId: r.parent_category_id } : undefined;
}
