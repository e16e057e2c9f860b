-- 0003 partners: OTA partners, their permissions and their API keys (stored as hashes).
BEGIN;

CREATE TABLE partners (
    partner_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                  text        NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
    name                  text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status                text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    rate_limit_per_minute integer     NOT NULL DEFAULT 300 CHECK (rate_limit_per_minute BETWEEN 100 AND 1000),
    max_hold_seconds      integer     NOT NULL DEFAULT 86400 CHECK (max_hold_seconds BETWEEN 60 AND 604800),
    max_units_per_hold    integer     NOT NULL DEFAULT 100 CHECK (max_units_per_hold BETWEEN 1 AND 100000),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE permissions (
    code text PRIMARY KEY
);
INSERT INTO permissions (code) VALUES
    ('inventory:read'), ('reservations:write'), ('orders:read'), ('tickets:write'),
    ('tickets:read'), ('operators'), ('billing:read');

CREATE TABLE partner_permissions (
    partner_id bigint NOT NULL REFERENCES partners ON DELETE CASCADE,
    permission text   NOT NULL REFERENCES permissions,
    PRIMARY KEY (partner_id, permission)
);

-- A key is shown once when issued; only its SHA-256 is kept. Keys are 190+ bits of
-- randomness, so a fast hash is enough (no dictionary to attack), and lookups stay cheap.
CREATE TABLE api_keys (
    api_key_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  bigint      NOT NULL REFERENCES partners ON DELETE CASCADE,
    prefix      text        NOT NULL CHECK (length(prefix) BETWEEN 4 AND 32),
    key_hash    bytea       NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    label       text        NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_partner ON api_keys (partner_id);
COMMENT ON COLUMN api_keys.prefix IS 'The readable start of the key, shown in listings so a key can be recognised.';
COMMENT ON COLUMN api_keys.expires_at IS 'Set when a key is rotated out: it keeps working until then (overlap).';

INSERT INTO schema_migrations (version, name) VALUES (3, '0003_partners');
COMMIT;
