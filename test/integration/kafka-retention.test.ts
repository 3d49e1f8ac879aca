// The aggregator checks at start that order-events cannot keep a message longer than processed
// event ids are remembered (docs/reliability.md, "Retention"): against a real broker, with topics
// whose retention the test sets, running the real binary.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka, readTopicRetention, retentionProblem } from '../../pkg/kafka/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const DAY = 86_400_000;
let db: TestDatabase;
let kafka: Kafka;

beforeAll(async () => {
  db = await createTestDatabase('kret');
  kafka = createKafka({ brokers: inject('kafkaBrokers').split(','), logger: silentLogger() });
});
afterAll(async () => db?.drop());

async function createTopic(retentionMs?: number): Promise<string> {
  const topic = `kret-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Not waitForLeaders: kafkajs' own wait can fail on a fresh KRaft topic ("does not host this
    // topic-partition"); the wait below retries until the partition has a leader.
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          ...(retentionMs === undefined
            ? {}
            : { configEntries: [{ name: 'retention.ms', value: String(retentionMs) }] }),
        },
      ],
    });
    await waitFor(
      `a leader for ${topic}`,
      async () => {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
        return (
          meta?.topics[0]?.partitions[0]?.leader !== undefined && meta.topics[0].partitions[0].leader >= 0
        );
      },
      { timeoutMs: 60_000 },
    );
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Runs the aggregator binary on `topic` until it exits or logs `until`; returns its exit code and log. */
async function runAggregator(
  topic: string,
  env: Record<string, string>,
  until?: RegExp,
): Promise<{ code: number | null; log: string }> {
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/aggregator/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_CONSUMER_GROUP: `${topic}-group`,
      KAFKA_TOPIC_PARTITIONS: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'none',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (until) {
    await waitFor(`aggregator log ${until}`, () => until.test(log) || child.exitCode !== null, {
      timeoutMs: 120_000,
    });
    child.kill('SIGTERM');
  }
  const code = await Promise.race([
    exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`aggregator did not exit; log:\n${log}`)), 120_000).unref(),
    ),
  ]);
  return { code, log };
}

describe('Kafka topic retention against the dedupe window', () => {
  it("reads a topic's effective retention: the broker defaults fit the default 14 days", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const defaults = await readTopicRetention(admin, await createTopic());
      expect(defaults).toEqual({ retentionMs: 7 * DAY, segmentMs: 7 * DAY });
      expect(retentionProblem('t', defaults, 14)).toBeNull();
      const long = await readTopicRetention(admin, await createTopic(30 * DAY));
      expect(long.retentionMs).toBe(30 * DAY);
    } finally {
      await admin.disconnect();
    }
  });

  it('the aggregator refuses to consume a topic that keeps messages 30 days with a 14-day window', async () => {
    const topic = await createTopic(30 * DAY);
    const { code, log } = await runAggregator(topic, {});
    expect(code).toBe(1);
    expect(log).toMatch(
      new RegExp(
        `Kafka topic ${topic} can keep a message up to 37\\.00 days .*PROCESSED_EVENTS_RETENTION_DAYS=14`,
      ),
    );
    // Nothing was consumed: the group never joined.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groups).not.toContain(`${topic}-group`);
    } finally {
      await admin.disconnect();
    }
  });

  it('starts on the same topic when the window is raised, or with KAFKA_TOPIC_RETENTION_CHECK=warn', async () => {
    const topic = await createTopic(30 * DAY);
    const raised = await runAggregator(
      topic,
      { PROCESSED_EVENTS_RETENTION_DAYS: '40' },
      /topic retention fits/,
    );
    expect(raised.log).toMatch(/topic retention fits the dedupe window/);
    expect(raised.code).toBe(0);
    const warned = await runAggregator(
      topic,
      { KAFKA_TOPIC_RETENTION_CHECK: 'warn' },
      /"msg":"consumer (started|running)|joined|can keep a message/,
    );
    expect(warned.log).toMatch(/"level":"?(40|warn)"?.*can keep a message up to 37\.00 days/);
    expect(warned.code).toBe(0);
  });
});
