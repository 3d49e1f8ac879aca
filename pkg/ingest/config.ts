import { z } from 'zod';
import { commonEnv, databaseEnv, parseEnv, port, positiveInt } from '../config/index.js';

/** Environment of the ingest service. */
export const ingestEnvSchema = z.object({
  ...commonEnv,
  ...databaseEnv,
  /** HTTP port. @default 8081 */
  PORT: port(8081),
  /** Largest accepted body of the single-order and catalog endpoints, in bytes. @default 1048576 (1 MiB) */
  INGEST_BODY_LIMIT_BYTES: positiveInt(1_048_576),
  /** Largest accepted body of POST /v1/orders/batch, in bytes. @default 16777216 (16 MiB) */
  INGEST_BATCH_BODY_LIMIT_BYTES: positiveInt(16_777_216),
  /** How far in the future an order's placedAt may be, in seconds (clock skew allowance). @default 300 */
  INGEST_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).default(300),
});

/** Parsed configuration of the ingest service. */
export type IngestConfig = z.infer<typeof ingestEnvSchema>;

/** Parses the ingest configuration from `env`; throws ConfigError naming every bad variable. */
export function parseIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  return parseEnv(ingestEnvSchema, env);
}
