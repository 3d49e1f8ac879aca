import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../pkg/db/index.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let pg: EmbeddedPostgresHandle | undefined;
// A broker of the suite's own (ports and data apart from the integration tests' 19092), so that another
// test run on the same machine stopping its broker cannot pull it away in the middle of a scenario.
const kafkaPort = Number(process.env.CATCAST_FAULTS_KAFKA_PORT ?? 24692);
const kafkaEnv = {
  ...process.env,
  KAFKA_PORT: String(kafkaPort),
  KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
  KAFKA_DATA_DIR: path.join(root, '.data/faults/kafka-shared'),
};

/**
 * The shared dependencies of the fault scenarios: an embedded PostgreSQL 17 and a single-node Kafka
 * like the integration tests' (createTestDatabase and inject('kafkaBrokers') work the same),
 * without the kube-apiserver they do not need. Scenarios that stop a dependency start a private one.
 */
export async function setup(project: TestProject): Promise<void> {
  const dataDir = path.resolve(root, process.env.CATCAST_FAULTS_PG_DIR ?? '.data/faults/shared-pg');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  pg = await startEmbeddedPostgres({
    dataDir,
    port: Number(process.env.CATCAST_FAULTS_PG_PORT ?? 24931),
    fast: true,
  });
  project.provide('pgAdminUrl', pg.url('postgres'));
  const { stdout } = await run('bash', [path.join(root, 'scripts/kafka.sh'), 'up'], {
    env: kafkaEnv,
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
    // The suite's own broker (kafkaEnv): the default environment would name the integration one.
    await run('bash', [path.join(root, 'scripts/kafka.sh'), 'down'], { env: kafkaEnv }).catch(
      () => undefined,
    );
}
