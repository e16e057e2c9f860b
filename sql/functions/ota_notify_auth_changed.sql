-- ota_notify_auth_changed: triggers api_keys_auth_changed, partners_auth_changed and
-- partner_permissions_auth_changed (0013), statement-level. Tells every gateway that a
-- key, a partner or a permission changed (payload: the table), so it drops its cached key
-- lookups: a revoked key or a disabled partner stops working on every gateway at once.
CREATE OR REPLACE FUNCTION ota_notify_auth_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ota_auth_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;
