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
 * the first of them, so every error is out of sample; the half-width is the mean of the absolute
 * and the level-relative conformal half-widths (the same two forms as the one-step intervals).
 * Half-widths never shrink with the horizon (a step with fewer errors, or a narrower h-step
 * quantile, than the one before keeps the wider one) and stay at the one-step half-widths when no
 * h-step error is observed at all (short histories).
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

/** Conformal half-widths (80, 95) at one step from its h-step errors; the engine's two-form rule. */
function stepHalfWidths(
  actual: readonly number[],
  forecast: readonly number[],
  point: number,
): [number, number] {
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
  const scale = Math.max(0, point) + floor;
  return [
    (conformalHalfWidth(abs, 0.8) + conformalHalfWidth(rel, 0.8) * scale) / 2,
    (conformalHalfWidth(abs, 0.95) + conformalHalfWidth(rel, 0.95) * scale) / 2,
  ];
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
  let h80 = o.half80;
  let h95 = o.half95;
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
    // Step 1 keeps the served one-step half-widths (o.half80/95), so the fan starts from the interval
    // stored and shown for the next bucket (holiday classes included, intervals.ts); later steps
    // come from their own h-step errors and never narrow.
    if (errs > 0 && j > 0) {
      const [a, b] = stepHalfWidths(actual[j] as number[], predicted[j] as number[], point);
      h80 = Math.max(a, h80);
      h95 = Math.max(b, h95);
    }
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
  const info = modelInfo(model);
  return {
    model,
    modelVersion: info.modelVersion,
    inputHash: inputHash({
      bucketType: series.bucketType,
      values: y,
      start: series.start,
      model,
      modelVersion: info.modelVersion,
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
