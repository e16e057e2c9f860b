-- ota_move_allocation: moves p_units of allocation from one channel pool of the product to
-- another, both spread over their slots (ota_pool_plan), in ONE UPDATE of both pools' slots:
-- the product's sum never changes, not even between two statements (so the cap trigger has
-- nothing to check). Lock order: the product row, the two pool rows by channel, their
-- slots by (channel, slot). Refused when the source would fall below its reserved + sold.
CREATE OR REPLACE FUNCTION ota_move_allocation(p_product_id integer, p_from text, p_to text, p_units integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n          integer;
    from_total integer;
    from_used  integer;
    to_total   integer;
BEGIN
    PERFORM 1 FROM products p WHERE p.product_id = p_product_id FOR NO KEY UPDATE;
    PERFORM 1 FROM channel_pools c WHERE c.product_id = p_product_id AND c.channel IN (p_from, p_to) ORDER BY c.channel FOR NO KEY UPDATE;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 2 OR p_from = p_to THEN
        RAISE EXCEPTION 'product % needs a % and a % pool to move units between', p_product_id, p_from, p_to
            USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM 1 FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel IN (p_from, p_to)
     ORDER BY s.channel, s.slot FOR UPDATE;
    SELECT sum(s.allocated) FILTER (WHERE s.channel = p_from), sum(s.reserved + s.sold) FILTER (WHERE s.channel = p_from),
           sum(s.allocated) FILTER (WHERE s.channel = p_to)
      INTO from_total, from_used, to_total
      FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel IN (p_from, p_to);
    IF from_total - p_units < from_used THEN
        RAISE EXCEPTION 'moving % units would leave product % % at %, below its reserved + sold %',
                        p_units, p_product_id, p_from, from_total - p_units, from_used
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_no_oversell';
    END IF;
    UPDATE inventory_slots s SET allocated = p.allocated, updated_at = now()
      FROM (SELECT p_from AS channel, f.slot, f.allocated FROM ota_pool_plan(p_product_id, p_from, from_total - p_units, NULL, NULL) f
            UNION ALL
            SELECT p_to, t.slot, t.allocated FROM ota_pool_plan(p_product_id, p_to, to_total + p_units, NULL, NULL) t) p
     WHERE s.product_id = p_product_id AND s.channel = p.channel AND s.slot = p.slot AND s.allocated <> p.allocated;
    PERFORM ota_allocation_changed(p_product_id, p_from, from_total - p_units);
    PERFORM ota_allocation_changed(p_product_id, p_to, to_total + p_units);
END $$;
