-- Scratch tables for pgbench's limits, in the benchmark's own database beside the
-- service's tables (which pgbench never touches). Recreated on every run.
DROP TABLE IF EXISTS bench_row, bench_three, bench_slots, bench_holds;
-- single_row.sql: every transaction locks and updates this one row.
CREATE TABLE bench_row (id integer PRIMARY KEY, n bigint NOT NULL);
INSERT INTO bench_row VALUES (1, 0);
-- three_rows.sql: a read of three rows, as an inventory read is.
CREATE TABLE bench_three (id integer PRIMARY KEY, allocated integer NOT NULL, reserved integer NOT NULL, sold integer NOT NULL);
INSERT INTO bench_three SELECT g, 1000, 0, 0 FROM generate_series(1, 3) g;
-- hold_like*.sql: 32 slot rows and a table of holds, as a striped pool is.
CREATE TABLE bench_slots (id integer PRIMARY KEY, free bigint NOT NULL);
INSERT INTO bench_slots SELECT g, 1000000000 FROM generate_series(0, 31) g;
CREATE TABLE bench_holds (id bigserial PRIMARY KEY, slot integer NOT NULL, quantity integer NOT NULL,
                          created_at timestamptz NOT NULL DEFAULT now());
