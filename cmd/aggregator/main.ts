// cmd/aggregator: wires configuration and dependencies, then runs pkg/aggregation until SIGTERM.
import { createAuthenticator, parseAuthConfig } from '../../pkg/auth/index.js';
import { ConfigError } from '../../pkg/config/index.js';
import { createPool } from '../../pkg/db/index.js';
import { parseAggregatorConfig, run, type AggregatorDeps } from '../../pkg/aggregation/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';

async function main(): Promise<number> {
  let config;
  let authConfig;
  try {
    config = parseAggregatorConfig(process.env);
    authConfig = parseAuthConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`aggregator: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ service: 'aggregator', level: config.LOG_LEVEL });
  const registry = createRegistry('aggregator');
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: 'catcast-aggregator',
  });
  const readPool = config.DATABASE_READ_URL
    ? createPool({
        connectionString: config.DATABASE_READ_URL,
        max: config.DATABASE_POOL_MAX,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
        applicationName: 'catcast-aggregator-read',
      })
    : undefined;
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, 'shutting down: finishing the current batch');
      controller.abort();
    });
  }
  const deps: AggregatorDeps = {
    pool,
    ...(readPool ? { readPool } : {}),
    logger,
    registry,
    authenticator: await createAuthenticator(authConfig),
  };
  const closers: Array<() => Promise<void>> = [];
  try {
    await run(config, deps, controller.signal);
    return 0;
  } catch (err) {
    logger.error({ err }, 'aggregator failed');
    return 1;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await readPool?.end().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`aggregator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
