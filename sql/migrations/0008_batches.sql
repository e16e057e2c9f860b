-- 0008 batches: tickets pre-generated in bulk for resellers (B2B2C). A batch takes its
-- units out of the OTA pool at once (its tickets raise sold through the ticket triggers)
-- and freezes its pricing, so later price changes never reach its tickets.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

CREATE TABLE ticket_batches (
    batch_key            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id           bigint        NOT NULL REFERENCES partners,
    batch_id             text          NOT NULL CHECK (batch_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
    product_id           integer       NOT NULL REFERENCES products,
    quantity             integer       NOT NULL CHECK (quantity BETWEEN 1 AND 5000),
    distribution_mode    text          NOT NULL CHECK (distribution_mode IN ('direct_sale', 'reseller_batch')),
    reference_expires_at timestamptz   NOT NULL,
    pricing_snapshot     jsonb         NOT NULL,
    special_pricing      boolean       NOT NULL,
    reseller_id          text          CHECK (length(reseller_id) <= 100),
    reseller_name        text          CHECK (length(reseller_name) <= 200),
    commission_rate      numeric(5,4)  CHECK (commission_rate BETWEEN 0 AND 1),
    reseller_metadata    jsonb         CHECK (reseller_metadata IS NULL OR length(reseller_metadata::text) <= 8192),
    request_hash         bytea         NOT NULL CHECK (length(request_hash) = 32),
    created_at           timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (partner_id, batch_id)
);
CREATE INDEX ticket_batches_partner_newest ON ticket_batches (partner_id, created_at DESC, batch_id DESC);
COMMENT ON COLUMN ticket_batches.reference_expires_at IS 'Reference only (direct_sale 7 days, reseller_batch 30 days); not enforced.';
COMMENT ON COLUMN ticket_batches.request_hash IS 'SHA-256 of the generating request: a repeat with the same batch_id and body replays.';

ALTER TABLE tickets ADD COLUMN batch_key bigint REFERENCES ticket_batches;
ALTER TABLE tickets ADD CONSTRAINT tickets_from_order_or_batch
    CHECK ((order_id IS NOT NULL) <> (batch_key IS NOT NULL));
CREATE INDEX tickets_batch ON tickets (batch_key, ticket_code) WHERE batch_key IS NOT NULL;

-- ota_ticket_lifecycle: sql/functions/ota_ticket_lifecycle.sql

INSERT INTO schema_migrations (version, name) VALUES (8, '0008_batches');
COMMIT;
