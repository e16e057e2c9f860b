-- ota_check_slot_allocation: trigger inventory_slots_cap_on_update (0017). Per product,
-- the channels' allocations sum to at most sellable_cap; checked after every statement
-- that raised a slot's allocated (a row trigger queued only then: the counter updates of
-- every hold and ticket never queue it; a statement trigger with transition tables ran an
-- aggregate after each of them).
-- No lock: the writers that raise a product's allocations (ota_set_allocation,
-- ota_move_allocation, ota_create_pool, and the channel_inventory view through them)
-- hold the product row (FOR NO KEY UPDATE) first, so two of them never pass on a stale
-- sum; a rebalance between slots (ota_pool_take) leaves the sum as it was and runs under
-- the slots' locks, where waiting for the product row could deadlock with an allocation
-- change. A raw UPDATE of inventory_slots.allocated is checked against the sum it sees.
CREATE OR REPLACE FUNCTION ota_check_slot_allocation() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cap   integer;
    total integer;
BEGIN
    SELECT sellable_cap INTO cap FROM products WHERE product_id = NEW.product_id;
    SELECT coalesce(sum(allocated), 0) INTO total FROM inventory_slots WHERE product_id = NEW.product_id;
    IF total > cap THEN
        RAISE EXCEPTION 'allocations of product % sum to %, above its sellable_cap %', NEW.product_id, total, cap
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
    END IF;
    RETURN NULL;
END $$;
