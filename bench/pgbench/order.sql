-- pgbench reference for POST /v1/orders: the same transaction catcast performs for one order, in
-- one statement (one round trip, like catcast's): the order, 3 items and the outbox event with its
-- order.created payload, with the same tables, indexes and foreign keys. What it leaves out is
-- catcast's own work: HTTP, JSON parsing, validation, content hash, and the relay wake-up (a NOTIFY
-- that catcast sends after the commit, coalesced; inside the transaction it would serialise every
-- commit behind PostgreSQL's notify lock: 263 vs 1,054 tx/s for this script at 10 clients here).
-- Variables: -D merchants=N -D products=N -D categories=N (catalog seeded by bench/lib/env.ts).
\set m random(1, :merchants)
\set k random(0, :products - 1)
\set q random(1, 3)
WITH o AS (
  INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
  VALUES (gen_random_uuid(), 'bench-m-' || (:m)::int, 'pgb-' || gen_random_uuid(), now(), 'EUR', 3702 * (:q)::int, 3,
          md5(random()::text))
  RETURNING id, merchant_id, external_order_id, placed_at, created_at
), v AS (
  SELECT d + 1 AS line_no, 'p-' || (((:k)::int + d) % (:products)::int) AS product_id,
         'c-' || ((((:k)::int + d) % (:products)::int) % (:categories)::int) AS category_id
    FROM generate_series(0, 2) d
), i AS (
  INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
  SELECT o.id, v.line_no, o.merchant_id, v.product_id, v.category_id, (:q)::int, 1234, 1234 * (:q)::int FROM o, v
), e AS (
  INSERT INTO ingestion.order_events
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload)
  SELECT gen_random_uuid(), o.id, o.merchant_id, 'order.created', 1, o.merchant_id,
         jsonb_build_object(
           'eventId', gen_random_uuid(), 'eventType', 'order.created', 'schemaVersion', 1,
           'occurredAt', o.created_at, 'merchantId', o.merchant_id, 'merchantTimezone', 'UTC',
           'merchantWeekStart', 'MONDAY', 'orderId', o.id, 'externalOrderId', o.external_order_id,
           'placedAt', o.placed_at, 'currency', 'EUR', 'totalMinor', (3702 * (:q)::int)::text,
           'items', (SELECT jsonb_agg(jsonb_build_object('productId', v.product_id, 'categoryId', v.category_id,
                                                         'quantity', (:q)::int, 'amountMinor', (1234 * (:q)::int)::text))
                       FROM v))
    FROM o
)
SELECT o.id FROM o;
