-- ota_hold: the hold, in one round trip, on a pool striped over K slots (channel_pools.stripes,
-- inventory_slots; K = 1 is one row as before).
-- Fast path, K = 1: a waiting FOR UPDATE on slot 0 (bounded by lock_timeout), as the single
-- pool row was locked before striping. K > 1: one open slot that alone has the units, locked
-- with FOR UPDATE SKIP LOCKED in a random order, so concurrent holders spread over the
-- slots; when every such slot is locked, a waiting FOR UPDATE on one of them, whose WHERE is
-- checked again on the row as it is once the lock is granted. Slow path (no single slot has
-- enough, the recheck failed, or the quantity is above the per-hold maximum, whose 422
-- carries the exact available): ota_pool_take locks all slots in slot order and answers
-- exactly as a single pool row did: 'insufficient' with the pool-wide availability (a 409)
-- whatever the size of the request, then the partner's allotment, then the per-hold maximum.
-- With K > 1 each fast-path attempt runs in a block with an exception handler (a
-- subtransaction) that is rolled back when it finds nothing: a row that was locked but then
-- failed the recheck stays locked by its statement, and a transaction must never wait for a
-- slot while it holds a higher one (two could wait for each other), so the waiting attempt
-- and the slow path start with no slot held. The waiting attempt waits for exactly one slot.
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
    k         smallint;
    target    smallint;
    candidate smallint;
    taken     record;
    remaining integer;
    avail     integer;
    free      integer; -- the locked slot's free units (fast path)
    made      timestamptz;
BEGIN
    SELECT c.stripes INTO k FROM channel_pools c WHERE c.product_id = p_product_id AND c.channel = 'ota';
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_allocation'::text, 0, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    IF p_quantity <= p_max_units AND k = 1 THEN
        -- One open slot, as before striping: wait for it. A lock that then fails the
        -- recheck is on slot 0, the first in slot order, so the slow path keeps the order.
        SELECT s.allocated - s.reserved - s.sold INTO free FROM inventory_slots s
         WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.slot = 0 AND s.open
           AND s.allocated - s.reserved - s.sold >= p_quantity
           FOR UPDATE;
        IF FOUND THEN
            target := 0;
        END IF;
    ELSIF p_quantity <= p_max_units THEN
        -- Pass 1: a slot nobody holds (SKIP LOCKED). Pass 2: wait for one slot that has the
        -- units. Each pass is one subtransaction that locks the slot, checks the allotment
        -- and inserts the hold, all under one transaction id (a row lock taken in a
        -- subtransaction and then written by its parent turns into a MultiXact, on every
        -- hold); a pass that found nothing is rolled back with any lock it took.
        FOR pass IN 1..2 LOOP
            BEGIN
                IF pass = 1 THEN
                    SELECT s.slot, s.allocated - s.reserved - s.sold INTO target, free FROM inventory_slots s
                     WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.open
                       AND s.allocated - s.reserved - s.sold >= p_quantity
                     ORDER BY random() LIMIT 1
                       FOR UPDATE SKIP LOCKED;
                ELSE
                    SELECT s.slot INTO candidate FROM inventory_slots s
                     WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.open
                       AND s.allocated - s.reserved - s.sold >= p_quantity
                     ORDER BY random() LIMIT 1;
                    IF FOUND THEN
                        SELECT s.allocated - s.reserved - s.sold INTO free FROM inventory_slots s
                         WHERE s.product_id = p_product_id AND s.channel = 'ota' AND s.slot = candidate AND s.open
                           AND s.allocated - s.reserved - s.sold >= p_quantity
                           FOR UPDATE;
                        IF FOUND THEN
                            target := candidate;
                        END IF;
                    END IF;
                END IF;
                IF target IS NULL THEN
                    RAISE EXCEPTION 'no single slot takes the hold' USING ERRCODE = 'OTA01';
                END IF;
                remaining := ota_allotment_lock(p_partner_id, p_product_id);
                IF p_quantity > remaining THEN
                    RETURN QUERY SELECT 'over_allotment'::text, remaining, NULL::timestamptz, NULL::timestamptz;
                    RETURN;
                END IF;
                INSERT INTO reservations (reservation_id, partner_id, product_id, channel, slot, quantity, expires_at, pricing_snapshot)
                VALUES (p_reservation_id, p_partner_id, p_product_id, 'ota', target, p_quantity, p_expires_at, p_snapshot)
                RETURNING reservations.created_at INTO made;
                -- What the locked slot has left: a lower bound of the pool's (no other
                -- slot is read on the fast path; the API does not answer it after a hold).
                RETURN QUERY SELECT 'held'::text, free - p_quantity, made, p_expires_at;
                RETURN;
            EXCEPTION WHEN SQLSTATE 'OTA01' THEN
                target := NULL;
            END;
        END LOOP;
    END IF;
    IF target IS NULL THEN
        -- Slow path: the pool-wide checks, and the units gathered into one slot.
        SELECT t.outcome, t.available, t.slot INTO taken FROM ota_pool_take(p_product_id, p_partner_id, p_quantity, p_max_units) t;
        IF taken.outcome <> 'ready' THEN
            RETURN QUERY SELECT taken.outcome, taken.available, NULL::timestamptz, NULL::timestamptz;
            RETURN;
        END IF;
        target := taken.slot;
    ELSE
        remaining := ota_allotment_lock(p_partner_id, p_product_id);
        IF p_quantity > remaining THEN
            RETURN QUERY SELECT 'over_allotment'::text, remaining, NULL::timestamptz, NULL::timestamptz;
            RETURN;
        END IF;
    END IF;
    INSERT INTO reservations (reservation_id, partner_id, product_id, channel, slot, quantity, expires_at, pricing_snapshot)
    VALUES (p_reservation_id, p_partner_id, p_product_id, 'ota', target, p_quantity, p_expires_at, p_snapshot)
    RETURNING reservations.created_at INTO made;
    IF k = 1 AND free IS NOT NULL THEN
        avail := free - p_quantity; -- slot 0's (the pool's unless closed slots have units)
    ELSE
        SELECT sum(s.allocated - s.reserved - s.sold)::integer INTO avail
          FROM inventory_slots s WHERE s.product_id = p_product_id AND s.channel = 'ota';
    END IF;
    RETURN QUERY SELECT 'held'::text, avail, made, p_expires_at;
END $$;
