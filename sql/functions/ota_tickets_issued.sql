-- ota_tickets_issued: trigger tickets_raise_sold (0007). sold follows the tickets, once
-- per statement and slot (a batch of 5000 tickets is one update of its slot row, not 5000).
-- Slots are updated in (product, channel, slot) order, the order every writer locks them in.
CREATE OR REPLACE FUNCTION ota_tickets_issued() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    n record;
BEGIN
    FOR n IN SELECT i.product_id, i.channel, i.slot, count(*)::integer AS units FROM issued i
              GROUP BY i.product_id, i.channel, i.slot ORDER BY i.product_id, i.channel, i.slot LOOP
        UPDATE inventory_slots c SET sold = c.sold + n.units, updated_at = now()
         WHERE c.product_id = n.product_id AND c.channel = n.channel AND c.slot = n.slot;
    END LOOP;
    RETURN NULL;
END $$;
