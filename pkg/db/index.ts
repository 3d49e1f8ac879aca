export {
  batchStatement,
  readBatchSizeHistogram,
  ReadBatcher,
  type BatchParam,
  type ReadBatcherOptions,
} from './batch.js';
export {
  followChanges,
  listenOnChannel,
  type ChangeChannel,
  type ChangeListenerOptions,
  type ListenOptions,
} from './listen.js';
export { createPool, withTransaction, type Queryable, type Pool, type PoolClient } from './pool.js';
export { registerPoolMetrics } from './pool-metrics.js';
export { statementParams, toColumns, type StatementParams } from './params.js';
export { migrate, type MigrateOptions } from './migrate.js';
export { isDataError, isUnavailableError, isUniqueViolation, isForeignKeyViolation } from './errors.js';
export {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
} from './embedded.js';
export { parseMigrateConfig, type MigrateConfig } from './migrate-config.js';
export { runMigrations, type MigrateDeps } from './migrate-run.js';
