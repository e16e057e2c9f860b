-- 0002 channels: per-product inventory pools per sales channel, with the no-oversell rules
-- enforced by the database itself.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
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

-- Per product, the channels' allocations sum to at most sellable_cap. The product row is
-- locked so that two concurrent allocation changes cannot both pass on a stale sum.
CREATE FUNCTION ota_check_allocation_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cap   integer;
    total integer;
BEGIN
    SELECT sellable_cap INTO cap FROM products WHERE product_id = NEW.product_id FOR UPDATE;
    SELECT coalesce(sum(allocated), 0) INTO total FROM channel_inventory WHERE product_id = NEW.product_id;
    IF total > cap THEN
        RAISE EXCEPTION 'allocations of product % sum to %, above its sellable_cap %', NEW.product_id, total, cap
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER channel_inventory_within_sellable_cap
    AFTER INSERT OR UPDATE OF allocated, product_id ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_check_allocation_cap();

CREATE FUNCTION ota_check_sellable_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    total integer;
BEGIN
    SELECT coalesce(sum(allocated), 0) INTO total FROM channel_inventory WHERE product_id = NEW.product_id;
    IF total > NEW.sellable_cap THEN
        RAISE EXCEPTION 'sellable_cap % of product % is below its allocations %', NEW.sellable_cap, NEW.product_id, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_within_sellable_cap';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER products_cap_covers_allocations
    AFTER UPDATE OF sellable_cap ON products
    FOR EACH ROW EXECUTE FUNCTION ota_check_sellable_cap();

-- reserved and sold are derived counters: only the triggers that maintain them (which run
-- nested, at trigger depth >= 2) may change them. A direct UPDATE that would oversell
-- fails the CHECK above first; one that merely drifts from the holds fails here.
CREATE FUNCTION ota_guard_derived_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.reserved IS DISTINCT FROM OLD.reserved OR NEW.sold IS DISTINCT FROM OLD.sold)
       AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'channel_inventory.reserved and .sold are maintained from reservations and tickets; change those instead'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER channel_inventory_derived_counters
    AFTER UPDATE OF reserved, sold ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_guard_derived_counters();

CREATE FUNCTION ota_guard_new_inventory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.reserved <> 0 OR NEW.sold <> 0 THEN
        RAISE EXCEPTION 'a new channel_inventory row starts with reserved = 0 and sold = 0'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'channel_inventory_derived_counters';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER channel_inventory_starts_empty
    BEFORE INSERT ON channel_inventory
    FOR EACH ROW EXECUTE FUNCTION ota_guard_new_inventory();

INSERT INTO schema_migrations (version, name) VALUES (2, '0002_channels');
COMMIT;
