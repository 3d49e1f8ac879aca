import type { Queryable } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { abortableSleep } from '../retry/index.js';

/** Options of {@link purgeProcessedEvents} and {@link runRetention}. */
export interface RetentionOptions {
  /**
   * Age after which processed event ids are forgotten. Must exceed the Kafka topic's retention (and
   * any outbox republish window): an event redelivered after its id was purged would count twice.
   */
  readonly retentionDays: number;
  /** Rows deleted per statement, so one purge never holds long locks. @default 10000 */
  readonly batchSize?: number;
}

const PURGE = `
DELETE FROM forecasting.processed_events
 WHERE event_id IN (
   SELECT event_id FROM forecasting.processed_events
    WHERE processed_at < now() - make_interval(days => $1::int)
    LIMIT $2
      FOR UPDATE SKIP LOCKED)`;

/** Deletes processed event ids older than the retention, in batches; returns how many were deleted. */
export async function purgeProcessedEvents(db: Queryable, options: RetentionOptions): Promise<number> {
  const batchSize = options.batchSize ?? 10_000;
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(PURGE, [options.retentionDays, batchSize]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}

/** Runs {@link purgeProcessedEvents} now and then every `intervalMs` until `signal` aborts. */
export async function runRetention(
  db: Queryable,
  options: RetentionOptions & { readonly intervalMs?: number; readonly logger: Logger },
  signal: AbortSignal,
): Promise<void> {
  const intervalMs = options.intervalMs ?? 3_600_000;
  while (!signal.aborted) {
    try {
      const deleted = await purgeProcessedEvents(db, options);
      if (deleted > 0) options.logger.info({ deleted }, 'purged old processed event ids');
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'cannot purge processed event ids; will retry');
    }
    await abortableSleep(intervalMs, signal);
  }
}
