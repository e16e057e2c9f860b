-- ota_allotment_remaining: the units a partner may still take of a product: NULL when it
-- has no allotment (only the pool limits it), never negative. Called by ota_hold.
CREATE OR REPLACE FUNCTION ota_allotment_remaining(p_partner_id bigint, p_product_id integer) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT greatest(a.units - ota_partner_usage(p_partner_id, p_product_id), 0)::integer
      FROM partner_allotments a
     WHERE a.partner_id = p_partner_id AND a.product_id = p_product_id
$$;
