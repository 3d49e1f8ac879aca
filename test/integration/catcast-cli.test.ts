/**
 * The `catcast` admin CLI as a real process: reconcile (exit 0 / 3, --json, --repair, scoping) on a
 * real database, and `dlq replay` (dry run, --max, original headers restored, committed progress) on
 * a real Kafka broker.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyBatch } from '../../pkg/aggregation/index.js';
import { HEADERS, type IncomingMessage } from '../../pkg/events/index.js';
import { toDlqMessage } from '../../pkg/dlq/index.js';
import { createKafka, KafkaPublisher, toIncomingMessage } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import {
  asMessage,
  orderEvent,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');

function catcast(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/catcast/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const A: FixtureMerchant = {
  id: 'cli-a',
  timezone: 'Europe/Berlin',
  weekStart: 'MONDAY',
  currency: 'EUR',
  categories: ['shoes', 'hats'],
};
const B: FixtureMerchant = {
  id: 'cli-b',
  timezone: 'UTC',
  weekStart: 'SUNDAY',
  currency: 'USD',
  categories: ['toys'],
};
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  await seedCatalog(db.pool, [A, B]);
  const events = [
    orderEvent(A, '2026-03-02T10:00:00Z', [{ categoryId: 'shoes', quantity: 2, unitPriceMinor: 4999n }]),
    orderEvent(A, '2026-03-09T23:30:00Z', [{ categoryId: 'hats', quantity: 1, unitPriceMinor: 1500n }]),
    orderEvent(B, '2026-03-05T12:00:00Z', [{ categoryId: 'toys', quantity: 3, unitPriceMinor: 999n }]),
  ];
  await storeOrders(db.pool, events);
  await applyBatch(
    db.pool,
    events.map((e) => asMessage(e)),
  );
});
afterAll(async () => {
  await db?.drop();
});

describe('catcast reconcile', () => {
  it('exits 0 without drift, 3 with drift (listing the bucket), repairs with --repair, and scopes by merchant and dates', async () => {
    const env = { DATABASE_URL: db.url };
    const clean = await catcast(['reconcile', '--json'], env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ drift: [], inFlightOrders: 0, repaired: 0 });

    await db.pool.query(
      `UPDATE forecasting.category_sales_agg SET total_sales_minor = total_sales_minor + 1
        WHERE merchant_id = 'cli-a' AND category_id = 'shoes' AND bucket_type = 'DAY'`,
    );
    const found = await catcast(['reconcile'], env);
    expect(found.code).toBe(3);
    expect(found.stdout).toMatch(/drift in 1 aggregate row/);
    expect(found.stdout).toMatch(
      /cli-a shoes DAY 2026-03-02: expected total=9998 orders=1 items=2, stored total=9999/,
    );

    // Out of scope: another merchant, or dates before the drifted bucket.
    expect((await catcast(['reconcile', '--merchant', 'cli-b'], env)).code).toBe(0);
    expect((await catcast(['reconcile', '--from', '2026-03-03', '--to', '2026-12-31'], env)).code).toBe(0);
    expect(
      (await catcast(['reconcile', '--merchant', 'cli-a', '--from', '2026-03-01', '--to', '2026-03-02'], env))
        .code,
    ).toBe(3);

    const repaired = await catcast(['reconcile', '--repair', '--json'], env);
    expect(repaired.code).toBe(3);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ repaired: 1 });
    expect((await catcast(['reconcile'], env)).code).toBe(0);
  });

  it('refuses bad options with exit 2 and a message naming them', async () => {
    const bad = await catcast(['reconcile', '--from', '2026-13-01'], { DATABASE_URL: db.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/from must be a date/);
    const noDb = await catcast(['reconcile'], { DATABASE_URL: '' });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/DATABASE_URL/);
  });
});

describe('catcast dlq replay', () => {
  it('re-publishes the original messages without DLQ headers, honours --dry-run and --max, and remembers progress', async () => {
    const brokers = inject('kafkaBrokers');
    const topic = `cli-${Date.now()}`;
    const dlq = `${topic}.dlq`;
    const logger = silentLogger();
    const kafka = createKafka({ brokers: [brokers], logger });
    const publisher = new KafkaPublisher({ kafka, logger });
    await publisher.ensureTopic(topic, 3);
    await publisher.ensureTopic(dlq, 3);
    const original = (i: number): IncomingMessage => ({
      topic,
      partition: i % 3,
      offset: String(i),
      key: `m-${i}`,
      value: Buffer.from(`{"n":${i}}`),
      headers: { [HEADERS.id]: `event-${i}`, [HEADERS.type]: 'order.created', traceparent: `tp-${i}` },
      timestamp: Date.now(),
    });
    await publisher.publish(
      dlq,
      [0, 1, 2].map((i) => toDlqMessage(original(i), `unknown merchant m-${i}`)),
    );
    await publisher.close();
    const env = {
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      DLQ_REPLAY_GROUP: `${topic}-replay`,
    };

    const dry = await catcast(['dlq', 'replay', '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      replayed: 3,
      remaining: 0,
      dryRun: true,
      byReason: { 'unknown merchant m-': 3 },
    });

    const one = await catcast(['dlq', 'replay', '--max', '1', '--json'], env);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ replayed: 1, remaining: 2 });
    const rest = await catcast(['dlq', 'replay'], env);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(/replayed 2 message/);
    expect(rest.stderr).toMatch(/replaying .*: unknown merchant m-/);
    const none = await catcast(['dlq', 'replay', '--json'], env);
    expect(JSON.parse(none.stdout)).toMatchObject({ replayed: 0, remaining: 0 });

    // What reached the target topic: the three originals, byte for byte, without catcast_dlq_* headers.
    const reader = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({
      groupId: `${topic}-check`,
    });
    const seen: IncomingMessage[] = [];
    await reader.connect();
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({
      eachMessage: ({ partition, message }) => {
        seen.push(toIncomingMessage(topic, partition, message));
        return Promise.resolve();
      },
    });
    try {
      await waitFor('3 replayed messages', () => seen.length >= 3, { timeoutMs: 30_000 });
    } finally {
      await reader.disconnect();
    }
    expect(seen).toHaveLength(3);
    for (const m of seen) {
      const i = Number(m.key!.slice(2));
      expect(m.value!.toString()).toBe(`{"n":${i}}`);
      expect(m.headers).toEqual(original(i).headers);
    }
  });
});
