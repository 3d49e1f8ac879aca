/** Backtest metrics in words a merchant understands. */

/** The subset of backtest metrics the words are made from. */
export interface AccuracyMetrics {
  readonly wape?: number | null | undefined;
  readonly smape?: number | null | undefined;
  readonly mape?: number | null | undefined;
}

/** How much to trust a forecast, for styling. */
export type AccuracyLevel = 'good' | 'fair' | 'poor' | 'unknown';

/** A sentence and a level, e.g. { text: "typically within 12%", level: "good" }. */
export interface AccuracyWords {
  readonly text: string;
  readonly level: AccuracyLevel;
}

function usable(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * Describes the typical error of past forecasts: WAPE when known (it weighs big periods more, as
 * the merchant does), else sMAPE, else MAPE. All are fractions (0.12 = 12%).
 */
export function accuracyWords(metrics: AccuracyMetrics | null | undefined): AccuracyWords {
  const error = [metrics?.wape, metrics?.smape, metrics?.mape].find(usable);
  if (error === undefined) return { text: 'accuracy not known yet (too little history)', level: 'unknown' };
  const pct = Math.round(error * 100);
  if (pct >= 100) return { text: 'a rough guess (past errors were as large as the sales)', level: 'poor' };
  const text = `typically within ${Math.max(pct, 1)}%`;
  return { text, level: pct <= 15 ? 'good' : pct <= 35 ? 'fair' : 'poor' };
}

/** "31% less error than seasonal naive" for a ratio of a model's error to seasonal naive's. */
export function ratioWords(ratio: number | null | undefined): string {
  if (!usable(ratio)) return 'no comparison';
  const pct = Math.round((1 - ratio) * 100);
  if (pct === 0) return 'same error as seasonal naive';
  return pct > 0 ? `${pct}% less error than seasonal naive` : `${-pct}% more error than seasonal naive`;
}
