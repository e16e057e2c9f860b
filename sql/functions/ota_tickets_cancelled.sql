-- ota_tickets_cancelled: trigger tickets_cancel_returns_units (0007). Cancelled tickets
-- give their units back to their slots (sold goes down), once per statement and slot, in
-- (product, channel, slot) order, the order every writer locks slots in.
CREATE OR REPLACE FUNCTION ota_tickets_cancelled() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    n record;
BEGIN
    FOR n IN SELECT a.product_id, a.channel, a.slot, count(*)::integer AS units
               FROM after_rows a JOIN before_rows b ON b.ticket_code = a.ticket_code
              WHERE a.status = 'CANCELLED' AND b.status <> 'CANCELLED'
              GROUP BY a.product_id, a.channel, a.slot ORDER BY a.product_id, a.channel, a.slot LOOP
        UPDATE inventory_slots c SET sold = c.sold - n.units, updated_at = now()
         WHERE c.product_id = n.product_id AND c.channel = n.channel AND c.slot = n.slot;
    END LOOP;
    RETURN NULL;
END $$;
