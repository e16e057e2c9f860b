-- ota_hold: the hold, in one round trip, on a pool striped over K slots (channel_pools.stripes,
-- inventory_slots; K = 1 is one row as before).
-- Fast path: one open slot that alone has the units, locked with FOR UPDATE SKIP LOCKED in a
-- random order, so concurrent holders spread over the slots; when every such slot is
-- locked, a waiting FOR UPDATE on one of them (bounded by lock_timeout), whose WHERE is
-- checked again on the row as it is once the lock is granted. Slow path (no single slot has
-- enough, the recheck failed, or the quantity is above the per-hold maximum, whose 422
-- carries the exact available): ota_pool_take locks all slots in slot order and answers
-- exactly as a single pool row did: 'insufficient' with the pool-wide availability (a 409)
-- whatever the size of the request, then the partner's allotment, then the per-hold maximum.
-- Each fast-path attempt runs in a block with an exception handler (a subtransaction) that
-- is rolled back when it finds nothing: a row that was locked but then failed the recheck
-- stays locked by its statement, and a transaction must never wait for a slot while it
-- holds another (two could wait for each other), so the waiting attempt and the slow path
-- start with no slot held. The waiting attempt waits for exactly one slot.
-- A partner with an allotment has its partner_allotments row locked after the slot lock:
-- holds of that partner and product on different slots are serialized there, and the usage
-- is counted after the lock (PL/pgSQL takes a fresh snapshot per statement), so it sees
-- every change committed by earlier holders.
CREATE OR REPLACE FUNCTION ota_hold(
    p_reservation_id text, p_partner_id bigint, p_product_id integer, p_quantity integer,
    p_max_units integer, p_expires_at timestamptz, p_snapshot jsonb)
RETURNS TABLE (outcome text, available integer, created_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    target    smallint;
    candidate smallint;
    taken     record;
    remaining integer;
    avail     integer;
    made      timestamptz;
BEGIN
    IF p_quantity <= p_max_units THEN
        BEGIN
            SELECT s.slot INTO target FROM inventory_slots s
             WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.open
               AND s.allocated - s.reserved - s.sold >= p_quantity
             ORDER BY random() LIMIT 1
               FOR UPDATE SKIP LOCKED;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no free slot can take the hold' USING ERRCODE = 'OTA01';
            END IF;
        EXCEPTION WHEN SQLSTATE 'OTA01' THEN
            target := NULL;
        END;
        IF target IS NULL THEN
            -- Every slot with the units is busy (or none has them): wait for one of them.
            SELECT s.slot INTO candidate FROM inventory_slots s
             WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.open
               AND s.allocated - s.reserved - s.sold >= p_quantity
             ORDER BY random() LIMIT 1;
            IF FOUND THEN
                BEGIN
                    PERFORM 1 FROM inventory_slots s
                     WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.slot = candidate AND s.open
                       AND s.allocated - s.reserved - s.sold >= p_quantity
                       FOR UPDATE;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'the slot no longer has the units' USING ERRCODE = 'OTA01';
                    END IF;
                    target := candidate;
                EXCEPTION WHEN SQLSTATE 'OTA01' THEN
                    target := NULL;
                END;
            END IF;
        END IF;
    END IF;
    IF target IS NULL THEN
        SELECT t.outcome, t.available, t.slot INTO taken FROM ota_pool_take(p_product_id, p_partner_id, p_quantity, p_max_units) t;
        IF taken.outcome <> 'ready' THEN
            RETURN QUERY SELECT taken.outcome, taken.available, NULL::timestamptz, NULL::timestamptz;
            RETURN;
        END IF;
        target := taken.slot;
    ELSE
        PERFORM 1 FROM partner_allotments a WHERE a.partner_id = p_partner_id AND a.product_id = p_product_id FOR UPDATE;
        IF FOUND THEN
            remaining := ota_allotment_remaining(p_partner_id, p_product_id);
            IF p_quantity > remaining THEN
                RETURN QUERY SELECT 'over_allotment'::text, remaining, NULL::timestamptz, NULL::timestamptz;
                RETURN;
            END IF;
        END IF;
    END IF;
    INSERT INTO reservations (reservation_id, partner_id, product_id, channel, slot, quantity, expires_at, pricing_snapshot)
    VALUES (p_reservation_id, p_partner_id, p_product_id, 'ota', target, p_quantity, p_expires_at, p_snapshot)
    RETURNING reservations.created_at INTO made;
    -- What the pool has left: this slot exactly, the others as this statement sees them.
    SELECT sum(s.allocated - s.reserved - s.sold)::integer INTO avail
      FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = 'ota';
    RETURN QUERY SELECT 'held'::text, avail, made, p_expires_at;
END $$;
