/**
 * (4, issue 17) The realistic read mix: 10,000 merchants (BENCH_READMIX_MERCHANTS) with two years of
 * aggregates in all four bucket types; requests drawn Zipf-like over merchants (s = 1.1) and
 * uniformly over bucket types and over the periods of the last two years, JWT on as deployed, while
 * ingest takes a steady 300 orders/s spread over the same merchants (ingest -> relay -> Kafka ->
 * aggregator, so the newest buckets change under the readers and the response cache is invalidated).
 *
 * The reference, in the same run and under the same writes: pgbench running catcast's own read
 * SQL — every statement one request issues (imported from pkg/aggregation, so it follows the code),
 * parameters drawn from the same distributions, prepared, the same client count as wrk's connections.
 * Reported: catcast requests/s as a ratio to pgbench's transactions/s, p50/p99 at a fixed 1,000 req/s,
 * the response cache's hit ratio (from the aggregator's own counter) and each service's peak RSS.
 */
import { cpus, loadavg } from 'node:os';
import { mintToken } from '../../pkg/auth/index.js';
import { CATEGORY_SALES_SQL, TOP_CATEGORIES_SQL } from '../../pkg/aggregation/index.js';
import {
  bucketSequence,
  bucketStart,
  formatDate,
  parseDate,
  shiftBucket,
  type BucketType,
} from '../../pkg/buckets/index.js';
import { defaultHorizon, MODEL_NAMES } from '../../pkg/forecast-engine/index.js';
import { CATEGORY_LABELS_SQL, FORECAST_BUCKETS } from '../../pkg/forecast-api/index.js';
import {
  DEFAULT_LOOKBACK,
  DEFAULT_PATH_MODELS,
  FORECAST_MERCHANT_SQL,
  LATEST_SET_SQL,
  SET_PATH_SQL,
  SET_ROWS_SQL,
} from '../../pkg/forecast-job/index.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { round, type BenchContext } from '../lib/context.js';
import { benchEnv, seedCatalog, seededDatabase, seedOrderHistory, type BenchDb } from '../lib/env.js';
import { combineLoads, runLoad, type LoadResult, type ReadMix } from '../lib/load.js';
import { pgbenchLogLatency, type PgbenchLatency } from '../lib/pgbench-log.js';
import { startPipeline } from '../lib/pipeline.js';
import {
  cpuGroupsState,
  disableCpuGroups,
  enableCpuGroups,
  intoCpuGroup,
  pidsWithArgument,
  withOneSchedulingGroup,
} from '../lib/cpu-groups.js';
import { log, root, runCommand, startService, type Service } from '../lib/proc.js';
import { machineTicks } from '../lib/procfs.js';

const ZIPF = 1.1;
const CATEGORIES = 6;
const PRODUCTS = 30;
const CONNECTIONS = 16;
const TYPES: readonly BucketType[] = ['DAY', 'WEEK', 'MONTH', 'YEAR'];
/** The bucket types forecast-api serves (no DAY forecasts). */
const FORECAST_TYPES: readonly BucketType[] = FORECAST_BUCKETS;
/** Series requests ask for the default window: the 12 buckets ending at `to`. */
const SERIES_BUCKETS = 12;

/** One statement of a request, with the pgbench expressions of its $n parameters per bucket type. */
interface Statement {
  readonly sql: string;
  readonly params: (type: BucketType) => Record<number, string>;
  /** Keep the (single) result row's columns as pgbench variables (e.g. :generated_at). */
  readonly gset?: boolean;
}

/** pgbench's transactions/s over the rounds. */
export interface PgbenchRef {
  readonly tps: number;
  readonly latencyMs: number | null;
  readonly loadAverage: number;
}

/** pgbench at the fixed rate catcast's latency is measured at: PostgreSQL's own p50/p99 for the same SQL. */
export interface PgbenchAtRate extends PgbenchLatency {
  readonly tps: number;
}

/** One endpoint under the mix. */
export interface MixEndpoint {
  readonly template: string;
  /** Statements one request runs (each is one round trip). */
  readonly statementsPerRequest: number;
  readonly pgbench: PgbenchRef;
  readonly max: LoadResult;
  readonly atRate: LoadResult;
  readonly rate: number;
  /**
   * pgbench running the same statements at the same fixed rate, right after catcast's fixed-rate run
   * (absent in runs before it was measured): the latency PostgreSQL itself gives at that rate.
   */
  readonly pgbenchAtRate?: PgbenchAtRate;
  /** catcast req/s / pgbench tx/s. */
  readonly ratio: number | null;
  /** Response-cache hits / lookups during the max-rate rounds (null: the endpoint has no cache). */
  readonly cacheHitRatio: number | null;
  /**
   * Reads per statement the read API sent during the max-rate rounds (reads arriving in the same
   * turn of the event loop share one; absent for endpoints and runs without read batching).
   */
  readonly readsPerStatement?: number | null;
  /** CPU of the serving process per request during the max-rate rounds (µs), writes included. */
  readonly serviceCpuMicrosPerRequest: number | null;
  /**
   * Other configurations of the same service measured in the same rounds (each right after this
   * one, against the same pgbench rounds), by label: what a setting changes, side by side.
   */
  readonly variants?: Record<string, MixVariant>;
  /**
   * With BENCH_PG_STAT_STATEMENTS=1: the statements PostgreSQL ran during one catcast round and one
   * pgbench round (pg_stat_statements), the most frequent first — calls per request and mean ms.
   */
  readonly statements?: { readonly catcast: StatementStat[]; readonly pgbench: StatementStat[] };
  /**
   * With CPU groups on (ReadMixResult.scheduling): the same rounds of pgbench and of this endpoint
   * with every process back in one scheduling group, as runs before groups were measured: Linux then
   * divides the machine per thread, so PostgreSQL's backends take more and a one-threaded service less.
   */
  readonly oneGroup?: {
    readonly pgbench: PgbenchRef;
    readonly max: LoadResult;
    readonly ratio: number | null;
  };
}

/** A configuration of a service measured beside an endpoint's own (see MixEndpoint.variants). */
export interface MixVariant {
  readonly env: Record<string, string>;
  readonly max: LoadResult;
  /** Its req/s over the same pgbench rounds' tx/s. */
  readonly ratio: number | null;
  readonly cacheHitRatio: number | null;
  readonly readsPerStatement: number | null;
  readonly serviceCpuMicrosPerRequest: number | null;
}

/** One statement as pg_stat_statements counted it. */
export interface StatementStat {
  readonly query: string;
  /** Calls per catcast request (per pgbench transaction for pgbench). */
  readonly perRequest: number;
  readonly meanMs: number;
}

/** Results of the read-mix scenario. */
export interface ReadMixResult {
  readonly merchants: number;
  readonly categoriesPerMerchant: number;
  readonly aggregateRows: Record<string, number>;
  /** Seconds until the database was ready: seeding, or copying the seeded template. */
  readonly loadSeconds: number;
  /** Seconds the seed itself took (when it was made; equal to loadSeconds unless reused). */
  readonly seedSeconds?: number;
  /** Whether the seeded template database of an earlier run was copied. */
  readonly seedReused?: boolean;
  readonly zipf: number;
  readonly periods: Record<string, number>;
  readonly connections: number;
  readonly ingest: { readonly targetPerSecond: number; readonly achievedPerSecond: number | null };
  /**
   * The process that served topCategories and categorySales, as the chart deploys it: `api`, the
   * read-only aggregator-api beside the consumer; absent in runs before the chart split them, where
   * it was the combined process (`all`).
   */
  readonly servedBy?: 'api' | 'all';
  /**
   * Processes of aggregator-api and of forecast-api serving the mix, each with its share of the
   * connections (absent in runs before 8 December, which measured one of each).
   */
  readonly readReplicas?: number;
  readonly topCategories: MixEndpoint;
  /** Earlier runs (servedBy absent): the same served by a read-only process (AGGREGATOR_ROLE=api). */
  readonly topCategoriesApiRole?: MixEndpoint;
  /** servedBy api: the same served by the combined process (AGGREGATOR_ROLE=all, as `make dev` runs it). */
  readonly topCategoriesCombined?: MixEndpoint;
  readonly categorySales: MixEndpoint;
  /** forecast-api over precomputed sets of every merchant and bucket type (absent in runs before it was measured). */
  readonly forecastTopCategories?: MixEndpoint;
  readonly forecastCompareModels?: MixEndpoint;
  readonly explain: {
    readonly topCategories: string;
    readonly categorySales: string;
    /** The forecast rows of one set (the largest of forecast-api's four statements). */
    readonly forecastSetRows?: string;
  };
  /** Peak RSS (MiB) of each pipeline service during this scenario. */
  readonly peakRssMb: Record<string, number | null>;
  /**
   * Where the two cores went while the writer ran (absent in earlier runs): cores busy on the whole
   * machine (/proc/stat) and used by each catcast process (the rest is PostgreSQL, Kafka, wrk,
   * pgbench and anything else running), and the write pipeline's Node CPU per order written.
   */
  readonly cpu?: {
    readonly seconds: number;
    readonly machineBusyCores: number;
    readonly cores: Record<string, number | null>;
    readonly writePipelineCpuMsPerOrder: number | null;
  };
  readonly auth: string;
  /**
   * How the processes shared the CPU (absent in earlier runs, which all ran in one scheduling
   * group): one cgroup each, as pods on a node (bench/lib/cpu-groups.ts), or one group for all.
   */
  readonly scheduling?: string;
}

/** Period starts of the last two years per bucket type (merchants are UTC, weeks start on Monday). */
function periodsOfLastTwoYears(): Record<BucketType, string[]> {
  const today = parseDate(new Date().toISOString().slice(0, 10))!;
  const from = parseDate(new Date(Date.now() - 729 * 86_400_000).toISOString().slice(0, 10))!;
  return Object.fromEntries(TYPES.map((t) => [t, bucketSequence(from, today, t, 'MONDAY')])) as Record<
    BucketType,
    string[]
  >;
}

/**
 * Two years of aggregates written with SQL: DAY rows where a merchant sold in a category that day
 * (every day for the 100 largest merchants, 30% of days for the next 900, 8% for the long tail),
 * then WEEK, MONTH and YEAR rows summed from them, as the aggregator would have written them.
 */
async function seedHistory(db: BenchDb, merchants: number, days: number): Promise<Record<string, number>> {
  const client = await db.pool.connect();
  // The two read indexes are built once after the load (as the migration defines them): maintaining
  // them row by row made the load of ~9.4 million rows take 17 minutes on a busy machine.
  const readIndexes = [
    'CREATE INDEX category_sales_agg_bucket_idx ON forecasting.category_sales_agg (merchant_id, bucket_type, bucket_start)',
    `CREATE INDEX category_sales_agg_topn_idx ON forecasting.category_sales_agg
       (merchant_id, bucket_type, bucket_start, total_sales_minor DESC) INCLUDE (category_id, order_count, item_count)`,
  ];
  try {
    await client.query(
      'DROP INDEX forecasting.category_sales_agg_bucket_idx, forecasting.category_sales_agg_topn_idx',
    );
    // The rows reference existing categories by construction: skip the foreign-key triggers.
    await client.query('SET session_replication_role = replica');
    const chunk = 1000;
    for (let lo = 1; lo <= merchants; lo += chunk) {
      const hi = Math.min(merchants, lo + chunk - 1);
      await client.query(
        `INSERT INTO forecasting.category_sales_agg
           (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count, last_event_at)
         SELECT 'bench-m-' || i, 'c-' || j, 'DAY', current_date - d,
                (100 + abs(hashtext(i || ':' || j || ':' || d || 'a')) % 20000)::bigint * 10, 1 + d % 5, 3 + d % 7, now()
           FROM generate_series($1::int, $2::int) i, generate_series(0, $3::int - 1) j, generate_series(0, $4::int - 1) d
          WHERE abs(hashtext(i || ':' || j || ':' || d)) % 100 <
                CASE WHEN i <= 100 THEN 100 WHEN i <= 1000 THEN 30 ELSE 8 END`,
        [lo, hi, CATEGORIES, days],
      );
    }
    for (const [type, unit] of [
      ['WEEK', 'week'],
      ['MONTH', 'month'],
      ['YEAR', 'year'],
    ] as const) {
      await client.query(
        `INSERT INTO forecasting.category_sales_agg
           (merchant_id, category_id, bucket_type, bucket_start, total_sales_minor, order_count, item_count, last_event_at)
         SELECT merchant_id, category_id, '${type}', date_trunc('${unit}', bucket_start)::date,
                sum(total_sales_minor), sum(order_count), sum(item_count), max(last_event_at)
           FROM forecasting.category_sales_agg WHERE bucket_type = 'DAY'
          GROUP BY 1, 2, 4`,
      );
    }
    await client.query('RESET session_replication_role');
    await client.query(`SET maintenance_work_mem = '256MB'`);
    for (const sql of readIndexes) await client.query(sql);
  } finally {
    await client.query('RESET session_replication_role').catch(() => undefined);
    client.release();
  }
  await db.pool.query(
    `INSERT INTO forecasting.aggregation_watermarks (merchant_id, last_event_created_at, last_event_placed_at, events_applied)
     SELECT 'bench-m-' || i, now(), now(), 1 FROM generate_series(1, $1::int) i
     ON CONFLICT (merchant_id) DO NOTHING`,
    [merchants],
  );
  await db.pool.query('VACUUM ANALYZE forecasting.category_sales_agg');
  const { rows } = await db.pool.query<{ bucket_type: string; n: string }>(
    'SELECT bucket_type, count(*) AS n FROM forecasting.category_sales_agg GROUP BY 1 ORDER BY 1',
  );
  return Object.fromEntries(rows.map((r) => [r.bucket_type, Number(r.n)]));
}

/**
 * A published forecast set for every merchant and forecast bucket type (WEEK, MONTH, YEAR), for the current period, with a row
 * per category and model, as forecast-job writes them (the values are made up: the read path does
 * not look at them). Written with SQL: running the job over 240,000 series would dominate the run.
 */
async function seedForecasts(db: BenchDb, merchants: number): Promise<number> {
  const now = new Date();
  const generatedAt = now.toISOString();
  const runId = randomUUID();
  await db.pool.query('SELECT forecasting.ensure_forecast_partition($1)', [generatedAt]);
  await db.pool.query(
    `INSERT INTO forecasting.forecast_runs (run_id, shard_index, shard_count, lease_holder, fencing_token, finished_at, status, merchants)
     VALUES ($1, 0, 1, 'bench-readmix', 1, now(), 'succeeded', $2)`,
    [runId, merchants],
  );
  const metrics = `jsonb_build_object('origins', 26, 'mae', f / 10, 'mase', 0.8, 'wape', 0.2, 'smape', 0.21,
    'coverage80', 0.8, 'coverage95', 0.95, 'maseRatioToSeasonalNaive', 0.9, 'wapeRatioToSeasonalNaive', 0.9)`;
  for (const type of FORECAST_TYPES) {
    const target = bucketStart(now, type, { timezone: 'UTC', weekStart: 'MONDAY' });
    const last = formatDate(shiftBucket(parseDate(target)!, type, -1));
    const lookback = DEFAULT_LOOKBACK[type];
    await db.pool.query(
      `INSERT INTO forecasting.forecast_sets
         (merchant_id, bucket_type, generated_at, run_id, target_bucket_start, last_bucket_start, lookback, input_hash, categories, checked_at)
       SELECT 'bench-m-' || i, $1, $2, $3, $4, $5, $6, md5(i::text), $7, now() FROM generate_series(1, $8::int) i`,
      [type, generatedAt, runId, target, last, lookback, CATEGORIES, merchants],
    );
    const chunk = 1000;
    for (let lo = 1; lo <= merchants; lo += chunk) {
      await db.pool.query(
        `INSERT INTO forecasting.category_sales_forecast
           (merchant_id, category_id, bucket_type, model_name, model_version, effective_model, effective_model_version,
            generated_at, run_id, target_bucket_start, forecast_minor, lo80_minor, hi80_minor, lo95_minor, hi95_minor,
            params, metrics, input_hash, history_length)
         SELECT 'bench-m-' || i, 'c-' || j, $1, m, '1', CASE WHEN m IN ('auto', 'ensemble') THEN 'ets' ELSE m END, '1',
                $2, $3, $4, f, f * 8 / 10, f * 12 / 10, f * 7 / 10, f * 13 / 10,
                '{}'::jsonb, ${metrics}, md5(i || ':' || j), $5
           FROM generate_series($6::int, $7::int) i, generate_series(0, $8::int - 1) j, unnest($9::text[]) m,
                LATERAL (SELECT (1000 + abs(hashtext(i || ':' || j || m)) % 100000)::bigint * 10 AS f) v`,
        [
          type,
          generatedAt,
          runId,
          target,
          lookback,
          lo,
          Math.min(merchants, lo + chunk - 1),
          CATEGORIES,
          [...MODEL_NAMES],
        ],
      );
    }
  }
  // The multi-step paths forecast-job writes with every set (its default path models, each bucket
  // type's default horizon): compare-models reads them for its accuracy per horizon.
  let pathRows = 0;
  for (const type of FORECAST_TYPES) {
    const target = parseDate(bucketStart(now, type, { timezone: 'UTC', weekStart: 'MONDAY' }))!;
    const horizon = defaultHorizon(type);
    const starts = Array.from({ length: horizon }, (_, k) => formatDate(shiftBucket(target, type, k)));
    const chunk = 1000;
    for (let lo = 1; lo <= merchants; lo += chunk) {
      await db.pool.query(
        `INSERT INTO forecasting.category_forecast_path
           (merchant_id, category_id, bucket_type, model_name, model_version, generated_at, step, bucket_start,
            forecast_minor, lo80_minor, hi80_minor, lo95_minor, hi95_minor, errors, wape, mae, input_hash)
         SELECT 'bench-m-' || i, 'c-' || j, $1, m, '1', $2, s, ($3::date[])[s],
                f, f * 8 / 10, f * 12 / 10, f * 7 / 10, f * 13 / 10, 20, 0.2 + s / 100.0, f / 10.0, md5(i || ':' || j)
           FROM generate_series($4::int, $5::int) i, generate_series(0, $6::int - 1) j, unnest($7::text[]) m,
                generate_series(1, $8::int) s,
                LATERAL (SELECT (1000 + abs(hashtext(i || ':' || j || m || s)) % 100000)::bigint * 10 AS f) v`,
        [
          type,
          generatedAt,
          starts,
          lo,
          Math.min(merchants, lo + chunk - 1),
          CATEGORIES,
          [...DEFAULT_PATH_MODELS],
          horizon,
        ],
      );
    }
    pathRows += merchants * CATEGORIES * DEFAULT_PATH_MODELS.length * horizon;
  }
  await db.pool.query(
    'ANALYZE forecasting.forecast_sets, forecasting.category_sales_forecast, forecasting.category_forecast_path',
  );
  return merchants * FORECAST_TYPES.length * CATEGORIES * MODEL_NAMES.length + pathRows;
}

/** SQL expressions of a period start `k` periods before the current one (pgbench variable :k). */
function startExpr(type: BucketType, back: string): string {
  switch (type) {
    case 'DAY':
      return `(current_date - (${back}))`;
    case 'WEEK':
      return `(date_trunc('week', current_date)::date - 7 * (${back}))`;
    case 'MONTH':
      return `(date_trunc('month', current_date) - make_interval(months => ${back}))::date`;
    case 'YEAR':
      return `(date_trunc('year', current_date) - make_interval(years => ${back}))::date`;
  }
}

/**
 * One pgbench script per bucket type running `sql` with its $n parameters replaced by what the
 * request would send: the merchant ('bench-m-' || Zipf draw), the type (a -D variable, sent as a
 * parameter like catcast's), the period (a uniform draw among that type's periods), constants.
 */
async function pgbenchScripts(
  name: string,
  statements: readonly Statement[],
  merchants: number,
  periods: Record<BucketType, string[]>,
  types: readonly BucketType[],
): Promise<string[]> {
  const dir = path.join(root, '.data', 'bench', 'pgbench');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const type of types) {
    const lines = statements.map((st) => {
      const p = st.params(type);
      const body = st.sql.replace(/\$(\d+)\b/g, (_, n: string) => {
        const v = p[Number(n)];
        if (v === undefined) throw new Error(`${name}: no pgbench value for $${n}`);
        return v;
      });
      // pgbench reads one statement per line unless it ends with ';' (or \gset, which keeps the
      // row's columns as variables for the next statements) on its last line.
      return `${body.replace(/\s+/g, ' ').trim()}${st.gset ? ' \\gset' : ';'}`;
    });
    const file = path.join(dir, `${name}-${type.toLowerCase()}.sql`);
    await writeFile(
      file,
      [
        `\\set m random_zipfian(1, ${merchants}, ${ZIPF})`,
        `\\set k random(0, ${periods[type].length - 1})`,
        ...lines,
        '',
      ].join('\n'),
    );
    files.push(file);
  }
  return files;
}

/** The mean of pgbench rounds. */
function meanRef(refs: readonly PgbenchRef[]): PgbenchRef {
  return {
    tps: refs.reduce((a, r) => a + r.tps, 0) / refs.length,
    latencyMs: round(refs.reduce((a, r) => a + (r.latencyMs ?? 0), 0) / refs.length, 3),
    loadAverage: refs[0]!.loadAverage,
  };
}

/**
 * Runs pgbench over `files` (prepared, the read mix's client count) with `extra` arguments in front;
 * returns its output and tps, failing when it printed no tps or any transaction failed.
 */
async function runPgbench(
  url: string,
  files: readonly string[],
  seconds: number,
  extra: readonly string[],
): Promise<{ out: string; tps: number }> {
  const binary = (await runCommand('bash', ['bench/ensure-pgbench.sh'])).trim();
  const args = [
    ...extra,
    '-n',
    '-M',
    'prepared',
    '-c',
    String(CONNECTIONS),
    '-j',
    '2',
    '-T',
    String(seconds),
    ...TYPES.flatMap((t) => ['-D', `t${t}=${t}`]),
    ...files.flatMap((f) => ['-f', `${f}@1`]),
    url,
  ];
  const out = await runCommand(binary, args, { cpuGroup: 'pgbench' });
  const tps = /tps = ([\d.]+)/.exec(out);
  const failed = /number of failed transactions: (\d+)/.exec(out);
  const what = extra.length > 0 ? `pgbench ${extra.join(' ')}` : 'pgbench';
  if (!tps) throw new Error(`${what} printed no tps: ${out}`);
  if (failed && Number(failed[1]) > 0) throw new Error(`${what}: ${failed[1]} failed transactions: ${out}`);
  return { out, tps: Number(tps[1]) };
}

/**
 * pgbench at a fixed `rate` (-R) with its per-transaction log (-l): the p50/p99 PostgreSQL gives the
 * same statements at the rate catcast's latency is measured at, from each transaction's actual start
 * like wrk's (pgbench-log.ts).
 */
async function pgbenchAtRate(
  url: string,
  files: readonly string[],
  seconds: number,
  rate: number,
): Promise<PgbenchAtRate> {
  await mkdir(path.join(root, '.data', 'bench'), { recursive: true });
  const dir = await mkdtemp(path.join(root, '.data', 'bench', 'pgbench-log-'));
  try {
    const { tps } = await runPgbench(url, files, seconds, [
      '-R',
      String(rate),
      '-l',
      `--log-prefix=${path.join(dir, 'tx')}`,
    ]);
    const logs = await Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f), 'utf8')));
    return { tps: round(tps, 1) ?? 0, ...pgbenchLogLatency(logs) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pgbench(url: string, files: readonly string[], seconds: number): Promise<PgbenchRef> {
  const loadAverage = round(loadavg()[0], 2) ?? 0;
  const { out, tps } = await runPgbench(url, files, seconds, []);
  const lat = /latency average = ([\d.]+) ms/.exec(out);
  return { tps, latencyMs: lat ? Number(lat[1]) : null, loadAverage };
}

/** The statements counted since the last reset, per `units` (requests or transactions). */
async function statementStats(db: BenchDb, units: number): Promise<StatementStat[]> {
  const { rows } = await db.pool.query<{ query: string; calls: string; mean: number }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls, mean_exec_time AS mean
       FROM pg_stat_statements WHERE calls > 0 AND query NOT LIKE '%pg_stat_statements%'
      ORDER BY calls DESC LIMIT 8`,
  );
  return rows.map((r) => ({
    query: r.query,
    perRequest: round(Number(r.calls) / Math.max(1, units), 3)!,
    meanMs: round(r.mean, 3)!,
  }));
}

/** The read API's statements and the reads they carried so far (catcast_api_read_batch_size), all routes. */
async function readBatchesOf(url: string): Promise<{ statements: number; reads: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const total = (suffix: string) =>
    [...text.matchAll(new RegExp(`^catcast_api_read_batch_size_${suffix}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
  return { statements: total('count'), reads: total('sum') };
}

/** The servers of one measured service: its replicas' URLs and processes, in the same order. */
interface Target {
  readonly urls: readonly string[];
  readonly services: readonly Service[];
}

async function targetOf(services: readonly Service[]): Promise<Target> {
  const urls = await Promise.all(services.map(async (x) => `http://127.0.0.1:${await x.port()}`));
  return { urls, services };
}

/** The sum of counter readings, one per replica of a service. */
function summed<T extends Record<string, number>>(each: readonly T[]): T {
  const sum = { ...each[0]! } as Record<string, number>;
  for (const x of each.slice(1)) for (const k of Object.keys(sum)) sum[k]! += x[k]!;
  return sum as T;
}

/** Response cache lookups each replica of a read service counted so far (all routes). */
function cacheLookups(urls: readonly string[]): Promise<{ hit: number; miss: number }[]> {
  return Promise.all(urls.map(cacheLookupsOf));
}

/** The read API's statements and the reads they carried so far, over its replicas. */
async function readBatches(urls: readonly string[]): Promise<{ statements: number; reads: number }> {
  return summed(await Promise.all(urls.map(readBatchesOf)));
}

/** Response cache lookups a read service counted so far (aggregator's or forecast-api's, all routes). */
async function cacheLookupsOf(url: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (result: string) =>
    [
      ...text.matchAll(
        new RegExp(
          `^catcast_(?:api|forecast)_response_cache_lookups_total\\{[^}]*result="${result}"[^}]*\\} (\\S+)$`,
          'gm',
        ),
      ),
    ].reduce((a, m) => a + Number(m[1]), 0);
  return { hit: read('hit'), miss: read('miss') };
}

/** Runs the realistic read-mix benchmark. */
export async function readmixScenario(ctx: BenchContext): Promise<ReadMixResult> {
  const merchants = ctx.smoke ? 30 : Number(process.env.BENCH_READMIX_MERCHANTS ?? 10_000);
  const days = 730;
  const orders = ctx.smoke ? 1000 : 20_000;
  const t0 = performance.now();
  log(`readmix: ${merchants} merchants with two years of aggregates`);
  // The seed is kept as a template database between runs (keyed by its parameters, today's date,
  // the migrations and the seed code): 10,000 merchants took ~18 minutes to write under load.
  const { db, seeded, reused } = await seededDatabase(
    ctx.infra,
    'readmix',
    {
      merchants,
      days,
      orders,
      categories: CATEGORIES,
      products: PRODUCTS,
      date: new Date().toISOString().slice(0, 10),
      code: [seedCatalog, seedHistory, seedOrderHistory, seedForecasts].map(String),
    },
    async (fresh) => {
      await seedCatalog(fresh, { merchants, categories: CATEGORIES, products: PRODUCTS });
      const aggregateRows = await seedHistory(fresh, merchants, days);
      // Some order history, so the order tables' plans (foreign keys, the "pending" range scan) are
      // those of a store with history (see seedOrderHistory).
      await seedOrderHistory(fresh, { merchants, categories: CATEGORIES, products: PRODUCTS }, orders);
      const forecastRows = await seedForecasts(fresh, merchants);
      return { aggregateRows, forecastRows, seedSeconds: (performance.now() - t0) / 1000 };
    },
  );
  const { aggregateRows, forecastRows } = seeded;
  let writer: Promise<LoadResult[]> | undefined;
  let writing = true;
  // BENCH_CPU_GROUPS=1: from here on every process gets its own CPU cgroup (as each pod has on a
  // node): PostgreSQL and Kafka, already running, are moved; services, wrk and pgbench are placed as
  // they start; every round is measured in one group too (MixEndpoint.oneGroup).
  if (process.env.BENCH_CPU_GROUPS === '1' && enableCpuGroups()) {
    // The database serves the write pipeline and every read: with the weight of any one process
    // it was starved (20:33 run: the writer reached 218 of its 300 orders/s), so twice that.
    const pgShares = Number(process.env.BENCH_CPU_SHARES_POSTGRES ?? 2048);
    for (const pid of pidsWithArgument(benchEnv.pgDir)) intoCpuGroup('postgres', pid, pgShares);
    for (const pid of pidsWithArgument(benchEnv.kafkaDir)) intoCpuGroup('kafka', pid);
  }
  log(`readmix: scheduling: ${cpuGroupsState().detail}`);
  try {
    if (benchEnv.pgStatStatements) await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const loadSeconds = (performance.now() - t0) / 1000;
    log(
      `readmix: ${reused ? 'copied' : 'seeded'} ${JSON.stringify(aggregateRows)} and ${forecastRows} forecast and path rows in ${loadSeconds.toFixed(0)} s${reused ? ` (seeding took ${seeded.seedSeconds.toFixed(0)} s)` : ''}`,
    );

    const secret = randomBytes(32).toString('hex');
    const token = await mintToken({
      secret,
      subject: 'bench-readmix',
      scopes: ['sales:read', 'forecasts:read'],
      merchants: '*',
    });
    const authorization = `Bearer ${token}`;
    // The same client count on both sides: wrk's connections, the aggregator's database connections
    // (DATABASE_POOL_MAX, 10 by default) and pgbench's clients. On a machine shared by many runnable
    // processes each backend gets a slice of the CPU, so fewer connections would mean less CPU.
    const readEnv = {
      DATABASE_URL: db.url,
      AUTH_MODE: 'jwt',
      AUTH_HS256_SECRET: secret,
      DATABASE_POOL_MAX: String(CONNECTIONS),
    };
    // The pipeline's aggregator consumes (AGGREGATOR_ROLE=all, as `make dev` runs it); the read API
    // as the chart deploys it is the same binary as a read-only process (AGGREGATOR_ROLE=api, the
    // aggregator-api Deployment), its answer cache invalidated exactly by the change notifications.
    // The combined process's own read API is measured once beside it.
    const pipeline = await startPipeline(ctx, db, 'readmix', readEnv);
    // Processes of each read service (BENCH_READ_REPLICAS), sharing the connections and the database
    // pool (8 + 8 = 16 with two). The chart deploys at least 2 of each (minReplicas), each on its own
    // share of a node; on this benchmark's one 2-core machine two cost more CPU per request than one
    // and served no more (BENCHMARKS.md, "Targets missed"), so a full run measures one, as every
    // earlier run. The smoke runs two, so that the replica path (wrk.lua's WRK_SERVERS) is exercised
    // by make test and fails it when a replica gets no requests.
    const readReplicas = Math.max(1, Number(process.env.BENCH_READ_REPLICAS ?? (ctx.smoke ? 2 : 1)));
    // The read API as the chart deploys it: readReplicas processes, each with its share of the
    // connections (wrk's, and the database pool), as a Service spreads connections over pods.
    const replicaPool = String(Math.max(1, Math.round(CONNECTIONS / readReplicas)));
    const readApis = Array.from({ length: readReplicas }, (_, i) =>
      startService(
        'aggregator',
        { ...readEnv, AGGREGATOR_ROLE: 'api', DATABASE_POOL_MAX: replicaPool },
        i === 0 ? 'aggregator-api' : `aggregator-api#${i + 1}`,
      ),
    );
    // The read API in other configurations, measured in the same rounds as the deployed one
    // (topCategories.variants): one process alone (the shape every run before 8 December measured)
    // and read batching, side by side.
    const variantEnvs: Record<string, Record<string, string>> = {
      ...(readReplicas > 1 ? { 'one replica': { DATABASE_POOL_MAX: String(CONNECTIONS) } } : {}),
      'read batching, up to 32 reads per statement, 4 in flight': {
        AGGREGATION_API_READ_BATCH_MAX: '32',
        AGGREGATION_API_READ_CONCURRENCY: '4',
      },
      [`read batching, up to 32 reads per statement, ${CONNECTIONS} in flight`]: {
        AGGREGATION_API_READ_BATCH_MAX: '32',
        AGGREGATION_API_READ_CONCURRENCY: String(CONNECTIONS),
      },
    };
    const variantApis = Object.entries(variantEnvs).map(([label, env], i) => ({
      label,
      env,
      service: startService(
        'aggregator',
        { ...readEnv, AGGREGATOR_ROLE: 'api', ...env },
        `aggregator-api-v${i + 1}`,
      ),
    }));
    let forecastApis: Service[] = [];
    try {
      const periods = periodsOfLastTwoYears();
      const ingestRate = ctx.smoke ? 30 : 300;
      // The steady writes: 30 s wrk runs back to back until the readers are done. Orders come from
      // many independent clients, so enough connections that the rate holds while ingest answers
      // slowly (4 reached only 166-177 of the 300 orders/s when the readers saturated the machine:
      // 4 / 177 per s = 23 ms per order); 16 hold 300/s up to 53 ms per order.
      const cpuAtStart = {
        at: performance.now(),
        machine: machineTicks(),
        services: new Map(
          [pipeline.ingest, pipeline.relay, pipeline.aggregator, ...readApis].map((x) => [
            x,
            x.cpuSeconds() ?? 0,
          ]),
        ),
      };
      writer = (async () => {
        const runs: LoadResult[] = [];
        while (writing) {
          runs.push(
            await runLoad({
              url: pipeline.ingestUrl,
              kind: 'order',
              connections: Number(process.env.BENCH_WRITER_CONNECTIONS ?? 16),
              durationSec: ctx.smoke ? 5 : 30,
              overallRate: ingestRate,
              merchants,
              merchantOffset: 0,
              products: PRODUCTS,
              prefix: `${ctx.runId}-mix-${runs.length}`,
            }),
          );
        }
        return runs;
      })();

      const seconds = ctx.smoke ? 2 : 12;
      const rounds = ctx.smoke ? 1 : 3;
      const slice = Math.max(2, Math.round(seconds / rounds));
      const rate = ctx.smoke ? 100 : 1000;
      let warmedUp = false;
      const combined: Target = { urls: [pipeline.aggregatorUrl], services: [pipeline.aggregator] };
      const deployed: Target = await targetOf(readApis);
      const measure = async (
        name: string,
        template: string,
        sqls: readonly Statement[],
        cached: boolean,
        target: Target = deployed,
        types: readonly BucketType[] = TYPES,
        variants: readonly {
          label: string;
          env: Record<string, string>;
          url: string;
          service: Service;
        }[] = [],
      ): Promise<MixEndpoint> => {
        const [url, ...replicas] = target.urls as [string, ...string[]];
        const cpuOf = () => target.services.reduce((a, x) => a + (x.cpuSeconds() ?? 0), 0);
        const drawn = Object.fromEntries(types.map((t) => [t, periods[t]])) as Record<BucketType, string[]>;
        const mix: ReadMix = { template, merchants, zipf: ZIPF, periods: drawn };
        const job = {
          url,
          kind: 'mix' as const,
          merchants,
          merchantOffset: 0,
          products: 1,
          prefix: ctx.runId,
          authorization,
          mix,
          connections: CONNECTIONS,
          replicas,
        };
        const probe = template
          .replace('{m}', '1')
          .replace('{type}', types[0]!)
          .replace('{start}', periods[types[0]!].at(-2)!);
        for (const u of target.urls) {
          const res = await fetch(u + probe, { headers: { authorization } });
          if (!res.ok) throw new Error(`${probe} answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
        const files = await pgbenchScripts(name, sqls, merchants, drawn, types);
        // Warm-up. The first endpoint measured after the seed was copied also warms PostgreSQL's
        // buffers and the page cache for everyone after it: in the 12:04 run the read-only process,
        // measured first, reached 0.18 and the combined one, measured next, 0.29 — the reverse of
        // the 09:17 run with the reverse order. So the first gets a long warm-up.
        await runLoad({ ...job, durationSec: warmedUp ? 2 : ctx.smoke ? 2 : 20 });
        warmedUp = true;
        // Warm-up: on a busy machine 16 connections preparing their statements can take the whole
        // warm-up without one transaction, which is not a result; the measured rounds run longer.
        await pgbench(db.url, files, 3).catch(() => undefined);
        for (const v of variants) await runLoad({ ...job, url: v.url, replicas: [], durationSec: 2 });
        const replicasBefore = cached ? await cacheLookups(target.urls) : [];
        const before = cached ? summed(replicasBefore) : { hit: 0, miss: 0 };
        const batchesBefore = await readBatches(target.urls);
        const variantState = await Promise.all(
          variants.map(async (v) => ({
            runs: [] as LoadResult[],
            cpu: 0,
            lookups: cached ? await cacheLookupsOf(v.url) : { hit: 0, miss: 0 },
            batches: await readBatches([v.url]),
          })),
        );
        const refs: PgbenchRef[] = [];
        const runs: LoadResult[] = [];
        const oneGroupRefs: PgbenchRef[] = [];
        const oneGroupRuns: LoadResult[] = [];
        let cpu = 0;
        // pgbench and catcast alternate in short rounds, so a change in the machine's load hits both
        // (and every variant, each right after the deployed configuration).
        for (let r = 0; r < rounds; r++) {
          refs.push(await pgbench(db.url, files, Math.max(5, slice)));
          const c0 = cpuOf();
          runs.push(await runLoad({ ...job, durationSec: slice }));
          cpu += cpuOf() - c0;
          for (const [i, v] of variants.entries()) {
            const st = variantState[i]!;
            const v0 = v.service.cpuSeconds() ?? 0;
            st.runs.push(await runLoad({ ...job, url: v.url, replicas: [], durationSec: slice }));
            st.cpu += (v.service.cpuSeconds() ?? 0) - v0;
          }
          if (cpuGroupsState().enabled)
            await withOneSchedulingGroup(async () => {
              oneGroupRefs.push(await pgbench(db.url, files, Math.max(5, slice)));
              oneGroupRuns.push(await runLoad({ ...job, durationSec: slice }));
            });
        }
        const replicasAfter = cached ? await cacheLookups(target.urls) : [];
        const after = cached ? summed(replicasAfter) : before;
        // Each replica must have answered part of the mix (wrk gives each its own connections).
        replicasAfter.forEach((n, i) => {
          const b = replicasBefore[i]!;
          if (target.urls.length > 1 && n.hit + n.miss <= b.hit + b.miss)
            throw new Error(`${name}: replica ${target.urls[i]} answered no request of the mix`);
        });
        const batchesAfter = await readBatches(target.urls);
        const statementsSent = (batchesAfter?.statements ?? 0) - (batchesBefore?.statements ?? 0);
        let statements: MixEndpoint['statements'];
        if (benchEnv.pgStatStatements) {
          // One more round of each, counted alone (the writer's statements show up in both).
          await db.pool.query('SELECT pg_stat_statements_reset()');
          const ref = await pgbench(db.url, files, Math.max(5, slice));
          const pgbenchStats = await statementStats(db, ref.tps * Math.max(5, slice));
          await db.pool.query('SELECT pg_stat_statements_reset()');
          const run = await runLoad({ ...job, durationSec: slice });
          statements = { catcast: await statementStats(db, run.ok), pgbench: pgbenchStats };
          log(`readmix: ${name}: statements ${JSON.stringify(statements)}`);
        }
        for (const s of [
          pipeline.aggregator,
          pipeline.ingest,
          pipeline.relay,
          ...readApis,
          ...target.services,
        ])
          ctx.noteRss(s, `read mix at max rate, ${merchants} merchants, ${ingestRate} orders/s`);
        const atRate = await runLoad({ ...job, durationSec: seconds, overallRate: rate });
        // PostgreSQL's own latency for the same statements at the same rate, right after: the
        // reference of the p99 target (a request cannot answer faster than its statements run).
        const refAtRate = await pgbenchAtRate(db.url, files, Math.max(5, seconds), rate);
        const max = combineLoads(runs);
        const ref = meanRef(refs);
        let oneGroup: MixEndpoint['oneGroup'];
        if (oneGroupRuns.length > 0) {
          const oneMax = combineLoads(oneGroupRuns);
          const oneRef = meanRef(oneGroupRefs);
          oneGroup = { pgbench: oneRef, max: oneMax, ratio: round(oneMax.okPerSecond / oneRef.tps) };
        }
        const lookups = after.hit + after.miss - before.hit - before.miss;
        const measuredVariants: Record<string, MixVariant> = {};
        for (const [i, v] of variants.entries()) {
          const st = variantState[i]!;
          const vmax = combineLoads(st.runs);
          const l = cached ? await cacheLookupsOf(v.url) : st.lookups;
          const b = await readBatches([v.url]);
          const n = l.hit + l.miss - st.lookups.hit - st.lookups.miss;
          const sent = b.statements - st.batches.statements;
          measuredVariants[v.label] = {
            env: v.env,
            max: vmax,
            ratio: round(vmax.okPerSecond / ref.tps),
            cacheHitRatio: cached && n > 0 ? round((l.hit - st.lookups.hit) / n, 3) : null,
            readsPerStatement: sent > 0 ? round((b.reads - st.batches.reads) / sent, 2) : null,
            serviceCpuMicrosPerRequest: vmax.ok > 0 ? round((st.cpu * 1e6) / vmax.ok, 0) : null,
          };
          log(
            `readmix: ${name} [${v.label}]: ${vmax.okPerSecond.toFixed(0)} req/s (ratio ${measuredVariants[v.label]!.ratio}); reads/statement ${measuredVariants[v.label]!.readsPerStatement}; CPU µs/request ${measuredVariants[v.label]!.serviceCpuMicrosPerRequest}`,
          );
          if (vmax.non2xx > 0) throw new Error(`${name} [${v.label}]: non-2xx answers under the mix`);
        }
        log(
          `readmix: ${name}: ${max.okPerSecond.toFixed(0)} req/s vs pgbench ${ref.tps.toFixed(0)} tx/s; p50/p99 at ${rate}/s ${atRate.latencyMs.p50}/${atRate.latencyMs.p99} ms (pgbench ${refAtRate.p50Ms}/${refAtRate.p99Ms} ms, lag p99 ${refAtRate.lagP99Ms} ms); reads/statement ${batchesAfter ? ((batchesAfter.reads - (batchesBefore?.reads ?? 0)) / Math.max(1, statementsSent)).toFixed(2) : '-'}; non-2xx ${max.non2xx + atRate.non2xx}`,
        );
        if (oneGroup)
          log(
            `readmix: ${name} in one scheduling group: ${oneGroup.max.okPerSecond.toFixed(0)} req/s vs pgbench ${oneGroup.pgbench.tps.toFixed(0)} tx/s (ratio ${oneGroup.ratio})`,
          );
        if (max.non2xx + atRate.non2xx + (oneGroup?.max.non2xx ?? 0) > 0)
          throw new Error(`${name}: non-2xx answers under the mix`);
        return {
          template,
          statementsPerRequest: sqls.length,
          pgbench: ref,
          max,
          atRate,
          rate,
          pgbenchAtRate: refAtRate,
          ratio: round(max.okPerSecond / ref.tps),
          cacheHitRatio: cached && lookups > 0 ? round((after.hit - before.hit) / lookups, 3) : null,
          ...(batchesAfter && batchesBefore
            ? {
                readsPerStatement:
                  statementsSent > 0
                    ? round((batchesAfter.reads - batchesBefore.reads) / statementsSent, 2)
                    : null,
              }
            : {}),
          serviceCpuMicrosPerRequest: max.ok > 0 ? round((cpu * 1e6) / max.ok, 0) : null,
          ...(variants.length > 0 ? { variants: measuredVariants } : {}),
          ...(statements ? { statements } : {}),
          ...(oneGroup ? { oneGroup } : {}),
        };
      };

      const back = (type: BucketType, extra: number) =>
        startExpr(type, extra === 0 ? ':k::int' : `:k::int + ${extra}`);
      const topStatements: Statement[] = [
        {
          sql: TOP_CATEGORIES_SQL,
          params: (type) => ({
            1: `('bench-m-' || :m)`,
            2: `:t${type}`,
            3: back(type, 0),
            4: '10',
            5: back(type, 1),
            6: 'now()',
            7: '300',
            8: 'NULL',
            9: 'NULL',
            10: 'NULL',
          }),
        },
      ];
      const topCategories = await measure(
        'top-categories',
        '/api/top-categories?merchantId=bench-m-{m}&bucketType={type}&bucketStart={start}&limit=10',
        topStatements,
        true,
        deployed,
        TYPES,
        await Promise.all(
          variantApis.map(async (v) => ({ ...v, url: `http://127.0.0.1:${await v.service.port()}` })),
        ),
      );
      for (const v of variantApis) await v.service.stop();
      const topCategoriesCombined = await measure(
        'top-categories-combined',
        '/api/top-categories?merchantId=bench-m-{m}&bucketType={type}&bucketStart={start}&limit=10',
        topStatements,
        true,
        combined,
      );
      const categorySales = await measure(
        'category-sales',
        '/api/category-sales?merchantId=bench-m-{m}&bucketType={type}&to={start}',
        [
          {
            sql: CATEGORY_SALES_SQL,
            params: (type) => ({
              1: `('bench-m-' || :m)`,
              2: `:t${type}`,
              3: back(type, SERIES_BUCKETS - 1),
              4: back(type, 0),
              5: 'now()',
              6: '300',
            }),
          },
        ],
        true,
      );

      // The seed may be a copy of a template made hours ago: its sets count as refreshed now, as
      // forecast-job marks a set whose input did not change, or forecast-api would judge them stale
      // (FORECAST_STALE_AFTER_SECONDS) and compute every answer on demand.
      await db.pool.query('UPDATE forecasting.forecast_sets SET checked_at = now()');
      // forecast-api as deployed (JWT, the same pool size), over the sets seeded above. A request
      // runs four statements (merchant, latest set, its rows, category labels), compare-models a
      // fifth (the set's path steps): the pgbench script runs the same ones, the set's generated_at
      // carried from the second to the later ones.
      forecastApis = Array.from({ length: readReplicas }, (_, i) =>
        startService(
          'forecast-api',
          {
            DATABASE_URL: db.url,
            AUTH_MODE: 'jwt',
            AUTH_HS256_SECRET: secret,
            DATABASE_POOL_MAX: replicaPool,
          },
          i === 0 ? 'forecast-api' : `forecast-api#${i + 1}`,
        ),
      );
      const forecast = await targetOf(forecastApis);
      const merchantParam = `('bench-m-' || :m)`;
      const forecastStatements = (models: string): Statement[] => [
        { sql: FORECAST_MERCHANT_SQL, params: () => ({ 1: merchantParam }) },
        { sql: LATEST_SET_SQL, params: (type) => ({ 1: merchantParam, 2: `:t${type}` }), gset: true },
        {
          sql: SET_ROWS_SQL,
          params: (type) => ({ 1: merchantParam, 2: `:t${type}`, 3: ':generated_at', 4: models, 5: 'NULL' }),
        },
        { sql: CATEGORY_LABELS_SQL, params: () => ({ 1: merchantParam }) },
      ];
      const forecastTopCategories = await measure(
        'forecast-top-categories',
        '/forecast/top-categories?merchant_id=bench-m-{m}&bucket_type={type}&limit=10',
        forecastStatements(`ARRAY['auto']`),
        true,
        forecast,
        FORECAST_TYPES,
      );
      // compare-models also reads the set's path steps (accuracy per horizon), so its reference
      // runs that statement too.
      const forecastCompareModels = await measure(
        'forecast-compare-models',
        '/forecast/compare-models?merchant_id=bench-m-{m}&bucket_type={type}',
        [
          ...forecastStatements('NULL'),
          {
            sql: SET_PATH_SQL,
            params: (type) => ({
              1: merchantParam,
              2: `:t${type}`,
              3: ':generated_at',
              4: 'NULL',
              5: 'NULL',
            }),
          },
        ],
        true,
        forecast,
        FORECAST_TYPES,
      );

      const explain = async (sql: string, params: unknown[]) =>
        (await db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      const mid = `bench-m-${Math.min(merchants, 500)}`;
      const week = periods.WEEK.at(-10)!;
      const weekBefore = periods.WEEK.at(-11)!;
      const explained = {
        topCategories: await explain(TOP_CATEGORIES_SQL, [
          mid,
          'WEEK',
          week,
          10,
          weekBefore,
          new Date().toISOString(),
          300,
          null,
          null,
          null,
        ]),
        categorySales: await explain(CATEGORY_SALES_SQL, [
          mid,
          'WEEK',
          periods.WEEK.at(-21)!,
          week,
          new Date().toISOString(),
          300,
        ]),
        forecastSetRows: await (async () => {
          const set = await db.pool.query<{ generated_at: Date }>(LATEST_SET_SQL, [mid, 'WEEK']);
          return explain(SET_ROWS_SQL, [mid, 'WEEK', set.rows[0]?.generated_at ?? null, null, null]);
        })(),
      };
      writing = false;
      const writes = await writer;
      writer = undefined;
      const achieved = writes.length > 0 ? combineLoads(writes).okPerSecond : null;
      const orders = writes.reduce((a, w) => a + w.ok, 0);
      const cpuSeconds = (performance.now() - cpuAtStart.at) / 1000; // wall seconds of the writes
      const machine = machineTicks();
      const used = (x: Service) => {
        const now = x.cpuSeconds();
        return now === undefined ? null : now - (cpuAtStart.services.get(x) ?? 0);
      };
      const writeCpu = [pipeline.ingest, pipeline.relay, pipeline.aggregator].map(used);
      const cpu = {
        seconds: round(cpuSeconds, 1)!,
        machineBusyCores: round(
          ((machine.busy - cpuAtStart.machine.busy) / (machine.total - cpuAtStart.machine.total)) *
            cpus().length,
          2,
        )!,
        cores: Object.fromEntries(
          [pipeline.ingest, pipeline.relay, pipeline.aggregator, ...readApis, ...forecastApis].map((x) => {
            const c = used(x);
            return [x.name, c === null ? null : round(c / cpuSeconds, 2)];
          }),
        ),
        writePipelineCpuMsPerOrder:
          orders > 0 && writeCpu.every((c) => c !== null)
            ? round((writeCpu.reduce((a, c) => a + c, 0) * 1000) / orders, 2)
            : null,
      };
      log(`readmix: CPU while writing: ${JSON.stringify(cpu)}`);
      return {
        merchants,
        categoriesPerMerchant: CATEGORIES,
        aggregateRows,
        loadSeconds: round(loadSeconds, 1)!,
        seedSeconds: round(seeded.seedSeconds, 1)!,
        seedReused: reused,
        zipf: ZIPF,
        periods: Object.fromEntries(TYPES.map((t) => [t, periods[t].length])),
        connections: CONNECTIONS,
        ingest: { targetPerSecond: ingestRate, achievedPerSecond: round(achieved, 1) },
        topCategories,
        servedBy: 'api' as const,
        readReplicas,
        topCategoriesCombined,
        categorySales,
        forecastTopCategories,
        forecastCompareModels,
        explain: explained,
        peakRssMb: Object.fromEntries(
          [pipeline.aggregator, ...readApis, pipeline.ingest, pipeline.relay, ...forecastApis].map((x) => [
            x.name,
            x.peakRssMb() ?? null,
          ]),
        ),
        auth: 'JWT (HS256 bearer token on every request, AUTH_MODE=jwt as deployed)',
        cpu,
        scheduling: cpuGroupsState().detail,
      };
    } finally {
      writing = false;
      await writer?.catch(() => undefined);
      for (const f of forecastApis) await f.stop();
      for (const r of readApis) await r.stop();
      for (const v of variantApis) await v.service.stop();
      await pipeline.stop();
    }
  } finally {
    disableCpuGroups();
    await db.drop();
  }
}
