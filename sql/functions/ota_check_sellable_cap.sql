-- ota_check_sellable_cap: trigger products_cap_covers_allocations (0002). Lowering a
-- product's sellable_cap below the sum of its channels' allocations (all their slots) is
-- refused.
CREATE OR REPLACE FUNCTION ota_check_sellable_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    total integer;
BEGIN
    SELECT coalesce(sum(allocated), 0) INTO total FROM inventory_slots WHERE product_id = NEW.product_id;
    IF total > NEW.sellable_cap THEN
        RAISE EXCEPTION 'sellable_cap % of product % is below its allocations %', NEW.sellable_cap, NEW.product_id, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
    END IF;
    RETURN NULL;
END $$;
