-- 0004 reservations: holds on the OTA pool. channel_inventory.reserved is kept equal to
-- the sum of active holds by the trigger below, so no code path can let them drift.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
BEGIN;

CREATE TABLE reservations (
    reservation_id   text        PRIMARY KEY CHECK (reservation_id ~ '^res_[a-z0-9]{20,40}$'),
    partner_id       bigint      NOT NULL REFERENCES partners,
    product_id       integer     NOT NULL,
    channel          text        NOT NULL DEFAULT 'ota',
    quantity         integer     NOT NULL CHECK (quantity > 0),
    status           text        NOT NULL DEFAULT 'active'
                                 CHECK (status IN ('active', 'expired', 'activated', 'cancelled')),
    expires_at       timestamptz NOT NULL,
    pricing_snapshot jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    FOREIGN KEY (product_id, channel) REFERENCES channel_inventory (product_id, channel),
    CONSTRAINT reservations_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT reservations_ended_when_not_active CHECK ((status = 'active') = (ended_at IS NULL))
);
CREATE INDEX reservations_partner_newest ON reservations (partner_id, created_at DESC, reservation_id DESC);
CREATE INDEX reservations_active_by_expiry ON reservations (expires_at) WHERE status = 'active';

-- Only active -> (expired | activated | cancelled); an ended hold never changes again.
CREATE FUNCTION ota_reservation_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'active' THEN
            RAISE EXCEPTION 'a reservation starts active' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'reservations_lifecycle';
        END IF;
        UPDATE channel_inventory SET reserved = reserved + NEW.quantity, updated_at = now()
         WHERE product_id = NEW.product_id AND channel = NEW.channel;
        RETURN NEW;
    END IF;
    IF NEW.quantity <> OLD.quantity OR NEW.product_id <> OLD.product_id OR NEW.channel <> OLD.channel
       OR NEW.partner_id <> OLD.partner_id THEN
        RAISE EXCEPTION 'a reservation''s product, channel, partner and quantity never change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reservations_lifecycle';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'active' THEN
            RAISE EXCEPTION 'reservation % is % and cannot become %', OLD.reservation_id, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reservations_lifecycle';
        END IF;
        -- Leaving active releases the hold; activation moves the units to sold through the
        -- ticket rows it creates (their trigger raises sold).
        UPDATE channel_inventory SET reserved = reserved - OLD.quantity, updated_at = now()
         WHERE product_id = OLD.product_id AND channel = OLD.channel;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER reservations_keep_reserved
    AFTER INSERT OR UPDATE ON reservations
    FOR EACH ROW EXECUTE FUNCTION ota_reservation_counters();

CREATE FUNCTION ota_reservation_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        RAISE EXCEPTION 'an active reservation cannot be deleted; cancel it' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reservations_lifecycle';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER reservations_no_delete_active
    BEFORE DELETE ON reservations
    FOR EACH ROW EXECUTE FUNCTION ota_reservation_no_delete();

-- The hold, in one round trip: lock the pool row, check, insert. Availability is checked
-- before the per-hold maximum so that a partner asking for more than exists always learns
-- how much there is (409), whatever the size of the request.
CREATE FUNCTION ota_hold(
    p_reservation_id text, p_partner_id bigint, p_product_id integer, p_quantity integer,
    p_max_units integer, p_expires_at timestamptz, p_snapshot jsonb)
RETURNS TABLE (outcome text, available integer, created_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    pool  channel_inventory%ROWTYPE;
    avail integer;
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
    IF p_quantity > p_max_units THEN
        RETURN QUERY SELECT 'over_limit'::text, avail, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    INSERT INTO reservations (reservation_id, partner_id, product_id, channel, quantity, expires_at, pricing_snapshot)
    VALUES (p_reservation_id, p_partner_id, p_product_id, 'ota', p_quantity, p_expires_at, p_snapshot)
    RETURNING reservations.created_at INTO made;
    RETURN QUERY SELECT 'held'::text, avail - p_quantity, made, p_expires_at;
END $$;

INSERT INTO schema_migrations (version, name) VALUES (4, '0004_reservations');
COMMIT;
