-- ota_partner_usage: what the partner has taken of the product's OTA pool: active holds
-- and issued tickets. Exact only while the caller holds the pool row lock: every change of
-- either (a hold, its end, a ticket, its cancellation) also updates that row through the
-- counter triggers.
CREATE OR REPLACE FUNCTION ota_partner_usage(p_partner_id bigint, p_product_id integer) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(r.quantity), 0) FROM reservations r
             WHERE r.partner_id = p_partner_id AND r.product_id = p_product_id AND r.channel = 'ota' AND r.status = 'active')
         + (SELECT count(*) FROM tickets t
             WHERE t.partner_id = p_partner_id AND t.product_id = p_product_id AND t.channel = 'ota' AND t.status <> 'CANCELLED')
$$;
