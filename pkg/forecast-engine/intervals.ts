/**
 * Interval half-widths of a one-step forecast from the choice's past one-step residuals
 * (split-conformal: the residuals of buckets before t only, never of t or later).
 *
 * Two classes of buckets (a Mondrian split):
 * - ordinary buckets: the residuals of the ordinary buckets among the 3u before t (u = the bucket
 *   type's default origin count: 26 weeks, 12 months, 28 days), weighted by recency (half-life u buckets; a weighted
 *   conformal quantile, see weightedConformal), the mean of the
 *   half-widths from the absolute residuals and from the residuals relative to the level
 *   (|e| / (forecast + a tenth of the window's mean), rescaled to the forecast at t);
 * - dated DAY buckets near a holiday window (within HOLIDAY_NEAR_DAYS of a day of one): the same two
 *   forms, unweighted, from the residuals of the holiday-near days of the last two years. The 84
 *   days before a December origin hold no Christmas run-up, while errors around holidays are several
 *   times the ordinary ones (the holiday factors only cover their windows, demand moves around
 *   them, the weekly season echoes a holiday a week later); measured on the benchmark, the 80%
 *   intervals of `auto` held 63% of the outcomes of the daily holiday family with the ordinary rule.
 *   The split holds both ways: an ordinary day after the holiday season does not take its width
 *   from the season's errors (with them, the daily holiday family's 80% intervals held 89% of the
 *   outcomes over 30 January - 26 February; bench/forecast, "DAY series through the year").
 */
import { conformalHalfWidth } from './metrics.js';
import { HOLIDAY_WINDOWS } from './calendar.js';
import type { BucketType } from './types.js';

/** Days either side of a holiday window whose buckets form the holiday class (DAY only). */
export const HOLIDAY_NEAR_DAYS = 7;
/** How far back the holiday class's residuals reach: two years of days. */
const HOLIDAY_REACH = 2 * 364;
/** Fewest holiday-class residuals before they are used (else the ordinary rule). */
const HOLIDAY_MIN_RESIDUALS = 10;
/** Ordinary buckets read the residuals of the RESIDUAL_WINDOW units (IntervalSetup.unit) before t. */
export const RESIDUAL_WINDOW = 3;
/** A residual's weight halves every RESIDUAL_HALF_LIFE units of age (the newest weighs 1). */
export const RESIDUAL_HALF_LIFE = 1;

/** What the half-widths of a series depend on besides its values and predictions. */
export interface IntervalSetup {
  /** Backtest origins of the series (the holiday class's relative floors read 2k buckets back). */
  readonly k: number;
  /**
   * The time unit of the ordinary buckets' residuals, in buckets: the bucket type's default origin
   * count (26 WEEK, 12 MONTH, 28 DAY, 3 YEAR), so a fixed span of time whatever origins a caller
   * asks for. They read RESIDUAL_WINDOW units back, weights halving every RESIDUAL_HALF_LIFE units.
   */
  readonly unit: number;
  /** Holiday class of every bucket (including the one being forecast; 0: ordinary); null: none. */
  readonly holiday: Uint8Array | null;
}

/**
 * The holiday classes of a dated series' buckets: for DAY buckets within HOLIDAY_NEAR_DAYS of a day
 * of a holiday window (calendar.ts), 1 + the window's index (Easter, Thanksgiving, Christmas: each
 * its own class, their errors differ), else 0. null for other bucket types, undated series and
 * series without holiday days.
 */
export function holidayClass(
  bucketType: BucketType,
  rows: readonly Float64Array[] | null | undefined,
): Uint8Array | null {
  if (bucketType !== 'DAY' || !rows) return null;
  // DAY features: one column per day of each window, the windows in HOLIDAY_WINDOWS order.
  const windowOf: number[] = [];
  HOLIDAY_WINDOWS.forEach((w, j) => {
    for (let d = 0; d < w.days(2000)[1]; d++) windowOf.push(j);
  });
  const n = rows.length;
  const out = new Uint8Array(n);
  let any = false;
  for (let u = 0; u < n; u++) {
    const c = (rows[u] as Float64Array).findIndex((v) => v !== 0);
    if (c < 0) continue;
    any = true;
    const last = Math.min(n - 1, u + HOLIDAY_NEAR_DAYS);
    for (let j = Math.max(0, u - HOLIDAY_NEAR_DAYS); j <= last; j++) out[j] = 1 + (windowOf[c] as number);
  }
  return any ? out : null;
}

/** How many buckets before t the half-widths at t read (the predictions of [t - reach, t)). */
export function residualReach(s: IntervalSetup, t: number): number {
  const ordinary = RESIDUAL_WINDOW * s.unit;
  return s.holiday?.[t] ? Math.max(ordinary, HOLIDAY_REACH) : ordinary;
}

/** Mean of the absolute and the level-relative conformal half-widths (80%, 95%; see conformal95). */
function twoForm(abs: Float64Array, rel: Float64Array, scale: number): [number, number] {
  abs.sort();
  rel.sort();
  return [
    (conformalHalfWidth(abs, 0.8) + conformalHalfWidth(rel, 0.8) * scale) / 2,
    (conformal95(abs) + conformal95(rel) * scale) / 2,
  ];
}

/** 97.5% over 90% quantile of a normal distribution: 1.959964 / 1.281552. */
const NORMAL_95_OVER_80 = 1.959964 / 1.281552;

/**
 * The 95% conformal half-width; with fewer than 19 residuals, where its rank ceil((r + 1) 0.95)
 * exceeds r and the largest residual is all there is, at least the 80% one times the normal ratio of
 * the two. Measured: with 9-15 residuals at the first origins of the 33-month families the largest
 * alone held 0.84-0.91 of the outcomes of seasonal naive and seasonal growth (0.94-0.95 with the
 * floor).
 */
function conformal95(sorted: Float64Array): number {
  const q = conformalHalfWidth(sorted, 0.95);
  const r = sorted.length;
  if (r === 0 || Math.ceil((r + 1) * 0.95 - 1e-9) <= r) return q;
  return Math.max(q, NORMAL_95_OVER_80 * conformalHalfWidth(sorted, 0.8));
}

/**
 * Weighted split-conformal quantile (Barber, Candes, Ramdas and Tibshirani 2023, "Conformal
 * prediction beyond exchangeability") of residuals `sorted` (increasing) with weights `w` (in the
 * same order): the smallest residual whose cumulative weight reaches level * (W + W / r), W the sum
 * of the r weights; the largest residual when none does (`ranked` false). The test bucket weighs the
 * mean weight W / r, not 1 as in the paper: with 36 monthly residuals and a half-life of 12
 * (W = 15.6) a weight of 1 would ask for the 85% point of the residuals to make an 80% interval.
 * With the mean weight, equal weights give exactly the unweighted rank ceil((r + 1) level): recency
 * weighting changes which residuals count, not the finite-sample correction.
 */
export function weightedConformal(
  sorted: ArrayLike<number>,
  w: ArrayLike<number>,
  level: number,
): { readonly q: number; readonly ranked: boolean } {
  return weightedQuantile(sorted, w, sorted.length, level);
}

/** weightedConformal of the first r residuals and weights. */
function weightedQuantile(
  sorted: ArrayLike<number>,
  w: ArrayLike<number>,
  r: number,
  level: number,
): { readonly q: number; readonly ranked: boolean } {
  if (r === 0) return { q: 0, ranked: false };
  let total = 0;
  for (let i = 0; i < r; i++) total += w[i] as number;
  const target = level * (total + total / r) * (1 - 1e-12);
  let cum = 0;
  for (let i = 0; i < r; i++) {
    cum += w[i] as number;
    if (cum >= target) return { q: sorted[i] as number, ranked: true };
  }
  return { q: sorted[r - 1] as number, ranked: false };
}

/**
 * Sorts v[0..r) in place and puts the weights of its values, in the new order, into `out`. One native
 * sort of keys that carry each value's index in the 10 lowest mantissa bits (values are >= 0, whose
 * bit patterns sort as the numbers do; the index only orders values within 2^-42 of each other, the
 * same on every machine, and every value is read back exactly): an index sort with a comparator
 * cost a fifth of `auto`'s time. More than 1024 values (never with the windows above): a binary
 * search per value.
 */
export function sortWithWeights(v: Float64Array, w: Float64Array, out: Float64Array, r: number): void {
  if (keyF.length < r) {
    keyF = new Float64Array(2 * r);
    keyU = new Uint32Array(keyF.buffer);
    orig = new Float64Array(2 * r);
    keyViews = [];
  }
  for (let i = 0; i < r; i++) orig[i] = v[i] as number;
  if (r <= 1024) {
    // The views of keyF's prefixes are kept: a subarray per sort was a measurable share of the GC.
    let kf = keyViews[r];
    if (!kf) kf = keyViews[r] = keyF.subarray(0, r);
    for (let i = 0; i < r; i++) keyF[i] = v[i] as number;
    for (let i = 0; i < r; i++) keyU[2 * i + LOW] = ((keyU[2 * i + LOW] as number) & ~0x3ff) | i;
    kf.sort();
    for (let i = 0; i < r; i++) {
      const j = (keyU[2 * i + LOW] as number) & 0x3ff;
      v[i] = orig[j] as number;
      out[i] = w[j] as number;
    }
    return;
  }
  v.subarray(0, r).sort();
  out.fill(-1, 0, r);
  for (let i = 0; i < r; i++) {
    const x = orig[i] as number;
    let lo = 0;
    let hi = r;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((v[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    while ((out[lo] as number) >= 0) lo++;
    out[lo] = w[i] as number;
  }
}
let keyF = new Float64Array(128);
let keyU = new Uint32Array(keyF.buffer);
let orig = new Float64Array(128);
let keyViews: Float64Array[] = [];
/** Which Uint32 of a float64's bytes holds its low 32 bits: the first on little-endian machines. */
const LOW = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * sortWithWeights (the same keys, so the same order: the keys are distinct) by an insertion sort
 * that starts from `hint`, the sorted order of an earlier window as bucket indices. Consecutive
 * origins rank nearly the same residuals in nearly the same order (one bucket leaves the window, one
 * enters, the combination's weights move a little), so few keys move: measured, cheaper than the
 * native sort of the keys. `bucket[i]` is the bucket of v[i] (increasing in i), `from` the window's
 * first bucket; `hint` gets the new order. At most 1024 values.
 */
export function sortWithHint(
  v: Float64Array,
  w: Float64Array,
  out: Float64Array,
  r: number,
  bucket: Int32Array,
  from: number,
  hint: SortHint,
): void {
  const span = r === 0 ? 0 : (bucket[r - 1] as number) - from + 1;
  if (keyF.length < r || posOf.length < span) {
    const size = 2 * Math.max(r, span);
    keyF = new Float64Array(size);
    keyU = new Uint32Array(keyF.buffer);
    orig = new Float64Array(size);
    keyViews = [];
    posOf = new Int32Array(size);
    perm = new Int32Array(size);
    placed = new Int32Array(size);
  }
  for (let i = 0; i < r; i++) {
    const x = v[i] as number;
    // An infinite or NaN residual would make a NaN key, which the native sort puts last: leave such
    // windows to it.
    if (!(x < Infinity)) return sortWithWeights(v, w, out, r);
    keyF[i] = x;
  }
  for (let i = 0; i < r; i++) keyU[2 * i + LOW] = ((keyU[2 * i + LOW] as number) & ~0x3ff) | i;
  // Start: the hint's buckets still in the window, in the hint's order; then the others.
  posOf.fill(-1, 0, span);
  for (let i = 0; i < r; i++) posOf[(bucket[i] as number) - from] = i;
  stamp++;
  let k = 0;
  const h = hint.order;
  for (let i = 0; i < hint.length; i++) {
    const u = (h[i] as number) - from;
    if (u < 0 || u >= span) continue;
    const c = posOf[u] as number;
    if (c < 0) continue;
    perm[k++] = c;
    placed[c] = stamp;
  }
  for (let c = 0; c < r; c++) if (placed[c] !== stamp) perm[k++] = c;
  for (let i = 1; i < r; i++) {
    const c = perm[i] as number;
    const key = keyF[c] as number;
    let j = i - 1;
    while (j >= 0 && (keyF[perm[j] as number] as number) > key) {
      perm[j + 1] = perm[j] as number;
      j--;
    }
    perm[j + 1] = c;
  }
  if (hint.order.length < r) hint.order = new Int32Array(2 * r);
  const ho = hint.order;
  for (let i = 0; i < r; i++) orig[i] = v[i] as number;
  for (let i = 0; i < r; i++) {
    const c = perm[i] as number;
    v[i] = orig[c] as number;
    out[i] = w[c] as number;
    ho[i] = bucket[c] as number;
  }
  hint.length = r;
}
/** A sorted order of buckets kept between calls (see sortWithHint). */
export interface SortHint {
  order: Int32Array;
  length: number;
}
let posOf = new Int32Array(128);
let perm = new Int32Array(128);
let placed = new Int32Array(128);
let stamp = 0;
const hintAbs: SortHint = { order: new Int32Array(128), length: 0 };
const hintRel: SortHint = { order: new Int32Array(128), length: 0 };

/** 80% and 95% weighted half-widths of one form (v[0..r)); the 95% one with conformal95's normal-ratio floor. */
function weightedPair(
  v: Float64Array,
  w: Float64Array,
  sw: Float64Array,
  r: number,
  bucket: Int32Array,
  from: number,
  hint: SortHint,
): [number, number] {
  if (r <= 1024) sortWithHint(v, w, sw, r, bucket, from, hint);
  else sortWithWeights(v, w, sw, r);
  const q80 = weightedQuantile(v, sw, r, 0.8).q;
  const { q, ranked } = weightedQuantile(v, sw, r, 0.95);
  return [q80, ranked ? q : Math.max(q, NORMAL_95_OVER_80 * q80)];
}

/** twoForm with recency weights (the ordinary buckets) of the first r residuals; sorts abs and rel in place. */
function twoFormWeighted(
  abs: Float64Array,
  rel: Float64Array,
  w: Float64Array,
  scale: number,
  sw: Float64Array,
  r: number,
  bucket: Int32Array,
  from: number,
): [number, number] {
  const [a80, a95] = weightedPair(abs, w, sw, r, bucket, from, hintAbs);
  const [r80, r95] = weightedPair(rel, w, sw, r, bucket, from, hintRel);
  return [(a80 + r80 * scale) / 2, (a95 + r95 * scale) / 2];
}

/** Weights 0.5^(age / unit) for ages 0, 1, ... (age 0: the bucket just before t), cached per unit. */
const weightTables = new Map<number, Float64Array>();
function weightsOf(unit: number, ages: number): Float64Array {
  let tab = weightTables.get(unit);
  if (!tab || tab.length < ages) {
    tab = new Float64Array(Math.max(ages, RESIDUAL_WINDOW * unit));
    const f = Math.pow(0.5, 1 / (RESIDUAL_HALF_LIFE * unit));
    let x = 1;
    for (let a = 0; a < tab.length; a++) {
      tab[a] = x;
      x *= f;
    }
    if (weightTables.size > 16) weightTables.clear();
    weightTables.set(unit, tab);
  }
  return tab;
}

/** A tenth of the mean |y| over [from, to) (the relative form's floor), never 0. */
function levelFloor(y: Float64Array, from: number, to: number): number {
  if (to <= from) return 1e-9;
  let level = 0;
  for (let u = from; u < to; u++) level += Math.abs(y[u] as number);
  return (0.1 * level) / (to - from) + 1e-9;
}

/** Residual buffers reused across calls (every backtest origin asks for half-widths; twoForm sorts a prefix in place). */
let scratchAbs = new Float64Array(64);
let scratchRel = new Float64Array(64);
let scratchW = new Float64Array(64);
let scratchSw = new Float64Array(64);
let scratchBucket = new Int32Array(64);

/**
 * 80% and 95% half-widths of the forecast `point` for bucket t. `pred(u)` is the choice's one-step
 * prediction of bucket u (NaN: none), asked only for u in [t - residualReach(s, t), t); nothing at
 * t or later is read.
 */
export function halfWidths(
  y: Float64Array,
  pred: (u: number) => number,
  t: number,
  point: number,
  s: IntervalSetup,
): [number, number] {
  const p = new Float64Array(t);
  for (let u = Math.max(0, t - residualReach(s, t)); u < t; u++) p[u] = pred(u);
  return halfWidthsOf(y, p, t, point, s);
}

/**
 * halfWidths with the predictions in an array: pred[u] for u in [t - residualReach(s, t), t) is the
 * choice's one-step prediction of bucket u (NaN: none); no other element is read.
 */
export function halfWidthsOf(
  y: Float64Array,
  pred: Float64Array,
  t: number,
  point: number,
  s: IntervalSetup,
): [number, number] {
  const from = Math.max(t - RESIDUAL_WINDOW * s.unit, 0);
  if (t <= from) return [0, 0];
  const floor = levelFloor(y, from, t);
  const scale = Math.max(0, point) + floor;
  if (s.holiday?.[t]) {
    const h = holidayHalfWidths(y, pred, t, scale, floor, s);
    if (h) return h;
  }
  const n = t - from;
  if (scratchAbs.length < n) {
    scratchAbs = new Float64Array(2 * n);
    scratchRel = new Float64Array(2 * n);
    scratchW = new Float64Array(2 * n);
    scratchSw = new Float64Array(2 * n);
    scratchBucket = new Int32Array(2 * n);
  }
  const abs = scratchAbs;
  const rel = scratchRel;
  const w = scratchW;
  const weight = weightsOf(s.unit, t - from);
  // An ordinary bucket's width from ordinary buckets' residuals only (the Mondrian split both ways).
  const cls = s.holiday !== null && !s.holiday[t] ? s.holiday : null;
  let c = 0;
  for (let u = from; u < t; u++) {
    if (cls && cls[u]) continue;
    const p = pred[u] as number;
    if (Number.isNaN(p)) continue;
    const pc = Math.max(0, p);
    const e = Math.abs((y[u] as number) - pc);
    abs[c] = e;
    rel[c] = e / (pc + floor);
    w[c] = weight[t - 1 - u] as number;
    scratchBucket[c++] = u;
  }
  return twoFormWeighted(abs, rel, w, scale, scratchSw, c, scratchBucket, from);
}

/**
 * The holiday class: the two forms from the residuals of the holiday-class buckets of the last two
 * years before t, each relative one with the floor of its own time (the level a year ago can
 * differ); null with fewer than HOLIDAY_MIN_RESIDUALS of them.
 */
function holidayHalfWidths(
  y: Float64Array,
  pred: Float64Array,
  t: number,
  scale: number,
  floor: number,
  s: IntervalSetup,
): [number, number] | null {
  const cls = s.holiday as Uint8Array;
  const own = cls[t] as number;
  const from = Math.max(0, t - HOLIDAY_REACH);
  const abs: number[] = [];
  const rel: number[] = [];
  for (let u = from; u < t; u++) {
    if (cls[u] !== own) continue;
    const p = pred[u] as number;
    if (Number.isNaN(p)) continue;
    const pc = Math.max(0, p);
    const e = Math.abs((y[u] as number) - pc);
    abs.push(e);
    rel.push(e / (pc + (u > 0 ? levelFloor(y, Math.max(0, u - 2 * s.k), u) : floor)));
  }
  if (abs.length < HOLIDAY_MIN_RESIDUALS) return null;
  return twoForm(Float64Array.from(abs), Float64Array.from(rel), scale);
}
