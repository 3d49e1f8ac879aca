-- Up Migration
-- catcast schema v1: ingestion.* is the OLTP side plus the transactional outbox; forecasting.* holds
-- derived facts. Platform ids are the platform's own strings, so every catalog key is scoped by merchant
-- and every foreign key carries merchant_id: a row can never point at another merchant's catalog.

CREATE SCHEMA IF NOT EXISTS ingestion;
CREATE SCHEMA IF NOT EXISTS forecasting;

CREATE DOMAIN ingestion.platform_id AS text CHECK (VALUE ~ '^[A-Za-z0-9._:-]{1,64}$');

CREATE TABLE ingestion.merchants (
  id          ingestion.platform_id PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  timezone    text NOT NULL DEFAULT 'UTC',
  week_start  text NOT NULL DEFAULT 'MONDAY'
              CHECK (week_start IN ('MONDAY','TUESDAY','WEDNESDAY','THURSDAY','FRIDAY','SATURDAY','SUNDAY')),
  currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingestion.categories (
  merchant_id         ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  id                  ingestion.platform_id NOT NULL,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  parent_category_id  ingestion.platform_id,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id),
  FOREIGN KEY (merchant_id, parent_category_id) REFERENCES ingestion.categories (merchant_id, id),
  CHECK (parent_category_id IS NULL OR parent_category_id <> id)
);

CREATE TABLE ingestion.products (
  merchant_id  ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  id           ingestion.platform_id NOT NULL,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category_id  ingestion.platform_id NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id),
  FOREIGN KEY (merchant_id, category_id) REFERENCES ingestion.categories (merchant_id, id)
);

CREATE TABLE ingestion.orders (
  id                 uuid PRIMARY KEY,
  merchant_id        ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  external_order_id  text NOT NULL CHECK (length(external_order_id) BETWEEN 1 AND 128),
  placed_at          timestamptz NOT NULL,
  currency           char(3) NOT NULL,
  total_minor        bigint NOT NULL CHECK (total_minor >= 0),
  item_count         integer NOT NULL CHECK (item_count >= 1),
  -- sha256 of the canonical request content: an idempotent replay is recognised by it.
  content_hash       text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, external_order_id)
);
CREATE INDEX orders_merchant_placed_idx ON ingestion.orders (merchant_id, placed_at);

CREATE TABLE ingestion.order_items (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id          uuid NOT NULL REFERENCES ingestion.orders (id) ON DELETE CASCADE,
  line_no           integer NOT NULL CHECK (line_no >= 1),
  merchant_id       ingestion.platform_id NOT NULL,
  product_id        ingestion.platform_id NOT NULL,
  -- the product's category as of the order, so later catalog moves do not rewrite history
  category_id       ingestion.platform_id NOT NULL,
  quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
  unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
  amount_minor      bigint NOT NULL CHECK (amount_minor = quantity * unit_price_minor),
  UNIQUE (order_id, line_no),
  FOREIGN KEY (merchant_id, product_id) REFERENCES ingestion.products (merchant_id, id),
  FOREIGN KEY (merchant_id, category_id) REFERENCES ingestion.categories (merchant_id, id)
);
CREATE INDEX order_items_order_idx ON ingestion.order_items (order_id);

-- The transactional outbox: written in the same transaction as the order, published by the relay,
-- marked published only after the broker acknowledged it.
CREATE TABLE ingestion.order_events (
  id              uuid PRIMARY KEY,
  order_id        uuid NOT NULL REFERENCES ingestion.orders (id),
  merchant_id     ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  event_type      text NOT NULL,
  schema_version  integer NOT NULL,
  partition_key   text NOT NULL,
  payload         jsonb NOT NULL,
  traceparent     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text
);
CREATE INDEX order_events_unpublished_idx ON ingestion.order_events (created_at) WHERE published_at IS NULL;
CREATE INDEX order_events_published_idx ON ingestion.order_events (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE forecasting.category_sales_agg (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id         ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  category_id         ingestion.platform_id NOT NULL,
  bucket_type         text NOT NULL CHECK (bucket_type IN ('DAY','WEEK','MONTH','YEAR')),
  bucket_start        date NOT NULL,
  total_sales_minor   bigint NOT NULL DEFAULT 0,
  order_count         bigint NOT NULL DEFAULT 0,
  item_count          bigint NOT NULL DEFAULT 0,
  last_event_at       timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, category_id, bucket_type, bucket_start),
  FOREIGN KEY (merchant_id, category_id) REFERENCES ingestion.categories (merchant_id, id)
);
CREATE INDEX category_sales_agg_bucket_idx ON forecasting.category_sales_agg (merchant_id, bucket_type, bucket_start);
-- Top-N support: an index-only scan answers "top categories of this bucket" without a sort.
CREATE INDEX category_sales_agg_topn_idx ON forecasting.category_sales_agg
  (merchant_id, bucket_type, bucket_start, total_sales_minor DESC)
  INCLUDE (category_id, order_count, item_count);

-- Consumer idempotency: an event id is inserted in the same transaction that applies it.
CREATE TABLE forecasting.processed_events (
  event_id      uuid PRIMARY KEY,
  processed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_events_processed_at_idx ON forecasting.processed_events (processed_at);

-- Per-merchant freshness watermark, written in the same transaction as the aggregates.
CREATE TABLE forecasting.aggregation_watermarks (
  merchant_id             ingestion.platform_id PRIMARY KEY REFERENCES ingestion.merchants (id),
  last_event_created_at   timestamptz NOT NULL,
  last_event_placed_at    timestamptz NOT NULL,
  last_applied_at         timestamptz NOT NULL DEFAULT now(),
  events_applied          bigint NOT NULL DEFAULT 0
);

-- Down Migration
DROP SCHEMA forecasting CASCADE;
DROP SCHEMA ingestion CASCADE;
