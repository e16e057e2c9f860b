-- ota_inventory_view_delete: trigger channel_inventory_delete (0017), INSTEAD OF DELETE on
-- the view. Removes the pool and all its slots; a pool that holds or tickets refer to
-- cannot go (their foreign keys refuse).
CREATE OR REPLACE FUNCTION ota_inventory_view_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM inventory_slots s WHERE s.product_id = OLD.product_id AND s.channel = OLD.channel;
    DELETE FROM channel_pools c WHERE c.product_id = OLD.product_id AND c.channel = OLD.channel;
    RETURN OLD;
END $$;
