-- 0011 rate limits: GCRA state shared by every gateway instance, on the database clock, so
-- a partner's limit is exact however many gateways serve it. UNLOGGED: losing the state in
-- a crash only forgets recent usage, which is harmless, and it spares WAL on every request.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
BEGIN;

CREATE UNLOGGED TABLE rate_limit_state (
    limit_key text   PRIMARY KEY CHECK (length(limit_key) <= 200),
    tat_us    bigint NOT NULL
);
COMMENT ON TABLE rate_limit_state IS 'GCRA theoretical arrival time per limited key (p:<partner_id>, login:<address>), microseconds since the epoch.';

-- Takes one request from the key's allowance: emission interval p_interval_us, burst
-- tolerance p_tolerance_us. A refused request changes nothing.
CREATE FUNCTION ota_rate_take(p_key text, p_interval_us bigint, p_tolerance_us bigint)
RETURNS TABLE (allowed boolean, tat_us bigint, now_us bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n      bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
    cur    bigint;
    newtat bigint;
BEGIN
    SELECT s.tat_us INTO cur FROM rate_limit_state s WHERE s.limit_key = p_key FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO rate_limit_state (limit_key, tat_us) VALUES (p_key, n + p_interval_us)
        ON CONFLICT (limit_key) DO NOTHING;
        IF FOUND THEN
            RETURN QUERY SELECT true, n + p_interval_us, n;
            RETURN;
        END IF;
        SELECT s.tat_us INTO cur FROM rate_limit_state s WHERE s.limit_key = p_key FOR UPDATE;
    END IF;
    newtat := greatest(cur, n) + p_interval_us;
    IF newtat - n > p_tolerance_us + p_interval_us THEN
        RETURN QUERY SELECT false, cur, n;
        RETURN;
    END IF;
    UPDATE rate_limit_state SET tat_us = newtat WHERE limit_key = p_key;
    RETURN QUERY SELECT true, newtat, n;
END $$;

INSERT INTO schema_migrations (version, name) VALUES (11, '0011_rate_limits');
COMMIT;
