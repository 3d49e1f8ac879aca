import { withTransaction, isDataError, type Pool, type Queryable } from '../db/index.js';
import {
  changedPeriodKey,
  encodeChanges,
  NOTIFY_CHANGES_SQL,
  type ChangedPeriod,
  type IncomingMessage,
} from '../events/index.js';
import { decodeBatch, foldEvents, type DecodedEvent, type Fold, type RejectedMessage } from './fold.js';

/** What one {@link applyBatch} call did. */
export interface ApplyResult {
  /** Events applied for the first time (now counted in the aggregates). */
  readonly applied: number;
  /** Events skipped because they were already processed (earlier batch or earlier in this batch). */
  readonly duplicates: number;
  /** Messages that cannot be applied, with reasons; the caller sends them to the DLQ. */
  readonly rejected: readonly RejectedMessage[];
  /** Aggregate rows upserted. */
  readonly rowsUpserted: number;
  /** Newest occurredAt among the applied events, if any. */
  readonly newestAppliedEventAt: Date | undefined;
  /** Newest occurredAt per merchant among the applied events. */
  readonly newestPerMerchant: ReadonlyMap<string, Date>;
  /** The (merchant, bucket type, bucket start) periods whose aggregates the batch changed. */
  readonly changedPeriods: readonly ChangedPeriod[];
}

const CATALOG_CHECK = `
SELECT k.merchant_id, k.category_id, (m.id IS NOT NULL) AS merchant_known
  FROM unnest($1::text[], $2::text[]) AS k (merchant_id, category_id)
  LEFT JOIN ingestion.merchants m ON m.id = k.merchant_id
  LEFT JOIN ingestion.categories c ON c.merchant_id = k.merchant_id AND c.id = k.category_id
 WHERE c.id IS NULL`;

// Ids are inserted in sorted order so that two aggregators with overlapping batches lock the same
// index entries in the same order (no deadlock); RETURNING yields only the ids that are new.
const MARK_PROCESSED = `
INSERT INTO forecasting.processed_events (event_id)
SELECT id FROM unnest($1::uuid[]) AS t (id) ORDER BY id
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id`;

// One multi-row upsert, rows sorted by the business key for the same deadlock reason.
const UPSERT_AGGREGATES = `
INSERT INTO forecasting.category_sales_agg AS a
       (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count,
        last_event_at, updated_at)
SELECT u.merchant_id, u.category_id, u.bucket_type, u.bucket_start, u.total, u.orders, u.items, u.last_event_at, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::bigint[], $7::bigint[],
              $8::timestamptz[])
       AS u (merchant_id, category_id, bucket_type, bucket_start, total, orders, items, last_event_at)
 ORDER BY u.merchant_id, u.category_id, u.bucket_type, u.bucket_start
ON CONFLICT (merchant_id, category_id, bucket_type, bucket_start) DO UPDATE SET
  total_sales_minor = a.total_sales_minor + excluded.total_sales_minor,
  order_count       = a.order_count + excluded.order_count,
  item_count        = a.item_count + excluded.item_count,
  last_event_at     = greatest(a.last_event_at, excluded.last_event_at),
  updated_at        = now()`;

const UPSERT_WATERMARKS = `
INSERT INTO forecasting.aggregation_watermarks AS w
       (merchant_id, last_event_created_at, last_event_placed_at, last_applied_at, events_applied)
SELECT u.merchant_id, u.created_at, u.placed_at, now(), u.n
  FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::bigint[])
       AS u (merchant_id, created_at, placed_at, n)
 ORDER BY u.merchant_id
ON CONFLICT (merchant_id) DO UPDATE SET
  last_event_created_at = greatest(w.last_event_created_at, excluded.last_event_created_at),
  last_event_placed_at  = greatest(w.last_event_placed_at, excluded.last_event_placed_at),
  last_applied_at       = now(),
  events_applied        = w.events_applied + excluded.events_applied`;

/**
 * Applies a batch of order.created messages exactly once: in ONE transaction it records the event
 * ids in processed_events, folds only the new events into DAY/WEEK/MONTH/YEAR deltas and upserts
 * them, and advances the per-merchant watermarks. Invalid messages (schema, unknown catalog) are
 * returned as `rejected` and never throw; if the database refuses a batch for a data reason, the
 * batch is split until the offending message is isolated and rejected too.
 */
export async function applyBatch(pool: Pool, messages: readonly IncomingMessage[]): Promise<ApplyResult> {
  const decoded = decodeBatch(messages);
  const rejected: RejectedMessage[] = [...decoded.rejected];
  const outcome = await applyIsolating(pool, decoded.events, rejected);
  const newestPerMerchant = new Map<string, Date>();
  let newest: Date | undefined;
  for (const w of outcome.watermarks) {
    newestPerMerchant.set(w.merchantId, w.lastEventCreatedAt);
    if (!newest || w.lastEventCreatedAt > newest) newest = w.lastEventCreatedAt;
  }
  return {
    applied: outcome.applied,
    duplicates: decoded.inBatchDuplicates + outcome.duplicates,
    rejected,
    rowsUpserted: outcome.rows,
    newestAppliedEventAt: newest,
    newestPerMerchant,
    changedPeriods: outcome.periods,
  };
}

interface Outcome {
  applied: number;
  duplicates: number;
  rows: number;
  watermarks: Fold['watermarks'];
  periods: ChangedPeriod[];
}

const NOTHING = (): Outcome => ({ applied: 0, duplicates: 0, rows: 0, watermarks: [], periods: [] });

async function applyIsolating(
  pool: Pool,
  events: readonly DecodedEvent[],
  rejected: RejectedMessage[],
): Promise<Outcome> {
  if (events.length === 0) return NOTHING();
  try {
    // Catalog rejections are only reported once the transaction committed: a rolled-back attempt
    // that is split and retried must not report them twice.
    const local: RejectedMessage[] = [];
    const outcome = await withTransaction(pool, (tx) => applyInTransaction(tx, events, local));
    rejected.push(...local);
    return outcome;
  } catch (err) {
    // A data error depends on the batch's content: retrying it would fail forever, so it is split.
    if (!isDataError(err)) throw err;
    // The transaction rolled back as a whole; retry the halves so one bad event cannot block the rest.
    if (events.length === 1) {
      rejected.push({
        message: events[0]!.message,
        reason: `cannot be applied: ${(err as Error).message}`,
        kind: 'unapplicable',
      });
      return NOTHING();
    }
    const mid = Math.ceil(events.length / 2);
    const a = await applyIsolating(pool, events.slice(0, mid), rejected);
    const b = await applyIsolating(pool, events.slice(mid), rejected);
    return {
      applied: a.applied + b.applied,
      duplicates: a.duplicates + b.duplicates,
      rows: a.rows + b.rows,
      watermarks: [...a.watermarks, ...b.watermarks],
      periods: [...a.periods, ...b.periods],
    };
  }
}

async function applyInTransaction(
  tx: Queryable,
  events: readonly DecodedEvent[],
  rejected: RejectedMessage[],
): Promise<Outcome> {
  const valid = await dropUnknownCatalog(tx, events, rejected);
  if (valid.length === 0) return NOTHING();

  const ids = valid.map((e) => e.event.eventId);
  const inserted = await tx.query<{ event_id: string }>(MARK_PROCESSED, [ids]);
  const fresh = new Set(inserted.rows.map((r) => r.event_id));
  const newEvents = valid.filter((e) => fresh.has(e.event.eventId)).map((e) => e.event);
  const fold = foldEvents(newEvents);
  const periods: ChangedPeriod[] = [];

  if (fold.deltas.length > 0) {
    const n = fold.deltas.length;
    const cols = {
      m: new Array<string>(n),
      c: new Array<string>(n),
      t: new Array<string>(n),
      s: new Array<string>(n),
      total: new Array<string>(n),
      orders: new Array<string>(n),
      items: new Array<string>(n),
      last: new Array<string>(n),
    };
    fold.deltas.forEach((d, i) => {
      cols.m[i] = d.merchantId;
      cols.c[i] = d.categoryId;
      cols.t[i] = d.bucketType;
      cols.s[i] = d.bucketStart;
      cols.total[i] = d.totalMinor.toString();
      cols.orders[i] = String(d.orderCount);
      cols.items[i] = String(d.itemCount);
      cols.last[i] = d.lastEventAt.toISOString();
    });
    await tx.query(UPSERT_AGGREGATES, [
      cols.m,
      cols.c,
      cols.t,
      cols.s,
      cols.total,
      cols.orders,
      cols.items,
      cols.last,
    ]);
    await tx.query(UPSERT_WATERMARKS, [
      fold.watermarks.map((w) => w.merchantId),
      fold.watermarks.map((w) => w.lastEventCreatedAt.toISOString()),
      fold.watermarks.map((w) => w.lastEventPlacedAt.toISOString()),
      fold.watermarks.map((w) => String(w.eventsApplied)),
    ]);
    // Read processes (every replica) drop exactly the cached answers showing these periods; the
    // notifications are delivered on commit, so no reader hears of a change it cannot yet see.
    const seen = new Set<string>();
    for (const d of fold.deltas) {
      const k = changedPeriodKey(d.merchantId, d.bucketType, d.bucketStart);
      if (seen.has(k)) continue;
      seen.add(k);
      periods.push({ merchantId: d.merchantId, bucketType: d.bucketType, bucketStart: d.bucketStart });
    }
    await tx.query({ name: 'catcast_notify_changes', text: NOTIFY_CHANGES_SQL }, [encodeChanges(periods)]);
  }
  return {
    applied: newEvents.length,
    duplicates: valid.length - newEvents.length,
    rows: fold.deltas.length,
    watermarks: fold.watermarks,
    periods,
  };
}

// One query for the whole batch: which (merchant, category) pairs are not in the catalog. Events that
// reference one would fail the foreign key; they go to the DLQ instead (replayable after a fix).
async function dropUnknownCatalog(
  tx: Queryable,
  events: readonly DecodedEvent[],
  rejected: RejectedMessage[],
): Promise<DecodedEvent[]> {
  const pairs = new Map<string, [string, string]>();
  for (const { event } of events) {
    for (const item of event.items) {
      pairs.set(`${event.merchantId}\u0000${item.categoryId}`, [event.merchantId, item.categoryId]);
    }
  }
  const list = [...pairs.values()];
  const { rows } = await tx.query<{ merchant_id: string; category_id: string; merchant_known: boolean }>(
    CATALOG_CHECK,
    [list.map((p) => p[0]), list.map((p) => p[1])],
  );
  if (rows.length === 0) return [...events];
  const unknownMerchants = new Set(rows.filter((r) => !r.merchant_known).map((r) => r.merchant_id));
  const unknownPairs = new Set(rows.map((r) => `${r.merchant_id}\u0000${r.category_id}`));
  const valid: DecodedEvent[] = [];
  for (const e of events) {
    const { merchantId } = e.event;
    if (unknownMerchants.has(merchantId)) {
      rejected.push({
        message: e.message,
        reason: `unknown merchant ${merchantId}`,
        kind: 'unknown-catalog',
      });
      continue;
    }
    const missing = [
      ...new Set(
        e.event.items.map((i) => i.categoryId).filter((c) => unknownPairs.has(`${merchantId}\u0000${c}`)),
      ),
    ];
    if (missing.length > 0) {
      rejected.push({
        message: e.message,
        reason: `unknown categor${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')} of merchant ${merchantId}`,
        kind: 'unknown-catalog',
      });
      continue;
    }
    valid.push(e);
  }
  return valid;
}
