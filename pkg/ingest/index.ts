export {
  createIngestApp,
  rejectionProblem,
  type IngestAppOptions,
  type IngestAppSettings,
  type IngestStorage,
  type IngestLimits,
  type IngestScope,
} from './app.js';
export { ingestEnvSchema, parseIngestConfig, type IngestConfig } from './config.js';
export { createIngestMetrics, type IngestMetrics } from './metrics.js';
export { run, type RunOptions } from './run.js';
export { ingestOpenApi, registerIngestRoutes } from './openapi.js';
