/**
 * Backtest metric math: the MASE scale, conformal interval half-widths from past one-step residuals,
 * and error sums that add up across series (so an evaluation can pool them).
 */

/** Interval levels the engine reports. */
export const LEVELS = [0.8, 0.95] as const;

/**
 * MASE denominator: mean absolute seasonal difference (lag m) of y[0..end), or the lag-1 difference
 * when there is no full season; NaN when there are fewer than two values.
 */
export function maseScale(y: ArrayLike<number>, m: number, end: number): number {
  const lag = m > 1 && end > m ? m : 1;
  if (end <= lag) return NaN;
  let s = 0;
  for (let t = lag; t < end; t++) s += Math.abs((y[t] as number) - (y[t - lag] as number));
  return s / (end - lag);
}

/**
 * Split-conformal half-width at the given level: the ceil((r + 1) * level)-th smallest of r absolute
 * residuals (the largest when that rank exceeds r); 0 without residuals.
 */
export function conformalHalfWidth(sortedAbs: ArrayLike<number>, level: number): number {
  const r = sortedAbs.length;
  if (r === 0) return 0;
  const rank = Math.min(Math.ceil((r + 1) * level - 1e-9), r);
  return sortedAbs[rank - 1] as number;
}

/** Sorted absolute residuals y[t] - pred[t] for t in [from, to) where pred is defined. */
export function absResiduals(
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  from: number,
  to: number,
): Float64Array {
  const start = Math.max(from, 0);
  const out = new Float64Array(Math.max(to - start, 0));
  let r = 0;
  for (let t = start; t < to; t++) {
    const p = pred[t] as number;
    if (!Number.isNaN(p)) out[r++] = Math.abs((y[t] as number) - p);
  }
  return out.subarray(0, r).sort();
}

/** Error sums of one model over a set of origins; they add across series. */
export interface ErrorSums {
  count: number;
  absError: number;
  absActual: number;
  smape: number;
  hits80: number;
  hits95: number;
}

/** A zeroed {@link ErrorSums}. */
export function emptySums(): ErrorSums {
  return { count: 0, absError: 0, absActual: 0, smape: 0, hits80: 0, hits95: 0 };
}

/** Adds one origin's outcome to the sums. */
export function addOrigin(
  sums: ErrorSums,
  actual: number,
  point: number,
  half80: number,
  half95: number,
): void {
  const e = Math.abs(actual - point);
  sums.count++;
  sums.absError += e;
  sums.absActual += Math.abs(actual);
  const den = Math.abs(actual) + Math.abs(point);
  sums.smape += den === 0 ? 0 : (2 * e) / den;
  // Intervals are clamped at 0 like the issued forecast, so compare against the clamped bounds.
  if (actual >= Math.max(0, point - half80) && actual <= point + half80) sums.hits80++;
  if (actual >= Math.max(0, point - half95) && actual <= point + half95) sums.hits95++;
}

/** Divides, returning null for an undefined ratio. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** Median of the finite values; null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}
