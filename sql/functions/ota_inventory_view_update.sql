-- ota_inventory_view_update: trigger channel_inventory_update (0017), INSTEAD OF UPDATE on
-- the view. allocated sets the pool's total through ota_set_allocation (spread over the
-- slots), stripes through ota_set_stripes. reserved and sold are refused as the old table
-- refused them: with the CHECK an oversell or a negative count broke, else as derived
-- counters that follow the holds and tickets.
CREATE OR REPLACE FUNCTION ota_inventory_view_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.product_id IS DISTINCT FROM OLD.product_id OR NEW.channel IS DISTINCT FROM OLD.channel THEN
        RAISE EXCEPTION 'a pool''s product and channel never change; create another pool and move units'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_pools_pkey';
    END IF;
    IF NEW.reserved IS DISTINCT FROM OLD.reserved OR NEW.sold IS DISTINCT FROM OLD.sold THEN
        IF NEW.reserved < 0 THEN
            RAISE EXCEPTION 'new row for relation "channel_inventory" violates check constraint "channel_inventory_reserved_nonnegative"'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_reserved_nonnegative';
        ELSIF NEW.sold < 0 THEN
            RAISE EXCEPTION 'new row for relation "channel_inventory" violates check constraint "channel_inventory_sold_nonnegative"'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_sold_nonnegative';
        ELSIF NEW.reserved + NEW.sold > NEW.allocated THEN
            RAISE EXCEPTION 'new row for relation "channel_inventory" violates check constraint "channel_inventory_no_oversell"'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_no_oversell';
        END IF;
        RAISE EXCEPTION 'channel_inventory.reserved and .sold are maintained from reservations and tickets; change those instead'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    IF NEW.allocated IS DISTINCT FROM OLD.allocated THEN
        IF NEW.allocated IS NULL THEN
            RAISE EXCEPTION 'null value in column "allocated" of relation "channel_inventory"' USING ERRCODE = 'not_null_violation';
        END IF;
        PERFORM ota_set_allocation(OLD.product_id, OLD.channel, NEW.allocated);
    END IF;
    IF NEW.stripes IS DISTINCT FROM OLD.stripes THEN
        PERFORM ota_set_stripes(OLD.product_id, OLD.channel, NEW.stripes);
    END IF;
    RETURN NEW;
END $$;
