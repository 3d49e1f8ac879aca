export { createForecastApi, type ForecastApiOptions, type ForecastSource } from './app.js';
export { parseForecastApiConfig, type ForecastApiConfig } from './config.js';
export { runForecastApi, type ForecastApiExtras } from './run.js';
export { getForecastRows, OnDemandCache, type ForecastRows, type ForecastQuery } from './compute.js';
export { registerForecastRunMetrics } from './metrics.js';
export { forecastOpenApi, registerForecastRoutes } from './api-schema.js';
export { createPgForecastStore, type ForecastStore, type CategoryLabel, type SetRowFilter } from './store.js';
export { createMemoryForecastStore, type MemoryForecastData } from './memory-store.js';
