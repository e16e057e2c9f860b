-- ota_guard_new_inventory: trigger channel_inventory_starts_empty (0002, on inventory_slots
-- since 0017). A new slot row starts with nothing reserved or sold; the counters grow only
-- through holds and tickets.
CREATE OR REPLACE FUNCTION ota_guard_new_inventory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.reserved <> 0 OR NEW.sold <> 0 THEN
        RAISE EXCEPTION 'a new channel_inventory row starts with reserved = 0 and sold = 0'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    RETURN NEW;
END $$;
