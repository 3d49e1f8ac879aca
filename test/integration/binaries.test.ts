// Every binary's life is pkg/process's runMain: a configuration error exits 2 (never 1, whichever
// binary), before anything starts, with one line per binary naming the variables and no stack trace.
import { afterAll, describe, expect, it } from 'vitest';
import { startBinary, type ChildService } from './support/process.js';

const NOT_A_URL = 'not-a-url';
const started: ChildService[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.kill()));
});

const cases: ReadonlyArray<{
  name: string;
  env?: Record<string, string>;
  args?: string[];
  names: RegExp[];
}> = [
  {
    name: 'ingest',
    env: { DATABASE_URL: NOT_A_URL, PORT: 'eighty', INGEST_BODY_LIMIT_BYTES: '-5', AUTH_MODE: 'none' },
    names: [/DATABASE_URL/, /PORT/, /INGEST_BODY_LIMIT_BYTES/],
  },
  {
    // The service's and the AUTH_* variables are reported together.
    name: 'aggregator',
    env: { DATABASE_URL: NOT_A_URL, AUTH_MODE: 'jwt', AUTH_HS256_SECRET: '', AUTH_ISSUER: '' },
    names: [/DATABASE_URL/, /AUTH_MODE=jwt needs one of/],
  },
  {
    name: 'relay',
    env: { DATABASE_URL: NOT_A_URL, RELAY_BATCH_SIZE: '0' },
    names: [/DATABASE_URL/, /RELAY_BATCH_SIZE/],
  },
  {
    // Found by run, not by the schema: still a configuration error, still exit 2.
    name: 'relay',
    env: { DATABASE_URL: 'postgres://catcast@127.0.0.1:1/catcast', KAFKA_BROKERS: '' },
    names: [/KAFKA_BROKERS: required by the relay/],
  },
  {
    name: 'forecast-api',
    env: { DATABASE_URL: NOT_A_URL, FORECAST_STALE_AFTER_SECONDS: 'soon' },
    names: [/DATABASE_URL/, /FORECAST_STALE_AFTER_SECONDS/],
  },
  { name: 'forecast-job', env: { DATABASE_URL: NOT_A_URL, SHARD_COUNT: '0' }, names: [/SHARD_COUNT/] },
  {
    name: 'lag-metrics',
    env: { KAFKA_BROKERS: '', SECURE_PORT: 'https', TLS_CERT_FILE: '/tmp/cert.pem' },
    names: [/KAFKA_BROKERS/, /SECURE_PORT/],
  },
  {
    name: 'migrate',
    env: { DATABASE_URL: NOT_A_URL, MIGRATE_DIRECTION: 'sideways' },
    names: [/MIGRATE_DIRECTION/],
  },
  { name: 'simulator', args: ['--rate', 'lots'], names: [/--rate \(SIM_RATE\)/, /see simulator --help/] },
  { name: 'pipeline', env: { DATABASE_URL: NOT_A_URL, RELAY_PORT: 'x', AUTH_MODE: 'none' }, names: [/PORT/] },
  { name: 'dev', env: { CATCAST_DEV_MERCHANTS: 'five' }, names: [/CATCAST_DEV_MERCHANTS/] },
];

describe('binaries on a bad configuration', () => {
  it.each(cases)('cmd/$name exits 2 naming the problem', async ({ name, env = {}, args = [], names }) => {
    const bin = startBinary(name, env, args);
    started.push(bin);
    const code = await Promise.race([
      bin.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${name} still running: ${bin.log.join('')}`)), 90_000).unref(),
      ),
    ]);
    const log = bin.log.join('');
    expect(code, log).toBe(2);
    for (const re of names) expect(log).toMatch(re);
    expect(log).toMatch(new RegExp(`^${name === 'dev' ? 'catcast dev' : name}: `));
    expect(log).not.toMatch(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace
  });
});
