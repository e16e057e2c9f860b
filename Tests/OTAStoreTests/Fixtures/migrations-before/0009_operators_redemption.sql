-- 0009 operators and redemption: partners' venues and venue staff (operators), their
-- login sessions and throttling, redemptions of ticket entitlements, and the billing line
-- written at a ticket's first redemption.
BEGIN;

CREATE TABLE venues (
    venue_id   text        PRIMARY KEY CHECK (venue_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    partner_id bigint      NOT NULL REFERENCES partners,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address    text        CHECK (length(address) <= 500),
    status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX venues_partner ON venues (partner_id, venue_id);

CREATE TABLE operators (
    operator_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id    bigint      NOT NULL REFERENCES partners,
    username      text        NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    password_hash text        NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
    display_name  text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    venue_ids     text[]      NOT NULL DEFAULT '{}',
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operators_partner ON operators (partner_id, operator_id);
COMMENT ON COLUMN operators.venue_ids IS 'Venues the operator may scan at; empty means every venue of the partner.';

-- Bearer tokens of logged-in operators, stored as SHA-256 only.
CREATE TABLE operator_sessions (
    token_hash  bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    operator_id bigint      NOT NULL REFERENCES operators ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);

-- Failed logins per username ('u:<name>') and per client address ('a:<ip>'): after a few
-- failures each further one locks the key for a growing while.
CREATE UNLOGGED TABLE login_throttle (
    throttle_key text        PRIMARY KEY CHECK (length(throttle_key) <= 200),
    failures     integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

CREATE TABLE redemptions (
    redemption_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id    bigint      NOT NULL REFERENCES partners,
    ticket_code   text        NOT NULL REFERENCES tickets,
    function_code text        NOT NULL,
    venue_id      text        NOT NULL REFERENCES venues,
    operator_id   bigint      NOT NULL REFERENCES operators,
    scan_id       text        CHECK (length(scan_id) BETWEEN 1 AND 128),
    uses_left     integer     NOT NULL CHECK (uses_left >= 0),
    redeemed_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (ticket_code, function_code) REFERENCES ticket_entitlements (ticket_code, function_code)
);
CREATE UNIQUE INDEX redemptions_scan_id ON redemptions (partner_id, scan_id) WHERE scan_id IS NOT NULL;
CREATE INDEX redemptions_ticket ON redemptions (ticket_code);

-- A ticket is billed once, at its first redemption, with the price it was sold at, the
-- reseller commission of its batch, and the net.
CREATE TABLE billing_lines (
    ticket_code     text          PRIMARY KEY REFERENCES tickets,
    partner_id      bigint        NOT NULL REFERENCES partners,
    product_id      integer       NOT NULL REFERENCES products,
    batch_key       bigint        REFERENCES ticket_batches,
    reseller_id     text,
    redemption_id   bigint        NOT NULL UNIQUE REFERENCES redemptions,
    amount          numeric(12,2) NOT NULL CHECK (amount >= 0),
    commission_rate numeric(5,4)  NOT NULL DEFAULT 0 CHECK (commission_rate BETWEEN 0 AND 1),
    commission      numeric(12,2) NOT NULL CHECK (commission >= 0),
    net             numeric(12,2) NOT NULL,
    currency        text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    billed_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT billing_lines_net CHECK (net = amount - commission)
);
CREATE INDEX billing_lines_partner_time ON billing_lines (partner_id, billed_at DESC, ticket_code DESC);

INSERT INTO schema_migrations (version, name) VALUES (9, '0009_operators_redemption');
COMMIT;
