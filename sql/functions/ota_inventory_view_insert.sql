-- ota_inventory_view_insert: trigger channel_inventory_insert (0017), INSTEAD OF INSERT on
-- the view. A new pool, as an INSERT into the old table made it: its allocation on slot 0
-- (ota_create_pool), nothing reserved or sold; stripes when given (ota_set_stripes).
CREATE OR REPLACE FUNCTION ota_inventory_view_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(NEW.reserved, 0) <> 0 OR coalesce(NEW.sold, 0) <> 0 THEN
        RAISE EXCEPTION 'a new channel_inventory row starts with reserved = 0 and sold = 0'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    IF NOT ota_create_pool(NEW.product_id, NEW.channel, NEW.allocated) THEN
        RAISE EXCEPTION 'product % already has a % pool', NEW.product_id, NEW.channel
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'channel_pools_pkey';
    END IF;
    IF coalesce(NEW.stripes, 1) <> 1 THEN
        PERFORM ota_set_stripes(NEW.product_id, NEW.channel, NEW.stripes);
    END IF;
    RETURN NEW;
END $$;
