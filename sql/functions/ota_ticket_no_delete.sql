-- ota_ticket_no_delete: trigger tickets_never_deleted (0007). Tickets are cancelled,
-- never deleted.
CREATE OR REPLACE FUNCTION ota_ticket_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tickets are never deleted; cancel them' USING ERRCODE = 'check_violation',
        CONSTRAINT = 'tickets_lifecycle';
END $$;
