/**
 * Scenario 9: the network between the services and Postgres/Kafka, through a real TCP fault proxy
 * (toxiproxy). Ingest, relay and aggregator reach Postgres and a private broker only through it (the
 * broker advertises the proxy's port, so no connection bypasses it). Under load, one after another:
 *   9a latency (+ jitter) on every Postgres and Kafka connection;
 *   9b connection resets (reset_peer), Postgres then Kafka;
 *   9c a blackhole (everything dropped, nothing answered), Postgres then Kafka, healed by the path
 *      dropping the stuck connections as a firewall or NAT that lost the flow would.
 * Each ends with the load stopped, the pipeline converged and the exactness oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../integration/support/db.js';
import { PORTS, SOAK } from './support/env.js';
import { privateKafka } from './support/kafka.js';
import {
  assertExact,
  backlog,
  converge,
  hold,
  pipelineEnv,
  startLoad,
  startService,
  type Load,
  type Running,
} from './support/pipeline.js';
import { Scenario } from './support/results.js';
import { startToxiproxy, type Proxy, type Toxiproxy } from './support/toxiproxy.js';
import type { SimulationSummary } from '../../pkg/simulator/index.js';

const kafka = privateKafka('proxied', PORTS.kafkaProxied, { advertisedPort: PORTS.proxyKafka });
let toxiproxy: Toxiproxy;
let pgProxy: Proxy;
let kafkaProxy: Proxy;
let db: TestDatabase;
let ingest: Running;
const services: Running[] = [];
const scenarios: Scenario[] = [];
const loads: { load: Load; summary?: SimulationSummary }[] = [];
let seq = 0;

beforeAll(async () => {
  toxiproxy = await startToxiproxy(PORTS.toxiproxyApi);
  db = await createTestDatabase('fnet');
  const pgPort = new URL(db.url).port;
  pgProxy = await toxiproxy.proxy('postgres', PORTS.proxyPostgres, `127.0.0.1:${pgPort}`);
  kafkaProxy = await toxiproxy.proxy('kafka', PORTS.proxyKafka, `127.0.0.1:${PORTS.kafkaProxied}`);
  await kafka.reset();
  await kafka.up();
  const url = new URL(db.url);
  url.port = String(PORTS.proxyPostgres);
  const env = pipelineEnv(url.toString(), kafkaProxy.listen, 'orders');
  const [i, relay, aggregator] = await Promise.all([
    startService('ingest', env),
    startService('relay', { ...env, RELAY_MAX_BACKOFF_MS: '2000' }),
    startService('aggregator', env),
  ]);
  ingest = i;
  services.push(ingest, relay, aggregator);
});
afterAll(async () => {
  for (const s of scenarios) s.write('fail', 'did not finish');
  await Promise.all(loads.map((l) => l.load.stop().catch(() => undefined)));
  await Promise.all(services.map((s) => s.stop()));
  await toxiproxy?.stop();
  await kafka.reset();
  await db?.drop();
});

/** Runs `fault` under a fresh load, then stops the load, converges and runs the oracle over every load so far. */
async function underLoad(s: Scenario, fault: (load: Load) => Promise<void>): Promise<void> {
  const load = startLoad(ingest.url, {
    rate: 20,
    seed: 'fault-network',
    days: seq++ === 0 ? 7 : 0,
    ordersPerDay: 10,
    maxAttempts: 20,
  });
  loads.push({ load });
  await load.live;
  await hold(2000);
  const before = await backlog(db.pool);
  await fault(load);
  const healedAt = Date.now();
  await hold(3000);
  loads.at(-1)!.summary = await load.stop();
  s.converged(await converge(db.pool, healedAt, 180_000, services));
  const after = await backlog(db.pool);
  expect(after.orders).toBeGreaterThan(before.orders);
  s.detail('retriedAnswers', Object.fromEntries(load.retried));
  const oracle = await assertExact(
    db.pool,
    loads.map((l) => l.summary!),
    loads.map((l) => l.load.ledger),
  );
  s.detail('oracle', oracle);
  s.check(oracle.line);
}

describe('network faults through toxiproxy', () => {
  it('9a: latency on every Postgres and Kafka connection slows the pipeline but loses and doubles nothing', async () => {
    const s = new Scenario(
      '9a-network-latency',
      'Network latency to Postgres and Kafka (toxiproxy)',
      `latency 150 ms ± 50 ms each way on every Postgres and Kafka connection for ${15 * SOAK} s under 20 orders/s`,
    );
    scenarios.push(s);
    await underLoad(s, async (load) => {
      const from = load.outcomes.length;
      for (const p of [pgProxy, kafkaProxy])
        for (const stream of ['upstream', 'downstream'] as const)
          await p.add({
            name: `lat-${stream}`,
            type: 'latency',
            stream,
            attributes: { latency: 150, jitter: 50 },
          });
      const t0 = Date.now();
      await hold(15_000 * SOAK);
      for (const p of [pgProxy, kafkaProxy])
        for (const stream of ['upstream', 'downstream'] as const) await p.remove(`lat-${stream}`);
      const during = load.outcomes.slice(from);
      expect(during.length).toBeGreaterThan(10);
      expect(during.filter((o) => o.status !== 201).map((o) => o.status)).toEqual([]);
      s.check(
        `all ${during.length} orders answered during ${((Date.now() - t0) / 1000).toFixed(0)} s of latency were 201`,
      );
    });
    s.write('pass');
  });

  it('9b: connection resets to Postgres, then to Kafka: 503 + retry at worst, every process reconnects', async () => {
    const s = new Scenario(
      '9b-network-resets',
      'Connection resets to Postgres and Kafka (toxiproxy)',
      `reset_peer (TCP RST on every connection as soon as it carries data) to Postgres for ${8 * SOAK} s, then to Kafka for ${8 * SOAK} s, under 20 orders/s`,
    );
    scenarios.push(s);
    await underLoad(s, async (load) => {
      const from = load.outcomes.length;
      await pgProxy.add({ name: 'reset', type: 'reset_peer', attributes: { timeout: 0 } });
      await hold(8000 * SOAK);
      await pgProxy.remove('reset');
      await kafkaProxy.add({ name: 'reset', type: 'reset_peer', attributes: { timeout: 0 } });
      await hold(8000 * SOAK);
      await kafkaProxy.remove('reset');
      const finals = new Set(load.outcomes.slice(from).map((o) => String(o.status)));
      s.check(
        `final answers during the resets: ${[...finals].join(', ')}; answers that made the client retry: ${JSON.stringify(Object.fromEntries(load.retried))}`,
      );
      expect((load.retried.get('503') ?? 0) + (load.retried.get('network') ?? 0)).toBeGreaterThan(0);
      expect(load.retried.get('500') ?? 0).toBe(0);
    });
    s.write('pass');
  });

  it('9c: a blackhole to Postgres, then to Kafka: nothing lost, nothing doubled once it heals', async () => {
    const s = new Scenario(
      '9c-network-blackhole',
      'Blackhole to Postgres and Kafka (toxiproxy)',
      `everything dropped (timeout toxic, no answer, no close) to Postgres for ${10 * SOAK} s, healed by dropping the stuck connections; then the same to Kafka`,
    );
    scenarios.push(s);
    await underLoad(s, async (load) => {
      for (const p of [pgProxy, kafkaProxy]) {
        await p.add({ name: 'blackhole', type: 'timeout', attributes: { timeout: 0 } });
        await hold(10_000 * SOAK);
        // Healing: the stuck connections die (their bytes were dropped, they cannot resume) and new
        // ones go through, as after a firewall or NAT lost the flows.
        await p.remove('blackhole');
        await p.dropConnections();
        await hold(3000);
      }
      s.check(
        `answers that made the client retry: ${JSON.stringify(Object.fromEntries(load.retried))}; no final answer other than 201/200 (simulator: 0 without a verdict)`,
      );
      expect(load.retried.get('500') ?? 0).toBe(0);
    });
    s.write('pass');
  });
});
