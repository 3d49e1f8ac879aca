import type { Queryable } from '../db/index.js';
import { Gauge, type Registry } from '../metrics/index.js';

/**
 * Forecast-job metrics read from forecasting.forecast_runs at scrape time: the job is a CronJob whose
 * pods come and go, so the long-lived API exports what its runs recorded.
 */
export function registerForecastRunMetrics(registry: Registry, db: Queryable): void {
  let refreshing: Promise<void> | undefined;
  // prom-client collects every metric of a scrape concurrently, so each gauge awaits the one shared
  // refresh (started by whichever is collected first) before its values are read.
  async function refreshOnce(): Promise<void> {
    refreshing ??= refresh().finally(() => (refreshing = undefined));
    await refreshing.catch(() => undefined);
  }
  const lastSuccess = new Gauge({
    name: 'catcast_forecast_last_success_timestamp_seconds',
    help: 'Finish time of the last successful forecast run, per shard',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const duration = new Gauge({
    name: 'catcast_forecast_last_run_duration_seconds',
    help: 'Duration of the last finished forecast run, per shard',
    labelNames: ['shard', 'status'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const series = new Gauge({
    name: 'catcast_forecast_last_run_series',
    help: 'Series forecast by the last finished run, per shard',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const failures = new Gauge({
    name: 'catcast_forecast_last_run_failures',
    help: 'Failures in the last finished run, per shard',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const pendingSince = new Gauge({
    name: 'catcast_forecast_pending_since_timestamp_seconds',
    help:
      'For a shard of the current shard count that has never succeeded: since when it has been due ' +
      '(the first run of that shard count, or its own first run if earlier)',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const leaderPresent = new Gauge({
    name: 'catcast_forecast_shard_leader_present',
    help:
      '1 when a pod leads the shard: its Postgres lease is held, or its unfinished newest run has ' +
      'stamped a heartbeat within its lease duration (any lease store); 0 otherwise',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const transitions = new Gauge({
    name: 'catcast_forecast_lease_transitions',
    help: 'Leadership changes of the shard lease so far (the fencing token of its newest run)',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  const running = new Gauge({
    name: 'catcast_forecast_run_running',
    help: '1 while the newest run of the shard has not finished (or died without finishing)',
    labelNames: ['shard'] as const,
    registers: [registry],
    collect: refreshOnce,
  });
  async function refresh(): Promise<void> {
    // Shards beyond the newest run's shard count were removed by a scale-down: not reported.
    const [ok, pending, last, leases, newest] = await Promise.all([
      db.query<{ shard: number; t: number }>(
        `SELECT shard_index AS shard, extract(epoch FROM max(finished_at))::float8 AS t
           FROM forecasting.forecast_runs
          WHERE status = 'succeeded'
            AND shard_index < (SELECT shard_count FROM forecasting.forecast_runs ORDER BY started_at DESC LIMIT 1)
          GROUP BY shard_index`,
      ),
      // A shard that never succeeded has no last success: it is due since its shard count first ran.
      db.query<{ shard: number; t: number }>(
        `WITH current AS (
           SELECT shard_count FROM forecasting.forecast_runs ORDER BY started_at DESC LIMIT 1
         ), since AS (
           SELECT min(started_at) AS t FROM forecasting.forecast_runs
            WHERE shard_count = (SELECT shard_count FROM current)
         )
         SELECT s AS shard,
                extract(epoch FROM LEAST((SELECT t FROM since),
                  (SELECT min(started_at) FROM forecasting.forecast_runs r WHERE r.shard_index = s)))::float8 AS t
           FROM current, generate_series(0, current.shard_count - 1) AS s
          WHERE NOT EXISTS (SELECT 1 FROM forecasting.forecast_runs r
                             WHERE r.shard_index = s AND r.status = 'succeeded')`,
      ),
      db.query<{ shard: number; status: string; seconds: number; series: number; failures: number }>(
        `SELECT DISTINCT ON (shard_index) shard_index AS shard, status, series, failures,
                extract(epoch FROM finished_at - started_at)::float8 AS seconds
           FROM forecasting.forecast_runs WHERE finished_at IS NOT NULL ORDER BY shard_index, finished_at DESC`,
      ),
      db.query<{ name: string; held: boolean }>(
        `SELECT name, (holder_identity <> '' AND renew_time + make_interval(secs => lease_duration_seconds) > now()) AS held
           FROM forecasting.leases`,
      ),
      // Fencing tokens are the lease's transition count at acquisition, with either lease store.
      db.query<{ shard: number; running: boolean; beating: boolean; token: string }>(
        `SELECT DISTINCT ON (shard_index) shard_index AS shard, finished_at IS NULL AS running,
                heartbeat_at + make_interval(secs => lease_duration_seconds) > now() AS beating,
                fencing_token::text AS token
           FROM forecasting.forecast_runs ORDER BY shard_index, started_at DESC`,
      ),
    ]);
    lastSuccess.reset();
    pendingSince.reset();
    duration.reset();
    for (const r of ok.rows) lastSuccess.set({ shard: String(r.shard) }, r.t);
    for (const r of pending.rows) pendingSince.set({ shard: String(r.shard) }, r.t);
    for (const r of last.rows) {
      duration.set({ shard: String(r.shard), status: r.status }, r.seconds);
      series.set({ shard: String(r.shard) }, r.series);
      failures.set({ shard: String(r.shard) }, r.failures);
    }
    leaderPresent.reset();
    const led = new Map<string, boolean>();
    for (const r of leases.rows) {
      // Lease names end in the shard index (LEASE_NAME_PREFIX + index).
      const shard = /(\d+)$/.exec(r.name)?.[1];
      if (shard !== undefined) led.set(shard, r.held);
    }
    for (const r of newest.rows) {
      const shard = String(r.shard);
      running.set({ shard }, r.running ? 1 : 0);
      transitions.set({ shard }, Number(r.token));
      // Kubernetes Leases are not in Postgres: there the run's own heartbeat tells.
      led.set(shard, (led.get(shard) ?? false) || (r.running && r.beating));
    }
    for (const [shard, held] of led) leaderPresent.set({ shard }, held ? 1 : 0);
  }
}
