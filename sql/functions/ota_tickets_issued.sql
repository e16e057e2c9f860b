-- ota_tickets_issued: trigger tickets_raise_sold (0007). sold follows the tickets, once
-- per statement (a batch of 5000 tickets is one update of the pool row, not 5000).
CREATE OR REPLACE FUNCTION ota_tickets_issued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channel_inventory c SET sold = c.sold + n.units, updated_at = now()
      FROM (SELECT product_id, channel, count(*)::integer AS units FROM issued GROUP BY product_id, channel) n
     WHERE c.product_id = n.product_id AND c.channel = n.channel;
    RETURN NULL;
END $$;
