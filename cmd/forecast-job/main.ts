// The forecast precompute (a Kubernetes CronJob per shard): exit 0 on success or when another run
// holds the shard's lease, 1 on failure, 2 on bad configuration.
import { ConfigError } from '../../pkg/config/index.js';
import { parseForecastJobConfig, runForecastJobFromConfig } from '../../pkg/forecasting/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { shutdownTelemetry } from '../../pkg/telemetry/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
try {
  const config = parseForecastJobConfig(process.env);
  const logger = createLogger({ service: 'forecast-job', level: config.LOG_LEVEL });
  const summary = await runForecastJobFromConfig(config, { logger }, controller.signal);
  process.exitCode = summary.status === 'succeeded' || summary.status === 'not_leader' ? 0 : 1;
} catch (err) {
  process.stderr.write(
    `forecast-job: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
await shutdownTelemetry();
