/** Bulk aggregate rows written with SQL, for the read-path and top-N benchmarks. */
import type { BenchDb } from './env.js';

/**
 * Writes DAY rows for `days` days back from today and the WEEK/MONTH/YEAR rows of the same span,
 * for every category of merchants bench-m-<from>..bench-m-<to>; totals are pseudo-random.
 */
export async function seedAggregates(
  db: BenchDb,
  {
    fromMerchant,
    toMerchant,
    days,
    withCoarse = true,
  }: { fromMerchant: number; toMerchant: number; days: number; withCoarse?: boolean },
): Promise<void> {
  const insert = (bucket: string, start: string, series: string) =>
    db.pool.query(
      `INSERT INTO forecasting.category_sales_agg
         (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count, last_event_at)
       SELECT c.merchant_id, c.id, '${bucket}', s.d,
              (abs(hashtext(c.merchant_id || c.id || s.d::text)) % 100000)::bigint * 10 + 100, 10, 30, now()
         FROM ingestion.categories c
         CROSS JOIN LATERAL (SELECT DISTINCT ${start} AS d FROM ${series}) s
        WHERE c.merchant_id IN (SELECT 'bench-m-' || i FROM generate_series($1::int, $2::int) i)
       ON CONFLICT DO NOTHING`,
      [fromMerchant, toMerchant],
    );
  const span = `generate_series(current_date - ${days - 1}, current_date, interval '1 day') g`;
  await insert('DAY', 'g::date', span);
  if (withCoarse) {
    await insert('WEEK', `date_trunc('week', g)::date`, span);
    await insert('MONTH', `date_trunc('month', g)::date`, span);
    await insert('YEAR', `date_trunc('year', g)::date`, span);
  }
  await db.pool.query(
    `INSERT INTO forecasting.aggregation_watermarks (merchant_id, last_event_created_at, last_event_placed_at, events_applied)
     SELECT 'bench-m-' || i, now(), now(), 1 FROM generate_series($1::int, $2::int) i
     ON CONFLICT (merchant_id) DO NOTHING`,
    [fromMerchant, toMerchant],
  );
  await db.pool.query('VACUUM ANALYZE forecasting.category_sales_agg');
}
