-- 0010 partner allotments: a partner's optional cap inside the shared OTA pool. Without a
-- row here a partner may take whatever the pool has; with one, its active holds plus its
-- issued (not cancelled) tickets of the product never exceed `units`. The pool stays
-- shared: an allotment reserves nothing, it only limits.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
BEGIN;

CREATE TABLE partner_allotments (
    partner_id bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    product_id integer     NOT NULL REFERENCES products,
    units      integer     NOT NULL CHECK (units >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, product_id)
);
COMMENT ON TABLE partner_allotments IS 'Optional per-partner cap on OTA units of a product: active holds + issued tickets <= units.';

-- The usage below is counted on every hold of a partner that has an allotment, under the
-- pool row lock: these partial indexes keep that count to the partner's live rows.
CREATE INDEX reservations_partner_product_active ON reservations (partner_id, product_id) WHERE status = 'active';
CREATE INDEX tickets_partner_product_issued ON tickets (partner_id, product_id) WHERE status <> 'CANCELLED';

-- What the partner has taken of the product's OTA pool: active holds and issued tickets.
-- Exact only while the caller holds the pool row lock: every change of either (a hold, its
-- end, a ticket, its cancellation) also updates that row through the counter triggers.
CREATE FUNCTION ota_partner_usage(p_partner_id bigint, p_product_id integer) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(r.quantity), 0) FROM reservations r
             WHERE r.partner_id = p_partner_id AND r.product_id = p_product_id AND r.channel = 'ota' AND r.status = 'active')
         + (SELECT count(*) FROM tickets t
             WHERE t.partner_id = p_partner_id AND t.product_id = p_product_id AND t.channel = 'ota' AND t.status <> 'CANCELLED')
$$;

-- Units the partner may still take of the product: NULL when it has no allotment (only the
-- pool limits it), never negative.
CREATE FUNCTION ota_allotment_remaining(p_partner_id bigint, p_product_id integer) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT greatest(a.units - ota_partner_usage(p_partner_id, p_product_id), 0)::integer
      FROM partner_allotments a
     WHERE a.partner_id = p_partner_id AND a.product_id = p_product_id
$$;

-- The hold of 0004, with the allotment checked after availability (so asking for more than
-- exists still answers 'insufficient' with the pool's availability) and before the
-- per-hold maximum (so a partner asking for more than its allotment learns what is left).
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

INSERT INTO schema_migrations (version, name) VALUES (10, '0010_partner_allotments');
COMMIT;
