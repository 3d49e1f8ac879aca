/**
 * (3) Drain rate: N events waiting in the outbox (as after a Kafka outage). The relay publishes them
 * (one and two replicas, two batch sizes), compared with kafka-producer-perf-test writing the same
 * number of records of the same size to the same broker; then the aggregator applies them (one and
 * two processes in one consumer group: the scaling shape of aggregation).
 */
import type { BenchContext } from '../lib/context.js';
import { round } from '../lib/context.js';
import { CATALOG, freshDatabase, seedCatalog, type BenchDb } from '../lib/env.js';
import { kafkaScriptEnv } from '../lib/env.js';
import { kafkaEnv } from '../lib/pipeline.js';
import { log, runCommand, sleep, startService, type Service } from '../lib/proc.js';

/** One timed drain. */
export interface DrainRun {
  readonly label: string;
  readonly processes: number;
  readonly batchSize?: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU used by the catcast processes per event, in microseconds. */
  readonly cpuMicrosPerEvent: number | null;
}

/** Results of the drain scenario. */
export interface DrainResult {
  readonly events: number;
  readonly payloadBytes: number;
  /** cpuMicrosPerRecord: CPU of the tool's JVM per record (start-up included). */
  readonly perfTest: { recordsPerSecond: number; raw: string; cpuMicrosPerRecord: number | null };
  readonly relay: DrainRun[];
  readonly aggregator: DrainRun[];
  readonly ratios: {
    relayVsPerfTest: number | null;
    bestRelayVsPerfTest: number | null;
    relayTwoVsOne: number | null;
    aggregatorTwoVsOne: number | null;
  };
}

const MERCHANTS = 10;

async function fillOutbox(db: BenchDb, n: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO ingestion.orders
       (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
     SELECT gen_random_uuid(), 'bench-m-' || (1 + g % $2::int), 'drain-' || g,
            now() - (g % 2000) * interval '1 minute', 'EUR', 3702, 3, md5(g::text)
       FROM generate_series(1, $1::int) g`,
    [n, MERCHANTS],
  );
  // The payload is a valid order.created v1 whose eventId is the row id (as ingest writes it).
  await db.pool.query(
    `INSERT INTO ingestion.order_events
       (id, order_id, merchant_id, event_type, schema_version, partition_key, payload)
     SELECT e.id, e.order_id, e.merchant_id, 'order.created', 1, e.merchant_id,
            jsonb_build_object(
              'eventId', e.id, 'eventType', 'order.created', 'schemaVersion', 1, 'occurredAt', e.created_at,
              'merchantId', e.merchant_id, 'merchantTimezone', 'UTC', 'merchantWeekStart', 'MONDAY',
              'orderId', e.order_id, 'externalOrderId', e.external_order_id, 'placedAt', e.placed_at,
              'currency', 'EUR', 'totalMinor', '3702',
              'items', jsonb_build_array(
                jsonb_build_object('productId', 'p-' || e.k, 'categoryId', 'c-' || (e.k % 10), 'quantity', 1, 'amountMinor', '1234'),
                jsonb_build_object('productId', 'p-' || (e.k + 1), 'categoryId', 'c-' || ((e.k + 1) % 10), 'quantity', 1, 'amountMinor', '1234'),
                jsonb_build_object('productId', 'p-' || (e.k + 2), 'categoryId', 'c-' || ((e.k + 2) % 10), 'quantity', 1, 'amountMinor', '1234')))
       FROM (SELECT gen_random_uuid() AS id, o.id AS order_id, o.merchant_id, o.external_order_id, o.placed_at,
                    o.created_at, (abs(hashtext(o.external_order_id)) % 40) AS k
               FROM ingestion.orders o) e`,
  );
  await db.pool.query('VACUUM ANALYZE ingestion.order_events');
}

/**
 * Polls `count()` until it reaches `target`. The rate is taken between the first samples past 10%
 * and past 90% of the target: process start-up, group joins and the drain's tail are left out, so
 * one and two processes are compared in their steady state.
 */
async function timeProgress(
  count: () => Promise<number>,
  target: number,
  timeoutMs: number,
): Promise<{ seconds: number; events: number }> {
  const deadline = Date.now() + timeoutMs;
  let low: { t: number; n: number } | undefined;
  let first: { t: number; n: number } | undefined;
  for (;;) {
    const n = await count();
    const t = performance.now();
    if (!first && n > 0) first = { t, n };
    if (!low && n >= target * 0.1) low = { t, n };
    if (n >= target * 0.9 && low && n > low.n) {
      // Wait for the rest, so the next run starts from a drained outbox.
      while ((await count()) < target) {
        if (Date.now() > deadline) throw new Error(`drain stalled below ${target}`);
        await sleep(100);
      }
      return { seconds: (t - low.t) / 1000, events: n - low.n };
    }
    if (n >= target) {
      // Everything arrived between two polls (tiny smoke sizes): the whole window is all there is.
      const from = first && first.n < n ? first : { t: t - 100, n: 0 };
      return { seconds: Math.max((t - from.t) / 1000, 0.1), events: n - from.n };
    }
    if (Date.now() > deadline) throw new Error(`drain stalled at ${n}/${target}`);
    await sleep(100);
  }
}

function cpuOf(services: Service[]): number {
  return services.reduce((a, s) => a + (s.cpuSeconds() ?? 0), 0);
}

/** Runs the drain benchmark. */
export async function drainScenario(ctx: BenchContext): Promise<DrainResult> {
  const n = Number(process.env.BENCH_DRAIN_EVENTS ?? (ctx.smoke ? 2_000 : 200_000));
  const db = await freshDatabase(ctx.infra, 'drain');
  const timeoutMs = ctx.smoke ? 120_000 : 900_000;
  try {
    await seedCatalog(db, { merchants: MERCHANTS, ...CATALOG });
    log(`drain: filling the outbox with ${n} events`);
    await fillOutbox(db, n);
    const { rows } = await db.pool.query<{ avg: string }>(
      'SELECT avg(octet_length(payload::text))::int AS avg FROM ingestion.order_events',
    );
    const payloadBytes = Number(rows[0]!.avg);

    // Reference: Kafka's own Java producer, same broker, same record count and size, acks=all.
    const perfTopic = `bench-perf-${ctx.runId}`;
    await runCommand(
      'bash',
      [
        'scripts/kafka.sh',
        'topics',
        '--create',
        '--topic',
        perfTopic,
        '--partitions',
        '6',
        '--replication-factor',
        '1',
      ],
      {
        env: kafkaScriptEnv(),
      },
    );
    // `times` after the tool reports the CPU its process tree used (JVM start-up included).
    const perfOut = await runCommand(
      'bash',
      [
        '-c',
        'bash scripts/kafka.sh perf-test "$@"; times',
        'perf-test',
        '--topic',
        perfTopic,
        '--num-records',
        String(n),
        '--record-size',
        String(payloadBytes),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${ctx.infra.kafkaBrokers}`,
        'acks=all',
      ],
      { env: kafkaScriptEnv() },
    );
    const lines = perfOut.trim().split('\n');
    const last = lines.find((l) => / records sent, /.test(l) && /99th/.test(l)) ?? '';
    const m = /([\d.]+) records\/sec/.exec(last);
    if (!m) throw new Error(`kafka-producer-perf-test printed no rate: ${perfOut}`);
    // The children line of `times`: "0m12.345s 0m1.234s" (user, system).
    const t = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(lines.at(-1) ?? '');
    const cpu = t ? Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]) : null;
    const perfTest = {
      recordsPerSecond: Number(m[1]),
      raw: last,
      cpuMicrosPerRecord: cpu === null ? null : round((cpu / n) * 1e6, 1),
    };
    log(`drain: perf-test ${perfTest.recordsPerSecond} records/s`);

    const published = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM ingestion.order_events WHERE published_at IS NOT NULL',
          )
        ).rows[0]!.n,
      );
    const variants = ctx.smoke
      ? [{ processes: 1, batch: 500 }]
      : [
          { processes: 1, batch: 500 },
          { processes: 2, batch: 500 },
          { processes: 1, batch: 2000 },
          { processes: 2, batch: 2000 },
        ];
    const relay: DrainRun[] = [];
    const base = kafkaEnv(ctx, 'drain');
    let firstTopic = '';
    for (const [i, v] of variants.entries()) {
      if (i > 0) {
        await db.pool.query('UPDATE ingestion.order_events SET published_at = NULL, attempts = 0');
        await db.pool.query('VACUUM ANALYZE ingestion.order_events');
      }
      const topic = `${base.KAFKA_TOPIC}-r${i}`;
      firstTopic ||= topic;
      const env = { DATABASE_URL: db.url, ...base, KAFKA_TOPIC: topic, RELAY_BATCH_SIZE: String(v.batch) };
      const relays = Array.from({ length: v.processes }, (_, k) =>
        startService('relay', env, `relay#${k + 1}`),
      );
      await Promise.all(relays.map((r) => r.port()));
      const cpu0 = cpuOf(relays);
      const t = await timeProgress(published, n, timeoutMs);
      const cpu = cpuOf(relays) - cpu0;
      relays.forEach((r) => ctx.noteRss(r, `outbox drain (${n} events)`));
      await Promise.all(relays.map((r) => r.stop()));
      const run: DrainRun = {
        label: `relay x${v.processes}, batch ${v.batch}`,
        processes: v.processes,
        batchSize: v.batch,
        events: t.events,
        seconds: round(t.seconds, 2)!,
        eventsPerSecond: Math.round(t.events / t.seconds),
        cpuMicrosPerEvent: round((cpu / n) * 1e6, 0),
      };
      relay.push(run);
      log(`drain: ${run.label}: ${run.eventsPerSecond} events/s`);
    }

    const applied = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            'SELECT coalesce(sum(events_applied), 0) AS n FROM forecasting.aggregation_watermarks',
          )
        ).rows[0]!.n,
      );
    const aggregator: DrainRun[] = [];
    for (const processes of ctx.smoke ? [1] : [1, 2]) {
      await db.pool.query(
        'TRUNCATE forecasting.processed_events, forecasting.category_sales_agg, forecasting.aggregation_watermarks',
      );
      const env = {
        DATABASE_URL: db.url,
        ...base,
        KAFKA_TOPIC: firstTopic,
        KAFKA_CONSUMER_GROUP: `${base.KAFKA_CONSUMER_GROUP}-a${processes}`,
      };
      const aggs = Array.from({ length: processes }, (_, k) =>
        startService('aggregator', env, `aggregator#${k + 1}`),
      );
      await Promise.all(aggs.map((a) => a.port()));
      const cpu0 = cpuOf(aggs);
      const t = await timeProgress(applied, n, timeoutMs);
      const cpu = cpuOf(aggs) - cpu0;
      aggs.forEach((a) => ctx.noteRss(a, `outbox drain (${n} events)`));
      await Promise.all(aggs.map((a) => a.stop()));
      const run: DrainRun = {
        label: `aggregator x${processes}`,
        processes,
        events: t.events,
        seconds: round(t.seconds, 2)!,
        eventsPerSecond: Math.round(t.events / t.seconds),
        cpuMicrosPerEvent: round((cpu / n) * 1e6, 0),
      };
      aggregator.push(run);
      log(`drain: ${run.label}: ${run.eventsPerSecond} events/s`);
    }
    const best = Math.max(...relay.map((r) => r.eventsPerSecond));
    return {
      events: n,
      payloadBytes,
      perfTest,
      relay,
      aggregator,
      ratios: {
        relayVsPerfTest: round(relay[0]!.eventsPerSecond / perfTest.recordsPerSecond),
        bestRelayVsPerfTest: round(best / perfTest.recordsPerSecond),
        relayTwoVsOne: relay[1] ? round(relay[1].eventsPerSecond / relay[0]!.eventsPerSecond) : null,
        aggregatorTwoVsOne: aggregator[1]
          ? round(aggregator[1].eventsPerSecond / aggregator[0]!.eventsPerSecond)
          : null,
      },
    };
  } finally {
    await db.drop();
  }
}
