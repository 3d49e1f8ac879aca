export { OUTBOX_CHANNEL, OUTBOX_TABLE, appendOutboxSql, type OutboxAppend } from './table.js';
export { createOutboxNotifier } from './notifier.js';
export { registerOutboxBacklogMetrics } from './backlog-metrics.js';
export { toOutgoingMessage, EVENT_SOURCE, type OutboxRow } from './message.js';
