-- ota_check_allocation_cap: trigger channel_inventory_within_sellable_cap (0002).
-- Per product, the channels' allocations sum to at most sellable_cap. The product row is
-- locked so that two concurrent allocation changes cannot both pass on a stale sum.
CREATE OR REPLACE FUNCTION ota_check_allocation_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cap   integer;
    total integer;
BEGIN
    SELECT sellable_cap INTO cap FROM products WHERE product_id = NEW.product_id FOR UPDATE;
    SELECT coalesce(sum(allocated), 0) INTO total FROM channel_inventory WHERE product_id = NEW.product_id;
    IF total > cap THEN
        RAISE EXCEPTION 'allocations of product % sum to %, above its sellable_cap %', NEW.product_id, total, cap
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
    END IF;
    RETURN NULL;
END $$;
