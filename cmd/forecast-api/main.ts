// forecast-api: next-period forecasts, model comparison and the merchant UI (port 8090).
import { ConfigError } from '../../pkg/config/index.js';
import { parseForecastApiConfig, runForecastApi } from '../../pkg/forecast-api/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { shutdownTelemetry } from '../../pkg/telemetry/index.js';
import { uiRoutes } from '../../pkg/ui/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
try {
  const config = parseForecastApiConfig(process.env);
  const logger = createLogger({ service: 'forecast-api', level: config.LOG_LEVEL });
  await runForecastApi(config, { logger, extras: { ui: uiRoutes() } }, controller.signal);
} catch (err) {
  process.stderr.write(
    `forecast-api: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
await shutdownTelemetry();
