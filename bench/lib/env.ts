/**
 * The benchmark's own dependencies: an embedded PostgreSQL 17 (fsync on, as in production) and a
 * single-node Kafka, both on private ports and data directories so that a benchmark never shares a
 * server with a test run or `make dev`. Each scenario gets a fresh, migrated database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createPool, migrate, startEmbeddedPostgres, type Pool } from '../../pkg/db/index.js';
import { log, root, runCommand } from './proc.js';

/**
 * Ports and directories (override with BENCH_PG_PORT, BENCH_KAFKA_PORT, ...). Fixed ports stay below
 * Linux's ephemeral range (32768-60999), where any outgoing connection may hold them for a while:
 * the broker once failed to bind 39492 in CI for that reason.
 */
export const benchEnv = {
  pgPort: Number(process.env.BENCH_PG_PORT ?? 25473),
  pgDir: path.resolve(root, process.env.BENCH_PG_DIR ?? '.data/bench-pg'),
  pgStatStatements: process.env.BENCH_PG_STAT_STATEMENTS === '1',
  kafkaPort: process.env.BENCH_KAFKA_PORT ?? '29492',
  kafkaControllerPort: process.env.BENCH_KAFKA_CONTROLLER_PORT ?? '29493',
  kafkaDir: path.resolve(root, process.env.BENCH_KAFKA_DIR ?? '.data/bench-kafka'),
};

/** Environment for scripts/kafka.sh that selects the benchmark's broker. */
export function kafkaScriptEnv(): Record<string, string> {
  return {
    KAFKA_PORT: benchEnv.kafkaPort,
    KAFKA_CONTROLLER_PORT: benchEnv.kafkaControllerPort,
    KAFKA_DATA_DIR: benchEnv.kafkaDir,
  };
}

/** The running dependencies of one benchmark run. */
export interface Infra {
  readonly adminUrl: string;
  readonly kafkaBrokers: string;
  stop(): Promise<void>;
}

/** Starts Postgres and (unless `kafka` is false) Kafka. */
export async function startInfra({ kafka }: { kafka: boolean }): Promise<Infra> {
  log(`starting PostgreSQL on 127.0.0.1:${benchEnv.pgPort} (${benchEnv.pgDir})`);
  const server = await startEmbeddedPostgres({
    dataDir: benchEnv.pgDir,
    port: benchEnv.pgPort,
    // Production durability: fsync and synchronous_commit stay on, so commit flushes are measured.
    settings: {
      max_connections: '400',
      max_wal_size: '4GB',
      checkpoint_timeout: '15min',
      // BENCH_PG_STAT_STATEMENTS=1: statements per request and their mean execution time (readmix).
      ...(benchEnv.pgStatStatements ? { shared_preload_libraries: 'pg_stat_statements' } : {}),
    },
  });
  let brokers = '';
  if (kafka) {
    log(`starting Kafka on 127.0.0.1:${benchEnv.kafkaPort} (${benchEnv.kafkaDir})`);
    const out = await runCommand('bash', ['scripts/kafka.sh', 'up'], {
      env: { ...kafkaScriptEnv(), KAFKA_HEAP_OPTS: '-Xms512m -Xmx1g' },
    });
    brokers = out.trim().split('\n').at(-1) ?? '';
  }
  return {
    adminUrl: server.url('postgres'),
    kafkaBrokers: brokers,
    async stop() {
      if (kafka)
        await runCommand('bash', ['scripts/kafka.sh', 'down'], { env: kafkaScriptEnv() }).catch(() => '');
      await server.stop();
    },
  };
}

/** A fresh migrated database. */
export interface BenchDb {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

/**
 * Creates and migrates a new database named bench_<scenario>_<random>, or copies `template` (a
 * migrated database, see {@link seededDatabase}) file by file.
 */
export async function freshDatabase(infra: Infra, scenario: string, template?: string): Promise<BenchDb> {
  const name = `bench_${scenario.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: infra.adminUrl });
  await admin.connect();
  try {
    // Earlier runs' databases are dropped first: only one benchmark database exists at a time.
    const old = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'`,
    );
    for (const r of old.rows)
      await admin.query(`DROP DATABASE ${pg.escapeIdentifier(r.datname)} WITH (FORCE)`);
    await admin.query(
      template
        ? `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)} STRATEGY FILE_COPY`
        : `CREATE DATABASE ${pg.escapeIdentifier(name)}`,
    );
  } finally {
    await admin.end();
  }
  const url = infra.adminUrl.replace(/\/[^/]*$/, `/${name}`);
  if (!template) await migrate({ databaseUrl: url });
  // No statement timeout: filling 200,000 outbox rows or 10^7 aggregate rows takes minutes here.
  const pool = createPool({ connectionString: url, max: 4, statementTimeoutMs: 0 });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: infra.adminUrl });
      await c.connect();
      await c
        .query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
        .finally(() => c.end());
    },
  };
}

/**
 * A fresh database holding what `seed` writes, copied from a template database kept on the
 * benchmark's PostgreSQL between runs (benchtpl_<scenario>_m<merchants>_<hash>; a file copy takes seconds where
 * the 10,000-merchant read mix took ~18 minutes to seed under load). The hash covers `key` (seed
 * parameters; include the date when the data is relative to today), the migrations and the source of
 * the seed function, so any change of them seeds anew; older templates of the scenario at the same
 * size (`key.merchants`) are dropped.
 * `seed`'s result is kept with the template (as its comment) and returned either way.
 * BENCH_SEED_CACHE=0 always seeds.
 */
export async function seededDatabase<T>(
  infra: Infra,
  scenario: string,
  key: Record<string, unknown>,
  seed: (db: BenchDb) => Promise<T>,
): Promise<{ db: BenchDb; seeded: T; reused: boolean }> {
  const migrationsDir = path.join(root, 'migrations');
  const hash = createHash('sha256').update(JSON.stringify(key)).update(seed.toString());
  for (const f of (await readdir(migrationsDir)).sort())
    hash.update(f).update(await readFile(path.join(migrationsDir, f)));
  // One template per scenario and size: a smoke run (make test) must not drop the full-size seed.
  const tag = `${scenario}_${typeof key.merchants === 'number' ? `m${key.merchants}` : 'x'}`.replace(
    /\W/g,
    '_',
  );
  const template = `benchtpl_${tag}_${hash.digest('hex').slice(0, 16)}`;
  const useCache = process.env.BENCH_SEED_CACHE !== '0';
  const admin = new pg.Client({ connectionString: infra.adminUrl });
  await admin.connect();
  let stored: T | undefined;
  try {
    const { rows } = await admin.query<{ datname: string; comment: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1`,
      [`benchtpl\\_${tag}\\_%`],
    );
    for (const r of rows) {
      // A template without its result comment was left half-built by an interrupted run.
      if (useCache && r.datname === template && r.comment)
        stored = (JSON.parse(r.comment) as { seeded: T }).seeded;
      else await admin.query(`DROP DATABASE ${pg.escapeIdentifier(r.datname)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  if (!useCache) {
    const db = await freshDatabase(infra, scenario);
    return { db, seeded: await seed(db), reused: false };
  }
  const reused = stored !== undefined;
  if (!reused) {
    log(`${scenario}: seeding template database ${template}`);
    const db = await freshDatabase(infra, scenario);
    stored = await seed(db);
    const name = db.url.slice(db.url.lastIndexOf('/') + 1);
    await db.pool.end();
    const c = new pg.Client({ connectionString: infra.adminUrl });
    await c.connect();
    try {
      // The seeded database becomes the template; the scenario runs on a copy of it.
      await c.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} RENAME TO ${pg.escapeIdentifier(template)}`);
      await c.query(
        `COMMENT ON DATABASE ${pg.escapeIdentifier(template)} IS ${pg.escapeLiteral(JSON.stringify({ seeded: stored }))}`,
      );
    } finally {
      await c.end();
    }
  } else {
    log(`${scenario}: reusing the seeded template database ${template} (BENCH_SEED_CACHE=0 seeds anew)`);
  }
  const db = await freshDatabase(infra, scenario, template);
  return { db, seeded: stored!, reused };
}

/** Catalog shape every scenario uses: merchant bench-m-<i>, categories c-<j>, products p-<k> in c-<k % categories>. */
export interface CatalogShape {
  readonly merchants: number;
  readonly categories: number;
  readonly products: number;
}

/** Default shape: 10 categories, 50 products per merchant. */
export const CATALOG = { categories: 10, products: 50 } as const;

/** Merchant id of index `i` (1-based). */
export const merchantId = (i: number): string => `bench-m-${i}`;

/** Inserts the catalog with SQL (generate_series): far faster than the catalog API for 10,000 merchants. */
export async function seedCatalog(db: BenchDb, shape: CatalogShape): Promise<void> {
  const { merchants, categories, products } = shape;
  await db.pool.query(
    `INSERT INTO ingestion.merchants (id, name, timezone, week_start, currency)
     SELECT 'bench-m-' || i, 'Bench merchant ' || i, 'UTC', 'MONDAY', 'EUR' FROM generate_series(1, $1::int) i`,
    [merchants],
  );
  await db.pool.query(
    `INSERT INTO ingestion.categories (merchant_id, id, name)
     SELECT 'bench-m-' || i, 'c-' || j, 'Category ' || j
       FROM generate_series(1, $1::int) i, generate_series(0, $2::int - 1) j`,
    [merchants, categories],
  );
  await db.pool.query(
    `INSERT INTO ingestion.products (merchant_id, id, name, category_id)
     SELECT 'bench-m-' || i, 'p-' || k, 'Product ' || k, 'c-' || (k % $3::int)
       FROM generate_series(1, $1::int) i, generate_series(0, $2::int - 1) k`,
    [merchants, products, categories],
  );
  await db.pool.query('ANALYZE');
}

/**
 * Gives the order tables a history of `orders` orders (in statements of 100, with bench/pgbench/batch.sql's
 * rows: items and outbox events, the events already published so neither relay nor aggregator sees
 * them) and ANALYZEs it: a pipeline scenario then measures the steady state of a store with history. On
 * empty tables the foreign-key checks of an order's items and outbox row keep a plan made for an
 * empty `orders` (a sequential scan) until autovacuum's first ANALYZE, a minute or more later:
 * measured, 43 million rows read by 18,643 scans in 20 s of 500 orders/s, and ingest p50 145 ms
 * instead of 20 ms.
 */
export async function seedOrderHistory(db: BenchDb, shape: CatalogShape, orders: number): Promise<void> {
  const vars: Record<string, number> = { ...shape, batch: 100 };
  const sql = (await readFile(path.join(root, 'bench/pgbench/batch.sql'), 'utf8')).replace(
    /:(merchants|products|categories|batch)\b/g,
    (_, v: string) => String(vars[v]),
  );
  for (let n = 0; n < orders; n += 100) await db.pool.query(sql);
  await db.pool.query(
    'UPDATE ingestion.order_events SET published_at = created_at WHERE published_at IS NULL',
  );
  await db.pool.query('ANALYZE');
}

/** Today's date (UTC) as YYYY-MM-DD: bench merchants are in UTC. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
