import { Counter, Gauge, Histogram, type Registry } from '../metrics/index.js';
import type { Queryable } from '../db/index.js';

/** The relay's Prometheus instruments. */
export interface RelayMetrics {
  readonly published: Counter;
  readonly publishErrors: Counter;
  readonly batchSize: Histogram;
  readonly publishDuration: Histogram;
  readonly deleted: Counter;
}

const BACKLOG_SQL = `
SELECT count(*)::int AS backlog,
       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
  FROM ingestion.order_events WHERE published_at IS NULL`;

/**
 * Registers catcast_outbox_backlog and catcast_outbox_oldest_age_seconds, which query the outbox
 * (through its partial index of unpublished rows) when scraped, at most once per second. The relay
 * exports them, and so does ingest: a relay that is down cannot report the backlog it leaves.
 *
 * When the query fails (the database is in trouble) both keep their last value rather than dropping
 * to 0, which would silence the backlog alerts exactly then, and catcast_outbox_backlog_query_failed
 * turns 1 (CatcastOutboxBacklogUnknown) until a query succeeds again.
 */
export function registerOutboxBacklogMetrics(registry: Registry, db: Queryable): void {
  let cached: { at: number; value: Promise<void> } | undefined;
  let last = { backlog: 0, oldest: 0 };
  let failed = false;
  const refresh = () => {
    if (!cached || Date.now() - cached.at > 1000) {
      const value = db.query<{ backlog: number; oldest: number }>(BACKLOG_SQL).then(
        (r) => {
          last = r.rows[0] ?? { backlog: 0, oldest: 0 };
          failed = false;
        },
        () => {
          failed = true;
          cached = undefined;
        },
      );
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
  new Gauge({
    name: 'catcast_outbox_backlog',
    help: 'Outbox rows not yet published (the last value read while the query fails)',
    registers: [registry],
    async collect() {
      await refresh();
      this.set(last.backlog);
    },
  });
  new Gauge({
    name: 'catcast_outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox row, 0 when none (the last value read while the query fails)',
    registers: [registry],
    async collect() {
      await refresh();
      this.set(last.oldest);
    },
  });
  new Gauge({
    name: 'catcast_outbox_backlog_query_failed',
    help: '1 when the last outbox backlog query failed (backlog and age then show their last value)',
    registers: [registry],
    async collect() {
      await refresh();
      this.set(failed ? 1 : 0);
    },
  });
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
