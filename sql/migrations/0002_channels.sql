-- 0002 channels: per-product inventory pools per sales channel, with the no-oversell rules
-- enforced by the database itself.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
BEGIN;

CREATE TABLE channel_inventory (
    product_id integer     NOT NULL REFERENCES products,
    channel    text        NOT NULL CHECK (channel IN ('direct', 'ota')),
    allocated  integer     NOT NULL CHECK (allocated >= 0),
    reserved   integer     NOT NULL DEFAULT 0,
    sold       integer     NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, channel),
    CONSTRAINT channel_inventory_reserved_nonnegative CHECK (reserved >= 0),
    CONSTRAINT channel_inventory_sold_nonnegative CHECK (sold >= 0),
    -- available = allocated - reserved - sold is never negative: no overselling, ever.
    CONSTRAINT channel_inventory_no_oversell CHECK (reserved + sold <= allocated)
);
COMMENT ON COLUMN channel_inventory.reserved IS 'Units of active holds; maintained by triggers on reservations only.';
COMMENT ON COLUMN channel_inventory.sold IS 'Units of issued tickets; maintained by triggers on the ticket tables only.';

-- ota_check_allocation_cap: sql/functions/ota_check_allocation_cap.sql
CREATE TRIGGER channel_inventory_within_sellable_cap
    AFTER INSERT OR UPDATE OF allocated, product_id ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_check_allocation_cap();

-- ota_check_sellable_cap: sql/functions/ota_check_sellable_cap.sql
CREATE TRIGGER products_cap_covers_allocations
    AFTER UPDATE OF sellable_cap ON products
    FOR EACH ROW EXECUTE FUNCTION ota_check_sellable_cap();

-- ota_guard_derived_counters: sql/functions/ota_guard_derived_counters.sql
CREATE TRIGGER channel_inventory_derived_counters
    AFTER UPDATE OF reserved, sold ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_guard_derived_counters();

-- ota_guard_new_inventory: sql/functions/ota_guard_new_inventory.sql
CREATE TRIGGER channel_inventory_starts_empty
    BEFORE INSERT ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_guard_new_inventory();

INSERT INTO schema_migrations (version, name) VALUES (2, '0002_channels');
COMMIT;
