/**
 * Theta models (Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler 2016, "Models for optimising the
 * theta method and their relationship to state space models", IJF 32(4)), on the seasonally adjusted
 * series. The season is removed first when the lag-m autocorrelation is significant at 90% (the M4
 * rule) by classical decomposition, and the forecasts are reseasonalised.
 *
 * Every variant is SES whose forecast is shifted by a weight w = 1 - 1/theta of a linear trend:
 *
 *   pred_i = l_i + w * ((1 - a)^i * A + (1 - (1 - a)^(i+1)) / a * B),   l_(i+1) = a x_i + (1 - a) l_i
 *
 * (0-based i; A + B s is a least-squares line over the times s = 1, 2, ...). The static models use
 * the line of the fitting window (STM: w = 1/2, the classic theta method; OTM: w fitted); the dynamic
 * ones (DSTM, DOTM) the line of x[0..i), refreshed as every value arrives, so a level shift moves the
 * slope the trend term extrapolates. For a fixed alpha the prediction is linear in the initial level
 * l_0 and in w, so those two come from least squares (w kept in [0, 1], i.e. theta >= 1) and only alpha
 * is searched (a grid, then golden section; alpha in [0.05, 0.999]). Of the variants fitted (by
 * default STM and OTM, see THETA_DEFAULT_VARIANTS) the one with the lowest AICc on the fitting window
 * is used (theta counts as a parameter: OTM nests STM and DOTM nests DSTM, so by plain in-sample
 * squared error, statsforecast's AutoTheta rule, the standard forms would never be chosen; that
 * overfits theta on short series, see bench/forecast/README.md).
 */
import { fitNaive } from './baselines.js';
import { fallback, r6, slot, type Fit, type FitInput } from './fit.js';
import { GoldenSectionSearch, minimise } from '../optimize.js';
import { estimateProfile, type SeasonProfile } from './season.js';
import { f64, scratchF64 } from '../scratch.js';

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

/** The four theta models. */
export const THETA_VARIANTS = ['stm', 'otm', 'dstm', 'dotm'] as const;
export type ThetaVariant = (typeof THETA_VARIANTS)[number];

/**
 * The variants `theta` chooses among. The dynamic ones are measured, not kept: by AICc (or by MSE) on
 * the fitting window they win on under 1% of the benchmark's series — their advantage shows only
 * after the fitting window — so they changed no family's WAPE by more than 0.0002 while costing 12%
 * more CPU (bench/forecast/README.md, "theta: optimised and dynamic variants").
 */
export const THETA_DEFAULT_VARIANTS: readonly ThetaVariant[] = ['stm', 'otm'];

/** A line A + B s over the times s = 1..count. */
interface Line {
  readonly a: number;
  readonly b: number;
}

/** Least-squares line through x[0..count) at times 1..count (B = 0 below two points). */
export function trendLine(x: Float64Array, count: number): Line {
  let sy = 0;
  let sty = 0;
  for (let i = 0; i < count; i++) {
    sy += x[i] as number;
    sty += (i + 1) * (x[i] as number);
  }
  return lineFromSums(count, sy, sty);
}

function lineFromSums(count: number, sy: number, sty: number): Line {
  if (count === 0) return { a: 0, b: 0 };
  // Sums of s and s^2 over s = 1..count in closed form.
  const st = (count * (count + 1)) / 2;
  const stt = (count * (count + 1) * (2 * count + 1)) / 6;
  const den = count * stt - st * st;
  const b = den > 0 ? (count * sty - st * sy) / den : 0;
  return { a: sy / count - (b * (count + 1)) / 2, b };
}

/**
 * The lines the trend term uses at each i in [0, len): the fitting window's line everywhere (static)
 * or the line of x[0..i) (dynamic; A = B = 0 before the first value); x holds len - 1 values. Independent of alpha, so they
 * are computed once per fit.
 */
function trendLines(x: Float64Array, len: number, dynamic: boolean, fixed: Line): Lines {
  // Reused buffers (scratch.ts): the lines only live for one fitTheta call; every element is written.
  const a = (dynamic ? dynamicA : staticA)(len);
  const b = (dynamic ? dynamicB : staticB)(len);
  let sy = 0;
  let sty = 0;
  for (let i = 0; i < len; i++) {
    const line = dynamic ? lineFromSums(i, sy, sty) : fixed;
    a[i] = line.a;
    b[i] = line.b;
    if (dynamic && i < len - 1) {
      sy += x[i] as number;
      sty += (i + 1) * (x[i] as number);
    }
  }
  return { a, b, fixed: dynamic ? null : fixed };
}

const staticA = scratchF64();
const staticB = scratchF64();
const dynamicA = scratchF64();
const dynamicB = scratchF64();

/** Per time index, the intercept and slope of the line the trend term extrapolates. */
interface Lines {
  readonly a: Float64Array;
  readonly b: Float64Array;
  /** Set when every index has this same line (static models): the hot loop skips the arrays. */
  readonly fixed: Line | null;
}

/** Least-squares initial level and trend weight of one variant for a fixed alpha, and its SSE. */
interface Solved {
  readonly level0: number;
  readonly w: number;
  readonly sse: number;
}

/**
 * The sums of squares and cross products one fixed alpha gives over the fitting window, six numbers
 * at an offset of a Float64Array: suu, sud, sdd, sur, sdr, srr.
 */
const SUMS = 6;

/**
 * For a fixed alpha the prediction of x_i is l0 (1-a)^i + S_i + w D_i, where S_i is SES started from
 * 0 and D_i = (1-a)^i A_i + (1 - (1-a)^(i+1)) / a B_i: linear in (l0, w). One pass over the fitting
 * window x[0..end) collects what the least squares in (l0, w) needs, for the fixed-w and the free-w
 * forms alike, into z[o..o + SUMS).
 */
function sums(x: Float64Array, end: number, alpha: number, lines: Lines, z: Float64Array, o: number): void {
  let suu = 0;
  let sud = 0;
  let sdd = 0;
  let sur = 0;
  let sdr = 0;
  let srr = 0;
  let u = 1; // (1 - alpha)^i
  let s = 0;
  const q = 1 - alpha;
  const inv = 1 / alpha;
  const { a, b, fixed } = lines;
  for (let i = 0; i < end; i++) {
    const xi = x[i] as number;
    const r = xi - s;
    const c = (1 - u * q) * inv;
    const di = fixed ? u * fixed.a + c * fixed.b : u * (a[i] as number) + c * (b[i] as number);
    suu += u * u;
    sud += u * di;
    sdd += di * di;
    sur += u * r;
    sdr += di * r;
    srr += r * r;
    s = alpha * xi + q * s;
    u *= q;
  }
  z[o] = suu;
  z[o + 1] = sud;
  z[o + 2] = sdd;
  z[o + 3] = sur;
  z[o + 4] = sdr;
  z[o + 5] = srr;
}

/**
 * Least squares in (l0, w) from the sums z[o..o + SUMS): w fixed at 1/2 (standard forms) or fitted
 * and kept in [0, 1]. Writes l0, w and the SSE to SOLVED and returns the SSE (the searches read only
 * that; no object per call).
 */
function solveSse(z: Float64Array, o: number, fitW: boolean): number {
  const suu = z[o] as number;
  const sud = z[o + 1] as number;
  const sdd = z[o + 2] as number;
  const sur = z[o + 3] as number;
  const sdr = z[o + 4] as number;
  const srr = z[o + 5] as number;
  let w = 0.5;
  if (fitW) {
    const det = suu * sdd - sud * sud;
    if (det > 1e-12 * suu * sdd) {
      const v = (suu * sdr - sud * sur) / det;
      w = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  const l0 = (sur - w * sud) / suu;
  const sse = srr - 2 * l0 * sur - 2 * w * sdr + l0 * l0 * suu + 2 * l0 * w * sud + w * w * sdd;
  const out = Math.max(0, sse);
  SOLVED[0] = l0;
  SOLVED[1] = w;
  SOLVED[2] = out;
  return out;
}
const SOLVED = new Float64Array(3);

/** solveSse as an object. */
function solve(z: Float64Array, o: number, fitW: boolean): Solved {
  solveSse(z, o, fitW);
  return { level0: SOLVED[0] as number, w: SOLVED[1] as number, sse: SOLVED[2] as number };
}

/** One fitted variant. */
interface VariantFit {
  readonly variant: ThetaVariant;
  readonly alpha: number;
  readonly level0: number;
  readonly w: number;
  readonly sse: number;
}

const isDynamic = (v: ThetaVariant): boolean => v === 'dstm' || v === 'dotm';
const isOptimised = (v: ThetaVariant): boolean => v === 'otm' || v === 'dotm';

/**
 * Lowest alpha searched. Below it, with the initial level free, a model turns into a fixed line fitted
 * by regression on the window: the lowest in-sample error on a flat or steady stretch, and no
 * adaptation when the level moves after it (measured on the benchmark: `level_shift` theta WAPE 0.118
 * with 0.001, 0.105 with 0.05).
 */
export const THETA_MIN_ALPHA = 0.05;

/** AICc of a Gaussian fit with k parameters (sigma included) and the given SSE over n values. */
function aicc(sse: number, n: number, k: number): number {
  return n * Math.log(Math.max(sse, 1e-300) / n) + 2 * k + (2 * k * (k + 1)) / Math.max(1, n - k - 1);
}

/** The alpha grid every variant is first evaluated on (one pass per point and line kind). */
const ALPHA_GRID = [THETA_MIN_ALPHA, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.999];

/**
 * Fits the given variants: each is evaluated on the alpha grid (the fixed-theta and the fitted-theta
 * form of one line kind share one pass per grid point), then alpha is refined by golden section
 * between the grid neighbours of its best grid point.
 */
function fitVariants(
  x: Float64Array,
  end: number,
  variants: readonly ThetaVariant[],
  linesOf: (v: ThetaVariant) => Lines,
): VariantFit[] {
  const g = ALPHA_GRID.length;
  // The grid's sums per line kind (static, dynamic), in reused buffers; one more row for the
  // searches' evaluations.
  const grid = (dyn: boolean): Float64Array => (dyn ? gridDynamic : gridStatic)((g + 1) * SUMS);
  for (const dyn of [false, true]) {
    if (!variants.some((v) => isDynamic(v) === dyn)) continue;
    const lines = linesOf(dyn ? 'dstm' : 'stm');
    const z = grid(dyn);
    for (let i = 0; i < g; i++) sums(x, end, ALPHA_GRID[i] as number, lines, z, i * SUMS);
  }
  const sse = gridSse(g);
  return variants.map((variant) => {
    const fitW = isOptimised(variant);
    const lines = linesOf(variant);
    const z = grid(isDynamic(variant));
    for (let i = 0; i < g; i++) sse[i] = solveSse(z, i * SUMS, fitW);
    let j = 0;
    for (let i = 1; i < g; i++) if ((sse[i] as number) < (sse[j] as number)) j = i;
    const lo = ALPHA_GRID[Math.max(0, j - 1)] as number;
    const hi = ALPHA_GRID[Math.min(g - 1, j + 1)] as number;
    const at = g * SUMS;
    const refined = minimise(new GoldenSectionSearch(lo, hi, 6), (a) => {
      sums(x, end, a[0] as number, lines, z, at);
      return solveSse(z, at, fitW);
    });
    // The grid point stays when the refinement found nothing lower.
    const gridBest = solve(z, j * SUMS, fitW);
    const alpha = refined.value < gridBest.sse ? (refined.x[0] as number) : (ALPHA_GRID[j] as number);
    let s = gridBest;
    if (alpha !== ALPHA_GRID[j]) {
      sums(x, end, alpha, lines, z, at);
      s = solve(z, at, fitW);
    }
    return { variant, alpha, level0: s.level0, w: s.w, sse: s.sse };
  });
}
const gridStatic = scratchF64();
const gridDynamic = scratchF64();
const gridSse = scratchF64();

/** Rolls a fitted variant through x[0..n) and writes pred[1..n] (pred[n] forecasts the next bucket). */
function rollForward(x: Float64Array, n: number, f: VariantFit, lines: Lines, pred: Float64Array): void {
  const { alpha } = f;
  let level = f.level0;
  let u = 1;
  for (let i = 0; i <= n; i++) {
    const d = u * (lines.a[i] as number) + ((1 - u * (1 - alpha)) / alpha) * (lines.b[i] as number);
    if (i > 0) pred[i] = level + f.w * d;
    if (i < n) level = alpha * (x[i] as number) + (1 - alpha) * level;
    u *= 1 - alpha;
  }
}

/** The seasonally adjusted series of fitTheta (scratch.ts: every element of [0, n) is written). */
const thetaX = scratchF64();

/**
 * Fits the given theta models on y[0..fitEnd), keeps the one with the lowest AICc on that window, and
 * rolls it forward through the rest of the series with its parameters fixed.
 */
export function fitTheta(input: FitInput, variants: readonly ThetaVariant[] = THETA_DEFAULT_VARIANTS): Fit {
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
  const x = thetaX(n);
  for (let t = 0; t < n; t++) {
    const p = profile ? (profile.values[slot(idx, m, t)] as number) : 0;
    x[t] = !profile ? (y[t] as number) : mult ? (y[t] as number) / p : (y[t] as number) - p;
  }
  const fixed = trendLine(x, fitEnd);
  const staticLines = trendLines(x, n + 1, false, fixed);
  const dynamicLines = variants.some(isDynamic) ? trendLines(x, n + 1, true, fixed) : staticLines;
  const linesOf = (v: ThetaVariant): Lines => (isDynamic(v) ? dynamicLines : staticLines);
  let best: VariantFit | null = null;
  let bestScore = Infinity;
  for (const f of fitVariants(x, fitEnd, variants, linesOf)) {
    const score = aicc(f.sse, fitEnd, isOptimised(f.variant) ? 4 : 3);
    // Strictly lower only: on a tie the earlier (simpler) variant stays.
    if (!best || score < bestScore) {
      best = f;
      bestScore = score;
    }
  }
  const chosen = best as VariantFit;
  const pred = f64(n + 1).fill(NaN);
  rollForward(x, n, chosen, linesOf(chosen.variant), pred);
  if (profile) {
    for (let t = 1; t <= n; t++) {
      const p = profile.values[slot(idx, m, t)] as number;
      pred[t] = mult ? (pred[t] as number) * p : (pred[t] as number) + p;
    }
  }
  const params: Fit['params'] = {
    variant: chosen.variant,
    alpha: r6(chosen.alpha),
    theta: chosen.w >= 1 ? 'infinity' : r6(1 / (1 - chosen.w)),
    level0: r6(chosen.level0),
    drift: r6(fixed.b),
    seasonal: profile ? (mult ? 'multiplicative' : 'additive') : 'none',
  };
  if (profile) params.seasonProfile = profile.kind;
  return { model: 'theta', params, pred, fallbackReason: null };
}
