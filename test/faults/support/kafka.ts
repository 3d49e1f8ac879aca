import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DATA, ROOT } from './env.js';

const run = promisify(execFile);

/** A Kafka broker of its own (scripts/kafka.sh with private ports and data), safe to stop and start. */
export interface PrivateKafka {
  readonly brokers: string;
  up(): Promise<void>;
  /** Stops the broker (SIGTERM, SIGKILL after 20 s); data is kept, so `up` brings the same topics back. */
  down(): Promise<void>;
  /** Stops it and deletes its data. */
  reset(): Promise<void>;
}

/** A separate broker on `port` (controller on port + 1) with data under .data/faults/kafka-<name>. */
export function privateKafka(name: string, port: number): PrivateKafka {
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_DATA_DIR: path.join(DATA, `kafka-${name}`),
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m',
    KAFKA_STOP_TIMEOUT: '20',
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
    brokers: `127.0.0.1:${port}`,
    up: async () => void (await kafka('up')),
    down: async () => void (await kafka('down')),
    reset: async () => void (await kafka('reset')),
  };
}
