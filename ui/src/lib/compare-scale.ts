/** The y scale of the model comparison chart (pure: tested without a browser). */
import { niceMax } from './fan.js';

/** What the scale needs of one model's forecast. */
export interface ScaledForecast {
  readonly point: number;
  readonly hi80: number;
  readonly hi95: number;
  /** The best model and the one used for the ranking are drawn whole; the others may be clipped. */
  readonly role: 'winner' | 'used' | 'other';
}

/**
 * The chart's maximum: the history, every point forecast and 80% range, and the 95% ranges of the
 * best model and the one in use. The other models' 95% whiskers may run above it and are drawn
 * clipped: a naive model's 95% range can be ten times the sales, and scaling to it would flatten
 * the history the merchant came to read.
 */
export function compareCeiling(values: readonly number[], forecasts: readonly ScaledForecast[]): number {
  let top = 0;
  for (const v of values) top = Math.max(top, v);
  for (const f of forecasts) top = Math.max(top, f.point, f.hi80, f.role === 'other' ? 0 : f.hi95);
  return niceMax(top * 1.05);
}
