-- 0013 auth changes reach every gateway at once: any change of keys, partners or their
-- permissions notifies channel ota_auth_changed (one notification per statement), and
-- each gateway drops its cached key lookups when it hears it (OTAGateway/AuthInvalidation).
-- The function's current definition is sql/functions/ota_notify_auth_changed.sql; the
-- body below is only what the triggers need to be created.
BEGIN;

CREATE FUNCTION ota_notify_auth_changed() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('ota_auth_changed', TG_TABLE_NAME); RETURN NULL; END $$;

CREATE TRIGGER api_keys_auth_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_auth_changed();
CREATE TRIGGER partners_auth_changed AFTER INSERT OR UPDATE OR DELETE ON partners
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_auth_changed();
CREATE TRIGGER partner_permissions_auth_changed AFTER INSERT OR UPDATE OR DELETE ON partner_permissions
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_auth_changed();

INSERT INTO schema_migrations (version, name) VALUES (13, '0013_auth_changed_notify');
COMMIT;
