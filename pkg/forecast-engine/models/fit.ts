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
  if (!Number.isFinite(x)) return 0;
  const v = sixDigits(x);
  return Number.isNaN(v) ? Number(x.toPrecision(6)) : v;
}

/** 10^0 .. 10^22, every one exactly a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Number(x.toPrecision(6)) without the strings where that is decided exactly, else NaN (the caller
 * then takes the strings; they were a twentieth of scoring `auto`). toPrecision(6) is the decimal
 * n x 10^(e-5) nearest to x, 10^5 <= n < 10^6 (ties to the larger), and Number() the double nearest
 * to that decimal. Here p = |x| 10^(5-e) is one correctly rounded operation on exact operands, so
 * within 2^-53 p of the exact scaled value: n is round(p) unless p lies within 2^-50 p of a half
 * (a possible tie, or a rounding that could go either way) or of the range's ends, which go to the
 * strings. The result n x 10^(e-5) is again one correctly rounded operation on exact operands
 * (n < 2^53, powers of ten up to 10^22), which is what Number() gives for the decimal. fit.test.ts
 * compares the two on millions of values, ties and their neighbours included.
 */
function sixDigits(x: number): number {
  if (x === 0) return 0;
  const a = x < 0 ? -x : x;
  let e = Math.floor(Math.log10(a));
  for (let tries = 0; tries < 3; tries++) {
    const k = 5 - e;
    let p: number;
    if (k >= 0 && k <= 22) p = a * (POW10[k] as number);
    else if (k < 0 && k >= -22) p = a / (POW10[-k] as number);
    else return NaN;
    const slack = p * 8.881784197001252e-16; // 2^-50 p
    if (Math.abs(p - 1e5) <= slack || Math.abs(p - 1e6) <= slack) return NaN;
    if (p < 1e5) {
      e--;
      continue;
    }
    if (p >= 1e6) {
      e++;
      continue;
    }
    const fl = Math.floor(p);
    const f = p - fl;
    if (Math.abs(f - 0.5) <= slack) return NaN;
    const n = f > 0.5 ? fl + 1 : fl;
    const j = e - 5;
    const v =
      j >= 0 ? (j <= 22 ? n * (POW10[j] as number) : NaN) : j >= -22 ? n / (POW10[-j] as number) : NaN;
    return x < 0 ? -v : v;
  }
  return NaN;
}
