/**
 * Process faults on one running pipeline (shared Postgres and Kafka, own topic), one scenario after
 * another under steady simulator load:
 *   3  SIGKILL a relay in the middle of a batch while two relays run;
 *   2  SIGKILL the aggregator at random moments, 10 times;
 *   5  poison messages straight into the topic, then `catcast dlq replay` after the fix;
 *   6  SIGKILL the forecast job mid-run, then the next run;
 *   7b reads with the consuming aggregator stopped, and forecast-api without a fresh job run.
 * Each scenario ends by stopping its load, letting the pipeline converge and running the exactness
 * oracle over every answer the clients got so far; the next scenario starts a fresh load.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS } from '../../pkg/events/index.js';
import { createKafka, KafkaPublisher, toIncomingMessage } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createPrng, type SimulationSummary } from '../../pkg/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../integration/support/db.js';
import { SOAK } from './support/env.js';
import {
  assertExact,
  backlog,
  converge,
  getJson,
  hold,
  merchantIds,
  metric,
  pipelineEnv,
  startBinary,
  startLoad,
  startService,
  waitFor,
  type Load,
  type Running,
} from './support/pipeline.js';
import { Scenario } from './support/results.js';

const TOPIC = `fproc-${Date.now()}`;
const brokers = inject('kafkaBrokers');
let db: TestDatabase;
let env: Record<string, string>;
let load: Load;
/** Every load so far, stopped ones with their summaries: the oracle judges them all together. */
const loads: { load: Load; summary?: SimulationSummary }[] = [];
let ingest: Running;
let aggregator: Running;
let readApi: Running;
let api: Running;
const services: Running[] = [];
const scenarios: Scenario[] = [];
let simMerchants: string[] = [];

const LOAD = { rate: 30, merchants: 3, seed: 'fault-processes', days: 28, ordersPerDay: 12 } as const;

/**
 * A scenario's closing check: stop the load, wait for the pipeline to converge, run the oracle over
 * every client answer so far; then (unless `last`) a fresh load for the next scenario (same merchants,
 * catalog re-synced idempotently, no backfill).
 */
async function closeWithOracle(s: Scenario, last = false): Promise<void> {
  const current = loads.at(-1)!;
  current.summary = await load.stop();
  await converge(db.pool, Date.now(), 180_000, services);
  const oracle = await assertExact(
    db.pool,
    loads.map((l) => l.summary!),
    loads.map((l) => l.load.ledger),
  );
  s.detail('oracle', oracle);
  s.check(oracle.line);
  if (last) return;
  load = startLoad(ingest.url, { ...LOAD, days: 0 });
  loads.push({ load });
  await load.live;
}

function scenario(id: string, name: string, injected: string): Scenario {
  const s = new Scenario(id, name, injected);
  scenarios.push(s);
  return s;
}

async function processed(): Promise<number> {
  // Retried: on a loaded machine a connection can take longer than the pool's connect timeout.
  const { rows } = await waitFor(
    'a count of processed_events',
    () => db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM forecasting.processed_events`),
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  db = await createTestDatabase('fproc');
  env = { ...pipelineEnv(db.url, brokers, TOPIC), KAFKA_SESSION_TIMEOUT_MS: '6000' };
  [ingest, aggregator, api, readApi] = await Promise.all([
    startService('ingest', env),
    startService('aggregator', env),
    startService('forecast-api', { ...env, FORECAST_STALE_AFTER_SECONDS: '15' }),
    // A read-only aggregator (no KAFKA_BROKERS): the API keeps serving while the consumer is down.
    startService('aggregator', { ...env, KAFKA_BROKERS: '', AGGREGATION_STALE_AFTER_SECONDS: '5' }),
  ]);
  services.push(ingest, aggregator, api, readApi);
  // No relay yet: the backfill piles up in the outbox, so the relays of scenario 3 start on a backlog.
  load = startLoad(ingest.url, LOAD);
  loads.push({ load });
  await load.live;
  simMerchants = await merchantIds(db.pool);
});
afterAll(async () => {
  for (const s of scenarios) s.write('fail', 'did not finish');
  await load?.stop().catch(() => undefined);
  await Promise.all(services.map((s) => s.stop()));
  await db?.drop();
});

describe('process faults under load', () => {
  it('3: a relay SIGKILLed after the broker acked its batch but before marking it: real duplicates, each counted once', async () => {
    const s = scenario(
      '3-relay-kill',
      'Relay SIGKILLed between the broker ack and the mark',
      'relay A on a backlog; its mark UPDATE held by a test-only trigger (pg_sleep, installed in the test database only); SIGKILL once the broker acked its batch and the mark was waiting; relay B then drains',
    );
    const { unpublished } = await backlog(db.pool);
    expect(unpublished).toBeGreaterThan(500);
    s.detail('backlogAtStart', unpublished);
    // The "die after the ack, before the mark" window, made wide by the test alone: a statement trigger
    // on the outbox that sleeps in the relay's own UPDATE. Nothing in the product knows about it.
    await db.pool.query(`
      CREATE FUNCTION public.faults_hold_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('application_name') = 'catcast-relay' THEN PERFORM pg_sleep(120); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER faults_hold_mark BEFORE UPDATE ON ingestion.order_events
        FOR EACH STATEMENT EXECUTE FUNCTION public.faults_hold_mark()`);
    const skippedBefore = (await metric(aggregator.url, 'catcast_events_duplicate_total')) ?? 0;
    const a = await startService('relay', { ...env, RELAY_BATCH_SIZE: '200' });
    const held = await waitFor(
      'relay A to have published a batch and to be waiting in its mark',
      async () => {
        const { rows } = await db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE application_name = 'catcast-relay' AND wait_event = 'PgSleep'`,
        );
        return rows[0];
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const onTopicAtKill = await topicSize(TOPIC);
    expect(onTopicAtKill).toBeGreaterThan(0);
    await a.kill('SIGKILL');
    // The server would notice the dead client only when the sleep ends; end the orphaned backend
    // (as TCP keepalive would), which rolls its transaction back: the batch stays unpublished.
    await db.pool.query(`SELECT pg_terminate_backend($1)`, [held.pid]);
    await db.pool.query(
      `DROP TRIGGER faults_hold_mark ON ingestion.order_events; DROP FUNCTION public.faults_hold_mark()`,
    );
    s.check(
      `relay A SIGKILLed after the broker acknowledged its batch (${onTopicAtKill} messages on the topic) while its mark was still waiting`,
    );
    const b = await startService('relay', { ...env, RELAY_BATCH_SIZE: '100' });
    services.push(b);
    const t = Date.now();
    const seconds = await converge(db.pool, t, 120_000, [b, aggregator]);
    s.converged(seconds);
    // Read the whole topic: every outbox event must be on it, A's batch twice.
    const ids = await db.pool.query<{ id: string }>(
      `SELECT id::text FROM ingestion.order_events WHERE published_at IS NOT NULL`,
    );
    const all = await readTopic(TOPIC, await topicSize(TOPIC));
    const onTopic = new Set(all.map((m) => m.headers[HEADERS.id]));
    const missing = ids.rows.filter((r) => !onTopic.has(r.id));
    expect(missing).toEqual([]);
    const duplicates = all.length - onTopic.size;
    s.check(
      `relay B drained the backlog: all ${ids.rows.length} published outbox events are on the topic and applied`,
    );
    s.detail('duplicatesOnTopic', duplicates);
    // Exactly relay A's acknowledged batch was published twice: a real duplicate for every message.
    expect(duplicates).toBe(onTopicAtKill);
    const skipped = ((await metric(aggregator.url, 'catcast_events_duplicate_total')) ?? 0) - skippedBefore;
    s.detail('duplicatesSkippedByAggregator', skipped);
    expect(skipped).toBeGreaterThanOrEqual(duplicates);
    s.check(
      `MEASURED ${duplicates} duplicate messages on the topic (= relay A's acknowledged batch, published again by B); the aggregator skipped ${skipped} as already applied`,
    );
    await closeWithOracle(s);
    s.write('pass');
  });

  it('2: the aggregator SIGKILLed at random moments, 10 times, keeps aggregates exact', async () => {
    const kills = 10 * SOAK;
    const s = scenario(
      '2-aggregator-kill',
      'Aggregator SIGKILLed at random moments',
      `${kills} SIGKILLs, each 0-1.5 s after the restarted aggregator applied its first batch`,
    );
    const random = createPrng('fault-aggregator-kills');
    s.detail('seed', 'fault-aggregator-kills');
    const appliedAtKill: number[] = [];
    for (let i = 0; i < kills; i++) {
      const before = await processed();
      await waitFor('the aggregator to apply a batch', async () => (await processed()) > before, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      await hold(random.next() * 1500);
      appliedAtKill.push(await processed());
      await aggregator.kill('SIGKILL');
      services.splice(services.indexOf(aggregator), 1);
      aggregator = await startService('aggregator', env);
      services.push(aggregator);
    }
    s.check(
      `killed ${kills} times while applying (events applied at the kills: ${appliedAtKill.join(', ')})`,
    );
    s.detail('eventsAppliedAtKills', appliedAtKill);
    const seconds = await converge(db.pool, Date.now(), 120_000);
    s.converged(seconds);
    const { reconcile } = await import('../../pkg/reconcile/index.js');
    const r = await reconcile(db.pool);
    expect(r.drift).toEqual([]);
    s.check('reconcile after the last restart: no drift (no double count, no undercount)');
    await closeWithOracle(s);
    s.write('pass');
  });

  it('5: poison messages go to the DLQ with a reason, consumption continues, and dlq replay re-drives the fixed one', async () => {
    const s = scenario(
      '5-poison',
      'Poison messages in order-events',
      'invalid JSON, schema version 99 and an unknown merchant produced straight to the topic under load',
    );
    const { rows } = await db.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM ingestion.order_events ORDER BY created_at DESC LIMIT 1`,
    );
    const real = rows[0]!.payload;
    const ghostItems = [{ productId: 'ghost-p', categoryId: 'ghost-c', quantity: 2, amountMinor: '4242' }];
    const ids = { json: randomUUID(), version: randomUUID(), ghost: randomUUID() };
    const ghost = {
      ...real,
      eventId: ids.ghost,
      orderId: randomUUID(),
      merchantId: 'ghost',
      externalOrderId: 'ghost-1',
      merchantTimezone: 'UTC',
      merchantWeekStart: 'MONDAY',
      currency: 'EUR',
      totalMinor: '4242',
      items: ghostItems,
    };
    const headers = (id: string, version = '1') => ({
      [HEADERS.id]: id,
      [HEADERS.type]: 'order.created',
      [HEADERS.specversion]: '1.0',
      [HEADERS.source]: '/faults',
      [HEADERS.schemaVersion]: version,
      [HEADERS.contentType]: 'application/json',
    });
    const logger = silentLogger();
    const publisher = new KafkaPublisher({ kafka: createKafka({ brokers: [brokers], logger }), logger });
    const before = await processed();
    await publisher.publish(TOPIC, [
      {
        key: simMerchants[0]!,
        value: Buffer.from('{"eventId": "oops", not json'),
        headers: headers(ids.json),
      },
      {
        key: simMerchants[1]!,
        value: Buffer.from(JSON.stringify({ ...real, eventId: ids.version, schemaVersion: 99 })),
        headers: headers(ids.version, '99'),
      },
      { key: 'ghost', value: Buffer.from(JSON.stringify(ghost)), headers: headers(ids.ghost) },
    ]);
    await publisher.close();
    const dlq = await readTopic(`${TOPIC}.dlq`, 3);
    const reasons: Record<string, string> = {};
    for (const m of dlq) reasons[m.headers[HEADERS.id] ?? '?'] = m.headers[HEADERS.dlqReason] ?? '';
    expect(Object.keys(reasons).sort()).toEqual(Object.values(ids).sort());
    for (const r of Object.values(reasons)) expect(r).toBeTruthy();
    expect(reasons[ids.ghost]).toMatch(/unknown merchant ghost/);
    s.check(
      `all three in ${TOPIC}.dlq with catcast_dlq_reason: ${Object.values(reasons)
        .map((r) => JSON.stringify(r.slice(0, 60)))
        .join('; ')}`,
    );
    s.detail('dlqReasons', reasons);
    await waitFor(
      'the aggregator to keep applying after the poison',
      async () => (await processed()) > before + 100,
      { timeoutMs: 60_000 },
    );
    s.check('consumption continued (100+ further events applied)');

    // The fix: the merchant and its catalog arrive; then replay the DLQ.
    const put = (p: string, body: unknown) =>
      fetch(`${ingest.url}${p}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await put('/v1/merchants/ghost', {
          name: 'Ghost',
          timezone: 'UTC',
          weekStart: 'MONDAY',
          currency: 'EUR',
        })
      ).status,
    ).toBe(201);
    expect((await put('/v1/merchants/ghost/categories/ghost-c', { name: 'Ghost things' })).status).toBe(201);
    const replay = startBinary('catcast', { ...env, DLQ_REPLAY_GROUP: `${TOPIC}-replay` }, [
      'dlq',
      'replay',
      '--json',
    ]);
    const fixedAt = Date.now();
    expect(await replay.exited, replay.log.join('')).toBe(0);
    expect(replay.log.join('')).toMatch(/"replayed":3/);
    const agg = await waitFor(
      'the replayed ghost order in the aggregates',
      async () => {
        const { rows } = await db.pool.query<{ total: bigint }>(
          `SELECT total_sales_minor AS total FROM forecasting.category_sales_agg WHERE merchant_id = 'ghost' AND bucket_type = 'YEAR'`,
        );
        return rows[0];
      },
      { timeoutMs: 60_000 },
    );
    s.converged((Date.now() - fixedAt) / 1000);
    expect(agg.total).toBe(4242n);
    s.check(
      'catcast dlq replay re-published all 3; the unknown-merchant event is now in the aggregates (4242 minor units)',
    );
    const again = await readTopic(`${TOPIC}.dlq`, 5);
    const second = again.filter((m) => m.headers[HEADERS.id] !== ids.ghost).length;
    expect(second).toBe(4);
    s.check('the still-invalid two were dead-lettered again (DLQ: 5 messages)');
    await closeWithOracle(s);
    s.write('pass');
  });

  it('6: a forecast job SIGKILLed mid-run leaves no half-written set; the next run takes the lease and completes the shard', async () => {
    const s = scenario(
      '6-forecast-job-kill',
      'Forecast job SIGKILLed mid-run',
      'SIGKILL after the first merchant set was written (lease 4 s, renew deadline 3 s, retry 1 s)',
    );
    const jobEnv = {
      ...env,
      FORECAST_MERCHANT_BATCH: '1',
      FORECAST_BUCKET_TYPES: 'WEEK,MONTH',
      LEASE_DURATION_SECONDS: '4',
      LEASE_RENEW_DEADLINE_SECONDS: '3',
      LEASE_RETRY_PERIOD_SECONDS: '1',
    };
    const first = startBinary('forecast-job', jobEnv);
    // Kill as soon as the first set is committed: the run is then in the middle of the shard.
    await waitFor(
      'the first forecast set of the run',
      async () =>
        Number(
          (await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM forecasting.forecast_sets`)).rows[0]!
            .n,
        ) > 0,
      { timeoutMs: 120_000, intervalMs: 20 },
    );
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    const runs1 = await db.pool.query<{ run_id: string; status: string; finished_at: Date | null }>(
      `SELECT run_id, status, finished_at FROM forecasting.forecast_runs`,
    );
    expect(runs1.rows).toHaveLength(1);
    expect(runs1.rows[0]!.finished_at).toBeNull();
    s.check('killed run left "running" without finished_at (it died mid-run)');
    const lease1 = (
      await db.pool.query<{ holder_identity: string; lease_transitions: number }>(
        `SELECT holder_identity, lease_transitions FROM forecasting.leases`,
      )
    ).rows[0]!;
    await checkSets(s, 'after the kill');

    const second = startBinary('forecast-job', jobEnv);
    expect(await second.exited, second.log.join('')).toBe(0);
    s.converged((Date.now() - killedAt) / 1000);
    const lease2 = (
      await db.pool.query<{ holder_identity: string; lease_transitions: number }>(
        `SELECT holder_identity, lease_transitions FROM forecasting.leases`,
      )
    ).rows[0]!;
    expect(lease2.holder_identity).not.toBe(lease1.holder_identity);
    expect(lease2.lease_transitions).toBeGreaterThan(lease1.lease_transitions);
    s.check(
      `the lease moved on after expiry (transitions ${lease1.lease_transitions} -> ${lease2.lease_transitions})`,
    );
    const run2 = (
      await db.pool.query<{
        status: string;
        sets_written: number;
        sets_unchanged: number;
        merchants: number;
      }>(
        `SELECT status, sets_written, sets_unchanged, merchants FROM forecasting.forecast_runs WHERE run_id <> $1`,
        [runs1.rows[0]!.run_id],
      )
    ).rows[0]!;
    expect(run2.status).toBe('succeeded');
    const covered = await db.pool.query<{ n: string }>(
      `SELECT count(DISTINCT (merchant_id, bucket_type)) AS n FROM forecasting.forecast_sets WHERE merchant_id = ANY($1)`,
      [simMerchants],
    );
    expect(Number(covered.rows[0]!.n)).toBe(simMerchants.length * 2);
    expect(run2.sets_written + run2.sets_unchanged).toBeGreaterThanOrEqual(simMerchants.length * 2);
    s.check(
      `next run succeeded and covered the whole shard (${run2.sets_written} sets written, ${run2.sets_unchanged} unchanged)`,
    );
    await checkSets(s, 'after the next run');
    for (const m of simMerchants) {
      const r = await getJson(`${api.url}/forecast/top-categories?merchant_id=${m}&bucket_type=MONTH`);
      expect(r.status).toBe(200);
    }
    await closeWithOracle(s);
    s.write('pass');
  });

  it('7b: reads keep answering with the consumer stopped (stale) and forecasts fall back to on-demand', async () => {
    const s = scenario(
      '7b-reads-consumer-down',
      'Read path with the aggregator consumer and the forecast job stopped',
      'consuming aggregator stopped (SIGTERM) under load; no forecast job run for > FORECAST_STALE_AFTER_SECONDS (15 s)',
    );
    await aggregator.stop();
    const stoppedAt = Date.now();
    const m = simMerchants[0]!;
    const stale = await waitFor(
      'the read-only aggregator to report stale data',
      async () => {
        const r = await getJson(`${readApi.url}/api/top-categories?merchantId=${m}&bucketType=MONTH`);
        expect(r.status).toBe(200);
        return (r.body as { freshness: { stale: boolean; lagSeconds: number } }).freshness.stale
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    s.check(
      `/api/top-categories (read-only aggregator) kept answering 200 and said stale=true after ${Math.round((Date.now() - stoppedAt) / 1000)} s`,
    );
    s.detail(
      'lagSecondsWhenStale',
      (stale.body as { freshness: { lagSeconds: number } }).freshness.lagSeconds,
    );
    const fc = await waitFor(
      'forecast-api to fall back to on-demand',
      async () => {
        const r = await getJson(`${api.url}/forecast/top-categories?merchant_id=${m}&bucket_type=MONTH`);
        expect(r.status).toBe(200);
        return (r.body as { source: string }).source === 'on_demand' ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(fc.headers.get('x-catcast-forecast-source')).toBe('on_demand');
    s.check(
      `/forecast/top-categories answered source=on_demand (reason: ${JSON.stringify((fc.body as { reason?: string }).reason ?? '')})`,
    );

    aggregator = await startService('aggregator', env);
    services.push(aggregator);
    const restartedAt = Date.now();
    await waitFor('the restarted consumer to catch up', async () => (await backlog(db.pool)).unapplied < 50, {
      timeoutMs: 180_000,
      intervalMs: 250,
    });
    s.converged((Date.now() - restartedAt) / 1000);
    await waitFor(
      'top-categories to be fresh again',
      async () =>
        !(
          (await getJson(`${readApi.url}/api/top-categories?merchantId=${m}&bucketType=MONTH`)).body as {
            freshness: { stale: boolean };
          }
        ).freshness.stale,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    s.check('after the consumer restarted the backlog was applied and stale=false again');
    // The closing check of the whole file: every load of every scenario above.
    await closeWithOracle(s, true);
    const accepted = loads.reduce((n, l) => n + (l.summary?.accepted ?? 0), 0);
    for (const other of scenarios) other.detail('ordersAccepted', accepted);
    s.write('pass');
  });
});

/** Every visible forecast set is complete: as many rows per category as models, and no rows outside a set. */
async function checkSets(s: Scenario, when: string): Promise<void> {
  const { rows } = await db.pool.query<{ incomplete: string; orphans: string; sets: string }>(
    `WITH per_set AS (
       SELECT f.merchant_id, f.bucket_type, f.generated_at, f.categories,
              (SELECT count(DISTINCT c.category_id) FROM forecasting.category_sales_forecast c
                WHERE c.merchant_id = f.merchant_id AND c.bucket_type = f.bucket_type AND c.generated_at = f.generated_at) AS got,
              (SELECT count(*) FROM forecasting.category_sales_forecast c
                WHERE c.merchant_id = f.merchant_id AND c.bucket_type = f.bucket_type AND c.generated_at = f.generated_at) AS rows_n,
              (SELECT count(DISTINCT c.model_name) FROM forecasting.category_sales_forecast c
                WHERE c.merchant_id = f.merchant_id AND c.bucket_type = f.bucket_type AND c.generated_at = f.generated_at) AS models
         FROM forecasting.forecast_sets f)
     SELECT (SELECT count(*) FROM per_set WHERE got <> categories OR rows_n <> categories * models) AS incomplete,
            (SELECT count(*) FROM forecasting.category_sales_forecast c
              WHERE NOT EXISTS (SELECT 1 FROM forecasting.forecast_sets f
                                 WHERE f.merchant_id = c.merchant_id AND f.bucket_type = c.bucket_type AND f.generated_at = c.generated_at)) AS orphans,
            (SELECT count(*) FROM per_set) AS sets`,
  );
  expect(Number(rows[0]!.incomplete)).toBe(0);
  expect(Number(rows[0]!.orphans)).toBe(0);
  s.check(
    `${when}: ${rows[0]!.sets} visible set(s), each complete (categories x models rows), no rows outside a set`,
  );
}

/** Messages on `topic` (sum of the partitions' high watermarks; the topic is never compacted or trimmed here). */
async function topicSize(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads `topic` from the beginning until `n` messages arrived. */
async function readTopic(topic: string, n: number) {
  const consumer = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({
    groupId: `check-${randomUUID()}`,
  });
  const seen: ReturnType<typeof toIncomingMessage>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      seen.push(toIncomingMessage(topic, partition, message));
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${n} messages on ${topic}`, () => seen.length >= n, { timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
