-- 0020 the allocation of every channel pool over time, so the console's utilisation series
-- divides each day by the allocation in force then, not by today's. A row per change of a
-- pool's total (the allocation functions write it: ota_allocation_changed); moving units
-- between the slots of one pool changes no total and writes nothing. Existing pools start
-- with their allocation now: earlier days are divided by it, as before this migration.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

CREATE TABLE allocation_history (
    product_id integer     NOT NULL,
    channel    text        NOT NULL,
    valid_from timestamptz NOT NULL,
    allocated  integer     NOT NULL CHECK (allocated >= 0),
    PRIMARY KEY (product_id, channel, valid_from),
    FOREIGN KEY (product_id, channel) REFERENCES channel_pools (product_id, channel) ON DELETE CASCADE
);

INSERT INTO allocation_history (product_id, channel, valid_from, allocated)
SELECT product_id, channel, now(), allocated FROM channel_inventory;

INSERT INTO schema_migrations (version, name) VALUES (20, '0020_allocation_history');
COMMIT;
