-- ota_tickets_cancelled: trigger tickets_cancel_returns_units (0007). Cancelled tickets
-- give their units back to the pool (sold goes down), once per statement.
CREATE OR REPLACE FUNCTION ota_tickets_cancelled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channel_inventory c SET sold = c.sold - n.units, updated_at = now()
      FROM (SELECT a.product_id, a.channel, count(*)::integer AS units
              FROM after_rows a JOIN before_rows b ON b.ticket_code = a.ticket_code
             WHERE a.status = 'CANCELLED' AND b.status <> 'CANCELLED'
             GROUP BY a.product_id, a.channel) n
     WHERE c.product_id = n.product_id AND c.channel = n.channel;
    RETURN NULL;
END $$;
