export { createForecastApi, type ForecastApiOptions } from './app.js';
export { parseForecastApiConfig, type ForecastApiConfig } from './config.js';
export { run, type ForecastApiDeps } from './run.js';
export { getForecastRows, OnDemandCache, type ForecastRows, type ForecastQuery } from './compute.js';
export { registerForecastRunMetrics } from './metrics.js';
