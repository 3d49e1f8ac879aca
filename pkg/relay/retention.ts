import { abortableSleep } from '../retry/index.js';
import type { Queryable } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { RelayMetrics } from './metrics.js';

// Small batches keep each DELETE short (locks, WAL bursts); SKIP LOCKED lets replicas sweep together.
const DELETE_OLD = `
DELETE FROM ingestion.order_events
 WHERE id IN (SELECT id FROM ingestion.order_events
               WHERE published_at < now() - make_interval(hours => $1)
               LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Deletes published outbox rows older than `retentionHours`, `batch` rows per statement; returns the count. */
export async function deletePublishedOutboxRows(
  db: Queryable,
  retentionHours: number,
  { batch = 1000, signal }: { batch?: number; signal?: AbortSignal } = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(DELETE_OLD, [retentionHours, batch]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batch || signal?.aborted) return total;
  }
}

/** Options of {@link runRetention}. */
export interface RetentionOptions {
  readonly db: Queryable;
  readonly retentionHours: number;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly metrics?: RelayMetrics;
}

/** Sweeps old published rows now and then every `intervalMs` until `signal` aborts. */
export async function runRetention(options: RetentionOptions, signal: AbortSignal): Promise<void> {
  const { db, retentionHours, intervalMs, metrics } = options;
  const logger = options.logger.child({ component: 'outbox-retention' });
  while (!signal.aborted) {
    try {
      const deleted = await deletePublishedOutboxRows(db, retentionHours, { signal });
      metrics?.deleted.inc(deleted);
      if (deleted > 0) logger.info({ deleted, retentionHours }, 'deleted old published outbox rows');
    } catch (err) {
      logger.warn({ err }, 'outbox retention sweep failed; will retry');
    }
    await abortableSleep(intervalMs, signal);
  }
}
