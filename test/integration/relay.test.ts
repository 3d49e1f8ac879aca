import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmbeddedBus } from '../../pkg/bus/index.js';
import { createPool, type Pool } from '../../pkg/db/index.js';
import type { EventPublisher, IncomingMessage, OutgoingMessage } from '../../pkg/events/index.js';
import { createKafka, KafkaPublisher, KafkaSubscriber } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createRegistry } from '../../pkg/metrics/index.js';
import {
  deletePublishedOutboxRows,
  parseRelayConfig,
  Relay,
  RelayPublishError,
  run,
} from '../../pkg/relay/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const logger = silentLogger();
const brokers = () => inject('kafkaBrokers').split(',');
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

let db: TestDatabase;
let kafkaPublisher: KafkaPublisher;
beforeAll(async () => {
  db = await createTestDatabase('relay');
  await db.pool.query(
    `INSERT INTO ingestion.merchants (id, name, currency)
     SELECT 'm' || g, 'Merchant ' || g, 'EUR' FROM generate_series(0, 9) g`,
  );
  kafkaPublisher = new KafkaPublisher({ kafka: createKafka({ brokers: brokers(), logger }), logger });
});
afterAll(async () => {
  await kafkaPublisher?.close();
  await db?.drop();
});

/** Writes `n` orders and their outbox rows directly (the ingest service is not under test here). */
async function insertOutbox(
  n: number,
  { createdAgo = '0 hours', publishedAgo }: { createdAgo?: string; publishedAgo?: string } = {},
): Promise<string[]> {
  const tag = randomBytes(4).toString('hex');
  const { rows } = await db.pool.query<{ id: string }>(
    `WITH o AS (
       INSERT INTO ingestion.orders
         (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
       SELECT gen_random_uuid(), 'm' || (g % 10), 'ext-' || $2 || '-' || g, now(), 'EUR', 100, 1, 'h'
         FROM generate_series(1, $1::int) g
       RETURNING id, merchant_id)
     INSERT INTO ingestion.order_events
       (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent,
        created_at, published_at)
     SELECT gen_random_uuid(), o.id, o.merchant_id, 'order.created', 1, o.merchant_id,
            jsonb_build_object('orderId', o.id, 'merchantId', o.merchant_id),
            '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            clock_timestamp() - $3::interval,
            CASE WHEN $4::interval IS NULL THEN NULL ELSE now() - $4::interval END
       FROM o
     RETURNING id`,
    [n, tag, createdAgo, publishedAgo ?? null],
  );
  return rows.map((r) => r.id);
}

async function counts(ids: readonly string[]) {
  const { rows } = await db.pool.query<{ published: number; unpublished: number; attempts: number }>(
    `SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS published,
            count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished,
            COALESCE(sum(attempts), 0)::int AS attempts
       FROM ingestion.order_events WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  return rows[0] ?? { published: 0, unpublished: 0, attempts: 0 };
}

/** Reads `topic` from the beginning with a fresh group until every id in `expected` was seen. */
async function consumeIds(topic: string, expected: readonly string[], timeoutMs = 60_000) {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  const messages: IncomingMessage[] = [];
  const controller = new AbortController();
  const done = new KafkaSubscriber({
    kafka: createKafka({ brokers: brokers(), logger }),
    topic,
    groupId: unique('reader'),
    logger,
    maxWaitTimeMs: 200,
  }).run((batch) => {
    for (const m of batch) {
      const id = m.headers.ce_id ?? '';
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (messages.length < 50) messages.push(m);
    }
    return Promise.resolve();
  }, controller.signal);
  try {
    await waitFor(`${want.size} distinct events on ${topic}`, () => [...want].every((id) => seen.has(id)), {
      timeoutMs,
    });
  } finally {
    controller.abort();
    await done;
  }
  return { seen, messages };
}

/** Wraps a publisher: fails while `failing`, or holds each publish until `gate` resolves. */
class ControlledPublisher implements EventPublisher {
  failing = false;
  gate: Promise<void> | undefined;
  entered = 0;
  constructor(private readonly inner: EventPublisher) {}
  async publish(topic: string, messages: readonly OutgoingMessage[]) {
    this.entered++;
    if (this.failing) throw new Error('broker unavailable (injected by the test)');
    if (this.gate) await this.gate;
    await this.inner.publish(topic, messages);
  }
  ensureTopic(topic: string, partitions: number) {
    return this.inner.ensureTopic(topic, partitions);
  }
  close() {
    return Promise.resolve();
  }
}

async function newTopic(): Promise<string> {
  const topic = unique('outbox');
  await kafkaPublisher.ensureTopic(topic, 6);
  return topic;
}

/** Marks everything already in the outbox as published, so each test sees only its own rows. */
async function clearBacklog() {
  await db.pool.query(`UPDATE ingestion.order_events SET published_at = now() WHERE published_at IS NULL`);
}

describe('outbox relay', () => {
  it('marks rows published only after the broker acknowledged them', async () => {
    await clearBacklog();
    const topic = await newTopic();
    const ids = await insertOutbox(20);
    const publisher = new ControlledPublisher(kafkaPublisher);
    let release!: () => void;
    publisher.gate = new Promise((r) => (release = r));
    const relay = new Relay({ pool: db.pool, publisher, topic, logger, batchSize: 100 });
    const drained = relay.drainOnce();
    await waitFor('the publish to start', () => publisher.entered > 0);
    // In flight: nothing is marked, and the rows are locked against other relays.
    expect(await counts(ids)).toMatchObject({ published: 0, unpublished: 20 });
    const { rows } = await db.pool.query(
      `SELECT id FROM ingestion.order_events WHERE published_at IS NULL FOR UPDATE SKIP LOCKED`,
    );
    expect(rows).toHaveLength(0);
    release();
    expect(await drained).toBe(20);
    expect(await counts(ids)).toEqual({ published: 20, unpublished: 0, attempts: 20 });

    const { seen, messages } = await consumeIds(topic, ids);
    expect(seen.size).toBe(20);
    const m = messages[0];
    expect(m?.key).toMatch(/^m\d$/);
    expect(JSON.parse(m?.value?.toString() ?? '')).toMatchObject({ merchantId: m?.key });
    expect(m?.headers).toMatchObject({
      ce_type: 'order.created',
      ce_specversion: '1.0',
      ce_source: '/catcast/ingest',
      catcast_schemaversion: '1',
      'content-type': 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(m?.headers.ce_subject).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(m?.headers.ce_time ?? '').getTime()).not.toBeNaN();
  });

  it('keeps rows with attempts and last_error while publishing fails, and drains them once it works', async () => {
    await clearBacklog();
    const topic = await newTopic();
    const ids = await insertOutbox(30);
    const publisher = new ControlledPublisher(kafkaPublisher);
    publisher.failing = true;
    const relay = new Relay({
      pool: db.pool,
      publisher,
      topic,
      logger,
      batchSize: 1000,
      initialBackoffMs: 10,
      maxBackoffMs: 50,
    });
    await expect(relay.drainOnce()).rejects.toBeInstanceOf(RelayPublishError);
    const controller = new AbortController();
    const running = relay.run(controller.signal);
    await waitFor('several failed attempts', () => publisher.entered >= 4);
    const { rows } = await db.pool.query<{ attempts: number; last_error: string | null }>(
      `SELECT attempts, last_error FROM ingestion.order_events WHERE id = ANY ($1::uuid[])`,
      [ids],
    );
    expect(rows.every((r) => r.attempts >= 2 && /broker unavailable/.test(r.last_error ?? ''))).toBe(true);
    expect(await counts(ids)).toMatchObject({ published: 0, unpublished: 30 });

    publisher.failing = false;
    await waitFor('the backlog to drain', async () => (await counts(ids)).unpublished === 0);
    controller.abort();
    await running;
    const { seen } = await consumeIds(topic, ids);
    expect(seen.size).toBe(30);
  });

  it('keeps rows when the real Kafka client cannot reach any broker', async () => {
    await clearBacklog();
    const ids = await insertOutbox(5);
    const unreachable = new KafkaPublisher({
      kafka: createKafka({
        brokers: ['127.0.0.1:1'],
        logger,
        connectionTimeoutMs: 200,
        retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      }),
      logger,
      retries: 1,
    });
    try {
      const relay = new Relay({ pool: db.pool, publisher: unreachable, topic: 'order-events', logger });
      await expect(relay.drainOnce()).rejects.toThrow(/cannot publish 5 outbox rows/);
      expect(await counts(ids)).toEqual({ published: 0, unpublished: 5, attempts: 5 });
    } finally {
      await unreachable.close();
    }
  });

  it('two relays on one outbox publish every event at least once and lose none', async () => {
    await clearBacklog();
    const topic = await newTopic();
    const ids = await insertOutbox(5_000);
    const pools: Pool[] = [
      createPool({ connectionString: db.url }),
      createPool({ connectionString: db.url }),
    ];
    const controller = new AbortController();
    const published = [0, 0];
    const relays = pools.map((pool, i) => {
      const publisher = new ControlledPublisher(kafkaPublisher);
      const relay = new Relay({ pool, publisher, topic, logger, batchSize: 100, pollIntervalMs: 50 });
      const origin = relay.drainOnce.bind(relay);
      relay.drainOnce = async () => {
        const n = await origin();
        published[i] = (published[i] ?? 0) + n;
        return n;
      };
      return relay.run(controller.signal);
    });
    try {
      await waitFor('all 5000 rows published', async () => (await counts(ids)).unpublished === 0, {
        timeoutMs: 120_000,
      });
    } finally {
      controller.abort();
      await Promise.all(relays);
      await Promise.all(pools.map((p) => p.end()));
    }
    // Both took part (SKIP LOCKED let them work side by side) and no row was published twice by them.
    expect(published[0]).toBeGreaterThan(0);
    expect(published[1]).toBeGreaterThan(0);
    expect((published[0] ?? 0) + (published[1] ?? 0)).toBe(5_000);
    const { seen } = await consumeIds(topic, ids, 120_000);
    expect(seen.size).toBe(5_000);
  });

  it('relays through the embedded bus and marks rows only after the in-process handler resolved', async () => {
    await clearBacklog();
    const ids = await insertOutbox(40);
    const bus = new EmbeddedBus({ publishTimeoutMs: 200, maxBatchSize: 7 });
    const relay = new Relay({ pool: db.pool, publisher: bus, topic: 'order-events', logger, batchSize: 25 });
    // Nobody subscribed yet: publish times out, rows stay.
    await expect(relay.drainOnce()).rejects.toBeInstanceOf(RelayPublishError);
    expect((await counts(ids)).published).toBe(0);

    const received = new Set<string>();
    const controller = new AbortController();
    const consuming = bus.subscriber('order-events').run((batch) => {
      for (const m of batch) received.add(m.headers.ce_id ?? '');
      return Promise.resolve();
    }, controller.signal);
    const relaying = relay.run(controller.signal);
    await waitFor('all 40 rows published', async () => (await counts(ids)).unpublished === 0);
    expect(ids.every((id) => received.has(id))).toBe(true);
    controller.abort();
    await Promise.all([consuming, relaying]);
  });

  it('wakes on NOTIFY without waiting for the poll interval, and serves /ready and /metrics', async () => {
    await clearBacklog();
    const topic = await newTopic();
    const config = parseRelayConfig({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers().join(','),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      PORT: '0',
      HOST: '127.0.0.1',
      // Far longer than the wait below: only the NOTIFY can explain a prompt publish.
      RELAY_POLL_INTERVAL_MS: '600000',
    });
    const registry = createRegistry('relay-test');
    const controller = new AbortController();
    let port = 0;
    const running = run(config, controller.signal, {
      pool: db.pool,
      publisher: kafkaPublisher,
      logger,
      registry,
      readiness: { kafka: () => kafkaPublisher.ping() },
      onListening: (p) => (port = p),
    });
    try {
      await waitFor('the ops server', () => port > 0);
      await waitFor('ready', async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as {
        checks: Record<string, { ok: boolean }>;
      };
      expect(ready.checks).toMatchObject({ database: { ok: true }, kafka: { ok: true } });
      // Give the relay its first (empty) pass and the LISTEN connection time to be established.
      await waitFor('LISTEN', async () => {
        const { rows } = await db.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'catcast-relay-listen' AND datname = $1`,
          [db.name],
        );
        return rows.length > 0;
      });
      await new Promise((r) => setTimeout(r, 300));

      const ids = await insertOutbox(3);
      await db.pool.query(`SELECT pg_notify('catcast_outbox', '')`);
      await waitFor('the NOTIFY-woken relay to publish', async () => (await counts(ids)).unpublished === 0, {
        timeoutMs: 15_000,
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/catcast_outbox_backlog\{[^}]*\} 0/);
      expect(metrics).toMatch(/catcast_relay_published_total\{[^}]*\} 3/);
      expect(metrics).toContain('catcast_outbox_oldest_age_seconds');
      expect(metrics).toContain('catcast_relay_publish_duration_seconds_bucket');
    } finally {
      controller.abort();
      await running;
    }
  });

  it('reading ahead keeps batches in order: the next batch goes out only after the previous one committed, and after a failure the failed batch goes out again first', async () => {
    await clearBacklog();
    const topic = await newTopic();
    const ids = await insertOutbox(40);
    const calls: { ids: string[]; publishedBefore: number }[] = [];
    const publisher: EventPublisher = {
      publish: async (t, messages) => {
        const n = calls.push({ ids: messages.map((m) => m.headers.ce_id ?? ''), publishedBefore: -1 });
        // The second batch fails at once: the batch read ahead then tends to lock its rows right
        // after the rollback, which must not block recording the failure.
        if (n === 2) throw new Error('broker unavailable (injected by the test)');
        calls[n - 1]!.publishedBefore = (await counts(ids)).published;
        await kafkaPublisher.publish(t, messages);
      },
      ensureTopic: (t, n) => kafkaPublisher.ensureTopic(t, n),
      close: () => Promise.resolve(),
    };
    const relay = new Relay({
      pool: db.pool,
      publisher,
      topic,
      logger,
      batchSize: 10,
      initialBackoffMs: 10,
      maxBackoffMs: 20,
    });
    const controller = new AbortController();
    const running = relay.run(controller.signal);
    try {
      await waitFor('all 40 rows published', async () => (await counts(ids)).unpublished === 0);
    } finally {
      controller.abort();
      await running;
    }
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT id FROM ingestion.order_events WHERE id = ANY ($1::uuid[]) ORDER BY created_at, id`,
      [ids],
    );
    const inOrder = rows.map((r) => r.id);
    const batch = (k: number) => inOrder.slice(k * 10, k * 10 + 10).sort();
    // Publish calls: batch 1, batch 2 (fails), batch 2 again, batch 3, batch 4.
    expect(calls.map((c) => [...c.ids].sort())).toEqual([batch(0), batch(1), batch(1), batch(2), batch(3)]);
    // Each publish started only after every earlier batch was committed as published.
    expect(calls.map((c) => c.publishedBefore)).toEqual([0, -1, 10, 20, 30]);
    // Nothing is left locked: the batch read ahead during the failure was rolled back.
    const locked = await db.pool.query(
      `SELECT id FROM ingestion.order_events WHERE published_at IS NULL FOR UPDATE SKIP LOCKED`,
    );
    expect(locked.rows).toHaveLength(0);
  });

  it('lingers after a wake-up so a trickle of commits goes out as one batch; without lingering each wake-up publishes', async () => {
    const trickle = async (lingerMs: number) => {
      await clearBacklog();
      const topic = await newTopic();
      const batches: number[] = [];
      const publisher: EventPublisher = {
        publish: async (t, messages) => {
          batches.push(messages.length);
          await kafkaPublisher.publish(t, messages);
        },
        ensureTopic: (t, n) => kafkaPublisher.ensureTopic(t, n),
        close: () => Promise.resolve(),
      };
      // The poll interval is far longer than the test: only the wake-ups start batches.
      const relay = new Relay({ pool: db.pool, publisher, topic, logger, lingerMs, pollIntervalMs: 600_000 });
      const controller = new AbortController();
      const running = relay.run(controller.signal);
      const ids: string[] = [];
      try {
        // Gives the relay's first pass (nothing to publish) time to end; if it has not, it takes the
        // first row alone, which the assertions below allow.
        await new Promise((r) => setTimeout(r, 200));
        // Five commits 250 ms apart, each announced as ingest announces it.
        for (let k = 0; k < 5; k++) {
          ids.push(...(await insertOutbox(1)));
          relay.wake();
          await new Promise((r) => setTimeout(r, 250));
        }
        await waitFor('all five rows published', async () => (await counts(ids)).unpublished === 0, {
          timeoutMs: lingerMs + 15_000,
        });
      } finally {
        controller.abort();
        await running;
      }
      return batches;
    };
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // 5 rows within ~1 s, a linger of 5 s: the first wake-up waits for all of them (at most the first
    // row goes out alone, if the relay's first pass was still running when it was committed).
    const lingered = await trickle(5_000);
    expect(sum(lingered)).toBe(5);
    expect(lingered.length).toBeLessThanOrEqual(2);
    expect(lingered.at(-1)).toBeGreaterThanOrEqual(4);
    // No linger: each wake-up publishes what is there, long before the last row exists.
    const eager = await trickle(0);
    expect(sum(eager)).toBe(5);
    expect(eager.length).toBeGreaterThanOrEqual(3);
  });

  it('retention deletes only published rows older than the retention period', async () => {
    await clearBacklog();
    await db.pool.query(`DELETE FROM ingestion.order_events`);
    const oldPublished = await insertOutbox(5, { createdAgo: '100 hours', publishedAgo: '99 hours' });
    const recentPublished = await insertOutbox(3, { createdAgo: '2 hours', publishedAgo: '1 hour' });
    const oldUnpublished = await insertOutbox(2, { createdAgo: '100 hours' });
    expect(await deletePublishedOutboxRows(db.pool, 72, { batch: 2 })).toBe(5);
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM ingestion.order_events`);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([...recentPublished, ...oldUnpublished]));
    expect(oldPublished.length).toBe(5);
  });
});

describe('relay process (cmd/relay)', () => {
  function startRelay(topic: string): { child: ChildProcess; exited: Promise<number | null>; log: string[] } {
    const log: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/relay/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers().join(','),
        KAFKA_TOPIC: topic,
        KAFKA_DLQ_TOPIC: `${topic}.dlq`,
        PORT: '0',
        HOST: '127.0.0.1',
        RELAY_BATCH_SIZE: '200',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, log };
  }

  it('loses nothing when SIGKILLed mid-drain and restarted', async () => {
    await clearBacklog();
    const topic = unique('crash');
    const ids = await insertOutbox(20_000);
    const first = startRelay(topic);
    let publishedAtKill = 0;
    try {
      await waitFor(
        'the relay to be mid-drain',
        async () => {
          const c = await counts(ids);
          return c.published >= 2_000 ? c : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;
    publishedAtKill = (await counts(ids)).published;
    expect(publishedAtKill, 'the kill must land before the drain finished').toBeLessThan(20_000);

    const second = startRelay(topic);
    try {
      await waitFor('the backlog to drain after restart', async () => (await counts(ids)).unpublished === 0, {
        timeoutMs: 120_000,
      });
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
    const { seen } = await consumeIds(topic, ids, 120_000);
    expect(seen.size).toBe(20_000);
  });

  it('finishes its batch and exits 0 on SIGTERM', async () => {
    await clearBacklog();
    const topic = unique('term');
    const ids = await insertOutbox(5_000);
    const relay = startRelay(topic);
    try {
      await waitFor('the relay to be publishing', async () => (await counts(ids)).published > 0, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
    } finally {
      relay.child.kill('SIGTERM');
    }
    expect(await relay.exited, relay.log.join('')).toBe(0);
    expect(relay.log.join('')).toContain('relay stopped');
    // Whatever it marked, it published: every published row is on the topic.
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT id FROM ingestion.order_events WHERE id = ANY ($1::uuid[]) AND published_at IS NOT NULL`,
      [ids],
    );
    const { seen } = await consumeIds(
      topic,
      rows.map((r) => r.id),
    );
    expect(seen.size).toBeGreaterThanOrEqual(rows.length);
  });

  it('exits with code 2 and names the variable when the configuration is bad', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/relay/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, KAFKA_BROKERS: 'x:1', RELAY_BATCH_SIZE: 'lots' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('RELAY_BATCH_SIZE');
  });
});
