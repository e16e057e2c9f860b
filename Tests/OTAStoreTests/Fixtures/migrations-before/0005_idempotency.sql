-- 0005 idempotency: the first response to each (partner, Idempotency-Key), replayed byte
-- for byte. Written in the same transaction as the change it describes.
BEGIN;

CREATE TABLE idempotency_records (
    partner_id      bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    bytea       NOT NULL CHECK (length(request_hash) = 32),
    status_code     integer     NOT NULL CHECK (status_code BETWEEN 200 AND 599),
    content_type    text        NOT NULL,
    location        text,
    body            bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, idempotency_key)
);
CREATE INDEX idempotency_records_age ON idempotency_records (created_at);
COMMENT ON TABLE idempotency_records IS 'Kept at least 48 hours; older rows may be deleted by housekeeping.';

INSERT INTO schema_migrations (version, name) VALUES (5, '0005_idempotency');
COMMIT;
