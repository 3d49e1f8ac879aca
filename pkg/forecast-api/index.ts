export { createForecastApi, type ForecastApiOptions, type ForecastSource } from './app.js';
export { parseForecastApiConfig, type ForecastApiConfig } from './config.js';
export { run, type ForecastApiDeps } from './run.js';
export {
  FORECAST_CHANGES_CHANNEL,
  ForecastChangeLog,
  decodeForecastChanges,
  listenForForecastChanges,
  type ForecastChange,
} from './changes.js';
export {
  listenForAggregateChanges,
  PeriodReferenceCache,
  referenceChangeKeys,
  type AggregateChangesListenerOptions,
} from './reference-cache.js';
export { getForecastRows, OnDemandCache, type ForecastRows, type ForecastQuery } from './compute.js';
export { registerForecastRunMetrics } from './metrics.js';
export { FORECAST_BUCKETS, forecastOpenApi, registerForecastRoutes } from './api-schema.js';
export {
  createPgForecastStore,
  CATEGORY_LABELS_SQL,
  type ForecastStore,
  type CategoryLabel,
  type SetRowFilter,
} from './store.js';
export { createMemoryForecastStore, type MemoryForecastData } from './memory-store.js';
