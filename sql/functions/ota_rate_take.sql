-- ota_rate_take: GCRA, on the database clock. Takes one request from the key's allowance:
-- emission interval p_interval_us, burst tolerance p_tolerance_us. A refused request
-- changes nothing.
CREATE OR REPLACE FUNCTION ota_rate_take(p_key text, p_interval_us bigint, p_tolerance_us bigint)
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
