import type { QueryResult } from 'pg';
import type { Pool, PoolClient } from '../db/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';
import type { EventPublisher, OutgoingMessage } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { traceOutboxBatch, type OutboxBatchTrace } from '../telemetry/index.js';
import { toOutgoingMessage, type OutboxRow } from '../outbox/index.js';
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
  /**
   * After a batch that was not full, how long a wake-up waits before the next batch is read, ms: the
   * rows committed meanwhile go out in the same transaction and produce request instead of one batch
   * per wake-up. Full batches never wait. @default 0
   */
  readonly lingerMs?: number;
  /** First and maximum delay after a failed batch, ms. @default 100 / 30000 */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

// SKIP LOCKED: concurrent relays take disjoint batches instead of waiting on each other's rows.
// payload::text hands the JSON through unchanged (no parse + stringify per row).
// One simple-protocol round trip opens the transaction and locks the batch (the limit is a validated
// integer). The mark may be lost in a database crash (asynchronous commit): the rows are then
// published again, which the aggregator deduplicates; what must never happen, marking before the
// ack, cannot. Skipping the WAL flush wait takes one disk round trip out of every batch.
const lockBatchSql = (limit: number) => `
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT id, order_id, merchant_id, event_type, schema_version, partition_key, payload::text AS payload,
       traceparent, created_at
  FROM ingestion.order_events
 WHERE published_at IS NULL
 ORDER BY created_at
 LIMIT ${limit}
   FOR UPDATE SKIP LOCKED`;

// The ids are uuid column values as Postgres prints them; checked against this before they are
// written into the statement (anything else takes the parameterised statement).
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Marks and commits in one simple-protocol round trip (the COMMIT is skipped if the UPDATE fails). */
const markAndCommitSql = (ids: readonly string[]) => `
UPDATE ingestion.order_events SET published_at = now(), attempts = attempts + 1
 WHERE id = ANY ('{${ids.join(',')}}'::uuid[]);
COMMIT`;

const MARK_PUBLISHED = `
UPDATE ingestion.order_events SET published_at = now(), attempts = attempts + 1
 WHERE id = ANY ($1::uuid[])`;

const RECORD_FAILURE = `
UPDATE ingestion.order_events SET attempts = attempts + 1, last_error = $2
 WHERE id = ANY ($1::uuid[]) AND published_at IS NULL`;

/** A batch locked in its own open transaction, with its messages built. */
interface LockedBatch {
  readonly client: PoolClient;
  readonly rows: OutboxRow[];
  readonly messages: OutgoingMessage[];
}

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
  /** The batch read ahead while the current one is published (only inside {@link run}). */
  #next: Promise<LockedBatch | undefined> | undefined;
  #pipelining = false;

  constructor(options: RelayOptions) {
    this.#o = {
      batchSize: 500,
      pollIntervalMs: 1000,
      lingerMs: 0,
      initialBackoffMs: 100,
      maxBackoffMs: 30_000,
      ...options,
      logger: options.logger.child({ component: 'relay' }),
    };
    if (!Number.isInteger(this.#o.batchSize) || this.#o.batchSize < 1)
      throw new RangeError(`batchSize must be >= 1, got ${this.#o.batchSize}`);
    if (!(this.#o.lingerMs >= 0)) throw new RangeError(`lingerMs must be >= 0, got ${this.#o.lingerMs}`);
  }

  /** Makes a waiting relay look for rows now (called on NOTIFY). */
  wake(): void {
    this.#wakeup.wake();
  }

  /**
   * Publishes at most one batch; resolves with the number of rows published (0 when none were
   * waiting). On a publish failure the transaction is rolled back, attempts/last_error are recorded in
   * a separate short transaction, and a {@link RelayPublishError} is thrown.
   *
   * Inside {@link run}, a full batch also starts locking and reading the next one (in its own
   * transaction) while it is published, so the SELECT is off the critical path; the next batch is
   * published only after this one is acknowledged and committed, and is rolled back unpublished if
   * this one fails. Batches therefore reach the bus in the same order, one at a time, as without it.
   */
  async drainOnce(): Promise<number> {
    const next = this.#next;
    this.#next = undefined;
    const batch = await (next ?? this.#fetch());
    if (!batch) return 0;
    if (this.#pipelining && batch.rows.length === this.#o.batchSize) {
      const prefetch = this.#fetch();
      // Awaited by the next drainOnce (or discarded); a failure surfaces there, not as unhandled.
      prefetch.catch(() => undefined);
      this.#next = prefetch;
    }
    try {
      return await this.#publishAndMark(batch);
    } catch (err) {
      await this.#discardNext();
      throw err;
    }
  }

  /** Opens a transaction and locks the next batch; undefined (transaction closed) when none waits. */
  async #fetch(): Promise<LockedBatch | undefined> {
    const { pool, batchSize } = this.#o;
    const client = await pool.connect();
    try {
      const results = (await client.query(lockBatchSql(batchSize))) as unknown as QueryResult<OutboxRow>[];
      const rows = results.at(-1)?.rows ?? [];
      if (rows.length === 0) {
        await client.query('COMMIT');
        client.release();
        return undefined;
      }
      return { client, rows, messages: rows.map(toOutgoingMessage) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw err;
    }
  }

  /** Rolls back (unlocks, unpublished) the batch read ahead, if any. */
  async #discardNext(): Promise<void> {
    const next = this.#next;
    this.#next = undefined;
    const batch = await next?.catch(() => undefined);
    if (!batch) return;
    let broken = false;
    await batch.client.query('ROLLBACK').catch(() => (broken = true));
    batch.client.release(broken);
  }

  /** Publishes a locked batch, then marks it published and commits; rolls back on failure. */
  async #publishAndMark({ client, rows, messages }: LockedBatch): Promise<number> {
    const { publisher, topic, metrics } = this.#o;
    let broken = false;
    let open = true;
    let traced: OutboxBatchTrace | undefined;
    try {
      const ids = rows.map((r) => r.id);
      // Each event continues the trace of the request that wrote it (the row's traceparent).
      const trace = (traced = traceOutboxBatch(topic, rows));
      const started = performance.now();
      try {
        await trace.run(() => publisher.publish(topic, trace.inject(messages)));
      } catch (err) {
        trace.end(err);
        await client.query('ROLLBACK');
        open = false;
        metrics?.publishErrors.inc();
        // First unlock the batch read ahead: it may have locked these very rows after the ROLLBACK,
        // and the bookkeeping UPDATE below would wait for it forever.
        await this.#discardNext();
        await this.#recordFailure(ids, err);
        throw new RelayPublishError(
          `cannot publish ${rows.length} outbox rows to ${topic}: ${(err as Error).message}`,
          rows.length,
          { cause: err },
        );
      }
      metrics?.publishDuration.observe((performance.now() - started) / 1000);
      // Only now, after the acknowledgement, do the rows become "published".
      if (ids.every((id) => UUID_TEXT.test(id))) {
        await trace.run(() => client.query(markAndCommitSql(ids)));
      } else {
        await trace.run(() => client.query(MARK_PUBLISHED, [ids]));
        await client.query('COMMIT');
      }
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
   * a wake-up (NOTIFY) or the poll interval, then `lingerMs` more; backs off exponentially (capped, jittered) after failures.
   * On abort the batch in progress is finished (committed or rolled back) before returning.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { batchSize, pollIntervalMs, lingerMs, initialBackoffMs, maxBackoffMs, logger } = this.#o;
    let failures = 0;
    this.#pipelining = true;
    try {
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
        if (published < batchSize) {
          await this.#wakeup.wait(pollIntervalMs, signal);
          // A trickle of orders (one NOTIFY per ingest commit) would otherwise cost a transaction, a
          // produce request and a mark per order; a burst fills the batch and never waits here.
          await abortableSleep(lingerMs, signal);
        }
      }
    } finally {
      this.#pipelining = false;
      // Read ahead but not published: unlock it for the next relay (or this one's next run).
      await this.#discardNext();
    }
  }
}
