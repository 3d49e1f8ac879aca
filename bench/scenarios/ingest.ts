/**
 * (1) Ingest throughput against pgbench running the same transaction on the same database with the
 * same client count, the batch endpoint, and (7) one vs two ingest processes.
 */
import { loadavg } from 'node:os';
import { round, type BenchContext } from '../lib/context.js';
import { CATALOG, freshDatabase, seedCatalog } from '../lib/env.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { log, runCommand, startService, type Service } from '../lib/proc.js';

/** Results of the ingest scenario. */
export interface IngestResult {
  readonly clients: number;
  readonly pgbench: { binary: string; tps: number; latencyMs: number | null; loadAverage: number };
  readonly single: LoadResult & { ingestCpuPercent: number | null };
  readonly batch: LoadResult & {
    ordersPerSecond: number;
    batchSize: number;
    ingestCpuPercent: number | null;
  };
  readonly twoProcesses: { ordersPerSecond: number; perProcess: number[] };
  readonly ratios: {
    singleVsPgbench: number | null;
    batchVsPgbench: number | null;
    twoVsOneProcess: number | null;
  };
}

const MERCHANTS = 10;

async function pgbench(url: string, clients: number, seconds: number): Promise<IngestResult['pgbench']> {
  const binary = (await runCommand('bash', ['bench/ensure-pgbench.sh'])).trim();
  const loadAverage = round(loadavg()[0], 2) ?? 0;
  const out = await runCommand(binary, [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-D',
    `merchants=${MERCHANTS}`,
    '-D',
    `products=${CATALOG.products}`,
    '-D',
    `categories=${CATALOG.categories}`,
    '-f',
    'bench/pgbench/order.sql',
    url,
  ]);
  const tps = /tps = ([\d.]+)/.exec(out);
  const lat = /latency average = ([\d.]+) ms/.exec(out);
  if (!tps) throw new Error(`pgbench printed no tps: ${out}`);
  return { binary, tps: Number(tps[1]), latencyMs: lat ? Number(lat[1]) : null, loadAverage };
}

function cpuPercent(s: Service, before: number | undefined, seconds: number): number | null {
  const after = s.cpuSeconds();
  return before === undefined || after === undefined ? null : round(((after - before) / seconds) * 100, 0);
}

/** Runs the ingest benchmarks. */
export async function ingestScenario(ctx: BenchContext): Promise<IngestResult> {
  const db = await freshDatabase(ctx.infra, 'ingest');
  const seconds = ctx.smoke ? 3 : 15;
  const clients = ctx.smoke ? 4 : 32;
  const batchSize = ctx.smoke ? 10 : 100;
  const batchConnections = ctx.smoke ? 2 : 8;
  try {
    await seedCatalog(db, { merchants: MERCHANTS, ...CATALOG });
    log(`ingest: pgbench ${clients} clients ${seconds} s`);
    const ref = await pgbench(db.url, clients, seconds);
    log(`ingest: pgbench ${ref.tps.toFixed(0)} tps`);

    const env = {
      DATABASE_URL: db.url,
      INGEST_RATE_LIMIT_PER_SECOND: '0',
      DATABASE_POOL_MAX: process.env.BENCH_INGEST_POOL_MAX ?? '10',
    };
    const ingest = startService('ingest', env);
    const url = `http://127.0.0.1:${await ingest.port()}`;
    const job = { url, merchants: MERCHANTS, merchantOffset: 0, products: CATALOG.products };
    // Warm-up: JIT, prepared statements on every pooled connection.
    await runLoad({ ...job, kind: 'order', connections: clients, durationSec: 2, prefix: `${ctx.runId}-w` });
    let cpu0 = ingest.cpuSeconds();
    const single = await runLoad({
      ...job,
      kind: 'order',
      connections: clients,
      durationSec: seconds,
      prefix: `${ctx.runId}-s`,
    });
    const singleCpu = cpuPercent(ingest, cpu0, single.seconds);
    log(
      `ingest: single ${single.okPerSecond.toFixed(0)} orders/s (${single.non2xx} non-2xx, ${single.errors} errors)`,
    );
    cpu0 = ingest.cpuSeconds();
    const batchLoad = await runLoad({
      ...job,
      kind: 'batch',
      batchSize,
      connections: batchConnections,
      durationSec: seconds,
      prefix: `${ctx.runId}-b`,
    });
    const batchCpu = cpuPercent(ingest, cpu0, batchLoad.seconds);
    const batch = {
      ...batchLoad,
      batchSize,
      ordersPerSecond: batchLoad.okPerSecond * batchSize,
      ingestCpuPercent: batchCpu,
    };
    log(`ingest: batch ${batch.ordersPerSecond.toFixed(0)} orders/s`);
    ctx.noteRss(ingest, 'ingest max throughput (single + batch)');
    await ingest.stop();

    // Scaling shape: the same total client count split over two ingest processes.
    const two = [startService('ingest', env, 'ingest#1'), startService('ingest', env, 'ingest#2')];
    const urls = await Promise.all(two.map(async (s) => `http://127.0.0.1:${await s.port()}`));
    const runs = await Promise.all(
      urls.map((u, i) =>
        runLoad({
          ...job,
          url: u,
          kind: 'order',
          connections: clients / 2,
          durationSec: seconds,
          prefix: `${ctx.runId}-t${i}`,
        }),
      ),
    );
    two.forEach((s) => ctx.noteRss(s, 'ingest, two processes'));
    await Promise.all(two.map((s) => s.stop()));
    const perProcess = runs.map((r) => round(r.okPerSecond, 0) ?? 0);
    const twoTotal = perProcess.reduce((a, b) => a + b, 0);
    log(`ingest: two processes ${twoTotal} orders/s`);
    return {
      clients,
      pgbench: ref,
      single: { ...single, ingestCpuPercent: singleCpu },
      batch,
      twoProcesses: { ordersPerSecond: twoTotal, perProcess },
      ratios: {
        singleVsPgbench: round(single.okPerSecond / ref.tps),
        batchVsPgbench: round(batch.ordersPerSecond / ref.tps),
        twoVsOneProcess: round(twoTotal / single.okPerSecond),
      },
    };
  } finally {
    await db.drop();
  }
}
