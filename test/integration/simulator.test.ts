import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAmount } from '../../pkg/money/index.js';
import {
  generateCatalog,
  generateHistory,
  runSimulation,
  type SimulationOptions,
} from '../../pkg/simulator/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
let db: TestDatabase;
let ingest: { child: ChildProcess; exited: Promise<number | null>; log: string[]; url: string };

/** Starts the real ingest binary on a free port and learns the port from its "listening" log line. */
async function startIngest(databaseUrl: string): Promise<typeof ingest> {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/ingest/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await waitFor(
    'ingest to log its port',
    () => {
      if (child.exitCode !== null) throw new Error(`ingest exited with ${child.exitCode}: ${log.join('')}`);
      const m = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(log.join(''));
      return m ? Number(m[1] ?? m[2]) : undefined;
    },
    { timeoutMs: 60_000 },
  );
  return { child, exited, log, url: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  db = await createTestDatabase('sim');
  ingest = await startIngest(db.url);
});

afterAll(async () => {
  ingest?.child.kill('SIGTERM');
  await ingest?.exited;
  await db?.drop();
});

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

describe('simulator against the real ingest service and Postgres', () => {
  // A fixed end makes the backfill reproducible here, so the test can recompute it.
  const end = new Date(Date.now() - 60_000);
  const base: SimulationOptions = {
    ingestUrl: '',
    seed: 'integration',
    merchants: 3,
    days: 3,
    ordersPerDay: 60,
    end,
    batchSize: 250,
    readyTimeoutSeconds: 60,
  };

  it('seeds, backfills and sends a live burst; the database holds exactly the accepted orders', async () => {
    const warnings: string[] = [];
    const s = await runSimulation({
      ...base,
      ingestUrl: ingest.url,
      rate: 40,
      // Faults ride on live orders only, and a loaded CI machine sends few of them in a short
      // burst: high ratios and 3 s keep "at least one of each" from depending on luck.
      durationSeconds: 3,
      replayRatio: 0.3,
      invalidRatio: 0.3,
      onWarning: (w) => warnings.push(w),
    });
    expect(
      { rejected: s.rejected, failed: s.failed, unexpectedAccepted: s.unexpectedAccepted },
      warnings.join('\n'),
    ).toEqual({
      rejected: 0,
      failed: 0,
      unexpectedAccepted: 0,
    });
    expect(s.backfillOrders).toBeGreaterThan(300);
    expect(s.liveOrders).toBeGreaterThan(0);
    expect(s.replayed).toBeGreaterThan(0);
    expect(s.expectedRejected).toBeGreaterThan(0);

    expect(await count('SELECT count(*) n FROM ingestion.merchants')).toBe(s.merchants);
    expect(await count('SELECT count(*) n FROM ingestion.categories')).toBe(s.categories);
    expect(await count('SELECT count(*) n FROM ingestion.products')).toBe(s.products);
    expect(await count('SELECT count(*) n FROM ingestion.orders')).toBe(s.accepted);
    expect(await count('SELECT count(*) n FROM ingestion.order_events')).toBe(s.accepted);
    expect(await count(`SELECT count(*) n FROM ingestion.orders WHERE external_order_id LIKE 'h-%'`)).toBe(
      s.backfillOrders,
    );
    expect(await count(`SELECT count(*) n FROM ingestion.orders WHERE external_order_id LIKE 'x-%'`)).toBe(0);

    // Every backfilled order's total, per merchant, equals what the generator produced (JPY, INR, AUD decimals).
    const expected = new Map<string, bigint>();
    for (const o of generateHistory({
      catalog: generateCatalog(base),
      days: base.days,
      ordersPerDay: base.ordersPerDay,
      end,
    })) {
      const total = o.items.reduce(
        (t, i) => t + parseAmount(i.unitPrice, o.currency) * BigInt(i.quantity),
        0n,
      );
      expected.set(o.merchantId, (expected.get(o.merchantId) ?? 0n) + total);
    }
    const { rows } = await db.pool.query<{ merchant_id: string; total: string }>(
      `SELECT merchant_id, sum(total_minor)::text total FROM ingestion.orders WHERE external_order_id LIKE 'h-%' GROUP BY 1`,
    );
    expect(new Map(rows.map((r) => [r.merchant_id, BigInt(r.total)]))).toEqual(expected);
  });

  it('replays an identical backfill as 200s and stores nothing new', async () => {
    const before = await count('SELECT count(*) n FROM ingestion.orders');
    const s = await runSimulation({ ...base, ingestUrl: ingest.url, rate: 0 });
    expect(s).toMatchObject({ accepted: 0, rejected: 0, failed: 0 });
    expect(s.replayed).toBe(s.backfillOrders);
    expect(await count('SELECT count(*) n FROM ingestion.orders')).toBe(before);
  });
});
