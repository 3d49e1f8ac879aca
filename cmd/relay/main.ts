// cmd/relay: publishes the outbox to Kafka (health/metrics on PORT, default 8083); the wiring is pkg/relay's run.
import { runMain } from '../../pkg/process/index.js';
import { parseRelayConfig, run } from '../../pkg/relay/index.js';

await runMain({ name: 'relay', parse: parseRelayConfig, run });
