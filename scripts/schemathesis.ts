/**
 * `make test-schemathesis`: checks that the three HTTP services (ingest, aggregator, forecast-api)
 * behave as their own OpenAPI documents say, with Schemathesis (PyPI) and every one of its checks.
 *
 * Starts an embedded PostgreSQL on a free port, migrates it, starts the services from source exactly
 * as the integration tests do (authentication ON: AUTH_MODE=jwt with an HS256 secret and a token
 * minted by pkg/auth), seeds one merchant (the `acme` of the documents' examples) with a category, a
 * product and an order, then runs `st run <service>/openapi.json --checks all` against each service
 * with a bounded number of test cases and a fixed seed. Any finding fails the run. Everything
 * started is stopped again, also on failure.
 *
 * Environment: CATCAST_SCHEMATHESIS_PG_PORT (default: a free port), CATCAST_SCHEMATHESIS_EXAMPLES
 * (test cases per operation and phase, default 40), CATCAST_SCHEMATHESIS_SEED (default 1),
 * CATCAST_SCHEMATHESIS_DIR (data and reports, default .data/schemathesis).
 */
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { mintToken } from '../pkg/auth/index.js';
import { migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../pkg/db/index.js';
import { catcastBinary, launch, listeningPort, type Launched } from '../pkg/process/index.js';

const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/** The services Schemathesis checks, by cmd/ name. */
export const SERVICES = ['ingest', 'aggregator', 'forecast-api'] as const;

interface Started {
  readonly name: string;
  readonly process: Launched;
  readonly port: Promise<number>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts cmd/<name> from source through pkg/process, as the integration tests do. */
function start(name: string, env: Record<string, string>): Started {
  const p = launch({
    name,
    ...catcastBinary(name, {
      root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    }),
  });
  const port = listeningPort(p, { timeoutMs: 120_000 });
  port.catch(() => undefined);
  return { name, process: p, port };
}

async function stop(s: Started): Promise<void> {
  await s.process.stop({ graceMs: 20_000 });
}

async function call(
  base: string,
  token: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`seed ${method} ${p} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * The `acme` of the documents' examples with a category, a product and an order; returns the ids
 * the configuration (test/schemathesis/schemathesis.toml) hands to Schemathesis.
 */
async function seed(ingest: string, token: string): Promise<Record<string, string>> {
  await call(ingest, token, 'PUT', '/v1/merchants/acme', {
    name: 'ACME',
    timezone: 'Europe/Berlin',
    weekStart: 'MONDAY',
    currency: 'EUR',
  });
  await call(ingest, token, 'PUT', '/v1/merchants/acme/categories/toys', { name: 'Toys' });
  await call(ingest, token, 'PUT', '/v1/merchants/acme/products/p1', { name: 'Kite', categoryId: 'toys' });
  const order = (await call(ingest, token, 'POST', '/v1/orders', {
    merchantId: 'acme',
    externalOrderId: 'o-1',
    currency: 'EUR',
    items: [{ productId: 'p1', quantity: 2, unitPrice: '19.99' }],
  })) as { id: string };
  return { CATCAST_ST_MERCHANT: 'acme', CATCAST_ST_ORDER_ID: order.id };
}

async function main(): Promise<number> {
  const began = Date.now();
  const dir = path.resolve(root, process.env.CATCAST_SCHEMATHESIS_DIR ?? '.data/schemathesis');
  const examples = process.env.CATCAST_SCHEMATHESIS_EXAMPLES ?? '40';
  const seedValue = process.env.CATCAST_SCHEMATHESIS_SEED ?? '1';
  const { stdout: installed } = await run('bash', [path.join(root, 'scripts/schemathesis-install.sh')]);
  const st = installed.trim().split('\n').at(-1)!;

  rmSync(path.join(dir, 'pg'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pgPort = Number(process.env.CATCAST_SCHEMATHESIS_PG_PORT ?? (await freePort()));
  let postgres: EmbeddedPostgresHandle | undefined;
  const services: Started[] = [];
  try {
    postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort, fast: true });
    await postgres.createDatabase('catcast');
    const databaseUrl = postgres.url('catcast');
    await migrate({ databaseUrl });

    const secret = 'schemathesis-hs256-secret-of-at-least-32-bytes';
    const token = await mintToken({ secret, scopes: ['admin'], merchants: '*', subject: 'schemathesis' });
    const env = { DATABASE_URL: databaseUrl, AUTH_MODE: 'jwt', AUTH_HS256_SECRET: secret };
    for (const name of SERVICES) services.push(start(name, env));
    const ports = await Promise.all(services.map((s) => s.port));
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    const ids = await seed(bases[0]!, token);
    console.log(`services up and seeded in ${((Date.now() - began) / 1000).toFixed(1)} s`);

    let status = 0;
    for (const [i, s] of services.entries()) {
      const args = [
        '--config-file',
        path.join(root, 'test/schemathesis/schemathesis.toml'),
        '--no-color',
        'run',
        `${bases[i]}/openapi.json`,
        '--checks',
        'all',
        '--max-examples',
        examples,
        '--seed',
        seedValue,
        // One worker: Hypothesis on CPython 3.11 can trip over its own lambda-source cache when two
        // threads draw at once ("AST constructor recursion depth mismatch"), an error of the tool.
        '--workers',
        '1',
        '--header',
        `Authorization: Bearer ${token}`,
        '--report',
        'junit',
        '--report-dir',
        path.join(dir, 'reports', s.name),
      ];
      console.log(`\n== schemathesis: ${s.name} (${bases[i]}/openapi.json)`);
      const t0 = Date.now();
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(st, args, { cwd: dir, stdio: 'inherit', env: { ...process.env, ...ids } });
        child.once('exit', (c) => resolve(c));
      });
      console.log(`== ${s.name}: exit ${code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (code !== 0) status = 1;
    }
    console.log(
      `\nschemathesis: ${status === 0 ? 'no findings' : 'FINDINGS (see above)'}, ` +
        `${((Date.now() - began) / 1000).toFixed(1)} s in all`,
    );
    return status;
  } finally {
    await Promise.all(services.map(stop));
    await postgres?.stop().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main().catch((err: unknown) => {
    console.error(err);
    return 1;
  });
}
