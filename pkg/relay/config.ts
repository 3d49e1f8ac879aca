import { z } from 'zod';
import { commonEnv, databaseEnv, kafkaEnv, parseEnv, port, positiveInt, without } from '../config/index.js';

/** Environment of the outbox relay (cmd/relay). */
export const relayEnv = {
  ...commonEnv,
  // The relay only works on the primary: DATABASE_READ_URL is not read.
  ...without(databaseEnv, 'DATABASE_READ_URL'),
  ...kafkaEnv,
  /** Port of /health, /ready and /metrics. @default 8083 */
  PORT: port(8083),
  /** Outbox rows published per transaction (one produce call, one UPDATE). @default 500 */
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(500),
  /** Fallback poll interval when no NOTIFY arrives, in ms. @default 1000 */
  RELAY_POLL_INTERVAL_MS: positiveInt(1000),
  /**
   * After a batch that was not full, how long the relay waits once woken before reading the next
   * batch, in ms: orders committed meanwhile share one transaction and one produce request (at 300
   * orders/s, 20 ms gathers about six). Adds at most this much to an order's way to Kafka; full
   * batches never wait. 0 publishes at every wake-up. @default 20
   */
  RELAY_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** Cap of the exponential backoff after a failed publish, in ms. @default 30000 */
  RELAY_MAX_BACKOFF_MS: positiveInt(30_000),
  /** Published outbox rows older than this many hours are deleted. @default 72 */
  OUTBOX_RETENTION_HOURS: positiveInt(72),
  /** How often the retention sweep runs, in seconds. @default 300 */
  OUTBOX_RETENTION_INTERVAL_SECONDS: positiveInt(300),
};

const relaySchema = z.object(relayEnv);

/** Parsed relay configuration. */
export type RelayConfig = z.infer<typeof relaySchema>;

/** Parses the relay configuration from `env`; throws a ConfigError naming every bad variable. */
export function parseRelayConfig(env: Record<string, string | undefined>): RelayConfig {
  return parseEnv(relaySchema, env);
}
