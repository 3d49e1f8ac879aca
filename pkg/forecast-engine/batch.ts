import { forecastModels } from './engine.js';
import { forecastPath, type ForecastPath } from './path.js';
import type { ForecastOptions, ForecastResult, ModelName, SeriesInput } from './types.js';

/** One series to forecast with a list of models, under a caller-chosen key. */
export interface ForecastRequest {
  /** Identifies the series for the caller (e.g. "merchant/category/WEEK"); echoed in the reply. */
  readonly key: string;
  readonly series: SeriesInput;
  readonly models: readonly ModelName[];
  /** Also forecast the next `horizon` buckets with these models (see forecastPath). @default none */
  readonly path?: { readonly models: readonly ModelName[]; readonly horizon: number };
}

/** The outcome for one {@link ForecastRequest}: results in the order of its models, or the error. */
export interface ForecastReply {
  readonly key: string;
  readonly results: ForecastResult[] | null;
  /** The paths asked for, in the order of `path.models` (null when none was asked or on error). */
  readonly paths?: ForecastPath[] | null;
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
      const results = forecastModels(req.series, req.models, options);
      const path = req.path;
      if (!path) return { key: req.key, results, error: null };
      // Paths iterate their members on the series as it is (path.ts does not apply calendar effects
      // yet), so they get it without its start date: the same members, replays and intervals as
      // their subtree rollups, which have no dates either.
      const { bucketType, values } = req.series;
      const undated: SeriesInput = { bucketType, values };
      const paths = path.models.map((m) => forecastPath(undated, m, path.horizon, options));
      return { key: req.key, results, paths, error: null };
    } catch (cause) {
      return { key: req.key, results: null, error: cause instanceof Error ? cause.message : String(cause) };
    }
  });
}
