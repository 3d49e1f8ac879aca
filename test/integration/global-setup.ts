import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
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
    /** Admin kubeconfig of the shared kube-apiserver (scripts/kube-apiserver.sh). */
    kubeconfig: string;
  }
}

let pg: EmbeddedPostgresHandle | undefined;

// The test API server has its own data dir and ports so that a developer's `scripts/kube-apiserver.sh up`
// (defaults .data/kube, 16443, 12379) can keep running beside a test run.
const kubeEnv = {
  ...process.env,
  KUBE_DATA_DIR: path.resolve(root, process.env.CATCAST_TEST_KUBE_DIR ?? '.data/test-kube'),
  KUBE_APISERVER_PORT: process.env.CATCAST_TEST_KUBE_PORT ?? '16643',
  ETCD_PORT: process.env.CATCAST_TEST_ETCD_PORT ?? '12579',
  ETCD_PEER_PORT: process.env.CATCAST_TEST_ETCD_PEER_PORT ?? '12580',
};
const kubeScript = path.join(root, 'scripts/kube-apiserver.sh');

/** Starts etcd + kube-apiserver on an empty etcd (PKI kept) and returns the admin kubeconfig path. */
async function startKubeApiserver(): Promise<string> {
  // Every run starts from an empty store: namespaces never finish deleting without controllers, so
  // old ones would pile up. The PKI is kept; generating it costs seconds.
  await run('bash', [kubeScript, 'down'], { env: kubeEnv });
  rmSync(path.join(kubeEnv.KUBE_DATA_DIR, 'etcd'), { recursive: true, force: true });
  try {
    await run('bash', [kubeScript, 'up'], { env: kubeEnv, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const message = `cannot start kube-apiserver with scripts/kube-apiserver.sh up: ${(err as Error).message}`;
    throw new Error(message, { cause: err });
  }
  return path.join(kubeEnv.KUBE_DATA_DIR, 'admin.kubeconfig');
}

/**
 * Starts the real dependencies once for the whole integration run: embedded PostgreSQL 17, a
 * single-node Kafka 4 broker and a kube-apiserver with etcd. A dependency that cannot start fails
 * the run; nothing is skipped.
 */
export async function setup(project: TestProject): Promise<void> {
  // Started first and awaited last: it boots while Postgres and Kafka do.
  const kube = startKubeApiserver();
  kube.catch(() => undefined); // awaited below; this only stops an early rejection from being unhandled
  // Overridable so that several test runs on one machine do not share a data directory or port.
  const dataDir = path.resolve(root, process.env.CATCAST_TEST_PG_DIR ?? '.data/test-pg');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = Number(process.env.CATCAST_TEST_PG_PORT ?? 24330);
  pg = await startEmbeddedPostgres({ dataDir, port, fast: true });
  project.provide('pgAdminUrl', pg.url('postgres'));

  const kafkaPort = process.env.CATCAST_TEST_KAFKA_PORT ?? '19092';
  const { stdout } = await run('bash', [path.join(root, 'scripts/kafka.sh'), 'up'], {
    // The controller port follows the client port, so that two runs with different
    // CATCAST_TEST_KAFKA_PORT values do not both try to bind the default 19093.
    env: { ...process.env, KAFKA_PORT: kafkaPort, KAFKA_CONTROLLER_PORT: String(Number(kafkaPort) + 1) },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: unknown) => {
    throw new Error(`cannot start Kafka with scripts/kafka.sh up: ${(err as Error).message}`, { cause: err });
  });
  const brokers = stdout.trim().split('\n').at(-1) ?? '';
  if (!/^[\w.-]+:\d+$/.test(brokers))
    throw new Error(`scripts/kafka.sh up printed no bootstrap address: ${stdout}`);
  project.provide('kafkaBrokers', brokers);
  project.provide('kubeconfig', await kube);
}

/** Stops what setup started. */
export async function teardown(): Promise<void> {
  await pg?.stop();
  if (process.env.CATCAST_KEEP_KUBE !== '1') {
    await run('bash', [kubeScript, 'down'], { env: kubeEnv }).catch(() => undefined);
  }
  if (process.env.CATCAST_KEEP_KAFKA !== '1') {
    await run('bash', [path.join(root, 'scripts/kafka.sh'), 'down'], { env: process.env }).catch(
      () => undefined,
    );
  }
}
