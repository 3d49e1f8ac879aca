import type { Queryable } from '../db/index.js';
import { Gauge, type Registry } from '../metrics/index.js';
import { OUTBOX_TABLE } from './table.js';

const BACKLOG_SQL = `
SELECT count(*)::int AS backlog,
       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
  FROM ${OUTBOX_TABLE} WHERE published_at IS NULL`;

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
