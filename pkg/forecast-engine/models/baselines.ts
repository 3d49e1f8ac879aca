import { fallback, type Fit, type FitInput } from './fit.js';
import { f64, scratchF64 } from '../scratch.js';

/** Last value: pred[t] = y[t-1]. */
export function fitNaive({ y }: FitInput): Fit {
  const n = y.length;
  const pred = f64(n + 1).fill(NaN);
  for (let t = 1; t <= n; t++) pred[t] = y[t - 1] as number;
  return { model: 'naive', params: {}, pred, fallbackReason: null };
}

/**
 * Same bucket one season ago; naive when the bucket type has no season or the series is shorter than
 * one season. It has no parameters, so it forecasts every bucket from the first one after a full
 * season whatever the fitting window (nothing from a bucket's future is used).
 */
export function fitSeasonalNaive(input: FitInput): Fit {
  const { y, m } = input;
  const n = y.length;
  if (m <= 1) return fallback(fitNaive(input), 'bucket type has no season');
  if (n < m) return fallback(fitNaive(input), `needs one full season (${m}) of history, has ${n}`);
  const pred = f64(n + 1).fill(NaN);
  for (let t = m; t <= n; t++) pred[t] = yearAgo(input, t);
  return {
    model: 'seasonal_naive',
    params: input.yearBack ? { season: m, alignment: 'calendar year' } : { season: m },
    pred,
    fallbackReason: null,
  };
}

/**
 * The value one season before bucket t: y[t - m]; for dated WEEK series (yearBack) the same dates
 * one calendar year earlier, i.e. y[t - m] and y[t - m - 1] weighted by how many of those dates
 * each holds (assuming a bucket's sales spread evenly over its days). A 52-week season is 364
 * days, so bucket t - 52 starts one day (two across 29 February) after the date one year before
 * t; a fixed-date peak such as Christmas therefore drifts through the 52-week ring and jumps a
 * position after a 53-week year, and the weights follow it. Needs t >= m.
 */
export function yearAgo({ y, m, yearBack }: FitInput, t: number): number {
  const w = yearBack && t - m - 1 >= 0 ? (yearBack[t] as number) : 0;
  return w > 0 ? (1 - w) * (y[t - m] as number) + w * (y[t - m - 1] as number) : (y[t - m] as number);
}

/** Average change since the first value added to the last value. */
export function fitDrift(input: FitInput): Fit {
  const { y, fitEnd } = input;
  if (fitEnd < 2) return fallback(fitNaive(input), 'needs two values');
  const n = y.length;
  const pred = f64(n + 1).fill(NaN);
  const first = y[0] as number;
  for (let t = 2; t <= n; t++) {
    const last = y[t - 1] as number;
    pred[t] = last + (last - first) / (t - 1);
  }
  return { model: 'drift', params: {}, pred, fallbackReason: null };
}

const WINDOWS = [2, 3, 4, 6, 8, 12, 13, 26, 52];

/** Mean of the last w values; w from a fixed grid, the one with the lowest in-sample squared error. */
export function fitWindowAverage(input: FitInput): Fit {
  const { y, fitEnd } = input;
  const grid = WINDOWS.filter((w) => w <= fitEnd / 2);
  if (grid.length === 0) return fallback(fitNaive(input), 'needs four values');
  // Score every window on the same points so their errors are comparable.
  const from = grid[grid.length - 1] as number;
  let bestW = grid[0] as number;
  let bestSse = Infinity;
  for (const w of grid) {
    let sum = 0;
    for (let i = from - w; i < from; i++) sum += y[i] as number;
    let sse = 0;
    for (let t = from; t < fitEnd; t++) {
      const e = (y[t] as number) - sum / w;
      sse += e * e;
      sum += (y[t] as number) - (y[t - w] as number);
    }
    if (sse < bestSse) {
      bestSse = sse;
      bestW = w;
    }
  }
  const n = y.length;
  const pred = f64(n + 1).fill(NaN);
  let sum = 0;
  for (let t = 0; t <= n; t++) {
    if (t >= bestW) pred[t] = sum / bestW;
    if (t < n) {
      sum += y[t] as number;
      if (t >= bestW) sum -= y[t - bestW] as number;
    }
  }
  return { model: 'window_average', params: { window: bestW }, pred, fallbackReason: null };
}

const growthCum = scratchF64();

/** Fewest buckets after the first season that the year-over-year growth is measured on. */
const GROWTH_MIN = 3;

/**
 * Seasonal naive scaled by the year-over-year growth: pred[t] = y[t-m] * g, where g is the sum of the
 * last L buckets over the sum of the same L buckets one season earlier, L = min(m, t - m) (every
 * bucket there is, up to one season), g clamped to [1/3, 3]. When either sum is not positive the
 * growth is applied as a difference of means instead. Parameter-free, so it forecasts from one season
 * plus GROWTH_MIN buckets of history on; before that it is seasonal naive.
 */
export function fitSeasonalGrowth(input: FitInput): Fit {
  const { y, m } = input;
  const n = y.length;
  if (m <= 1) return fallback(fitNaive(input), 'bucket type has no season');
  if (n < m + GROWTH_MIN)
    return fallback(
      fitSeasonalNaive(input),
      `needs one season plus ${GROWTH_MIN} buckets (${m + GROWTH_MIN}), has ${n}`,
    );
  const pred = f64(n + 1).fill(NaN);
  // Prefix sums make every window O(1) (a reused buffer, scratch.ts).
  const cum = growthCum(n + 1);
  cum[0] = 0;
  for (let t = 0; t < n; t++) cum[t + 1] = (cum[t] as number) + (y[t] as number);
  for (let t = m + GROWTH_MIN; t <= n; t++) {
    const L = Math.min(m, t - m);
    const recent = (cum[t] as number) - (cum[t - L] as number);
    const before = (cum[t - m] as number) - (cum[t - m - L] as number);
    const last = yearAgo(input, t);
    if (recent > 0 && before > 0) pred[t] = last * Math.min(3, Math.max(1 / 3, recent / before));
    else pred[t] = last + (recent - before) / L;
  }
  return {
    model: 'seasonal_growth',
    params: { season: m, window: 'min(season, t - season)' },
    pred,
    fallbackReason: null,
  };
}
