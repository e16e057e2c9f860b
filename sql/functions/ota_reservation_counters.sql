-- ota_reservation_counters: trigger reservations_keep_reserved (0004). Keeps each slot's
-- reserved (inventory_slots, 0017) equal to the sum of its active holds, and the
-- reservation lifecycle: only active -> (expired | activated | cancelled); an ended hold
-- never changes again, nor moves to another slot.
CREATE OR REPLACE FUNCTION ota_reservation_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'active' THEN
            RAISE EXCEPTION 'a reservation starts active' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'reservations_lifecycle';
        END IF;
        UPDATE inventory_slots SET reserved = reserved + NEW.quantity, updated_at = now()
         WHERE product_id = NEW.product_id AND channel = NEW.channel AND slot = NEW.slot;
        RETURN NEW;
    END IF;
    IF NEW.quantity <> OLD.quantity OR NEW.product_id <> OLD.product_id OR NEW.channel <> OLD.channel
       OR NEW.partner_id <> OLD.partner_id OR NEW.slot <> OLD.slot THEN
        RAISE EXCEPTION 'a reservation''s product, channel, slot, partner and quantity never change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reservations_lifecycle';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'active' THEN
            RAISE EXCEPTION 'reservation % is % and cannot become %', OLD.reservation_id, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reservations_lifecycle';
        END IF;
        -- Leaving active releases the hold; activation moves the units to sold through the
        -- ticket rows it creates (their trigger raises sold).
        UPDATE inventory_slots SET reserved = reserved - OLD.quantity, updated_at = now()
         WHERE product_id = OLD.product_id AND channel = OLD.channel AND slot = OLD.slot;
    END IF;
    RETURN NEW;
END $$;
