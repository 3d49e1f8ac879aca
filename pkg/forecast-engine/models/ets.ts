/**
 * Exponential smoothing in the additive-error state-space form (Hyndman et al.), with trend none,
 * damped or linear (without season on long windows, or with a multiplicative season), and season
 * none, additive or multiplicative.
 * Smoothing parameters are fitted by least squares with Nelder-Mead from fixed starts; initial states
 * come from a deterministic classical decomposition (see season.ts), which keeps the optimisation to
 * 1-4 dimensions and therefore cheap — except for the linear trend (AAN), whose initial level and
 * slope are solved by least squares for every smoothing pair tried (profiledInit).
 */
import { fitNaive } from './baselines.js';
import { fallback, r6, slot, type Fit, type FitInput } from './fit.js';
import {
  GoldenSectionSearch,
  NelderMeadSearch,
  minimise,
  minimisePair,
  type Minimum,
  type Search,
} from '../optimize.js';
import { estimateProfile, type SeasonProfile } from './season.js';
import { f64, f64Copy, scratchF64 } from '../scratch.js';

/**
 * The forms the AutoETS search chooses among: error A; trend N, Ad, or A (linear: without season,
 * or with a multiplicative one); season N/A/M.
 */
export const ETS_FORMS = ['ANN', 'AAN', 'AAdN', 'ANA', 'AAdA', 'ANM', 'AAM', 'AAdM'] as const;
/** One exponential-smoothing form. */
export type EtsForm = (typeof ETS_FORMS)[number];

const LO = 1e-4;
const HI = 0.9999;
const PHI_LO = 0.8;
const PHI_HI = 0.98;

/**
 * Fewest fitting values before the undamped linear trend (AAN) is a candidate of `ets`. It is the
 * form that can follow a steady trend over years (the damped trend, phi <= 0.98, flattens within a
 * few dozen buckets unless beta is large), but on short windows AICc takes it for noise that happens
 * to slope and it extrapolates that slope. Measured on the benchmark (bench/forecast/README.md,
 * "Selection against statsforecast"): with no minimum `ets` lost 1-3% WAPE on `short` (weekly, 10-74
 * fitting weeks), `retail_m_33` and `store_m` (21 and 36 months); from 52 values `short` still lost
 * 0.8%; from 104 none of them changes and `trend` (130 weeks) gains 3.0%.
 */
export const LINEAR_TREND_MIN_VALUES = 104;

/**
 * Where the seasonal forms also try fitted initial states (refineSeasonalInit): seasons of at most
 * SEASONAL_INIT_MAX_PERIOD buckets and fitting windows of at most SEASONAL_INIT_MAX_SEASONS seasons.
 * The step costs one pass per direction (m + 1 or m of them) and O(n m^2) for its normal equations:
 * on monthly data about as much as the form's whole Nelder-Mead fit, on 52-week seasons 2.6x `auto`'s
 * CPU on `dated_weekly`. Short windows are where the decomposition's profile is noisiest; on long
 * monthly ones (`retail_m_long`, 2.4% better) it would take `auto` past 0.1x of statsforecast's
 * fastest model's CPU (measured in bench/forecast/README.md, "Fitted initial seasonal states").
 */
export const SEASONAL_INIT_MAX_PERIOD = 12;
/** See {@link SEASONAL_INIT_MAX_PERIOD}. */
export const SEASONAL_INIT_MAX_SEASONS = 6;

interface Init {
  readonly l0: number;
  readonly b0: number;
  readonly profile: SeasonProfile | null;
}

/** The smoothing parameters of a parameter vector: alpha, beta/alpha, gamma/(1-alpha), phi (only the ones the form has). */
function unpack(
  x: ArrayLike<number>,
  trend: boolean,
  season: 0 | 1 | 2,
  damped: boolean,
): [number, number, number, number] {
  const alpha = x[0] as number;
  let i = 1;
  const beta = trend ? alpha * (x[i++] as number) : 0;
  const gamma = season !== 0 ? (1 - alpha) * (x[i++] as number) : 0;
  const phi = damped ? (x[i] as number) : 1;
  return [alpha, beta, gamma, phi];
}

/** One form on one fitting window, up to its parameter search (EtsFitter.begin). */
interface FormSearch {
  readonly form: EtsForm;
  readonly trend: boolean;
  readonly damped: boolean;
  readonly linear: boolean;
  readonly season: 0 | 1 | 2;
  readonly seasonChar: string | undefined;
  readonly profile: SeasonProfile | null;
  readonly init: Init;
  /** The seasonal states' scratch array of the objective. */
  readonly s: Float64Array;
  readonly search: Search;
  /** The search's objective: the SSE over the fitting window of a parameter vector. */
  readonly sse: (x: ArrayLike<number>) => number;
  readonly y: Float64Array;
  readonly fitEnd: number;
  readonly m: number;
  readonly idx: Int32Array | undefined;
}

/**
 * Whether two searches of one form can share the passes of ssePair: seasons by t % m (no calendar
 * index: with one the paired loops measured slower than two single ones) of the same length, and
 * not the linear trend, whose objective is another pass (linearTrendInit).
 */
function pairable(a: FormSearch, b: FormSearch): boolean {
  return !a.linear && !b.linear && a.m === b.m && a.idx === undefined && b.idx === undefined;
}

/**
 * The SSE of a's objective at xa and of b's at xb (same form, pairable) into out[0] and out[1]: run
 * of both, with the parameters unpacked as unpack does.
 */
function ssePair(
  a: FormSearch,
  xa: ArrayLike<number>,
  b: FormSearch,
  xb: ArrayLike<number>,
  out: Float64Array,
): void {
  const { trend, season, damped } = a;
  const p = PAIR;
  const al1 = xa[0] as number;
  const al2 = xb[0] as number;
  p[0] = al1;
  p[6] = al2;
  p[1] = trend ? al1 * (xa[1] as number) : 0;
  p[7] = trend ? al2 * (xb[1] as number) : 0;
  const g = trend ? 2 : 1;
  p[2] = season !== 0 ? (1 - al1) * (xa[g] as number) : 0;
  p[8] = season !== 0 ? (1 - al2) * (xb[g] as number) : 0;
  const q = g + (season !== 0 ? 1 : 0);
  // run: ph = trend ? phi : 0, phi = damped ? x[q] : 1.
  p[3] = trend ? (damped ? (xa[q] as number) : 1) : 0;
  p[9] = trend ? (damped ? (xb[q] as number) : 1) : 0;
  p[4] = a.init.l0;
  p[5] = trend ? a.init.b0 : 0;
  p[10] = b.init.l0;
  p[11] = trend ? b.init.b0 : 0;
  if (season === 0) runNonePair(a.y, a.fitEnd, b.y, b.fitEnd, p, trend);
  else {
    a.s.set((a.init.profile as SeasonProfile).values);
    b.s.set((b.init.profile as SeasonProfile).values);
    if (season === 1) runAdditivePair(a.m, a.y, a.fitEnd, a.s, b.y, b.fitEnd, b.s, p, trend);
    else runMultiplicativePair(a.m, a.y, a.fitEnd, a.s, b.y, b.fitEnd, b.s, p, trend);
  }
  out[0] = p[12] as number;
  out[1] = p[13] as number;
}

/**
 * The parameters and states the paired loops start from, and their SSEs: alpha, beta, gamma, ph,
 * level, slope of the first (0-5) and of the second (6-11), the two SSEs (12, 13). In an array, so
 * that the doubles are not boxed for the call.
 */
const PAIR = new Float64Array(14);

/**
 * runNone of two parameter sets (and series) in one loop (parameters and states from p, see PAIR):
 * p[12] and p[13] get the two SSEs, each the same operations in the same order as runNone's, except
 * that without a trend the slope is not updated. There ph and beta are 0, so the update gives +0 as
 * long as the errors are finite (and, multiplicative, the seasonal states finite and not 0), and the
 * slope stays the +0 it starts from: every SSE that is finite is the same, and every one that is not
 * is not finite either way (an error that is not finite makes the SSE infinite or NaN from there
 * on), which is all the searches tell apart (optimize.ts: any non-finite value is Number.MAX_VALUE).
 * It was the longest chain of each step (the slope feeds the next level).
 */
function runNonePair(
  y1: Float64Array,
  end1: number,
  y2: Float64Array,
  end2: number,
  p: Float64Array,
  trend: boolean,
): void {
  const alpha1 = p[0] as number;
  const beta1 = p[1] as number;
  const ph1 = p[3] as number;
  let l1 = p[4] as number;
  let b1 = p[5] as number;
  const alpha2 = p[6] as number;
  const beta2 = p[7] as number;
  const ph2 = p[9] as number;
  let l2 = p[10] as number;
  let b2 = p[11] as number;
  let sse1 = 0;
  let sse2 = 0;
  const both = Math.min(end1, end2);
  let t = 0;
  for (; t < both; t++) {
    const lb1 = l1 + ph1 * b1;
    const lb2 = l2 + ph2 * b2;
    const e1 = (y1[t] as number) - lb1;
    const e2 = (y2[t] as number) - lb2;
    sse1 += e1 * e1;
    sse2 += e2 * e2;
    l1 = lb1 + alpha1 * e1;
    l2 = lb2 + alpha2 * e2;
    if (trend) b1 = ph1 * b1 + beta1 * e1;
    if (trend) b2 = ph2 * b2 + beta2 * e2;
  }
  for (let u = t; u < end1; u++) {
    const lb = l1 + ph1 * b1;
    const e = (y1[u] as number) - lb;
    sse1 += e * e;
    l1 = lb + alpha1 * e;
    if (trend) b1 = ph1 * b1 + beta1 * e;
  }
  for (let u = t; u < end2; u++) {
    const lb = l2 + ph2 * b2;
    const e = (y2[u] as number) - lb;
    sse2 += e * e;
    l2 = lb + alpha2 * e;
    if (trend) b2 = ph2 * b2 + beta2 * e;
  }
  p[12] = sse1;
  p[13] = sse2;
}

/** runAdditive of two parameter sets, series and season arrays in one loop (see runNonePair, trend). */
function runAdditivePair(
  m: number,
  y1: Float64Array,
  end1: number,
  s1: Float64Array,
  y2: Float64Array,
  end2: number,
  s2: Float64Array,
  p: Float64Array,
  trend: boolean,
): void {
  const alpha1 = p[0] as number;
  const beta1 = p[1] as number;
  const gamma1 = p[2] as number;
  const ph1 = p[3] as number;
  let l1 = p[4] as number;
  let b1 = p[5] as number;
  const alpha2 = p[6] as number;
  const beta2 = p[7] as number;
  const gamma2 = p[8] as number;
  const ph2 = p[9] as number;
  let l2 = p[10] as number;
  let b2 = p[11] as number;
  let j = 0; // position in the season ring, t % m (pairable: no calendar index)
  let sse1 = 0;
  let sse2 = 0;
  const both = Math.min(end1, end2);
  let t = 0;
  for (; t < both; t++) {
    const lb1 = l1 + ph1 * b1;
    const lb2 = l2 + ph2 * b2;
    const sp1 = s1[j] as number;
    const sp2 = s2[j] as number;
    const e1 = (y1[t] as number) - (lb1 + sp1);
    const e2 = (y2[t] as number) - (lb2 + sp2);
    sse1 += e1 * e1;
    sse2 += e2 * e2;
    l1 = lb1 + alpha1 * e1;
    l2 = lb2 + alpha2 * e2;
    if (trend) b1 = ph1 * b1 + beta1 * e1;
    if (trend) b2 = ph2 * b2 + beta2 * e2;
    s1[j] = sp1 + gamma1 * e1;
    s2[j] = sp2 + gamma2 * e2;
    if (++j === m) j = 0;
  }
  const j0 = j;
  for (let u = t; u < end1; u++) {
    const lb = l1 + ph1 * b1;
    const sp = s1[j] as number;
    const e = (y1[u] as number) - (lb + sp);
    sse1 += e * e;
    l1 = lb + alpha1 * e;
    if (trend) b1 = ph1 * b1 + beta1 * e;
    s1[j] = sp + gamma1 * e;
    if (++j === m) j = 0;
  }
  j = j0;
  for (let u = t; u < end2; u++) {
    const lb = l2 + ph2 * b2;
    const sp = s2[j] as number;
    const e = (y2[u] as number) - (lb + sp);
    sse2 += e * e;
    l2 = lb + alpha2 * e;
    if (trend) b2 = ph2 * b2 + beta2 * e;
    s2[j] = sp + gamma2 * e;
    if (++j === m) j = 0;
  }
  p[12] = sse1;
  p[13] = sse2;
}

/** runMultiplicative of two parameter sets, series and season arrays in one loop (see runNonePair, trend). */
function runMultiplicativePair(
  m: number,
  y1: Float64Array,
  end1: number,
  s1: Float64Array,
  y2: Float64Array,
  end2: number,
  s2: Float64Array,
  p: Float64Array,
  trend: boolean,
): void {
  const alpha1 = p[0] as number;
  const beta1 = p[1] as number;
  const gamma1 = p[2] as number;
  const ph1 = p[3] as number;
  let l1 = p[4] as number;
  let b1 = p[5] as number;
  const alpha2 = p[6] as number;
  const beta2 = p[7] as number;
  const gamma2 = p[8] as number;
  const ph2 = p[9] as number;
  let l2 = p[10] as number;
  let b2 = p[11] as number;
  let j = 0; // position in the season ring, t % m (pairable: no calendar index)
  let sse1 = 0;
  let sse2 = 0;
  const both = Math.min(end1, end2);
  let t = 0;
  for (; t < both; t++) {
    const lb1 = l1 + ph1 * b1;
    const lb2 = l2 + ph2 * b2;
    const sp1 = s1[j] as number;
    const sp2 = s2[j] as number;
    const e1 = (y1[t] as number) - lb1 * sp1;
    const e2 = (y2[t] as number) - lb2 * sp2;
    sse1 += e1 * e1;
    sse2 += e2 * e2;
    l1 = lb1 + (alpha1 * e1) / sp1;
    l2 = lb2 + (alpha2 * e2) / sp2;
    if (trend) b1 = ph1 * b1 + (beta1 * e1) / sp1;
    if (trend) b2 = ph2 * b2 + (beta2 * e2) / sp2;
    s1[j] = sp1 + (gamma1 * e1) / lb1;
    s2[j] = sp2 + (gamma2 * e2) / lb2;
    if (++j === m) j = 0;
  }
  const j0 = j;
  for (let u = t; u < end1; u++) {
    const lb = l1 + ph1 * b1;
    const sp = s1[j] as number;
    const e = (y1[u] as number) - lb * sp;
    sse1 += e * e;
    l1 = lb + (alpha1 * e) / sp;
    if (trend) b1 = ph1 * b1 + (beta1 * e) / sp;
    s1[j] = sp + (gamma1 * e) / lb;
    if (++j === m) j = 0;
  }
  j = j0;
  for (let u = t; u < end2; u++) {
    const lb = l2 + ph2 * b2;
    const sp = s2[j] as number;
    const e = (y2[u] as number) - lb * sp;
    sse2 += e * e;
    l2 = lb + (alpha2 * e) / sp;
    if (trend) b2 = ph2 * b2 + (beta2 * e) / sp;
    s2[j] = sp + (gamma2 * e) / lb;
    if (++j === m) j = 0;
  }
  p[12] = sse1;
  p[13] = sse2;
}

/**
 * Runs the recursions over y[0..end) and returns the SSE; writes one-step predictions to out[0..end]
 * when given. One loop per season kind (the optimisers call this for every parameter vector tried,
 * so a per-bucket branch on the season costs); every loop does the same arithmetic in the same order.
 */
function run(
  y: Float64Array,
  end: number,
  trend: boolean,
  season: 0 | 1 | 2,
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  init: Init,
  s: Float64Array,
  out: Float64Array | null,
  idx?: Int32Array,
): number {
  const p = RUN;
  p[0] = alpha;
  p[1] = beta;
  p[2] = gamma;
  p[3] = trend ? phi : 0;
  p[4] = init.l0;
  p[5] = trend ? init.b0 : 0;
  if (season === 0) runNone(y, end, p, out);
  else {
    s.set((init.profile as SeasonProfile).values);
    if (season === 1) runAdditive(y, end, m, s, out, idx, p);
    else runMultiplicative(y, end, m, s, out, idx, p);
  }
  return p[6] as number;
}

/**
 * The parameters and starting states of run's loops and their SSE: alpha, beta, gamma, ph, level,
 * slope (0-5), SSE (6). In an array, so that the doubles are not boxed for the calls.
 */
const RUN = new Float64Array(7);

function runNone(y: Float64Array, end: number, p: Float64Array, out: Float64Array | null): void {
  const alpha = p[0] as number;
  const beta = p[1] as number;
  const ph = p[3] as number;
  let l = p[4] as number;
  let b = p[5] as number;
  let sse = 0;
  for (let t = 0; t < end; t++) {
    const lb = l + ph * b;
    const e = (y[t] as number) - lb;
    if (out) out[t] = lb;
    sse += e * e;
    l = lb + alpha * e;
    b = ph * b + beta * e;
  }
  if (out) out[end] = l + ph * b;
  p[6] = sse;
}

function runAdditive(
  y: Float64Array,
  end: number,
  m: number,
  s: Float64Array,
  out: Float64Array | null,
  idx: Int32Array | undefined,
  p: Float64Array,
): void {
  const alpha = p[0] as number;
  const beta = p[1] as number;
  const gamma = p[2] as number;
  const ph = p[3] as number;
  let l = p[4] as number;
  let b = p[5] as number;
  let j = 0; // position in the season ring, t % m
  let sse = 0;
  for (let t = 0; t < end; t++) {
    if (idx) j = idx[t] as number;
    const lb = l + ph * b;
    const sp = s[j] as number;
    const f = lb + sp;
    const e = (y[t] as number) - f;
    if (out) out[t] = f;
    sse += e * e;
    l = lb + alpha * e;
    b = ph * b + beta * e;
    s[j] = sp + gamma * e;
    if (++j === m) j = 0;
  }
  if (idx) j = idx[end] as number;
  if (out) out[end] = l + ph * b + (s[j] as number);
  p[6] = sse;
}

function runMultiplicative(
  y: Float64Array,
  end: number,
  m: number,
  s: Float64Array,
  out: Float64Array | null,
  idx: Int32Array | undefined,
  p: Float64Array,
): void {
  const alpha = p[0] as number;
  const beta = p[1] as number;
  const gamma = p[2] as number;
  const ph = p[3] as number;
  let l = p[4] as number;
  let b = p[5] as number;
  let j = 0; // position in the season ring, t % m
  let sse = 0;
  for (let t = 0; t < end; t++) {
    if (idx) j = idx[t] as number;
    const lb = l + ph * b;
    const sp = s[j] as number;
    const f = lb * sp;
    const e = (y[t] as number) - f;
    if (out) out[t] = f;
    sse += e * e;
    l = lb + (alpha * e) / sp;
    b = ph * b + (beta * e) / sp;
    s[j] = sp + (gamma * e) / lb;
    if (++j === m) j = 0;
  }
  if (idx) j = idx[end] as number;
  if (out) out[end] = (l + ph * b) * (s[j] as number);
  p[6] = sse;
}

/**
 * The linear-trend form (AAN) with its initial state solved: for fixed alpha and beta the one-step
 * predictions are linear in the initial level and slope (the state recursion is linear in them), so
 * one pass gives the least-squares initial state — the recursion on y from a zero state, and on a
 * zero series from a unit level and from a unit slope. Returns that state and its SSE over y[0..end).
 * With fixed initial states (a line through the first ten values, as the damped forms use) the form
 * barely changed `ets` on the benchmark: a steady trend is exactly what a noisy ten-value start gets
 * wrong.
 */
export function linearTrendInit(
  y: Float64Array,
  end: number,
  alpha: number,
  beta: number,
): { l0: number; b0: number; sse: number } {
  // Data part (from a zero state), unit-level part and unit-slope part of the state.
  let la = 0;
  let ba = 0;
  let lu = 1;
  let bu = 0;
  let lv = 0;
  let bv = 1;
  let spp = 0;
  let spq = 0;
  let sqq = 0;
  let spr = 0;
  let sqr = 0;
  let srr = 0;
  for (let t = 0; t < end; t++) {
    const pa = la + ba;
    const pu = lu + bu;
    const pv = lv + bv;
    const r = (y[t] as number) - pa;
    spp += pu * pu;
    spq += pu * pv;
    sqq += pv * pv;
    spr += pu * r;
    sqr += pv * r;
    srr += r * r;
    // Each part's one-step error: r for the data part, -pu and -pv for the unit parts (y = 0).
    la = pa + alpha * r;
    ba += beta * r;
    lu = pu - alpha * pu;
    bu -= beta * pu;
    lv = pv - alpha * pv;
    bv -= beta * pv;
  }
  let l0 = 0;
  let b0 = 0;
  const det = spp * sqq - spq * spq;
  if (det > 1e-12 * spp * sqq) {
    l0 = (sqq * spr - spq * sqr) / det;
    b0 = (spp * sqr - spq * spr) / det;
  } else if (spp > 0) l0 = spr / spp;
  const sse = srr - 2 * l0 * spr - 2 * b0 * sqr + l0 * l0 * spp + 2 * l0 * b0 * spq + b0 * b0 * sqq;
  return { l0, b0, sse: Math.max(0, sse) };
}

/**
 * One Gauss-Newton step on the initial state of a seasonal form (level, slope when trended, and the
 * seasonal states, kept summing to zero / averaging one) for fixed smoothing parameters: the one-step
 * errors are linearised in the initial state by forward-mode tangents of the recursion and the step
 * solves their least squares. For the additive season the predictions are linear in the initial
 * state, so the step is the exact least-squares initial state; for the multiplicative one the step is
 * halved until the SSE falls. Returns the new state and its SSE over y[0..end), or null when the
 * normal equations are singular or no step lowers the SSE. The decomposition's profile is a
 * starting point that ignores how the recursion moves the states; R's ets and statsforecast optimise
 * the initial states jointly with the parameters, this fits them for the parameters found.
 */
export function refineSeasonalInit(
  y: Float64Array,
  end: number,
  trend: boolean,
  season: 1 | 2,
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  init: { l0: number; b0: number; values: Float64Array },
  idx?: Int32Array,
): { l0: number; b0: number; values: Float64Array; sse: number } | null {
  const mult = season === 2;
  const ph = trend ? phi : 0;
  // Directions: level, slope (trended forms), seasonal state j minus state m-1 for j < m-1.
  const nd = 1 + (trend ? 1 : 0) + (m - 1);
  const sOff = trend ? 2 : 1;
  // Temporaries in reused buffers (scratch.ts), zeroed where the code reads before it writes.
  const dl = refineDl(nd).fill(0, 0, nd);
  const db = refineDb(nd).fill(0, 0, nd);
  const ds = refineDs(nd * m).fill(0, 0, nd * m);
  dl[0] = 1;
  if (trend) db[1] = 1;
  for (let j = 0; j < m - 1; j++) {
    ds[(sOff + j) * m + j] = 1;
    ds[(sOff + j) * m + m - 1] = -1;
  }
  // The tangents of every bucket's one-step prediction (row t: df of bucket t) and the errors; the
  // normal equations are summed from them after the pass.
  const dfs = refineDf(Math.max(end, 1) * nd);
  const es = refineE(Math.max(end, 1));
  const ata = refineAta(nd * nd);
  const ate = refineAte(nd);
  const s = refineS(m);
  s.set(init.values);
  let l = init.l0;
  let b = trend ? init.b0 : 0;
  let sse0 = 0;
  let j = 0;
  for (let t = 0; t < end; t++) {
    if (idx) j = idx[t] as number;
    const lb = l + ph * b;
    const sp = s[j] as number;
    const f = mult ? lb * sp : lb + sp;
    const e = (y[t] as number) - f;
    sse0 += e * e;
    es[t] = e;
    const row = t * nd;
    if (mult) {
      const isp = 1 / sp;
      const esp2 = e * isp * isp;
      const ilb = 1 / lb;
      const elb2 = e * ilb * ilb;
      for (let k = 0; k < nd; k++) {
        const dlb = (dl[k] as number) + ph * (db[k] as number);
        const q = k * m + j;
        const dsp = ds[q] as number;
        const dfk = dlb * sp + lb * dsp;
        dfs[row + k] = dfk;
        const g = dfk * isp + dsp * esp2;
        dl[k] = dlb - alpha * g;
        db[k] = ph * (db[k] as number) - beta * g;
        ds[q] = dsp - gamma * (dfk * ilb + dlb * elb2);
      }
    } else {
      for (let k = 0; k < nd; k++) {
        const dlb = (dl[k] as number) + ph * (db[k] as number);
        const q = k * m + j;
        const dsp = ds[q] as number;
        const dfk = dlb + dsp;
        dfs[row + k] = dfk;
        dl[k] = dlb - alpha * dfk;
        db[k] = ph * (db[k] as number) - beta * dfk;
        ds[q] = dsp - gamma * dfk;
      }
    }
    if (mult) {
      l = lb + (alpha * e) / sp;
      b = ph * b + (beta * e) / sp;
      s[j] = sp + (gamma * e) / lb;
    } else {
      l = lb + alpha * e;
      b = ph * b + beta * e;
      s[j] = sp + gamma * e;
    }
    if (++j === m) j = 0;
  }
  if (!Number.isFinite(sse0)) return null;
  normalEquations(dfs, es, end, nd, ata, ate);
  const step = solveSymmetric(ata, ate, nd);
  if (!step) return null;
  const values = refineValues(m);
  for (let h = 1; h <= 8; h *= 2) {
    const l0 = init.l0 + (step[0] as number) / h;
    const b0 = trend ? init.b0 + (step[1] as number) / h : 0;
    let last = 0;
    let ok = true;
    for (let q = 0; q < m - 1; q++) {
      const d = (step[sOff + q] as number) / h;
      values[q] = (init.values[q] as number) + d;
      last += d;
      if (mult && !((values[q] as number) > 0)) ok = false;
    }
    values[m - 1] = (init.values[m - 1] as number) - last;
    if (mult && !((values[m - 1] as number) > 0)) ok = false;
    if (!ok) continue;
    const sse = sseOf(y, end, trend, mult, m, alpha, beta, gamma, ph, l0, b0, values, idx);
    if (sse < sse0) return { l0, b0, values: f64Copy(values.subarray(0, m)), sse };
    if (!mult) break;
  }
  return null;
}
const refineDl = scratchF64();
const refineDb = scratchF64();
const refineDs = scratchF64();
const refineDf = scratchF64();
const refineE = scratchF64();
const refineAta = scratchF64();
const refineAte = scratchF64();
const refineS = scratchF64();
const refineValues = scratchF64();

/**
 * The upper triangle of A'A and A'e for the rows A[t] = dfs[t nd .. t nd + nd) and errors es[t],
 * t < end, into ata (nd x nd, row-major) and ate: each entry the sum over t in order, from 0, of the
 * products whose row entry A[t][k] is not 0 — the operations of adding each bucket's outer product
 * as it comes (refineSeasonalInit did), in the same order per entry. Four entries of a row at a time:
 * their sums are independent chains, which one pass over t runs side by side.
 */
export function normalEquations(
  dfs: Float64Array,
  es: Float64Array,
  end: number,
  nd: number,
  ata: Float64Array,
  ate: Float64Array,
): void {
  for (let k = 0; k < nd; k++) {
    let se = 0;
    for (let t = 0, r = k; t < end; t++, r += nd) {
      const a = dfs[r] as number;
      if (a !== 0) se += a * (es[t] as number);
    }
    ate[k] = se;
    let i = k;
    for (; i + 7 < nd; i += 8) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let r = 0, last = end * nd; r < last; r += nd) {
        const a = dfs[r + k] as number;
        if (a === 0) continue;
        const c = r + i;
        s0 += a * (dfs[c] as number);
        s1 += a * (dfs[c + 1] as number);
        s2 += a * (dfs[c + 2] as number);
        s3 += a * (dfs[c + 3] as number);
        s4 += a * (dfs[c + 4] as number);
        s5 += a * (dfs[c + 5] as number);
        s6 += a * (dfs[c + 6] as number);
        s7 += a * (dfs[c + 7] as number);
      }
      const q = k * nd + i;
      ata[q] = s0;
      ata[q + 1] = s1;
      ata[q + 2] = s2;
      ata[q + 3] = s3;
      ata[q + 4] = s4;
      ata[q + 5] = s5;
      ata[q + 6] = s6;
      ata[q + 7] = s7;
    }
    for (; i + 3 < nd; i += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0, last = end * nd; r < last; r += nd) {
        const a = dfs[r + k] as number;
        if (a === 0) continue;
        const c = r + i;
        s0 += a * (dfs[c] as number);
        s1 += a * (dfs[c + 1] as number);
        s2 += a * (dfs[c + 2] as number);
        s3 += a * (dfs[c + 3] as number);
      }
      const q = k * nd + i;
      ata[q] = s0;
      ata[q + 1] = s1;
      ata[q + 2] = s2;
      ata[q + 3] = s3;
    }
    for (; i + 1 < nd; i += 2) {
      let s0 = 0;
      let s1 = 0;
      for (let r = 0, last = end * nd; r < last; r += nd) {
        const a = dfs[r + k] as number;
        if (a === 0) continue;
        s0 += a * (dfs[r + i] as number);
        s1 += a * (dfs[r + i + 1] as number);
      }
      ata[k * nd + i] = s0;
      ata[k * nd + i + 1] = s1;
    }
    if (i < nd) {
      let s0 = 0;
      for (let r = 0, last = end * nd; r < last; r += nd) {
        const a = dfs[r + k] as number;
        if (a !== 0) s0 += a * (dfs[r + i] as number);
      }
      ata[k * nd + i] = s0;
    }
  }
}

/** SSE of a seasonal form over y[0..end) from the given initial state. */
function sseOf(
  y: Float64Array,
  end: number,
  trend: boolean,
  mult: boolean,
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
  ph: number,
  l0: number,
  b0: number,
  values: Float64Array,
  idx?: Int32Array,
): number {
  const s = sseOfS(m);
  for (let i = 0; i < m; i++) s[i] = values[i] as number;
  let l = l0;
  let b = trend ? b0 : 0;
  let sse = 0;
  let j = 0;
  for (let t = 0; t < end; t++) {
    if (idx) j = idx[t] as number;
    const lb = l + ph * b;
    const sp = s[j] as number;
    const e = (y[t] as number) - (mult ? lb * sp : lb + sp);
    sse += e * e;
    if (mult) {
      l = lb + (alpha * e) / sp;
      b = ph * b + (beta * e) / sp;
      s[j] = sp + (gamma * e) / lb;
    } else {
      l = lb + alpha * e;
      b = ph * b + beta * e;
      s[j] = sp + gamma * e;
    }
    if (++j === m) j = 0;
  }
  return Number.isFinite(sse) ? sse : Infinity;
}
const sseOfS = scratchF64();

/**
 * Solves A x = r for symmetric positive semi-definite A (upper triangle filled) by Cholesky; null when
 * singular. x is a reused buffer (scratch.ts), valid until the next call.
 */
function solveSymmetric(a: Float64Array, r: Float64Array, n: number): Float64Array | null {
  const c = solveC(n * n).fill(0, 0, n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i] as number);
  if (!(maxDiag > 0)) return null;
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let v = a[i * n + k] as number;
      for (let p = 0; p < i; p++) v -= (c[p * n + i] as number) * (c[p * n + k] as number);
      if (k === i) {
        if (!(v > 1e-10 * maxDiag)) return null;
        c[i * n + i] = Math.sqrt(v);
      } else c[i * n + k] = v / (c[i * n + i] as number);
    }
  }
  // C^T z = r, then C x = z (C upper triangular).
  const x = solveX(n).fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    let v = r[i] as number;
    for (let p = 0; p < i; p++) v -= (c[p * n + i] as number) * (x[p] as number);
    x[i] = v / (c[i * n + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = x[i] as number;
    for (let p = i + 1; p < n; p++) v -= (c[i * n + p] as number) * (x[p] as number);
    x[i] = v / (c[i * n + i] as number);
  }
  return x;
}
const solveC = scratchF64();
const solveX = scratchF64();

/** Least-squares line through y[0..len) (after removing the profile); returns intercept and slope. */
function initialLevel(
  y: Float64Array,
  len: number,
  profile: SeasonProfile | null,
  mult: boolean,
  m: number,
  idx?: Int32Array,
): [number, number] {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < len; t++) {
    const p = profile ? (profile.values[slot(idx, m, t)] as number) : mult ? 1 : 0;
    const v = profile ? (mult ? (y[t] as number) / p : (y[t] as number) - p) : (y[t] as number);
    sx += t;
    sy += v;
    sxx += t * t;
    sxy += t * v;
  }
  const den = len * sxx - sx * sx;
  const slope = den > 0 ? (len * sxy - sx * sy) / den : 0;
  return [(sy - slope * sx) / len, slope];
}

/** Fits ETS forms on one series, caching the seasonal profiles and fits so `ets` reuses the members. */
export class EtsFitter {
  private readonly fits = new Map<EtsForm, Fit | string>();
  private readonly profiles = new Map<boolean, SeasonProfile | null>();
  /** Per fitted seasonal form: its fit with fitted initial states, computed on demand. */
  private readonly refiners = new Map<EtsForm, () => Fit | null>();
  private readonly refined = new Map<EtsForm, Fit | null>();
  /**
   * The seasonal states every form's recursion runs on (run sets them from the form's start first):
   * the forms of a fitter are fitted one after another, so they share one array.
   */
  private states: Float64Array | null = null;

  constructor(private readonly input: FitInput) {}

  /** The fit of one form, or the reason it cannot be fitted. */
  form(form: EtsForm): Fit | string {
    let f = this.fits.get(form);
    if (f === undefined) {
      f = this.fitForm(form);
      this.fits.set(form, f);
    }
    return f;
  }

  /** A form's fit with fitted initial states where AICc prefers them, else its fit. */
  private fitted(form: EtsForm): Fit | string {
    return this.refinedForm(form) ?? this.form(form);
  }

  /** The fit of a seasonal form with fitted initial states, or null when AICc does not prefer it. */
  private refinedForm(form: EtsForm): Fit | null {
    let f = this.refined.get(form);
    if (f === undefined) {
      this.form(form);
      const r = this.refiners.get(form);
      f = r ? r() : null;
      this.refined.set(form, f);
    }
    return f;
  }

  private profile(mult: boolean): SeasonProfile | null {
    let p = this.profiles.get(mult);
    if (p === undefined) {
      p = estimateProfile(this.input.y, this.input.m, this.input.fitEnd, mult, this.input.seasonIndex);
      this.profiles.set(mult, p);
    }
    return p;
  }

  private fitForm(form: EtsForm): Fit | string {
    const f = this.begin(form);
    return typeof f === 'string' ? f : this.end(f, minimise(f.search, f.sse));
  }

  /**
   * Fits the forms of two fitters (the two fitting windows of one series, see engine.ts) that
   * neither has yet, the same form of both side by side: their searches ask for one point each at
   * a time and runPair evaluates the two in one pass over the series (two independent recursions
   * in one loop run in about the time of one: each alone waits on its own chain of operations).
   * Every value is what the form's own objective gives, so each fit is the one form() would make.
   */
  static fitPaired(a: EtsFitter, b: EtsFitter): void {
    for (const form of ETS_FORMS) {
      if (a.fits.has(form) || b.fits.has(form)) continue;
      const fa = a.begin(form);
      const fb = b.begin(form);
      if (typeof fa === 'string' || typeof fb === 'string' || !pairable(fa, fb)) {
        a.fits.set(form, typeof fa === 'string' ? fa : a.end(fa, minimise(fa.search, fa.sse)));
        b.fits.set(form, typeof fb === 'string' ? fb : b.end(fb, minimise(fb.search, fb.sse)));
        continue;
      }
      const [ra, rb] = minimisePair(fa.search, fb.search, fa.sse, fb.sse, (xa, xb, out) =>
        ssePair(fa, xa, fb, xb, out),
      );
      a.fits.set(form, a.end(fa, ra));
      b.fits.set(form, b.end(fb, rb));
    }
  }

  /** A form up to its parameter search: the reason it cannot be fitted, or the search and its objective. */
  private begin(form: EtsForm): FormSearch | string {
    const { y, m, fitEnd, seasonIndex: idx } = this.input;
    const trend = form[1] === 'A';
    const damped = form.includes('Ad');
    // Undamped linear trend without season: initial state solved per smoothing pair (AAN). With a
    // season (AAM) the initial state comes from the decomposition, as for the damped forms.
    const linear = trend && !damped && form === 'AAN';
    const seasonChar = form[form.length - 1];
    const season: 0 | 1 | 2 = seasonChar === 'A' ? 1 : seasonChar === 'M' ? 2 : 0;
    const minLen = linear ? LINEAR_TREND_MIN_VALUES : season !== 0 ? 2 * m : trend ? 4 : 2;
    if (season !== 0 && m <= 1) return 'bucket type has no season';
    if (fitEnd < minLen) return `needs ${minLen} values to fit, has ${fitEnd}`;
    let profile: SeasonProfile | null = null;
    if (season !== 0) {
      if (season === 2) {
        for (let t = 0; t < fitEnd; t++)
          if (!((y[t] as number) > 0)) return 'multiplicative season needs positive values';
      }
      profile = this.profile(season === 2);
      if (!profile) return 'cannot estimate the seasonal profile';
    }
    const initLen = season !== 0 ? Math.min(fitEnd, 2 * m) : Math.min(fitEnd, 10);
    const [a, slope] = initialLevel(y, initLen, profile, season === 2, m, idx);
    let init: Init;
    if (trend) init = { l0: a - slope, b0: slope, profile };
    else {
      // Without a trend the level starts at the mean of the first (de-seasonalised) values.
      const len = season !== 0 ? m : Math.min(fitEnd, 10);
      const [a0, s0] = initialLevel(y, len, profile, season === 2, m, idx);
      init = { l0: a0 + (s0 * (len - 1)) / 2, b0: 0, profile };
    }
    const s = (this.states ??= new Float64Array(Math.max(m, 1)));
    const sse = (x: ArrayLike<number>): number => {
      const [al, be, ga, ph] = unpack(x, trend, season, damped);
      if (linear) return linearTrendInit(y, fitEnd, al, be).sse;
      return run(y, fitEnd, trend, season, m, al, be, ga, ph, init, s, null, idx);
    };
    // Start: alpha 0.2, beta/alpha 0.1, gamma/(1-alpha) 0.1, phi 0.95.
    const x0: number[] = [0.2];
    const lower: number[] = [LO];
    const upper: number[] = [HI];
    if (trend) {
      x0.push(0.1);
      lower.push(LO);
      upper.push(HI);
    }
    if (season !== 0) {
      x0.push(0.1);
      lower.push(LO);
      upper.push(HI);
    }
    if (damped) {
      x0.push(0.95);
      lower.push(PHI_LO);
      upper.push(PHI_HI);
    }
    const maxEvaluations = 10 * x0.length + 15;
    const search =
      !trend && season === 0
        ? new GoldenSectionSearch(LO, HI, 28)
        : new NelderMeadSearch(x0, { lower, upper, maxEvaluations });
    return {
      form,
      trend,
      damped,
      linear,
      season,
      seasonChar,
      profile,
      init,
      s,
      search,
      sse,
      y,
      fitEnd,
      m,
      idx,
    };
  }

  /** A form's fit from the minimum its search found. */
  private end(st: FormSearch, r: Minimum): Fit | string {
    const { y, m, fitEnd, seasonIndex: idx } = this.input;
    const { form, trend, damped, linear, season, seasonChar, profile, init, s } = st;
    const unpack4 = (x: ArrayLike<number>) => unpack(x, trend, season, damped);
    const best = r.x;
    const bestSse = r.value;
    if (!Number.isFinite(bestSse) || bestSse >= Number.MAX_VALUE) return 'fit diverged';
    const dof = profile ? profile.dof : 0;
    // Parameters: smoothing ones, initial level (and slope), the season's free states, sigma.
    const kBase = 1 + (trend ? 2 : 0) + (season !== 0 ? 1 : 0) + 1 + (damped ? 1 : 0) + 1;
    const aiccOf = (v: number, d: number): number => {
      const k = kBase + d;
      return fitEnd - k - 1 > 0
        ? fitEnd * Math.log(Math.max(v / fitEnd, 1e-300)) + 2 * k + (2 * k * (k + 1)) / (fitEnd - k - 1)
        : Infinity;
    };
    const finish = (x: ArrayLike<number>, xSse: number, init: Init, dof: number): Fit | string => {
      const [alpha, beta, gamma, phi] = unpack4(x);
      if (linear) {
        const solved = linearTrendInit(y, fitEnd, alpha, beta);
        init = { l0: solved.l0, b0: solved.b0, profile: null };
      }
      const n = y.length;
      const pred = f64(n + 1);
      run(y, n, trend, season, m, alpha, beta, gamma, phi, init, s, pred, idx);
      for (let t = 0; t <= n; t++) if (!Number.isFinite(pred[t])) return 'fit diverged';
      const aicc = aiccOf(xSse, dof);
      const name =
        form === 'ANN'
          ? 'ses'
          : form === 'AAdN'
            ? 'holt'
            : form === 'AAdA'
              ? 'holt_winters_additive'
              : form === 'AAdM'
                ? 'holt_winters_multiplicative'
                : 'ets';
      const params: Fit['params'] = {
        form: `${form[0]},${damped ? 'Ad' : trend ? 'A' : 'N'},${seasonChar}`,
        alpha: r6(alpha),
      };
      if (trend) params.beta = r6(beta);
      if (season !== 0) params.gamma = r6(gamma);
      if (damped) params.phi = r6(phi);
      params.l0 = r6(init.l0);
      if (trend) params.b0 = r6(init.b0);
      if (profile) params.seasonProfile = (init.profile as SeasonProfile).kind;
      return { model: name, params, pred, fallbackReason: null, aicc };
    };
    if (season !== 0 && profile && m <= SEASONAL_INIT_MAX_PERIOD && fitEnd <= SEASONAL_INIT_MAX_SEASONS * m) {
      const p = profile;
      // Fitted initial states (refineSeasonalInit) for the parameters found; kept when AICc, which
      // then counts m - 1 seasonal states, prefers them.
      this.refiners.set(form, () => {
        const [al, be, ga, ph] = unpack4(best);
        const r = refineSeasonalInit(
          y,
          fitEnd,
          trend,
          season,
          m,
          al,
          be,
          ga,
          ph,
          { l0: init.l0, b0: init.b0, values: p.values },
          idx,
        );
        if (!r || !(aiccOf(r.sse, m - 1) < aiccOf(bestSse, dof))) return null;
        const fitted: Init = {
          l0: r.l0,
          b0: r.b0,
          profile: { values: r.values, dof: m - 1, kind: `${p.kind}+fitted` },
        };
        const f = finish(best, r.sse, fitted, m - 1);
        return typeof f === 'string' ? null : f;
      });
    }
    return finish(best, bestSse, init, dof);
  }

  /** Simple exponential smoothing; naive when too short. */
  ses(): Fit {
    const f = this.form('ANN');
    return typeof f === 'string' ? fallback(fitNaive(this.input), f) : f;
  }

  /** Damped Holt; SES when too short or the fit fails. */
  holt(): Fit {
    const f = this.form('AAdN');
    return typeof f === 'string' ? fallback(this.ses(), f) : f;
  }

  /** Damped additive Holt-Winters; Holt when there are fewer than two seasons. */
  holtWintersAdditive(): Fit {
    const f = this.fitted('AAdA');
    return typeof f === 'string' ? fallback(this.holt(), f) : f;
  }

  /** Damped multiplicative Holt-Winters; additive when values are not all positive. */
  holtWintersMultiplicative(): Fit {
    const f = this.fitted('AAdM');
    if (typeof f !== 'string') return f;
    const add = this.fitted('AAdA');
    return typeof add === 'string' ? fallback(this.holt(), `${f}; ${add}`) : fallback(add, f);
  }

  /** AutoETS: the form with the lowest AICc among those that can be fitted. */
  auto(): Fit {
    let best: Fit | null = null;
    for (const form of ETS_FORMS) {
      const f = this.form(form);
      if (typeof f === 'string') continue;
      if (!best || (f.aicc as number) < (best.aicc as number)) best = f;
    }
    if (!best) return fallback(fitNaive(this.input), 'no exponential-smoothing form could be fitted');
    for (const form of ETS_FORMS) {
      const f = this.refinedForm(form);
      if (f && (f.aicc as number) < (best.aicc as number)) best = f;
    }
    // A seasonal bucket type whose history is too short for any seasonal form is a fallback too.
    const seasonal = this.form('AAdA');
    if (this.input.m > 1 && typeof seasonal === 'string' && typeof this.form('AAdM') === 'string')
      return { ...best, model: 'ets', fallbackReason: `seasonal forms not fitted: ${seasonal}` };
    return { ...best, model: 'ets' };
  }
}
