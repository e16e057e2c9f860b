-- A hold on a striped pool, minimal: take one of 32 slot rows that nobody holds (from a
-- random start; all busy: wait for the start row), update it, insert the hold, commit.
\set start random(0, 31)
BEGIN;
SELECT coalesce((SELECT id FROM bench_slots ORDER BY (id + 32 - :start) % 32 LIMIT 1 FOR UPDATE SKIP LOCKED), :start) AS slot \gset
UPDATE bench_slots SET free = free - 1 WHERE id = :slot;
INSERT INTO bench_holds (slot, quantity) VALUES (:slot, 1);
END;
