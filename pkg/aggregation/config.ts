import { z } from 'zod';
import { parseAuthConfig, type AuthConfig } from '../auth/index.js';
import {
  bool,
  commonEnv,
  databaseEnv,
  kafkaEnv,
  parseEnv,
  parseTogether,
  port,
  positiveInt,
} from '../config/index.js';

/** Environment of cmd/aggregator (every field documented with its default). */
export const aggregatorEnv = {
  ...commonEnv,
  ...databaseEnv,
  ...kafkaEnv,
  /** HTTP port of the read API, /health, /ready and /metrics. @default 8082 */
  PORT: port(8082),
  /**
   * What this process runs: `all` consumes order-events and serves the read API; `consumer` only
   * consumes (HTTP serves /health, /ready and /metrics; AUTH_* are not read); `api` only serves the read API (no Kafka, no
   * retention job), so reads never wait behind a batch being decoded and applied on the same event
   * loop. Read processes learn of applied batches from PostgreSQL notifications either way. @default all
   */
  AGGREGATOR_ROLE: z.enum(['all', 'consumer', 'api']).default('all'),
  /**
   * Orders accepted longer ago than this and not yet aggregated make read responses say
   * `freshness.stale: true`. @default 300
   */
  AGGREGATION_STALE_AFTER_SECONDS: positiveInt(300),
  /**
   * Days processed event ids are kept for deduplication. Kafka's retention of order-events must be
   * shorter: a message redelivered after its id was purged would be counted twice. @default 14
   */
  PROCESSED_EVENTS_RETENTION_DAYS: positiveInt(14),
  /**
   * What the aggregator does at start when order-events can keep a message longer than
   * PROCESSED_EVENTS_RETENTION_DAYS (retention.ms + segment.ms, read with DescribeConfigs): `refuse`
   * stops it with an error naming both numbers; `warn` logs the same and consumes anyway. @default refuse
   */
  KAFKA_TOPIC_RETENTION_CHECK: z.enum(['refuse', 'warn']).default('refuse'),
  /** Seconds between purges of old processed event ids. @default 3600 */
  PROCESSED_EVENTS_PURGE_INTERVAL_SECONDS: positiveInt(3600),
  /** Seconds between refreshes of the catcast_consumer_lag gauge. @default 15 */
  AGGREGATION_LAG_REFRESH_SECONDS: positiveInt(15),
  /**
   * Partitions of order-events whose batches are applied at the same time. As many as the topic has:
   * a fetch's partition batches then commit together instead of one commit flush after another
   * (different partitions hold different merchants, so their transactions touch disjoint rows).
   * @default 6
   */
  AGGREGATION_PARTITIONS_CONCURRENTLY: positiveInt(6),
  /**
   * Bytes fetched per partition per consumer batch (bigger batches, fewer transactions; ~2,800
   * order events at 2 MiB). @default 2097152
   */
  AGGREGATION_FETCH_MAX_BYTES: positiveInt(2 * 1024 * 1024),
  /**
   * Bytes of one consumer fetch over all partitions. Every message of a fetch stays in memory until
   * its last partition batch is applied (~2.5 KB of heap per order event, promoted to V8's old space),
   * so this bounds the aggregator's memory: kafkajs' default of 10 MiB let a drain reach 320 MB RSS,
   * 4 MiB keeps it near 230 MB at the same events/s. @default 4194304
   */
  AGGREGATION_FETCH_MAX_BYTES_TOTAL: positiveInt(4 * 1024 * 1024),
  /**
   * Bytes a consumer fetch waits for before the broker answers (at most
   * AGGREGATION_FETCH_MAX_WAIT_MS): a trickle of order events is then applied in one transaction per
   * wait rather than one per event or two. 1 answers as soon as anything arrived. @default 65536
   */
  AGGREGATION_FETCH_MIN_BYTES: positiveInt(64 * 1024),
  /**
   * Longest time the broker holds a fetch with fewer than AGGREGATION_FETCH_MIN_BYTES, in ms: at most
   * this much is added to an order's way into the aggregates. @default 100
   */
  AGGREGATION_FETCH_MAX_WAIT_MS: positiveInt(100),
  /**
   * Whether /ready fails while Kafka is unreachable. Off by default so the read API keeps serving
   * stored aggregates during a broker outage. @default false
   */
  AGGREGATION_READY_REQUIRES_KAFKA: bool(false),
  /**
   * How long the read API keeps a rendered answer in memory, in ms, while it cannot be told exactly
   * which answers an apply changed (no change notifications: the listener is connecting or lost its
   * connection), and always for answers about a period in progress (their like-for-like comparison
   * moves with the clock). 0 turns the cache off. @default 250
   */
  AGGREGATION_API_CACHE_MS: z.coerce.number().int().min(0).default(250),
  /**
   * Longest time the read API keeps a rendered answer about closed periods, in ms, while it listens
   * to the change notifications on channel `catcast_aggregates_changed`: every apply names the
   * merchant, bucket type and bucket start each batch changed (late orders included), and a change
   * of a merchant's calendar or currency or of a category's name or parent names the whole merchant
   * (database triggers, migration 1764210000000). An answer is dropped as soon as anything it shows
   * changes, on every replica, and kept no longer than its `freshness.stale: false` stays true by the
   * clock (until the oldest order not yet applied passes the stale threshold, less 30 s). What this
   * bounds is how far `asOf` may trail the merchant's newest apply on an answer whose periods did not
   * change — a total is never older than the `asOf` it states. 0 uses AGGREGATION_API_CACHE_MS for
   * every answer, and so does a process reading from DATABASE_READ_URL (a replica may replay a change
   * after its notification arrived). @default 300000
   */
  AGGREGATION_API_CACHE_EXACT_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * Rendered answers the read API keeps at most, the least recently read evicted first (kept
   * deflated: ~0.6 KB for a top-categories answer of 2.2 KB of JSON, 1.3 KB of heap with its key
   * and bookkeeping). Under the 10,000-merchant read mix (Zipf over merchants, uniform over two years
   * of periods) 20,000 answers let 37–43% of the requests be answered from memory, against 19–23%
   * with 5,000 answers kept 5 s. @default 20000
   */
  AGGREGATION_API_CACHE_ENTRIES: positiveInt(20_000),
  /**
   * Approximate bytes of kept answers (packed body, key, ETag, bookkeeping), the least recently read
   * evicted first: the bound that holds memory when answers are large (long series, many
   * categories). The read-only process peaked at 243 MB RSS under the 10,000-merchant read mix with
   * 25,000 answers and 24 MiB; at 276 MB with 20,000 answers kept as plain text. @default 20971520 (20 MiB)
   */
  AGGREGATION_API_CACHE_BYTES: positiveInt(20 * 1024 * 1024),
  /** Cache-Control max-age of read responses in seconds. @default 5 */
  AGGREGATION_API_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(5),
  /**
   * Most reads of one route (top-categories, category-sales) that share one statement when they
   * reach the process in the same turn of the event loop (or while AGGREGATION_API_READ_CONCURRENCY
   * statements run); 1 (the default) sends every read as its own statement. Measured side by side
   * (BENCHMARKS.md, read batching): with no writes batches of 32 with 4 in flight served 11–20% more
   * reads at 24% less CPU per read, but under the realistic mix with live writes they served 12–40%
   * fewer (a batch runs its reads one after another in one backend). @default 1
   */
  AGGREGATION_API_READ_BATCH_MAX: z.coerce.number().int().min(1).max(256).default(1),
  /**
   * With batching on: most read statements of one route in flight at once; reads that arrive while
   * all run wait in the process and leave together as the next statement. 0 = no limit (each read
   * is sent at once when batching is off). Keep it below DATABASE_POOL_MAX. @default 0
   */
  AGGREGATION_API_READ_CONCURRENCY: z.coerce.number().int().min(0).default(0),
};

const schema = z.object(aggregatorEnv);

/**
 * Parsed configuration of the aggregator. `auth` holds the AUTH_* settings of its read API; the
 * consumer role (AGGREGATOR_ROLE=consumer) serves no API, so it neither parses nor needs them.
 */
export type AggregatorConfig = z.infer<typeof schema> & { readonly auth: AuthConfig | undefined };

/** Parses the aggregator's environment; throws ConfigError naming every bad variable. */
export function parseAggregatorConfig(env: Readonly<Record<string, string | undefined>>): AggregatorConfig {
  const role = aggregatorEnv.AGGREGATOR_ROLE.safeParse(env.AGGREGATOR_ROLE || undefined);
  const serves = !(role.success && role.data === 'consumer');
  const [service, auth] = parseTogether(
    () => parseEnv(schema, env),
    () => (serves ? parseAuthConfig(env) : undefined),
  );
  return { ...service, auth };
}
