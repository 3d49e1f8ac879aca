// Public surface of pkg/telemetry. The SDK itself lives in sdk.ts and is loaded only by the preload
// (preload.ts), so importing this module costs nothing when telemetry is off.
export { telemetryDecision, defaultServiceName, type TelemetryDecision } from './env.js';
export { shutdownTelemetry, telemetryStarted, type TelemetryHandle } from './shutdown.js';
export {
  currentTraceparent,
  contextFromTraceparent,
  spanContextFromTraceparent,
  traceparentOf,
  logTraceFields,
} from './context.js';
export {
  traceOutboxBatch,
  tracePublish,
  traceConsumedBatch,
  type OutboxBatchTrace,
  type ConsumedBatchTrace,
  type TracedOutboxRow,
} from './messaging.js';
export {
  withSpan,
  startScope,
  annotateActiveSpan,
  failSpan,
  nameHttpSpan,
  recordErrorOnActiveSpan,
  type SpanScope,
} from './spans.js';
