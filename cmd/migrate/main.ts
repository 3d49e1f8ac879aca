// Applies the SQL migrations (a Kubernetes Job / Helm hook runs this before the Deployments roll).
import { ConfigError } from '../../pkg/config/index.js';
import { migrate, parseMigrateConfig } from '../../pkg/db/index.js';
import { createLogger } from '../../pkg/log/index.js';

try {
  const config = parseMigrateConfig(process.env);
  const logger = createLogger({ service: 'migrate', level: config.LOG_LEVEL });
  const ran = await migrate({
    databaseUrl: config.DATABASE_URL,
    direction: config.MIGRATE_DIRECTION,
    log: (msg) => logger.debug(msg),
  });
  logger.info({ applied: ran }, ran.length ? `applied ${ran.length} migration(s)` : 'schema is up to date');
} catch (err) {
  process.stderr.write(
    `migrate: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
