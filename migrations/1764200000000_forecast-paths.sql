-- Up Migration
-- Multi-horizon forecasts: the next H buckets of a category, written with (and only visible through) the
-- forecast set they belong to, like the one-step rows. One row per set x category x model x step; a
-- category with child categories holds the coherent path of its whole subtree (its own sales plus its
-- descendants', reconciled bottom-up so that each step equals the sum of its children's steps plus its
-- own). Range-partitioned by generated_at with the same daily partitions (and the same retention) as
-- category_sales_forecast.

-- How many steps the set's paths hold; 0 for sets written before paths existed.
ALTER TABLE forecasting.forecast_sets ADD COLUMN horizon integer NOT NULL DEFAULT 0 CHECK (horizon >= 0);

CREATE TABLE forecasting.category_forecast_path (
  merchant_id           ingestion.platform_id NOT NULL,
  category_id           ingestion.platform_id NOT NULL,
  bucket_type           text NOT NULL,
  model_name            text NOT NULL,
  model_version         text NOT NULL,
  generated_at          timestamptz NOT NULL,
  step                  smallint NOT NULL CHECK (step >= 1),
  bucket_start          date NOT NULL,
  forecast_minor        bigint NOT NULL CHECK (forecast_minor >= 0),
  lo80_minor            bigint NOT NULL,
  hi80_minor            bigint NOT NULL,
  lo95_minor            bigint NOT NULL,
  hi95_minor            bigint NOT NULL,
  -- Out-of-sample h-step backtest of this step: how many errors, their WAPE and MAE (minor units);
  -- NULL when no h-step error was observable (short history).
  errors                integer NOT NULL CHECK (errors >= 0),
  wape                  double precision,
  mae                   double precision,
  input_hash            text NOT NULL,
  PRIMARY KEY (merchant_id, bucket_type, generated_at, category_id, model_name, step),
  FOREIGN KEY (merchant_id, category_id) REFERENCES ingestion.categories (merchant_id, id)
) PARTITION BY RANGE (generated_at);

-- The job calls this before writing a set: it now creates the day's partition of both row tables.
CREATE OR REPLACE FUNCTION forecasting.ensure_forecast_partition(at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  day date := (at AT TIME ZONE 'UTC')::date;
  suffix text := to_char(day, 'YYYYMMDD');
  parent text;
BEGIN
  FOREACH parent IN ARRAY ARRAY['category_sales_forecast', 'category_forecast_path'] LOOP
    IF to_regclass('forecasting.' || parent || '_' || suffix) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE IF NOT EXISTS forecasting.%I PARTITION OF forecasting.%I FOR VALUES FROM (%L) TO (%L)',
        parent || '_' || suffix, parent,
        (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    END IF;
  END LOOP;
  RETURN 'category_sales_forecast_' || suffix;
END $$;

-- Down Migration
CREATE OR REPLACE FUNCTION forecasting.ensure_forecast_partition(at timestamptz) RETURNS text
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
DROP TABLE forecasting.category_forecast_path;
ALTER TABLE forecasting.forecast_sets DROP COLUMN horizon;
