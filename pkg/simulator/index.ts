/**
 * The order simulator: a deterministic catalog and order history with realistic demand shapes,
 * sent to catcast ingest over HTTP (catalog upserts, batch backfill, live traffic).
 */
export {
  generateCatalog,
  SimulatorOptionError,
  type CatalogOptions,
  type DemandModel,
  type SimCatalog,
  type SimCategory,
  type SimMerchant,
  type SimProduct,
} from './catalog.js';
export {
  generateHistory,
  countHistory,
  createLiveSource,
  promotionsOn,
  type HistoryOptions,
  type LiveSource,
  type LiveSourceOptions,
  type Promotion,
  type SimOrder,
  type SimOrderItem,
} from './history.js';
export { createPrng, hashKey, seedTag, type Prng } from './prng.js';
export { INVALID_KINDS, makeInvalidOrder, type InvalidKind } from './faults.js';
export {
  IngestClient,
  IngestError,
  parseBatchResults,
  parseRetryAfter,
  isRetryableStatus,
  realSleep,
  type IngestClientOptions,
  type OrderOutcome,
  type RetryInfo,
  type Sleep,
} from './client.js';
export {
  runSimulation,
  hasUnexpectedFailures,
  SimulationError,
  type OutcomeEvent,
  type SimulationCounters,
  type SimulationOptions,
  type SimulationProgress,
  type SimulationSummary,
  type SubmissionKind,
} from './run.js';
export {
  createProgressPrinter,
  formatProgress,
  formatSummary,
  formatDuration,
  type ProgressMode,
  type ProgressPrinter,
} from './progress.js';
export { parseSimulatorArgs, simulatorUsage, SIMULATOR_FLAGS, type SimulatorConfig } from './config.js';
export {
  createFakeIngest,
  type FakeIngest,
  type FakeIngestOptions,
  type RecordedRequest,
} from './fake-ingest.js';
export { parseSimulatorCommandLine, run, type SimulatorDeps } from './cli.js';
