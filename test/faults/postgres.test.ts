/**
 * Postgres faults on a private cluster, under load:
 *   4  the primary, run as production runs it (fsync, synchronous_commit and full_page_writes on),
 *      crashes: SIGKILL of the postmaster under load, then crash recovery from WAL. Ingest answers
 *      503 + Retry-After (never 500, never a 201 for an order that is then lost) while it is down and
 *      recovers by itself; relay and aggregator reconnect by themselves; the oracle holds;
 *   8  a real streaming replica serves the read endpoints (DATABASE_READ_URL): with the primary
 *      stopped, top categories and forecasts keep being served and writes fail cleanly with 503.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '../../pkg/db/index.js';
import { PORTS, SOAK } from './support/env.js';
import {
  assertExact,
  converge,
  getJson,
  hold,
  merchantIds,
  pipelineEnv,
  startBinary,
  startLoad,
  startService,
  waitFor,
  type Load,
  type Running,
} from './support/pipeline.js';
import type { SimulationSummary } from '../../pkg/simulator/index.js';
import { privatePostgres, startReplica, type PrivatePostgres, type Replica } from './support/postgres.js';
import { Scenario } from './support/results.js';

const brokers = inject('kafkaBrokers');
const TOPIC = `fpg-${Date.now()}`;
let primary: PrivatePostgres;
let replica: Replica | undefined;
let pool: Pool;
let env: Record<string, string>;
let ingest: Running;
/** Orders accepted by scenario 4's load (the same database carries on into scenario 8). */
let firstLoad: Load | undefined;
let firstSummary: SimulationSummary | undefined;
const services: Running[] = [];
const restart = new Scenario(
  '4-postgres-restart',
  'Postgres crashed (SIGKILL, fsync on) during load',
  `postmaster SIGKILLed under 25 orders/s (fsync, synchronous_commit, full_page_writes on), down ${10 * SOAK} s, then started again (crash recovery)`,
);
const replicaScenario = new Scenario(
  '8-read-replica',
  'Read replica with the primary stopped',
  `streaming replica (low-level base backup + slot); primary stopped for ${10 * SOAK} s under load`,
);

beforeAll(async () => {
  primary = await privatePostgres('primary', PORTS.primary, { durable: true });
  pool = createPool({ connectionString: primary.url, max: 4 });
  env = pipelineEnv(primary.url, brokers, TOPIC);
});
afterAll(async () => {
  restart.write('fail', 'did not finish');
  replicaScenario.write('fail', 'did not finish');
  await Promise.all(services.map((s) => s.stop()));
  await pool?.end();
  await replica?.stop();
  await primary?.stop();
});

/** An order for a product that does not exist: a valid request that needs the database to be judged. */
async function probe(merchantId: string): Promise<Response> {
  try {
    return await probeOnce(merchantId);
  } catch {
    // A kept-alive connection the server closed just as it was reused: once more on a new one (a
    // second failure, e.g. ingest gone, fails the scenario).
    return probeOnce(merchantId);
  }
}

function probeOnce(merchantId: string): Promise<Response> {
  return fetch(`${ingest.url}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      merchantId,
      externalOrderId: `probe-${randomUUID()}`,
      currency: 'EUR',
      items: [{ productId: 'probe-product', quantity: 1, unitPrice: '1.00' }],
    }),
    signal: AbortSignal.timeout(15_000),
  });
}

/** Polls while the primary is down: every probe must be a clean 503 with Retry-After. */
async function probeWhileDown(
  seconds: number,
  merchantId: string,
): Promise<{ statuses: number[]; retryAfter: boolean }> {
  const statuses: number[] = [];
  let retryAfter = true;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const res = await probe(merchantId);
    statuses.push(res.status);
    const body = (await res.json()) as { status?: number };
    if (res.status === 503) retryAfter &&= Number(res.headers.get('retry-after')) > 0 && body.status === 503;
    await hold(500);
  }
  return { statuses, retryAfter };
}

describe('Postgres faults under load', () => {
  it('4: a crashed primary (SIGKILL, fsync on) gives 503 + Retry-After, loses no acknowledged order, and every process reconnects by itself', async () => {
    const settings = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name`,
    );
    expect(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]))).toEqual({
      fsync: 'on',
      full_page_writes: 'on',
      synchronous_commit: 'on',
    });
    restart.check(
      'the server runs as production: fsync, synchronous_commit and full_page_writes on (pg_settings)',
    );
    [ingest] = await Promise.all([startService('ingest', env)]);
    const [relay, aggregator] = await Promise.all([
      startService('relay', env),
      startService('aggregator', env),
    ]);
    services.push(ingest, relay, aggregator);
    const load = startLoad(ingest.url, {
      rate: 25,
      seed: 'fault-postgres',
      days: 7,
      ordersPerDay: 10,
      maxAttempts: 15,
    });
    await load.live;
    await hold(3000);
    firstLoad = load;
    const [merchant] = await merchantIds(pool);
    // Orders committed before the crash: every one must survive it.
    await waitFor('orders to be flowing', () => (load.statuses.get('201') ?? 0) > 20, { timeoutMs: 60_000 });

    const crash = await primary.crash();
    restart.mark('primary killed');
    restart.check(
      `postmaster (pid ${crash.pid}) SIGKILLed under load with ${crash.backends} child processes; they exited on their own`,
    );
    const down = await probeWhileDown(10 * SOAK, merchant!);
    const ready = await fetch(`${ingest.url}/ready`);
    expect(ready.status).toBe(503);
    const logFrom = primary.log.length;
    await primary.start();
    const upAt = Date.now();
    restart.mark('primary up');
    const recoveryLog = primary.log.slice(logFrom).join('\n');
    expect(recoveryLog).toMatch(/not properly shut down; automatic recovery in progress/);
    const redo = /redo done at \S+/.exec(recoveryLog)?.[0];
    restart.check(
      `the restart ran crash recovery ("automatic recovery in progress"${redo ? `, "${redo}"` : ''})`,
    );
    expect(down.statuses.length).toBeGreaterThan(5);
    expect([...new Set(down.statuses)]).toEqual([503]);
    expect(down.retryAfter).toBe(true);
    restart.check(
      `all ${down.statuses.length} orders sent while the primary was down answered 503 + Retry-After (problem+json), none 500`,
    );
    await waitFor(
      'ingest to be ready again',
      async () => (await fetch(`${ingest.url}/ready`)).status === 200,
      { timeoutMs: 60_000 },
    );
    const recovered = (Date.now() - upAt) / 1000;
    restart.check(`ingest ready again ${recovered.toFixed(1)} s after the restart, without being restarted`);
    restart.detail('ingestRecoverySeconds', recovered);
    await hold(4000);
    const summary = await load.stop();
    const seconds = await converge(pool, upAt, 120_000, [relay, aggregator]);
    restart.converged(seconds);
    restart.check('relay and aggregator reconnected by themselves: outbox drained, every event applied');
    const probes = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ingestion.orders WHERE external_order_id LIKE 'probe-%'`,
    );
    expect(Number(probes.rows[0]!.n)).toBe(0);
    firstSummary = summary;
    const oracle = await assertExact(pool, summary, load.ledger);
    restart.detail('ordersAccepted', summary.accepted);
    restart.detail('simulatorRetries', summary.retries);
    restart.detail('oracle', oracle);
    restart.check(
      `the simulator retried ${summary.retries} answers (503 + Retry-After / connection errors) and got a verdict for every order; no probe stored`,
    );
    restart.check(oracle.line);
    restart.write('pass');
  });

  it('8: with the primary stopped, reads are served from a streaming replica and writes fail cleanly with 503', async () => {
    replica = await startReplica(primary, PORTS.replica);
    const replicaDb = new pg.Client({ connectionString: replica.url });
    await replicaDb.connect();
    try {
      const { rows } = await replicaDb.query<{ recovery: boolean }>(`SELECT pg_is_in_recovery() AS recovery`);
      expect(rows[0]!.recovery).toBe(true);
      const streaming = await pool.query<{ state: string }>(
        `SELECT state FROM pg_stat_replication WHERE application_name = 'faults_replica'`,
      );
      expect(streaming.rows[0]?.state).toBe('streaming');
      replicaScenario.check('replica is in recovery and pg_stat_replication shows it streaming');

      const job = startBinary('forecast-job', {
        ...env,
        FORECAST_MODELS: 'seasonal_naive,theta,auto',
        FORECAST_BUCKET_TYPES: 'WEEK,MONTH',
      });
      expect(await job.exited, job.log.join('')).toBe(0);
      const readEnv = { ...env, DATABASE_READ_URL: replica.url };
      const [reads, api] = await Promise.all([
        startService('aggregator', { ...readEnv, KAFKA_BROKERS: '' }),
        startService('forecast-api', readEnv),
      ]);
      services.push(reads, api);
      const load = startLoad(ingest.url, {
        rate: 25,
        seed: 'fault-replica',
        merchantPrefix: 'rep',
        days: 3,
        ordersPerDay: 10,
        maxAttempts: 15,
      });
      await load.live;
      const merchant = (await merchantIds(pool))[0]!;
      await waitFor(
        'the replica to have the forecast sets',
        async () =>
          Number(
            (await replicaDb.query<{ n: string }>(`SELECT count(*) AS n FROM forecasting.forecast_sets`))
              .rows[0]!.n,
          ) > 0,
        { timeoutMs: 30_000 },
      );

      await primary.stop();
      const topUrl = `${reads.url}/api/top-categories?merchantId=${merchant}&bucketType=MONTH`;
      const forecastUrl = `${api.url}/forecast/top-categories?merchant_id=${merchant}&bucket_type=MONTH`;
      const seen = { top: [] as number[], forecast: [] as number[], sources: new Set<string>() };
      const writes = await (async () => {
        const statuses: number[] = [];
        const until = Date.now() + 10_000 * SOAK;
        while (Date.now() < until) {
          const top = await getJson(topUrl);
          const fc = await getJson(forecastUrl);
          seen.top.push(top.status);
          seen.forecast.push(fc.status);
          seen.sources.add(String((fc.body as { source?: string }).source));
          statuses.push((await probe(merchant)).status);
          const put = await fetch(`${ingest.url}/v1/merchants/${merchant}/categories/replica-probe`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'probe' }),
          });
          statuses.push(put.status);
          await hold(1000);
        }
        return statuses;
      })();
      await primary.start();
      const upAt = Date.now();
      expect([...new Set(seen.top)]).toEqual([200]);
      expect([...new Set(seen.forecast)]).toEqual([200]);
      replicaScenario.check(
        `${seen.top.length}/${seen.top.length} /api/top-categories and /forecast/top-categories answered 200 from the replica (forecast source: ${[...seen.sources].join(', ')})`,
      );
      expect([...new Set(writes)]).toEqual([503]);
      replicaScenario.check(
        `all ${writes.length} writes (orders, catalog) answered 503 while the primary was down`,
      );

      await hold(3000);
      const summary = await load.stop();
      const seconds = await converge(pool, upAt, 120_000);
      replicaScenario.converged(seconds);
      const { rows: p } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ingestion.orders`);
      await waitFor(
        'the replica to catch up after the primary returned',
        async () =>
          (await replicaDb.query<{ n: string }>(`SELECT count(*) AS n FROM ingestion.orders`)).rows[0]!.n ===
          p[0]!.n,
        { timeoutMs: 60_000 },
      );
      replicaScenario.check('the replica reconnected to the restarted primary and caught up');
      const { rows: cat } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ingestion.categories WHERE id = 'replica-probe'`,
      );
      expect(Number(cat[0]!.n)).toBe(0);
      // Both loads (scenario 4's and this one's) hit the same database: the oracle judges both.
      const oracle = await assertExact(
        pool,
        [summary, ...(firstSummary ? [firstSummary] : [])],
        [load.ledger, ...(firstLoad ? [firstLoad.ledger] : [])],
      );
      replicaScenario.detail('ordersAccepted', summary.accepted);
      replicaScenario.detail('oracle', oracle);
      replicaScenario.check(oracle.line);
      replicaScenario.write('pass');
    } finally {
      await replicaDb.end();
    }
  });
});
