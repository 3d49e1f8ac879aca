import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** The narrow SQL surface that stores depend on: a pool, a client, or a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

// bigint columns (int8) come back as bigint, never as a lossy number or a string.
pg.types.setTypeParser(20, (v) => BigInt(v));
// date columns stay 'YYYY-MM-DD' strings: a bucket start is a civil date, not an instant.
pg.types.setTypeParser(1082, (v) => v);

/** Creates a connection pool; `statementTimeoutMs` bounds every query it runs. */
export function createPool(options: {
  connectionString: string;
  max?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: options.applicationName ?? 'catcast',
    keepAlive: true,
  });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Neither may a connection that breaks while checked out between two queries (a transaction waiting
  // on Kafka when Postgres restarts): pg emits 'error' on the client, which without a listener is an
  // uncaught exception. The next query on that client fails instead, and the caller handles that.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** Runs `fn` inside BEGIN/COMMIT on one pooled client; rolls back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
