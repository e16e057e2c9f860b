-- ota_reservation_no_delete: trigger reservations_no_delete_active (0004). An active
-- hold is ended (which releases its units), never deleted.
CREATE OR REPLACE FUNCTION ota_reservation_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        RAISE EXCEPTION 'an active reservation cannot be deleted; cancel it' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reservations_lifecycle';
    END IF;
    RETURN OLD;
END $$;
