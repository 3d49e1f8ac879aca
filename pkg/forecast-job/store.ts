import type { BucketType } from '../buckets/index.js';
import { batchStatement, withTransaction, type Pool, type Queryable } from '../db/index.js';
import type { BacktestMetrics, ForecastResult } from '../forecast-engine/index.js';
import { claimFence } from '../leader/index.js';
import type { StoredPathStep } from './paths.js';

/** The newest published forecast set of a merchant and bucket type. */
export interface ForecastSet {
  readonly merchantId: string;
  readonly bucketType: BucketType;
  readonly generatedAt: Date;
  readonly runId: string;
  readonly targetBucketStart: string;
  readonly lastBucketStart: string;
  readonly lookback: number;
  readonly inputHash: string;
  readonly categories: number;
  readonly checkedAt: Date;
  /** Steps of the set's multi-horizon paths (0: the set holds none, e.g. written before paths existed). */
  readonly horizon: number;
}

/** One stored forecast row. */
export interface StoredForecast {
  readonly categoryId: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly effectiveModel: string;
  readonly effectiveModelVersion: string;
  readonly forecastMinor: bigint;
  readonly lo80Minor: bigint;
  readonly hi80Minor: bigint;
  readonly lo95Minor: bigint;
  readonly hi95Minor: bigint;
  readonly params: unknown;
  readonly metrics: BacktestMetrics | null;
  readonly inputHash: string;
  readonly historyLength: number;
  readonly fallbackFrom: string | null;
  readonly fallbackReason: string | null;
}

interface SetRow {
  merchant_id: string;
  bucket_type: BucketType;
  generated_at: Date;
  run_id: string;
  target_bucket_start: string;
  last_bucket_start: string;
  lookback: number;
  input_hash: string;
  categories: number;
  checked_at: Date;
  horizon: number;
}

const toSet = (r: SetRow): ForecastSet => ({
  merchantId: r.merchant_id,
  bucketType: r.bucket_type,
  generatedAt: r.generated_at,
  runId: r.run_id,
  targetBucketStart: r.target_bucket_start,
  lastBucketStart: r.last_bucket_start,
  lookback: r.lookback,
  inputHash: r.input_hash,
  categories: r.categories,
  checkedAt: r.checked_at,
  horizon: r.horizon,
});

/** $1 merchant, $2 bucket type. Exported (like the other read statements) for the read benchmark's pgbench reference. */
export const LATEST_SET_SQL = `SELECT * FROM forecasting.forecast_sets WHERE merchant_id = $1 AND bucket_type = $2
      ORDER BY generated_at DESC LIMIT 1`;

/** The latest forecast set for (merchant, bucket type), or undefined (a named, prepared statement). */
export async function latestSet(
  db: Queryable,
  merchantId: string,
  bucketType: BucketType,
): Promise<ForecastSet | undefined> {
  const { rows } = await db.query<SetRow>({ name: 'catcast_latest_forecast_set', text: LATEST_SET_SQL }, [
    merchantId,
    bucketType,
  ]);
  return rows[0] ? toSet(rows[0]) : undefined;
}

/** {@link LATEST_SET_SQL} for several (merchant, bucket type) pairs in one statement (pkg/db batchStatement). */
export const LATEST_SETS_BATCH_SQL = batchStatement(
  LATEST_SET_SQL,
  [
    { name: 'merchant_id', type: 'text' },
    { name: 'bucket_type', type: 'text' },
  ],
  '',
);

/** {@link latestSet} of several pairs in one statement; the answers in the order of `pairs`. */
export async function latestSets(
  db: Queryable,
  pairs: readonly { readonly merchantId: string; readonly bucketType: BucketType }[],
): Promise<(ForecastSet | undefined)[]> {
  const { rows } = await db.query<SetRow & { i: bigint }>(
    { name: 'catcast_latest_forecast_sets_batch', text: LATEST_SETS_BATCH_SQL },
    [pairs.map((p) => p.merchantId), pairs.map((p) => p.bucketType)],
  );
  const sets: (ForecastSet | undefined)[] = pairs.map(() => undefined);
  for (const r of rows) sets[Number(r.i) - 1] = toSet(r);
  return sets;
}

/** $1 merchant, $2 bucket type, $3 generated_at of the set, $4 models (null: all), $5 category (null: all). */
export const SET_ROWS_SQL = `SELECT category_id, model_name, model_version, effective_model, effective_model_version, forecast_minor,
            lo80_minor, hi80_minor, lo95_minor, hi95_minor, params, metrics, input_hash, history_length,
            fallback_from, fallback_reason
       FROM forecasting.category_sales_forecast
      WHERE merchant_id = $1 AND bucket_type = $2 AND generated_at = $3
        AND ($4::text[] IS NULL OR model_name = ANY($4))
        AND ($5::text IS NULL OR category_id = $5)
      ORDER BY category_id, model_name`;

/** Rows of one set, optionally only some models / one category (a named, prepared statement). */
export async function readSetRows(
  db: Queryable,
  set: ForecastSet,
  filter: { models?: readonly string[]; categoryId?: string } = {},
): Promise<StoredForecast[]> {
  const { rows } = await db.query<{
    category_id: string;
    model_name: string;
    model_version: string;
    effective_model: string;
    effective_model_version: string;
    forecast_minor: bigint;
    lo80_minor: bigint;
    hi80_minor: bigint;
    lo95_minor: bigint;
    hi95_minor: bigint;
    params: unknown;
    metrics: BacktestMetrics | null;
    input_hash: string;
    history_length: number;
    fallback_from: string | null;
    fallback_reason: string | null;
  }>({ name: 'catcast_forecast_set_rows', text: SET_ROWS_SQL }, [
    set.merchantId,
    set.bucketType,
    set.generatedAt,
    filter.models ?? null,
    filter.categoryId ?? null,
  ]);
  return rows.map((r) => ({
    categoryId: r.category_id,
    model: r.model_name,
    modelVersion: r.model_version,
    effectiveModel: r.effective_model,
    effectiveModelVersion: r.effective_model_version,
    forecastMinor: r.forecast_minor,
    lo80Minor: r.lo80_minor,
    hi80Minor: r.hi80_minor,
    lo95Minor: r.lo95_minor,
    hi95Minor: r.hi95_minor,
    params: r.params,
    metrics: r.metrics,
    inputHash: r.input_hash,
    historyLength: r.history_length,
    fallbackFrom: r.fallback_from,
    fallbackReason: r.fallback_reason,
  }));
}

/** $1 merchant, $2 bucket type, $3 generated_at of the set, $4 category, $5 models (null: all). */
export const SET_PATH_SQL = `SELECT category_id, model_name, model_version, step, bucket_start, forecast_minor, lo80_minor,
            hi80_minor, lo95_minor, hi95_minor, errors, wape, mae, input_hash
       FROM forecasting.category_forecast_path
      WHERE merchant_id = $1 AND bucket_type = $2 AND generated_at = $3
        AND ($4::text IS NULL OR category_id = $4)
        AND ($5::text[] IS NULL OR model_name = ANY($5))
      ORDER BY category_id, model_name, step`;

/** Path steps of one set: one category's or all, optionally only some models (a named, prepared statement). */
export async function readSetPaths(
  db: Queryable,
  set: ForecastSet,
  filter: { models?: readonly string[]; categoryId?: string } = {},
): Promise<StoredPathStep[]> {
  const { rows } = await db.query<{
    category_id: string;
    model_name: string;
    model_version: string;
    step: number;
    bucket_start: string;
    forecast_minor: bigint;
    lo80_minor: bigint;
    hi80_minor: bigint;
    lo95_minor: bigint;
    hi95_minor: bigint;
    errors: number;
    wape: number | null;
    mae: number | null;
    input_hash: string;
  }>({ name: 'catcast_forecast_set_paths', text: SET_PATH_SQL }, [
    set.merchantId,
    set.bucketType,
    set.generatedAt,
    filter.categoryId ?? null,
    filter.models ?? null,
  ]);
  return rows.map((r) => ({
    categoryId: r.category_id,
    model: r.model_name,
    modelVersion: r.model_version,
    step: r.step,
    bucketStart: r.bucket_start,
    forecastMinor: r.forecast_minor,
    lo80Minor: r.lo80_minor,
    hi80Minor: r.hi80_minor,
    lo95Minor: r.lo95_minor,
    hi95Minor: r.hi95_minor,
    errors: r.errors,
    wape: r.wape,
    mae: r.mae,
    inputHash: r.input_hash,
  }));
}

/** Converts an engine result to stored minor units (rounded; never negative). */
export function toStored(categoryId: string, r: ForecastResult): StoredForecast {
  const minor = (v: number) => BigInt(Math.max(0, Math.round(v)));
  return {
    categoryId,
    model: r.model,
    modelVersion: r.modelVersion,
    effectiveModel: r.effectiveModel,
    effectiveModelVersion: r.effectiveModelVersion,
    forecastMinor: minor(r.point),
    lo80Minor: minor(r.lo80),
    hi80Minor: minor(r.hi80),
    lo95Minor: minor(r.lo95),
    hi95Minor: minor(r.hi95),
    params: r.params,
    metrics: r.metrics,
    inputHash: r.inputHash,
    historyLength: r.historyLength,
    fallbackFrom: r.fallbackFrom,
    fallbackReason: r.fallbackReason,
  };
}

/** What {@link writeSet} stores: a set's fields (`checkedAt`, the job's clock at this run, judges freshness) and its rows. */
export interface NewSet extends Omit<ForecastSet, 'categories' | 'horizon'> {
  readonly rows: readonly StoredForecast[];
  /** Steps of every path in `paths`. @default 0 (no paths) */
  readonly horizon?: number;
  /** The set's multi-horizon path steps. @default none */
  readonly paths?: readonly StoredPathStep[];
}

/**
 * Writes a whole forecast set in one transaction, fenced: rows and the set row become visible
 * together, and a writer whose fencing token is older than the shard's current one writes nothing.
 */
export async function writeSet(
  pool: Pool,
  set: NewSet,
  fence: { shardKey: string; token: number },
): Promise<void> {
  await pool.query('SELECT forecasting.ensure_forecast_partition($1)', [set.generatedAt]);
  await withTransaction(pool, async (tx) => {
    await claimFence(tx, fence.shardKey, fence.token);
    const r = set.rows;
    const categories = new Set(r.map((x) => x.categoryId)).size;
    if (r.length > 0) {
      await tx.query(
        `INSERT INTO forecasting.category_sales_forecast
           (merchant_id, category_id, bucket_type, model_name, model_version, effective_model, effective_model_version,
            generated_at, run_id, target_bucket_start, forecast_minor, lo80_minor, hi80_minor, lo95_minor, hi95_minor,
            params, metrics, input_hash, history_length, fallback_from, fallback_reason)
         SELECT $1, u.category_id, $2, u.model_name, u.model_version, u.effective_model, u.effective_model_version,
                $3, $4, $5, u.f, u.lo80, u.hi80, u.lo95, u.hi95, u.params, u.metrics, u.input_hash, u.history_length,
                u.fallback_from, u.fallback_reason
           FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[],
                       $13::bigint[], $14::bigint[], $15::bigint[], $16::jsonb[], $17::jsonb[], $18::text[], $19::int[],
                       $20::text[], $21::text[])
             AS u(category_id, model_name, model_version, effective_model, effective_model_version, f, lo80, hi80,
                  lo95, hi95, params, metrics, input_hash, history_length, fallback_from, fallback_reason)`,
        [
          set.merchantId,
          set.bucketType,
          set.generatedAt,
          set.runId,
          set.targetBucketStart,
          r.map((x) => x.categoryId),
          r.map((x) => x.model),
          r.map((x) => x.modelVersion),
          r.map((x) => x.effectiveModel),
          r.map((x) => x.effectiveModelVersion),
          r.map((x) => x.forecastMinor.toString()),
          r.map((x) => x.lo80Minor.toString()),
          r.map((x) => x.hi80Minor.toString()),
          r.map((x) => x.lo95Minor.toString()),
          r.map((x) => x.hi95Minor.toString()),
          r.map((x) => JSON.stringify(x.params)),
          r.map((x) => (x.metrics ? JSON.stringify(x.metrics) : null)),
          r.map((x) => x.inputHash),
          r.map((x) => x.historyLength),
          r.map((x) => x.fallbackFrom),
          r.map((x) => x.fallbackReason),
        ],
      );
    }
    const p = set.paths ?? [];
    if (p.length > 0) {
      await tx.query(
        `INSERT INTO forecasting.category_forecast_path
           (merchant_id, category_id, bucket_type, model_name, model_version, generated_at, step, bucket_start,
            forecast_minor, lo80_minor, hi80_minor, lo95_minor, hi95_minor, errors, wape, mae, input_hash)
         SELECT $1, u.category_id, $2, u.model_name, u.model_version, $3, u.step, u.bucket_start, u.f, u.lo80,
                u.hi80, u.lo95, u.hi95, u.errors, u.wape, u.mae, u.input_hash
           FROM unnest($4::text[], $5::text[], $6::text[], $7::int[], $8::date[], $9::bigint[], $10::bigint[],
                       $11::bigint[], $12::bigint[], $13::bigint[], $14::int[], $15::float8[], $16::float8[],
                       $17::text[])
             AS u(category_id, model_name, model_version, step, bucket_start, f, lo80, hi80, lo95, hi95, errors,
                  wape, mae, input_hash)`,
        [
          set.merchantId,
          set.bucketType,
          set.generatedAt,
          p.map((x) => x.categoryId),
          p.map((x) => x.model),
          p.map((x) => x.modelVersion),
          p.map((x) => x.step),
          p.map((x) => x.bucketStart),
          p.map((x) => x.forecastMinor.toString()),
          p.map((x) => x.lo80Minor.toString()),
          p.map((x) => x.hi80Minor.toString()),
          p.map((x) => x.lo95Minor.toString()),
          p.map((x) => x.hi95Minor.toString()),
          p.map((x) => x.errors),
          p.map((x) => x.wape),
          p.map((x) => x.mae),
          p.map((x) => x.inputHash),
        ],
      );
    }
    await tx.query(
      `INSERT INTO forecasting.forecast_sets
         (merchant_id, bucket_type, generated_at, run_id, target_bucket_start, last_bucket_start, lookback, input_hash,
          categories, checked_at, horizon)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        set.merchantId,
        set.bucketType,
        set.generatedAt,
        set.runId,
        set.targetBucketStart,
        set.lastBucketStart,
        set.lookback,
        set.inputHash,
        categories,
        set.checkedAt,
        p.length > 0 ? (set.horizon ?? 0) : 0,
      ],
    );
  });
}

/** Marks an unchanged set as re-checked (no new rows), fenced like a write. */
export async function touchSet(
  pool: Pool,
  set: ForecastSet,
  checkedAt: Date,
  fence: { shardKey: string; token: number },
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await claimFence(tx, fence.shardKey, fence.token);
    await tx.query(
      'UPDATE forecasting.forecast_sets SET checked_at = $4 WHERE merchant_id = $1 AND bucket_type = $2 AND generated_at = $3',
      [set.merchantId, set.bucketType, set.generatedAt, checkedAt],
    );
  });
}

/**
 * Retention: keeps the newest `keepSets` sets per merchant and bucket type, deletes older sets and
 * their rows (one-step and path), then drops daily partitions that no longer hold any kept set. Returns what it removed.
 */
export async function applyRetention(
  pool: Pool,
  keepSets: number,
): Promise<{ sets: number; partitions: string[] }> {
  const removed = await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ merchant_id: string; bucket_type: string; generated_at: Date }>(
      `DELETE FROM forecasting.forecast_sets s
        USING (SELECT merchant_id, bucket_type, generated_at,
                      row_number() OVER (PARTITION BY merchant_id, bucket_type ORDER BY generated_at DESC) AS rn
                 FROM forecasting.forecast_sets) old
        WHERE s.merchant_id = old.merchant_id AND s.bucket_type = old.bucket_type
          AND s.generated_at = old.generated_at AND old.rn > $1
        RETURNING s.merchant_id, s.bucket_type, s.generated_at`,
      [keepSets],
    );
    if (rows.length > 0) {
      await tx.query(
        `DELETE FROM forecasting.category_sales_forecast f
          USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS d(merchant_id, bucket_type, generated_at)
          WHERE f.merchant_id = d.merchant_id AND f.bucket_type = d.bucket_type AND f.generated_at = d.generated_at`,
        [rows.map((r) => r.merchant_id), rows.map((r) => r.bucket_type), rows.map((r) => r.generated_at)],
      );
      await tx.query(
        `DELETE FROM forecasting.category_forecast_path f
          USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS d(merchant_id, bucket_type, generated_at)
          WHERE f.merchant_id = d.merchant_id AND f.bucket_type = d.bucket_type AND f.generated_at = d.generated_at`,
        [rows.map((r) => r.merchant_id), rows.map((r) => r.bucket_type), rows.map((r) => r.generated_at)],
      );
    }
    return rows.length;
  });
  // A partition whose day holds no remaining set is dead weight: drop it whole.
  const { rows: parts } = await pool.query<{ name: string; day: string }>(
    `SELECT c.relname AS name, to_char(to_date(right(c.relname, 8), 'YYYYMMDD'), 'YYYY-MM-DD') AS day
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent IN ('forecasting.category_sales_forecast'::regclass,
                            'forecasting.category_forecast_path'::regclass)`,
  );
  const dropped: string[] = [];
  for (const p of parts) {
    const { rows } = await pool.query(
      `SELECT 1 FROM forecasting.forecast_sets
        WHERE generated_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
          AND generated_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC' LIMIT 1`,
      [p.day],
    );
    const today = new Date().toISOString().slice(0, 10);
    if (rows.length === 0 && p.day < today) {
      await pool.query(`DROP TABLE IF EXISTS forecasting.${p.name.replace(/[^a-z0-9_]/g, '')}`);
      dropped.push(p.name);
    }
  }
  return { sets: removed, partitions: dropped };
}
