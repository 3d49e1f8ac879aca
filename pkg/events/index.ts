export {
  ORDER_CREATED,
  ORDER_CREATED_VERSION,
  ORDER_CREATED_V1_SCHEMA,
  EventSchemaError,
  decodeOrderCreated,
  isValidOrderCreated,
  type OrderCreatedV1,
  type OrderCreatedItem,
} from './order-created.js';
export type {
  OutgoingMessage,
  IncomingMessage,
  EventPublisher,
  EventSubscriber,
  BatchHandler,
} from './bus.js';
export { HEADERS } from './headers.js';
export {
  CHANGES_CHANNEL,
  EVERY_PERIOD,
  NOTIFY_CHANGES_SQL,
  changedPeriodKey,
  decodeChanges,
  encodeChanges,
  type ChangedPeriod,
} from './aggregate-changes.js';
