-- pgbench: the ceiling of POST /v1/orders/batch. The order.sql transaction for :batch orders in one
-- statement (one commit), as catcast's batch insert writes them: what PostgreSQL alone reaches with
-- the same rows, indexes and foreign keys when a commit carries many orders. Divided by order.sql's
-- tx/s it bounds the batch-vs-pgbench ratio catcast can reach on the same machine.
-- Variables: -D merchants=N -D products=N -D categories=N -D batch=N.
WITH g AS (
  SELECT n, gen_random_uuid() AS id, 'bench-m-' || (1 + floor(random() * :merchants))::int AS merchant_id,
         (1 + floor(random() * 3))::int AS q, floor(random() * :products)::int AS k
    FROM generate_series(1, :batch) n
), o AS (
  INSERT INTO ingestion.orders
    (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
  SELECT id, merchant_id, 'pgbb-' || gen_random_uuid(), now(), 'EUR', 3702 * q, 3, md5(random()::text) FROM g
  RETURNING id, merchant_id, external_order_id, placed_at, created_at
), v AS (
  SELECT g.id, d + 1 AS line_no, g.q, 'p-' || ((g.k + d) % :products) AS product_id,
         'c-' || (((g.k + d) % :products) % :categories) AS category_id
    FROM g, generate_series(0, 2) d
), i AS (
  INSERT INTO ingestion.order_items
    (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
  SELECT o.id, v.line_no, o.merchant_id, v.product_id, v.category_id, v.q, 1234, 1234 * v.q
    FROM o JOIN v ON v.id = o.id
), e AS (
  INSERT INTO ingestion.order_events
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload)
  SELECT gen_random_uuid(), o.id, o.merchant_id, 'order.created', 1, o.merchant_id,
         jsonb_build_object(
           'eventId', gen_random_uuid(), 'eventType', 'order.created', 'schemaVersion', 1,
           'occurredAt', o.created_at, 'merchantId', o.merchant_id, 'merchantTimezone', 'UTC',
           'merchantWeekStart', 'MONDAY', 'orderId', o.id, 'externalOrderId', o.external_order_id,
           'placedAt', o.placed_at, 'currency', 'EUR', 'totalMinor', (3702 * g.q)::text,
           'items', (SELECT jsonb_agg(jsonb_build_object('productId', v.product_id, 'categoryId', v.category_id,
                                                         'quantity', v.q, 'amountMinor', (1234 * v.q)::text)
                                      ORDER BY v.line_no)
                       FROM v WHERE v.id = o.id))
    FROM o JOIN g ON g.id = o.id
)
SELECT count(*) FROM o;
