export { parseForecastJobConfig, type ForecastJobConfig } from './config.js';
export {
  DEFAULT_PATH_MODELS,
  runForecastJob,
  type ForecastJobOptions,
  type ForecastJobDeps,
  type ForecastJobSummary,
} from './job.js';
export { run, type ForecastJobRunDeps, type LeaseStoreFactory } from './run.js';
export {
  DEFAULT_LOOKBACK,
  shardOf,
  loadMerchant,
  FORECAST_MERCHANT_SQL,
  listShardMerchants,
  loadMerchantSeries,
  loadCategoryParents,
  setInputHash,
  type ForecastMerchant,
  type CategorySeries,
  type MerchantSeries,
} from './series.js';
export {
  latestSet,
  latestSets,
  LATEST_SETS_BATCH_SQL,
  readSetRows,
  readSetPaths,
  SET_PATH_SQL,
  LATEST_SET_SQL,
  SET_ROWS_SQL,
  writeSet,
  touchSet,
  toStored,
  applyRetention,
  type ForecastSet,
  type StoredForecast,
  type NewSet,
} from './store.js';
export {
  planPaths,
  rollupStart,
  coherentPaths,
  roundPath,
  stepBucketStarts,
  toStoredPath,
  type PathNode,
  type StoredPathStep,
} from './paths.js';
