/**
 * Seasonal profile estimation shared by Holt-Winters and theta: classical decomposition (centred
 * moving average) on the fitting window, averaged by position in the season, then optionally
 * smoothed onto a few Fourier harmonics. With long seasons (52 weeks) and three years of data each
 * position has only one or two observations, so pooling neighbouring weeks through harmonics cuts
 * the noise of the profile; AICc decides between the raw and the smoothed profiles.
 */

import { f64Copy, scratchF64 } from '../scratch.js';

/** A seasonal profile aligned to absolute time: profile[t % m] applies at time t. */
export interface SeasonProfile {
  /** Additive: sums to 0. Multiplicative: averages 1. */
  readonly values: Float64Array;
  /** Number of free parameters the profile used (m - 1 raw, 2K for K harmonics). */
  readonly dof: number;
  /** 'raw' or 'fourier(K)'. */
  readonly kind: string;
}

/**
 * Centred moving average of length m (2 x m for even m) over y[0..end); NaN where undefined. Into
 * out[0..end) when given.
 */
export function centredMovingAverage(
  y: Float64Array,
  m: number,
  end: number,
  out?: Float64Array,
): Float64Array {
  const ma = out ? out.fill(NaN, 0, end) : new Float64Array(end).fill(NaN);
  if (m % 2 === 1) {
    const h = (m - 1) / 2;
    let sum = 0;
    for (let i = 0; i < m && i < end; i++) sum += y[i] as number;
    for (let t = h; t + h < end; t++) {
      ma[t] = sum / m;
      if (t + h + 1 < end) sum += (y[t + h + 1] as number) - (y[t - h] as number);
    }
  } else {
    const h = m / 2;
    // Window y[t-h..t+h] with half weights on both ends.
    let inner = 0; // sum of y[t-h+1 .. t+h-1]
    for (let i = 1; i < m && i < end; i++) inner += y[i] as number;
    for (let t = h; t + h < end; t++) {
      ma[t] = (inner + 0.5 * ((y[t - h] as number) + (y[t + h] as number))) / m;
      inner += (y[t + h] as number) - (y[t - h + 1] as number);
    }
  }
  return ma;
}

const trigCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** cos and sin of 2 pi k i / m for k = 1..8, i = 0..m-1 (row k-1), computed once per season length. */
function trig(m: number): { cos: Float64Array; sin: Float64Array } {
  let t = trigCache.get(m);
  if (!t) {
    const cos = new Float64Array(8 * m);
    const sin = new Float64Array(8 * m);
    for (let k = 1; k <= 8; k++) {
      for (let i = 0; i < m; i++) {
        const w = (2 * Math.PI * k * i) / m;
        cos[(k - 1) * m + i] = Math.cos(w);
        sin[(k - 1) * m + i] = Math.sin(w);
      }
    }
    t = { cos, sin };
    trigCache.set(m, t);
  }
  return t;
}

const aicc = (rss: number, nObs: number, k: number): number =>
  nObs - k - 1 > 0 && rss > 0
    ? nObs * Math.log(rss / nObs) + 2 * k + (2 * k * (k + 1)) / (nObs - k - 1)
    : Infinity;

/**
 * Estimates the seasonal profile on y[0..end) (needs end >= 2m); null when the data do not allow it
 * (a multiplicative profile needs a positive moving average everywhere).
 */
export function estimateProfile(
  y: Float64Array,
  m: number,
  end: number,
  multiplicative: boolean,
  idx?: Int32Array,
): SeasonProfile | null {
  if (m <= 1 || end < 2 * m) return null;
  // Temporaries in reused buffers (scratch.ts); what the profile keeps is copied out at the end.
  const ma = centredMovingAverage(y, m, end, profileMa(end));
  const detr = profileDetr(end).fill(NaN, 0, end);
  const sum = profileSum(m).fill(0, 0, m);
  const cnt = profileCnt(m).fill(0, 0, m);
  for (let t = 0; t < end; t++) {
    const a = ma[t] as number;
    if (Number.isNaN(a)) continue;
    if (multiplicative && !(a > 0)) return null;
    const d = multiplicative ? (y[t] as number) / a : (y[t] as number) - a;
    detr[t] = d;
    const p = idx ? (idx[t] as number) : t % m;
    sum[p] = (sum[p] as number) + d;
    cnt[p] = (cnt[p] as number) + 1;
  }
  const centre = multiplicative ? 1 : 0;
  const raw = profileRaw(m);
  let mean = 0;
  for (let i = 0; i < m; i++) raw[i] = (sum[i] as number) / (cnt[i] as number);
  // With calendar positions (idx) a window of one season can miss a position (a 53-week year holds
  // the last one twice): it takes the mean of its nearest observed neighbours.
  if (idx)
    for (let i = 0; i < m; i++) {
      if ((cnt[i] as number) > 0) continue;
      let lo = (i + m - 1) % m;
      while ((cnt[lo] as number) === 0 && lo !== i) lo = (lo + m - 1) % m;
      let hi = (i + 1) % m;
      while ((cnt[hi] as number) === 0 && hi !== i) hi = (hi + 1) % m;
      raw[i] = ((sum[lo] as number) / (cnt[lo] as number) + (sum[hi] as number) / (cnt[hi] as number)) / 2;
    }
  for (let i = 0; i < m; i++) mean += (raw[i] as number) / m;
  for (let i = 0; i < m; i++) raw[i] = multiplicative ? (raw[i] as number) / mean : (raw[i] as number) - mean;

  // detr is defined on one contiguous run [first, last] (where the moving average exists).
  let first = 0;
  while (Number.isNaN(detr[first])) first++;
  let last = end - 1;
  while (Number.isNaN(detr[last])) last--;
  const rss = (profile: Float64Array): number => {
    let s = 0;
    let j = first % m;
    for (let t = first; t <= last; t++) {
      if (idx) j = idx[t] as number;
      const e = (detr[t] as number) - (profile[j] as number);
      s += e * e;
      if (++j === m) j = 0;
    }
    return s;
  };
  let nObs = 0;
  for (let i = 0; i < m; i++) nObs += cnt[i] as number;

  // The best so far: the raw profile (bestK 0) or the smooth one of bestK harmonics (in bestValues).
  let bestK = 0;
  const bestValues = profileBest(m);
  let bestScore = aicc(rss(raw), nObs, m - 1);
  if (m >= 12) {
    // Project the raw profile onto harmonics k = 1..K; harmonics are orthogonal over one full season.
    const maxK = Math.min(Math.floor((m - 1) / 2), 8);
    const smooth = profileSmooth(m).fill(centre, 0, m);
    const { cos, sin } = trig(m);
    for (let k = 1; k <= maxK; k++) {
      const row = (k - 1) * m;
      let a = 0;
      let b = 0;
      for (let i = 0; i < m; i++) {
        a += ((raw[i] as number) - centre) * (cos[row + i] as number);
        b += ((raw[i] as number) - centre) * (sin[row + i] as number);
      }
      a = (2 * a) / m;
      b = (2 * b) / m;
      for (let i = 0; i < m; i++) {
        smooth[i] = (smooth[i] as number) + a * (cos[row + i] as number) + b * (sin[row + i] as number);
      }
      const score = aicc(rss(smooth), nObs, 2 * k);
      if (score < bestScore) {
        bestScore = score;
        bestK = k;
        for (let i = 0; i < m; i++) bestValues[i] = smooth[i] as number;
      }
    }
  }
  return bestK === 0
    ? { values: f64Copy(raw.subarray(0, m)), dof: m - 1, kind: 'raw' }
    : { values: f64Copy(bestValues.subarray(0, m)), dof: 2 * bestK, kind: `fourier(${bestK})` };
}
const profileMa = scratchF64();
const profileDetr = scratchF64();
const profileSum = scratchF64();
const profileCnt = scratchF64();
const profileRaw = scratchF64();
const profileBest = scratchF64();
const profileSmooth = scratchF64();
