/**
 * The whole write path as separate real processes: simulator -> ingest -> Postgres outbox -> relay ->
 * Kafka -> aggregator -> aggregates, with replays and invalid orders in the stream. After convergence
 * every aggregate row must equal the recomputation from ingestion.* (pkg/reconcile) and every order
 * the simulator saw accepted must be stored exactly once.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reconcile } from '../../pkg/reconcile/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startBinary, type ChildService } from './support/process.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const TOPIC = `e2e-${Date.now()}`;
let db: TestDatabase;
const services: ChildService[] = [];

beforeAll(async () => {
  db = await createTestDatabase('e2e');
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await db.drop();
});

function runSimulator(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/simulator/main.ts', ...args], {
      cwd: root,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('end to end over real processes, Postgres and Kafka', () => {
  it('aggregates >= 10,000 simulated orders exactly, despite replays and invalid orders', async () => {
    const common = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      KAFKA_TOPIC: TOPIC,
      KAFKA_DLQ_TOPIC: `${TOPIC}.dlq`,
      KAFKA_CONSUMER_GROUP: `${TOPIC}-group`,
      AUTH_MODE: 'none',
      PORT: '0',
    };
    const ingest = startBinary('ingest', common);
    const relay = startBinary('relay', common);
    const aggregator = startBinary('aggregator', common);
    services.push(ingest, relay, aggregator);
    const ingestPort = await ingest.port();
    await Promise.all([relay.port(), aggregator.port()]);

    const sim = await runSimulator([
      '--ingest-url',
      `http://127.0.0.1:${ingestPort}`,
      '--merchants',
      '3',
      '--days',
      '60',
      '--orders-per-day',
      '60',
      '--replay-ratio',
      '0.05',
      '--invalid-ratio',
      '0.02',
      '--rate',
      '0',
      '--seed',
      'e2e',
      '--json',
    ]);
    expect(sim.code, sim.stderr).toBe(0);
    const summary = JSON.parse(sim.stdout.trim().split('\n').at(-1)!) as {
      accepted: number;
      replayed: number;
      rejected: number;
      expectedRejected: number;
      failed: number;
      merchants: number;
    };
    expect(summary.merchants).toBe(3);
    expect(summary.failed).toBe(0);
    expect(summary.accepted).toBeGreaterThanOrEqual(10_000);
    expect(summary.replayed).toBeGreaterThan(0);
    expect(summary.expectedRejected).toBeGreaterThan(0);

    const stored = await db.pool.query<{ orders: bigint; events: bigint }>(
      `SELECT (SELECT count(*) FROM ingestion.orders)::bigint AS orders,
              (SELECT count(*) FROM ingestion.order_events)::bigint AS events`,
    );
    expect(Number(stored.rows[0]!.orders)).toBe(summary.accepted);
    expect(Number(stored.rows[0]!.events)).toBe(summary.accepted);

    await waitFor(
      'every event to be published and applied',
      async () => {
        const { rows } = await db.pool.query<{ unpublished: bigint; applied: bigint }>(
          `SELECT (SELECT count(*) FROM ingestion.order_events WHERE published_at IS NULL)::bigint AS unpublished,
                  (SELECT count(*) FROM forecasting.processed_events)::bigint AS applied`,
        );
        return rows[0]!.unpublished === 0n && Number(rows[0]!.applied) === summary.accepted;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const result = await reconcile(db.pool);
    expect(result.inFlightOrders).toBe(0);
    expect(result.drift).toEqual([]);
    const buckets = await db.pool.query<{ bucket_type: string; n: bigint }>(
      `SELECT bucket_type, count(*)::bigint AS n FROM forecasting.category_sales_agg GROUP BY 1 ORDER BY 1`,
    );
    expect(buckets.rows.map((r) => r.bucket_type)).toEqual(['DAY', 'MONTH', 'WEEK', 'YEAR']);
  });
});
