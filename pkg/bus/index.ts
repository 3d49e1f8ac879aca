export { EmbeddedBus, EmbeddedBusTimeoutError, type EmbeddedBusOptions } from './embedded.js';
export { backoffDelay, abortableSleep } from './backoff.js';
