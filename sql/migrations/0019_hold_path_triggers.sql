-- 0019 cheaper triggers on the hold path. The derived-counter guard is queued only for a
-- direct write: the counter triggers (reservations, tickets) change reserved and sold one
-- trigger level down, where the guard let them through anyway; deciding that in the
-- trigger's WHEN (evaluated when the row changes, at the writer's depth) saves one
-- PL/pgSQL call on every hold and ticket statement. A direct UPDATE of inventory_slots.reserved or .sold (depth 0) is refused
-- exactly as before, by ota_guard_derived_counters.
-- The expiry workers' notification becomes a row trigger: the statement trigger's
-- transition table and the aggregate over it cost every hold more than the index probe
-- that decides (sql/functions/ota_notify_hold_created.sql).
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

DROP TRIGGER channel_inventory_derived_counters ON inventory_slots;
-- ota_guard_derived_counters: sql/functions/ota_guard_derived_counters.sql
CREATE TRIGGER channel_inventory_derived_counters
    AFTER UPDATE OF reserved, sold ON inventory_slots
    FOR EACH ROW WHEN (pg_trigger_depth() < 1)
    EXECUTE FUNCTION ota_guard_derived_counters();

DROP TRIGGER reservations_notify_hold_created ON reservations;
-- ota_notify_hold_created: sql/functions/ota_notify_hold_created.sql
CREATE TRIGGER reservations_notify_hold_created
    AFTER INSERT ON reservations
    FOR EACH ROW EXECUTE FUNCTION ota_notify_hold_created();

INSERT INTO schema_migrations (version, name) VALUES (19, '0019_hold_path_triggers');
COMMIT;
