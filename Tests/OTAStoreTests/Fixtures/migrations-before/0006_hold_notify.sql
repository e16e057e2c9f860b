-- 0006 hold notify: tell expiry workers that a hold was created, so a worker sleeping
-- until a later expiry (or its poll interval) can wake in time for an earlier one. The
-- payload is the earliest expires_at of the statement's new holds, as epoch seconds text
-- ("1762266600.123456"). Delivered at commit, and lost while a worker is disconnected:
-- workers also poll.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
BEGIN;

-- Statement-level, with a transition table: one notification per INSERT however many rows
-- it adds (a bulk insert does not queue one per row).
CREATE FUNCTION ota_notify_hold_created() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    earliest timestamptz;
BEGIN
    SELECT min(expires_at) INTO earliest FROM created WHERE status = 'active';
    IF earliest IS NOT NULL THEN
        PERFORM pg_notify('ota_hold_created', extract(epoch FROM earliest)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reservations_notify_hold_created
    AFTER INSERT ON reservations REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_hold_created();

INSERT INTO schema_migrations (version, name) VALUES (6, '0006_hold_notify');
COMMIT;
