/**
 * Multi-horizon forecasts: the next H buckets of one series with intervals per step, and coherent
 * parent categories (the parent's path is the sum of its children's).
 *
 * Steps are iterated: each step's forecast is fed back as if observed and the model's state rolls
 * one bucket further with the parameters fitted on the whole history (the same refit as the served
 * one-step forecast, so step 1 equals `forecast().point`). `auto` and `ensemble` iterate their
 * served combination (the same members and weights) rather than each member alone.
 *
 * Step 1's interval is the served one-step interval (the same half-widths as `forecast()`, so
 * the fan starts where the stored forecast's interval is). Intervals of steps h >= 2 are
 * split-conformal on h-step errors: paths are replayed from the most recent origins (those whose
 * h-th step is already observed, at most `origins + H - 1` of them) with parameters fitted before
 * the first of them, so every error is out of sample. A step's half-width scales the served
 * one-step half-width by the replay's growth of the mean error from one step to h steps (absolute
 * and level-relative; pooled over steps h-1..h+1, nondecreasing in h by isotonic regression): h-step
 * errors of neighbouring origins overlap, so their own tail quantiles come from few independent
 * errors and under-cover, while their mean is stable, and the replay's fit (on less history than
 * the served one) biases its errors' level but not their growth. So the fan widens as errors grow,
 * may be narrower than step 1 where h-step errors are no larger than one-step ones, and follows
 * the level of the points. With too few one-step errors for a conformal rank
 * inside the sample (short histories; minPathErrors), a step is never narrower than the one before
 * nor than step 1; without any h-step error a step keeps the one before's.
 * PATH_VERSION identifies this rule in every path's modelVersion and input hash.
 */
import { createHash } from 'node:crypto';
import { modelInfo } from './catalog.js';
import { CandidateSet, ForecastInputError, computeOutcomes, type ModelOutcome } from './engine.js';
import { canonicalJson, inputHash } from './hash.js';
import { calendarFeatures, sliceCalendar, type CalendarFeatures } from './calendar.js';
import { conformalHalfWidth } from './metrics.js';
import {
  MODEL_NAMES,
  type BaseModelName,
  type BucketType,
  type ForecastOptions,
  type ModelName,
  type SeriesInput,
} from './types.js';

/**
 * Version of how paths are made from a model (iteration and per-step intervals). A path's
 * modelVersion is "<the model's version>+path.<PATH_VERSION>" (semver build metadata), so it and the
 * input hash change when path intervals change while the model's one-step forecast does not: a client
 * caching paths by model version or input hash never mixes the two rules.
 * 1: per-step conformal quantiles, never narrower than the step before.
 * 2: errors pooled over neighbouring steps, quantiles made monotone by isotonic regression, step 1
 *    and the step before as floors only where errors are few (#18 items 3 and 6).
 * 3: steps h >= 2 scale the served one-step half-width (not the replay's one-step quantile) by the
 *    replay's error growth (#18 item 3).
 */
export const PATH_VERSION = 3;

/** Longest horizon the engine forecasts (two years of weeks). */
export const MAX_HORIZON = 104;

/** One step of a forecast path. */
export interface PathStep {
  /** 1 = the next bucket. */
  readonly step: number;
  readonly point: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
  /** How many out-of-sample h-step errors the interval of this step comes from (0: one-step fallback). */
  readonly errors: number;
  /** Out-of-sample h-step accuracy of this step: sum |error| / sum |actual| (null: no errors, or all actuals 0). */
  readonly wape: number | null;
  /** Out-of-sample h-step mean absolute error (null: no errors). */
  readonly mae: number | null;
}

/** The next H buckets of one series by one model. */
export interface ForecastPath {
  readonly model: ModelName;
  readonly modelVersion: string;
  /** sha256 of the canonical input (series, model, version, options and horizon). */
  readonly inputHash: string;
  readonly bucketType: BucketType;
  readonly historyLength: number;
  readonly horizon: number;
  readonly steps: readonly PathStep[];
}

/** Default horizon: 13 weeks, 12 months, 14 days, 3 years. */
export function defaultHorizon(bucketType: BucketType): number {
  switch (bucketType) {
    case 'WEEK':
      return 13;
    case 'MONTH':
      return 12;
    case 'DAY':
      return 14;
    case 'YEAR':
      return 3;
  }
}

/** How the served members combine (mirrors the engine's choice). */
interface Combination {
  readonly members: readonly BaseModelName[];
  readonly weights: readonly number[] | null;
}

function combine(c: Combination, preds: readonly number[]): number {
  const defined = preds.map((p, i) => ({ p, i })).filter((x) => !Number.isNaN(x.p));
  if (defined.length === 0) return NaN;
  if (c.weights) {
    let sw = 0;
    let sp = 0;
    for (const { p, i } of defined) {
      sw += c.weights[i] as number;
      sp += (c.weights[i] as number) * p;
    }
    return sw > 0 ? sp / sw : NaN;
  }
  const v = defined.map((x) => x.p).sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}

/**
 * The iterated path of a combination from origin t (the first forecast is for bucket t), steps
 * forecasts long, with parameters fitted on y[0..fitEnd) (fitEnd <= t). Never negative; a step no
 * member can forecast (warm-up) repeats the last value.
 */
export function iteratedPath(
  y: Float64Array,
  m: number,
  fitEnd: number,
  t: number,
  steps: number,
  c: Combination,
  calendar: CalendarFeatures | null = null,
): Float64Array {
  const buf = new Float64Array(t + steps);
  buf.set(y.subarray(0, t));
  for (let j = 0; j < steps; j++) {
    // With dates, each step is forecast like the served one-step forecast: the holiday effects are
    // estimated on y[0..fitEnd) and applied on the bucket being forecast (features of [0, t + j]).
    const cs = calendar
      ? new CandidateSet(buf.subarray(0, t + j), m, fitEnd, sliceCalendar(calendar, t + j + 1))
      : new CandidateSet(buf.subarray(0, t + j), m, fitEnd);
    const p = combine(
      c,
      c.members.map((name) => cs.fit(name).pred[t + j] as number),
    );
    const last = t + j > 0 ? (buf[t + j - 1] as number) : 0;
    buf[t + j] = Number.isNaN(p) ? last : Math.max(0, p);
  }
  return buf.slice(t);
}

/** Weighted isotonic (nondecreasing) regression, pool adjacent violators. */
export function isotonic(v: readonly number[], w: readonly number[]): number[] {
  const val: number[] = [];
  const wt: number[] = [];
  const len: number[] = [];
  for (let i = 0; i < v.length; i++) {
    val.push(v[i] as number);
    wt.push(w[i] as number);
    len.push(1);
    while (val.length > 1 && (val[val.length - 2] as number) > (val[val.length - 1] as number)) {
      const b = val.pop() as number;
      const bw = wt.pop() as number;
      const bl = len.pop() as number;
      const a = val.pop() as number;
      const aw = wt.pop() as number;
      const al = len.pop() as number;
      const tw = aw + bw;
      val.push(tw > 0 ? (a * aw + b * bw) / tw : (a + b) / 2);
      wt.push(tw);
      len.push(al + bl);
    }
  }
  const out: number[] = [];
  val.forEach((x, i) => {
    for (let k = 0; k < (len[i] as number); k++) out.push(x);
  });
  return out;
}

/** Conformal quantiles of a sample of errors: absolute, and relative to the forecast (+ floor). */
interface StepQuantiles {
  readonly errors: number;
  readonly abs80: number;
  readonly rel80: number;
  readonly abs95: number;
  readonly rel95: number;
  /** 10% of the mean |actual|: keeps relative errors of forecasts near 0 finite. */
  readonly floor: number;
}

function stepQuantiles(actual: readonly number[], forecast: readonly number[]): StepQuantiles {
  const n = actual.length;
  let level = 0;
  for (const a of actual) level += Math.abs(a);
  const floor = (0.1 * level) / n + 1e-9;
  const abs = new Float64Array(n);
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = Math.abs((actual[i] as number) - (forecast[i] as number));
    abs[i] = e;
    rel[i] = e / ((forecast[i] as number) + floor);
  }
  abs.sort();
  rel.sort();
  return {
    errors: n,
    abs80: conformalHalfWidth(abs, 0.8),
    rel80: conformalHalfWidth(rel, 0.8),
    abs95: conformalHalfWidth(abs, 0.95),
    rel95: conformalHalfWidth(rel, 0.95),
    floor,
  };
}

/**
 * Fewest errors whose conformal quantile at `level` is trusted on its own: twice the count at which
 * the rank ceil((r + 1) level) first falls inside the sample (8 at 80%, 38 at 95%). With fewer, the
 * quantile is (close to) the sample maximum and under-covers (a 95% interval from 3 errors holds
 * about 3 outcomes in 4).
 */
export function minPathErrors(level: number): number {
  return Math.ceil((2 * level) / (1 - level) - 1e-9);
}

/** Mean absolute and mean relative error (relative to forecast + floor) of pooled errors. */
function meanErrors(actual: readonly number[], forecast: readonly number[], floor: number): [number, number] {
  let a = 0;
  let r = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs((actual[i] as number) - (forecast[i] as number));
    a += e;
    r += e / ((forecast[i] as number) + floor);
  }
  return [a / actual.length, r / actual.length];
}

/**
 * The 80% and 95% half-widths of every step. Step 1 is the served one-step half-width. Step h >= 2
 * scales the served one-step half-width by how much larger the replay's mean h-step error is than
 * its mean one-step error (growth of the absolute and of the forecast-relative error, pooled over
 * steps h-1..h+1 within 2..H and made nondecreasing in h by weighted isotonic regression; the mean
 * of the two, the relative one times the step's point over step 1's). A mean is stable where a tail
 * quantile is not: h-step errors of neighbouring origins share h-1 buckets, so their 95% quantile
 * comes from few independent errors and under-covers. The base is the served half-width, not the
 * replay's own one-step quantile (rule 2): the replay's parameters are fitted before its first
 * origin, on less history than the served refit, so its errors are larger or smaller than the served
 * forecast's by a factor that cancels in the growth ratio but not in its quantile (rule 2's fans
 * were too wide on the seasonal synthetic families, too narrow on 33-month series). Without a
 * served width (0) or without one-step errors to grow from, the replay's own quantiles. With fewer one-step errors than
 * minPathErrors(level) a step is never narrower than the step before nor than step 1, and a step
 * without any h-step error keeps the step before's.
 */
export function pathHalfWidths(
  actual: readonly number[][],
  predicted: readonly number[][],
  served: Float64Array,
  half80: number,
  half95: number,
): [number[], number[]] {
  const H = actual.length;
  const a1 = actual[0] as number[];
  const p1 = predicted[0] as number[];
  const o80 = [half80];
  const o95 = [half95];
  if (a1.length === 0) {
    for (let j = 1; j < H; j++) {
      o80.push(half80);
      o95.push(half95);
    }
    return [o80, o95];
  }
  const q1 = stepQuantiles(a1, p1);
  const floor = q1.floor;
  const [ma1, mr1] = meanErrors(a1, p1, floor);
  const growthAbs: number[] = [];
  const growthRel: number[] = [];
  const w: number[] = [];
  const direct: (StepQuantiles | null)[] = [];
  for (let j = 1; j < H; j++) {
    const A: number[] = [];
    const P: number[] = [];
    for (let i = Math.max(1, j - 1); i <= Math.min(H - 1, j + 1); i++) {
      A.push(...(actual[i] as number[]));
      P.push(...(predicted[i] as number[]));
    }
    if (A.length === 0) {
      growthAbs.push(0);
      growthRel.push(0);
      w.push(0);
      direct.push(null);
      continue;
    }
    direct.push(ma1 > 0 ? null : stepQuantiles(A, P));
    const [ma, mr] = meanErrors(A, P, floor);
    growthAbs.push(ma1 > 0 ? ma / ma1 : 1);
    growthRel.push(mr1 > 0 ? mr / mr1 : 0);
    w.push(A.length);
  }
  const iga = isotonic(growthAbs, w);
  const igr = isotonic(growthRel, w);
  const few80 = minPathErrors(0.8);
  const few95 = minPathErrors(0.95);
  const scale1 = Math.max(0, served[0] as number) + floor;
  for (let j = 1; j < H; j++) {
    if ((w[j - 1] as number) === 0) {
      o80.push(o80[j - 1] as number);
      o95.push(o95[j - 1] as number);
      continue;
    }
    const scale = Math.max(0, served[j] as number) + floor;
    // No one-step error to scale (an exactly repeating series): the h-step errors' own quantiles.
    const q = ma1 > 0 ? q1 : (direct[j - 1] as StepQuantiles);
    const ga = ma1 > 0 ? (iga[j - 1] as number) : 1;
    const gr = ma1 > 0 ? (igr[j - 1] as number) : 1;
    let h80: number;
    let h95: number;
    if (ma1 > 0 && half80 > 0 && half95 > 0) {
      // Rule 3: the served one-step half-width times the growth, its relative half following the
      // step's point.
      const g = (ga + (gr * scale) / scale1) / 2;
      h80 = half80 * g;
      h95 = half95 * g;
    } else {
      h80 = (q.abs80 * ga + q.rel80 * gr * scale) / 2;
      h95 = (q.abs95 * ga + q.rel95 * gr * scale) / 2;
    }
    o80.push(a1.length < few80 ? Math.max(h80, o80[j - 1] as number, half80) : h80);
    o95.push(a1.length < few95 ? Math.max(h95, o95[j - 1] as number, half95) : h95);
  }
  return [o80, o95];
}

function validHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON)
    throw new ForecastInputError(`horizon must be an integer from 1 to ${MAX_HORIZON}, got ${horizon}`);
}

/**
 * Forecasts the next `horizon` buckets of one series with one model, with 80%/95% intervals per
 * step. Deterministic: the same input, model version, options and horizon give the same path.
 */
export function forecastPath(
  series: SeriesInput,
  model: ModelName,
  horizon = defaultHorizon(series.bucketType),
  options: ForecastOptions = {},
): ForecastPath {
  if (!(MODEL_NAMES as readonly string[]).includes(model))
    throw new ForecastInputError(`unknown model "${model}"`);
  validHorizon(horizon);
  const { resolved: r, outcomes } = computeOutcomes(series, [model], options);
  const o = outcomes[0] as ModelOutcome;
  const c: Combination = { members: o.members, weights: o.weights };
  const { y, n, m, k } = r;
  const calendar =
    series.start === undefined ? null : calendarFeatures(series.start, series.bucketType, n + horizon + 1);
  const served = iteratedPath(y, m, n, n, horizon, c, calendar);
  // Replay from the most recent origins, parameters fitted before the first of them.
  const first = Math.max(n - k - horizon + 1, Math.ceil(n / 2), 1);
  const actual: number[][] = Array.from({ length: horizon }, () => []);
  const predicted: number[][] = Array.from({ length: horizon }, () => []);
  for (let t = first; t < n; t++) {
    const p = iteratedPath(y, m, first, t, Math.min(horizon, n - t), c, calendar);
    p.forEach((v, j) => {
      (actual[j] as number[]).push(y[t + j] as number);
      (predicted[j] as number[]).push(v);
    });
  }
  const steps: PathStep[] = [];
  const [half80, half95] = pathHalfWidths(actual, predicted, served, o.half80, o.half95);
  for (let j = 0; j < horizon; j++) {
    const point = served[j] as number;
    const errs = (actual[j] as number[]).length;
    let sumErr = 0;
    let sumAct = 0;
    for (let i = 0; i < errs; i++) {
      const a = (actual[j] as number[])[i] as number;
      sumErr += Math.abs(a - ((predicted[j] as number[])[i] as number));
      sumAct += Math.abs(a);
    }
    const h80 = half80[j] as number;
    const h95 = half95[j] as number;
    steps.push({
      step: j + 1,
      point,
      lo80: Math.max(0, point - h80),
      hi80: point + h80,
      lo95: Math.max(0, point - h95),
      hi95: point + h95,
      errors: errs,
      wape: errs > 0 && sumAct > 0 ? sumErr / sumAct : null,
      mae: errs > 0 ? sumErr / errs : null,
    });
  }
  const modelVersion = `${modelInfo(model).modelVersion}+path.${PATH_VERSION}`;
  return {
    model,
    modelVersion,
    inputHash: inputHash({
      bucketType: series.bucketType,
      values: y,
      start: series.start,
      model,
      modelVersion,
      origins: r.origins,
      selectionOrigins: r.selectionOrigins,
      horizon,
    }),
    bucketType: series.bucketType,
    historyLength: n,
    horizon,
    steps,
  };
}

/**
 * Makes a parent category's path coherent with its children's (bottom-up): each step's point is the
 * sum of the children's points; the interval keeps the parent's own half-widths (estimated from the
 * parent's own h-step errors, so they reflect how the children's errors offset each other) around
 * that sum. Children must have the parent's bucket type and horizon. The result's inputHash covers
 * the parent's and every child's input hash.
 */
export function reconcileBottomUp(parent: ForecastPath, children: readonly ForecastPath[]): ForecastPath {
  if (children.length === 0) throw new ForecastInputError('a parent needs at least one child to reconcile');
  for (const ch of children) {
    if (ch.bucketType !== parent.bucketType)
      throw new ForecastInputError(
        `child bucket type ${ch.bucketType} differs from the parent's ${parent.bucketType}`,
      );
    if (ch.horizon !== parent.horizon)
      throw new ForecastInputError(`child horizon ${ch.horizon} differs from the parent's ${parent.horizon}`);
  }
  const steps = parent.steps.map((s, j) => {
    let point = 0;
    for (const ch of children) point += (ch.steps[j] as PathStep).point;
    const h80 = s.hi80 - s.point;
    const h95 = s.hi95 - s.point;
    return {
      ...s,
      point,
      lo80: Math.max(0, point - h80),
      hi80: point + h80,
      lo95: Math.max(0, point - h95),
      hi95: point + h95,
    };
  });
  const inputHashOut = createHash('sha256')
    .update(
      canonicalJson({
        format: 'catcast.forecast.reconciled/1',
        parent: parent.inputHash,
        children: children.map((ch) => ch.inputHash),
      }),
    )
    .digest('hex');
  return { ...parent, inputHash: inputHashOut, steps };
}
