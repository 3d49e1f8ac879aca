-- Up Migration
-- forecast-api keeps its precomputed answers until they change (issue 17): every write to what such an
-- answer shows sends a notification on channel catcast_forecasts_changed naming what changed, one line
-- "<merchant>\t<bucket type>" (a forecast set, its rows or paths) or "<merchant>\t*" (the merchant's
-- calendar or currency, or its categories' names and tree: every bucket type). PostgreSQL delivers
-- them at commit, in commit order, and folds identical ones of one transaction into one, so a set
-- written with its rows costs one notification.

CREATE FUNCTION forecasting.notify_forecast_set_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('catcast_forecasts_changed', OLD.merchant_id || E'\t' || OLD.bucket_type);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('catcast_forecasts_changed', NEW.merchant_id || E'\t' || NEW.bucket_type);
  END IF;
  RETURN NULL;
END $$;

-- Every column counts, checked_at too: it moves the instant the set turns stale.
CREATE TRIGGER forecast_sets_notify_write AFTER INSERT OR DELETE ON forecasting.forecast_sets
  FOR EACH ROW EXECUTE FUNCTION forecasting.notify_forecast_set_changed();
CREATE TRIGGER forecast_sets_notify_update AFTER UPDATE ON forecasting.forecast_sets
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION forecasting.notify_forecast_set_changed();

-- The rows and paths of a set are written in the set's own transaction and deleted with it, which
-- already notifies; these cover any other write. One statement-level trigger per event (PostgreSQL
-- allows transition tables on one event only), naming each (merchant, bucket type) once.
CREATE FUNCTION forecasting.notify_forecast_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('catcast_forecasts_changed', k)
       FROM (SELECT DISTINCT merchant_id || E'\t' || bucket_type AS k FROM old_rows) d;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('catcast_forecasts_changed', k)
       FROM (SELECT DISTINCT merchant_id || E'\t' || bucket_type AS k FROM new_rows) d;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER category_sales_forecast_notify_insert AFTER INSERT ON forecasting.category_sales_forecast
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();
CREATE TRIGGER category_sales_forecast_notify_update AFTER UPDATE ON forecasting.category_sales_forecast
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();
CREATE TRIGGER category_sales_forecast_notify_delete AFTER DELETE ON forecasting.category_sales_forecast
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();
CREATE TRIGGER category_forecast_path_notify_insert AFTER INSERT ON forecasting.category_forecast_path
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();
CREATE TRIGGER category_forecast_path_notify_update AFTER UPDATE ON forecasting.category_forecast_path
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();
CREATE TRIGGER category_forecast_path_notify_delete AFTER DELETE ON forecasting.category_forecast_path
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forecasting.notify_forecast_rows_changed();

-- The catalog: every bucket type of the merchant. Only the columns forecast answers read count (a
-- merchant's name is not in them); pkg/catalog's upserts already skip updates that change nothing.
CREATE FUNCTION forecasting.notify_forecast_merchant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('catcast_forecasts_changed', OLD.id || E'\t*');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('catcast_forecasts_changed', NEW.id || E'\t*');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER merchants_forecast_notify_write AFTER INSERT OR DELETE ON ingestion.merchants
  FOR EACH ROW EXECUTE FUNCTION forecasting.notify_forecast_merchant_changed();
CREATE TRIGGER merchants_forecast_notify_update AFTER UPDATE ON ingestion.merchants
  FOR EACH ROW
  WHEN ((OLD.id, OLD.timezone, OLD.week_start, OLD.currency)
        IS DISTINCT FROM (NEW.id, NEW.timezone, NEW.week_start, NEW.currency))
  EXECUTE FUNCTION forecasting.notify_forecast_merchant_changed();

CREATE FUNCTION forecasting.notify_forecast_category_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('catcast_forecasts_changed', OLD.merchant_id || E'\t*');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('catcast_forecasts_changed', NEW.merchant_id || E'\t*');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER categories_forecast_notify_write AFTER INSERT OR DELETE ON ingestion.categories
  FOR EACH ROW EXECUTE FUNCTION forecasting.notify_forecast_category_changed();
CREATE TRIGGER categories_forecast_notify_update AFTER UPDATE ON ingestion.categories
  FOR EACH ROW
  WHEN ((OLD.merchant_id, OLD.id, OLD.name, OLD.parent_category_id)
        IS DISTINCT FROM (NEW.merchant_id, NEW.id, NEW.name, NEW.parent_category_id))
  EXECUTE FUNCTION forecasting.notify_forecast_category_changed();

-- Down Migration
DROP TRIGGER categories_forecast_notify_update ON ingestion.categories;
DROP TRIGGER categories_forecast_notify_write ON ingestion.categories;
DROP FUNCTION forecasting.notify_forecast_category_changed();
DROP TRIGGER merchants_forecast_notify_update ON ingestion.merchants;
DROP TRIGGER merchants_forecast_notify_write ON ingestion.merchants;
DROP FUNCTION forecasting.notify_forecast_merchant_changed();
DROP TRIGGER category_forecast_path_notify_delete ON forecasting.category_forecast_path;
DROP TRIGGER category_forecast_path_notify_update ON forecasting.category_forecast_path;
DROP TRIGGER category_forecast_path_notify_insert ON forecasting.category_forecast_path;
DROP TRIGGER category_sales_forecast_notify_delete ON forecasting.category_sales_forecast;
DROP TRIGGER category_sales_forecast_notify_update ON forecasting.category_sales_forecast;
DROP TRIGGER category_sales_forecast_notify_insert ON forecasting.category_sales_forecast;
DROP FUNCTION forecasting.notify_forecast_rows_changed();
DROP TRIGGER forecast_sets_notify_update ON forecasting.forecast_sets;
DROP TRIGGER forecast_sets_notify_write ON forecasting.forecast_sets;
DROP FUNCTION forecasting.notify_forecast_set_changed();
