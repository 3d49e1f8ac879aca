import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../pkg/db/index.js';

const root = path.resolve(import.meta.dirname, '../..');
let pg: EmbeddedPostgresHandle | undefined;

/**
 * The sign-in browser tests (make test-login) need only Postgres besides what each file starts
 * itself (the identity provider, chromium): their own embedded PostgreSQL 17, with a data
 * directory and port of its own so it can run beside the integration suite.
 */
export async function setup(project: TestProject): Promise<void> {
  const dataDir = path.resolve(root, process.env.CATCAST_TEST_LOGIN_PG_DIR ?? '.data/test-login-pg');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = Number(process.env.CATCAST_TEST_LOGIN_PG_PORT ?? 24360);
  pg = await startEmbeddedPostgres({ dataDir, port, fast: true });
  project.provide('pgAdminUrl', pg.url('postgres'));
}

/** Stops the Postgres of {@link setup}. */
export async function teardown(): Promise<void> {
  await pg?.stop();
}
