-- ota_check_allocation_cap: trigger inventory_slots_cap_on_insert (0017), statement-level
-- with a transition table (until 0019 also inventory_slots_cap_on_update, now
-- ota_check_slot_allocation).
-- Per product, the channels' allocations sum to at most sellable_cap. Only a product whose
-- sum of allocated grew in this statement is checked, with its product row locked so that
-- two concurrent allocation changes cannot both pass on a stale sum. A statement that moves
-- units between slots (the sum unchanged), or only changes counters, locks nothing: it runs
-- under slot locks, and an allocation change holds the product row while it waits for them.
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
    -- The transition tables exist per event: old_slots only for an UPDATE.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.product_id ORDER BY n.product_id) INTO grown FROM new_slots n WHERE n.allocated > 0;
    ELSE
        SELECT array_agg(g.product_id ORDER BY g.product_id) INTO grown FROM (
            SELECT d.product_id FROM (
                SELECT n.product_id, n.allocated::bigint AS delta FROM new_slots n
                UNION ALL
                SELECT o.product_id, -o.allocated::bigint FROM old_slots o
            ) d GROUP BY d.product_id HAVING sum(d.delta) > 0
        ) g;
    END IF;
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
