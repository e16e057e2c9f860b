-- 0011 rate limits: GCRA state shared by every gateway instance, on the database clock, so
-- a partner's limit is exact however many gateways serve it. UNLOGGED: losing the state in
-- a crash only forgets recent usage, which is harmless, and it spares WAL on every request.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

CREATE UNLOGGED TABLE rate_limit_state (
    limit_key text   PRIMARY KEY CHECK (length(limit_key) <= 200),
    tat_us    bigint NOT NULL
);
COMMENT ON TABLE rate_limit_state IS 'GCRA theoretical arrival time per limited key (p:<partner_id>, login:<address>), microseconds since the epoch.';

-- ota_rate_take: sql/functions/ota_rate_take.sql

INSERT INTO schema_migrations (version, name) VALUES (11, '0011_rate_limits');
COMMIT;
