-- ota_notify_catalog_changed: the statement-level triggers of 0018 on products,
-- product_discounts, special_dates, settings, customer_types and webhook_endpoints. Tells
-- every gateway that what it keeps in memory (prices, discounts, special dates, currency,
-- customer types, enabled webhook subscriptions) changed, so it reloads it before its next
-- use (OTAGateway/CatalogCache). One notification per statement and an empty payload:
-- PostgreSQL folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION ota_notify_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ota_catalog_changed', '');
    RETURN NULL;
END $$;
