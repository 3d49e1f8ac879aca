import {
  bucketStartOfDate,
  daysBetween,
  formatDate,
  formatWall,
  localWallTime,
  shiftBucket,
  type CivilDate,
} from '../buckets/index.js';
import type { Queryable } from '../db/index.js';
import {
  NOWCAST_RECENT_PERIODS,
  type ElapsedSums,
  type NowcastBucketType,
} from '../forecast-engine/index.js';
import type { ForecastMerchant } from '../forecast-job/index.js';

/**
 * Where a period in progress stands: the bucket that holds `now` in the merchant's calendar, the
 * whole local days elapsed since its start and the part of today, and the reference periods whose
 * DAY aggregates say what share of a period is usually sold by that point (see
 * forecast-engine nowcast.ts): the NOWCAST_RECENT_PERIODS buckets before it and the same bucket a
 * year earlier (52 weeks, 12 months, one year).
 */
export interface PeriodPoint {
  readonly bucketStart: string;
  /** The next bucket's start: where the period ends. */
  readonly bucketEnd: string;
  /** Whole local days elapsed since the bucket began. */
  readonly days: number;
  /** The part of today elapsed (local minutes / 1440). */
  readonly dayFraction: number;
  /** Local wall time of `now`, YYYY-MM-DDTHH:MM. */
  readonly asOfLocal: string;
  readonly references: readonly PeriodReference[];
}

/** One reference period: its days [start, end), of which those before `cut` count whole and `cut` itself by the day fraction. */
export interface PeriodReference {
  readonly kind: 'recent' | 'lastYear';
  readonly start: string;
  readonly end: string;
  readonly cut: string;
}

const YEAR_BACK: Record<NowcastBucketType, [NowcastBucketType, number]> = {
  WEEK: ['WEEK', 52],
  MONTH: ['MONTH', 12],
  YEAR: ['YEAR', 1],
};

const day = (d: CivilDate, n: number) => shiftBucket(d, 'DAY', n);
const minDate = (a: CivilDate, b: CivilDate) => (daysBetween(a, b) < 0 ? b : a);

/** The point `now` is at in its bucket of `bucketType`, with its reference periods. */
export function periodPoint(
  now: Date,
  bucketType: NowcastBucketType,
  merchant: ForecastMerchant,
): PeriodPoint {
  const wall = localWallTime(now, merchant.timezone);
  const start = bucketStartOfDate(wall.date, bucketType, merchant.weekStart);
  const days = daysBetween(start, wall.date);
  const reference = (kind: PeriodReference['kind'], refStart: CivilDate): PeriodReference => {
    const end = shiftBucket(refStart, bucketType, 1);
    // A shorter reference (February for a 31st) counts whole: its cut is its end.
    return {
      kind,
      start: formatDate(refStart),
      end: formatDate(end),
      cut: formatDate(minDate(day(refStart, days), end)),
    };
  };
  const references = Array.from({ length: NOWCAST_RECENT_PERIODS[bucketType] }, (_, k) =>
    reference('recent', shiftBucket(start, bucketType, -(k + 1))),
  );
  const [type, back] = YEAR_BACK[bucketType];
  references.push(reference('lastYear', shiftBucket(start, type, -back)));
  return {
    bucketStart: formatDate(start),
    bucketEnd: formatDate(shiftBucket(start, bucketType, 1)),
    days,
    dayFraction: wall.minuteOfDay / 1440,
    asOfLocal: formatWall(wall.date, wall.minuteOfDay),
    references,
  };
}

/** What a period in progress has sold so far, per category, and what its references sold. */
export interface PeriodProgress {
  /** When the newest order applied to the aggregates was accepted (null: nothing applied yet). */
  readonly asOf: Date | null;
  readonly categories: ReadonlyMap<string, CategoryProgress>;
}

/** One category's sales so far (minor units) and its reference sums. */
export interface CategoryProgress {
  readonly soFarMinor: bigint;
  readonly recent: ElapsedSums;
  readonly lastYear: ElapsedSums;
  /** How much the recent periods' own shares vary (forecast-engine shareSpread). */
  readonly recentSpread: number;
}

/**
 * One statement: the bucket's aggregate per category (what it sold so far), and over the DAY
 * aggregates of every reference period the elapsed part and the whole, per category and kind, and
 * the spread of the recent periods' own shares; with the merchant's aggregation watermark, all
 * from one snapshot. The DAY ranges are read through category_sales_agg_bucket_idx (merchant, bucket
 * type, bucket start).
 *
 * $1 merchant, $2 bucket type, $3 bucket start, $4..$7 the references' kinds ('recent', 'lastYear' or
 * 'both'), starts, ends and cut days, $8 the part of the cut day that counts.
 */
export const PERIOD_PROGRESS_SQL = `
WITH refs AS (
  SELECT * FROM unnest($4::text[], $5::date[], $6::date[], $7::date[]) WITH ORDINALITY AS r(kind, start_date, end_date, cut, ref)
), days AS (
  SELECT r.ref, r.kind, a.category_id,
         sum(a.total_sales_minor)::float8 AS total,
         sum(CASE WHEN a.bucket_start < r.cut THEN a.total_sales_minor::float8
                  WHEN a.bucket_start = r.cut THEN a.total_sales_minor * $8::float8
                  ELSE 0 END) AS elapsed
    FROM refs r
    JOIN forecasting.category_sales_agg a
      ON a.merchant_id = $1 AND a.bucket_type = 'DAY'
     AND a.bucket_start >= r.start_date AND a.bucket_start < r.end_date
   GROUP BY r.ref, r.kind, a.category_id
), refsum AS (
  SELECT category_id,
         coalesce(sum(elapsed) FILTER (WHERE kind <> 'lastYear'), 0) AS recent_elapsed,
         coalesce(sum(total) FILTER (WHERE kind <> 'lastYear'), 0) AS recent_total,
         coalesce(sum(elapsed) FILTER (WHERE kind <> 'recent'), 0) AS last_year_elapsed,
         coalesce(sum(total) FILTER (WHERE kind <> 'recent'), 0) AS last_year_total,
         coalesce(stddev_samp(elapsed / total) FILTER (WHERE kind <> 'lastYear' AND total > 0), 0) AS recent_spread
    FROM days GROUP BY category_id
), current_period AS (
  SELECT category_id, total_sales_minor
    FROM forecasting.category_sales_agg
   WHERE merchant_id = $1 AND bucket_type = $2 AND bucket_start = $3::date
), watermark AS (
  SELECT (SELECT last_event_created_at FROM forecasting.aggregation_watermarks WHERE merchant_id = $1) AS as_of
)
-- One row at least (category null), so the watermark comes back when nothing has sold.
SELECT coalesce(c.category_id, s.category_id) AS category_id,
       coalesce(c.total_sales_minor, 0)::bigint AS so_far,
       coalesce(s.recent_elapsed, 0) AS recent_elapsed, coalesce(s.recent_total, 0) AS recent_total,
       coalesce(s.last_year_elapsed, 0) AS last_year_elapsed, coalesce(s.last_year_total, 0) AS last_year_total,
       coalesce(s.recent_spread, 0) AS recent_spread,
       w.as_of
  FROM watermark w
  LEFT JOIN (current_period c FULL JOIN refsum s ON s.category_id = c.category_id) ON true`;

interface ProgressRow {
  category_id: string | null;
  so_far: bigint;
  recent_elapsed: number;
  recent_total: number;
  last_year_elapsed: number;
  last_year_total: number;
  recent_spread: number;
  as_of: Date | null;
}

/** Reads {@link PERIOD_PROGRESS_SQL} for `point`. */
export async function readPeriodProgress(
  db: Queryable,
  merchantId: string,
  bucketType: NowcastBucketType,
  point: PeriodPoint,
): Promise<PeriodProgress> {
  // A range that is both (YEAR: last year is also the most recent year) is read once, as 'both'.
  const refs: { kind: string; start: string; end: string; cut: string }[] = [];
  for (const r of point.references) {
    const same = refs.find((x) => x.start === r.start && x.end === r.end && x.cut === r.cut);
    if (same) same.kind = 'both';
    else refs.push({ ...r });
  }
  const { rows } = await db.query<ProgressRow>(
    { name: 'catcast_period_progress', text: PERIOD_PROGRESS_SQL },
    [
      merchantId,
      bucketType,
      point.bucketStart,
      refs.map((r) => r.kind),
      refs.map((r) => r.start),
      refs.map((r) => r.end),
      refs.map((r) => r.cut),
      point.dayFraction,
    ],
  );
  const categories = new Map<string, CategoryProgress>();
  for (const r of rows)
    if (r.category_id !== null)
      categories.set(r.category_id, {
        soFarMinor: BigInt(r.so_far),
        recent: { elapsed: Number(r.recent_elapsed), total: Number(r.recent_total) },
        lastYear: { elapsed: Number(r.last_year_elapsed), total: Number(r.last_year_total) },
        recentSpread: Number(r.recent_spread),
      });
  return { asOf: rows[0]?.as_of ?? null, categories };
}
