import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../pkg/db/index.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the admin database of the shared embedded Postgres. */
    pgAdminUrl: string;
    /** Kafka bootstrap address of the shared broker. */
    kafkaBrokers: string;
  }
}

let pg: EmbeddedPostgresHandle | undefined;

/**
 * Starts the real dependencies once for the whole integration run: embedded PostgreSQL 17 and a
 * single-node Kafka 4 broker. A dependency that cannot start fails the run; nothing is skipped.
 */
export async function setup(project: TestProject): Promise<void> {
  // Overridable so that several test runs on one machine do not share a data directory or port.
  const dataDir = path.resolve(root, process.env.CATCAST_TEST_PG_DIR ?? '.data/test-pg');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = Number(process.env.CATCAST_TEST_PG_PORT ?? 54330);
  pg = await startEmbeddedPostgres({ dataDir, port, fast: true });
  project.provide('pgAdminUrl', pg.url('postgres'));

  const kafkaPort = process.env.CATCAST_TEST_KAFKA_PORT ?? '19092';
  const { stdout } = await run('bash', [path.join(root, 'scripts/kafka.sh'), 'up'], {
    env: { ...process.env, KAFKA_PORT: kafkaPort },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: unknown) => {
    throw new Error(`cannot start Kafka with scripts/kafka.sh up: ${(err as Error).message}`, { cause: err });
  });
  const brokers = stdout.trim().split('\n').at(-1) ?? '';
  if (!/^[\w.-]+:\d+$/.test(brokers))
    throw new Error(`scripts/kafka.sh up printed no bootstrap address: ${stdout}`);
  project.provide('kafkaBrokers', brokers);
}

/** Stops what setup started. */
export async function teardown(): Promise<void> {
  await pg?.stop();
  if (process.env.CATCAST_KEEP_KAFKA !== '1') {
    await run('bash', [path.join(root, 'scripts/kafka.sh'), 'down'], { env: process.env }).catch(
      () => undefined,
    );
  }
}
