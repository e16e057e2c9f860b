-- 0017 striped pools: a channel pool may be split over K slot rows (K = channel_pools.stripes,
-- 1..64, default 1), so holds on one hot product lock different rows instead of queueing on
-- one. The old table channel_inventory becomes inventory_slots (one row per slot, its CHECKs
-- keep their names: reserved + sold <= allocated per slot, hence per pool), and
-- channel_inventory becomes a view with one row per pool (the sums), which every reader
-- keeps using; INSTEAD OF triggers keep SQL writes to it working as a DBA knows them.
-- Slots 0..K-1 are open; slots >= K are closed: the holds never pick them, and their free
-- units are pulled into the open slots by the next slow-path hold, batch or allocation change.
-- Existing data: every pool becomes K = 1 with its row as slot 0; every hold and ticket is
-- on slot 0. Rows are written only into channel_pools, which has no trigger.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

ALTER TABLE channel_inventory RENAME TO inventory_slots;
COMMENT ON TABLE inventory_slots IS 'One slot of a channel pool: the pool (channel_inventory, a view) is the sum of its slots.';

-- The holds' and tickets' foreign keys name the old key: they move to the slot.
ALTER TABLE reservations DROP CONSTRAINT reservations_product_id_channel_fkey;
ALTER TABLE tickets DROP CONSTRAINT tickets_product_id_channel_fkey;
ALTER TABLE inventory_slots DROP CONSTRAINT channel_inventory_pkey;

ALTER TABLE inventory_slots
    ADD COLUMN slot smallint NOT NULL DEFAULT 0 CONSTRAINT inventory_slots_slot_range CHECK (slot BETWEEN 0 AND 63),
    ADD COLUMN open boolean NOT NULL DEFAULT true;
ALTER TABLE inventory_slots ALTER COLUMN slot DROP DEFAULT;
ALTER TABLE inventory_slots ADD CONSTRAINT inventory_slots_pkey PRIMARY KEY (product_id, channel, slot);
COMMENT ON COLUMN inventory_slots.open IS 'Slots 0..stripes-1 are open; closed slots take no new holds and give their free units back to the open ones.';

CREATE TABLE channel_pools (
    product_id integer  NOT NULL REFERENCES products,
    channel    text     NOT NULL CHECK (channel IN ('direct', 'ota')),
    stripes    smallint NOT NULL DEFAULT 1 CONSTRAINT channel_pools_stripes_range CHECK (stripes BETWEEN 1 AND 64),
    PRIMARY KEY (product_id, channel)
);
COMMENT ON TABLE channel_pools IS 'One row per channel pool of a product: stripes is the number of open slots (inventory_slots 0..stripes-1).';
INSERT INTO channel_pools (product_id, channel) SELECT product_id, channel FROM inventory_slots;
-- A slot's key goes to its pool, whose key goes to the product. The slot's own key to
-- products goes: a new slot (ota_set_stripes, under the pool and slot locks) would take a
-- KEY SHARE lock on the product row, which an allocation change holds while it waits for
-- the pool row: a deadlock.
ALTER TABLE inventory_slots DROP CONSTRAINT channel_inventory_product_id_fkey;
ALTER TABLE inventory_slots ADD CONSTRAINT inventory_slots_pool_fkey
    FOREIGN KEY (product_id, channel) REFERENCES channel_pools (product_id, channel);

-- A hold and a ticket belong to one slot: the counter triggers change that slot only. The
-- hold already has the slot row locked, so the key's KEY SHARE lock costs it nothing.
ALTER TABLE reservations ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE reservations ADD CONSTRAINT reservations_slot_fkey
    FOREIGN KEY (product_id, channel, slot) REFERENCES inventory_slots (product_id, channel, slot);
ALTER TABLE tickets ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD CONSTRAINT tickets_slot_fkey
    FOREIGN KEY (product_id, channel, slot) REFERENCES inventory_slots (product_id, channel, slot);

-- The sellable cap. New slots: per statement, the product row locked. A raised allocated:
-- a row trigger queued only then (the counter updates of every hold and ticket never queue
-- it), without a lock: a rebalance between slots (the sum unchanged) runs under the slots'
-- locks and must not wait for the product row, which an allocation change holds while it
-- waits for the slots; the writers that raise a product's sum hold that row already.
DROP TRIGGER channel_inventory_within_sellable_cap ON inventory_slots;
-- ota_check_allocation_cap: sql/functions/ota_check_allocation_cap.sql
CREATE TRIGGER inventory_slots_cap_on_insert
    AFTER INSERT ON inventory_slots REFERENCING NEW TABLE AS new_slots
    FOR EACH STATEMENT EXECUTE FUNCTION ota_check_allocation_cap();
-- ota_check_slot_allocation: sql/functions/ota_check_slot_allocation.sql
CREATE TRIGGER inventory_slots_cap_on_update
    AFTER UPDATE OF allocated ON inventory_slots
    FOR EACH ROW WHEN (NEW.allocated > OLD.allocated)
    EXECUTE FUNCTION ota_check_slot_allocation();

CREATE VIEW channel_inventory AS
SELECT p.product_id, p.channel, sum(s.allocated)::integer AS allocated, sum(s.reserved)::integer AS reserved,
       sum(s.sold)::integer AS sold, max(s.updated_at) AS updated_at, p.stripes
  FROM channel_pools p JOIN inventory_slots s ON s.product_id = p.product_id AND s.channel = p.channel
 GROUP BY p.product_id, p.channel, p.stripes;
COMMENT ON VIEW channel_inventory IS 'One row per channel pool: the sums of its slots (inventory_slots). Writable: INSERT makes a pool, UPDATE of allocated or stripes goes through ota_set_allocation / ota_set_stripes.';

-- ota_inventory_view_insert: sql/functions/ota_inventory_view_insert.sql
CREATE TRIGGER channel_inventory_insert
    INSTEAD OF INSERT ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_inventory_view_insert();
-- ota_inventory_view_update: sql/functions/ota_inventory_view_update.sql
CREATE TRIGGER channel_inventory_update
    INSTEAD OF UPDATE ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_inventory_view_update();
-- ota_inventory_view_delete: sql/functions/ota_inventory_view_delete.sql
CREATE TRIGGER channel_inventory_delete
    INSTEAD OF DELETE ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_inventory_view_delete();

-- ota_hold, ota_pool_take, ota_pool_plan, ota_create_pool, ota_set_allocation,
-- ota_move_allocation, ota_set_stripes: sql/functions/<name>.sql

INSERT INTO schema_migrations (version, name) VALUES (17, '0017_striped_pools');
COMMIT;
