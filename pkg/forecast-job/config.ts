import { z } from 'zod';
import { BUCKET_TYPES } from '../buckets/index.js';
import { commonEnv, databaseEnv, list, parseEnv, positiveInt, without } from '../config/index.js';
import { MAX_HORIZON, MODEL_NAMES, defaultHorizon } from '../forecast-engine/index.js';

/** Steps of the multi-horizon path for one bucket type: 0 (no paths) to MAX_HORIZON. */
const horizon = (bt: (typeof BUCKET_TYPES)[number]) =>
  z.coerce.number().int().min(0).max(MAX_HORIZON).default(defaultHorizon(bt));

const jobEnv = z
  .object({
    // The job serves no HTTP (HOST), reads no replica and sets no statement timeout (run.ts).
    ...without(commonEnv, 'HOST'),
    ...without(databaseEnv, 'DATABASE_READ_URL', 'DATABASE_POOL_MAX', 'DATABASE_STATEMENT_TIMEOUT_MS'),
    /**
     * Connections of the job's pool, clamped to 2..4 (a lower value opens 2, a higher one 4).
     * @default 10 (4 connections)
     */
    DATABASE_POOL_MAX: positiveInt(10),
    /** Number of merchant shards (CronJob completions). @default 1 */
    SHARD_COUNT: positiveInt(1),
    /**
     * This run's shard; Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX instead.
     * @default JOB_COMPLETION_INDEX, else 0
     */
    SHARD_INDEX: z.coerce.number().int().min(0).optional(),
    /**
     * Set by Kubernetes for Indexed Jobs; used when SHARD_INDEX is unset.
     * @default unset (shard 0 when SHARD_INDEX is unset too)
     */
    JOB_COMPLETION_INDEX: z.coerce.number().int().min(0).optional(),
    /** Where leases live: postgres (forecasting.leases) or kubernetes (coordination.k8s.io Leases). @default postgres */
    LEASE_STORE: z.enum(['postgres', 'kubernetes']).default('postgres'),
    /** Namespace of the Kubernetes Leases. @default the pod's namespace, else "default" */
    LEASE_NAMESPACE: z.string().optional(),
    /** Lease name prefix; the shard index is appended. @default catcast-forecast-shard- */
    LEASE_NAME_PREFIX: z.string().default('catcast-forecast-shard-'),
    /** Lease validity without renewal. @default 15 */
    LEASE_DURATION_SECONDS: positiveInt(15),
    /** How long the leader tries to renew before giving up. @default 10 */
    LEASE_RENEW_DEADLINE_SECONDS: positiveInt(10),
    /** Wait between lease attempts. @default 2 */
    LEASE_RETRY_PERIOD_SECONDS: positiveInt(2),
    /** How long to wait for the lease before exiting as "another run holds this shard". @default 60 */
    FORECAST_LEASE_WAIT_SECONDS: positiveInt(60),
    /** Pod name, used in the lease holder identity. @default the hostname */
    POD_NAME: z.string().optional(),
    /** Bucket types to forecast. @default WEEK,MONTH,YEAR */
    FORECAST_BUCKET_TYPES: list()
      .pipe(z.array(z.enum(BUCKET_TYPES)).min(1))
      .default(['WEEK', 'MONTH', 'YEAR']),
    /** Models precomputed for every series (compare-models shows them all). @default every model */
    FORECAST_MODELS: list()
      .pipe(z.array(z.enum(MODEL_NAMES)).min(1))
      .default([...MODEL_NAMES]),
    /** Models whose next-H-buckets paths are precomputed (each costs several one-step forecasts); "none" for none. @default auto,seasonal_naive */
    FORECAST_PATH_MODELS: list()
      .transform((v) => (v.length === 1 && v[0] === 'none' ? [] : v))
      .pipe(z.array(z.enum(MODEL_NAMES)))
      .default(['auto', 'seasonal_naive']),
    /** Steps of the DAY paths (0: none). @default 14 */
    FORECAST_HORIZON_DAY: horizon('DAY'),
    /** Steps of the WEEK paths (0: none). @default 13 */
    FORECAST_HORIZON_WEEK: horizon('WEEK'),
    /** Steps of the MONTH paths (0: none). @default 12 */
    FORECAST_HORIZON_MONTH: horizon('MONTH'),
    /** Steps of the YEAR paths (0: none). @default 3 */
    FORECAST_HORIZON_YEAR: horizon('YEAR'),
    /** Worker threads. @default 2 */
    FORECAST_THREADS: positiveInt(2),
    /** Merchants whose series are forecast in one worker batch. @default 50 */
    FORECAST_MERCHANT_BATCH: positiveInt(50),
    /** Forecast sets kept per merchant and bucket type. @default 5 */
    FORECAST_KEEP_SETS: positiveInt(5),
    /** Seconds between runs in loop mode (development); 0 = run once and exit (CronJob). @default 0 */
    FORECAST_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(0),
  })
  .transform((c) => ({
    ...c,
    shardIndex: c.SHARD_INDEX ?? c.JOB_COMPLETION_INDEX ?? 0,
    horizons: {
      DAY: c.FORECAST_HORIZON_DAY,
      WEEK: c.FORECAST_HORIZON_WEEK,
      MONTH: c.FORECAST_HORIZON_MONTH,
      YEAR: c.FORECAST_HORIZON_YEAR,
    },
  }))
  .refine((c) => c.shardIndex < c.SHARD_COUNT, {
    message: 'shard index (SHARD_INDEX or JOB_COMPLETION_INDEX) must be smaller than SHARD_COUNT',
    path: ['SHARD_INDEX'],
  })
  .refine((c) => c.LEASE_DURATION_SECONDS > c.LEASE_RENEW_DEADLINE_SECONDS, {
    message: 'LEASE_DURATION_SECONDS must be greater than LEASE_RENEW_DEADLINE_SECONDS',
    path: ['LEASE_DURATION_SECONDS'],
  })
  .refine((c) => c.LEASE_RENEW_DEADLINE_SECONDS > 1.2 * c.LEASE_RETRY_PERIOD_SECONDS, {
    message: 'LEASE_RENEW_DEADLINE_SECONDS must be greater than 1.2 x LEASE_RETRY_PERIOD_SECONDS',
    path: ['LEASE_RENEW_DEADLINE_SECONDS'],
  });

/** Configuration of the forecast job. */
export type ForecastJobConfig = z.infer<typeof jobEnv>;

/** Parses the forecast job's environment. */
export function parseForecastJobConfig(env: Record<string, string | undefined>): ForecastJobConfig {
  return parseEnv(jobEnv as unknown as z.ZodObject, env) as ForecastJobConfig;
}
