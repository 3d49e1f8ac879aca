export { EmbeddedBus, EmbeddedBusTimeoutError, type EmbeddedBusOptions } from './embedded.js';
