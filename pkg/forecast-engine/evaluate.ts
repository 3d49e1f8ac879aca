/**
 * Model evaluation over many series: per-series backtest scores and their pooled summary (what the
 * forecast:eval CLI prints and the benchmark tabulates).
 */
import { computeOutcomes } from './engine.js';
import { median, type ErrorSums } from './metrics.js';
import type { ForecastOptions, ModelName, SeriesInput } from './types.js';

/** Backtest errors of one model on one series. */
export interface SeriesScore {
  readonly sums: ErrorSums;
  /** MASE of this series; null when its scale is 0. */
  readonly mase: number | null;
}

/** Pooled accuracy of one model over many series. */
export interface ScoreSummary {
  /** Series with at least one backtest origin. */
  readonly series: number;
  /** Pooled sum |error| / sum |actual|. */
  readonly wape: number | null;
  /** Median of the per-series MASE. */
  readonly maseMedian: number | null;
  /** Per-series MASE weighted by the series' sum |actual| over its origins. */
  readonly maseWeighted: number | null;
  /** Mean sMAPE over all origins (range 0..2). */
  readonly smape: number | null;
  readonly coverage80: number | null;
  readonly coverage95: number | null;
}

/** Backtests one model on one series (the same computation as a stored forecast's metrics). */
export function scoreSeries(
  series: SeriesInput,
  model: ModelName,
  options: ForecastOptions = {},
): SeriesScore {
  const o = computeOutcomes(series, [model], options, false).outcomes[0];
  if (!o) throw new Error('no outcome');
  return { sums: o.sums, mase: o.mase };
}

/** Pools per-series scores into one summary. */
export function summarizeScores(scores: readonly SeriesScore[]): ScoreSummary {
  let count = 0;
  let absError = 0;
  let absActual = 0;
  let smape = 0;
  let hits80 = 0;
  let hits95 = 0;
  let series = 0;
  let wSum = 0;
  let wMase = 0;
  const mases: (number | null)[] = [];
  for (const s of scores) {
    if (s.sums.count === 0) continue;
    series++;
    count += s.sums.count;
    absError += s.sums.absError;
    absActual += s.sums.absActual;
    smape += s.sums.smape;
    hits80 += s.sums.hits80;
    hits95 += s.sums.hits95;
    mases.push(s.mase);
    if (s.mase !== null) {
      wSum += s.sums.absActual;
      wMase += s.sums.absActual * s.mase;
    }
  }
  return {
    series,
    wape: absActual > 0 ? absError / absActual : null,
    maseMedian: median(mases),
    maseWeighted: wSum > 0 ? wMase / wSum : null,
    smape: count > 0 ? smape / count : null,
    coverage80: count > 0 ? hits80 / count : null,
    coverage95: count > 0 ? hits95 / count : null,
  };
}
