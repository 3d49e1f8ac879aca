// `make dev`: the whole product on one machine (see pkg/devstack).
import path from 'node:path';
import { runDevStack } from '../../pkg/devstack/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
try {
  await runDevStack(
    {
      root: path.resolve(import.meta.dirname, '../..'),
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      ...(process.env.KAFKA_BROKERS ? { kafkaBrokers: process.env.KAFKA_BROKERS } : {}),
    },
    controller.signal,
  );
} catch (err) {
  process.stderr.write(`catcast dev: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
