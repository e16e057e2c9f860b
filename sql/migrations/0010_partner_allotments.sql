-- 0010 partner allotments: a partner's optional cap inside the shared OTA pool. Without a
-- row here a partner may take whatever the pool has; with one, its active holds plus its
-- issued (not cancelled) tickets of the product never exceed `units`. The pool stays
-- shared: an allotment reserves nothing, it only limits.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

CREATE TABLE partner_allotments (
    partner_id bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    product_id integer     NOT NULL REFERENCES products,
    units      integer     NOT NULL CHECK (units >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, product_id)
);
COMMENT ON TABLE partner_allotments IS 'Optional per-partner cap on OTA units of a product: active holds + issued tickets <= units.';

-- The usage (ota_partner_usage) is counted on every hold of a partner that has an allotment, under the
-- pool row lock: these partial indexes keep that count to the partner's live rows.
CREATE INDEX reservations_partner_product_active ON reservations (partner_id, product_id) WHERE status = 'active';
CREATE INDEX tickets_partner_product_issued ON tickets (partner_id, product_id) WHERE status <> 'CANCELLED';

-- ota_partner_usage: sql/functions/ota_partner_usage.sql
-- ota_allotment_remaining: sql/functions/ota_allotment_remaining.sql
-- ota_hold: sql/functions/ota_hold.sql

INSERT INTO schema_migrations (version, name) VALUES (10, '0010_partner_allotments');
COMMIT;
