// The forecast precompute (a Kubernetes CronJob per shard): exit 0 on success or when another run
// holds the shard's lease, 1 on failure, 2 on bad configuration.
import { ConfigError } from '../../pkg/config/index.js';
import { parseForecastJobConfig, runForecastJobFromConfig } from '../../pkg/forecast-job/index.js';
import { createKubernetesLeaseStore } from '../../pkg/leader/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { shutdownTelemetry } from '../../pkg/telemetry/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
try {
  const config = parseForecastJobConfig(process.env);
  const logger = createLogger({ service: 'forecast-job', level: config.LOG_LEVEL });
  const summary = await runForecastJobFromConfig(
    config,
    {
      logger,
      // LEASE_STORE=kubernetes: in a pod the service account's token (loadFromDefault falls back to
      // in-cluster config); the namespace defaults to the pod's. A renewal is a get and a replace,
      // so each request gets half the renew deadline.
      kubernetesLeaseStore: (c) =>
        createKubernetesLeaseStore({
          namespace: c.LEASE_NAMESPACE,
          requestTimeoutMs: (c.LEASE_RENEW_DEADLINE_SECONDS * 1000) / 2,
        }),
    },
    controller.signal,
  );
  process.exitCode = summary.status === 'succeeded' || summary.status === 'not_leader' ? 0 : 1;
} catch (err) {
  process.stderr.write(
    `forecast-job: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
await shutdownTelemetry();
