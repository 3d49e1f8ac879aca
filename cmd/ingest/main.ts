import { ConfigError } from '../../pkg/config/index.js';
import { parseIngestConfig, run } from '../../pkg/ingest/index.js';

// Wiring only: config from the environment, signals to an AbortController, failures to exit codes.
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());

try {
  await run(parseIngestConfig(process.env), controller.signal);
} catch (err) {
  process.stderr.write(
    err instanceof ConfigError
      ? `ingest: ${err.message}\n`
      : `ingest: fatal: ${(err as Error)?.stack ?? String(err)}\n`,
  );
  process.exitCode = 1;
}
