-- Up Migration
-- UNIQUE (order_id, line_no) already indexes order_items by order_id (leading column), so the separate
-- order_items_order_idx only costs a second btree insert per item on the ingest hot path.
DROP INDEX IF EXISTS ingestion.order_items_order_idx;

-- Down Migration
CREATE INDEX IF NOT EXISTS order_items_order_idx ON ingestion.order_items (order_id);
