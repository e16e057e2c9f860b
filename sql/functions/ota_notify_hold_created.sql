-- ota_notify_hold_created: trigger reservations_notify_hold_created (0006, per row since
-- 0019). Tells expiry workers a new hold's expires_at (epoch seconds text) on channel
-- ota_hold_created, but only when that expiry comes before every other active
-- hold's (or there is none): the one case in which a worker may be sleeping past it.
-- Row-level since 0019 (a statement trigger's transition table and its aggregate cost
-- every hold more than the probe itself). The rows of one INSERT see each other, so of a
-- multi-row INSERT only the earliest hold notifies (ties: one notification, PostgreSQL
-- folds identical ones), unless the others expire within the horizon below.
--
-- Why not always: PostgreSQL takes one database-wide lock at the commit of every
-- transaction that notified and keeps it through the commit's WAL flush, so a
-- notification per hold serializes the commits of all holds, even on different pool rows
-- (pgbench, durable server, 64 clients, a hold-like transaction on 32 rows: ~2,600 tps
-- without a pg_notify, ~600 with one; Benchmarks/README.md).
--
-- Why staying silent is sound. The worker (Sources/OTAWorker/ExpiryWorker.swift) sweeps,
-- then reads min(expires_at) of the active holds, sleeps until then (at most its poll
-- interval), and moves that wake earlier for each notification whose expiry comes
-- sooner; every wake-up sweeps and reads the minimum again. So a committed active hold
-- is released in time when the worker either saw it in a read or was notified of it, or
-- when it is sure to read again after the hold committed and before it expires. A new
-- hold H that stays silent saw, inside its own transaction, a committed active hold G
-- with G.expires_at < H.expires_at. By induction (G is itself covered), the worker wakes
-- no later than G's expiry, and that wake reads again, after H committed, so it sees H.
--
-- Two edges, and what covers them:
-- * G may be swept at its expiry while H's transaction is still open; the read after
--   that sweep would then miss H. So only holds expiring more than 5 seconds from now
--   may silence H: no worker sweeps G before then, and H commits well within that.
--   Holds already due, or due within 5 s, are the worker's business at once anyway.
-- * G may be cancelled or activated while H's transaction is open, and the worker may,
--   for another reason, read again in that same instant, before H commits: then neither
--   is in its read. The worker's poll interval (OTA_WORKER_POLL_SECONDS, default 30)
--   bounds the lateness, as it does for notifications lost while a worker reconnects.
--
-- The probe is one step of the partial index reservations_active_by_expiry (0004): the
-- first active expiry after the horizon (a variable, so that it is an index bound; with
-- clock_timestamp() inline the planner may scan the table), compared with ours. The
-- row's own expiry never silences it (the comparison is strict).
CREATE OR REPLACE FUNCTION ota_notify_hold_created() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    horizon timestamptz := clock_timestamp() + interval '5 seconds';
    next_other timestamptz;
BEGIN
    SELECT r.expires_at INTO next_other FROM reservations r
     WHERE r.status = 'active' AND r.expires_at > horizon
     ORDER BY r.expires_at LIMIT 1;
    IF next_other < NEW.expires_at THEN
        RETURN NULL; -- an earlier hold already has the worker's wake-up
    END IF;
    -- Identical notifications of one transaction are delivered once.
    PERFORM pg_notify('ota_hold_created', extract(epoch FROM NEW.expires_at)::text);
    RETURN NULL;
END $$;
