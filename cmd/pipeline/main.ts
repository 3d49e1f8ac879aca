// Development only: relay + aggregator in one process over the embedded bus (no Kafka needed); the
// same pkg/relay and pkg/aggregation runs as cmd/relay and cmd/aggregator.
import { parseEmbeddedPipelineConfig, runEmbeddedPipeline } from '../../pkg/devstack/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({
  name: 'pipeline',
  parse: parseEmbeddedPipelineConfig,
  run: runEmbeddedPipeline,
  shutdownTimeoutSeconds: (c) => c.aggregator.SHUTDOWN_TIMEOUT_SECONDS,
});
