import { createPool } from '../db/index.js';
import { createForecastPool } from '../forecast-engine/index.js';
import { createKubernetesLeaseStore, PostgresLeaseStore, type LeaseStore } from '../leader/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { abortableSleep } from '../retry/index.js';
import type { ForecastJobConfig } from './config.js';
import { runForecastJob, type ForecastJobSummary } from './job.js';

/** Builds the Kubernetes lease store for LEASE_STORE=kubernetes. */
export type LeaseStoreFactory = (config: ForecastJobConfig) => Promise<LeaseStore>;

/** Optional collaborators of {@link run}; each defaults to the production choice. */
export interface ForecastJobRunDeps {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /**
   * @default in a pod the service account's token (loadFromDefault falls back to in-cluster
   * config), the namespace LEASE_NAMESPACE or the pod's; a renewal is a get and a replace, so each
   * request gets half the renew deadline
   */
  readonly kubernetesLeaseStore?: LeaseStoreFactory;
}

const kubernetesLeaseStore: LeaseStoreFactory = (c) =>
  createKubernetesLeaseStore({
    namespace: c.LEASE_NAMESPACE,
    requestTimeoutMs: (c.LEASE_RENEW_DEADLINE_SECONDS * 1000) / 2,
  });

/**
 * The forecast precompute: runs the job once (a CronJob per shard) or every FORECAST_INTERVAL_SECONDS
 * until `signal` aborts (development). Resolves with the exit code of the last run: 0 when it
 * succeeded or another run holds the shard's lease, 1 when it failed. The one wiring of
 * cmd/forecast-job and `make dev`.
 */
export async function run(
  config: ForecastJobConfig,
  signal: AbortSignal,
  deps: ForecastJobRunDeps = {},
): Promise<number> {
  const summary = await runFromConfig(config, signal, deps);
  return summary.status === 'succeeded' || summary.status === 'not_leader' ? 0 : 1;
}

async function runFromConfig(
  config: ForecastJobConfig,
  signal: AbortSignal,
  deps: ForecastJobRunDeps,
): Promise<ForecastJobSummary> {
  const logger = deps.logger ?? createLogger({ service: 'forecast-job', level: config.LOG_LEVEL });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: Math.max(2, Math.min(config.DATABASE_POOL_MAX, 4)),
    applicationName: 'catcast-forecast-job',
  });
  const forecaster = createForecastPool({ threads: config.FORECAST_THREADS });
  try {
    let leaseStore: LeaseStore;
    if (config.LEASE_STORE === 'kubernetes') {
      leaseStore = await (deps.kubernetesLeaseStore ?? kubernetesLeaseStore)(config);
    } else {
      leaseStore = new PostgresLeaseStore(pool);
    }
    const options = {
      shardIndex: config.shardIndex,
      shardCount: config.SHARD_COUNT,
      bucketTypes: config.FORECAST_BUCKET_TYPES,
      models: config.FORECAST_MODELS,
      pathModels: config.FORECAST_PATH_MODELS,
      horizons: config.horizons,
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
      const summary = await runForecastJob(options, { pool, leaseStore, forecaster, logger }, signal);
      if (config.FORECAST_INTERVAL_SECONDS === 0 || signal.aborted) return summary;
      await abortableSleep(config.FORECAST_INTERVAL_SECONDS * 1000, signal);
      if (signal.aborted) return summary;
    }
  } finally {
    await forecaster.close();
    await pool.end();
  }
}
