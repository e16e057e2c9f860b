-- ota_pool_take: the slow path of taking p_quantity units of a product's OTA pool, shared by
-- the hold (ota_hold, when no single open slot could take them at once) and bulk-generate.
-- Locks ALL the pool's slots in slot order, so the pool-wide `available` is exact, then
-- checks in the order the API answers: 'insufficient' (with that available) whatever the
-- size of the quantity; the partner's allotment ('over_allotment' with what is left; its
-- row is locked after the slots, so two takes on different slots cannot both pass it);
-- the per-take maximum p_max_units (NULL: none) as 'over_limit'. Then it rebalances the
-- pool in one UPDATE (ota_pool_plan: the sum unchanged) so that one open slot has the units
-- and answers 'ready' with that slot, still locked: the caller inserts the hold or the
-- tickets on it in the same transaction. 'no_allocation' when the product has no OTA pool.
CREATE OR REPLACE FUNCTION ota_pool_take(p_product_id integer, p_partner_id bigint, p_quantity integer,
                                         p_max_units integer)
RETURNS TABLE (outcome text, available integer, slot smallint)
LANGUAGE plpgsql AS $$
DECLARE
    total     integer;
    avail     integer;
    remaining integer;
    target    smallint;
BEGIN
    PERFORM 1 FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = 'ota' ORDER BY s.slot FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_allocation'::text, 0, NULL::smallint;
        RETURN;
    END IF;
    -- A new statement: its snapshot sees the latest committed state of the rows now locked.
    SELECT sum(s.allocated), sum(s.allocated - s.reserved - s.sold) INTO total, avail
      FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = 'ota';
    IF p_quantity > avail THEN
        RETURN QUERY SELECT 'insufficient'::text, avail, NULL::smallint;
        RETURN;
    END IF;
    remaining := ota_allotment_lock(p_partner_id, p_product_id);
    IF p_quantity > remaining THEN
        RETURN QUERY SELECT 'over_allotment'::text, remaining, NULL::smallint;
        RETURN;
    END IF;
    IF p_quantity > p_max_units THEN
        RETURN QUERY SELECT 'over_limit'::text, avail, NULL::smallint;
        RETURN;
    END IF;
    SELECT s.slot INTO target FROM inventory_slots s
     WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.open
     ORDER BY s.allocated - s.reserved - s.sold DESC, s.slot LIMIT 1;
    UPDATE inventory_slots s SET allocated = p.allocated, updated_at = now()
      FROM ota_pool_plan(p_product_id, 'ota', total, target, p_quantity) p
     WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.slot = p.slot AND s.allocated <> p.allocated;
    RETURN QUERY SELECT 'ready'::text, avail, target;
END $$;
