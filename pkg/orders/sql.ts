import { statementParams } from '../db/index.js';
import { appendOutboxSql } from '../outbox/index.js';

// The SQL behind the Postgres order store (pg-store.ts). Parameters are declared by name and type
// (statementParams numbers them); each statement's text reads them as `${p.$.name}`.

/** Type and schema version of the event every order writes to the outbox. */
const ORDER_CREATED = { type: 'order.created', version: 1 } as const;

const ORDERS_INSERT = `INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)`;

const ITEMS_INSERT = `INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)`;

/** The parameters of an order's own row: scalars for one order, arrays (`[]`) for unnest(). */
function orderHeadParams<S extends '' | '[]'>(s: S) {
  return {
    id: `uuid${s}`,
    merchantId: `text${s}`,
    externalOrderId: `text${s}`,
    placedAt: `timestamptz${s}`,
    currency: `text${s}`,
    totalMinor: `bigint${s}`,
    itemCount: `int${s}`,
    contentHash: `text${s}`,
  } as const;
}

/** Names of the order-row parameters (see {@link orderHeadParams}). */
export const ORDER_HEAD_FIELDS = Object.keys(orderHeadParams('')) as (keyof ReturnType<
  typeof orderHeadParams<''>
>)[];

/**
 * The order.created payload that the database completes: the caller's `template` (jsonb) plus what
 * only the catalog knows, the merchant's calendar (from `ok`) and the lines with their categories
 * (from `u`, narrowed by `linesWhere`). The one place the event's shape is written in SQL.
 */
function orderCreatedPayload(template: string, linesWhere = ''): string {
  return `${template} || jsonb_build_object(
           'merchantTimezone', ok.timezone,
           'merchantWeekStart', ok.week_start,
           'items', (SELECT jsonb_agg(jsonb_build_object(
                              'productId', u.product_id, 'categoryId', u.category_id,
                              'quantity', u.quantity, 'amountMinor', u.amount_minor::text) ORDER BY u.line_no)
                       FROM u ${linesWhere}))`;
}

/** Parameters of {@link LOOKUP_CATALOG}. */
export const LOOKUP_CATALOG_PARAMS = statementParams({
  merchantIds: 'text[]',
  productMerchantIds: 'text[]',
  productIds: 'text[]',
});
const lc = LOOKUP_CATALOG_PARAMS.$;

/** The merchants and products a set of orders refers to, one row each. */
export const LOOKUP_CATALOG = `
SELECT 'm' AS kind, m.id AS merchant_id, NULL::text AS product_id, m.currency::text AS currency,
       m.timezone, m.week_start, NULL::text AS category_id
  FROM ingestion.merchants m WHERE m.id = ANY (${lc.merchantIds})
UNION ALL
SELECT 'p', p.merchant_id, p.id, NULL, NULL, NULL, p.category_id
  FROM unnest(${lc.productMerchantIds}, ${lc.productIds}) AS k (merchant_id, product_id)
  JOIN ingestion.products p ON p.merchant_id = k.merchant_id AND p.id = k.product_id`;

/** Parameters of {@link INSERT_ORDERS}. */
export const INSERT_ORDERS_PARAMS = statementParams({
  ...orderHeadParams('[]'),
  lineOrderIds: 'uuid[]',
  lineNos: 'int[]',
  productIds: 'text[]',
  categoryIds: 'text[]',
  quantities: 'int[]',
  unitPricesMinor: 'bigint[]',
  amountsMinor: 'bigint[]',
  eventIds: 'uuid[]',
  /** One JSON array of the payloads, in order order. */
  payloads: 'jsonb',
  traceparents: 'text[]',
});
const io = INSERT_ORDERS_PARAMS.$;

// One statement = one transaction: orders, items and outbox rows commit together or not at all.
// ON CONFLICT DO NOTHING makes concurrent duplicates wait for the first writer and then skip; items
// and events join the RETURNING set, so a skipped order writes nothing else. The relay's NOTIFY is
// sent after the commit, outside this transaction (see pkg/outbox/notifier.ts for why).
/** Orders whose catalog references the caller checked, with their items and complete events. */
export const INSERT_ORDERS = `
WITH o AS (
  ${ORDERS_INSERT}
  SELECT * FROM unnest(${io.id}, ${io.merchantId}, ${io.externalOrderId}, ${io.placedAt}, ${io.currency},
                       ${io.totalMinor}, ${io.itemCount}, ${io.contentHash})
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, merchant_id, created_at
), i AS (
  ${ITEMS_INSERT}
  SELECT u.order_id, u.line_no, o.merchant_id, u.product_id, u.category_id, u.quantity, u.unit_price_minor,
         u.amount_minor
    FROM unnest(${io.lineOrderIds}, ${io.lineNos}, ${io.productIds}, ${io.categoryIds}, ${io.quantities},
                ${io.unitPricesMinor}, ${io.amountsMinor})
         AS u (order_id, line_no, product_id, category_id, quantity, unit_price_minor, amount_minor)
    JOIN o ON o.id = u.order_id
), e AS (
  ${appendOutboxSql(ORDER_CREATED.type, ORDER_CREATED.version, {
    id: 'u.event_id',
    orderId: 'o.id',
    merchantId: 'o.merchant_id',
    payload: 'p.payload',
    traceparent: 'u.traceparent',
    // Payloads travel as one JSON array: no per-element array-literal escaping on either side.
    from: `unnest(${io.id}, ${io.eventIds}, ${io.traceparents}) WITH ORDINALITY AS u (order_id, event_id, traceparent, ord)
    JOIN jsonb_array_elements(${io.payloads}) WITH ORDINALITY AS p (payload, ord) ON p.ord = u.ord
    JOIN o ON o.id = u.order_id`,
  })}
)
SELECT o.id, o.created_at FROM o`;

/** Parameters of {@link INSERT_ONE}. */
export const INSERT_ONE_PARAMS = statementParams({
  ...orderHeadParams(''),
  lineNos: 'int[]',
  productIds: 'text[]',
  quantities: 'int[]',
  unitPricesMinor: 'bigint[]',
  amountsMinor: 'bigint[]',
  eventId: 'uuid',
  template: 'jsonb',
  traceparent: 'text',
});
const i1 = INSERT_ONE_PARAMS.$;

// The single-order path in one statement: catalog check, order, items, outbox event. The
// order is inserted only when the merchant exists with the order's currency and every product exists
// (nothing is written otherwise); the SELECT reports what was found so the caller can say why not.
/** One order checked against the catalog and, if it passes, written with its items and event. */
export const INSERT_ONE = `
WITH m AS (
  SELECT id, currency::text AS currency, timezone, week_start FROM ingestion.merchants WHERE id = ${i1.merchantId}
), u AS (
  SELECT u.line_no, u.product_id, u.quantity, u.unit_price_minor, u.amount_minor, p.category_id
    FROM unnest(${i1.lineNos}, ${i1.productIds}, ${i1.quantities}, ${i1.unitPricesMinor}, ${i1.amountsMinor})
         AS u (line_no, product_id, quantity, unit_price_minor, amount_minor)
    LEFT JOIN ingestion.products p ON p.merchant_id = ${i1.merchantId} AND p.id = u.product_id
), ok AS (
  SELECT m.timezone, m.week_start FROM m
   WHERE m.currency = ${i1.currency} AND NOT EXISTS (SELECT 1 FROM u WHERE u.category_id IS NULL)
), o AS (
  ${ORDERS_INSERT}
  SELECT ${i1.id}, ${i1.merchantId}, ${i1.externalOrderId}, ${i1.placedAt}, ${i1.currency}, ${i1.totalMinor},
         ${i1.itemCount}, ${i1.contentHash} FROM ok
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, created_at
), i AS (
  ${ITEMS_INSERT}
  SELECT o.id, u.line_no, ${i1.merchantId}, u.product_id, u.category_id, u.quantity, u.unit_price_minor,
         u.amount_minor
    FROM o, u
), e AS (
  ${appendOutboxSql(ORDER_CREATED.type, ORDER_CREATED.version, {
    id: i1.eventId,
    orderId: 'o.id',
    merchantId: i1.merchantId,
    payload: orderCreatedPayload(i1.template),
    traceparent: i1.traceparent,
    from: 'o, ok',
  })}
)
SELECT (SELECT m.currency FROM m) AS merchant_currency,
       (SELECT m.timezone FROM m) AS merchant_timezone,
       (SELECT m.week_start FROM m) AS merchant_week_start,
       (SELECT array_agg(u.category_id::text ORDER BY u.line_no) FROM u) AS categories,
       (SELECT o.created_at FROM o) AS created_at`;

/** Parameters of {@link INSERT_MANY}. */
export const INSERT_MANY_PARAMS = statementParams({
  ...orderHeadParams('[]'),
  eventId: 'uuid[]',
  template: 'jsonb[]',
  traceparent: 'text[]',
  /** Per line: the 1-based position of its order in the arrays above. */
  lineOrderNos: 'int[]',
  lineNos: 'int[]',
  productIds: 'text[]',
  quantities: 'int[]',
  unitPricesMinor: 'bigint[]',
  amountsMinor: 'bigint[]',
});
const im = INSERT_MANY_PARAMS.$;

// INSERT_ONE for several independent orders in one statement (what the ingest coalescer sends when
// single-order requests arrive together): each order is checked against the catalog on its own and
// only the acceptable ones are written; `n` ties lines and results to their order. Orders are
// inserted in input order, which the caller sorts by key so that two such statements take their
// row locks in the same order.
/** {@link INSERT_ONE} for several orders, one result row per order in input order. */
export const INSERT_MANY = `
WITH d AS (
  SELECT * FROM unnest(${im.id}, ${im.merchantId}, ${im.externalOrderId}, ${im.placedAt}, ${im.currency},
                       ${im.totalMinor}, ${im.itemCount}, ${im.contentHash}, ${im.eventId}, ${im.template},
                       ${im.traceparent})
         WITH ORDINALITY AS d (id, merchant_id, external_order_id, placed_at, currency, total_minor,
                               item_count, content_hash, event_id, template, traceparent, n)
), m AS (
  SELECT d.n, mm.currency::text AS currency, mm.timezone, mm.week_start
    FROM d JOIN ingestion.merchants mm ON mm.id = d.merchant_id
), u AS (
  SELECT u.n, u.line_no, u.product_id, u.quantity, u.unit_price_minor, u.amount_minor, p.category_id
    FROM unnest(${im.lineOrderNos}, ${im.lineNos}, ${im.productIds}, ${im.quantities}, ${im.unitPricesMinor},
                ${im.amountsMinor})
         AS u (n, line_no, product_id, quantity, unit_price_minor, amount_minor)
    JOIN d ON d.n = u.n
    LEFT JOIN ingestion.products p ON p.merchant_id = d.merchant_id AND p.id = u.product_id
), ok AS (
  SELECT d.*, m.timezone, m.week_start FROM d JOIN m ON m.n = d.n
   WHERE m.currency = d.currency AND NOT EXISTS (SELECT 1 FROM u WHERE u.n = d.n AND u.category_id IS NULL)
), o AS (
  ${ORDERS_INSERT}
  SELECT id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash
    FROM ok ORDER BY n
  ON CONFLICT (merchant_id, external_order_id) DO NOTHING
  RETURNING id, created_at
), i AS (
  ${ITEMS_INSERT}
  SELECT o.id, u.line_no, ok.merchant_id, u.product_id, u.category_id, u.quantity, u.unit_price_minor,
         u.amount_minor
    FROM o JOIN ok ON ok.id = o.id JOIN u ON u.n = ok.n
), e AS (
  ${appendOutboxSql(ORDER_CREATED.type, ORDER_CREATED.version, {
    id: 'ok.event_id',
    orderId: 'o.id',
    merchantId: 'ok.merchant_id',
    payload: orderCreatedPayload('ok.template', 'WHERE u.n = ok.n'),
    traceparent: 'ok.traceparent',
    from: 'o JOIN ok ON ok.id = o.id',
  })}
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

/** Parameters of {@link FIND_BY_EXTERNAL_IDS}. */
export const FIND_BY_EXTERNAL_IDS_PARAMS = statementParams({
  merchantIds: 'text[]',
  externalOrderIds: 'text[]',
});
const fx = FIND_BY_EXTERNAL_IDS_PARAMS.$;

/** Stored orders by (merchant, external id). */
export const FIND_BY_EXTERNAL_IDS = `
SELECT ${ORDER_COLUMNS}
  FROM unnest(${fx.merchantIds}, ${fx.externalOrderIds}) AS k (merchant_id, external_order_id)
  JOIN ingestion.orders o ON o.merchant_id = k.merchant_id AND o.external_order_id = k.external_order_id`;

/** Parameters of {@link GET_ORDER}. */
export const GET_ORDER_PARAMS = statementParams({ id: 'uuid' });

/** One stored order by id. */
export const GET_ORDER = `SELECT ${ORDER_COLUMNS} FROM ingestion.orders o WHERE o.id = ${GET_ORDER_PARAMS.$.id}`;
