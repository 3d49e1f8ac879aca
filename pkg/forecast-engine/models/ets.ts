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
import { goldenSection, nelderMead } from '../optimize.js';
import { estimateProfile, type SeasonProfile } from './season.js';

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
  const l = init.l0;
  const b = trend ? init.b0 : 0;
  const ph = trend ? phi : 0;
  if (season === 0) return runNone(y, end, alpha, beta, ph, l, b, out);
  s.set((init.profile as SeasonProfile).values);
  return season === 1
    ? runAdditive(y, end, m, alpha, beta, gamma, ph, l, b, s, out, idx)
    : runMultiplicative(y, end, m, alpha, beta, gamma, ph, l, b, s, out, idx);
}

function runNone(
  y: Float64Array,
  end: number,
  alpha: number,
  beta: number,
  ph: number,
  l: number,
  b: number,
  out: Float64Array | null,
): number {
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
  return sse;
}

function runAdditive(
  y: Float64Array,
  end: number,
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
  ph: number,
  l: number,
  b: number,
  s: Float64Array,
  out: Float64Array | null,
  idx?: Int32Array,
): number {
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
  return sse;
}

function runMultiplicative(
  y: Float64Array,
  end: number,
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
  ph: number,
  l: number,
  b: number,
  s: Float64Array,
  out: Float64Array | null,
  idx?: Int32Array,
): number {
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
  return sse;
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
  const dl = new Float64Array(nd);
  const db = new Float64Array(nd);
  const ds = new Float64Array(nd * m);
  dl[0] = 1;
  if (trend) db[1] = 1;
  for (let j = 0; j < m - 1; j++) {
    ds[(sOff + j) * m + j] = 1;
    ds[(sOff + j) * m + m - 1] = -1;
  }
  const df = new Float64Array(nd);
  const ata = new Float64Array(nd * nd);
  const ate = new Float64Array(nd);
  const s = Float64Array.from(init.values);
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
        df[k] = dfk;
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
        df[k] = dfk;
        dl[k] = dlb - alpha * dfk;
        db[k] = ph * (db[k] as number) - beta * dfk;
        ds[q] = dsp - gamma * dfk;
      }
    }
    for (let k = 0; k < nd; k++) {
      const a = df[k] as number;
      if (a === 0) continue;
      ate[k] = (ate[k] as number) + a * e;
      const row = k * nd;
      for (let i = k; i < nd; i++) ata[row + i] = (ata[row + i] as number) + a * (df[i] as number);
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
  const step = solveSymmetric(ata, ate, nd);
  if (!step) return null;
  const values = new Float64Array(m);
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
    if (sse < sse0) return { l0, b0, values, sse };
    if (!mult) break;
  }
  return null;
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
  const s = Float64Array.from(values);
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

/** Solves A x = r for symmetric positive semi-definite A (upper triangle filled) by Cholesky; null when singular. */
function solveSymmetric(a: Float64Array, r: Float64Array, n: number): Float64Array | null {
  const c = new Float64Array(n * n);
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
  const x = new Float64Array(n);
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
    const s = new Float64Array(Math.max(m, 1));
    // Parameter vector: alpha, beta/alpha, gamma/(1-alpha), phi (only the ones the form has).
    const unpack = (x: ArrayLike<number>): [number, number, number, number] => {
      const alpha = x[0] as number;
      let i = 1;
      const beta = trend ? alpha * (x[i++] as number) : 0;
      const gamma = season !== 0 ? (1 - alpha) * (x[i++] as number) : 0;
      const phi = damped ? (x[i] as number) : 1;
      return [alpha, beta, gamma, phi];
    };
    const sse = (x: ArrayLike<number>): number => {
      const [al, be, ga, ph] = unpack(x);
      if (linear) return linearTrendInit(y, fitEnd, al, be).sse;
      return run(y, fitEnd, trend, season, m, al, be, ga, ph, init, s, null, idx);
    };
    let best: Float64Array;
    let bestSse: number;
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
    if (!trend && season === 0) {
      const r = goldenSection((a1) => sse([a1]), LO, HI, 28);
      best = r.x;
      bestSse = r.value;
    } else {
      const r = nelderMead(sse, x0, { lower, upper, maxEvaluations });
      best = r.x;
      bestSse = r.value;
    }
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
      const [alpha, beta, gamma, phi] = unpack(x);
      if (linear) {
        const solved = linearTrendInit(y, fitEnd, alpha, beta);
        init = { l0: solved.l0, b0: solved.b0, profile: null };
      }
      const n = y.length;
      const pred = new Float64Array(n + 1);
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
        const [al, be, ga, ph] = unpack(best);
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
