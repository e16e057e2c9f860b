-- ota_pool_plan: how a channel pool's allocation `p_total` is spread over its slots, without
-- changing anything: every slot keeps its reserved + sold; the free units (p_total minus all
-- of them) go to the open slots in even shares, closed slots keep none; with a target, the
-- target slot gets p_quantity more than its share first (the units a slow-path hold or batch
-- is about to take). The caller holds every slot's lock and applies the plan in ONE UPDATE
-- (ota_pool_take, ota_set_allocation, ota_move_allocation, ota_set_stripes), so the pool's
-- sum is never wrong between statements. A p_total below the reserved + sold makes some
-- share negative, which the slot's channel_inventory_no_oversell CHECK refuses.
CREATE OR REPLACE FUNCTION ota_pool_plan(p_product_id integer, p_channel text, p_total integer,
                                         p_target smallint, p_quantity integer)
RETURNS TABLE (slot smallint, allocated integer)
LANGUAGE sql STABLE AS $$
    WITH s AS (
        SELECT i.slot, i.open, i.reserved + i.sold AS used
          FROM inventory_slots i WHERE i.product_id = p_product_id AND i.channel = p_channel
    ), t AS (
        SELECT p_total - sum(s.used) - CASE WHEN p_target IS NULL THEN 0 ELSE coalesce(p_quantity, 0) END AS spread,
               greatest(count(*) FILTER (WHERE s.open), 1) AS k
          FROM s
    ), r AS (
        SELECT s.slot, row_number() OVER (ORDER BY s.slot IS DISTINCT FROM p_target, s.slot) - 1 AS rank
          FROM s WHERE s.open
    )
    SELECT s.slot,
           (s.used + CASE WHEN NOT s.open THEN 0
                          ELSE t.spread / t.k + CASE WHEN r.rank < t.spread % t.k THEN 1 ELSE 0 END
                               + CASE WHEN s.slot = p_target THEN coalesce(p_quantity, 0) ELSE 0 END END)::integer
      FROM s CROSS JOIN t LEFT JOIN r ON r.slot = s.slot
$$;
