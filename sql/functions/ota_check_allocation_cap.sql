-- ota_check_allocation_cap: trigger inventory_slots_cap_on_insert (0017), statement-level
-- with a transition table. Per product, the channels' allocations sum to at most
-- sellable_cap. A product whose new slots bring units is checked with its product row
-- locked, so that two concurrent pool creations cannot both pass on a stale sum. (A raised
-- allocated of existing slots: ota_check_slot_allocation.)
-- FOR NO KEY UPDATE: it serializes allocation changes, yet lets the KEY SHARE locks of
-- foreign-key checks on products (orders, batches) through.
CREATE OR REPLACE FUNCTION ota_check_allocation_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    grown integer[];
    product integer;
    cap   integer;
    total integer;
BEGIN
    SELECT array_agg(DISTINCT n.product_id ORDER BY n.product_id) INTO grown FROM new_slots n WHERE n.allocated > 0;
    FOREACH product IN ARRAY coalesce(grown, '{}') LOOP
        SELECT sellable_cap INTO cap FROM products WHERE product_id = product FOR NO KEY UPDATE;
        SELECT coalesce(sum(allocated), 0) INTO total FROM inventory_slots WHERE product_id = product;
        IF total > cap THEN
            RAISE EXCEPTION 'allocations of product % sum to %, above its sellable_cap %', product, total, cap
                USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
