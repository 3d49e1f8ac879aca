// The forecast job is a CronJob without a /metrics endpoint; forecast-api exports what its runs and
// leases recorded in Postgres. These are the series the forecast alerts are written against.
import { Registry } from '../../pkg/metrics/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerForecastRunMetrics } from '../../pkg/forecast-api/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { sample } from './support/service.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('frm');
});
afterAll(async () => db.drop());

describe('forecast run metrics', () => {
  it('exports last success, run outcome, lease transitions, running runs and lease holders per shard', async () => {
    await db.pool.query(`
      INSERT INTO forecasting.forecast_runs
        (run_id, shard_index, shard_count, lease_holder, fencing_token, started_at, finished_at, status, series, failures, heartbeat_at)
      VALUES
        (gen_random_uuid(), 0, 2, 'a', 3, now() - interval '2 hours', now() - interval '119 minutes', 'succeeded', 40, 0, now() - interval '119 minutes'),
        (gen_random_uuid(), 0, 2, 'b', 4, now() - interval '10 minutes', now() - interval '9 minutes', 'failed', 12, 2, now() - interval '9 minutes'),
        (gen_random_uuid(), 1, 2, 'c', 7, now() - interval '1 minute', NULL, 'running', 0, 0, now() - interval '1 minute')`);
    await db.pool.query(`
      INSERT INTO forecasting.leases (name, holder_identity, lease_duration_seconds, acquire_time, renew_time, lease_transitions)
      VALUES ('catcast-forecast-shard-0', '', 15, now() - interval '10 minutes', now() - interval '9 minutes', 4),
             ('catcast-forecast-shard-1', 'c', 15, now() - interval '1 minute', now() - interval '1 minute', 7)`);
    const registry = new Registry();
    registerForecastRunMetrics(registry, db.pool);
    const text = await registry.metrics();
    const lastSuccess = sample(text, 'catcast_forecast_last_success_timestamp_seconds{shard="0"}')!;
    expect(Date.now() / 1000 - lastSuccess).toBeGreaterThan(119 * 60 - 5);
    expect(sample(text, 'catcast_forecast_last_success_timestamp_seconds{shard="1"}')).toBeUndefined();
    expect(sample(text, 'catcast_forecast_last_run_duration_seconds{shard="0",status="failed"}')).toBeCloseTo(
      60,
      0,
    );
    expect(sample(text, 'catcast_forecast_last_run_series{shard="0"}')).toBe(12);
    expect(sample(text, 'catcast_forecast_last_run_failures{shard="0"}')).toBe(2);
    expect(sample(text, 'catcast_forecast_lease_transitions{shard="0"}')).toBe(4);
    expect(sample(text, 'catcast_forecast_lease_transitions{shard="1"}')).toBe(7);
    expect(sample(text, 'catcast_forecast_run_running{shard="0"}')).toBe(0);
    expect(sample(text, 'catcast_forecast_run_running{shard="1"}')).toBe(1);
    // Shard 1's lease was renewed (and its run beat) a minute ago with a 15 s duration: no leader.
    expect(sample(text, 'catcast_forecast_shard_leader_present{shard="1"}')).toBe(0);
    expect(sample(text, 'catcast_forecast_shard_leader_present{shard="0"}')).toBe(0);
    await db.pool.query(
      `UPDATE forecasting.leases SET renew_time = now() WHERE name = 'catcast-forecast-shard-1'`,
    );
    expect(sample(await registry.metrics(), 'catcast_forecast_shard_leader_present{shard="1"}')).toBe(1);
  });

  it('tells a led run from a dead one by its heartbeat, with no lease in Postgres (Kubernetes lease store)', async () => {
    await db.pool.query(`TRUNCATE forecasting.forecast_runs CASCADE`);
    await db.pool.query(`TRUNCATE forecasting.leases`);
    // Three shards since 3 hours ago (an older 5-shard configuration before that). Shard 0 succeeded
    // and now runs again, beating; shard 1 never succeeded and its newest run stopped beating a
    // minute ago (15 s lease); shard 2 never ran at all. Shard 4 exists only in the old configuration.
    await db.pool.query(`
      INSERT INTO forecasting.forecast_runs
        (run_id, shard_index, shard_count, lease_holder, fencing_token, started_at, finished_at, status,
         heartbeat_at, lease_duration_seconds)
      VALUES
        (gen_random_uuid(), 4, 5, 'old', 1, now() - interval '5 hours', now() - interval '299 minutes', 'succeeded', now() - interval '299 minutes', 15),
        (gen_random_uuid(), 0, 3, 'a', 2, now() - interval '3 hours', now() - interval '179 minutes', 'succeeded', now() - interval '179 minutes', 15),
        (gen_random_uuid(), 1, 3, 'b', 2, now() - interval '170 minutes', now() - interval '169 minutes', 'failed', now() - interval '169 minutes', 15),
        (gen_random_uuid(), 0, 3, 'c', 3, now() - interval '2 minutes', NULL, 'running', now(), 15),
        (gen_random_uuid(), 1, 3, 'd', 3, now() - interval '5 minutes', NULL, 'running', now() - interval '1 minute', 15)`);
    const registry = new Registry();
    registerForecastRunMetrics(registry, db.pool);
    const text = await registry.metrics();
    expect(sample(text, 'catcast_forecast_run_running{shard="0"}')).toBe(1);
    expect(sample(text, 'catcast_forecast_run_running{shard="1"}')).toBe(1);
    expect(sample(text, 'catcast_forecast_shard_leader_present{shard="0"}')).toBe(1);
    expect(sample(text, 'catcast_forecast_shard_leader_present{shard="1"}')).toBe(0);
    // Never succeeded: due since the 3-shard configuration first ran (3 hours ago).
    const now = Date.now() / 1000;
    for (const shard of ['1', '2']) {
      const since = sample(text, `catcast_forecast_pending_since_timestamp_seconds{shard="${shard}"}`)!;
      expect(now - since).toBeGreaterThan(3 * 3600 - 60);
      expect(now - since).toBeLessThan(3 * 3600 + 60);
    }
    expect(sample(text, 'catcast_forecast_pending_since_timestamp_seconds{shard="0"}')).toBeUndefined();
    expect(sample(text, 'catcast_forecast_last_success_timestamp_seconds{shard="0"}')).toBeDefined();
    // Shard 4 was scaled away: its old success is not reported (it would look stale forever).
    expect(sample(text, 'catcast_forecast_last_success_timestamp_seconds{shard="4"}')).toBeUndefined();
    // Shard 1's leader comes back to life: its heartbeat makes it led again.
    await db.pool.query(
      `UPDATE forecasting.forecast_runs SET heartbeat_at = now() WHERE shard_index = 1 AND finished_at IS NULL`,
    );
    expect(sample(await registry.metrics(), 'catcast_forecast_shard_leader_present{shard="1"}')).toBe(1);
  });
});
