import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../pkg/db/index.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let pg: EmbeddedPostgresHandle | undefined;

/**
 * The shared dependencies of the fault scenarios: the same embedded PostgreSQL 17 and single-node
 * Kafka as the integration tests provide (createTestDatabase and inject('kafkaBrokers') work the same),
 * without the kube-apiserver they do not need. Scenarios that stop a dependency start a private one.
 */
export async function setup(project: TestProject): Promise<void> {
  const dataDir = path.resolve(root, process.env.CATCAST_FAULTS_PG_DIR ?? '.data/faults/shared-pg');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  pg = await startEmbeddedPostgres({
    dataDir,
    port: Number(process.env.CATCAST_FAULTS_PG_PORT ?? 54931),
    fast: true,
  });
  project.provide('pgAdminUrl', pg.url('postgres'));
  const { stdout } = await run('bash', [path.join(root, 'scripts/kafka.sh'), 'up'], {
    env: { ...process.env, KAFKA_PORT: process.env.CATCAST_TEST_KAFKA_PORT ?? '19092' },
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
  if (process.env.CATCAST_KEEP_KAFKA !== '1')
    await run('bash', [path.join(root, 'scripts/kafka.sh'), 'down'], { env: process.env }).catch(
      () => undefined,
    );
}
