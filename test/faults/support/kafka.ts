import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../integration/support/wait.js';
import { DATA, ROOT } from './env.js';

/** Whether process `pid` is gone (no /proc entry, or a zombie waiting to be reaped). */
export function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(') ') + 2, stat.lastIndexOf(') ') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

const run = promisify(execFile);

/** A Kafka broker of its own (scripts/kafka.sh with private ports and data), safe to stop and start. */
export interface PrivateKafka {
  readonly brokers: string;
  up(): Promise<void>;
  /** Stops the broker (SIGTERM, SIGKILL after 20 s); data is kept, so `up` brings the same topics back. */
  down(): Promise<void>;
  /** Stops it and deletes its data. */
  reset(): Promise<void>;
  /** SIGKILLs the broker JVM (no clean shutdown, unflushed log segments recovered at the next `up`); resolves once it is gone. */
  kill(): Promise<number>;
}

/**
 * A separate broker on `port` (controller on port + 1) with data under .data/faults/kafka-<name>.
 * `advertisedPort` makes clients connect through a proxy listening there.
 */
export function privateKafka(
  name: string,
  port: number,
  options: { advertisedPort?: number } = {},
): PrivateKafka {
  const dataDir = path.join(DATA, `kafka-${name}`);
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_ADVERTISED_PORT: String(options.advertisedPort ?? port),
    KAFKA_DATA_DIR: dataDir,
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m',
    KAFKA_STOP_TIMEOUT: '20',
    // Log recovery after a SIGKILL takes long on a loaded 2-core machine.
    KAFKA_START_TIMEOUT: process.env.KAFKA_START_TIMEOUT ?? '180',
  };
  const kafka = (cmd: string) =>
    run('bash', [path.join(ROOT, 'scripts/kafka.sh'), cmd], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (err: unknown) => {
        throw new Error(
          `scripts/kafka.sh ${cmd} (private broker ${name}) failed: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      },
    );
  return {
    brokers: `127.0.0.1:${options.advertisedPort ?? port}`,
    up: async () => void (await kafka('up')),
    down: async () => void (await kafka('down')),
    reset: async () => void (await kafka('reset')),
    async kill() {
      const pid = Number(readFileSync(path.join(dataDir, 'kafka.pid'), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no broker pid in ${dataDir}/kafka.pid`);
      process.kill(pid, 'SIGKILL');
      await waitFor('the killed broker to be gone', () => gone(pid), { timeoutMs: 30_000, intervalMs: 50 });
      return pid;
    },
  };
}
