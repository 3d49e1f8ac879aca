export { parseRelayConfig, relayEnv, type RelayConfig } from './config.js';
export { relayMetrics, type RelayMetrics } from './metrics.js';
export { Relay, RelayPublishError, type RelayOptions } from './relay.js';
export { listenForOutbox, type OutboxListenerOptions } from './listener.js';
export { deletePublishedOutboxRows, runRetention, type RetentionOptions } from './retention.js';
export { run, type RelayDeps } from './run.js';
