import { z } from 'zod';
import { commonEnv, parseEnv, without } from '../config/index.js';

const migrateEnv = z.object({
  // No HTTP server: HOST is not read.
  ...without(commonEnv, 'HOST'),
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
