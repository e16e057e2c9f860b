-- 0014 the operator's console: accounts of the cruise operator's staff (never partners)
-- with their cookie sessions, and the request figures every gateway flushes once a minute
-- so that the console shows the whole fleet. No functions, no triggers.
BEGIN;

CREATE TABLE console_users (
    console_user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text        NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    password_hash   text        NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);
COMMENT ON TABLE console_users IS 'Staff of the cruise operator who may open /console and /api/admin (ota-admin console-user).';

-- The session cookie's value is random; only its SHA-256 is kept.
CREATE TABLE console_sessions (
    token_hash      bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    console_user_id bigint      NOT NULL REFERENCES console_users ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX console_sessions_user ON console_sessions (console_user_id);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- Per gateway instance, per minute, per route (operationId) and status class: how many
-- requests it answered and how long they took, as the cumulative bucket counts of the
-- gateway's latency histogram (bounds in le_seconds, the same for every row of a build).
-- Written by each gateway's flusher thread (additive upserts), never on the request path.
CREATE TABLE request_minutes (
    minute       timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
    instance     text        NOT NULL CHECK (length(instance) BETWEEN 1 AND 200),
    route        text        NOT NULL CHECK (length(route) BETWEEN 1 AND 100),
    status_class text        NOT NULL CHECK (status_class IN ('1xx', '2xx', '3xx', '4xx', '5xx')),
    requests     bigint      NOT NULL CHECK (requests >= 0),
    seconds_sum  float8      NOT NULL CHECK (seconds_sum >= 0),
    le_seconds   float8[]    NOT NULL,
    buckets      bigint[]    NOT NULL CHECK (cardinality(buckets) = cardinality(le_seconds)),
    PRIMARY KEY (minute, instance, route, status_class)
);
COMMENT ON TABLE request_minutes IS 'Requests per gateway, minute, route and status class; kept 2 days, then rolled into request_hours.';

-- The same, summed over instances, per hour: what request_minutes becomes after 2 days;
-- kept 90 days.
CREATE TABLE request_hours (
    hour         timestamptz NOT NULL CHECK (date_trunc('hour', hour) = hour),
    route        text        NOT NULL CHECK (length(route) BETWEEN 1 AND 100),
    status_class text        NOT NULL CHECK (status_class IN ('1xx', '2xx', '3xx', '4xx', '5xx')),
    requests     bigint      NOT NULL CHECK (requests >= 0),
    seconds_sum  float8      NOT NULL CHECK (seconds_sum >= 0),
    le_seconds   float8[]    NOT NULL,
    buckets      bigint[]    NOT NULL CHECK (cardinality(buckets) = cardinality(le_seconds)),
    PRIMARY KEY (hour, route, status_class)
);
COMMENT ON TABLE request_hours IS 'request_minutes rolled up per hour over every gateway, after 2 days; kept 90 days.';

-- The KPI windows read holds by when they ended and tickets by when they were issued.
CREATE INDEX reservations_ended ON reservations (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX reservations_created ON reservations (created_at);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX redemptions_time ON redemptions (redeemed_at);
CREATE INDEX billing_lines_time ON billing_lines (billed_at);

INSERT INTO schema_migrations (version, name) VALUES (15, '0015_console');
COMMIT;
