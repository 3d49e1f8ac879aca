import type { BucketType, WeekStart } from '../buckets/index.js';
import { batchStatement, type Queryable } from '../db/index.js';

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
  /**
   * When not pending: acceptance time of the oldest order not yet in the aggregates (null when there
   * is none), so `pending` stays false until this time plus `staleAfterSeconds` unless it changes.
   * Null while pending.
   */
  readonly pendingSince: Date | null;
}

// "pending": an order placed after the newest applied one and accepted longer than the threshold
// ago means the pipeline is behind. The range scan on (merchant_id, placed_at) keeps it cheap; a
// quiet merchant with nothing to apply is therefore not stale. When nothing is pending,
// "pending_since" is the acceptance time of the oldest order not yet applied (null: none), which
// says how long "not stale" stays true by the clock alone; it is not looked for while pending (an
// outage's backlog would be scanned whole).
const MERCHANT_COLUMNS = `
SELECT m.id, m.name, m.timezone, m.week_start, m.currency,
       w.last_event_created_at, w.last_applied_at, coalesce(w.events_applied, 0) AS events_applied,
       p.pending,
       CASE WHEN NOT p.pending THEN
         (SELECT min(o.created_at) FROM ingestion.orders o
           WHERE o.merchant_id = m.id
             AND o.placed_at > coalesce(w.last_event_placed_at, '-infinity'::timestamptz)) END AS pending_since
  FROM ingestion.merchants m
  LEFT JOIN forecasting.aggregation_watermarks w ON w.merchant_id = m.id
 CROSS JOIN LATERAL (
       SELECT EXISTS (SELECT 1 FROM ingestion.orders o
                       WHERE o.merchant_id = m.id
                         AND o.placed_at > coalesce(w.last_event_placed_at, '-infinity'::timestamptz)
                         AND o.created_at < $2::timestamptz - make_interval(secs => $3::double precision)) AS pending
       OFFSET 0) p
 WHERE m.id = $1`;
const MERCHANT = MERCHANT_COLUMNS;

/**
 * The merchant's columns on the first row of a combined statement only (null on the others, window
 * `first_row` giving the output order): the reader takes them from the first row, and repeating them
 * on every row made node-postgres parse both timestamps once per row — postgres-date was 6.6% of the
 * read API's CPU profile on /api/category-sales (72 rows for 12 weeks of 6 categories).
 */
const MERCHANT_ON_FIRST_ROW = [
  'id',
  'name',
  'timezone',
  'week_start',
  'currency',
  'last_event_created_at',
  'last_applied_at',
  'events_applied',
  'pending',
  'pending_since',
]
  .map((c) => `CASE WHEN row_number() OVER first_row = 1 THEN m.${c} END AS ${c}`)
  .join(',\n       ');

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
  pending_since: Date | null;
}

/** Loads one merchant with its freshness, or undefined when it does not exist. */
export async function loadMerchant(
  db: Queryable,
  merchantId: string,
  now: Date,
  staleAfterSeconds: number,
): Promise<MerchantView | undefined> {
  const { rows } = await db.query<MerchantRow>({ name: 'catcast_merchant', text: MERCHANT }, [
    merchantId,
    now.toISOString(),
    staleAfterSeconds,
  ]);
  const r = rows[0];
  return r ? merchantView(r) : undefined;
}

function merchantView(r: MerchantRow): MerchantView {
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
    pendingSince: r.pending_since,
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

/**
 * Lists merchants ordered by id (at most `limit`): all of them, or only those of `ids` (a token's
 * merchants, looked up by key so a merchant far down the id order is not cut off by the limit).
 */
export async function listMerchants(
  db: Queryable,
  limit: number,
  ids?: readonly string[],
): Promise<MerchantSummary[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    timezone: string;
    week_start: WeekStart;
    currency: string;
  }>(
    `SELECT id, name, timezone, week_start, currency FROM ingestion.merchants
      WHERE $2::text[] IS NULL OR id = ANY($2::text[]) ORDER BY id LIMIT $1`,
    [limit, ids ? [...ids] : null],
  );
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
  /** The category's total in the comparison period (0 when it sold nothing then). */
  readonly previousTotalMinor: bigint;
}

/** The ranked categories of a bucket plus the bucket's and the comparison period's totals. */
export interface TopCategories {
  readonly periodTotalMinor: bigint;
  /** The whole previous bucket, or its elapsed part when `comparison` was like-for-like. */
  readonly previousPeriodTotalMinor: bigint;
  /** The whole previous bucket. */
  readonly previousFullPeriodTotalMinor: bigint;
  readonly categoryCount: number;
  readonly rows: readonly TopCategoryRow[];
}

/**
 * The elapsed part of the previous bucket a bucket in progress is compared with: the previous
 * bucket's DAY aggregates before `cutoffDate`, plus the orders placed in [`partialFrom`, `partialTo`)
 * (the cut day up to the same local time).
 */
export interface ElapsedPart {
  readonly cutoffDate: string;
  readonly partialFrom: Date;
  readonly partialTo: Date;
}

// The merchant row with its freshness, inside a combined statement ($1 merchant, $6 now, $7 stale seconds).
const MERCHANT_CTE = MERCHANT_COLUMNS.replace('$2::timestamptz', '$6::timestamptz').replace(
  '$3::double precision',
  '$7::double precision',
);

// The read statements are named (node-postgres prepares each once per connection): planning these
// CTEs costs more than running them — measured on the bench data, pgbench's extended protocol
// (parse + plan every time) reached 1,123 tx/s where prepared statements reached 7,498.

/**
 * GET /api/top-categories in ONE statement (one round trip): the merchant and its freshness
 * ("pending"), the bucket's total and category count, the previous bucket's total, the top N in rank
 * order (category_sales_agg_topn_idx, index-only) with names and previous totals, and for a bucket
 * in progress the like-for-like previous totals. No merchant row = unknown merchant; a merchant with
 * an empty bucket yields one row with null category columns.
 *
 * $1 merchant, $2 bucket type, $3 bucket start, $4 limit, $5 previous bucket start, $6 now,
 * $7 stale-after seconds, $8 cut date of the elapsed part (null: compare whole buckets),
 * $9/$10 the orders' placed_at range of the cut day.
 */
export const TOP_CATEGORIES_SQL = `
WITH m AS MATERIALIZED (${MERCHANT_CTE}
), period AS (
  SELECT coalesce(sum(total_sales_minor), 0)::bigint AS total, count(*)::int AS categories
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $3::date
), previous AS (
  SELECT coalesce(sum(total_sales_minor), 0)::bigint AS total
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $5::date
), elapsed AS (
  SELECT category_id, sum(total)::bigint AS total
    FROM (SELECT category_id, total_sales_minor AS total
            FROM forecasting.category_sales_agg
           WHERE $8::date IS NOT NULL AND merchant_id = $1 AND bucket_type = 'DAY'
             AND bucket_start >= $5::date AND bucket_start < $8::date
          UNION ALL
          SELECT i.category_id, i.amount_minor
            FROM ingestion.orders o JOIN ingestion.order_items i ON i.order_id = o.id
           WHERE $8::date IS NOT NULL AND o.merchant_id = $1
             AND o.placed_at >= $9::timestamptz AND o.placed_at < $10::timestamptz) parts
   GROUP BY category_id
), top AS (
  SELECT category_id, total_sales_minor, order_count, item_count
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $3::date
   ORDER BY total_sales_minor DESC, category_id
   LIMIT $4
)
SELECT ${MERCHANT_ON_FIRST_ROW},
       period.total AS period_total, period.categories,
       CASE WHEN $8::date IS NULL THEN previous.total
            ELSE (SELECT coalesce(sum(total), 0)::bigint FROM elapsed) END AS previous_period_total,
       previous.total AS previous_full_total,
       t.category_id, t.total_sales_minor, t.order_count, t.item_count,
       c.name AS category_name, c.parent_category_id,
       coalesce(CASE WHEN $8::date IS NULL THEN p.total_sales_minor ELSE e.total END, 0)::bigint AS previous_total
  FROM m CROSS JOIN period CROSS JOIN previous
  LEFT JOIN top t ON true
  LEFT JOIN ingestion.categories c ON c.merchant_id = $1 AND c.id = t.category_id
  LEFT JOIN forecasting.category_sales_agg p
         ON p.merchant_id = $1 AND p.category_id = t.category_id AND p.bucket_type = $2 AND p.bucket_start = $5::date
  LEFT JOIN elapsed e ON e.category_id = t.category_id
WINDOW first_row AS (ORDER BY t.total_sales_minor DESC NULLS LAST, t.category_id)
 ORDER BY t.total_sales_minor DESC NULLS LAST, t.category_id`;

/** One /api/top-categories read (the parameters of {@link TOP_CATEGORIES_SQL}). */
export interface TopCategoriesQuery {
  readonly merchantId: string;
  readonly bucketType: BucketType;
  readonly bucketStart: string;
  readonly previousStart: string;
  readonly limit: number;
  readonly now: Date;
  readonly staleAfterSeconds: number;
  /** Set for a bucket in progress: compare with this elapsed part of the previous bucket. */
  readonly elapsed?: ElapsedPart | undefined;
}

/** What one top-categories read returns; undefined = unknown merchant. */
export type TopCategoriesRead = { merchant: MerchantView; top: TopCategories } | undefined;

type TopRow = MerchantRow & {
  period_total: bigint;
  categories: number;
  previous_period_total: bigint;
  previous_full_total: bigint;
  category_id: string | null;
  total_sales_minor: bigint;
  order_count: bigint;
  item_count: bigint;
  category_name: string | null;
  parent_category_id: string | null;
  previous_total: bigint;
};

/** $1..$10 of {@link TOP_CATEGORIES_SQL}, as named batch columns. */
const TOP_PARAMS = [
  { name: 'merchant_id', type: 'text' },
  { name: 'bucket_type', type: 'text' },
  { name: 'bucket_start', type: 'date' },
  { name: 'row_limit', type: 'int' },
  { name: 'previous_start', type: 'date' },
  { name: 'at', type: 'timestamptz' },
  { name: 'stale_after', type: 'float8' },
  { name: 'cutoff', type: 'date' },
  { name: 'partial_from', type: 'timestamptz' },
  { name: 'partial_to', type: 'timestamptz' },
] as const;

/**
 * {@link TOP_CATEGORIES_SQL} for several reads in one statement (see batchStatement): the same
 * text per request, so every answer is the one the single statement would give, from one snapshot.
 */
export const TOP_CATEGORIES_BATCH_SQL = batchStatement(
  TOP_CATEGORIES_SQL,
  TOP_PARAMS,
  'r.total_sales_minor DESC NULLS LAST, r.category_id',
);

function topParams(q: TopCategoriesQuery): unknown[] {
  return [
    q.merchantId,
    q.bucketType,
    q.bucketStart,
    q.limit,
    q.previousStart,
    q.now.toISOString(),
    q.staleAfterSeconds,
    q.elapsed?.cutoffDate ?? null,
    q.elapsed?.partialFrom.toISOString() ?? null,
    q.elapsed?.partialTo.toISOString() ?? null,
  ];
}

function topFromRows(rows: readonly TopRow[]): TopCategoriesRead {
  const first = rows[0];
  if (!first) return undefined;
  return {
    merchant: merchantView(first),
    top: {
      periodTotalMinor: first.period_total,
      previousPeriodTotalMinor: first.previous_period_total,
      previousFullPeriodTotalMinor: first.previous_full_total,
      categoryCount: first.categories,
      rows: rows
        .filter((r) => r.category_id !== null)
        .map((r) => ({
          categoryId: r.category_id!,
          name: r.category_name,
          parentCategoryId: r.parent_category_id,
          totalMinor: r.total_sales_minor,
          orderCount: r.order_count,
          itemCount: r.item_count,
          previousTotalMinor: r.previous_total,
        })),
    },
  };
}

/** Reads the merchant and the top `limit` categories of one bucket in one statement; undefined = unknown merchant. */
export async function readTopCategories(db: Queryable, q: TopCategoriesQuery): Promise<TopCategoriesRead> {
  const { rows } = await db.query<TopRow>(
    { name: 'catcast_top_categories', text: TOP_CATEGORIES_SQL },
    topParams(q),
  );
  return topFromRows(rows);
}

/** {@link readTopCategories} of several reads in one statement; the answers in the order of `qs`. */
export async function readTopCategoriesBatch(
  db: Queryable,
  qs: readonly TopCategoriesQuery[],
): Promise<TopCategoriesRead[]> {
  const { rows } = await db.query<TopRow & { i: bigint }>(
    { name: 'catcast_top_categories_batch', text: TOP_CATEGORIES_BATCH_SQL },
    columnsOf(qs.map(topParams), TOP_PARAMS.length),
  );
  return splitByRequest(rows, qs.length).map(topFromRows);
}

/** One array per parameter position: the batch statement's $1..$n. */
function columnsOf(params: readonly unknown[][], count: number): unknown[][] {
  const columns: unknown[][] = [];
  for (let k = 0; k < count; k++) columns.push(params.map((p) => p[k]));
  return columns;
}

/** The rows of a batch statement grouped by their request (`i`, 1-based). */
function splitByRequest<T extends { i: bigint }>(rows: readonly T[], count: number): T[][] {
  const groups: T[][] = Array.from({ length: count }, () => []);
  for (const r of rows) groups[Number(r.i) - 1]!.push(r);
  return groups;
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

/**
 * GET /api/category-sales in ONE statement: the merchant with its freshness, and the stored rows of a
 * bucket type between two bucket starts (inclusive) with category names (category_sales_agg_bucket_idx).
 * No row = unknown merchant; a merchant without rows yields one row with null series columns.
 *
 * $1 merchant, $2 bucket type, $3 from, $4 to, $5 now, $6 stale-after seconds; in
 * {@link CATEGORY_SALES_ONE_SQL} also $7 the one category.
 *
 * Two statements rather than one with `($n IS NULL OR category_id = $n)`: once PostgreSQL switches a
 * prepared statement to its generic plan, that OR made it estimate one row and join the categories
 * row by row — EXPLAIN of a 24-month DAY series (468 rows): 1,420 buffers and 1.5 ms, against 24
 * buffers and 0.9 ms without it (a hash of the merchant's categories).
 */
const seriesSql = (oneCategory: boolean) => `
WITH m AS MATERIALIZED (${MERCHANT_COLUMNS.replace('$2::timestamptz', '$5::timestamptz').replace(
  '$3::double precision',
  '$6::double precision',
)}
), s AS (
  SELECT a.category_id, c.name AS category_name, c.parent_category_id, a.bucket_start,
         a.total_sales_minor, a.order_count, a.item_count
    FROM forecasting.category_sales_agg a
    LEFT JOIN ingestion.categories c ON c.merchant_id = a.merchant_id AND c.id = a.category_id
   WHERE a.merchant_id = $1 AND a.bucket_type = $2 AND a.bucket_start BETWEEN $3::date AND $4::date${
     oneCategory ? '\n     AND a.category_id = $7::text' : ''
   }
)
SELECT ${MERCHANT_ON_FIRST_ROW}, s.*
  FROM m LEFT JOIN s ON true
WINDOW first_row AS (ORDER BY s.category_id, s.bucket_start)
 ORDER BY s.category_id, s.bucket_start`;
export const CATEGORY_SALES_SQL = seriesSql(false);
/** {@link CATEGORY_SALES_SQL} for one category ($7). */
export const CATEGORY_SALES_ONE_SQL = seriesSql(true);

/** One /api/category-sales read (the parameters of {@link CATEGORY_SALES_SQL}). */
export interface SeriesQuery {
  readonly merchantId: string;
  readonly bucketType: BucketType;
  readonly from: string;
  readonly to: string;
  readonly categoryId?: string | undefined;
  readonly now: Date;
  readonly staleAfterSeconds: number;
}

/** What one series read returns; undefined = unknown merchant. */
export type SeriesRead = { merchant: MerchantView; rows: SeriesRow[] } | undefined;

type SeriesDbRow = MerchantRow & {
  category_id: string | null;
  category_name: string | null;
  parent_category_id: string | null;
  bucket_start: string;
  total_sales_minor: bigint;
  order_count: bigint;
  item_count: bigint;
};

/** $1..$6 of {@link CATEGORY_SALES_SQL}, as named batch columns. */
const SERIES_PARAMS = [
  { name: 'merchant_id', type: 'text' },
  { name: 'bucket_type', type: 'text' },
  { name: 'from_start', type: 'date' },
  { name: 'to_start', type: 'date' },
  { name: 'at', type: 'timestamptz' },
  { name: 'stale_after', type: 'float8' },
] as const;

/** {@link CATEGORY_SALES_SQL} (all categories) for several reads in one statement. */
export const CATEGORY_SALES_BATCH_SQL = batchStatement(
  CATEGORY_SALES_SQL,
  SERIES_PARAMS,
  'r.category_id, r.bucket_start',
);

function seriesParams(q: SeriesQuery): unknown[] {
  return [
    q.merchantId,
    q.bucketType,
    q.from,
    q.to,
    q.now.toISOString(),
    q.staleAfterSeconds,
    ...(q.categoryId === undefined ? [] : [q.categoryId]),
  ];
}

function seriesFromRows(rows: readonly SeriesDbRow[]): SeriesRead {
  const first = rows[0];
  if (!first) return undefined;
  return {
    merchant: merchantView(first),
    rows: rows
      .filter((r) => r.category_id !== null)
      .map((r) => ({
        categoryId: r.category_id!,
        name: r.category_name,
        parentCategoryId: r.parent_category_id,
        bucketStart: r.bucket_start,
        totalMinor: r.total_sales_minor,
        orderCount: r.order_count,
        itemCount: r.item_count,
      })),
  };
}

/** Reads the merchant and its series rows in one statement; undefined = unknown merchant. */
export async function readSeries(db: Queryable, q: SeriesQuery): Promise<SeriesRead> {
  const { rows } = await db.query<SeriesDbRow>(
    q.categoryId === undefined
      ? { name: 'catcast_category_sales', text: CATEGORY_SALES_SQL }
      : { name: 'catcast_category_sales_one', text: CATEGORY_SALES_ONE_SQL },
    seriesParams(q),
  );
  return seriesFromRows(rows);
}

/**
 * {@link readSeries} of several all-category reads in one statement; the answers in the order of
 * `qs`. A read of one category runs alone (readSeries).
 */
export async function readSeriesBatch(db: Queryable, qs: readonly SeriesQuery[]): Promise<SeriesRead[]> {
  if (qs.some((q) => q.categoryId !== undefined))
    throw new Error('readSeriesBatch: reads of one category run alone');
  const { rows } = await db.query<SeriesDbRow & { i: bigint }>(
    { name: 'catcast_category_sales_batch', text: CATEGORY_SALES_BATCH_SQL },
    columnsOf(qs.map(seriesParams), SERIES_PARAMS.length),
  );
  return splitByRequest(rows, qs.length).map(seriesFromRows);
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
