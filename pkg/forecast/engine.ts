/**
 * The forecasting engine: fits every requested model once per series on the history before the
 * backtest origins, rolls each model's state forward through the origins (one-step-ahead errors,
 * no refit) up to the next bucket, and derives metrics, conformal intervals, the `ensemble` and the
 * `auto` choice from those shared fits.
 */
import { defaultOrigins, modelInfo, seasonLength } from './catalog.js';
import { inputHash } from './hash.js';
import {
  absResiduals,
  addOrigin,
  conformalHalfWidth,
  emptySums,
  maseScale,
  ratio,
  type ErrorSums,
} from './metrics.js';
import { fitDrift, fitNaive, fitSeasonalNaive, fitWindowAverage } from './models/baselines.js';
import { EtsFitter } from './models/ets.js';
import type { Fit } from './models/fit.js';
import { fitCrostonSba, fitTsb } from './models/intermittent.js';
import { fitLinearRegression } from './models/regression.js';
import { fitTheta } from './models/theta.js';
import {
  MODEL_NAMES,
  type BacktestMetrics,
  type BaseModelName,
  type ForecastOptions,
  type ForecastResult,
  type JsonValue,
  type ModelName,
  type SeriesInput,
} from './types.js';

/** Raised for input the engine cannot forecast (empty series, non-finite values, bad options). */
export class ForecastInputError extends Error {
  override readonly name = 'ForecastInputError';
}

/** Candidates `auto` chooses among, in tie-break order (simpler first). */
export const AUTO_CANDIDATES: readonly BaseModelName[] = [
  'seasonal_naive',
  'naive',
  'window_average',
  'ses',
  'holt',
  'holt_winters_additive',
  'holt_winters_multiplicative',
  'ets',
  'theta',
  'croston_sba',
  'tsb',
  'linear_regression',
];

/** Members the `ensemble` takes its three strongest from. */
export const ENSEMBLE_POOL: readonly BaseModelName[] = AUTO_CANDIDATES;

const ENSEMBLE_SIZE = 3;

/**
 * Share of zero buckets above which a series counts as intermittent. On such series naive and
 * seasonal naive forecast 0 after every zero bucket, which wins short selection windows by chance and
 * then misses the demand, so they are not candidates there.
 */
const INTERMITTENT_SHARE = 0.3;
const REPEATS_ZEROS: ReadonlySet<BaseModelName> = new Set(['naive', 'seasonal_naive']);

/** Fits of every base model on one fitting window, made lazily and shared by all requested models. */
class CandidateSet {
  private readonly fits = new Map<BaseModelName, Fit>();
  private readonly cum = new Map<Float64Array, { abs: Float64Array; missing: Int32Array }>();
  private readonly ets: EtsFitter;
  /** More than INTERMITTENT_SHARE of the fitting window is zero (or negative). */
  readonly intermittent: boolean;

  constructor(
    readonly y: Float64Array,
    readonly m: number,
    readonly fitEnd: number,
  ) {
    this.ets = new EtsFitter({ y, m, fitEnd });
    let zeros = 0;
    for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) zeros++;
    this.intermittent = fitEnd > 0 && zeros > INTERMITTENT_SHARE * fitEnd;
  }

  fit(name: BaseModelName): Fit {
    let f = this.fits.get(name);
    if (!f) {
      f = this.make(name);
      // Forecasts are never negative; errors are measured on what would have been issued.
      const p = f.pred;
      for (let t = 0; t < p.length; t++) if ((p[t] as number) < 0) p[t] = 0;
      this.fits.set(name, f);
    }
    return f;
  }

  private make(name: BaseModelName): Fit {
    const input = { y: this.y, m: this.m, fitEnd: this.fitEnd };
    switch (name) {
      case 'naive':
        return fitNaive(input);
      case 'seasonal_naive':
        return fitSeasonalNaive(input);
      case 'window_average':
        return fitWindowAverage(input);
      case 'drift':
        return fitDrift(input);
      case 'ses':
        return this.ets.ses();
      case 'holt':
        return this.ets.holt();
      case 'holt_winters_additive':
        return this.ets.holtWintersAdditive();
      case 'holt_winters_multiplicative':
        return this.ets.holtWintersMultiplicative();
      case 'ets':
        return this.ets.auto();
      case 'theta':
        return fitTheta(input);
      case 'croston_sba':
        return fitCrostonSba(input);
      case 'tsb':
        return fitTsb(input);
      case 'linear_regression':
        return fitLinearRegression(input);
    }
  }

  /** Mean absolute one-step error of a prediction array over [a, t); NaN when a prediction is missing or the window is empty. */
  windowMae(pred: Float64Array, a: number, t: number): number {
    let c = this.cum.get(pred);
    if (!c) {
      const n = this.y.length;
      const abs = new Float64Array(n + 1);
      const missing = new Int32Array(n + 1);
      for (let u = 0; u < n; u++) {
        const p = pred[u] as number;
        const miss = Number.isNaN(p);
        abs[u + 1] = (abs[u] as number) + (miss ? 0 : Math.abs((this.y[u] as number) - p));
        missing[u + 1] = (missing[u] as number) + (miss ? 1 : 0);
      }
      c = { abs, missing };
      this.cum.set(pred, c);
    }
    if (t <= a || (c.missing[t] as number) !== (c.missing[a] as number)) return NaN;
    return ((c.abs[t] as number) - (c.abs[a] as number)) / (t - a);
  }
}

/** A chosen set of fits whose prediction is the median of the members'. */
type Choice = readonly Fit[];

function choicePred(choice: Choice, t: number): number {
  if (choice.length === 1) return (choice[0] as Fit).pred[t] as number;
  // Members that cannot forecast t (warm-up) are left out of the median.
  const v = choice
    .map((f) => f.pred[t] as number)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}

/** Ranks candidates by their error over [a, t) and keeps the best `size` distinct ones that can forecast t. */
function choose(
  cs: CandidateSet,
  candidates: readonly BaseModelName[],
  a: number,
  t: number,
  size: number,
): Choice {
  const scored: { fit: Fit; mae: number; order: number }[] = [];
  const seen = new Set<Float64Array>();
  candidates.forEach((name, order) => {
    if (cs.intermittent && REPEATS_ZEROS.has(name)) return;
    const fit = cs.fit(name);
    // Fallbacks and `ets` can share a prediction array with another candidate; count it once.
    if (seen.has(fit.pred) || Number.isNaN(fit.pred[t])) return;
    seen.add(fit.pred);
    const mae = cs.windowMae(fit.pred, a, t);
    scored.push({ fit, mae: Number.isNaN(mae) ? Infinity : mae, order });
  });
  scored.sort((p, q) => p.mae - q.mae || p.order - q.order);
  const chosen = scored.slice(0, size).map((s) => s.fit);
  return chosen.length > 0 ? chosen : [cs.fit('naive')];
}

interface Resolved {
  readonly y: Float64Array;
  readonly n: number;
  readonly m: number;
  /** Requested origins and selection origins (they go into the hash). */
  readonly origins: number;
  readonly selectionOrigins: number;
  /** Origins actually evaluated: at most half the series. */
  readonly k: number;
  /** Selection window actually used. */
  readonly s: number;
  /** MASE scale on the history before the first origin. */
  readonly scale: number;
}

function resolve(series: SeriesInput, options: ForecastOptions): Resolved {
  const n = series.values.length;
  if (n === 0) throw new ForecastInputError('series is empty');
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const v = series.values[t] as number;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ForecastInputError(`value at index ${t} is not a finite number`);
    y[t] = v;
  }
  const origins = options.origins ?? defaultOrigins(series.bucketType);
  const selectionOrigins = options.selectionOrigins ?? origins;
  if (!Number.isInteger(origins) || origins < 1)
    throw new ForecastInputError(`origins must be a positive integer, got ${origins}`);
  if (!Number.isInteger(selectionOrigins) || selectionOrigins < 1)
    throw new ForecastInputError(`selectionOrigins must be a positive integer, got ${selectionOrigins}`);
  const m = seasonLength(series.bucketType);
  const k = Math.min(origins, Math.floor(n / 2));
  const s = Math.min(selectionOrigins, k);
  return { y, n, m, origins, selectionOrigins, k, s, scale: maseScale(y, m, n - k) };
}

/** What one model produced on one series: the stored result's numbers plus pooled error sums. */
export interface ModelOutcome {
  readonly model: ModelName;
  /** The single fit behind the numbers; null for the ensemble (a median of several). */
  readonly effective: Fit | null;
  readonly params: { [key: string]: JsonValue };
  readonly point: number;
  readonly half80: number;
  readonly half95: number;
  readonly sums: ErrorSums;
  readonly mase: number | null;
}

/** Rolls a per-origin choice over the backtest origins [n-k, n) and sums the outcomes. */
function backtest(r: Resolved, pickAt: (t: number) => Choice): ErrorSums {
  const sums = emptySums();
  const { y, n, k } = r;
  for (let t = n - k; t < n; t++) {
    const choice = pickAt(t);
    const point = choicePred(choice, t);
    if (Number.isNaN(point)) continue;
    const res = comboResiduals(r, choice, t - k, t);
    addOrigin(sums, y[t] as number, point, conformalHalfWidth(res, 0.8), conformalHalfWidth(res, 0.95));
  }
  return sums;
}

function comboResiduals(r: Resolved, choice: Choice, from: number, to: number): Float64Array {
  if (choice.length === 1) return absResiduals(r.y, (choice[0] as Fit).pred, from, to);
  const p = new Float64Array(to - Math.max(from, 0));
  for (let t = Math.max(from, 0); t < to; t++) p[t - Math.max(from, 0)] = choicePred(choice, t);
  return absResiduals(r.y.subarray(Math.max(from, 0), to), p, 0, to - Math.max(from, 0));
}

function outcome(
  r: Resolved,
  model: ModelName,
  choice: Choice,
  sums: ErrorSums,
  params: { [key: string]: JsonValue },
): ModelOutcome {
  const res = comboResiduals(r, choice, r.n - r.k, r.n);
  const point = choicePred(choice, r.n);
  const mase = sums.count > 0 && r.scale > 0 ? sums.absError / sums.count / r.scale : null;
  return {
    model,
    effective: model === 'ensemble' ? null : (choice[0] as Fit),
    params,
    point: Number.isNaN(point) ? 0 : Math.max(0, point),
    half80: conformalHalfWidth(res, 0.8),
    half95: conformalHalfWidth(res, 0.95),
    sums,
    mase,
  };
}

function selectorParams(choice: Choice, s: number, mode: 'auto' | 'ensemble'): { [key: string]: JsonValue } {
  if (mode === 'ensemble') return { members: choice.map((f) => f.model), selectionOrigins: s };
  const f = choice[0] as Fit;
  return {
    selected: f.model,
    selectedVersion: modelInfo(f.model).modelVersion,
    selectedParams: f.params,
    selectionOrigins: s,
  };
}

/** Computes every requested model on one series, sharing fits; the engine's workhorse. */
export function computeOutcomes(
  series: SeriesInput,
  models: readonly ModelName[],
  options: ForecastOptions = {},
): {
  readonly resolved: Resolved;
  readonly outcomes: ModelOutcome[];
  readonly seasonalNaive: ModelOutcome;
} {
  const r = resolve(series, options);
  const c1 = new CandidateSet(r.y, r.m, r.n - r.k);
  let c2: CandidateSet | null = null;
  let s2 = 0;
  const nested = (): CandidateSet => {
    if (!c2) {
      // Selectors are scored honestly: candidates refitted before the selection window of the
      // first origin, so every selection at an origin uses errors made out of sample.
      s2 = Math.min(r.s, Math.floor((r.n - r.k) / 2));
      c2 = new CandidateSet(r.y, r.m, r.n - r.k - s2);
    }
    return c2;
  };
  const base = (name: BaseModelName): ModelOutcome => {
    const fit = c1.fit(name);
    const choice = [fit];
    return outcome(
      r,
      name,
      choice,
      backtest(r, () => choice),
      fit.params,
    );
  };
  const selector = (mode: 'auto' | 'ensemble'): ModelOutcome => {
    const candidates = mode === 'auto' ? AUTO_CANDIDATES : ENSEMBLE_POOL;
    const size = mode === 'auto' ? 1 : ENSEMBLE_SIZE;
    const cs = nested();
    const sums = backtest(r, (t) => choose(cs, candidates, t - s2, t, size));
    const final = choose(c1, candidates, r.n - r.s, r.n, size);
    return outcome(r, mode, final, sums, selectorParams(final, r.s, mode));
  };
  const cache = new Map<ModelName, ModelOutcome>();
  const get = (name: ModelName): ModelOutcome => {
    let o = cache.get(name);
    if (!o) {
      o = name === 'auto' || name === 'ensemble' ? selector(name) : base(name);
      cache.set(name, o);
    }
    return o;
  };
  const outcomes = models.map(get);
  return { resolved: r, outcomes, seasonalNaive: get('seasonal_naive') };
}

function metricsOf(o: ModelOutcome, sn: ModelOutcome): BacktestMetrics | null {
  const s = o.sums;
  if (s.count === 0) return null;
  const wape = s.absActual > 0 ? s.absError / s.absActual : null;
  const snWape = sn.sums.absActual > 0 ? sn.sums.absError / sn.sums.absActual : null;
  return {
    origins: s.count,
    mae: s.absError / s.count,
    mase: o.mase,
    wape,
    smape: s.smape / s.count,
    coverage80: s.hits80 / s.count,
    coverage95: s.hits95 / s.count,
    maseRatioToSeasonalNaive: ratio(o.mase, sn.mase),
    wapeRatioToSeasonalNaive: ratio(wape, snWape),
  };
}

/** Forecasts the next bucket of one series with each of the given models (fits are shared). */
export function forecastModels(
  series: SeriesInput,
  models: readonly ModelName[],
  options: ForecastOptions = {},
): ForecastResult[] {
  for (const name of models)
    if (!(MODEL_NAMES as readonly string[]).includes(name))
      throw new ForecastInputError(`unknown model "${name}"`);
  const { resolved: r, outcomes, seasonalNaive } = computeOutcomes(series, models, options);
  return outcomes.map((o) => {
    const info = modelInfo(o.model);
    const effective: ModelName = o.effective ? o.effective.model : o.model;
    const isSelector = o.model === 'auto' || o.model === 'ensemble';
    const fellBack =
      !isSelector && o.effective !== null && (effective !== o.model || o.effective.fallbackReason !== null);
    return {
      model: o.model,
      modelVersion: info.modelVersion,
      effectiveModel: effective,
      effectiveModelVersion: modelInfo(effective).modelVersion,
      params: o.params,
      inputHash: inputHash({
        bucketType: series.bucketType,
        values: r.y,
        model: o.model,
        modelVersion: info.modelVersion,
        origins: r.origins,
        selectionOrigins: r.selectionOrigins,
      }),
      bucketType: series.bucketType,
      seasonLength: r.m,
      historyLength: r.n,
      point: o.point,
      lo80: Math.max(0, o.point - o.half80),
      hi80: o.point + o.half80,
      lo95: Math.max(0, o.point - o.half95),
      hi95: o.point + o.half95,
      metrics: metricsOf(o, seasonalNaive),
      fallbackFrom: fellBack ? o.model : null,
      fallbackReason: fellBack ? (o.effective?.fallbackReason ?? 'fit failed') : null,
    };
  });
}

/** Forecasts the next bucket of one series with one model. */
export function forecast(
  series: SeriesInput,
  model: ModelName,
  options: ForecastOptions = {},
): ForecastResult {
  return forecastModels(series, [model], options)[0] as ForecastResult;
}
