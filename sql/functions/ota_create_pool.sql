-- ota_create_pool: a new channel pool of p_units for the product: its channel_pools row
-- (stripes 1) and slot 0 with the whole allocation. false when the product already has a
-- pool for the channel (nothing changes). The product row is locked first, the order every
-- allocation change takes (product, pool, slots); the cap trigger checks the new sum.
CREATE OR REPLACE FUNCTION ota_create_pool(p_product_id integer, p_channel text, p_units integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM products p WHERE p.product_id = p_product_id FOR NO KEY UPDATE;
    INSERT INTO channel_pools (product_id, channel) VALUES (p_product_id, p_channel) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO inventory_slots (product_id, channel, slot, allocated, open) VALUES (p_product_id, p_channel, 0, p_units, true);
    PERFORM ota_allocation_changed(p_product_id, p_channel, p_units);
    RETURN true;
END $$;
