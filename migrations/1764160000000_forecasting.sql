-- Up Migration
-- Forecast storage. A run (one shard, one job execution) writes one forecast *set* per merchant and
-- bucket type; the API only reads published sets, so a set is visible whole or not at all. The row
-- table is range-partitioned by generated_at so that retention drops whole partitions.

CREATE TABLE forecasting.forecast_runs (
  run_id          uuid PRIMARY KEY,
  shard_index     integer NOT NULL CHECK (shard_index >= 0),
  shard_count     integer NOT NULL CHECK (shard_count >= 1 AND shard_index < shard_count),
  lease_holder    text NOT NULL,
  fencing_token   bigint NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running','succeeded','failed','fenced')),
  merchants       integer NOT NULL DEFAULT 0,
  series          integer NOT NULL DEFAULT 0,
  sets_written    integer NOT NULL DEFAULT 0,
  sets_unchanged  integer NOT NULL DEFAULT 0,
  failures        integer NOT NULL DEFAULT 0,
  error           text
);
CREATE INDEX forecast_runs_shard_idx ON forecasting.forecast_runs (shard_index, started_at DESC);

-- Writes are fenced per shard: a writer must hold a token >= the highest one seen, so a paused
-- ex-leader (older token) cannot overwrite what a newer leader wrote.
CREATE TABLE forecasting.shard_fences (
  shard_key   text PRIMARY KEY,
  token       bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Leases for the Postgres LeaseStore (Kubernetes clusters use coordination.k8s.io Leases instead).
CREATE TABLE forecasting.leases (
  name                     text PRIMARY KEY,
  holder_identity          text NOT NULL DEFAULT '',
  lease_duration_seconds   integer NOT NULL,
  acquire_time             timestamptz,
  renew_time               timestamptz,
  lease_transitions        integer NOT NULL DEFAULT 0,
  version                  bigint NOT NULL DEFAULT 1
);

CREATE TABLE forecasting.forecast_sets (
  merchant_id           ingestion.platform_id NOT NULL REFERENCES ingestion.merchants (id),
  bucket_type           text NOT NULL CHECK (bucket_type IN ('DAY','WEEK','MONTH','YEAR')),
  generated_at          timestamptz NOT NULL,
  run_id                uuid NOT NULL REFERENCES forecasting.forecast_runs (run_id),
  target_bucket_start   date NOT NULL,
  last_bucket_start     date NOT NULL,
  lookback              integer NOT NULL,
  -- sha256 over every series' input hash: an unchanged input writes nothing new.
  input_hash            text NOT NULL,
  categories            integer NOT NULL,
  checked_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, bucket_type, generated_at)
);
CREATE INDEX forecast_sets_latest_idx ON forecasting.forecast_sets (merchant_id, bucket_type, generated_at DESC);

CREATE TABLE forecasting.category_sales_forecast (
  id                    bigint GENERATED ALWAYS AS IDENTITY,
  merchant_id           ingestion.platform_id NOT NULL,
  category_id           ingestion.platform_id NOT NULL,
  bucket_type           text NOT NULL,
  model_name            text NOT NULL,
  model_version         text NOT NULL,
  effective_model       text NOT NULL,
  effective_model_version text NOT NULL,
  generated_at          timestamptz NOT NULL,
  run_id                uuid NOT NULL,
  target_bucket_start   date NOT NULL,
  forecast_minor        bigint NOT NULL CHECK (forecast_minor >= 0),
  lo80_minor            bigint NOT NULL,
  hi80_minor            bigint NOT NULL,
  lo95_minor            bigint NOT NULL,
  hi95_minor            bigint NOT NULL,
  params                jsonb NOT NULL,
  metrics               jsonb,
  input_hash            text NOT NULL,
  history_length        integer NOT NULL,
  fallback_from         text,
  fallback_reason       text,
  PRIMARY KEY (id, generated_at),
  UNIQUE (merchant_id, category_id, bucket_type, model_name, generated_at),
  FOREIGN KEY (merchant_id, category_id) REFERENCES ingestion.categories (merchant_id, id)
) PARTITION BY RANGE (generated_at);
CREATE INDEX category_sales_forecast_set_idx
  ON forecasting.category_sales_forecast (merchant_id, bucket_type, generated_at, model_name);

-- Creates the daily partition holding `at` if it does not exist (called by the job before writing).
CREATE FUNCTION forecasting.ensure_forecast_partition(at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  day date := (at AT TIME ZONE 'UTC')::date;
  name text := 'category_sales_forecast_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass('forecasting.' || name) IS NULL THEN
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS forecasting.%I PARTITION OF forecasting.category_sales_forecast
         FOR VALUES FROM (%L) TO (%L)',
      name, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
  END IF;
  RETURN name;
END $$;

-- Down Migration
DROP FUNCTION forecasting.ensure_forecast_partition(timestamptz);
DROP TABLE forecasting.category_sales_forecast;
DROP TABLE forecasting.forecast_sets;
DROP TABLE forecasting.leases;
DROP TABLE forecasting.shard_fences;
DROP TABLE forecasting.forecast_runs;
