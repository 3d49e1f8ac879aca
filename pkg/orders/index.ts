export { systemClock, type Clock } from './clock.js';
export { coalesceInserts, type InsertCoalescerOptions } from './coalesce.js';
export { uuidv7 } from './uuid.js';
export {
  orderInputSchema,
  orderItemInputSchema,
  MAX_ITEMS_PER_ORDER,
  MAX_ORDERS_PER_BATCH,
  MAX_QUANTITY,
  type OrderInput,
} from './schema.js';
export {
  prepareOrder,
  canonicalContent,
  contentHash,
  MAX_MINOR,
  MAX_ORDER_MINOR,
  EARLIEST_PLACED_AT,
  type PreparedOrder,
  type PreparedLine,
  type PrepareOptions,
} from './prepare.js';
export { OrderRejection, REJECT_REASONS, type RejectReason, type OrderFieldError } from './rejection.js';
export { createPgOrderStore, type PgOrderStoreOptions } from './pg-store.js';
export {
  productKey,
  type OrderStore,
  type CatalogSnapshot,
  type MerchantInfo,
  type ProductKey,
  type NewOrder,
  type NewOrderLine,
  type OrderDraft,
  type OrderCreatedTemplate,
  type InsertOneResult,
  type StoredOrder,
} from './store.js';
export {
  toOrderView,
  toOrderSummary,
  type OrderView,
  type OrderSummaryView,
  type OrderItemView,
} from './view.js';
export {
  createOrderService,
  type OrderService,
  type OrderServiceOptions,
  type SubmitOptions,
  type SubmitResult,
  type BatchResult,
} from './service.js';
