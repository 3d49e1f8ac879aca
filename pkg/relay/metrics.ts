import { Counter, Histogram, type Registry } from '../metrics/index.js';
import type { Queryable } from '../db/index.js';
import { registerOutboxBacklogMetrics } from '../outbox/index.js';

/** The relay's Prometheus instruments. */
export interface RelayMetrics {
  readonly published: Counter;
  readonly publishErrors: Counter;
  readonly batchSize: Histogram;
  readonly publishDuration: Histogram;
  readonly deleted: Counter;
}

/** Registers the relay metrics (publishing plus the outbox backlog gauges) on `registry`. */
export function relayMetrics(registry: Registry, db: Queryable): RelayMetrics {
  registerOutboxBacklogMetrics(registry, db);
  return {
    published: new Counter({
      name: 'catcast_relay_published_total',
      help: 'Outbox events published and acknowledged by the bus',
      registers: [registry],
    }),
    publishErrors: new Counter({
      name: 'catcast_relay_publish_errors_total',
      help: 'Failed publish attempts (each failed batch counts once)',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'catcast_relay_batch_size',
      help: 'Outbox rows per relay batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    publishDuration: new Histogram({
      name: 'catcast_relay_publish_duration_seconds',
      help: 'Time from sending a batch to the bus acknowledging it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    deleted: new Counter({
      name: 'catcast_outbox_deleted_total',
      help: 'Published outbox rows deleted by the retention sweep',
      registers: [registry],
    }),
  };
}
