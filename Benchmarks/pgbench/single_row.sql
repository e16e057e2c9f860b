-- The single-row limit: lock one row, update it, commit (a WAL flush per commit).
BEGIN;
SELECT n FROM bench_row WHERE id = 1 FOR UPDATE;
UPDATE bench_row SET n = n + 1 WHERE id = 1;
END;
