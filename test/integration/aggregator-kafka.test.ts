// The aggregator process (cmd/aggregator) against real Kafka and Postgres: exact totals, a SIGKILL
// in the middle of the stream, and a replay of the whole topic from the beginning.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { HEADERS, type OrderCreatedV1, type OutgoingMessage } from '../../pkg/events/index.js';
import { createKafka, KafkaPublisher, readConsumerLag } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import {
  prng,
  randomOrders,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const MERCHANTS: FixtureMerchant[] = [
  {
    id: 'k-berlin',
    timezone: 'Europe/Berlin',
    weekStart: 'MONDAY',
    currency: 'EUR',
    categories: ['a', 'b', 'c', 'd'],
  },
  {
    id: 'k-la',
    timezone: 'America/Los_Angeles',
    weekStart: 'SUNDAY',
    currency: 'USD',
    categories: ['x', 'y'],
  },
  {
    id: 'k-kathmandu',
    timezone: 'Asia/Kathmandu',
    weekStart: 'SATURDAY',
    currency: 'NPR',
    categories: ['p', 'q', 'r'],
  },
];
const suffix = randomBytes(4).toString('hex');
const TOPIC = `agg-it-${suffix}`;
const DLQ = `${TOPIC}.dlq`;
const GROUP = `agg-it-${suffix}`;

let db: TestDatabase;
let kafka: Kafka;
let publisher: KafkaPublisher;

function toMessage(e: OrderCreatedV1): OutgoingMessage {
  return {
    key: e.merchantId,
    value: Buffer.from(JSON.stringify(e)),
    headers: { [HEADERS.id]: e.eventId, [HEADERS.type]: 'order.created', [HEADERS.schemaVersion]: '1' },
  };
}

interface Aggregator {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly port: Promise<number>;
  readonly log: string[];
}

function startAggregator(): Aggregator {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/aggregator/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      KAFKA_TOPIC: TOPIC,
      KAFKA_DLQ_TOPIC: DLQ,
      KAFKA_CONSUMER_GROUP: GROUP,
      KAFKA_TOPIC_PARTITIONS: '3',
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'none',
      LOG_LEVEL: 'info',
      AGGREGATION_LAG_REFRESH_SECONDS: '1',
      // Small fetches: many batches, so a kill lands between and inside them.
      AGGREGATION_FETCH_MAX_BYTES: '65536',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolvePort: (p: number) => void = () => undefined;
  const port = new Promise<number>((r) => (resolvePort = r));
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    log.push(text);
    const m = /"port":(\d+).*"msg":"listening"/.exec(text);
    if (m) resolvePort(Number(m[1]));
  });
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, port, log };
}

async function processedCount(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM forecasting.processed_events`,
  );
  return rows[0]!.n;
}

async function snapshot(): Promise<string[]> {
  const { rows } = await db.pool.query<Record<string, unknown>>(
    `SELECT merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count
       FROM forecasting.category_sales_agg ORDER BY 1, 2, 3, 4`,
  );
  return rows.map((r) => Object.values(r).map(String).join('|'));
}

let lastLag = '';
async function caughtUp(): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lag = await readConsumerLag(admin, GROUP, TOPIC);
    lastLag = JSON.stringify(lag.partitions);
    // Without a commit a partition's lag counts from its first message, so 0 means all committed.
    return lag.partitions.length === 3 && lag.total === 0;
  } finally {
    await admin.disconnect();
  }
}

/** Runs `fn`; on failure, adds the aggregator's last log lines and the last lag seen to the error. */
async function explained<T>(a: Aggregator, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nlag: ${lastLag}\naggregator log:\n${a.log.join('').slice(-6000)}`,
      {
        cause: err,
      },
    );
  }
}

async function stop(a: Aggregator): Promise<number | null> {
  a.child.kill('SIGTERM');
  return a.exited;
}

const events = randomOrders(MERCHANTS, 12_000, '2025-12-25T00:00:00Z', '2026-01-08T00:00:00Z', prng(42));
const poison: OutgoingMessage[] = [
  { key: 'k-berlin', value: Buffer.from('{"not": "an event"'), headers: {} },
  { key: 'k-berlin', value: Buffer.from(JSON.stringify({ ...events[0]!, schemaVersion: 9 })), headers: {} },
  {
    key: 'ghost',
    value: Buffer.from(JSON.stringify({ ...events[1]!, eventId: crypto.randomUUID(), merchantId: 'ghost' })),
    headers: {},
  },
];

beforeAll(async () => {
  db = await createTestDatabase('aggk');
  await seedCatalog(db.pool, MERCHANTS);
  await storeOrders(db.pool, events);
  kafka = createKafka({ brokers: inject('kafkaBrokers').split(','), logger: silentLogger() });
  publisher = new KafkaPublisher({ kafka, logger: silentLogger() });
  await publisher.ensureTopic(TOPIC, 3);
});
afterAll(async () => {
  await publisher?.close();
  await db?.drop();
});

describe('cmd/aggregator over Kafka', () => {
  it('applies every event exactly once across a SIGKILL mid-stream, and dead-letters poison', async () => {
    const first = startAggregator();
    let second: Aggregator | undefined;
    try {
      await first.port;
      // Publish the first half, kill the aggregator while it is applying, publish the rest.
      const half = events.length / 2;
      for (let i = 0; i < half; i += 500)
        await publisher.publish(TOPIC, events.slice(i, i + 500).map(toMessage));
      await publisher.publish(TOPIC, poison);
      await waitFor('the aggregator to be mid-stream', async () => (await processedCount()) >= 1_000, {
        timeoutMs: 60_000,
        intervalMs: 10,
      });
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = await processedCount();
      expect(atKill, 'the kill must land before everything was applied').toBeLessThan(half);

      second = startAggregator();
      for (let i = half; i < events.length; i += 500)
        await publisher.publish(TOPIC, events.slice(i, i + 500).map(toMessage));
      // Duplicates, as a relay that crashed after publishing would produce.
      await publisher.publish(TOPIC, events.slice(100, 300).map(toMessage));
      await waitFor('every event to be applied', async () => (await processedCount()) === events.length, {
        timeoutMs: 120_000,
      });
      await explained(second, () =>
        waitFor('the consumer group to commit everything', caughtUp, { timeoutMs: 60_000 }),
      );

      const result = await reconcile(db.pool);
      expect(result.inFlightOrders).toBe(0);
      expect(result.drift).toEqual([]);

      // The process serves the API and metrics.
      const port = await second.port;
      const res = await fetch(
        `http://127.0.0.1:${port}/api/top-categories?merchantId=k-berlin&bucketType=YEAR&bucketStart=2026-01-01`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { categories: unknown[]; freshness: { stale: boolean } };
      expect(body.categories.length).toBe(4);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      await waitFor(
        'the lag gauge',
        async () =>
          /catcast_consumer_lag\{partition="total"[^}]*\} 0/.test(
            await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
          ),
        { timeoutMs: 20_000 },
      );
    } finally {
      first.child.kill('SIGKILL');
      if (second) expect(await stop(second)).toBe(0);
    }

    // The poison messages are in the DLQ with their reasons (at least once: maybe twice after the kill).
    const consumer = kafka.consumer({ groupId: `${GROUP}-dlq-reader` });
    const reasons = new Set<string>();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: DLQ, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          reasons.add(message.headers?.[HEADERS.dlqReason]?.toString() ?? '');
          return Promise.resolve();
        },
      });
      await waitFor('three distinct DLQ reasons', () => reasons.size >= 3, { timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    expect([...reasons].sort()).toEqual([
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/unknown merchant ghost/),
      expect.stringMatching(/unsupported schema version 9/),
    ]);
  });

  it('leaves the aggregates unchanged when the group is reset and the whole topic replayed', async () => {
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(0);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The stopped aggregator left the group; the broker may take a moment to show it empty.
      await waitFor(
        'the consumer group to be empty',
        async () => (await admin.describeGroups([GROUP])).groups[0]?.state === 'Empty',
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      await admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true });
    } finally {
      await admin.disconnect();
    }
    expect(await caughtUp()).toBe(false);
    const again = startAggregator();
    try {
      const port = await again.port;
      await explained(again, () => waitFor('the replay to finish', caughtUp, { timeoutMs: 120_000 }));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const dup = /catcast_events_duplicate_total\{[^}]*\} (\d+)/.exec(metrics);
      // Every event of the topic came back (12,000 + 200 republished) and none was applied again.
      expect(Number(dup?.[1])).toBe(events.length + 200);
      expect(metrics).toMatch(/catcast_events_applied_total\{[^}]*\} 0/);
    } finally {
      expect(await stop(again)).toBe(0);
    }
    expect(await snapshot()).toEqual(before);
    expect((await reconcile(db.pool)).drift).toEqual([]);
  });
});
