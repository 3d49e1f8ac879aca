import type { Pool } from '../db/index.js';
import { abortableSleep, backoffDelay } from '../bus/index.js';
import type { EventPublisher } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { traceOutboxBatch, type OutboxBatchTrace } from '../telemetry/index.js';
import { toOutgoingMessage, type OutboxRow } from './message.js';
import type { RelayMetrics } from './metrics.js';
import { Wakeup } from './wakeup.js';

/** Options of {@link Relay}. */
export interface RelayOptions {
  readonly pool: Pool;
  readonly publisher: EventPublisher;
  /** Destination topic. */
  readonly topic: string;
  readonly logger: Logger;
  readonly metrics?: RelayMetrics;
  /** Rows per transaction. @default 500 */
  readonly batchSize?: number;
  /** Fallback poll interval when nothing wakes the relay, ms. @default 1000 */
  readonly pollIntervalMs?: number;
  /** First and maximum delay after a failed batch, ms. @default 100 / 30000 */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

// SKIP LOCKED: concurrent relays take disjoint batches instead of waiting on each other's rows.
// payload::text hands the JSON through unchanged (no parse + stringify per row).
const SELECT_BATCH = `
SELECT id, order_id, merchant_id, event_type, schema_version, partition_key, payload::text AS payload,
       traceparent, created_at
  FROM ingestion.order_events
 WHERE published_at IS NULL
 ORDER BY created_at
 LIMIT $1
   FOR UPDATE SKIP LOCKED`;

const MARK_PUBLISHED = `
UPDATE ingestion.order_events SET published_at = now(), attempts = attempts + 1
 WHERE id = ANY ($1::uuid[])`;

const RECORD_FAILURE = `
UPDATE ingestion.order_events SET attempts = attempts + 1, last_error = $2
 WHERE id = ANY ($1::uuid[]) AND published_at IS NULL`;

/** Raised when a batch could not be published; its rows stay unpublished. */
export class RelayPublishError extends Error {
  constructor(
    message: string,
    readonly rows: number,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'RelayPublishError';
  }
}

/**
 * The transactional-outbox relay: locks a batch of unpublished rows, publishes them, and marks them
 * published in the same transaction only after the bus acknowledged them. A crash anywhere before the
 * COMMIT leaves the rows unpublished (to be published again: at-least-once, deduplicated downstream).
 */
export class Relay {
  readonly #o: Required<Omit<RelayOptions, 'metrics'>> & { metrics?: RelayMetrics };
  readonly #wakeup = new Wakeup();

  constructor(options: RelayOptions) {
    this.#o = {
      batchSize: 500,
      pollIntervalMs: 1000,
      initialBackoffMs: 100,
      maxBackoffMs: 30_000,
      ...options,
      logger: options.logger.child({ component: 'relay' }),
    };
    if (this.#o.batchSize < 1) throw new RangeError(`batchSize must be >= 1, got ${this.#o.batchSize}`);
  }

  /** Makes a waiting relay look for rows now (called on NOTIFY). */
  wake(): void {
    this.#wakeup.wake();
  }

  /**
   * Publishes at most one batch; resolves with the number of rows published (0 when none were
   * waiting). On a publish failure the transaction is rolled back, attempts/last_error are recorded in
   * a separate short transaction, and a {@link RelayPublishError} is thrown.
   */
  async drainOnce(): Promise<number> {
    const { pool, publisher, topic, batchSize, metrics } = this.#o;
    const client = await pool.connect();
    let broken = false;
    let open = false;
    let rows: OutboxRow[] = [];
    let traced: OutboxBatchTrace | undefined;
    try {
      await client.query('BEGIN');
      open = true;
      // The mark may be lost in a database crash (asynchronous commit): the rows are then published
      // again, which the aggregator deduplicates; what must never happen, marking before the ack,
      // cannot. Skipping the WAL flush wait takes one disk round trip out of every batch.
      await client.query('SET LOCAL synchronous_commit = off');
      rows = (await client.query<OutboxRow>(SELECT_BATCH, [batchSize])).rows;
      if (rows.length === 0) {
        await client.query('COMMIT');
        open = false;
        return 0;
      }
      const ids = rows.map((r) => r.id);
      // Each event continues the trace of the request that wrote it (the row's traceparent).
      const trace = (traced = traceOutboxBatch(topic, rows));
      const started = performance.now();
      try {
        await trace.run(() => publisher.publish(topic, trace.inject(rows.map(toOutgoingMessage))));
      } catch (err) {
        trace.end(err);
        await client.query('ROLLBACK');
        open = false;
        metrics?.publishErrors.inc();
        await this.#recordFailure(ids, err);
        throw new RelayPublishError(
          `cannot publish ${rows.length} outbox rows to ${topic}: ${(err as Error).message}`,
          rows.length,
          { cause: err },
        );
      }
      metrics?.publishDuration.observe((performance.now() - started) / 1000);
      // Only now, after the acknowledgement, do the rows become "published".
      await trace.run(() => client.query(MARK_PUBLISHED, [ids]));
      await client.query('COMMIT');
      open = false;
      trace.end();
      metrics?.published.inc(rows.length);
      metrics?.batchSize.observe(rows.length);
      return rows.length;
    } catch (err) {
      traced?.end(err);
      if (open) {
        // The rows were (maybe) published but not marked: they will be published again. Duplicates are
        // deduplicated by the aggregator; losing them is what must never happen.
        await client.query('ROLLBACK').catch(() => (broken = true));
      }
      if (!(err instanceof RelayPublishError)) broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async #recordFailure(ids: readonly string[], err: unknown): Promise<void> {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    try {
      await this.#o.pool.query(RECORD_FAILURE, [ids, message]);
    } catch (recordErr) {
      // Bookkeeping only: the rows are still unpublished, which is what matters.
      this.#o.logger.warn({ err: recordErr }, 'cannot record the publish failure on the outbox rows');
    }
  }

  /**
   * Publishes until `signal` aborts: re-loops at once while batches come back full, otherwise waits for
   * a wake-up (NOTIFY) or the poll interval; backs off exponentially (capped, jittered) after failures.
   * On abort the batch in progress is finished (committed or rolled back) before returning.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { batchSize, pollIntervalMs, initialBackoffMs, maxBackoffMs, logger } = this.#o;
    let failures = 0;
    while (!signal.aborted) {
      let published: number;
      try {
        published = await this.drainOnce();
      } catch (err) {
        failures++;
        const delay = backoffDelay(failures, initialBackoffMs, maxBackoffMs);
        // First failure at warn, repeats at debug: an outage must not flood the log.
        const level = failures === 1 || failures % 20 === 0 ? 'warn' : 'debug';
        logger[level]({ err, failures, retryInMs: delay }, 'relay batch failed; rows kept for retry');
        await abortableSleep(delay, signal);
        continue;
      }
      if (failures > 0) logger.info({ afterFailures: failures }, 'relay publishing again');
      failures = 0;
      if (published < batchSize) await this.#wakeup.wait(pollIntervalMs, signal);
    }
  }
}
