-- 0006 hold notify: tell expiry workers that a hold was created, so a worker sleeping
-- until a later expiry (or its poll interval) can wake in time for an earlier one. The
-- payload is the earliest expires_at of the statement's new holds, as epoch seconds text
-- ("1762266600.123456"). Delivered at commit, and lost while a worker is disconnected:
-- workers also poll.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

-- ota_notify_hold_created: sql/functions/ota_notify_hold_created.sql
CREATE TRIGGER reservations_notify_hold_created
    AFTER INSERT ON reservations REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION ota_notify_hold_created();

INSERT INTO schema_migrations (version, name) VALUES (6, '0006_hold_notify');
COMMIT;
