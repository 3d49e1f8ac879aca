/**
 * Process faults on one running pipeline (shared Postgres and Kafka, own topic), one scenario after
 * another under steady simulator load:
 *   3  SIGKILL a relay in the middle of a batch while two relays run;
 *   2  SIGKILL the aggregator at random moments, 10 times;
 *   5  poison messages straight into the topic, then `catcast dlq replay` after the fix;
 *   6  SIGKILL the forecast job mid-run, then the next run;
 *   7b reads with the consuming aggregator stopped, and forecast-api without a fresh job run.
 * The pipeline then converges and every aggregate must equal the recomputation from ingestion.*.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS } from '../../pkg/events/index.js';
import { createKafka, KafkaPublisher, toIncomingMessage } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createPrng } from '../../pkg/simulator/index.js';
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

const exec = promisify(execFile);
const TOPIC = `fproc-${Date.now()}`;
const brokers = inject('kafkaBrokers');
let db: TestDatabase;
let env: Record<string, string>;
let load: Load;
let ingest: Running;
let aggregator: Running;
let readApi: Running;
let api: Running;
const services: Running[] = [];
const scenarios: Scenario[] = [];
let simMerchants: string[] = [];

function scenario(id: string, name: string, injected: string): Scenario {
  const s = new Scenario(id, name, injected);
  scenarios.push(s);
  return s;
}

async function processed(): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM forecasting.processed_events`,
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
  load = startLoad(ingest.url, {
    rate: 30,
    merchants: 3,
    seed: 'fault-processes',
    days: 28,
    ordersPerDay: 12,
  });
  await load.live;
  simMerchants = await merchantIds(db.pool);
});
afterAll(async () => {
  for (const s of scenarios) s.write('fail', 'did not finish');
  await load?.stop().catch(() => undefined);
  await Promise.all(services.map((s) => s.stop()));
  await db?.drop();
});

/** Local ports of the Postgres connections that process `pid` holds. */
async function connectionPorts(pid: number, pgPort: number): Promise<Set<number>> {
  const { stdout } = await exec('ss', ['-tnpH', 'state', 'established', `( dport = :${pgPort} )`]);
  const ports = new Set<number>();
  for (const line of stdout.split('\n'))
    if (line.includes(`pid=${pid},`)) {
      const m = /127\.0\.0\.1:(\d+)\s+\S*127\.0\.0\.1:\d+/.exec(line);
      if (m) ports.add(Number(m[1]));
    }
  return ports;
}

describe('process faults under load', () => {
  it('3: a relay SIGKILLed mid-batch while two relays run loses nothing; duplicates are deduplicated', async () => {
    const s = scenario(
      '3-relay-kill',
      'Relay SIGKILLed mid-batch, two relays',
      'two relays (batches of 1,000 and 100) on a backlog; relay A frozen (SIGSTOP) while its batch transaction is open, SIGKILLed 1.5 s later',
    );
    const pgPort = Number(new URL(db.url).port);
    const { unpublished } = await backlog(db.pool);
    expect(unpublished).toBeGreaterThan(500);
    s.detail('backlogAtStart', unpublished);
    const relayEnv = { ...env, RELAY_BATCH_SIZE: '100' };
    // A takes big batches (a produce of 1,000 messages keeps its transaction open long enough to be
    // caught inside it); B small ones.
    const [a, b] = await Promise.all([
      startService('relay', { ...relayEnv, RELAY_BATCH_SIZE: '1000' }),
      startService('relay', relayEnv),
    ]);
    services.push(b);
    // A's producer must be connected (one batch published), so a batch's produce request leaves at once.
    await waitFor(
      'relay A to publish a first batch',
      async () => ((await metric(a.url, 'catcast_relay_published_total')) ?? 0) > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 50,
      },
    );
    // Wait until relay A is inside a batch: one of its connections has an open transaction.
    const caught = await waitFor(
      'relay A to be in the middle of a batch',
      async () => {
        const ports = await connectionPorts(a.child.pid!, pgPort);
        const { rows } = await db.pool.query<{ client_port: number; state: string }>(
          `SELECT client_port, state FROM pg_stat_activity
            WHERE application_name = 'catcast-relay' AND xact_start IS NOT NULL AND query NOT LIKE 'LISTEN%'`,
        );
        const hit = rows.find((r) => ports.has(r.client_port));
        // Frozen at once, killed a moment later: the produce request it already sent gets acknowledged
        // by the broker, but the rows are never marked, so relay B publishes them again (duplicates).
        if (hit) a.child.kill('SIGSTOP');
        return hit;
      },
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    await hold(1500);
    await a.kill('SIGKILL');
    s.check(`relay A frozen and SIGKILLed with its batch transaction open (backend state "${caught.state}")`);
    const t = Date.now();
    const seconds = await converge(db.pool, t, 120_000);
    s.converged(seconds);
    // Read the whole topic: every outbox event must be on it, some maybe twice (A's unmarked batch).
    const ids = await db.pool.query<{ id: string }>(
      `SELECT id::text FROM ingestion.order_events WHERE published_at IS NOT NULL`,
    );
    const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPIC).finally(() => admin.disconnect());
    const all = await readTopic(
      TOPIC,
      offsets.reduce((n, p) => n + Number(p.high), 0),
    );
    const onTopic = new Set(all.map((m) => m.headers[HEADERS.id]));
    const missing = ids.rows.filter((r) => !onTopic.has(r.id));
    expect(missing).toEqual([]);
    const messages = all.length;
    const events = onTopic.size;
    s.check(
      `relay B drained the backlog alone: all ${ids.rows.length} published outbox events are on the topic and applied`,
    );
    s.detail('duplicatesPublished', messages - events);
    const skipped = (await metric(aggregator.url, 'catcast_events_duplicate_total')) ?? 0;
    s.detail('duplicatesSkippedByAggregator', skipped);
    // Every duplicate on the topic reached this aggregator (not restarted yet) and was skipped.
    expect(skipped).toBeGreaterThanOrEqual(messages - events);
    s.check(
      `${messages - events} duplicate message(s) on the topic, ${skipped} skipped by the aggregator as already applied; processed_events holds each event once`,
    );
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
    const summary = await load.stop();
    s.converged(await converge(db.pool, restartedAt, 180_000));
    const after = await getJson(`${readApi.url}/api/top-categories?merchantId=${m}&bucketType=MONTH`);
    expect((after.body as { freshness: { stale: boolean } }).freshness.stale).toBe(false);
    s.check('after the consumer restarted the backlog was applied and stale=false again');
    // The closing check of the whole file (all scenarios above ran on this pipeline and this load).
    await assertExact(db.pool, { ...summary }, simMerchants);
    for (const other of scenarios) other.detail('ordersAccepted', summary.accepted);
    s.check(
      `orders accepted (${summary.accepted}) == orders stored; reconcile per simulator merchant: no drift`,
    );
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
