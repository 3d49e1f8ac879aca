// Development only: relay + aggregator in one process over the embedded bus (no Kafka needed).
import { ConfigError } from '../../pkg/config/index.js';
import { runEmbeddedPipeline } from '../../pkg/devstack/index.js';
import { createLogger } from '../../pkg/log/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
const logger = createLogger({ service: 'pipeline', level: process.env.LOG_LEVEL ?? 'info' });
try {
  await runEmbeddedPipeline(process.env, logger, controller.signal);
} catch (err) {
  process.stderr.write(
    `pipeline: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
