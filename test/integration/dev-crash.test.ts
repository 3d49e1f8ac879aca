/**
 * `make dev` survives `kill -9` of its whole process tree (supervisor, services and the embedded
 * PostgreSQL): the next start loses no committed order and the aggregates converge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../pkg/db/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
// Under .data, not the 0700 tmpdir: the embedded server runs as user postgres and must reach it.
const dataDir = path.join(root, '.data', `dev-crash-${randomBytes(4).toString('hex')}`);
mkdirSync(dataDir, { recursive: true, mode: 0o755 });
const OFFSET = 1000; // ports 9081.., Postgres 55329: beside a developer's own make dev
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

async function counts(pool: Pool) {
  const { rows } = await pool.query<{ orders: bigint; unpublished: bigint; applied: bigint }>(
    `SELECT (SELECT count(*) FROM ingestion.orders)::bigint AS orders,
            (SELECT count(*) FROM ingestion.order_events WHERE published_at IS NULL)::bigint AS unpublished,
            (SELECT count(*) FROM forecasting.processed_events)::bigint AS applied`,
  );
  return rows[0]!;
}

afterAll(async () => {
  if (current?.proc.pid && current.proc.exitCode === null) {
    process.kill(-current.proc.pid, 'SIGTERM');
    await new Promise((r) => current!.proc.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('make dev after kill -9 of the whole tree', () => {
  it('keeps every committed order and converges', { timeout: 700_000 }, async () => {
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
    const pool = createPool({ connectionString: dbUrl, max: 2 });
    try {
      // Let live traffic run, then kill everything mid-stream.
      const before = await waitFor('live orders beyond the backfill', async () => {
        const c1 = await counts(pool);
        await new Promise((r) => setTimeout(r, 1500));
        const c2 = await counts(pool);
        return c2.orders > c1.orders ? c2 : undefined;
      });
      process.kill(-first.proc.pid!, 'SIGKILL');
      await new Promise((r) => first.proc.once('exit', r));
      await pool.end().catch(() => undefined);

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
      const pool2 = createPool({ connectionString: dbUrl, max: 2 });
      try {
        const after = await counts(pool2);
        expect(after.orders).toBeGreaterThanOrEqual(before.orders);
        await waitFor(
          'the outbox to drain and every order to be applied',
          async () => {
            const c = await counts(pool2);
            return c.unpublished === 0n && c.applied === c.orders;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        // Live traffic keeps arriving; reconcile leaves orders not applied yet out of its recomputation.
        expect((await reconcile(pool2)).drift).toEqual([]);
      } finally {
        await pool2.end();
      }
    } finally {
      await pool.end().catch(() => undefined);
    }
  });
});
