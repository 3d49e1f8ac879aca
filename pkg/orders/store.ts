import type { WeekStart } from '../buckets/index.js';
import type { OrderCreatedV1 } from '../events/index.js';

/** What an order needs to know about its merchant. */
export interface MerchantInfo {
  readonly id: string;
  readonly currency: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
}

/** A (merchant, product) reference. */
export interface ProductKey {
  readonly merchantId: string;
  readonly productId: string;
}

/** The catalog facts a set of orders refers to, read in one round trip. */
export interface CatalogSnapshot {
  readonly merchants: ReadonlyMap<string, MerchantInfo>;
  /** Category of each known product, keyed by {@link productKey}. */
  readonly productCategories: ReadonlyMap<string, string>;
}

/** Map key of a (merchant, product) pair; ids cannot contain NUL. */
export function productKey(merchantId: string, productId: string): string {
  return `${merchantId}\u0000${productId}`;
}

/** One line of an order to insert. */
export interface NewOrderLine {
  readonly lineNo: number;
  readonly productId: string;
  readonly categoryId: string;
  readonly quantity: number;
  readonly unitPriceMinor: bigint;
  readonly amountMinor: bigint;
}

/** An order plus its outbox event, ready to insert. */
export interface NewOrder {
  readonly id: string;
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly placedAt: Date;
  readonly currency: string;
  readonly totalMinor: bigint;
  readonly contentHash: string;
  readonly lines: readonly NewOrderLine[];
  readonly eventId: string;
  /** The order.created payload. */
  readonly eventPayload: OrderCreatedV1;
  readonly traceparent: string | undefined;
}

/** The order.created payload minus what the database fills in from the catalog. */
export type OrderCreatedTemplate = Omit<OrderCreatedV1, 'merchantTimezone' | 'merchantWeekStart' | 'items'>;

/** A single order to insert before its catalog references were checked (see {@link OrderStore.insertOne}). */
export interface OrderDraft {
  readonly id: string;
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly placedAt: Date;
  readonly currency: string;
  readonly totalMinor: bigint;
  readonly contentHash: string;
  readonly lines: readonly Omit<NewOrderLine, 'categoryId'>[];
  readonly eventId: string;
  readonly eventTemplate: OrderCreatedTemplate;
  readonly traceparent: string | undefined;
}

/** What {@link OrderStore.insertOne} saw and did. */
export interface InsertOneResult {
  /** The merchant, when it exists. */
  readonly merchant: MerchantInfo | undefined;
  /** Category of each line's product (by line), null when the merchant has no such product. */
  readonly categories: readonly (string | null)[];
  /** Set when the order was inserted; unset when it was refused or its external id already existed. */
  readonly createdAt: Date | undefined;
}

/** An order as stored. */
export interface StoredOrder {
  readonly id: string;
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly placedAt: Date;
  readonly currency: string;
  readonly totalMinor: bigint;
  readonly contentHash: string;
  readonly createdAt: Date;
  readonly lines: readonly NewOrderLine[];
}

/** Where orders are stored: the SQL behind order ingestion (pg-store.ts) or a test's stand-in. */
export interface OrderStore {
  /** Reads the merchants and products that orders refer to. */
  lookupCatalog(merchantIds: readonly string[], products: readonly ProductKey[]): Promise<CatalogSnapshot>;
  /**
   * Inserts orders, their items and one outbox event each, in one statement (one transaction), and
   * notifies the relay; an order whose (merchant, external id) already exists is skipped.
   * Returns the creation time of each order actually inserted, by id.
   */
  insertOrders(orders: readonly NewOrder[]): Promise<Map<string, Date>>;
  /**
   * Checks one order against the catalog and, only if the merchant exists with the order's currency
   * and every product exists, inserts it with its items (categories as of now) and its outbox event,
   * in ONE statement: a single round trip for the common case.
   */
  insertOne(draft: OrderDraft): Promise<InsertOneResult>;
  /**
   * {@link insertOne} for several independent orders with distinct (merchant, external id) in ONE
   * statement: each is checked and written (or not) on its own, as if inserted alone. Results are in
   * input order.
   */
  insertMany(drafts: readonly OrderDraft[]): Promise<InsertOneResult[]>;
  /** Reads existing orders by their (merchant, external id). */
  findByExternalIds(keys: readonly { merchantId: string; externalOrderId: string }[]): Promise<StoredOrder[]>;
  /** Reads one order by id. */
  getOrder(id: string): Promise<StoredOrder | undefined>;
}
