// forecast-job and forecast-api as real processes (through the telemetry preload): the job's run and
// merchant spans in Jaeger with shard and lease attributes, the run metrics forecast-api exports,
// and a clean exit on SIGTERM for both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startJaeger, tag, type Jaeger, type JaegerSpan } from './support/jaeger.js';
import { seedAggregates, seedCatalog } from './support/seed.js';
import { sample, startService, type Service } from './support/service.js';
import { waitFor } from './support/wait.js';

let db: TestDatabase;
let jaeger: Jaeger;
const started: Service[] = [];

function env(service: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    AUTH_MODE: 'none',
    OTEL_SERVICE_NAME: `catcast-${service}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    SHARD_COUNT: '1',
    SHARD_INDEX: '0',
    FORECAST_BUCKET_TYPES: 'MONTH',
    FORECAST_MODELS: 'seasonal_naive,naive',
    FORECAST_THREADS: '1',
    LEASE_NAME_PREFIX: 'tel-shard-',
  };
}

function start(name: string, extra: Record<string, string> = {}): Service {
  const s = startService(name, { ...env(name), ...extra });
  started.push(s);
  return s;
}

beforeAll(async () => {
  [db, jaeger] = await Promise.all([createTestDatabase('ftel'), startJaeger()]);
  const cats = await seedCatalog(db.pool, 'tel-m', 2);
  await seedAggregates(
    db.pool,
    'tel-m',
    cats,
    'MONTH',
    '2024-01-01',
    '2026-10-01',
    (c, i) => 1000 * (c + 1) + 10 * i,
  );
}, 20 * 60_000);

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop(5_000)));
  await jaeger?.stop();
  await db?.drop();
});

async function traces(service: string, operation: string): Promise<JaegerSpan[][]> {
  const url = `${jaeger.query}/api/traces?service=${service}&operation=${encodeURIComponent(operation)}&limit=20&lookback=1h`;
  const res = await fetch(url);
  if (!res.ok) return [];
  const body = (await res.json()) as {
    data: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[] | null;
  };
  return (body.data ?? []).map((t) =>
    t.spans.map((s) => ({ ...s, service: t.processes[s.processID]?.serviceName ?? '' })),
  );
}

describe('forecast job telemetry', () => {
  it('traces a run and each merchant with shard and lease attributes, and exits 0', async () => {
    const job = start('forecast-job');
    expect(await job.exited).toBe(0);
    const [trace] = await waitFor('the forecast run trace', async () => {
      const t = await traces('catcast-forecast-job', 'forecast run');
      return t.length > 0 ? t : undefined;
    }).catch((err: unknown) => {
      throw new Error(`no forecast run trace; job log:\n${job.log.join('\n')}`, { cause: err });
    });
    const run = trace!.find((s) => s.operationName === 'forecast run')!;
    expect(tag(run, 'catcast.shard.index')).toBe(0);
    expect(tag(run, 'catcast.shard.count')).toBe(1);
    expect(tag(run, 'catcast.lease.name')).toBe('tel-shard-0');
    expect(tag(run, 'catcast.lease.store')).toMatch(/postgres/i);
    expect(tag(run, 'catcast.lease.identity')).toEqual(expect.any(String));
    expect(tag(run, 'catcast.lease.fencing_token')).toEqual(expect.any(Number));
    expect(tag(run, 'catcast.run.status')).toBe('succeeded');
    const merchant = trace!.find((s) => s.operationName === 'forecast merchant');
    expect(merchant && tag(merchant, 'catcast.merchant.id')).toBe('tel-m');
    expect(merchant?.references.find((r) => r.refType === 'CHILD_OF')?.spanID).toBe(run.spanID);
    expect(tag(merchant!, 'catcast.forecast.MONTH')).toBe('written');
    // The merchant's SQL (series load, set write) runs inside its span.
    const sql = trace!.filter(
      (s) =>
        s.references.some((r) => r.spanID === merchant!.spanID) && tag(s, 'db.system.name') === 'postgresql',
    );
    expect(sql.length).toBeGreaterThan(0);
  });

  it('forecast-api exports the run metrics, reports readiness as JSON, and both binaries exit 0 on SIGTERM', async () => {
    const api = start('forecast-api');
    const ready = await api.get('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
    const m = await api.metrics();
    expect(sample(m, 'catcast_forecast_last_success_timestamp_seconds{shard="0"}')).toBeGreaterThan(
      Date.now() / 1000 - 600,
    );
    expect(sample(m, 'catcast_forecast_run_running{shard="0"}')).toBe(0);
    expect(sample(m, 'catcast_forecast_lease_transitions{shard="0"}')).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'catcast_db_pool_connections{pool="primary",state="total"}')).toBeGreaterThan(0);

    // Interval mode (development): SIGTERM between runs ends the loop at once and releases the lease.
    const loop = start('forecast-job', { FORECAST_INTERVAL_SECONDS: '3600' });
    await waitFor(
      'the looping job to finish a run',
      () => loop.log.some((l) => l.includes('"msg":"forecast run succeeded"')),
      {
        timeoutMs: 120_000,
      },
    );
    const t0 = Date.now();
    const [apiCode, loopCode] = await Promise.all([api.stop(15_000), loop.stop(15_000)]);
    expect([apiCode, loopCode]).toEqual([0, 0]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const { rows } = await db.pool.query<{ holder_identity: string }>(
      `SELECT holder_identity FROM forecasting.leases WHERE name = 'tel-shard-0'`,
    );
    expect(rows[0]?.holder_identity).toBe('');
  });
});
