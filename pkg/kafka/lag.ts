import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from '../metrics/index.js';

/** Lag of one partition: messages after the group's committed offset. */
export interface PartitionLag {
  readonly partition: number;
  /** The group's committed offset, or null when it never committed on this partition. */
  readonly committed: string | null;
  /** The log end offset (high watermark). */
  readonly end: string;
  readonly lag: number;
}

/** Lag of a consumer group on one topic. */
export interface ConsumerLag {
  readonly topic: string;
  readonly groupId: string;
  readonly partitions: readonly PartitionLag[];
  readonly total: number;
}

/**
 * Reads a consumer group's lag per partition from the committed offsets in Kafka (the same numbers a
 * lag-based autoscaler sees). A partition without a committed offset counts from its earliest
 * retained message, as a group consuming from the beginning would.
 */
export async function readConsumerLag(admin: Admin, groupId: string, topic: string): Promise<ConsumerLag> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedByPartition = new Map<number, string>();
  for (const p of committed.find((t) => t.topic === topic)?.partitions ?? []) {
    committedByPartition.set(p.partition, p.offset);
  }
  const partitions = ends
    .map(({ partition, high, low }): PartitionLag => {
      const c = committedByPartition.get(partition);
      const hasCommit = c !== undefined && BigInt(c) >= 0n;
      const from = hasCommit ? BigInt(c) : BigInt(low);
      const lag = BigInt(high) - from;
      return {
        partition,
        committed: hasCommit ? c : null,
        end: high,
        lag: Number(lag > 0n ? lag : 0n),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { topic, groupId, partitions, total: partitions.reduce((s, p) => s + p.lag, 0) };
}

/** Reads lag with an admin client it connects on first use; for metrics collectors. */
export class LagReader {
  readonly #admin: Admin;
  #connected: Promise<void> | undefined;

  constructor(admin: Admin) {
    this.#admin = admin;
  }

  /** The current lag of `groupId` on `topic`. */
  async read(groupId: string, topic: string): Promise<ConsumerLag> {
    if (!this.#connected) {
      const connecting = this.#admin.connect();
      this.#connected = connecting;
      connecting.catch(() => {
        if (this.#connected === connecting) this.#connected = undefined;
      });
    }
    await this.#connected;
    return readConsumerLag(this.#admin, groupId, topic);
  }

  /** Disconnects the admin client. */
  async close(): Promise<void> {
    this.#connected = undefined;
    await this.#admin.disconnect();
  }
}

/** Options of {@link registerConsumerLagMetrics}. */
export interface ConsumerLagMetricsOptions {
  /** Reads the group's current lag (e.g. a {@link LagReader} bound to the group and topic). */
  readonly read: () => Promise<ConsumerLag>;
  /** Longest a scrape waits for Kafka, ms. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * Registers catcast_consumer_lag{partition,consumer_group,topic} (plus partition="total"), read from
 * Kafka when scraped.
 * Exported by a process other than the consumer (the relay): a consumer that is stuck, paused or
 * crash-looping cannot report how far behind it is. The series vanish while Kafka cannot be read,
 * rather than showing a stale number.
 */
export function registerConsumerLagMetrics(registry: Registry, options: ConsumerLagMetricsOptions): void {
  const { read, timeoutMs = 2000 } = options;
  new Gauge({
    name: 'catcast_consumer_lag',
    help: 'Messages of order-events not yet committed by the aggregator consumer group, per partition and "total"',
    labelNames: ['partition', 'consumer_group', 'topic'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      let timer: NodeJS.Timeout | undefined;
      const lag = await Promise.race([
        read().catch(() => undefined),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!lag) return;
      const series = { consumer_group: lag.groupId, topic: lag.topic };
      for (const p of lag.partitions) this.set({ partition: String(p.partition), ...series }, p.lag);
      this.set({ partition: 'total', ...series }, lag.total);
    },
  });
}
