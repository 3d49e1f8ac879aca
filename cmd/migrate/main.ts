// cmd/migrate: applies the SQL migrations (a Kubernetes Job / Helm hook runs this before the
// Deployments roll); the work is pkg/db's runMigrations.
import { parseMigrateConfig, runMigrations } from '../../pkg/db/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'migrate', parse: parseMigrateConfig, run: runMigrations });
