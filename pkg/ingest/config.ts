import { z } from 'zod';
import { parseAuthConfig, type AuthConfig } from '../auth/index.js';
import {
  commonEnv,
  databaseEnv,
  parseEnv,
  parseTogether,
  port,
  positiveInt,
  without,
} from '../config/index.js';

/** Environment of the ingest service. */
export const ingestEnvSchema = z.object({
  ...commonEnv,
  // Every query of ingest goes to the primary: DATABASE_READ_URL is not read.
  ...without(databaseEnv, 'DATABASE_READ_URL'),
  /** HTTP port. @default 8081 */
  PORT: port(8081),
  /** Largest accepted body of the single-order and catalog endpoints, in bytes. @default 1048576 (1 MiB) */
  INGEST_BODY_LIMIT_BYTES: positiveInt(1_048_576),
  /** Largest accepted body of POST /v1/orders/batch, in bytes. @default 16777216 (16 MiB) */
  INGEST_BATCH_BODY_LIMIT_BYTES: positiveInt(16_777_216),
  /** How far in the future an order's placedAt may be, in seconds (clock skew allowance). @default 300 */
  INGEST_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).default(300),
  /**
   * Sustained requests per second allowed per token (its subject and merchants; one bucket for all
   * callers with AUTH_MODE=none) on /v1, a token bucket answering 429 with Retry-After beyond it;
   * 0 turns the limit off. @default 2000
   */
  INGEST_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(2000),
  /** Requests a token may send at once above the sustained rate (the bucket size). @default 4000 */
  INGEST_RATE_LIMIT_BURST: positiveInt(4000),
  /**
   * Group commit of POST /v1/orders: single orders that arrive while INGEST_INSERT_CONCURRENCY
   * insert statements are running wait and are written together, up to this many per statement
   * (each still checked, committed and answered on its own); 1 writes every order alone. @default 50
   */
  INGEST_INSERT_BATCH_MAX: positiveInt(50),
  /**
   * Insert statements of single orders in flight at once per ingest process. One pipeline per
   * process measured best (0.73-0.74 of pgbench on 2 cores, against 0.55-0.67 with 2 and 0.45-0.50
   * with 4-8: fewer, larger statements); throughput grows with replicas. @default 1
   */
  INGEST_INSERT_CONCURRENCY: positiveInt(1),
});

/** Parsed configuration of the ingest service, with its AUTH_* settings. */
export type IngestConfig = z.infer<typeof ingestEnvSchema> & { readonly auth: AuthConfig };

/**
 * Parses the ingest configuration from `env`; throws ConfigError naming every bad variable. AUTH_MODE
 * defaults to jwt: without a key source the process refuses to start (AUTH_MODE=none is explicit).
 */
export function parseIngestConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const [service, auth] = parseTogether(
    () => parseEnv(ingestEnvSchema, env),
    () => parseAuthConfig(env),
  );
  return { ...service, auth };
}
