import { createLogger, type Logger } from '../log/index.js';
import { migrate } from './migrate.js';
import type { MigrateConfig } from './migrate-config.js';

/** Optional collaborators of {@link runMigrations}. */
export interface MigrateDeps {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
}

/**
 * cmd/migrate's work: applies (or reverts) the SQL migrations under node-pg-migrate's advisory lock.
 * A migration is not interrupted by `signal`: it runs in a transaction, so a stop rolls it back
 * only when the shutdown deadline ends the process.
 */
export async function runMigrations(
  config: MigrateConfig,
  _signal: AbortSignal,
  deps: MigrateDeps = {},
): Promise<void> {
  const logger = deps.logger ?? createLogger({ service: 'migrate', level: config.LOG_LEVEL });
  const ran = await migrate({
    databaseUrl: config.DATABASE_URL,
    direction: config.MIGRATE_DIRECTION,
    log: (msg) => logger.debug(msg),
  });
  logger.info({ applied: ran }, ran.length ? `applied ${ran.length} migration(s)` : 'schema is up to date');
}
