-- ota_allotment_lock: for a hold or a batch that holds its slot locks already (the lock
-- order: slots, then the allotment row). Locks the partner's allotment row of the product,
-- if it has one, and answers the units it may still take, counted after the lock (a new
-- statement, so it sees every change committed by earlier holders of the lock); NULL: no
-- allotment, only the pool limits it. Called by ota_hold and ota_pool_take.
CREATE OR REPLACE FUNCTION ota_allotment_lock(p_partner_id bigint, p_product_id integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM partner_allotments a WHERE a.partner_id = p_partner_id AND a.product_id = p_product_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN ota_allotment_remaining(p_partner_id, p_product_id);
END $$;
