import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../config/index.js';
import type { DevStackOptions } from './dev.js';

/** The repository root (pkg/devstack/../..), where cmd/ and migrations/ live. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Environment of `make dev` (README, "make dev"); unset means pkg/devstack's default. */
const devEnv = z.object({
  /** Use this database instead of the embedded one. @default unset (embedded PostgreSQL) */
  DATABASE_URL: z.string().url().optional(),
  /** Real Kafka; unset runs relay and aggregator in one process over the embedded bus. @default unset */
  KAFKA_BROKERS: z.string().optional(),
  /** Where data, logs and secrets live. @default .data/dev */
  CATCAST_DEV_DATA_DIR: z.string().optional(),
  /** Merchants the first start simulates. @default 5 */
  CATCAST_DEV_MERCHANTS: z.coerce.number().int().positive().optional(),
  /** Days of history. @default 730 */
  CATCAST_DEV_DAYS: z.coerce.number().int().min(0).optional(),
  /** Mean orders per merchant and day of history. @default 10 */
  CATCAST_DEV_ORDERS_PER_DAY: z.coerce.number().positive().optional(),
  /** Live orders per second after the backfill. @default 2 */
  CATCAST_DEV_LIVE_RATE: z.coerce.number().min(0).optional(),
  /** Added to every port, to run a second stack beside one. @default 0 */
  CATCAST_DEV_PORT_OFFSET: z.coerce.number().int().min(0).max(50_000).optional(),
});

/** Reads `make dev`'s knobs; a bad value stops it before anything starts, naming the variable. */
export function parseDevStackConfig(env: Readonly<Record<string, string | undefined>>): DevStackOptions {
  const e = parseEnv(devEnv, env);
  return {
    root: REPO_ROOT,
    ...(e.DATABASE_URL !== undefined ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.KAFKA_BROKERS !== undefined ? { kafkaBrokers: e.KAFKA_BROKERS } : {}),
    ...(e.CATCAST_DEV_DATA_DIR !== undefined ? { dataDir: path.resolve(e.CATCAST_DEV_DATA_DIR) } : {}),
    ...(e.CATCAST_DEV_MERCHANTS !== undefined ? { merchants: e.CATCAST_DEV_MERCHANTS } : {}),
    ...(e.CATCAST_DEV_DAYS !== undefined ? { days: e.CATCAST_DEV_DAYS } : {}),
    ...(e.CATCAST_DEV_ORDERS_PER_DAY !== undefined ? { ordersPerDay: e.CATCAST_DEV_ORDERS_PER_DAY } : {}),
    ...(e.CATCAST_DEV_LIVE_RATE !== undefined ? { liveRate: e.CATCAST_DEV_LIVE_RATE } : {}),
    ...(e.CATCAST_DEV_PORT_OFFSET !== undefined ? { portOffset: e.CATCAST_DEV_PORT_OFFSET } : {}),
  };
}
