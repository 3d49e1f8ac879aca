/**
 * Nowcasts: the total of a period still in progress, from what it has sold so far and the forecast
 * made for it before it began. The part still to come is the forecast's share of the period not yet
 * elapsed, so the figure moves from the forecast (nothing sold yet) to the sales themselves (period
 * over) and carries what is already known, not a guess of it. Measured against the unchanged forecast
 * and the "on pace" extrapolation in bench/forecast (section "Nowcasts of the period in progress").
 */

/**
 * How many of the most recent periods the share of a period in progress is pooled over (beside the
 * same period a year earlier): two months of weeks, a year of months, three years. DAY has none: the
 * aggregates hold no part of a day.
 */
export const NOWCAST_RECENT_PERIODS = { WEEK: 8, MONTH: 12, YEAR: 3 } as const;

/** Bucket types with a nowcast. */
export type NowcastBucketType = keyof typeof NOWCAST_RECENT_PERIODS;

/** A point and its 80% / 95% interval, in any unit (minor units of money in catcast). */
export interface IntervalForecast {
  readonly point: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
}

/** What earlier periods had sold by the same elapsed point, and in all. */
export interface ElapsedSums {
  /** Sales of the reference periods up to the same point of each. */
  readonly elapsed: number;
  /** Whole totals of the same reference periods. */
  readonly total: number;
}

/**
 * The share of a period sold by the elapsed point, from two kinds of reference periods: the most
 * recent ones (pooled: their elapsed sales over their totals) and the same period a year earlier.
 * Each counts half; one that sold nothing is left out; null when neither sold anything. Clamped to
 * [0, 1].
 *
 * Measured on the daily benchmark series (bench/forecast, "Nowcasts of the period in progress"):
 * the recent periods alone mislead where a yearly event shapes the period, last year's alone where
 * the weekday pattern drifts; their mean was best or level with the best on every family. Aligning
 * last year's reference on a moving holiday (last year's Thanksgiving week) and using it alone in
 * holiday periods was measured too and not kept: it won in holiday weeks what it lost elsewhere.
 */
export function elapsedShare(recent: ElapsedSums, lastYear: ElapsedSums): number | null {
  const shares = [recent, lastYear]
    .filter((s) => s.total > 0 && Number.isFinite(s.total) && Number.isFinite(s.elapsed))
    .map((s) => Math.min(1, Math.max(0, s.elapsed / s.total)));
  if (shares.length === 0) return null;
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

/**
 * How far the share varies from one reference period to the next: the sample standard deviation of
 * the recent periods' own shares (those that sold anything); 0 with fewer than two.
 */
export function shareSpread(shares: readonly number[]): number {
  const xs = shares.filter((x) => Number.isFinite(x));
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

/**
 * Weight of the share's spread in the interval. Measured on the daily benchmark series: without it
 * the 80% range of a month's last days held 56–75% of outcomes; with the full spread every week
 * over-covered (85–91%); half of it held 78–86% through weeks and months alike.
 */
const SPREAD_WEIGHT = 0.5;
const Z80 = 1.2816;
const Z95 = 1.96;

/**
 * The nowcast of a period in progress: `soFar` plus the forecast's share of the period still to
 * come, (1 − share) × point. Its interval keeps the forecast's asymmetry around the point, narrowed
 * by √(1 − share) (the unknown part shrinks like the variance of a sum of the remaining days), then
 * widened for the share itself being uncertain: `spread` ({@link shareSpread}) × the forecast,
 * weighted and scaled to each level, added in quadrature. It never reaches below what has been
 * sold. share 0 gives the forecast (at least soFar, with spread 0); share 1 gives soFar exactly.
 */
export function nowcast(
  soFar: number,
  share: number,
  forecast: IntervalForecast,
  spread = 0,
): IntervalForecast {
  if (!Number.isFinite(soFar) || soFar < 0)
    throw new RangeError(`soFar must be a finite amount ≥ 0, got ${soFar}`);
  if (!(share >= 0 && share <= 1)) throw new RangeError(`share must be within [0, 1], got ${share}`);
  if (!(spread >= 0)) throw new RangeError(`spread must be ≥ 0, got ${spread}`);
  const rest = 1 - share;
  const point = soFar + rest * forecast.point;
  // Nothing left to come: the total is what was sold, whatever the references did.
  if (rest === 0) return { point, lo80: point, hi80: point, lo95: point, hi95: point };
  const g = Math.sqrt(rest);
  const widen = (half: number, z: number) =>
    Math.hypot(Math.max(half, 0), SPREAD_WEIGHT * z * spread * forecast.point);
  const lo = (x: number, z: number) =>
    Math.max(soFar, Math.min(point, point - widen((forecast.point - x) * g, z)));
  const hi = (x: number, z: number) => Math.max(point, point + widen((x - forecast.point) * g, z));
  return {
    point,
    lo80: lo(forecast.lo80, Z80),
    hi80: hi(forecast.hi80, Z80),
    lo95: lo(forecast.lo95, Z95),
    hi95: hi(forecast.hi95, Z95),
  };
}
