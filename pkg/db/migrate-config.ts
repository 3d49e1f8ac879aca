import { z } from 'zod';
import { commonEnv, parseEnv } from '../config/index.js';

const migrateEnv = z.object({
  ...commonEnv,
  /** Postgres connection string to migrate. Required. */
  DATABASE_URL: z.string().url(),
  /** up or down. @default up */
  MIGRATE_DIRECTION: z.enum(['up', 'down']).default('up'),
});

/** Configuration of cmd/migrate. */
export type MigrateConfig = z.infer<typeof migrateEnv>;

/** Parses the migrate job's environment. */
export function parseMigrateConfig(env: Record<string, string | undefined>): MigrateConfig {
  return parseEnv(migrateEnv, env);
}
