import { z } from 'zod';

/** Raised when an environment variable does not parse; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with a zod object schema whose keys are environment variable names. */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  // Treat empty strings as unset, as shells and Kubernetes often pass "" for optional values.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const got = cleaned[name];
    return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(redact(name, got))})`}`;
  });
  throw new ConfigError(`invalid configuration: ${issues.join('; ')}`, issues);
}

/**
 * Runs every parser (each reading part of one environment, e.g. a service's variables and AUTH_*) and
 * throws one ConfigError naming the issues of all that failed, so one start reports every mistake.
 */
export function parseTogether<const T extends readonly (() => unknown)[]>(
  ...parsers: T
): { -readonly [K in keyof T]: T[K] extends () => infer R ? R : never } {
  const results: unknown[] = [];
  const issues: string[] = [];
  for (const parse of parsers) {
    try {
      results.push(parse());
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length) throw new ConfigError(`invalid configuration: ${issues.join('; ')}`, issues);
  return results as { -readonly [K in keyof T]: T[K] extends () => infer R ? R : never };
}

function redact(name: string, value: string): string {
  return /SECRET|PASSWORD|TOKEN|KEY|URL/i.test(name) ? '<redacted>' : value;
}

/** A TCP port number read from the environment. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A positive integer read from the environment. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A boolean read from the environment ("true"/"false"/"1"/"0"). */
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list, trimmed, empties removed. */
export const list = () =>
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

/**
 * `group` without the variables named in `keys`, for a binary that spreads a shared group but never
 * reads some of its variables (`...without(commonEnv, 'HOST')`): they are then neither parsed nor
 * listed for that binary in docs/configuration.md (scripts/gen-config-docs.ts reads this call).
 */
export function without<G extends Record<string, z.ZodType>, K extends keyof G & string>(
  group: G,
  ...keys: K[]
): Omit<G, K> {
  const rest: Record<string, z.ZodType> = { ...group };
  for (const key of keys) delete rest[key];
  return rest as Omit<G, K>;
}

/** Settings every catcast process shares. */
export const commonEnv = {
  /** Log level for pino. @default info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Address the HTTP server binds to. @default 0.0.0.0 */
  HOST: z.string().default('0.0.0.0'),
  /** Seconds to finish in-flight work after SIGTERM before exiting. @default 20 */
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt(20),
};

/** Database settings shared by every process that talks to Postgres. */
export const databaseEnv = {
  /** Postgres connection string of the primary. Required. */
  DATABASE_URL: z.string().url(),
  /** Optional read replica used by read endpoints. @default unset (reads go to DATABASE_URL) */
  DATABASE_READ_URL: z.string().url().optional(),
  /** Maximum connections in this process's pool. @default 10 */
  DATABASE_POOL_MAX: positiveInt(10),
  /** Statement timeout in milliseconds for API queries. @default 5000 */
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(5000),
};

/** Kafka settings; KAFKA_BROKERS unset means the in-process embedded bus (development only). */
export const kafkaEnv = {
  /** Comma-separated bootstrap servers. @default unset (embedded bus) */
  KAFKA_BROKERS: list().optional(),
  /** Topic of order events. @default order-events */
  KAFKA_TOPIC: z.string().default('order-events'),
  /** Dead-letter topic. @default order-events.dlq */
  KAFKA_DLQ_TOPIC: z.string().default('order-events.dlq'),
  /** Client id prefix. @default catcast */
  KAFKA_CLIENT_ID: z.string().default('catcast'),
  /** Partitions used when the relay creates the topic. @default 6 */
  KAFKA_TOPIC_PARTITIONS: positiveInt(6),
  /** Replication factor used when the relay creates the topic. @default 1 */
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  /** Consumer group of the aggregator. @default catcast-aggregator */
  KAFKA_CONSUMER_GROUP: z.string().default('catcast-aggregator'),
  /**
   * Consumer group session timeout in ms: how soon the partitions of a consumer that died without
   * leaving (SIGKILL, node loss) move to another member; the broker accepts 6000..300000 by default. @default 30000
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
};
