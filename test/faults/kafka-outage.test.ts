/**
 * Scenario 1 (and the Kafka half of 7): the broker is SIGKILLed while the relay publishes under load
 * (no clean shutdown) and stays down for 30 s. Ingest keeps answering
 * 201, the outbox grows and its oldest-age metric rises, the relay backs off; reads keep answering from
 * what is stored and say they are stale; after the broker returns, the backlog drains and every
 * aggregate equals the recomputation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../integration/support/db.js';
import { PORTS, SOAK } from './support/env.js';
import { privateKafka } from './support/kafka.js';
import {
  assertExact,
  backlog,
  converge,
  getJson,
  hold,
  merchantIds,
  metric,
  pipelineEnv,
  startLoad,
  startService,
  waitFor,
  type Running,
} from './support/pipeline.js';
import { Scenario } from './support/results.js';

const kafka = privateKafka('outage', PORTS.kafkaOutage);
const outage = new Scenario(
  '1-kafka-outage',
  'Kafka broker SIGKILLed mid-publish during load',
  `private broker SIGKILLed the moment the relay had just published a batch (under 25 orders/s), down for ${30 * SOAK} s, then started again (log recovery)`,
);
const readPath = new Scenario(
  '7a-reads-kafka-down',
  'Read path with Kafka down',
  'same outage; /api/top-categories and /forecast/top-categories polled during it',
);
let db: TestDatabase;
const services: Running[] = [];

beforeAll(async () => {
  await kafka.reset();
  await kafka.up();
  db = await createTestDatabase('fkafka');
});
afterAll(async () => {
  outage.write('fail', 'did not finish');
  readPath.write('fail', 'did not finish');
  await Promise.all(services.map((s) => s.stop()));
  await kafka.reset();
  await db?.drop();
});

describe('Kafka outage', () => {
  it('keeps accepting, grows the outbox, backs off, serves stale reads, then drains and converges exactly', async () => {
    const env = pipelineEnv(db.url, kafka.brokers, 'orders');
    const [ingest, relay, aggregator, api] = await Promise.all([
      startService('ingest', env),
      startService('relay', { ...env, RELAY_MAX_BACKOFF_MS: '3000' }),
      startService('aggregator', { ...env, AGGREGATION_STALE_AFTER_SECONDS: '5' }),
      startService('forecast-api', { ...env }),
    ]);
    services.push(ingest, relay, aggregator, api);
    const load = startLoad(ingest.url, { rate: 25, seed: 'fault-kafka', days: 14, ordersPerDay: 10 });
    outage.mark('started');
    await load.live;
    await converge(db.pool, Date.now(), 120_000);
    outage.mark('backfilled');
    const [merchant] = await merchantIds(db.pool);
    const topUrl = `${aggregator.url}/api/top-categories?merchantId=${merchant}&bucketType=MONTH`;
    const forecastUrl = `${api.url}/forecast/top-categories?merchant_id=${merchant}&bucket_type=MONTH`;
    expect((await getJson(topUrl)).status).toBe(200);

    const published = (await metric(relay.url, 'catcast_relay_published_total')) ?? 0;
    expect(published).toBeGreaterThan(0);
    const errorsBefore = (await metric(relay.url, 'catcast_relay_publish_errors_total')) ?? 0;
    const createdBefore = load.statuses.get('201') ?? 0;
    const outcomesBefore = load.outcomes.length;

    // Mid-publish: the relay publishes each batch as orders arrive; kill the JVM right after its
    // published counter moved, so the next produce requests are in flight or about to leave.
    const moved = published;
    await waitFor(
      'the relay to publish another batch',
      async () => ((await metric(relay.url, 'catcast_relay_published_total')) ?? 0) > moved,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    const pid = await kafka.kill();
    outage.mark('broker killed');
    outage.check(`broker JVM (pid ${pid}) SIGKILLed right after a relay publish, no clean shutdown`);
    const downAt = Date.now();
    const samples: { t: number; backlog: number; age: number }[] = [];
    const reads: { top: number; stale: unknown; forecast: number }[] = [];
    while (Date.now() - downAt < 30_000 * SOAK) {
      const b = await backlog(db.pool);
      samples.push({
        t: (Date.now() - downAt) / 1000,
        backlog: b.unpublished,
        age: (await metric(relay.url, 'catcast_outbox_oldest_age_seconds')) ?? -1,
      });
      const top = await getJson(topUrl);
      const fc = await getJson(forecastUrl);
      reads.push({
        top: top.status,
        stale: (top.body as { freshness?: { stale?: unknown } }).freshness?.stale,
        forecast: fc.status,
      });
      await hold(2000);
    }
    const during = load.outcomes.slice(outcomesBefore);
    const createdDuring = (load.statuses.get('201') ?? 0) - createdBefore;
    const errorsDuring =
      ((await metric(relay.url, 'catcast_relay_publish_errors_total')) ?? 0) - errorsBefore;
    await kafka.up();
    outage.mark('broker up');
    const upAt = Date.now();

    expect(createdDuring, 'orders answered 201 while the broker was down').toBeGreaterThan(100 * SOAK);
    expect(during.filter((o) => o.status !== 201).map((o) => o.status)).toEqual([]);
    outage.check(`ingest answered 201 to all ${during.length} orders sent during the outage`);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    expect(last.backlog).toBeGreaterThan(first.backlog);
    expect(last.backlog).toBeGreaterThan(20 * 25 * SOAK * 0.5);
    outage.check(`outbox backlog grew from ${first.backlog} to ${last.backlog} rows`);
    expect(last.age).toBeGreaterThan(20 * SOAK);
    expect(last.age).toBeGreaterThan(first.age);
    outage.check(`catcast_outbox_oldest_age_seconds rose to ${Math.round(last.age)} s`);
    // A hot loop would fail hundreds of times; capped exponential backoff (3 s here) a few per 30 s.
    expect(errorsDuring).toBeLessThan(30 * SOAK);
    outage.check(`relay backed off: ${errorsDuring} failed publish attempts in ${30 * SOAK} s`);
    outage.detail('outboxBacklogPeak', last.backlog);
    outage.detail('oldestAgeSecondsPeak', Math.round(last.age));
    outage.detail('publishErrorsDuringOutage', errorsDuring);

    expect(reads.every((r) => r.top === 200 && r.forecast === 200)).toBe(true);
    expect(reads.at(-1)!.stale).toBe(true);
    readPath.check(
      `${reads.length}/${reads.length} polls of /api/top-categories and /forecast/top-categories answered 200`,
    );
    readPath.check(
      'top-categories said freshness.stale=true once orders waited > AGGREGATION_STALE_AFTER_SECONDS (5 s)',
    );

    await hold(5000);
    const summary = await load.stop();
    const seconds = await converge(db.pool, upAt, 180_000);
    outage.converged(seconds);
    outage.mark('converged');
    outage.check('after restart the outbox drained and every event was applied');
    const oracle = await assertExact(db.pool, summary, load.ledger);
    outage.check(oracle.line);
    outage.detail('oracle', oracle);
    readPath.check(oracle.line);
    outage.detail('ordersAccepted', summary.accepted);
    const after = await getJson(topUrl);
    expect((after.body as { freshness: { stale: boolean } }).freshness.stale).toBe(false);
    readPath.check('stale flag cleared after the drain');
    readPath.converged(seconds);
    outage.write('pass');
    readPath.write('pass');
  });
});
