import { z } from 'zod';
import { commonEnv, ConfigError, kafkaEnv, list, parseEnv, port, positiveInt } from '../config/index.js';

/** Environment of the external-metrics provider (cmd/lag-metrics). */
export const lagMetricsEnv = {
  ...commonEnv,
  /** Comma-separated Kafka bootstrap servers. Required. */
  KAFKA_BROKERS: list().refine((v) => v.length > 0, 'at least one broker'),
  /** Topic whose lag is served (the metric's `topic` label). @default order-events */
  KAFKA_TOPIC: kafkaEnv.KAFKA_TOPIC,
  /** Consumer group whose lag is served (the metric's `consumer_group` label). @default catcast-aggregator */
  KAFKA_CONSUMER_GROUP: kafkaEnv.KAFKA_CONSUMER_GROUP,
  /** Client id prefix. @default catcast */
  KAFKA_CLIENT_ID: kafkaEnv.KAFKA_CLIENT_ID,
  /** Port of /health, /ready and /metrics (plain HTTP, for the kubelet and Prometheus). @default 8084 */
  PORT: port(8084),
  /** Port of the external metrics API (HTTPS, called by kube-apiserver only). @default 6443 */
  SECURE_PORT: port(6443),
  /** Name of the External metric served. @default catcast_consumer_lag */
  LAG_METRIC_NAME: z
    .string()
    .regex(/^[a-z0-9_][a-z0-9_.-]*$/i, 'letters, digits, "_", "." and "-"')
    .default('catcast_consumer_lag'),
  /** Longest one lag read waits for Kafka, in ms; a slower read answers 503. @default 5000 */
  LAG_READ_TIMEOUT_MS: positiveInt(5000),
  /**
   * PEM serving certificate of the HTTPS port (e.g. a mounted Secret); with TLS_KEY_FILE.
   * @default unset: a self-signed certificate made at start
   */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** PEM private key of TLS_CERT_FILE. @default unset */
  TLS_KEY_FILE: z.string().min(1).optional(),
  /**
   * DNS names put in the self-signed certificate (the Service's names). @default unset
   */
  TLS_DNS_NAMES: list().default([]),
};

const lagMetricsSchema = z.object(lagMetricsEnv);

/** Parsed configuration of cmd/lag-metrics. */
export type LagMetricsConfig = z.infer<typeof lagMetricsSchema>;

/** Parses the provider's configuration from `env`; throws a ConfigError naming every bad variable. */
export function parseLagMetricsConfig(env: Record<string, string | undefined>): LagMetricsConfig {
  const config = parseEnv(lagMetricsSchema, env);
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined)) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither', [
      'TLS_CERT_FILE',
      'TLS_KEY_FILE',
    ]);
  }
  return config;
}
