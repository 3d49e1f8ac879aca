import type { Queryable } from '../../../pkg/db/index.js';
import { bucketSequence, parseDate, type BucketType } from '../../../pkg/buckets/index.js';

/** Inserts a merchant with `categories` categories (c0..cN) directly, for tests of the read side. */
export async function seedCatalog(
  db: Queryable,
  merchantId: string,
  categories: number,
  calendar: { timezone?: string; weekStart?: string; currency?: string } = {},
): Promise<string[]> {
  await db.query(
    `INSERT INTO ingestion.merchants (id, name, timezone, week_start, currency) VALUES ($1, $5, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [
      merchantId,
      calendar.timezone ?? 'UTC',
      calendar.weekStart ?? 'MONDAY',
      calendar.currency ?? 'EUR',
      `Merchant ${merchantId}`,
    ],
  );
  const ids = Array.from({ length: categories }, (_, i) => `c${i}`);
  await db.query(
    `INSERT INTO ingestion.categories (merchant_id, id, name) SELECT $1, id, 'Category ' || id FROM unnest($2::text[]) id
     ON CONFLICT DO NOTHING`,
    [merchantId, ids],
  );
  return ids;
}

/**
 * Writes aggregate rows for a merchant directly: per category a seasonal weekly/monthly series, so
 * forecasting can be tested without running the write path.
 */
export async function seedAggregates(
  db: Queryable,
  merchantId: string,
  categoryIds: readonly string[],
  bucketType: BucketType,
  from: string,
  to: string,
  value: (categoryIndex: number, bucketIndex: number) => number,
): Promise<number> {
  const starts = bucketSequence(parseDate(from)!, parseDate(to)!, bucketType, 'MONDAY');
  const cats: string[] = [];
  const days: string[] = [];
  const totals: string[] = [];
  categoryIds.forEach((c, ci) =>
    starts.forEach((s, bi) => {
      cats.push(c);
      days.push(s);
      totals.push(String(Math.max(0, Math.round(value(ci, bi)))));
    }),
  );
  await db.query(
    `INSERT INTO forecasting.category_sales_agg (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count)
     SELECT $1, c, $2, d::date, t::bigint, 1, 1 FROM unnest($3::text[], $4::text[], $5::text[]) AS u(c, d, t)`,
    [merchantId, bucketType, cats, days, totals],
  );
  return cats.length;
}
