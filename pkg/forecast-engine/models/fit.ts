import type { BaseModelName, JsonValue } from '../types.js';

/**
 * A fitted model on one series: parameters estimated on y[0..fitEnd), and the one-step-ahead
 * predictions obtained by rolling the model's state forward through the whole series with those
 * parameters fixed. pred[t] forecasts y[t] from y[0..t); pred[n] is the forecast of the next bucket.
 */
export interface Fit {
  /** The model that produced pred (differs from the requested one after a fallback). */
  readonly model: BaseModelName;
  readonly params: { [key: string]: JsonValue };
  /** Length n + 1; NaN where the model cannot forecast yet (warm-up). */
  readonly pred: Float64Array;
  /** Set when this fit is a fallback or a reduced form of the requested model. */
  readonly fallbackReason: string | null;
  /** AICc on the fitting window, for the exponential-smoothing forms. */
  readonly aicc?: number;
  /**
   * Predictions to measure interval residuals with, where pred on the fitting window is a fitted
   * value rather than a forecast (linear_regression: the leave-one-out prediction of each bucket of
   * [0, fitEnd), pred from fitEnd on). Absent: pred.
   */
  readonly residualPred?: Float64Array;
}

/** What every fitter receives. */
export interface FitInput {
  /** The whole series. */
  readonly y: Float64Array;
  /** Season length (1 = none). */
  readonly m: number;
  /** Parameters may use y[0..fitEnd) only. */
  readonly fitEnd: number;
  /**
   * WEEK series with dates: per bucket, the share of its dates one calendar year earlier that fall
   * into bucket t - m - 1 (the rest into t - m). Absent: a season is exactly m buckets.
   */
  readonly yearBack?: Float64Array | undefined;
  /**
   * WEEK series with dates: the position of each bucket [0, n] in the calendar year (the week of
   * the year its middle day falls in, 0..51; the last position holds the 53rd week of a 53-week
   * year), used by the seasonal models instead of t % m. Absent: t % m.
   */
  readonly seasonIndex?: Int32Array | undefined;
}

/** Position of bucket t in the season: seasonIndex[t] when given, else t % m. */
export function slot(seasonIndex: Int32Array | undefined, m: number, t: number): number {
  return seasonIndex ? (seasonIndex[t] as number) : t % m;
}

/** Marks a fit as a fallback for the given reason, keeping the first reason of a chain. */
export function fallback(fit: Fit, reason: string): Fit {
  return { ...fit, fallbackReason: fit.fallbackReason ? `${reason}; ${fit.fallbackReason}` : reason };
}

/** Rounds a fitted parameter for reporting (the predictions use the unrounded value). */
export function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : 0;
}
