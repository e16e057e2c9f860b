-- ota_partner_usage: what the partner has taken of the product's OTA pool: active holds
-- and issued tickets. Exact for a hold or a batch that holds the partner's
-- partner_allotments row lock (ota_hold, ota_pool_take): every take that makes the usage
-- grow takes that lock first, and activation ends a hold and issues its tickets in one
-- transaction (the usage is unchanged). Without an allotment row, exact while the caller
-- holds all the pool's slot locks (ota-admin allotment set).
CREATE OR REPLACE FUNCTION ota_partner_usage(p_partner_id bigint, p_product_id integer) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(r.quantity), 0) FROM reservations r
             WHERE r.partner_id = p_partner_id AND r.product_id = p_product_id AND r.channel = 'ota' AND r.status = 'active')
         + (SELECT count(*) FROM tickets t
             WHERE t.partner_id = p_partner_id AND t.product_id = p_product_id AND t.channel = 'ota' AND t.status <> 'CANCELLED')
$$;
