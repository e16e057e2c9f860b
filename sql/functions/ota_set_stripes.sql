-- ota_set_stripes: splits a channel pool over p_stripes open slots (1..64): slots
-- 0..p_stripes-1 are opened (created when missing, with nothing allocated), the others
-- closed, and the pool's free units spread over the open slots in one UPDATE (the sum
-- unchanged). Holds and tickets stay on the slots they have: a closed slot keeps their
-- units until they end, and gives back what they free at the next slow path or change.
-- Lock order: the pool row, then its slots in slot order (no product lock: the sum does
-- not change).
CREATE OR REPLACE FUNCTION ota_set_stripes(p_product_id integer, p_channel text, p_stripes integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    total integer;
BEGIN
    IF p_stripes IS NULL OR p_stripes NOT BETWEEN 1 AND 64 THEN
        RAISE EXCEPTION 'stripes must be between 1 and 64, not %', p_stripes
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_pools_stripes_range';
    END IF;
    PERFORM 1 FROM channel_pools c WHERE c.product_id = p_product_id AND c.channel = p_channel FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'product % has no % pool', p_product_id, p_channel USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM 1 FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = p_channel ORDER BY s.slot FOR UPDATE;
    SELECT sum(s.allocated) INTO total FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = p_channel;
    UPDATE channel_pools c SET stripes = p_stripes WHERE c.product_id = p_product_id AND c.channel = p_channel;
    INSERT INTO inventory_slots (product_id, channel, slot, allocated, open)
    SELECT p_product_id, p_channel, g::smallint, 0, true FROM generate_series(0, p_stripes - 1) g
     WHERE NOT EXISTS (SELECT 1 FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = p_channel AND s.slot = g);
    UPDATE inventory_slots s SET open = (s.slot < p_stripes), updated_at = now()
     WHERE s.product_id = p_product_id AND s.channel = p_channel AND s.open <> (s.slot < p_stripes);
    UPDATE inventory_slots s SET allocated = p.allocated, updated_at = now()
      FROM ota_pool_plan(p_product_id, p_channel, total, NULL, NULL) p
     WHERE s.product_id = p_product_id AND s.channel = p_channel AND s.slot = p.slot AND s.allocated <> p.allocated;
END $$;
