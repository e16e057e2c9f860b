-- ota_notify_hold_created: trigger reservations_notify_hold_created (0006). Tells expiry
-- workers the earliest expires_at of the statement's new holds (epoch seconds text) on
-- channel ota_hold_created. Statement-level, with a transition table: one notification
-- per INSERT however many rows it adds (a bulk insert does not queue one per row).
CREATE OR REPLACE FUNCTION ota_notify_hold_created() RETURNS trigger
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
