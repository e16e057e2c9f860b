-- 0016 webhooks: partners' endpoints, the outbox of events written in the same
-- transaction as the change they describe, one delivery per (event, subscribed endpoint)
-- and every attempt of it. The worker claims due deliveries with ota_webhook_claim.
-- History: the function text at the end is as it was when this file was written; its
-- current definition is sql/functions/ota_webhook_claim.sql (see sql/README.md).
BEGIN;

INSERT INTO permissions (code) VALUES ('webhooks');

CREATE TABLE webhook_endpoints (
    endpoint_id                text        PRIMARY KEY CHECK (endpoint_id ~ '^we_[a-z0-9]{8,64}$'),
    partner_id                 bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    url                        text        NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    description                text        CHECK (length(description) <= 500),
    events                     text[]      NOT NULL CHECK (cardinality(events) >= 1),
    status                     text        NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    disabled_reason            text,
    disabled_at                timestamptz,
    -- The signing secret, sealed: AES-256-GCM (nonce || ciphertext || tag) under a key that
    -- HKDF derives from OTA_WEBHOOK_SECRET_KEY, with the endpoint id as associated data.
    -- secret_key_id names the sealing key (a fingerprint, not the key).
    secret_sealed              bytea       NOT NULL CHECK (length(secret_sealed) = 60),
    secret_key_id              text        NOT NULL,
    -- After a rotation the old secret keeps signing beside the new one until then.
    previous_secret_sealed     bytea       CHECK (length(previous_secret_sealed) = 60),
    previous_secret_key_id     text,
    previous_secret_expires_at timestamptz,
    -- The first failed attempt since the last success: 3 days of failures disable it.
    failing_since              timestamptz,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'disabled') = (disabled_at IS NOT NULL)),
    CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id, created_at DESC, endpoint_id DESC);

-- Written only when at least one enabled endpoint of the partner subscribes to the type.
-- data is the resource as the API renders it, kept as text (json, not jsonb: member order
-- and number literals stay as written, so every attempt sends the same bytes).
CREATE TABLE webhook_events (
    event_id   text        PRIMARY KEY DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
    partner_id bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    type       text        NOT NULL CHECK (type ~ '^[a-z]+\.[a-z]+$'),
    data       json        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_age ON webhook_events (created_at);

-- pending: waiting for next_attempt_at; delivering: claimed by a worker until lease_until
-- (past it, the worker is presumed gone and another one takes it); delivered: a 2xx;
-- failed: no 2xx within the retry window.
CREATE TABLE webhook_deliveries (
    delivery_id          text        PRIMARY KEY DEFAULT ('whd_' || replace(gen_random_uuid()::text, '-', '')),
    event_id             text        NOT NULL REFERENCES webhook_events ON DELETE CASCADE,
    endpoint_id          text        NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    status               text        NOT NULL DEFAULT 'pending'
                                     CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    attempts             integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    lease_until          timestamptz,
    leased_by            text,
    last_response_status integer,
    last_error           text,
    finished_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, endpoint_id),
    CHECK ((status = 'delivering') = (lease_until IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_in_flight ON webhook_deliveries (endpoint_id, lease_until) WHERE status = 'delivering';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, delivery_id DESC);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status IN ('delivered', 'failed');

-- One row per attempt, written when the worker claims it (in_progress) and completed
-- after the request: an attempt whose worker died shows as lost.
CREATE TABLE webhook_attempts (
    delivery_id     text        NOT NULL REFERENCES webhook_deliveries ON DELETE CASCADE,
    attempt         integer     NOT NULL CHECK (attempt >= 1),
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    outcome         text        NOT NULL CHECK (outcome IN ('in_progress', 'succeeded', 'failed', 'lost')),
    response_status integer,
    duration_ms     integer,
    response_body   text        CHECK (octet_length(response_body) <= 1024),
    error           text,
    worker          text        NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- ota_webhook_claim: sql/functions/ota_webhook_claim.sql

INSERT INTO schema_migrations (version, name) VALUES (16, '0016_webhooks');
COMMIT;
