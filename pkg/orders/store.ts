import type { WeekStart } from '../buckets/index.js';
import { withTransaction, type Pool, type Queryable } from '../db/index.js';
import { createOutboxNotifier } from './outbox-notifier.js';
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

/** The SQL behind order ingestion. */
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

/** Channel the relay LISTENs on; notified in the transaction that writes outbox rows. */
export const OUTBOX_CHANNEL = 'catcast_outbox';

const LOOKUP_CATALOG = `
SELECT 'm' AS kind, m.id AS merchant_id, NULL::text AS product_id, m.currency::text AS currency,
       m.timezone, m.week_start, NULL::text AS category_id
  FROM ingestion.merchants m WHERE m.id = ANY ($1::text[])
UNION ALL
SELECT 'p', p.merchant_id, p.id, NULL, NULL, NULL, p.category_id
  FROM unnest($2::text[], $3::text[]) AS k (merchant_id, product_id)
  JOIN ingestion.products p ON p.merchant_id = k.merchant_id AND p.id = k.product_id`;

// One statement = one transaction: orders, items and outbox rows commit together or not at all.
// ON CONFLICT DO NOTHING makes concurrent duplicates wait for the first writer and then skip; items
// and events join the RETURNING set, so a skipped order writes nothing else. The relay's NOTIFY is
// sent after the commit, outside this transaction (see outbox-notifier.ts for why).
const INSERT_ORDERS = `
WITH o AS (
  INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[],
                       $7::int[], $8::text[])
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, merchant_id, created_at
), i AS (
  INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
  SELECT u.order_id, u.line_no, o.merchant_id, u.product_id, u.category_id, u.quantity, u.unit_price_minor,
         u.amount_minor
    FROM unnest($9::uuid[], $10::int[], $11::text[], $12::text[], $13::int[], $14::bigint[], $15::bigint[])
         AS u (order_id, line_no, product_id, category_id, quantity, unit_price_minor, amount_minor)
    JOIN o ON o.id = u.order_id
), e AS (
  INSERT INTO ingestion.order_events
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent)
  SELECT u.event_id, o.id, o.merchant_id, 'order.created', 1, o.merchant_id, p.payload, u.traceparent
    FROM unnest($1::uuid[], $16::uuid[], $18::text[]) WITH ORDINALITY AS u (order_id, event_id, traceparent, ord)
    -- Payloads travel as one JSON array: no per-element array-literal escaping on either side.
    JOIN jsonb_array_elements($17::jsonb) WITH ORDINALITY AS p (payload, ord) ON p.ord = u.ord
    JOIN o ON o.id = u.order_id
)
SELECT o.id, o.created_at FROM o`;

// The single-order path in one statement: catalog check, order, items, outbox event. The
// order is inserted only when the merchant exists with the order's currency and every product exists
// (nothing is written otherwise); the SELECT reports what was found so the caller can say why not.
// The event payload is the caller's template plus what only the catalog knows (calendar, categories).
const INSERT_ONE = `
WITH m AS (
  SELECT id, currency::text AS currency, timezone, week_start FROM ingestion.merchants WHERE id = $2
), u AS (
  SELECT u.line_no, u.product_id, u.quantity, u.unit_price_minor, u.amount_minor, p.category_id
    FROM unnest($9::int[], $10::text[], $11::int[], $12::bigint[], $13::bigint[])
         AS u (line_no, product_id, quantity, unit_price_minor, amount_minor)
    LEFT JOIN ingestion.products p ON p.merchant_id = $2 AND p.id = u.product_id
), ok AS (
  SELECT m.timezone, m.week_start FROM m
   WHERE m.currency = $5 AND NOT EXISTS (SELECT 1 FROM u WHERE u.category_id IS NULL)
), o AS (
  INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM ok
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, created_at
), i AS (
  INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
  SELECT o.id, u.line_no, $2, u.product_id, u.category_id, u.quantity, u.unit_price_minor, u.amount_minor
    FROM o, u
), e AS (
  INSERT INTO ingestion.order_events
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent)
  SELECT $14, o.id, $2, 'order.created', 1, $2,
         $15::jsonb || jsonb_build_object(
           'merchantTimezone', ok.timezone,
           'merchantWeekStart', ok.week_start,
           'items', (SELECT jsonb_agg(jsonb_build_object(
                              'productId', u.product_id, 'categoryId', u.category_id,
                              'quantity', u.quantity, 'amountMinor', u.amount_minor::text) ORDER BY u.line_no)
                       FROM u)),
         $16
    FROM o, ok
)
SELECT (SELECT m.currency FROM m) AS merchant_currency,
       (SELECT m.timezone FROM m) AS merchant_timezone,
       (SELECT m.week_start FROM m) AS merchant_week_start,
       (SELECT array_agg(u.category_id::text ORDER BY u.line_no) FROM u) AS categories,
       (SELECT o.created_at FROM o) AS created_at`;

// INSERT_ONE for several independent orders in one statement (what the ingest coalescer sends when
// single-order requests arrive together): each order is checked against the catalog on its own and
// only the acceptable ones are written; `n` ties lines and results to their order. Orders are
// inserted in input order, which the caller sorts by key so that two such statements take their
// row locks in the same order.
const INSERT_MANY = `
WITH d AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[],
                       $7::int[], $8::text[], $9::uuid[], $10::jsonb[], $11::text[])
         WITH ORDINALITY AS d (id, merchant_id, external_order_id, placed_at, currency, total_minor,
                               item_count, content_hash, event_id, template, traceparent, n)
), m AS (
  SELECT d.n, mm.currency::text AS currency, mm.timezone, mm.week_start
    FROM d JOIN ingestion.merchants mm ON mm.id = d.merchant_id
), u AS (
  SELECT u.n, u.line_no, u.product_id, u.quantity, u.unit_price_minor, u.amount_minor, p.category_id
    FROM unnest($12::int[], $13::int[], $14::text[], $15::int[], $16::bigint[], $17::bigint[])
         AS u (n, line_no, product_id, quantity, unit_price_minor, amount_minor)
    JOIN d ON d.n = u.n
    LEFT JOIN ingestion.products p ON p.merchant_id = d.merchant_id AND p.id = u.product_id
), ok AS (
  SELECT d.*, m.timezone, m.week_start FROM d JOIN m ON m.n = d.n
   WHERE m.currency = d.currency AND NOT EXISTS (SELECT 1 FROM u WHERE u.n = d.n AND u.category_id IS NULL)
), o AS (
  INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
  SELECT id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash
    FROM ok ORDER BY n
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, created_at
), i AS (
  INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
  SELECT o.id, u.line_no, ok.merchant_id, u.product_id, u.category_id, u.quantity, u.unit_price_minor,
         u.amount_minor
    FROM o JOIN ok ON ok.id = o.id JOIN u ON u.n = ok.n
), e AS (
  INSERT INTO ingestion.order_events
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent)
  SELECT ok.event_id, o.id, ok.merchant_id, 'order.created', 1, ok.merchant_id,
         ok.template || jsonb_build_object(
           'merchantTimezone', ok.timezone,
           'merchantWeekStart', ok.week_start,
           'items', (SELECT jsonb_agg(jsonb_build_object(
                              'productId', u.product_id, 'categoryId', u.category_id,
                              'quantity', u.quantity, 'amountMinor', u.amount_minor::text) ORDER BY u.line_no)
                       FROM u WHERE u.n = ok.n)),
         ok.traceparent
    FROM o JOIN ok ON ok.id = o.id
)
SELECT d.n, m.currency AS merchant_currency, m.timezone AS merchant_timezone,
       m.week_start AS merchant_week_start,
       (SELECT array_agg(u.category_id::text ORDER BY u.line_no) FROM u WHERE u.n = d.n) AS categories,
       o.created_at
  FROM d LEFT JOIN m ON m.n = d.n LEFT JOIN o ON o.id = d.id
 ORDER BY d.n`;

const ORDER_COLUMNS = `
o.id, o.merchant_id, o.external_order_id, o.placed_at, o.currency::text AS currency, o.total_minor,
o.content_hash, o.created_at,
(SELECT json_agg(json_build_object(
          'lineNo', i.line_no, 'productId', i.product_id, 'categoryId', i.category_id,
          'quantity', i.quantity, 'unitPriceMinor', i.unit_price_minor::text,
          'amountMinor', i.amount_minor::text) ORDER BY i.line_no)
   FROM ingestion.order_items i WHERE i.order_id = o.id) AS lines`;

const FIND_BY_EXTERNAL_IDS = `
SELECT ${ORDER_COLUMNS}
  FROM unnest($1::text[], $2::text[]) AS k (merchant_id, external_order_id)
  JOIN ingestion.orders o ON o.merchant_id = k.merchant_id AND o.external_order_id = k.external_order_id`;

const GET_ORDER = `SELECT ${ORDER_COLUMNS} FROM ingestion.orders o WHERE o.id = $1`;

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
  /** Wakes the relay after orders were inserted. @default a coalescing NOTIFY on `db` (outbox-notifier.ts) */
  readonly notifyOutbox?: () => void;
}

function isPool(db: Queryable): db is Pool {
  return typeof (db as Partial<Pool>).connect === 'function' && 'totalCount' in db;
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
        values: [merchantIds, products.map((p) => p.merchantId), products.map((p) => p.productId)],
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
      const lineCount = orders.reduce((n, o) => n + o.lines.length, 0);
      const itemOrderIds = new Array<string>(lineCount);
      const lineNos = new Array<number>(lineCount);
      const productIds = new Array<string>(lineCount);
      const categoryIds = new Array<string>(lineCount);
      const quantities = new Array<number>(lineCount);
      const unitPrices = new Array<string>(lineCount);
      const amounts = new Array<string>(lineCount);
      let k = 0;
      for (const o of orders) {
        for (const l of o.lines) {
          itemOrderIds[k] = o.id;
          lineNos[k] = l.lineNo;
          productIds[k] = l.productId;
          categoryIds[k] = l.categoryId;
          quantities[k] = l.quantity;
          unitPrices[k] = l.unitPriceMinor.toString();
          amounts[k] = l.amountMinor.toString();
          k++;
        }
      }
      const statement = {
        name: 'orders_insert',
        text: INSERT_ORDERS,
        values: [
          orders.map((o) => o.id),
          orders.map((o) => o.merchantId),
          orders.map((o) => o.externalOrderId),
          orders.map((o) => o.placedAt.toISOString()),
          orders.map((o) => o.currency),
          orders.map((o) => o.totalMinor.toString()),
          orders.map((o) => o.lines.length),
          orders.map((o) => o.contentHash),
          itemOrderIds,
          lineNos,
          productIds,
          categoryIds,
          quantities,
          unitPrices,
          amounts,
          orders.map((o) => o.eventId),
          JSON.stringify(orders.map((o) => o.eventPayload)),
          orders.map((o) => o.traceparent ?? null),
        ],
      };
      type Row = { id: string; created_at: Date };
      const result =
        lineCount > bulkItemThreshold && isPool(db)
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
        values: [
          d.id,
          d.merchantId,
          d.externalOrderId,
          d.placedAt.toISOString(),
          d.currency,
          d.totalMinor.toString(),
          d.lines.length,
          d.contentHash,
          d.lines.map((l) => l.lineNo),
          d.lines.map((l) => l.productId),
          d.lines.map((l) => l.quantity),
          d.lines.map((l) => l.unitPriceMinor.toString()),
          d.lines.map((l) => l.amountMinor.toString()),
          d.eventId,
          JSON.stringify(d.eventTemplate),
          d.traceparent ?? null,
        ],
      });
      const row = result.rows[0]!;
      if (row.created_at) notifyOutbox();
      return toInsertOneResult(d, row);
    },

    async insertMany(drafts) {
      if (drafts.length === 0) return [];
      const lines = drafts.flatMap((d, i) => d.lines.map((l) => ({ n: i + 1, l })));
      const result = await db.query<InsertOneRow & { n: string }>({
        name: 'orders_insert_many',
        text: INSERT_MANY,
        values: [
          drafts.map((d) => d.id),
          drafts.map((d) => d.merchantId),
          drafts.map((d) => d.externalOrderId),
          drafts.map((d) => d.placedAt.toISOString()),
          drafts.map((d) => d.currency),
          drafts.map((d) => d.totalMinor.toString()),
          drafts.map((d) => d.lines.length),
          drafts.map((d) => d.contentHash),
          drafts.map((d) => d.eventId),
          drafts.map((d) => JSON.stringify(d.eventTemplate)),
          drafts.map((d) => d.traceparent ?? null),
          lines.map((x) => x.n),
          lines.map((x) => x.l.lineNo),
          lines.map((x) => x.l.productId),
          lines.map((x) => x.l.quantity),
          lines.map((x) => x.l.unitPriceMinor.toString()),
          lines.map((x) => x.l.amountMinor.toString()),
        ],
      });
      if (result.rows.some((r) => r.created_at)) notifyOutbox();
      return drafts.map((d, i) => toInsertOneResult(d, result.rows[i]!));
    },

    async findByExternalIds(keys) {
      if (keys.length === 0) return [];
      const result = await db.query<OrderRow>({
        name: 'orders_find_by_external_ids',
        text: FIND_BY_EXTERNAL_IDS,
        values: [keys.map((k) => k.merchantId), keys.map((k) => k.externalOrderId)],
      });
      return result.rows.map(toStoredOrder);
    },

    async getOrder(id) {
      const result = await db.query<OrderRow>({ name: 'orders_get', text: GET_ORDER, values: [id] });
      const row = result.rows[0];
      return row ? toStoredOrder(row) : undefined;
    },
  };
}
