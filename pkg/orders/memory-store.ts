// An in-memory OrderStore for unit tests of the order service. It is checked against the Postgres
// store by the contract in contract.ts (unit: memory-store.test.ts; Postgres:
// test/integration/order-store.test.ts), so tests that use it test against the same behaviour.
import type { OrderCreatedV1 } from '../events/index.js';
import {
  productKey,
  type InsertOneResult,
  type MerchantInfo,
  type NewOrder,
  type NewOrderLine,
  type OrderDraft,
  type OrderStore,
  type StoredOrder,
} from './index.js';

/** A product of the in-memory catalog. */
export interface MemoryProduct {
  readonly merchantId: string;
  readonly productId: string;
  readonly categoryId: string;
}

/** One outbox row as the store wrote it. */
export interface MemoryOutboxEvent {
  readonly id: string;
  readonly orderId: string;
  readonly merchantId: string;
  readonly payload: OrderCreatedV1;
  readonly traceparent: string | undefined;
}

/** Options of {@link createMemoryOrderStore}. */
export interface MemoryOrderStoreOptions {
  readonly merchants?: readonly MerchantInfo[];
  readonly products?: readonly MemoryProduct[];
  /**
   * Called before each write (insertOrders, insertOne, insertMany) with its orders and the write's
   * number (from 1); an error it returns is thrown instead of writing (deadlocks, lost connections).
   */
  readonly failWrite?: (orders: readonly (NewOrder | OrderDraft)[], call: number) => Error | undefined;
  /** Creation time of inserted orders. @default the current time */
  readonly now?: () => Date;
}

/** The in-memory store plus what a test inspects. */
export interface MemoryOrderStore extends OrderStore {
  /** Orders by (merchant, external id). */
  readonly orders: ReadonlyMap<string, StoredOrder>;
  /** Outbox rows in insertion order. */
  readonly events: readonly MemoryOutboxEvent[];
  /** How many writes (insertOrders, insertOne, insertMany) were attempted. */
  writeCalls(): number;
}

/** An error shaped like node-postgres's DatabaseError: a message and a SQLSTATE `code`. */
function sqlError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

// The table constraints of ingestion.orders / order_items that an insert can break (migrations/).
function checkRow(
  o: NewOrder,
  known: (m: string, p: string) => string | undefined,
  categoryExists: (m: string, c: string) => boolean,
  merchant: boolean,
): void {
  if (!merchant) throw sqlError('23503', `merchant ${o.merchantId} does not exist (orders_merchant_id_fkey)`);
  if (o.externalOrderId.length < 1 || o.externalOrderId.length > 128)
    throw sqlError('23514', 'external_order_id length violates check constraint');
  if (o.totalMinor < 0n) throw sqlError('23514', 'total_minor violates check constraint');
  if (o.lines.length < 1) throw sqlError('23514', 'item_count violates check constraint');
  for (const l of o.lines) {
    if (l.lineNo < 1) throw sqlError('23514', 'line_no violates check constraint');
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 1_000_000)
      throw sqlError('23514', 'quantity violates check constraint');
    if (l.unitPriceMinor < 0n) throw sqlError('23514', 'unit_price_minor violates check constraint');
    if (l.amountMinor !== BigInt(l.quantity) * l.unitPriceMinor)
      throw sqlError('23514', 'amount_minor violates check constraint');
    if (known(o.merchantId, l.productId) === undefined)
      throw sqlError('23503', `product ${o.merchantId}/${l.productId} does not exist (order_items fkey)`);
    // The foreign key is to the merchant's categories, not to the product's current one.
    if (!categoryExists(o.merchantId, l.categoryId))
      throw sqlError('23503', `category ${o.merchantId}/${l.categoryId} does not exist (order_items fkey)`);
  }
}

/**
 * Creates an in-memory OrderStore over a fixed catalog: the same catalog checks, constraint errors
 * (SQLSTATE codes), duplicate skipping and outbox payloads as the Postgres store.
 */
export function createMemoryOrderStore(options: MemoryOrderStoreOptions = {}): MemoryOrderStore {
  const { failWrite, now = () => new Date() } = options;
  const merchants = new Map((options.merchants ?? []).map((m) => [m.id, m]));
  const categories = new Map(
    (options.products ?? []).map((p) => [productKey(p.merchantId, p.productId), p.categoryId]),
  );
  const merchantCategories = new Set(
    (options.products ?? []).map((p) => productKey(p.merchantId, p.categoryId)),
  );
  const categoryExists = (m: string, c: string) => merchantCategories.has(productKey(m, c));
  const orders = new Map<string, StoredOrder>();
  const ids = new Set<string>();
  const events: MemoryOutboxEvent[] = [];
  let calls = 0;
  const keyOf = (merchantId: string, externalOrderId: string) => `${merchantId}\u0000${externalOrderId}`;
  const categoryOf = (m: string, p: string) => categories.get(productKey(m, p));

  /** Writes orders that passed every check, skipping existing keys; all or nothing on a constraint error. */
  function write(batch: readonly NewOrder[]): Map<string, Date> {
    const staged = new Map<string, StoredOrder>();
    for (const o of batch) {
      checkRow(o, categoryOf, categoryExists, merchants.has(o.merchantId));
      const key = keyOf(o.merchantId, o.externalOrderId);
      if (orders.has(key) || staged.has(key)) continue;
      if (ids.has(o.id) || [...staged.values()].some((x) => x.id === o.id))
        throw sqlError('23505', `order id ${o.id} exists (orders_pkey)`);
      staged.set(key, {
        id: o.id,
        merchantId: o.merchantId,
        externalOrderId: o.externalOrderId,
        placedAt: o.placedAt,
        currency: o.currency,
        totalMinor: o.totalMinor,
        contentHash: o.contentHash,
        createdAt: now(),
        lines: [...o.lines].sort((a, b) => a.lineNo - b.lineNo),
      });
    }
    const inserted = new Map<string, Date>();
    const byId = new Map(batch.map((o) => [o.id, o]));
    for (const [key, stored] of staged) {
      orders.set(key, stored);
      ids.add(stored.id);
      inserted.set(stored.id, stored.createdAt);
      const o = byId.get(stored.id)!;
      events.push({
        id: o.eventId,
        orderId: o.id,
        merchantId: o.merchantId,
        payload: o.eventPayload,
        traceparent: o.traceparent,
      });
    }
    return inserted;
  }

  /** insertOne's catalog check and write, shared with insertMany. */
  function insertOne(d: OrderDraft): InsertOneResult {
    const merchant = merchants.get(d.merchantId);
    const found = d.lines.map((l) => categoryOf(d.merchantId, l.productId) ?? null);
    // Like the statement's `ok` CTE: write only with the merchant's currency and every product known.
    if (!merchant || merchant.currency !== d.currency || found.includes(null))
      return { merchant, categories: found, createdAt: undefined };
    const lines: NewOrderLine[] = d.lines.map((l, i) => ({ ...l, categoryId: found[i]! }));
    const sorted = [...lines].sort((a, b) => a.lineNo - b.lineNo);
    const eventPayload: OrderCreatedV1 = {
      ...d.eventTemplate,
      merchantTimezone: merchant.timezone,
      merchantWeekStart: merchant.weekStart,
      items: sorted.map((l) => ({
        productId: l.productId,
        categoryId: l.categoryId,
        quantity: l.quantity,
        amountMinor: l.amountMinor.toString(),
      })),
    };
    const inserted = write([{ ...d, lines, eventPayload }]);
    return { merchant, categories: found, createdAt: inserted.get(d.id) };
  }

  /** One write: the injected failure, else `fn`'s result, its errors as rejections. */
  async function attempt<T>(batch: readonly (NewOrder | OrderDraft)[], fn: () => T): Promise<T> {
    await Promise.resolve(); // asynchronous like a round trip: nothing happens before the caller awaits
    const failure = failWrite?.(batch, ++calls);
    if (failure) throw failure;
    return fn();
  }

  return {
    orders,
    events,
    writeCalls: () => calls,

    lookupCatalog(merchantIds, products) {
      const m = new Map<string, MerchantInfo>();
      for (const id of merchantIds) {
        const info = merchants.get(id);
        if (info) m.set(id, info);
      }
      const p = new Map<string, string>();
      for (const k of products) {
        const category = categoryOf(k.merchantId, k.productId);
        if (category !== undefined) p.set(productKey(k.merchantId, k.productId), category);
      }
      return Promise.resolve({ merchants: m, productCategories: p });
    },

    insertOrders: (batch) => attempt(batch, () => write(batch)),
    insertOne: (d) => attempt([d], () => insertOne(d)),
    insertMany: (drafts) => attempt(drafts, () => drafts.map(insertOne)),

    findByExternalIds(keys) {
      return Promise.resolve(keys.flatMap((k) => orders.get(keyOf(k.merchantId, k.externalOrderId)) ?? []));
    },

    getOrder(id) {
      return Promise.resolve([...orders.values()].find((o) => o.id === id));
    },
  };
}
