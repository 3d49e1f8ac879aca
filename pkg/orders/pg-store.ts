import type { WeekStart } from '../buckets/index.js';
import { toColumns, withTransaction, type Pool, type Queryable } from '../db/index.js';
import { createOutboxNotifier } from '../outbox/index.js';
import {
  FIND_BY_EXTERNAL_IDS,
  FIND_BY_EXTERNAL_IDS_PARAMS,
  GET_ORDER,
  GET_ORDER_PARAMS,
  INSERT_MANY,
  INSERT_MANY_PARAMS,
  INSERT_ONE,
  INSERT_ONE_PARAMS,
  INSERT_ORDERS,
  INSERT_ORDERS_PARAMS,
  LOOKUP_CATALOG,
  LOOKUP_CATALOG_PARAMS,
  ORDER_HEAD_FIELDS,
} from './sql.js';
import {
  productKey,
  type InsertOneResult,
  type MerchantInfo,
  type NewOrder,
  type NewOrderLine,
  type OrderDraft,
  type OrderStore,
  type StoredOrder,
} from './store.js';

interface OrderRow {
  id: string;
  merchant_id: string;
  external_order_id: string;
  placed_at: Date;
  currency: string;
  total_minor: bigint;
  content_hash: string;
  created_at: Date;
  lines:
    | {
        lineNo: number;
        productId: string;
        categoryId: string;
        quantity: number;
        unitPriceMinor: string;
        amountMinor: string;
      }[]
    | null;
}

function toStoredOrder(r: OrderRow): StoredOrder {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    externalOrderId: r.external_order_id,
    placedAt: r.placed_at,
    currency: r.currency,
    totalMinor: r.total_minor,
    contentHash: r.content_hash,
    createdAt: r.created_at,
    lines: (r.lines ?? []).map((l) => ({
      lineNo: l.lineNo,
      productId: l.productId,
      categoryId: l.categoryId,
      quantity: l.quantity,
      unitPriceMinor: BigInt(l.unitPriceMinor),
      amountMinor: BigInt(l.amountMinor),
    })),
  };
}

interface InsertOneRow {
  merchant_currency: string | null;
  merchant_timezone: string | null;
  merchant_week_start: WeekStart | null;
  categories: (string | null)[] | null;
  created_at: Date | null;
}

function toInsertOneResult(d: OrderDraft, row: InsertOneRow): InsertOneResult {
  return {
    merchant:
      row.merchant_currency === null
        ? undefined
        : {
            id: d.merchantId,
            currency: row.merchant_currency,
            timezone: row.merchant_timezone!,
            weekStart: row.merchant_week_start!,
          },
    categories: row.categories ?? d.lines.map(() => null),
    createdAt: row.created_at ?? undefined,
  };
}

/** Options of {@link createPgOrderStore}. */
export interface PgOrderStoreOptions {
  /**
   * A batch insert with more items than this runs in an explicit transaction with its own statement
   * timeout, so a legitimately huge backfill is not cut off by the pool's API timeout. @default 20000
   */
  readonly bulkItemThreshold?: number;
  /** Statement timeout of such bulk inserts, in ms. @default 120000 */
  readonly bulkStatementTimeoutMs?: number;
  /** Wakes the relay after orders were inserted. @default a coalescing NOTIFY on `db` (pkg/outbox) */
  readonly notifyOutbox?: () => void;
}

function isPool(db: Queryable): db is Pool {
  return typeof (db as Partial<Pool>).connect === 'function' && 'totalCount' in db;
}

/** The order-row parameters of one order (see ORDER_HEAD_FIELDS). */
function orderHead(o: OrderDraft | NewOrder) {
  return {
    id: o.id,
    merchantId: o.merchantId,
    externalOrderId: o.externalOrderId,
    placedAt: o.placedAt.toISOString(),
    currency: o.currency,
    totalMinor: o.totalMinor.toString(),
    itemCount: o.lines.length,
    contentHash: o.contentHash,
  };
}

const LINE_FIELDS = ['lineNos', 'productIds', 'quantities', 'unitPricesMinor', 'amountsMinor'] as const;

/** The line parameters of one line, common to every insert. */
function lineValues(l: Omit<NewOrderLine, 'categoryId'>) {
  return {
    lineNos: l.lineNo,
    productIds: l.productId,
    quantities: l.quantity,
    unitPricesMinor: l.unitPriceMinor.toString(),
    amountsMinor: l.amountMinor.toString(),
  };
}

/** Creates the Postgres order store; statements are named, so each connection parses them once. */
export function createPgOrderStore(db: Queryable, options: PgOrderStoreOptions = {}): OrderStore {
  const {
    bulkItemThreshold = 20_000,
    bulkStatementTimeoutMs = 120_000,
    notifyOutbox = createOutboxNotifier(db),
  } = options;
  return {
    async lookupCatalog(merchantIds, products) {
      const result = await db.query<{
        kind: 'm' | 'p';
        merchant_id: string;
        product_id: string | null;
        currency: string | null;
        timezone: string | null;
        week_start: WeekStart | null;
        category_id: string | null;
      }>({
        name: 'orders_lookup_catalog',
        text: LOOKUP_CATALOG,
        values: LOOKUP_CATALOG_PARAMS.values({
          merchantIds,
          productMerchantIds: products.map((p) => p.merchantId),
          productIds: products.map((p) => p.productId),
        }),
      });
      const merchants = new Map<string, MerchantInfo>();
      const productCategories = new Map<string, string>();
      for (const row of result.rows) {
        if (row.kind === 'm') {
          merchants.set(row.merchant_id, {
            id: row.merchant_id,
            currency: row.currency!,
            timezone: row.timezone!,
            weekStart: row.week_start!,
          });
        } else {
          productCategories.set(productKey(row.merchant_id, row.product_id!), row.category_id!);
        }
      }
      return { merchants, productCategories };
    },

    async insertOrders(orders) {
      const lines = orders.flatMap((o) =>
        o.lines.map((l) => ({ lineOrderIds: o.id, categoryIds: l.categoryId, ...lineValues(l) })),
      );
      const statement = {
        name: 'orders_insert',
        text: INSERT_ORDERS,
        values: INSERT_ORDERS_PARAMS.values({
          ...toColumns(ORDER_HEAD_FIELDS, orders.map(orderHead)),
          ...toColumns([...LINE_FIELDS, 'lineOrderIds', 'categoryIds'], lines),
          eventIds: orders.map((o) => o.eventId),
          payloads: JSON.stringify(orders.map((o) => o.eventPayload)),
          traceparents: orders.map((o) => o.traceparent ?? null),
        }),
      };
      type Row = { id: string; created_at: Date };
      const result =
        lines.length > bulkItemThreshold && isPool(db)
          ? await withTransaction(db, async (tx) => {
              await tx.query(`SET LOCAL statement_timeout = ${Math.floor(bulkStatementTimeoutMs)}`);
              return tx.query<Row>(statement);
            })
          : await db.query<Row>(statement);
      if (result.rows.length > 0) notifyOutbox();
      return new Map(result.rows.map((r) => [r.id, r.created_at]));
    },

    async insertOne(d) {
      const result = await db.query<InsertOneRow>({
        name: 'orders_insert_one',
        text: INSERT_ONE,
        values: INSERT_ONE_PARAMS.values({
          ...orderHead(d),
          ...toColumns(LINE_FIELDS, d.lines.map(lineValues)),
          eventId: d.eventId,
          template: JSON.stringify(d.eventTemplate),
          traceparent: d.traceparent ?? null,
        }),
      });
      const row = result.rows[0]!;
      if (row.created_at) notifyOutbox();
      return toInsertOneResult(d, row);
    },

    async insertMany(drafts) {
      if (drafts.length === 0) return [];
      const lines = drafts.flatMap((d, i) => d.lines.map((l) => ({ lineOrderNos: i + 1, ...lineValues(l) })));
      const result = await db.query<InsertOneRow & { n: string }>({
        name: 'orders_insert_many',
        text: INSERT_MANY,
        values: INSERT_MANY_PARAMS.values({
          ...toColumns(ORDER_HEAD_FIELDS, drafts.map(orderHead)),
          eventId: drafts.map((d) => d.eventId),
          template: drafts.map((d) => JSON.stringify(d.eventTemplate)),
          traceparent: drafts.map((d) => d.traceparent ?? null),
          ...toColumns([...LINE_FIELDS, 'lineOrderNos'], lines),
        }),
      });
      if (result.rows.some((r) => r.created_at)) notifyOutbox();
      return drafts.map((d, i) => toInsertOneResult(d, result.rows[i]!));
    },

    async findByExternalIds(keys) {
      if (keys.length === 0) return [];
      const result = await db.query<OrderRow>({
        name: 'orders_find_by_external_ids',
        text: FIND_BY_EXTERNAL_IDS,
        values: FIND_BY_EXTERNAL_IDS_PARAMS.values({
          merchantIds: keys.map((k) => k.merchantId),
          externalOrderIds: keys.map((k) => k.externalOrderId),
        }),
      });
      return result.rows.map(toStoredOrder);
    },

    async getOrder(id) {
      const result = await db.query<OrderRow>({
        name: 'orders_get',
        text: GET_ORDER,
        values: GET_ORDER_PARAMS.values({ id }),
      });
      const row = result.rows[0];
      return row ? toStoredOrder(row) : undefined;
    },
  };
}
