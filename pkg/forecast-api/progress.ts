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
  shareSpread,
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

/** One reference range as read: a range that is both a recent period and last year's (YEAR) is read once. */
export interface ReferenceRange {
  readonly kind: PeriodReference['kind'] | 'both';
  readonly start: string;
  readonly end: string;
  readonly cut: string;
}

/** The distinct ranges of `point`'s references, in their order; a repeated range counts as 'both'. */
export function referenceRanges(point: PeriodPoint): ReferenceRange[] {
  const ranges: ReferenceRange[] = [];
  for (const r of point.references) {
    const i = ranges.findIndex((x) => x.start === r.start && x.end === r.end && x.cut === r.cut);
    if (i >= 0) ranges[i] = { ...ranges[i]!, kind: 'both' };
    else ranges.push({ kind: r.kind, start: r.start, end: r.end, cut: r.cut });
  }
  return ranges;
}

/** One category's DAY sales over one reference range, minor units. */
export interface ReferenceSums {
  /** The days before the cut day. */
  readonly before: number;
  /** The cut day, which counts by the part of today elapsed. */
  readonly cutDay: number;
  /** The whole range. */
  readonly total: number;
}

/**
 * What the reference periods of a point sold, per category: the sums of each range of `ranges`
 * (undefined where the category sold nothing in it). It does not depend on the time of day, only on
 * the local date, and the reference periods are closed: it changes only when an order lands late in
 * one of them (or a repair rewrites one), so forecast-api keeps it (reference-cache.ts).
 */
export interface PeriodReferenceSums {
  readonly ranges: readonly ReferenceRange[];
  readonly categories: ReadonlyMap<string, ReadonlyArray<ReferenceSums | undefined>>;
}

/**
 * Per reference range and category, the DAY aggregates before the cut day, on it, and in all,
 * read through category_sales_agg_bucket_idx (merchant, bucket type, bucket start).
 *
 * $1 merchant, $2..$4 the ranges' starts, ends and cut days.
 */
export const PERIOD_REFERENCES_SQL = `
WITH refs AS (
  SELECT * FROM unnest($2::date[], $3::date[], $4::date[]) WITH ORDINALITY AS r(start_date, end_date, cut, ref)
)
SELECT r.ref::int AS ref, a.category_id,
       coalesce(sum(a.total_sales_minor) FILTER (WHERE a.bucket_start < r.cut), 0)::float8 AS before,
       coalesce(sum(a.total_sales_minor) FILTER (WHERE a.bucket_start = r.cut), 0)::float8 AS cut_day,
       sum(a.total_sales_minor)::float8 AS total
  FROM refs r
  JOIN forecasting.category_sales_agg a
    ON a.merchant_id = $1 AND a.bucket_type = 'DAY'
   AND a.bucket_start >= r.start_date AND a.bucket_start < r.end_date
 GROUP BY r.ref, a.category_id`;

/** Reads {@link PERIOD_REFERENCES_SQL} for the ranges of `point`. */
export async function readPeriodReferences(
  db: Queryable,
  merchantId: string,
  point: PeriodPoint,
): Promise<PeriodReferenceSums> {
  const ranges = referenceRanges(point);
  const { rows } = await db.query<{
    ref: number;
    category_id: string;
    before: number;
    cut_day: number;
    total: number;
  }>({ name: 'catcast_period_references', text: PERIOD_REFERENCES_SQL }, [
    merchantId,
    ranges.map((r) => r.start),
    ranges.map((r) => r.end),
    ranges.map((r) => r.cut),
  ]);
  const categories = new Map<string, (ReferenceSums | undefined)[]>();
  for (const r of rows) {
    let sums = categories.get(r.category_id);
    if (!sums) categories.set(r.category_id, (sums = new Array<ReferenceSums | undefined>(ranges.length)));
    sums[r.ref - 1] = { before: Number(r.before), cutDay: Number(r.cut_day), total: Number(r.total) };
  }
  return { ranges, categories };
}

/** What the period in progress sold so far, per category, with the merchant's aggregation watermark. */
export interface PeriodSoFar {
  /** When the newest order applied to the aggregates was accepted (null: nothing applied yet). */
  readonly asOf: Date | null;
  readonly categories: ReadonlyMap<string, bigint>;
}

/**
 * The bucket's aggregate per category and the merchant's watermark, from one snapshot: one row at
 * least (category null), so the watermark comes back when nothing has sold. $1 merchant, $2 bucket
 * type, $3 bucket start.
 */
export const PERIOD_SO_FAR_SQL = `
SELECT c.category_id, c.total_sales_minor AS so_far, w.as_of
  FROM (SELECT (SELECT last_event_created_at FROM forecasting.aggregation_watermarks WHERE merchant_id = $1) AS as_of) w
  LEFT JOIN forecasting.category_sales_agg c
    ON c.merchant_id = $1 AND c.bucket_type = $2 AND c.bucket_start = $3::date`;

/** Reads {@link PERIOD_SO_FAR_SQL}. */
export async function readPeriodSoFar(
  db: Queryable,
  merchantId: string,
  bucketType: NowcastBucketType,
  bucketStart: string,
): Promise<PeriodSoFar> {
  const { rows } = await db.query<{ category_id: string | null; so_far: string | null; as_of: Date | null }>(
    { name: 'catcast_period_so_far', text: PERIOD_SO_FAR_SQL },
    [merchantId, bucketType, bucketStart],
  );
  const categories = new Map<string, bigint>();
  for (const r of rows) if (r.category_id !== null) categories.set(r.category_id, BigInt(r.so_far ?? 0));
  return { asOf: rows[0]?.as_of ?? null, categories };
}

const NONE: ElapsedSums = { elapsed: 0, total: 0 };

/**
 * The progress of the period at `dayFraction` of its current day: per category, its sales so far,
 * and over the reference ranges the sales up to the same point of each (the days before the cut and
 * that part of the cut day) and in all, pooled per kind (a 'both' range counts in each), with the
 * sample standard deviation of the recent ranges' own shares (those that sold anything).
 */
export function periodProgress(
  soFar: PeriodSoFar,
  references: PeriodReferenceSums,
  dayFraction: number,
): PeriodProgress {
  const { ranges } = references;
  const categories = new Map<string, CategoryProgress>();
  const ids = new Set([...soFar.categories.keys(), ...references.categories.keys()]);
  for (const id of ids) {
    const sums = references.categories.get(id);
    let recent = NONE;
    let lastYear = NONE;
    const shares: number[] = [];
    if (sums)
      ranges.forEach((range, i) => {
        const s = sums[i];
        if (!s) return;
        const elapsed = s.before + dayFraction * s.cutDay;
        if (range.kind !== 'lastYear') {
          recent = { elapsed: recent.elapsed + elapsed, total: recent.total + s.total };
          if (s.total > 0) shares.push(elapsed / s.total);
        }
        if (range.kind !== 'recent')
          lastYear = { elapsed: lastYear.elapsed + elapsed, total: lastYear.total + s.total };
      });
    categories.set(id, {
      soFarMinor: soFar.categories.get(id) ?? 0n,
      recent,
      lastYear,
      recentSpread: shareSpread(shares),
    });
  }
  return { asOf: soFar.asOf, categories };
}
