/**
 * Standard theta method (Assimakopoulos & Nikolopoulos 2000, in the SES-with-drift form of Hyndman &
 * Billah 2003): SES on the (seasonally adjusted) series plus half the slope of a linear trend.
 * The season is removed first when the lag-m autocorrelation is significant at 90% (the M4 rule).
 */
import { fitNaive } from './baselines.js';
import { fallback, r6, slot, type Fit, type FitInput } from './fit.js';
import { goldenSection } from '../optimize.js';
import { estimateProfile, type SeasonProfile } from './season.js';

/** Tells whether y[0..end) has a significant autocorrelation at lag m (90%, Bartlett's variance). */
export function seasonalityIsSignificant(y: Float64Array, m: number, end: number): boolean {
  if (m <= 1 || end < 2 * m) return false;
  let mean = 0;
  for (let t = 0; t < end; t++) mean += (y[t] as number) / end;
  let c0 = 0;
  for (let t = 0; t < end; t++) c0 += ((y[t] as number) - mean) ** 2;
  if (c0 === 0) return false;
  let sumSq = 0;
  let rm = 0;
  for (let k = 1; k <= m; k++) {
    let c = 0;
    for (let t = k; t < end; t++) c += ((y[t] as number) - mean) * ((y[t - k] as number) - mean);
    const r = c / c0;
    if (k < m) sumSq += r * r;
    else rm = r;
  }
  const limit = 1.645 * Math.sqrt((1 + 2 * sumSq) / end);
  return Math.abs(rm) > limit;
}

/** Runs SES-with-drift over x[0..end); returns SSE over [1, end) and writes predictions when out is given. */
function runTheta(
  x: Float64Array,
  end: number,
  alpha: number,
  drift: number,
  out: Float64Array | null,
): number {
  let level = x[0] as number;
  let decay = 1 - alpha; // (1 - alpha)^t after t observations
  let sse = 0;
  for (let t = 1; t <= end; t++) {
    const f = level + ((drift / 2) * (1 - decay)) / alpha;
    if (out) out[t] = f;
    if (t === end) break;
    const e = (x[t] as number) - f;
    sse += e * e;
    level = alpha * (x[t] as number) + (1 - alpha) * level;
    decay *= 1 - alpha;
  }
  return sse;
}

/** Fits the theta method on y[0..fitEnd) and rolls it forward through the series. */
export function fitTheta(input: FitInput): Fit {
  const { y, m, fitEnd, seasonIndex: idx } = input;
  if (fitEnd < 3) return fallback(fitNaive(input), 'needs three values');
  const n = y.length;
  let profile: SeasonProfile | null = null;
  let mult = false;
  if (seasonalityIsSignificant(y, m, fitEnd)) {
    mult = true;
    for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) mult = false;
    profile =
      estimateProfile(y, m, fitEnd, mult, idx) ?? (mult ? estimateProfile(y, m, fitEnd, false, idx) : null);
    if (profile && mult && profile.values.some((v) => !(v > 0))) profile = null;
    if (!profile) mult = false;
  }
  const x = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const p = profile ? (profile.values[slot(idx, m, t)] as number) : 0;
    x[t] = !profile ? (y[t] as number) : mult ? (y[t] as number) / p : (y[t] as number) - p;
  }
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < fitEnd; t++) {
    sx += t;
    sy += x[t] as number;
    sxx += t * t;
    sxy += t * (x[t] as number);
  }
  const den = fitEnd * sxx - sx * sx;
  const drift = den > 0 ? (fitEnd * sxy - sx * sy) / den : 0;
  const best = goldenSection((a) => runTheta(x, fitEnd, a, drift, null), 1e-3, 0.999, 28);
  const alpha = best.x[0] as number;
  const pred = new Float64Array(n + 1).fill(NaN);
  runTheta(x, n, alpha, drift, pred);
  if (profile) {
    for (let t = 1; t <= n; t++) {
      const p = profile.values[slot(idx, m, t)] as number;
      pred[t] = mult ? (pred[t] as number) * p : (pred[t] as number) + p;
    }
  }
  const params: Fit['params'] = {
    alpha: r6(alpha),
    drift: r6(drift),
    seasonal: profile ? (mult ? 'multiplicative' : 'additive') : 'none',
  };
  if (profile) params.seasonProfile = profile.kind;
  return { model: 'theta', params, pred, fallbackReason: null };
}
