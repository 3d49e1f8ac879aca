/**
 * The forecasting engine: fits every requested model once per series on the history before the
 * backtest origins, rolls each model's state forward through the origins (one-step-ahead errors,
 * no refit) up to the next bucket, and derives metrics, conformal intervals, the `ensemble` and the
 * `auto` choice from those shared fits.
 */
import {
  calendarFeatures,
  epochDay,
  estimateCalendarFactors,
  MIN_POSITION_WEEKS,
  type CalendarEffects,
  type CalendarFeatures,
  type TradingMemo,
} from './calendar.js';
import { defaultOrigins, modelInfo, seasonLength } from './catalog.js';
import { r6 } from './models/fit.js';
import { inputHash } from './hash.js';
import { f64, f64Copy } from './scratch.js';
import { halfWidthsOf, holidayClass, residualReach, type IntervalSetup } from './intervals.js';
import { addOrigin, emptySums, maseScale, ratio, type ErrorSums } from './metrics.js';
import {
  fitDrift,
  fitNaive,
  fitSeasonalGrowth,
  fitSeasonalNaive,
  fitWindowAverage,
} from './models/baselines.js';
import { EtsFitter } from './models/ets.js';
import type { Fit } from './models/fit.js';
import { fitCrostonSba, fitTsb } from './models/intermittent.js';
import { fitLinearRegression } from './models/regression.js';
import { fitTheta } from './models/theta.js';
import { AUTO_HALF_LIFE, discountedMae } from './selection.js';
import {
  MODEL_NAMES,
  type BacktestMetrics,
  type BaseModelName,
  type BucketType,
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
  'seasonal_growth',
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
export class CandidateSet implements Scorer {
  private readonly fits = new Map<BaseModelName, Fit>();
  private readonly cum: CumErrors = new Map();
  private readonly ets: EtsFitter;
  /** More than INTERMITTENT_SHARE of the fitting window is zero (or negative). */
  readonly intermittent: boolean;
  /** Holiday effects estimated on the fitting window, when the series has dates and they show. */
  readonly calendar: CalendarEffects | null;
  /** What the models are fitted on: y, or y divided by its calendar factors. */
  private readonly yFit: Float64Array;
  private readonly adjusted = new Map<Float64Array, Float64Array>();

  /** WEEK with dates: where the same dates one year earlier lie (calendar.ts). */
  private readonly yearBack: Float64Array | undefined;
  /** WEEK with dates: each bucket's position in the calendar year, for the seasonal models. */
  private readonly seasonIndex: Int32Array | undefined;

  /**
   * @param cal calendar features of buckets [0, n] (calendar.ts), when the series has dates: the
   *   models then fit the series without its estimated calendar effects (holidays; MONTH: trading
   *   days) and forecast with them, and the seasonal baselines of WEEK series look one calendar
   *   year back instead of 52 weeks.
   * @param memo shared by the candidate sets of one series (calendar.ts, TradingMemo).
   */
  constructor(
    readonly y: Float64Array,
    readonly m: number,
    readonly fitEnd: number,
    cal: CalendarFeatures | null = null,
    memo: TradingMemo = {},
  ) {
    this.calendar = cal ? estimateCalendarFactors(y, cal, fitEnd, memo) : null;
    this.yearBack = cal?.yearBack ?? undefined;
    // Calendar positions only on fitting windows of six years and more (calendar.ts).
    this.seasonIndex = fitEnd >= MIN_POSITION_WEEKS ? (cal?.seasonIndex ?? undefined) : undefined;
    let yFit = y;
    if (this.calendar) {
      const f = this.calendar.factor;
      yFit = f64(y.length);
      for (let t = 0; t < y.length; t++) yFit[t] = (y[t] as number) / (f[t] as number);
    }
    this.yFit = yFit;
    this.ets = new EtsFitter({ y: yFit, m, fitEnd, seasonIndex: this.seasonIndex });
    let zeros = 0;
    for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) zeros++;
    this.intermittent = fitEnd > 0 && zeros > INTERMITTENT_SHARE * fitEnd;
  }

  fit(name: BaseModelName): Fit {
    let f = this.fits.get(name);
    if (!f) {
      f = this.make(name);
      if (this.calendar) {
        // One adjusted array per raw one, so candidates sharing predictions still share them.
        let adj = this.adjusted.get(f.pred);
        if (!adj) {
          const cf = this.calendar.factor;
          adj = f64(f.pred.length);
          for (let t = 0; t < adj.length; t++) adj[t] = (f.pred[t] as number) * (cf[t] as number);
          this.adjusted.set(f.pred, adj);
        }
        f = { ...f, pred: adj };
        if (f.residualPred) {
          const rp = f64Copy(f.residualPred);
          const cf = this.calendar.factor;
          for (let t = 0; t < rp.length; t++) rp[t] = (rp[t] as number) * (cf[t] as number);
          f = { ...f, residualPred: rp };
        }
      }
      // Forecasts are never negative; errors are measured on what would have been issued.
      const p = f.pred;
      for (let t = 0; t < p.length; t++) if ((p[t] as number) < 0) p[t] = 0;
      const rp = f.residualPred;
      if (rp) for (let t = 0; t < rp.length; t++) if ((rp[t] as number) < 0) rp[t] = 0;
      this.fits.set(name, f);
    }
    return f;
  }

  private make(name: BaseModelName): Fit {
    const input = {
      y: this.yFit,
      m: this.m,
      fitEnd: this.fitEnd,
      yearBack: this.yearBack,
      seasonIndex: this.seasonIndex,
    };
    switch (name) {
      case 'naive':
        return fitNaive(input);
      case 'seasonal_naive':
        return fitSeasonalNaive(input);
      case 'seasonal_growth':
        return fitSeasonalGrowth(input);
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
    return windowMae(this.cum, this.y, pred, a, t);
  }

  /**
   * Fits the exponential-smoothing forms of this set and of `other` side by side (the same fits as
   * one by one: EtsFitter.fitPaired), for a selector that will ask both sets for every candidate.
   */
  fitEtsWith(other: CandidateSet): void {
    EtsFitter.fitPaired(this.ets, other.ets);
  }
}

/** The candidates fitted by EtsFitter. */
const ETS_CANDIDATES: ReadonlySet<BaseModelName> = new Set([
  'ses',
  'holt',
  'holt_winters_additive',
  'holt_winters_multiplicative',
  'ets',
]);

type CumErrors = Map<Float64Array, { abs: Float64Array; missing: Int32Array }>;

/** Mean absolute error of pred against y over [a, t) from cached cumulative sums; NaN when a prediction is missing or the window is empty. */
function windowMae(cache: CumErrors, y: Float64Array, pred: Float64Array, a: number, t: number): number {
  let c = cache.get(pred);
  if (!c) {
    const n = y.length;
    const abs = new Float64Array(n + 1);
    const missing = new Int32Array(n + 1);
    for (let u = 0; u < n; u++) {
      const p = pred[u] as number;
      const miss = Number.isNaN(p);
      abs[u + 1] = (abs[u] as number) + (miss ? 0 : Math.abs((y[u] as number) - p));
      missing[u + 1] = (missing[u] as number) + (miss ? 1 : 0);
    }
    c = { abs, missing };
    cache.set(pred, c);
  }
  if (t <= a || (c.missing[t] as number) !== (c.missing[a] as number)) return NaN;
  return ((c.abs[t] as number) - (c.abs[a] as number)) / (t - a);
}

/** What the selectors rank candidates with. */
export interface Scorer {
  readonly y: Float64Array;
  readonly intermittent: boolean;
  fit(name: BaseModelName): Fit;
  windowMae(pred: Float64Array, a: number, t: number): number;
}

/**
 * Selection errors for the backtest of `auto` and `ensemble`: before the first origin (fitEnd of
 * `late`) the one-step errors of candidates fitted before the selection window (`early`), from the
 * first origin on those of the candidates fitted before it (`late`, the fits every single model is
 * backtested with). Every error is out of sample for the fit that made it, so a choice at origin t
 * uses nothing from t on; and the chosen members then forecast with the `late` fits, like every
 * single model does, instead of the older `early` fits (which cost the selectors accuracy on short
 * histories, where a quarter season more of fitting data matters).
 */
export class HybridSet implements Scorer {
  private readonly hybrids = new Map<Float64Array, Map<Float64Array, Float64Array>>();
  /** The hybrid fit of each name: the selectors ask for every candidate at every origin. */
  private readonly byName = new Map<BaseModelName, Fit>();
  private readonly cum: CumErrors = new Map();
  /** Whether the two sets' exponential-smoothing forms were fitted (side by side, on the first ask). */
  private etsFitted = false;

  constructor(
    private readonly early: CandidateSet,
    private readonly late: CandidateSet,
  ) {}

  get intermittent(): boolean {
    return this.late.intermittent;
  }

  get y(): Float64Array {
    return this.late.y;
  }

  fit(name: BaseModelName): Fit {
    const known = this.byName.get(name);
    if (known) return known;
    // The selectors ask for every candidate, `ets` (all forms) among them: both sets' forms at once.
    if (!this.etsFitted && ETS_CANDIDATES.has(name)) {
      this.etsFitted = true;
      this.early.fitEtsWith(this.late);
    }
    const e = this.early.fit(name);
    const l = this.late.fit(name);
    let byLate = this.hybrids.get(e.pred);
    if (!byLate) this.hybrids.set(e.pred, (byLate = new Map<Float64Array, Float64Array>()));
    let pred = byLate.get(l.pred);
    if (!pred) {
      pred = f64Copy(l.pred);
      pred.set(e.pred.subarray(0, this.late.fitEnd));
      byLate.set(l.pred, pred);
    }
    const f = { ...l, pred };
    this.byName.set(name, f);
    return f;
  }

  windowMae(pred: Float64Array, a: number, t: number): number {
    return windowMae(this.cum, this.late.y, pred, a, t);
  }
}

/**
 * A chosen set of fits and how their predictions combine: the median of the members (the
 * `ensemble`), or a weighted mean (`auto`: weights from out-of-sample errors).
 */
export interface Choice {
  /** The candidates asked for (a fit can be a fallback with another model name). */
  readonly names: readonly BaseModelName[];
  readonly fits: readonly Fit[];
  /** null: median of the members that can forecast t. */
  readonly weights: readonly number[] | null;
}

function choicePred(choice: Choice, t: number): number {
  const { fits, weights } = choice;
  if (fits.length === 1) return (fits[0] as Fit).pred[t] as number;
  const m = fits.length;
  if (medianPreds.length < m) medianPreds = new Array<Float64Array>(2 * m);
  for (let i = 0; i < m; i++) medianPreds[i] = (fits[i] as Fit).pred;
  return combinedAt(medianPreds, m, weights, t);
}

/**
 * A combination's prediction at t from its members' arrays ps[0..m): the weighted mean of the
 * members that can forecast t, or with no weights their median. Plain loops: halfWidths runs this
 * for every residual of every origin's intervals.
 */
function combinedAt(ps: readonly Float64Array[], m: number, w: readonly number[] | null, t: number): number {
  if (!w) return medianAt(ps, m, t);
  let sw = 0;
  let sp = 0;
  for (let i = 0; i < m; i++) {
    const p = (ps[i] as Float64Array)[t] as number;
    if (Number.isNaN(p)) continue;
    sw += w[i] as number;
    sp += (w[i] as number) * p;
  }
  return sw > 0 ? sp / sw : NaN;
}
let medianPreds: Float64Array[] = [];

/**
 * Median of ps[0..m)[t], leaving out the members that cannot forecast t (warm-up). A stable
 * insertion sort into a reused buffer (the order a stable sort by a - b gives).
 */
function medianAt(ps: readonly Float64Array[], m: number, t: number): number {
  if (medianScratch.length < m) medianScratch = new Float64Array(2 * m);
  const v = medianScratch;
  let c = 0;
  for (let i = 0; i < m; i++) {
    const p = (ps[i] as Float64Array)[t] as number;
    if (Number.isNaN(p)) continue;
    let j = c++;
    while (j > 0 && (v[j - 1] as number) - p > 0) {
      v[j] = v[j - 1] as number;
      j--;
    }
    v[j] = p;
  }
  if (c === 0) return NaN;
  const h = c >> 1;
  return c % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}
let medianScratch = new Float64Array(16);

/** Fewest scored origins a candidate needs in the selection window to be ranked at all. */
const MIN_SCORED = 3;

interface Scored {
  readonly name: BaseModelName;
  readonly fit: Fit;
  readonly mae: number;
  readonly order: number;
}

/** A candidate as rank reads it at every origin. */
interface Entry {
  readonly name: BaseModelName;
  readonly fit: Fit;
  readonly pred: Float64Array;
  readonly order: number;
  /**
   * An earlier candidate has the same prediction array (fallbacks and `ets` can share one): it is
   * counted once, as the first (if that cannot forecast an origin, neither can this one).
   */
  readonly repeat: boolean;
  /** What rank returns for it, its error rewritten at every origin (the selectors copy what they keep). */
  readonly scored: { name: BaseModelName; fit: Fit; mae: number; order: number };
}

/**
 * The candidates of the last list a scorer ranked, with their fits (a scorer's fits never change):
 * the selectors rank the same list at every origin.
 */
const entriesCache = new WeakMap<Scorer, { candidates: readonly BaseModelName[]; entries: Entry[] }>();
function entriesOf(cs: Scorer, candidates: readonly BaseModelName[]): Entry[] {
  const known = entriesCache.get(cs);
  if (known && known.candidates === candidates) return known.entries;
  const entries: Entry[] = [];
  const seen = new Set<Float64Array>();
  candidates.forEach((name, order) => {
    if (cs.intermittent && REPEATS_ZEROS.has(name)) return;
    const fit = cs.fit(name);
    entries.push({
      name,
      fit,
      pred: fit.pred,
      order,
      repeat: seen.has(fit.pred),
      scored: { name, fit, mae: 0, order },
    });
    seen.add(fit.pred);
  });
  entriesCache.set(cs, { candidates, entries });
  return entries;
}

/**
 * Ranks candidates by their mean absolute error over the origins of [a, t) where they forecast (a
 * candidate still in warm-up at the start of the window is scored on the rest of it, if that is at
 * least MIN_SCORED origins), best first; only candidates that can forecast t. With a finite
 * `halfLife` the mean is discounted (selection.ts): older errors count less. The Scored objects are
 * the scorer's own, valid until it ranks again.
 */
function rank(
  cs: Scorer,
  candidates: readonly BaseModelName[],
  a: number,
  t: number,
  halfLife = Infinity,
): Scored[] {
  const scored: Scored[] = [];
  for (const c of entriesOf(cs, candidates)) {
    const pred = c.pred;
    if (c.repeat || Number.isNaN(pred[t])) continue;
    let from = Math.max(a, 0);
    while (from < t && Number.isNaN(pred[from])) from++;
    const enough = t - from >= Math.min(MIN_SCORED, t - a);
    const mae = !enough
      ? NaN
      : Number.isFinite(halfLife)
        ? discountedMae(cs.y, pred, from, t, halfLife)
        : cs.windowMae(pred, from, t);
    const s = c.scored;
    s.mae = Number.isNaN(mae) ? Infinity : mae;
    // Insertion by (mae, order), a total order (orders differ): the order any sort by it gives.
    let j = scored.length;
    scored.push(s);
    while (j > 0 && before(s, scored[j - 1] as Scored)) {
      scored[j] = scored[j - 1] as Scored;
      j--;
    }
    scored[j] = s;
  }
  return scored;
}

/** Whether p ranks before q: the comparator (p, q) => p.mae - q.mae || p.order - q.order below 0. */
function before(p: Scored, q: Scored): boolean {
  return (p.mae - q.mae || p.order - q.order) < 0;
}

function single(cs: Scorer, name: BaseModelName): Choice {
  return { names: [name], fits: [cs.fit(name)], weights: null };
}

function combo(members: readonly Scored[], weights: number[] | null): Choice {
  return { names: members.map((s) => s.name), fits: members.map((s) => s.fit), weights };
}

/** The `ensemble`: median of the best `size` distinct candidates by their error over [a, t). */
function chooseMedian(
  cs: Scorer,
  candidates: readonly BaseModelName[],
  a: number,
  t: number,
  size: number,
): Choice {
  const chosen = rank(cs, candidates, a, t).slice(0, size);
  return chosen.length > 0 ? combo(chosen, null) : single(cs, 'naive');
}

/** `auto` combines this many of the best-ranked candidates... */
export const AUTO_MEMBERS = 4;
/** ...weighted by their inverse selection-window error to this power (3: the best dominates unless close). */
const AUTO_POWER = 3;
/**
 * On intermittent series (INTERMITTENT_SHARE), `auto` takes the median of this many best-ranked
 * candidates instead. Measured (bench/forecast/README.md, "Selection that does not cost"):
 * `intermittent` -1.2%, `pbs_intermittent` -4.1% WAPE, the other families unchanged.
 */
const AUTO_INTERMITTENT_MEMBERS = 3;

/**
 * `auto`: the weighted mean of the best AUTO_MEMBERS candidates by their out-of-sample error over
 * [a, t), discounted with half-life AUTO_HALF_LIFE origins (selection.ts), weights
 * 1 / error^AUTO_POWER. Measured on the benchmark (bench/forecast/README.md), this loses much less
 * than picking the single best: with 10-40 selection origins the ranking of close candidates is
 * mostly noise, and the weights keep a clearly better candidate dominant. Also measured and left
 * out: replaying the rule over the earlier origins and switching to the single best candidate where
 * it would have done better (worse on 10 of 17 families: it is one more selection on the same noisy
 * errors); more members, other powers, squared errors, a median blend, a family prior (README).
 */
export function chooseAuto(cs: Scorer, candidates: readonly BaseModelName[], a: number, t: number): Choice {
  const ranked = rank(cs, candidates, a, t, AUTO_HALF_LIFE);
  if (ranked.length === 0) return single(cs, 'naive');
  if (cs.intermittent) {
    // Intermittent series: the median of the best three. Their forecasts differ in level (a rate
    // of demand, a recent mean, a smoothed zero), a weighted mean is pulled toward whichever scored
    // best on a few demand buckets, and a median is what minimises absolute error.
    const top = ranked.filter((s) => Number.isFinite(s.mae)).slice(0, AUTO_INTERMITTENT_MEMBERS);
    return top.length < 2 ? combo([ranked[0] as Scored], null) : combo(top, null);
  }
  const top = ranked.filter((s) => Number.isFinite(s.mae)).slice(0, AUTO_MEMBERS);
  if (top.length < 2) return combo([ranked[0] as Scored], null);
  const eps = 1e-9 + 1e-6 * (top[0] as Scored).mae;
  return combo(
    top,
    top.map((s) => 1 / (s.mae + eps) ** AUTO_POWER),
  );
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
  readonly bucketType: BucketType;
  /** Calendar features of buckets [0, n] when the series has a start date. */
  readonly features: CalendarFeatures | null;
  /** What the interval half-widths depend on (intervals.ts). */
  readonly intervals: IntervalSetup;
}

function resolve(series: SeriesInput, options: ForecastOptions): Resolved {
  const n = series.values.length;
  if (n === 0) throw new ForecastInputError('series is empty');
  const y = f64(n);
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
  if (series.start !== undefined && epochDay(series.start) === null)
    throw new ForecastInputError(`start must be a YYYY-MM-DD date, got "${series.start}"`);
  const m = seasonLength(series.bucketType);
  const k = Math.min(origins, Math.floor(n / 2));
  const s = Math.min(selectionOrigins, k);
  const cal = series.start === undefined ? null : calendarOf(series.start, series.bucketType, n + 1);
  const features = cal?.features ?? null;
  return {
    y,
    n,
    m,
    origins,
    selectionOrigins,
    k,
    s,
    scale: maseScale(y, m, n - k),
    bucketType: series.bucketType,
    features,
    intervals: { k, unit: defaultOrigins(series.bucketType), holiday: cal?.holiday ?? null },
  };
}

/**
 * Calendar features and holiday classes of the last few (bucket type, start, length) asked for.
 * The series of one export share them (same start, same length), and computing them costs about a
 * tenth of scoring `auto` on a short dated series. Both are only read after they are made.
 */
const CALENDAR_CACHE_SIZE = 16;
const calendarCache = new Map<string, { features: CalendarFeatures | null; holiday: Uint8Array | null }>();
function calendarOf(
  start: string,
  bucketType: BucketType,
  count: number,
): { features: CalendarFeatures | null; holiday: Uint8Array | null } {
  const key = `${bucketType} ${start} ${count}`;
  let c = calendarCache.get(key);
  if (c) {
    calendarCache.delete(key); // most recently used last
  } else {
    const features = calendarFeatures(start, bucketType, count);
    c = { features, holiday: holidayClass(bucketType, features?.rows) };
    if (calendarCache.size >= CALENDAR_CACHE_SIZE)
      calendarCache.delete(calendarCache.keys().next().value as string);
  }
  calendarCache.set(key, c);
  return c;
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
  /** The served members (names as asked for) and how they combine: weights, or null for a median. */
  readonly members: readonly BaseModelName[];
  readonly weights: readonly number[] | null;
}

/** Rolls a per-origin choice over the backtest origins [n-k, n) and sums the outcomes. */
function backtest(
  r: Resolved,
  pickAt: (t: number) => Choice,
  residuals: (c: Choice) => Choice = (c) => c,
): ErrorSums {
  const sums = emptySums();
  const { y, n, k } = r;
  for (let t = n - k; t < n; t++) {
    const choice = pickAt(t);
    const point = choicePred(choice, t);
    if (Number.isNaN(point)) continue;
    const [h80, h95] = halfWidths(r, residuals(choice), t, point);
    addOrigin(sums, y[t] as number, point, h80, h95);
  }
  return sums;
}

/**
 * Residuals a combination needs before its intervals use only the buckets where every member
 * forecasts: until then, buckets where some members are still warming up count too (the choice's
 * prediction there comes from the other members). Measured on the 33-month real families, whose first
 * origins have 9 such buckets: with warm-up buckets always, auto's 80%/95% intervals held 0.84/0.99
 * of retail_m_33's outcomes (too wide: a seasonal combination without its seasonal members misses
 * the Decembers); never with them below 10 complete residuals 0.80/0.93, 15 0.82/0.96, 19 0.84/0.99.
 */
const MIN_COMPLETE_RESIDUALS = 15;

/**
 * Interval half-widths at t from the choice's one-step residuals before t (intervals.ts: the 3u
 * buckets before t, recency-weighted, or for dated DAY buckets near a holiday the holiday-near days
 * of two years).
 */
function halfWidths(r: Resolved, choice: Choice, t: number, point: number): [number, number] {
  const fits = choice.fits;
  if (fits.length === 1) return halfWidthsOf(r.y, (fits[0] as Fit).pred, t, point, r.intervals);
  // choicePred's combination, with the members' arrays read once (Fit objects come in many shapes,
  // and a property read per member and bucket was most of this function's time).
  const m = fits.length;
  if (memberScratch.length < m) memberScratch = new Array<Float64Array>(2 * m);
  const ps = memberScratch;
  for (let i = 0; i < m; i++) ps[i] = (fits[i] as Fit).pred;
  const incomplete = (u: number): boolean => {
    for (let i = 0; i < m; i++) if (Number.isNaN((ps[i] as Float64Array)[u])) return true;
    return false;
  };
  const lo = Math.max(0, t - 2 * r.k);
  const from = Math.max(0, t - residualReach(r.intervals, t));
  // From f on every member is past its warm-up (the usual case over most of both windows): every
  // bucket there is complete, and only the buckets before f need the per-bucket check.
  let f = 0;
  for (let i = 0; i < m; i++) f = Math.max(f, firstComplete(ps[i] as Float64Array));
  const mid = Math.min(f, t);
  let complete = t - Math.max(lo, mid);
  for (let u = lo; u < mid; u++) if (!incomplete(u)) complete++;
  const skip = complete >= MIN_COMPLETE_RESIDUALS;
  if (predScratch.length < t) predScratch = new Float64Array(2 * t);
  const pred = predScratch;
  const start = Math.max(from, mid);
  const w = choice.weights;
  for (let u = from; u < t; u++) pred[u] = u < start && skip && incomplete(u) ? NaN : combinedAt(ps, m, w, u);
  return halfWidthsOf(r.y, pred, t, point, r.intervals);
}

/** The members' prediction arrays of the choice halfWidths combines. */
let memberScratch: Float64Array[] = [];

/** The combined predictions halfWidths hands on (only [t - reach, t) of it is written and read). */
let predScratch = new Float64Array(256);

/**
 * First index from which a prediction array holds no NaN (its warm-up ends). Remembered for the
 * last COMPLETE_CACHE arrays asked about (a series' candidates; found by identity, which is cheaper
 * than a WeakMap here). The arrays are never written after their fit is made.
 */
const COMPLETE_CACHE = 64;
const completeKeys: (Float64Array | null)[] = new Array<Float64Array | null>(COMPLETE_CACHE).fill(null);
const completeAt = new Int32Array(COMPLETE_CACHE);
let completeNext = 0;
function firstComplete(p: Float64Array): number {
  for (let c = 0; c < COMPLETE_CACHE; c++) if (completeKeys[c] === p) return completeAt[c] as number;
  let i = p.length;
  while (i > 0 && !Number.isNaN(p[i - 1])) i--;
  completeKeys[completeNext] = p;
  completeAt[completeNext] = i;
  completeNext = (completeNext + 1) % COMPLETE_CACHE;
  return i;
}

/**
 * The outcome of one model: backtest sums and interval residuals from `choice` (fitted before the
 * origins), the served point from `served` (the same members refitted on the whole history).
 */
function outcome(
  r: Resolved,
  model: ModelName,
  choice: Choice,
  served: Choice,
  sums: ErrorSums,
  params: (served: Choice) => { [key: string]: JsonValue },
): ModelOutcome {
  const point = choicePred(served, r.n);
  const [half80, half95] = halfWidths(r, choice, r.n, Number.isNaN(point) ? 0 : Math.max(0, point));
  const mase = sums.count > 0 && r.scale > 0 ? sums.absError / sums.count / r.scale : null;
  return {
    model,
    effective: served.fits.length === 1 ? (served.fits[0] as Fit) : null,
    members: served.names,
    weights: served.weights,
    params: params(served),
    point: Number.isNaN(point) ? 0 : Math.max(0, point),
    half80,
    half95,
    sums,
    mase,
  };
}

function selectorParams(choice: Choice, s: number, mode: 'auto' | 'ensemble'): { [key: string]: JsonValue } {
  if (mode === 'ensemble') return { members: choice.fits.map((f) => f.model), selectionOrigins: s };
  const f = choice.fits[0] as Fit;
  if (!choice.weights && choice.fits.length > 1) {
    // auto on an intermittent series: the median of its members.
    return {
      combination: 'median',
      members: choice.fits.map((m) => ({
        model: m.model,
        modelVersion: modelInfo(m.model).modelVersion,
        params: m.params,
      })),
      selectionOrigins: s,
    };
  }
  if (choice.weights && choice.fits.length > 1) {
    const w = choice.weights;
    const sw = w.reduce((a, b) => a + b, 0);
    return {
      members: choice.fits.map((m, i) => ({
        model: m.model,
        modelVersion: modelInfo(m.model).modelVersion,
        weight: r6((w[i] as number) / sw),
        params: m.params,
      })),
      selectionOrigins: s,
    };
  }
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
  serve = true,
): {
  readonly resolved: Resolved;
  readonly outcomes: ModelOutcome[];
  readonly seasonalNaive: ModelOutcome;
} {
  const r = resolve(series, options);
  // The candidate sets' windows of one series share what the trading-day estimate reads of it.
  const memo: TradingMemo = {};
  const cands = (fitEnd: number): CandidateSet => new CandidateSet(r.y, r.m, fitEnd, r.features, memo);
  const c1 = cands(r.n - r.k);
  // The served forecast refits the chosen models on the whole history; backtests never see it.
  // Without `serve` (scoring only) the served point is the backtest fit's and is not used.
  let c3: CandidateSet | null = null;
  const full = (): CandidateSet => (c3 ??= serve && r.k > 0 ? cands(r.n) : c1);
  const refit = (choice: Choice): Choice => ({
    ...choice,
    fits: choice.names.map((name) => full().fit(name)),
  });
  let scorer: HybridSet | null = null;
  let lo = 0;
  const selection = (): HybridSet => {
    if (!scorer) {
      // Selectors are scored honestly: candidates refitted before the selection window of the
      // first origin supply the errors before it, the backtest fits (c1) those from it on, so every
      // selection at an origin uses errors made out of sample.
      const s2 = Math.min(r.s, Math.floor((r.n - r.k) / 2));
      lo = r.n - r.k - s2;
      scorer = new HybridSet(cands(lo), c1);
    }
    return scorer;
  };
  const base = (name: BaseModelName): ModelOutcome => {
    const fit = c1.fit(name);
    const choice: Choice = { names: [name], fits: [fit], weights: null };
    // Intervals from the fit's residual predictions where its in-sample values are fitted values.
    const rp = fit.residualPred;
    const resid: Choice = rp ? { ...choice, fits: [{ ...fit, pred: rp }] } : choice;
    return outcome(
      r,
      name,
      resid,
      refit(choice),
      backtest(
        r,
        () => choice,
        () => resid,
      ),
      (c) => (c.fits[0] as Fit).params,
    );
  };
  const selector = (mode: 'auto' | 'ensemble'): ModelOutcome => {
    const candidates = mode === 'auto' ? AUTO_CANDIDATES : ENSEMBLE_POOL;
    const cs = selection();
    // Expanding selection window: every out-of-sample error before t, i.e. the selectionOrigins
    // before the backtest plus the backtest origins already past (at the served forecast: all of
    // them). Measured against a window sliding with t: better or level on 13 of 17 families.
    const pick = (t: number): Choice =>
      mode === 'auto'
        ? chooseAuto(cs, candidates, lo, t)
        : chooseMedian(cs, candidates, lo, t, ENSEMBLE_SIZE);
    // From the first origin on, the hybrid predictions are the backtest fits' (c1), like every
    // single model's; before it they are the earlier fits', whose residuals feed the intervals.
    const sums = backtest(r, pick);
    const final = pick(r.n);
    return outcome(r, mode, final, refit(final), sums, (c) => selectorParams(c, r.n - lo, mode));
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
  // Lazily: scoring (evaluate.ts) and paths do not use it (its backtest cost ~8% of scoring auto).
  return {
    resolved: r,
    outcomes,
    get seasonalNaive() {
      return get('seasonal_naive');
    },
  };
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
        start: series.start,
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
