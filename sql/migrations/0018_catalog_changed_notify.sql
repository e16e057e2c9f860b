-- 0018 catalog changes reach every gateway at once: any change of what the gateways keep
-- in memory (prices, discounts, special dates, the currency, customer types, enabled
-- webhook subscriptions) notifies channel ota_catalog_changed, one notification per
-- statement, and each gateway reloads its copy before the next use
-- (OTAGateway/CatalogCache). The inventory counters are not here: holds must not notify
-- (a NOTIFY takes a database-wide lock at commit); the gateways poll those instead.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

-- ota_notify_catalog_changed: sql/functions/ota_notify_catalog_changed.sql
-- UPDATE OF: only the columns the gateways keep (name, sellable_cap and timestamps of a
-- product, or a webhook endpoint's delivery state, change nothing they hold).
CREATE TRIGGER products_catalog_changed
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF product_id, weekday_price, weekend_price ON products
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();
CREATE TRIGGER product_discounts_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_discounts
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();
CREATE TRIGGER special_dates_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON special_dates
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();
CREATE TRIGGER settings_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();
CREATE TRIGGER customer_types_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON customer_types
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();
CREATE TRIGGER webhook_endpoints_catalog_changed
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF partner_id, status, events ON webhook_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_catalog_changed();

INSERT INTO schema_migrations (version, name) VALUES (18, '0018_catalog_changed_notify');
COMMIT;
