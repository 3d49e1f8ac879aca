// cmd/relay: publishes the outbox to Kafka (health/metrics on PORT, default 8083); the wiring is pkg/outbox's run.
import { parseRelayConfig, run } from '../../pkg/outbox/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'relay', parse: parseRelayConfig, run });
