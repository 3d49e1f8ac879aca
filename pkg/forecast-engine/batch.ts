import { forecastModels } from './engine.js';
import type { ForecastOptions, ForecastResult, ModelName, SeriesInput } from './types.js';

/** One series to forecast with a list of models, under a caller-chosen key. */
export interface ForecastRequest {
  /** Identifies the series for the caller (e.g. "merchant/category/WEEK"); echoed in the reply. */
  readonly key: string;
  readonly series: SeriesInput;
  readonly models: readonly ModelName[];
}

/** The outcome for one {@link ForecastRequest}: results in the order of its models, or the error. */
export interface ForecastReply {
  readonly key: string;
  readonly results: ForecastResult[] | null;
  /** Why this series could not be forecast (the other series of the batch are unaffected). */
  readonly error: string | null;
}

/** Forecasts a batch of series synchronously, replies in request order; what a worker thread runs. */
export function forecastMany(
  requests: readonly ForecastRequest[],
  options: ForecastOptions = {},
): ForecastReply[] {
  return requests.map((req) => {
    try {
      return { key: req.key, results: forecastModels(req.series, req.models, options), error: null };
    } catch (cause) {
      return { key: req.key, results: null, error: cause instanceof Error ? cause.message : String(cause) };
    }
  });
}
