import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { runner } from 'node-pg-migrate';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  readonly databaseUrl: string;
  /** Folder of SQL migrations. @default <repo>/migrations */
  readonly dir?: string;
  /** up or down. @default up */
  readonly direction?: 'up' | 'down';
  /** How many to run. @default all (up), 1 (down) */
  readonly count?: number;
  /** Where progress goes. @default silent */
  readonly log?: (msg: string) => void;
}

/** Default location of the SQL migrations, relative to this file in both src and dist layouts. */
export function defaultMigrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src: pkg/db -> ../../migrations ; dist: dist/pkg/db -> ../../../migrations
  const candidates = [path.resolve(here, '../../migrations'), path.resolve(here, '../../../migrations')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Applies the SQL migrations with node-pg-migrate under its advisory lock (safe with concurrent runners). */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const direction = options.direction ?? 'up';
  const log = options.log ?? (() => undefined);
  const ran = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.dir ?? defaultMigrationsDir(),
    direction,
    count: options.count ?? (direction === 'up' ? Infinity : 1),
    migrationsTable: 'pgmigrations',
    migrationsSchema: 'public',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log,
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return ran.map((m) => m.name);
}
