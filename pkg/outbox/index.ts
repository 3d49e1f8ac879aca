export { parseRelayConfig, relayEnv, type RelayConfig } from './config.js';
export { toOutgoingMessage, EVENT_SOURCE, type OutboxRow } from './message.js';
export { relayMetrics, registerOutboxBacklogMetrics, type RelayMetrics } from './metrics.js';
export { Relay, RelayPublishError, type RelayOptions } from './relay.js';
export { listenForOutbox, OUTBOX_CHANNEL, type OutboxListenerOptions } from './listener.js';
export { deletePublishedOutboxRows, runRetention, type RetentionOptions } from './retention.js';
export { run, type RelayDeps } from './run.js';
