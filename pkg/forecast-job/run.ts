import { createPool } from '../db/index.js';
import { createForecastPool } from '../forecast-engine/index.js';
import { PostgresLeaseStore, type LeaseStore } from '../leader/index.js';
import type { Logger } from '../log/index.js';
import type { ForecastJobConfig } from './config.js';
import { runForecastJob, type ForecastJobSummary } from './job.js';

/** Builds the lease store named by LEASE_STORE; the kubernetes one is injected by the caller. */
export type LeaseStoreFactory = (config: ForecastJobConfig) => Promise<LeaseStore>;

/**
 * Runs the job once (CronJob) or every FORECAST_INTERVAL_SECONDS until `signal` aborts (development);
 * returns the last run's summary.
 */
export async function runForecastJobFromConfig(
  config: ForecastJobConfig,
  deps: { logger: Logger; kubernetesLeaseStore?: LeaseStoreFactory },
  signal: AbortSignal,
): Promise<ForecastJobSummary> {
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: Math.max(2, Math.min(config.DATABASE_POOL_MAX, 4)),
    applicationName: 'catcast-forecast-job',
  });
  const forecaster = createForecastPool({ threads: config.FORECAST_THREADS });
  try {
    let leaseStore: LeaseStore;
    if (config.LEASE_STORE === 'kubernetes') {
      if (!deps.kubernetesLeaseStore)
        throw new Error('LEASE_STORE=kubernetes is not available in this build');
      leaseStore = await deps.kubernetesLeaseStore(config);
    } else {
      leaseStore = new PostgresLeaseStore(pool);
    }
    const options = {
      shardIndex: config.shardIndex,
      shardCount: config.SHARD_COUNT,
      bucketTypes: config.FORECAST_BUCKET_TYPES,
      models: config.FORECAST_MODELS,
      merchantBatch: config.FORECAST_MERCHANT_BATCH,
      keepSets: config.FORECAST_KEEP_SETS,
      leaseNamePrefix: config.LEASE_NAME_PREFIX,
      leaseDurationMs: config.LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: config.LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: config.LEASE_RETRY_PERIOD_SECONDS * 1000,
      leaseWaitMs: config.FORECAST_LEASE_WAIT_SECONDS * 1000,
      ...(config.POD_NAME ? { identity: `${config.POD_NAME}` } : {}),
    };
    for (;;) {
      const summary = await runForecastJob(
        options,
        { pool, leaseStore, forecaster, logger: deps.logger },
        signal,
      );
      if (config.FORECAST_INTERVAL_SECONDS === 0 || signal.aborted) return summary;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, config.FORECAST_INTERVAL_SECONDS * 1000);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (signal.aborted) return summary;
    }
  } finally {
    await forecaster.close();
    await pool.end();
  }
}
