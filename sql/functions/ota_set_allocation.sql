-- ota_set_allocation: sets a channel pool's allocation to p_units, spread over its slots
-- (ota_pool_plan: each slot keeps its reserved + sold, the free units go to the open slots
-- evenly) in one UPDATE. Used by ota-admin and by an UPDATE of channel_inventory.allocated.
-- Lock order: the product row, the pool row, its slots in slot order. Refused below the
-- pool's reserved + sold (channel_inventory_no_oversell) and, by the cap trigger, above
-- the product's sellable_cap.
CREATE OR REPLACE FUNCTION ota_set_allocation(p_product_id integer, p_channel text, p_units integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    used integer;
BEGIN
    PERFORM 1 FROM products p WHERE p.product_id = p_product_id FOR NO KEY UPDATE;
    PERFORM 1 FROM channel_pools c WHERE c.product_id = p_product_id AND c.channel = p_channel FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'product % has no % pool', p_product_id, p_channel USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM 1 FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = p_channel ORDER BY s.slot FOR UPDATE;
    SELECT sum(s.reserved + s.sold) INTO used FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = p_channel;
    IF p_units < 0 THEN
        RAISE EXCEPTION 'an allocation may not be negative (%)', p_units
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_allocated_check';
    END IF;
    IF p_units < used THEN
        RAISE EXCEPTION 'allocation % of product % % is below its reserved + sold %', p_units, p_product_id, p_channel, used
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_no_oversell';
    END IF;
    UPDATE inventory_slots s SET allocated = p.allocated, updated_at = now()
      FROM ota_pool_plan(p_product_id, p_channel, p_units, NULL, NULL) p
     WHERE s.product_id = p_product_id AND s.channel = p_channel AND s.slot = p.slot AND s.allocated <> p.allocated;
    PERFORM ota_allocation_changed(p_product_id, p_channel, p_units);
END $$;
