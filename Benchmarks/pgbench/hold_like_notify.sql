-- hold_like.sql plus one pg_notify, as the old per-hold trigger sent: every notifying
-- transaction takes PostgreSQL's database-wide notify lock at commit.
\set start random(0, 31)
BEGIN;
SELECT coalesce((SELECT id FROM bench_slots ORDER BY (id + 32 - :start) % 32 LIMIT 1 FOR UPDATE SKIP LOCKED), :start) AS slot \gset
UPDATE bench_slots SET free = free - 1 WHERE id = :slot;
INSERT INTO bench_holds (slot, quantity) VALUES (:slot, 1);
SELECT pg_notify('bench_hold_created', CAST(:slot AS text));
END;
