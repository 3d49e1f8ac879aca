/** Starts the write pipeline (ingest, relay, aggregator) against the benchmark's Postgres and Kafka. */
import type { BenchContext } from './context.js';
import type { BenchDb } from './env.js';
import { startService, waitFor, type Service } from './proc.js';

/** The running pipeline and its URLs. */
export interface Pipeline {
  readonly ingest: Service;
  readonly relay: Service;
  readonly aggregator: Service;
  readonly ingestUrl: string;
  readonly aggregatorUrl: string;
  stop(): Promise<void>;
}

/** Kafka settings of one scenario: its own topic and consumer group. */
export function kafkaEnv(ctx: BenchContext, scenario: string): Record<string, string> {
  return {
    KAFKA_BROKERS: ctx.infra.kafkaBrokers,
    KAFKA_TOPIC: `bench-${scenario}-${ctx.runId}`,
    KAFKA_DLQ_TOPIC: `bench-${scenario}-${ctx.runId}.dlq`,
    KAFKA_CONSUMER_GROUP: `bench-${scenario}-${ctx.runId}`,
  };
}

/**
 * BENCH_PIPELINE_ENV="KEY=value KEY2=value2": settings given to ingest, relay and aggregator of every
 * pipeline (e.g. RELAY_LINGER_MS=0 to measure the relay without lingering), so a setting can be
 * measured against its default in otherwise identical runs. Each binary reads only its own variables.
 */
export function pipelineEnvOverrides(spec = process.env.BENCH_PIPELINE_ENV ?? ''): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of spec.split(/[\s,]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`BENCH_PIPELINE_ENV: "${pair}" is not KEY=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Starts ingest, relay and aggregator and waits until the aggregator's consumer is in its group. */
export async function startPipeline(
  ctx: BenchContext,
  db: BenchDb,
  scenario: string,
  /** Extra environment of the aggregator (e.g. AUTH_MODE=jwt for a read benchmark). */
  aggregatorEnv: Record<string, string> = {},
  /** Extra environment of all three (default: BENCH_PIPELINE_ENV's). */
  pipelineEnv: Record<string, string> = pipelineEnvOverrides(),
): Promise<Pipeline> {
  const kafka = kafkaEnv(ctx, scenario);
  const base = { DATABASE_URL: db.url, ...pipelineEnv };
  const ingest = startService('ingest', { ...base, INGEST_RATE_LIMIT_PER_SECOND: '0' });
  const relay = startService('relay', { ...base, ...kafka });
  // LOG_LEVEL=info: the subscriber logs "consuming" once it joined the group.
  const aggregator = startService('aggregator', { ...base, ...kafka, LOG_LEVEL: 'info', ...aggregatorEnv });
  const [ip, , ap] = await Promise.all([ingest.port(), relay.port(), aggregator.port()]);
  await waitFor(
    'the aggregator to join its consumer group',
    () => (aggregator.log.join('').includes('"msg":"consuming"') ? true : undefined),
    { timeoutMs: 120_000 },
  );
  return {
    ingest,
    relay,
    aggregator,
    ingestUrl: `http://127.0.0.1:${ip}`,
    aggregatorUrl: `http://127.0.0.1:${ap}`,
    async stop() {
      await Promise.all([ingest.stop(), relay.stop(), aggregator.stop()]);
    },
  };
}
