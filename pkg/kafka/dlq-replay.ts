import type { Kafka } from 'kafkajs';
import { HEADERS, type EventPublisher, type IncomingMessage, type OutgoingMessage } from '../events/index.js';
import { toIncomingMessage } from './subscriber.js';
import type { Logger } from '../log/index.js';

/** Headers the aggregator adds when it dead-letters a message; a replay removes them again. */
export const DLQ_HEADERS: readonly string[] = [
  HEADERS.dlqReason,
  HEADERS.dlqSourceTopic,
  HEADERS.dlqSourcePartition,
  HEADERS.dlqSourceOffset,
];

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  readonly kafka: Kafka;
  /** Where replayed messages go (the aggregator consumes it). */
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** The dead-letter topic to read. */
  readonly dlqTopic: string;
  /** The topic to re-publish to. */
  readonly targetTopic: string;
  /** Consumer group of the replay; its committed offsets remember what was already replayed. */
  readonly groupId: string;
  /** Replay at most this many messages. @default no limit */
  readonly max?: number;
  /** Read and report, but publish nothing and commit nothing. @default false */
  readonly dryRun?: boolean;
  /** Called for each message replayed (or that would be, in a dry run). */
  readonly onMessage?: (m: ReplayedMessage) => void;
  /** Give up waiting for the consumer group after this long. @default 60000 */
  readonly timeoutMs?: number;
}

/** One dead-lettered message and what the replay did with it. */
export interface ReplayedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly reason: string;
  readonly eventId: string | undefined;
}

/** What {@link replayDeadLetters} did. */
export interface ReplayResult {
  /** Messages re-published (or that would be, in a dry run). */
  readonly replayed: number;
  /** Count per dead-letter reason, reasons cut at the first colon so that similar ones group. */
  readonly byReason: Readonly<Record<string, number>>;
  /** Messages of the DLQ at the start that were not replayed (the --max cut). */
  readonly remaining: number;
  readonly dryRun: boolean;
}

/** The original message of a dead-letter copy: same key, value and headers, minus the DLQ headers. */
export function originalOf(m: IncomingMessage): OutgoingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers))
    if (!DLQ_HEADERS.includes(name)) headers[name] = value;
  return { key: m.key ?? '', value: m.value ?? Buffer.alloc(0), headers };
}

function reasonGroup(reason: string): string {
  const cut = reason.search(/[:\d]/);
  return (cut > 0 ? reason.slice(0, cut) : reason).trim() || 'unknown';
}

/**
 * Replays the dead-letter topic: reads it from the replay group's committed offsets (from the
 * beginning the first time) up to the end offsets seen at the start, re-publishes each message's
 * original key, value and headers to `targetTopic`, and commits after each acknowledged batch. The
 * end is fixed at the start, so messages dead-lettered again during the replay wait for the next one;
 * the aggregator deduplicates by event id, so replaying an event twice cannot count it twice.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { kafka, publisher, logger, dlqTopic, targetTopic, groupId, dryRun = false } = options;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const admin = kafka.admin();
  await admin.connect();
  let end: Map<number, bigint>;
  let start: Map<number, bigint>;
  try {
    const topicOffsets = await admin.fetchTopicOffsets(dlqTopic);
    end = new Map(topicOffsets.map((p) => [p.partition, BigInt(p.high)]));
    const low = new Map(topicOffsets.map((p) => [p.partition, BigInt(p.low)]));
    const committed = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
    start = new Map(
      (committed[0]?.partitions ?? []).map((p) => {
        const c = BigInt(p.offset);
        const floor = low.get(p.partition) ?? 0n;
        return [p.partition, c < floor ? floor : c];
      }),
    );
  } finally {
    await admin.disconnect();
  }
  const pending = (partition: number) => (end.get(partition) ?? 0n) - (start.get(partition) ?? 0n);
  let total = 0n;
  for (const p of end.keys()) total += pending(p) > 0n ? pending(p) : 0n;
  const byReason: Record<string, number> = {};
  if (total === 0n || max <= 0) return { replayed: 0, byReason, remaining: Number(total), dryRun };

  const done = new Set<number>();
  for (const p of end.keys()) if (pending(p) <= 0n) done.add(p);
  let replayed = 0;
  let finish: () => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  const timer = setTimeout(
    () => fail(new Error(`dlq replay: no progress within ${options.timeoutMs ?? 60_000} ms`)),
    options.timeoutMs ?? 60_000,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        // kafkajs passes these as plain closures, so calling them detached is safe.
        /* eslint-disable @typescript-eslint/unbound-method */
        const { batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning } = payload;
        /* eslint-enable @typescript-eslint/unbound-method */
        const partition = batch.partition;
        const limit = end.get(partition) ?? 0n;
        const out: OutgoingMessage[] = [];
        let last: string | undefined;
        for (const km of batch.messages) {
          if (!isRunning() || replayed + out.length >= max || BigInt(km.offset) >= limit) break;
          const m = toIncomingMessage(batch.topic, partition, km);
          const reason = m.headers[HEADERS.dlqReason] ?? 'unknown';
          byReason[reasonGroup(reason)] = (byReason[reasonGroup(reason)] ?? 0) + 1;
          options.onMessage?.({
            partition,
            offset: m.offset,
            key: m.key,
            reason,
            eventId: m.headers[HEADERS.id],
          });
          out.push(originalOf(m));
          last = km.offset;
        }
        if (last !== undefined) {
          // Publish first, commit after the acknowledgement: a crash in between replays again (deduplicated).
          if (!dryRun) await publisher.publish(targetTopic, out);
          // Resolved even in a dry run, so the consumer moves on; only a real replay commits.
          resolveOffset(last);
          if (!dryRun)
            await commitOffsetsIfNecessary({
              topics: [
                { topic: dlqTopic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] },
              ],
            });
        }
        replayed += out.length;
        timer.refresh();
        await heartbeat();
        const position = last === undefined ? (start.get(partition) ?? 0n) : BigInt(last) + 1n;
        if (
          position >= limit ||
          (last === undefined && batch.messages.some((m) => BigInt(m.offset) >= limit))
        )
          done.add(partition);
        if (replayed >= max || [...end.keys()].every((p) => done.has(p))) finish();
      },
    });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer
      .disconnect()
      .catch((err: unknown) => logger.warn({ err }, 'cannot disconnect the replay consumer'));
  }
  return { replayed, byReason, remaining: Number(total) - replayed, dryRun };
}
