-- ota_hold: the hold, in one round trip: lock the OTA pool row, check, insert.
-- Availability is checked first, so a partner asking for more than exists always learns
-- how much there is ('insufficient' with the pool's availability, a 409), whatever the
-- size of the request; then the partner's allotment (so a partner asking for more than
-- its allotment learns what is left); then the per-hold maximum.
-- The remaining allotment is counted after the pool row lock is granted: PL/pgSQL takes a
-- fresh snapshot per statement, so it sees every change committed by earlier lock holders.
CREATE OR REPLACE FUNCTION ota_hold(
    p_reservation_id text, p_partner_id bigint, p_product_id integer, p_quantity integer,
    p_max_units integer, p_expires_at timestamptz, p_snapshot jsonb)
RETURNS TABLE (outcome text, available integer, created_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    pool  channel_inventory%ROWTYPE;
    avail integer;
    remaining integer;
    made  timestamptz;
BEGIN
    SELECT * INTO pool FROM channel_inventory c
     WHERE c.product_id = p_product_id AND c.channel = 'ota'
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_allocation'::text, 0, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    avail := pool.allocated - pool.reserved - pool.sold;
    IF p_quantity > avail THEN
        RETURN QUERY SELECT 'insufficient'::text, avail, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    remaining := ota_allotment_remaining(p_partner_id, p_product_id);
    IF remaining IS NOT NULL AND p_quantity > remaining THEN
        RETURN QUERY SELECT 'over_allotment'::text, remaining, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    IF p_quantity > p_max_units THEN
        RETURN QUERY SELECT 'over_limit'::text, avail, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    INSERT INTO reservations (reservation_id, partner_id, product_id, channel, quantity, expires_at, pricing_snapshot)
    VALUES (p_reservation_id, p_partner_id, p_product_id, 'ota', p_quantity, p_expires_at, p_snapshot)
    RETURNING reservations.created_at INTO made;
    RETURN QUERY SELECT 'held'::text, avail - p_quantity, made, p_expires_at;
END $$;
