-- ota_ticket_lifecycle: trigger tickets_lifecycle (0007). The ticket lifecycle, row by
-- row: PRE_GENERATED -> ACTIVE -> USED, and PRE_GENERATED|ACTIVE -> CANCELLED; the
-- timestamp of each step is set here so no caller forgets. A ticket's price is fixed,
-- except once: when a pre-generated ticket is activated its price is set from the batch
-- snapshot for the customer type and travel date given then.
CREATE OR REPLACE FUNCTION ota_ticket_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status NOT IN ('PRE_GENERATED', 'ACTIVE') THEN
            RAISE EXCEPTION 'a ticket is issued PRE_GENERATED or ACTIVE, not %', NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_lifecycle';
        END IF;
        IF NEW.status = 'ACTIVE' THEN NEW.activated_at := coalesce(NEW.activated_at, now()); END IF;
        RETURN NEW;
    END IF;
    IF NEW.product_id <> OLD.product_id OR NEW.channel <> OLD.channel OR NEW.partner_id <> OLD.partner_id
       OR NEW.ticket_code <> OLD.ticket_code OR NEW.slot <> OLD.slot
       OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.batch_key IS DISTINCT FROM OLD.batch_key THEN
        RAISE EXCEPTION 'a ticket''s code, partner, product, channel, slot, order and batch never change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_lifecycle';
    END IF;
    IF NEW.price <> OLD.price AND NOT (OLD.status = 'PRE_GENERATED' AND NEW.status = 'ACTIVE') THEN
        RAISE EXCEPTION 'a ticket''s price is fixed once it is active'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_lifecycle';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT ((OLD.status = 'PRE_GENERATED' AND NEW.status IN ('ACTIVE', 'CANCELLED'))
             OR (OLD.status = 'ACTIVE' AND NEW.status IN ('USED', 'CANCELLED'))) THEN
            RAISE EXCEPTION 'ticket % cannot go from % to %', OLD.ticket_code, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_lifecycle';
        END IF;
        CASE NEW.status
            WHEN 'ACTIVE' THEN NEW.activated_at := now();
            WHEN 'USED' THEN NEW.used_at := now();
            WHEN 'CANCELLED' THEN NEW.cancelled_at := now();
            ELSE NULL;
        END CASE;
    END IF;
    RETURN NEW;
END $$;
