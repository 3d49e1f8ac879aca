/**
 * (1) Ingest throughput against pgbench running the same transaction on the same database with the
 * same client count, the batch endpoint, and (7) one vs two ingest processes.
 */
import { loadavg } from 'node:os';
import { round, type BenchContext } from '../lib/context.js';
import { CATALOG, freshDatabase, seedCatalog, type BenchDb } from '../lib/env.js';
import { combineLoads, runLoad, type LoadResult } from '../lib/load.js';
import { log, runCommand, startService } from '../lib/proc.js';

/** Results of the ingest scenario. */
export interface IngestResult {
  readonly clients: number;
  readonly pgbench: { binary: string; tps: number; latencyMs: number | null; loadAverage: number };
  /** Pool size of the measured ingest: as many connections as pgbench has clients. */
  readonly poolMax: number;
  readonly single: LoadResult & { ingestCpuPercent: number | null };
  /** The same with group commit off (INGEST_INSERT_BATCH_MAX=1): what group commit is worth. */
  readonly singleWithoutGroupCommit: LoadResult;
  /**
   * pgbench writing `batchSize` orders per statement (bench/pgbench/batch.sql): PostgreSQL's own
   * ceiling for the batch endpoint on this machine, in orders per second.
   */
  readonly pgbenchBatch?: { ordersPerSecond: number; latencyMs: number | null };

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

async function pgbench(
  url: string,
  clients: number,
  seconds: number,
  script = 'bench/pgbench/order.sql',
  vars: readonly string[] = [],
): Promise<IngestResult['pgbench']> {
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
    ...vars.flatMap((v) => ['-D', v]),
    '-f',
    script,
    url,
  ]);
  const tps = /tps = ([\d.]+)/.exec(out);
  const lat = /latency average = ([\d.]+) ms/.exec(out);
  if (!tps) throw new Error(`pgbench printed no tps: ${out}`);
  return { binary, tps: Number(tps[1]), latencyMs: lat ? Number(lat[1]) : null, loadAverage };
}

/** Sums rounds of pgbench: transactions over seconds; the latency is the rounds' mean. */
function combinePgbench(refs: readonly IngestResult['pgbench'][], slice: number): IngestResult['pgbench'] {
  const tps = refs.reduce((a, r) => a + r.tps * slice, 0) / (slice * refs.length);
  const lat = refs.map((r) => r.latencyMs ?? 0);
  return {
    binary: refs[0]!.binary,
    tps,
    latencyMs: round(lat.reduce((a, b) => a + b, 0) / lat.length, 2),
    loadAverage: refs[0]!.loadAverage,
  };
}

/**
 * Refreshes the planner statistics of the order tables. Every phase adds tens of thousands of rows
 * to tables that started empty, faster than autovacuum's one-minute nap: a connection whose
 * foreign-key checks were planned while `orders` had a few pages keeps checking with sequential
 * scans (measured: 24 ms per order once pgbench had added 90,000 rows, 0.02 ms after ANALYZE). Each
 * measured phase therefore starts from current statistics — the steady state autovacuum keeps.
 */
async function analyze(db: BenchDb): Promise<void> {
  await db.pool.query('ANALYZE ingestion.orders, ingestion.order_items, ingestion.order_events');
}

/** Runs the ingest benchmarks. */
export async function ingestScenario(ctx: BenchContext): Promise<IngestResult> {
  const db = await freshDatabase(ctx.infra, 'ingest');
  const seconds = ctx.smoke ? 3 : 24;
  const clients = ctx.smoke ? 4 : 32;
  const batchSize = ctx.smoke ? 10 : 100;
  // The same client count as pgbench.
  const batchConnections = clients;
  try {
    await seedCatalog(db, { merchants: MERCHANTS, ...CATALOG });
    // Same client count as pgbench, end to end: HTTP connections and database connections.
    const poolMax = Number(process.env.BENCH_INGEST_POOL_MAX ?? clients);
    const env = { DATABASE_URL: db.url, INGEST_RATE_LIMIT_PER_SECOND: '0' };
    const ingest = startService('ingest', { ...env, DATABASE_POOL_MAX: String(poolMax) });
    // The same without group commit (every order its own statement): what group commit is worth.
    const small = startService(
      'ingest',
      { ...env, DATABASE_POOL_MAX: String(poolMax), INGEST_INSERT_BATCH_MAX: '1' },
      'ingest#nogroup',
    );
    const url = `http://127.0.0.1:${await ingest.port()}`;
    const smallUrl = `http://127.0.0.1:${await small.port()}`;
    const job = { url, merchants: MERCHANTS, merchantOffset: 0, products: CATALOG.products };
    // Warm-up: JIT, prepared statements on every pooled connection.
    for (const u of [url, smallUrl]) {
      await runLoad({
        ...job,
        url: u,
        kind: 'order',
        connections: clients,
        durationSec: 3,
        prefix: `${ctx.runId}-w`,
      });
    }
    const smalls: LoadResult[] = [];

    // The machine's load moves by the second: pgbench, single and batch alternate in short rounds
    // and each figure sums its rounds, so a busy moment hurts all three alike.
    const rounds = ctx.smoke ? 1 : 3;
    const slice = Math.max(2, Math.round(seconds / rounds));
    const refs: IngestResult['pgbench'][] = [];
    const batchRefs: IngestResult['pgbench'][] = [];
    const singles: LoadResult[] = [];
    const batches: LoadResult[] = [];
    let singleCpu = 0;
    let batchCpu = 0;
    for (let r = 0; r < rounds; r++) {
      await analyze(db);
      refs.push(await pgbench(db.url, clients, slice));
      await analyze(db);
      batchRefs.push(
        await pgbench(db.url, clients, slice, 'bench/pgbench/batch.sql', [`batch=${batchSize}`]),
      );
      await analyze(db);
      let cpu0 = ingest.cpuSeconds() ?? 0;
      singles.push(
        await runLoad({
          ...job,
          kind: 'order',
          connections: clients,
          durationSec: slice,
          prefix: `${ctx.runId}-s${r}`,
        }),
      );
      singleCpu += (ingest.cpuSeconds() ?? 0) - cpu0;
      await analyze(db);
      smalls.push(
        await runLoad({
          ...job,
          url: smallUrl,
          kind: 'order',
          connections: clients,
          durationSec: slice,
          prefix: `${ctx.runId}-p${r}`,
        }),
      );
      cpu0 = ingest.cpuSeconds() ?? 0;
      await analyze(db);
      batches.push(
        await runLoad({
          ...job,
          kind: 'batch',
          batchSize,
          connections: batchConnections,
          durationSec: slice,
          prefix: `${ctx.runId}-b${r}`,
        }),
      );
      batchCpu += (ingest.cpuSeconds() ?? 0) - cpu0;
      log(
        `ingest round ${r + 1}/${rounds}: pgbench ${refs.at(-1)!.tps.toFixed(0)} tx/s (batch: ${(batchRefs.at(-1)!.tps * batchSize).toFixed(0)} orders/s), single ${singles.at(-1)!.okPerSecond.toFixed(0)} (no group commit: ${smalls.at(-1)!.okPerSecond.toFixed(0)}), batch ${(batches.at(-1)!.okPerSecond * batchSize).toFixed(0)} orders/s`,
      );
    }
    const ref = combinePgbench(refs, slice);
    const batchRef = combinePgbench(batchRefs, slice);
    const single = combineLoads(singles);
    const batchLoad = combineLoads(batches);
    const batch = {
      ...batchLoad,
      batchSize,
      ordersPerSecond: batchLoad.okPerSecond * batchSize,
      ingestCpuPercent: round((batchCpu / batchLoad.seconds) * 100, 0),
    };
    const singleCpuPercent = round((singleCpu / single.seconds) * 100, 0);
    ctx.noteRss(ingest, 'ingest max throughput (single + batch)');
    await Promise.all([ingest.stop(), small.stop()]);

    // Scaling shape: the same total client count split over two ingest processes.
    const half = { ...env, DATABASE_POOL_MAX: String(Math.max(1, Math.round(poolMax / 2))) };
    const two = [startService('ingest', half, 'ingest#1'), startService('ingest', half, 'ingest#2')];
    const urls = await Promise.all(two.map(async (s) => `http://127.0.0.1:${await s.port()}`));
    await analyze(db);
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
      poolMax,
      pgbench: ref,
      singleWithoutGroupCommit: combineLoads(smalls),
      pgbenchBatch: { ordersPerSecond: batchRef.tps * batchSize, latencyMs: batchRef.latencyMs },
      single: { ...single, ingestCpuPercent: singleCpuPercent },
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
