import { Counter, Gauge, Histogram, type Registry } from '../metrics/index.js';

/** Source of "now"; injected so tests control time. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Prometheus instruments of the aggregator. */
export interface AggregationMetrics {
  readonly eventsApplied: Counter;
  readonly eventsDuplicate: Counter;
  readonly dlqMessages: Counter<'reason'>;
  readonly batchSeconds: Histogram;
  readonly consumerLag: Gauge<'partition' | 'consumer_group' | 'topic'>;
  /** Records that events up to `createdAt` are applied (feeds the freshness gauge). */
  noteApplied(createdAt: Date): void;
  /** Replaces the per-partition lag gauge values (plus partition="total"). */
  setLag(lags: ReadonlyArray<{ readonly partition: number; readonly lag: number }>): void;
}

/** The consumer group and topic the lag gauge is about (its consumer_group and topic labels). */
export interface LagSeriesLabels {
  readonly consumerGroup: string;
  readonly topic: string;
}

/**
 * Registers the aggregator's metrics on `registry`. With `lagSeries`, the lag gauge carries
 * consumer_group and topic labels, the ones the lag HPA's External metric selects on.
 */
export function createAggregationMetrics(
  registry: Registry,
  clock: Clock,
  lagSeries?: LagSeriesLabels,
): AggregationMetrics {
  let newestApplied: Date | undefined;
  const seriesLabels = lagSeries ? { consumer_group: lagSeries.consumerGroup, topic: lagSeries.topic } : {};
  const consumerLag = new Gauge({
    name: 'catcast_consumer_lag',
    help: 'Messages of order-events not yet committed by the aggregator consumer group, per partition and "total"',
    labelNames: ['partition', 'consumer_group', 'topic'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'catcast_aggregation_freshness_seconds',
    help: 'Seconds between now and the creation time of the newest applied event (grows while nothing is applied)',
    registers: [registry],
    collect() {
      if (newestApplied) this.set(Math.max(0, (clock.now().getTime() - newestApplied.getTime()) / 1000));
    },
  });
  return {
    eventsApplied: new Counter({
      name: 'catcast_events_applied_total',
      help: 'Order events applied to the aggregates for the first time',
      registers: [registry],
    }),
    eventsDuplicate: new Counter({
      name: 'catcast_events_duplicate_total',
      help: 'Order events skipped because they were already applied (redeliveries)',
      registers: [registry],
    }),
    dlqMessages: new Counter({
      name: 'catcast_dlq_messages_total',
      help: 'Messages sent to the dead-letter topic, by reason kind',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'catcast_aggregation_batch_seconds',
      help: 'Time to apply one consumer batch (decode, transaction, DLQ)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    consumerLag,
    noteApplied(createdAt) {
      if (!newestApplied || createdAt > newestApplied) newestApplied = createdAt;
    },
    setLag(lags) {
      consumerLag.reset();
      let total = 0;
      for (const { partition, lag } of lags) {
        consumerLag.set({ partition: String(partition), ...seriesLabels }, lag);
        total += lag;
      }
      consumerLag.set({ partition: 'total', ...seriesLabels }, total);
    },
  };
}
