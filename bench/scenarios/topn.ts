/**
 * (7) Top-N latency as forecasting.category_sales_agg grows (10^5 -> 10^6 -> 10^7 rows by default):
 * 1,000 merchants x 100 categories, DAY rows added by generate_series. At each size the aggregator's
 * /api/top-categories is loaded at a fixed rate with random (merchant, day) pairs, and the plan of the
 * top-N query is checked for an index-only scan. BENCH_TOPN_ROWS=1e5,1e6 limits the sizes.
 */
import { round, type BenchContext } from '../lib/context.js';
import { freshDatabase, seedCatalog } from '../lib/env.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { log, startService } from '../lib/proc.js';

/** One table size. */
export interface TopnRow {
  readonly rows: number;
  readonly loadSeconds: number;
  readonly indexOnlyScan: boolean;
  readonly queryMs: number | null;
  readonly load: LoadResult;
}

/** Results of the top-N scenario. */
export interface TopnResult {
  readonly merchants: number;
  readonly categoriesPerMerchant: number;
  readonly rate: number;
  readonly sizes: TopnRow[];
  /** p99 at the largest size divided by p99 at the smallest. */
  readonly p99Growth: number | null;
}

const MERCHANTS = 1000;
const CATEGORIES = 100;

/** Runs the top-N scaling benchmark. */
export async function topnScenario(ctx: BenchContext): Promise<TopnResult> {
  const sizes = ctx.smoke
    ? [1e3, 1e4]
    : (process.env.BENCH_TOPN_ROWS ?? '1e5,1e6,1e7').split(',').map(Number);
  const merchants = ctx.smoke ? 10 : MERCHANTS;
  const perDay = merchants * CATEGORIES;
  const rate = ctx.smoke ? 50 : 300;
  const db = await freshDatabase(ctx.infra, 'topn');
  const out: TopnRow[] = [];
  try {
    await seedCatalog(db, { merchants, categories: CATEGORIES, products: 1 });
    let days = 0;
    for (const size of sizes) {
      const targetDays = Math.max(1, Math.round(size / perDay));
      const t0 = performance.now();
      // Appends the missing days (older ones): the table grows in place from one size to the next.
      // The rows reference existing categories by construction, so the load skips the foreign-key
      // triggers (session_replication_role = replica): that halves the time of a 10^7-row load.
      const client = await db.pool.connect();
      try {
        await client.query('SET session_replication_role = replica');
        for (let from = days; from < targetDays; from += 10) {
          await client.query(
            `INSERT INTO forecasting.category_sales_agg
           (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count, last_event_at)
         SELECT c.merchant_id, c.id, 'DAY', current_date - d,
                (abs(hashtext(c.merchant_id || c.id || d::text)) % 100000)::bigint * 10, 3, 9, now()
           FROM generate_series($1::int, $2::int - 1) d, ingestion.categories c`,
            [from, Math.min(targetDays, from + 10)],
          );
        }
      } finally {
        await client.query('RESET session_replication_role').catch(() => undefined);
        client.release();
      }
      await db.pool.query('VACUUM ANALYZE forecasting.category_sales_agg');
      const loadSeconds = (performance.now() - t0) / 1000;
      days = targetDays;
      const { rows: count } = await db.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM forecasting.category_sales_agg',
      );
      const rows = Number(count[0]!.n);
      const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT category_id, total_sales_minor FROM forecasting.category_sales_agg
          WHERE merchant_id = 'bench-m-1' AND bucket_type = 'DAY' AND bucket_start = current_date - $1::int
          ORDER BY total_sales_minor DESC, category_id LIMIT 10`,
        [Math.floor(days / 2)],
      );
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      const exec = /Execution Time: ([\d.]+) ms/.exec(text);
      const aggregator = startService('aggregator', { DATABASE_URL: db.url });
      try {
        const url = `http://127.0.0.1:${await aggregator.port()}`;
        const paths = Array.from({ length: 500 }, (_, i) => {
          const day = new Date(Date.now() - ((i * 7919) % days) * 86_400_000).toISOString().slice(0, 10);
          return `/api/top-categories?merchantId=bench-m-${1 + ((i * 104729) % merchants)}&bucketType=DAY&bucketStart=${day}&limit=10`;
        });
        const job = {
          url,
          kind: 'get' as const,
          merchants: 1,
          merchantOffset: 0,
          products: 1,
          prefix: ctx.runId,
          paths,
        };
        await runLoad({ ...job, connections: 8, durationSec: 2 });
        const load = await runLoad({
          ...job,
          connections: 8,
          durationSec: ctx.smoke ? 2 : 10,
          overallRate: rate,
        });
        out.push({
          rows,
          loadSeconds: round(loadSeconds, 1)!,
          indexOnlyScan: /Index Only Scan/.test(text),
          queryMs: exec ? Number(exec[1]) : null,
          load,
        });
        log(
          `topn: ${rows} rows (loaded in ${loadSeconds.toFixed(0)} s): p50 ${load.latencyMs.p50} ms p99 ${load.latencyMs.p99} ms, query ${exec?.[1]} ms`,
        );
      } finally {
        await aggregator.stop();
      }
    }
  } finally {
    await db.drop();
  }
  const first = out[0]?.load.latencyMs.p99;
  const last = out.at(-1)?.load.latencyMs.p99;
  return {
    merchants,
    categoriesPerMerchant: CATEGORIES,
    rate,
    sizes: out,
    p99Growth: first && last ? round(last / first) : null,
  };
}
