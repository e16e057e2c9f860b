-- ota_guard_derived_counters: trigger channel_inventory_derived_counters (0002, on
-- inventory_slots since 0017). reserved and sold are derived counters: only the triggers
-- that maintain them (which run nested, at trigger depth >= 2) may change them. A direct
-- UPDATE that would oversell fails the channel_inventory_no_oversell CHECK first; one that
-- merely drifts from the holds fails here.
CREATE OR REPLACE FUNCTION ota_guard_derived_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.reserved IS DISTINCT FROM OLD.reserved OR NEW.sold IS DISTINCT FROM OLD.sold)
       AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'channel_inventory.reserved and .sold are maintained from reservations and tickets; change those instead'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    RETURN NULL;
END $$;
