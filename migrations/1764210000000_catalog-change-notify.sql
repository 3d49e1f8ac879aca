-- Up Migration
-- The read API keeps rendered answers until a period they show changes (pkg/aggregation
-- response-cache.ts): every apply names its changed periods on channel catcast_aggregates_changed.
-- An answer also shows its merchant's calendar and currency and its categories' names and parents,
-- so a committed change of those names the whole merchant on the same channel ("<merchant>\t*\t*",
-- the line format of pkg/aggregation/changes.ts), whichever process wrote it. Notifications go out
-- at commit, once per distinct payload per transaction; the catalog API's upserts write nothing for
-- an unchanged row, so a re-sync sends nothing.

CREATE FUNCTION ingestion.notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  merchant text;
BEGIN
  IF TG_TABLE_NAME = 'merchants' THEN
    merchant := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  ELSE
    merchant := CASE WHEN TG_OP = 'DELETE' THEN OLD.merchant_id ELSE NEW.merchant_id END;
  END IF;
  PERFORM pg_notify('catcast_aggregates_changed', merchant || E'\t*\t*');
  RETURN NULL;
END $$;

-- A new merchant changes no stored answer (one about an unknown merchant is a 404, never stored); a
-- new category may give a name to an id an answer showed bare.
CREATE TRIGGER merchants_changed_notify
  AFTER UPDATE OR DELETE ON ingestion.merchants
  FOR EACH ROW
  EXECUTE FUNCTION ingestion.notify_catalog_changed();

CREATE TRIGGER categories_changed_notify
  AFTER INSERT OR UPDATE OR DELETE ON ingestion.categories
  FOR EACH ROW
  EXECUTE FUNCTION ingestion.notify_catalog_changed();

-- Down Migration
DROP TRIGGER categories_changed_notify ON ingestion.categories;
DROP TRIGGER merchants_changed_notify ON ingestion.merchants;
DROP FUNCTION ingestion.notify_catalog_changed();
