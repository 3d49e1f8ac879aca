/**
 * pkg/forecast-engine: the pure-TypeScript forecasting engine. Give it a zero-filled series of one merchant x
 * category x bucket type; get the next bucket's forecast from any catalog model, with conformal 80/95%
 * intervals, rolling-origin backtest metrics (and their ratio to seasonal_naive), fallback information
 * and a hash of the canonical input. Output is deterministic: equal input and model version give
 * byte-identical JSON (use {@link canonicalJson}) in every process.
 */
export type {
  BacktestMetrics,
  BaseModelName,
  BucketType,
  ForecastOptions,
  ForecastResult,
  JsonValue,
  ModelInfo,
  ModelName,
  SeriesInput,
} from './types.js';
export { MODEL_NAMES } from './types.js';
export { MODEL_CATALOG, defaultOrigins, isModelName, modelInfo, seasonLength } from './catalog.js';
export { AUTO_CANDIDATES, ENSEMBLE_POOL, ForecastInputError, forecast, forecastModels } from './engine.js';
export {
  MAX_HORIZON,
  defaultHorizon,
  forecastPath,
  reconcileBottomUp,
  type ForecastPath,
  type PathStep,
} from './path.js';
export { forecastMany, type ForecastReply, type ForecastRequest } from './batch.js';
export { createForecastPool, type ForecastPool, type ForecastPoolOptions } from './pool.js';
export { canonicalJson, inputHash, type HashInput } from './hash.js';
export { scoreSeries, summarizeScores, type ScoreSummary, type SeriesScore } from './evaluate.js';
export type { ErrorSums } from './metrics.js';
export { CSV_HEADER, CsvInputError, parseSeriesCsv, type CsvSeries } from './csv.js';
export { runForecastEval, type EvalIo } from './eval-cli.js';
export {
  NOWCAST_RECENT_PERIODS,
  elapsedShare,
  nowcast,
  shareSpread,
  type ElapsedSums,
  type IntervalForecast,
  type NowcastBucketType,
} from './nowcast.js';
