import { parseDate } from '../buckets/index.js';
import type { Pool, PoolClient, Queryable } from '../db/index.js';
import {
  changedPeriodKey,
  encodeChanges,
  EVERY_PERIOD,
  NOTIFY_CHANGES_SQL,
  type ChangedPeriod,
} from '../events/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** What to reconcile. */
export interface ReconcileOptions {
  /** Only this merchant. @default all merchants */
  readonly merchantId?: string;
  /** Only buckets starting on or after this date (YYYY-MM-DD). @default no lower bound */
  readonly from?: string;
  /** Only buckets starting on or before this date (YYYY-MM-DD). @default no upper bound */
  readonly to?: string;
  /** Rewrite drifted rows to the recomputed values (one transaction). @default false */
  readonly repair?: boolean;
}

/** One aggregate row whose stored values differ from the recomputation. */
export interface DriftRow {
  readonly merchantId: string;
  readonly categoryId: string;
  readonly bucketType: string;
  readonly bucketStart: string;
  /** Recomputed from ingestion.* (null: the row should not exist). */
  readonly expected: { totalMinor: bigint; orderCount: bigint; itemCount: bigint } | null;
  /** Stored in category_sales_agg (null: the row is missing). */
  readonly actual: { totalMinor: bigint; orderCount: bigint; itemCount: bigint } | null;
}

/** Result of {@link reconcile}. */
export interface ReconcileResult {
  readonly drift: readonly DriftRow[];
  /** Orders in scope whose event is not applied yet (excluded from the recomputation). */
  readonly inFlightOrders: number;
  /** Rows rewritten (repair only). */
  readonly repaired: number;
}

/** Raised for options that cannot be reconciled, naming the option. */
export class ReconcileOptionsError extends Error {
  override name = 'ReconcileOptionsError';
}

// The recomputation. Bucketing mirrors pkg/buckets in SQL: the civil date of placed_at in the
// merchant's zone, the week start by isodow arithmetic, date_trunc for month and year.
//
// An order whose outbox event exists but is not in processed_events is "in flight": the aggregator
// will still apply it, so it is left out of the expectation (and counted separately). That makes
// a repair safe while the aggregator runs. It relies on two retention orders: published outbox rows
// are deleted before processed_events ids are (an order without an outbox row counts as applied),
// and Kafka's retention is shorter than processed_events' (see PROCESSED_EVENTS_RETENTION_DAYS).
//
// With from/to, only buckets starting inside [from, to] are compared; such a bucket holds days up to
// one year after `to`, so orders are read from `from` - 2 days to `to` + 1 year + 2 days (UTC, with
// slack for any zone offset) through the (merchant_id, placed_at) index.
const DRIFT_SQL = `
WITH m AS (
  SELECT id, timezone,
         array_position(ARRAY['MONDAY','TUESDAY','WEDNESDAY','THURSDAY','FRIDAY','SATURDAY','SUNDAY'], week_start) AS ws
    FROM ingestion.merchants
   WHERE $1::text IS NULL OR id = $1::text
), scoped AS (
  SELECT o.id, o.merchant_id, (o.placed_at AT TIME ZONE m.timezone)::date AS d, m.ws,
         EXISTS (SELECT 1 FROM ingestion.order_events e
                  WHERE e.order_id = o.id
                    AND NOT EXISTS (SELECT 1 FROM forecasting.processed_events p WHERE p.event_id = e.id)) AS in_flight
    FROM ingestion.orders o
    JOIN m ON m.id = o.merchant_id
   WHERE ($2::date IS NULL OR o.placed_at >= ($2::date - 2)::timestamp AT TIME ZONE 'UTC')
     AND ($3::date IS NULL OR o.placed_at < ($3::date + interval '1 year 2 days') AT TIME ZONE 'UTC')
), per_order AS (
  SELECT s.merchant_id, i.category_id, s.d, s.ws, sum(i.amount_minor) AS amount, sum(i.quantity) AS qty
    FROM scoped s
    JOIN ingestion.order_items i ON i.order_id = s.id
   WHERE NOT s.in_flight
   GROUP BY s.merchant_id, i.category_id, s.id, s.d, s.ws
), expected AS (
  SELECT p.merchant_id, p.category_id, b.bucket_type, b.bucket_start,
         sum(p.amount)::bigint AS total, count(*)::bigint AS orders, sum(p.qty)::bigint AS items
    FROM per_order p
   CROSS JOIN LATERAL (VALUES
           ('DAY', p.d),
           ('WEEK', p.d - ((extract(isodow FROM p.d)::int - p.ws + 7) % 7)),
           ('MONTH', date_trunc('month', p.d)::date),
           ('YEAR', date_trunc('year', p.d)::date)) AS b (bucket_type, bucket_start)
   WHERE ($2::date IS NULL OR b.bucket_start >= $2::date)
     AND ($3::date IS NULL OR b.bucket_start <= $3::date)
   GROUP BY 1, 2, 3, 4
), actual AS (
  SELECT a.merchant_id, a.category_id, a.bucket_type, a.bucket_start,
         a.total_sales_minor AS total, a.order_count AS orders, a.item_count AS items
    FROM forecasting.category_sales_agg a
   WHERE ($1::text IS NULL OR a.merchant_id = $1::text)
     AND ($2::date IS NULL OR a.bucket_start >= $2::date)
     AND ($3::date IS NULL OR a.bucket_start <= $3::date)
)
SELECT coalesce(e.merchant_id, a.merchant_id) AS merchant_id,
       coalesce(e.category_id, a.category_id) AS category_id,
       coalesce(e.bucket_type, a.bucket_type) AS bucket_type,
       coalesce(e.bucket_start, a.bucket_start) AS bucket_start,
       e.total AS expected_total, e.orders AS expected_orders, e.items AS expected_items,
       a.total AS actual_total, a.orders AS actual_orders, a.items AS actual_items,
       (SELECT count(*) FROM scoped WHERE in_flight)::int AS in_flight
  FROM expected e
  FULL OUTER JOIN actual a
    ON a.merchant_id = e.merchant_id AND a.category_id = e.category_id
   AND a.bucket_type = e.bucket_type AND a.bucket_start = e.bucket_start
 WHERE e.total IS DISTINCT FROM a.total OR e.orders IS DISTINCT FROM a.orders OR e.items IS DISTINCT FROM a.items
    -- a stored all-zero row without orders is the same as no row
    AND NOT (e.total IS NULL AND a.total = 0 AND a.orders = 0 AND a.items = 0)
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT count(*) FROM scoped WHERE in_flight)::int
ORDER BY 1, 2, 3, 4`;

interface DriftSqlRow {
  merchant_id: string | null;
  category_id: string;
  bucket_type: string;
  bucket_start: string;
  expected_total: bigint | null;
  expected_orders: bigint | null;
  expected_items: bigint | null;
  actual_total: bigint | null;
  actual_orders: bigint | null;
  actual_items: bigint | null;
  in_flight: number;
}

function checkOptions(options: ReconcileOptions): void {
  for (const name of ['from', 'to'] as const) {
    const v = options[name];
    if (v !== undefined && !parseDate(v))
      throw new ReconcileOptionsError(`${name} must be a date YYYY-MM-DD, got ${v}`);
  }
  if (options.from && options.to && options.from > options.to)
    throw new ReconcileOptionsError(`from (${options.from}) is after to (${options.to})`);
}

async function findDrift(
  db: Queryable,
  options: ReconcileOptions,
): Promise<{ drift: DriftRow[]; inFlight: number }> {
  const { rows } = await db.query<DriftSqlRow>(DRIFT_SQL, [
    options.merchantId ?? null,
    options.from ?? null,
    options.to ?? null,
  ]);
  let inFlight = 0;
  const drift: DriftRow[] = [];
  for (const r of rows) {
    inFlight = r.in_flight;
    if (r.merchant_id === null) continue;
    drift.push({
      merchantId: r.merchant_id,
      categoryId: r.category_id,
      bucketType: r.bucket_type,
      bucketStart: r.bucket_start,
      expected:
        r.expected_total === null
          ? null
          : { totalMinor: r.expected_total, orderCount: r.expected_orders!, itemCount: r.expected_items! },
      actual:
        r.actual_total === null
          ? null
          : { totalMinor: r.actual_total, orderCount: r.actual_orders!, itemCount: r.actual_items! },
    });
  }
  return { drift, inFlight };
}

async function rewrite(tx: PoolClient, drift: readonly DriftRow[]): Promise<number> {
  const upserts = drift.filter((d) => d.expected);
  const deletes = drift.filter((d) => !d.expected);
  if (upserts.length > 0) {
    await tx.query(
      `INSERT INTO forecasting.category_sales_agg AS a
              (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count, updated_at)
       SELECT u.m, u.c, u.t, u.s, u.total, u.orders, u.items, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::bigint[], $7::bigint[])
              AS u (m, c, t, s, total, orders, items)
        ORDER BY u.m, u.c, u.t, u.s
       ON CONFLICT (merchant_id, category_id, bucket_type, bucket_start) DO UPDATE SET
         total_sales_minor = excluded.total_sales_minor,
         order_count = excluded.order_count,
         item_count = excluded.item_count,
         updated_at = now()`,
      [
        upserts.map((d) => d.merchantId),
        upserts.map((d) => d.categoryId),
        upserts.map((d) => d.bucketType),
        upserts.map((d) => d.bucketStart),
        upserts.map((d) => d.expected!.totalMinor.toString()),
        upserts.map((d) => d.expected!.orderCount.toString()),
        upserts.map((d) => d.expected!.itemCount.toString()),
      ],
    );
  }
  if (deletes.length > 0) {
    await tx.query(
      `DELETE FROM forecasting.category_sales_agg a
        USING unnest($1::text[], $2::text[], $3::text[], $4::date[]) AS u (m, c, t, s)
        WHERE a.merchant_id = u.m AND a.category_id = u.c AND a.bucket_type = u.t AND a.bucket_start = u.s`,
      [
        deletes.map((d) => d.merchantId),
        deletes.map((d) => d.categoryId),
        deletes.map((d) => d.bucketType),
        deletes.map((d) => d.bucketStart),
      ],
    );
  }
  // Readers keep answers until a change names their period (pkg/aggregation's response cache,
  // forecast-api's nowcast references): a repair names its periods as an apply does, delivered at
  // commit. A DAY row is also read beneath the weeks, months and years holding it (a nowcast's
  // reference periods), which an apply always changes with it but a repair may not: a repaired DAY
  // row names its merchant as a whole (EVERY_PERIOD, as a catalog change does).
  const periods = new Map<string, ChangedPeriod>();
  const name = (merchantId: string, bucketType: string, bucketStart: string) =>
    periods.set(changedPeriodKey(merchantId, bucketType, bucketStart), {
      merchantId,
      bucketType,
      bucketStart,
    });
  for (const d of drift) {
    name(d.merchantId, d.bucketType, d.bucketStart);
    if (d.bucketType === 'DAY') name(d.merchantId, EVERY_PERIOD, EVERY_PERIOD);
  }
  await tx.query(NOTIFY_CHANGES_SQL, [encodeChanges(periods.values())]);
  return drift.length;
}

const SERIALIZATION_FAILURE = '40001';

/**
 * Recomputes category aggregates from ingestion.* in one SQL query and reports every
 * (merchant, category, bucket type, bucket start) whose stored values differ. With `repair`, the
 * drifted rows are rewritten in one REPEATABLE READ transaction, so a concurrently applied batch
 * cannot be overwritten (the transaction fails and is retried instead).
 */
export async function reconcile(pool: Pool, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  checkOptions(options);
  if (!options.repair) {
    const { drift, inFlight } = await findDrift(pool, options);
    return { drift, inFlightOrders: inFlight, repaired: 0 };
  }
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const { drift, inFlight } = await findDrift(client, options);
      const repaired = drift.length > 0 ? await rewrite(client, drift) : 0;
      await client.query('COMMIT');
      return { drift, inFlightOrders: inFlight, repaired };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      const code = (err as { code?: unknown }).code;
      if (code !== SERIALIZATION_FAILURE || attempt >= 10)
        throw new Error('cannot reconcile aggregates', { cause: err });
      // Jittered, so two reconcilers that conflicted do not collide again on the next attempt.
      await abortableSleep(backoffDelay(attempt, 50, 2000));
    } finally {
      client.release(broken);
    }
  }
}
