-- ota_allocation_changed: records a channel pool's new total allocation p_total in
-- allocation_history (for the console's utilisation series). Called by every function
-- that changes a pool's total (ota_create_pool, ota_set_allocation, ota_move_allocation),
-- which know the total they planned, after its UPDATE, in the same transaction, while it
-- holds the product's row lock. Stamped clock_timestamp(), not
-- now(): the transaction's start would let a change that waited for the lock be stamped
-- before the change it waited for, so the history would end on the wrong value. Under the
-- product lock the stamps follow the order the changes commit in. Writes nothing when the
-- total did not change.
-- PL/pgSQL (bound when first run), since function files are created before the migrations.
CREATE OR REPLACE FUNCTION ota_allocation_changed(p_product_id integer, p_channel text, p_total integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO allocation_history (product_id, channel, valid_from, allocated)
    SELECT p_product_id, p_channel, clock_timestamp(), p_total
     WHERE p_total IS DISTINCT FROM (SELECT h.allocated FROM allocation_history h
                                      WHERE h.product_id = p_product_id AND h.channel = p_channel
                                      ORDER BY h.valid_from DESC LIMIT 1)
    ON CONFLICT (product_id, channel, valid_from) DO UPDATE SET allocated = EXCLUDED.allocated;
END $$;
