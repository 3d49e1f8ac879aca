import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commonEnv, databaseEnv, parseEnv, port } from '../config/index.js';
import { createPool } from '../db/index.js';
import { opsRoutes, serveUntilAborted } from '../http/index.js';
import type { Logger } from '../log/index.js';
import { Counter, Gauge, createRegistry } from '../metrics/index.js';
import { abortableSleep } from '../retry/index.js';
import { reconcile, type ReconcileOptions, type ReconcileResult } from '../reconcile/index.js';
import { EXIT, UsageError, toJson, type CommandIo } from './io.js';

/** Environment of `catcast reconcile`. */
export const reconcileEnv = z.object({
  ...commonEnv,
  ...databaseEnv,
  /** Port of /health, /ready and /metrics in scheduled mode (--every). @default 8084 */
  RECONCILE_METRICS_PORT: port(8084),
});

/** Usage of `catcast reconcile`. */
export const RECONCILE_USAGE = `catcast reconcile [--merchant ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--repair] [--json]
                  [--every SECONDS [--metrics-port N]]
  Recomputes every category aggregate in scope from ingestion.* and reports the buckets whose stored
  totals differ (drift). Orders whose event the aggregator has not applied yet are "in flight" and left
  out. --repair rewrites drifted rows to the recomputed values in one transaction.
  --every runs it every SECONDS until SIGTERM and exports catcast_reconcile_* gauges on /metrics.
  Env: DATABASE_URL (required). Exit: 0 no drift, 3 drift found (even if repaired), 2 usage, 1 failure.
`;

function format(result: ReconcileResult): string {
  const lines = [
    result.drift.length === 0
      ? `no drift (${result.inFlightOrders} order(s) in flight, not yet aggregated)`
      : `drift in ${result.drift.length} aggregate row(s); ${result.inFlightOrders} order(s) in flight${result.repaired ? `; repaired ${result.repaired}` : ''}`,
  ];
  const show = (v: { totalMinor: bigint; orderCount: bigint; itemCount: bigint } | null) =>
    v ? `total=${v.totalMinor} orders=${v.orderCount} items=${v.itemCount}` : 'none';
  for (const d of result.drift.slice(0, 50))
    lines.push(
      `  ${d.merchantId} ${d.categoryId} ${d.bucketType} ${d.bucketStart}: expected ${show(d.expected)}, stored ${show(d.actual)}`,
    );
  if (result.drift.length > 50) lines.push(`  ... and ${result.drift.length - 50} more (use --json)`);
  return `${lines.join('\n')}\n`;
}

/** Runs `catcast reconcile`; returns the exit code. */
export async function reconcileCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
  deps: { logger: Logger; signal: AbortSignal },
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      merchant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      repair: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      every: { type: 'string' },
      'metrics-port': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const every = values.every === undefined ? undefined : Number(values.every);
  if (every !== undefined && !(Number.isFinite(every) && every > 0))
    throw new UsageError(`--every must be a positive number of seconds, got ${values.every}`);
  const config = parseEnv(reconcileEnv, {
    ...env,
    ...(values['metrics-port'] ? { RECONCILE_METRICS_PORT: values['metrics-port'] } : {}),
  });
  const options: ReconcileOptions = {
    ...(values.merchant ? { merchantId: values.merchant } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    repair: values.repair,
  };
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: 2,
    // A full recomputation reads every order in scope: the API's short statement timeout does not fit.
    statementTimeoutMs: 15 * 60_000,
    applicationName: 'catcast-reconcile',
  });
  const once = async (): Promise<number> => {
    const result = await reconcile(pool, options);
    io.stdout(values.json ? `${toJson(result)}\n` : format(result));
    return result.drift.length > 0 ? EXIT.drift : EXIT.ok;
  };
  try {
    if (every === undefined) return await once();
    return await scheduled(every, config, pool, options, io, deps);
  } finally {
    await pool.end();
  }
}

async function scheduled(
  everySeconds: number,
  config: z.infer<typeof reconcileEnv>,
  pool: ReturnType<typeof createPool>,
  options: ReconcileOptions,
  io: CommandIo,
  { logger, signal }: { logger: Logger; signal: AbortSignal },
): Promise<number> {
  const registry = createRegistry('reconcile');
  const driftRows = new Gauge({
    name: 'catcast_reconcile_drift_rows',
    help: 'Aggregate rows whose stored totals differed from the recomputation in the last reconcile run',
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'catcast_reconcile_in_flight_orders',
    help: 'Orders accepted but not yet aggregated at the last reconcile run',
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'catcast_reconcile_last_success_timestamp_seconds',
    help: 'Unix time of the last reconcile run that completed',
    registers: [registry],
  });
  const repaired = new Counter({
    name: 'catcast_reconcile_repaired_rows_total',
    help: 'Aggregate rows rewritten by reconcile --repair',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'catcast_reconcile_failures_total',
    help: 'Reconcile runs that failed (database unreachable, timeout)',
    registers: [registry],
  });
  const server = serveUntilAborted(
    {
      app: opsRoutes({ checks: { database: async () => void (await pool.query('SELECT 1')) }, registry }),
      port: config.RECONCILE_METRICS_PORT,
      host: config.HOST,
      logger,
    },
    signal,
  );
  while (!signal.aborted) {
    try {
      const result = await reconcile(pool, options);
      driftRows.set(result.drift.length);
      inFlight.set(result.inFlightOrders);
      repaired.inc(result.repaired);
      lastRun.set(Date.now() / 1000);
      logger.info(
        { driftRows: result.drift.length, inFlightOrders: result.inFlightOrders, repaired: result.repaired },
        'reconcile run',
      );
      if (result.drift.length > 0) io.stderr(format(result));
    } catch (err) {
      failures.inc();
      logger.error({ err }, 'reconcile run failed');
    }
    await abortableSleep(everySeconds * 1000, signal);
  }
  await server;
  return EXIT.ok;
}
