-- 0004 reservations: holds on the OTA pool. channel_inventory.reserved is kept equal to
-- the sum of active holds by the trigger below, so no code path can let them drift.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
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

-- ota_reservation_counters: sql/functions/ota_reservation_counters.sql
CREATE TRIGGER reservations_keep_reserved
    AFTER INSERT OR UPDATE ON reservations
    FOR EACH ROW EXECUTE FUNCTION ota_reservation_counters();

-- ota_reservation_no_delete: sql/functions/ota_reservation_no_delete.sql
CREATE TRIGGER reservations_no_delete_active
    BEFORE DELETE ON reservations
    FOR EACH ROW EXECUTE FUNCTION ota_reservation_no_delete();

-- ota_hold: sql/functions/ota_hold.sql

INSERT INTO schema_migrations (version, name) VALUES (4, '0004_reservations');
COMMIT;
