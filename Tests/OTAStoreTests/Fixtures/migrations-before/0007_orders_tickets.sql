-- 0007 orders and tickets: activation turns a hold into an order with one ticket per unit.
-- channel_inventory.sold is kept equal to the number of issued (not cancelled) tickets by
-- the statement-level triggers below, and the ticket lifecycle is enforced here as well as
-- in code: PRE_GENERATED -> ACTIVE -> USED, and PRE_GENERATED|ACTIVE -> CANCELLED.
-- History: the function text below is as it was when this file was written; the current
-- definition of each function is sql/functions/<name>.sql (see sql/README.md).
BEGIN;

CREATE TABLE orders (
    order_id       text          PRIMARY KEY CHECK (order_id ~ '^ord_[a-z0-9]{20,40}$'),
    partner_id     bigint        NOT NULL REFERENCES partners,
    reservation_id text          UNIQUE REFERENCES reservations,
    product_id     integer       NOT NULL REFERENCES products,
    status         text          NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    quantity       integer       NOT NULL CHECK (quantity > 0),
    total_amount   numeric(14,2) NOT NULL CHECK (total_amount >= 0),
    currency       text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    customer_name  text          NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 200),
    customer_email text          CHECK (length(customer_email) <= 254),
    customer_phone text          CHECK (length(customer_phone) <= 40),
    created_at     timestamptz   NOT NULL DEFAULT now(),
    updated_at     timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX orders_partner_newest ON orders (partner_id, created_at DESC, order_id DESC);

CREATE TABLE tickets (
    ticket_code    text          PRIMARY KEY CHECK (ticket_code ~ '^TKT-[A-Z0-9]{16,40}$'),
    partner_id     bigint        NOT NULL REFERENCES partners,
    product_id     integer       NOT NULL,
    channel        text          NOT NULL DEFAULT 'ota',
    order_id       text          REFERENCES orders,
    status         text          NOT NULL CHECK (status IN ('PRE_GENERATED', 'ACTIVE', 'USED', 'CANCELLED')),
    customer_type  text          REFERENCES customer_types,
    travel_date    date,
    price          numeric(12,2) NOT NULL CHECK (price >= 0),
    customer_name  text          CHECK (length(customer_name) BETWEEN 1 AND 200),
    customer_email text          CHECK (length(customer_email) <= 254),
    customer_phone text          CHECK (length(customer_phone) <= 40),
    created_at     timestamptz   NOT NULL DEFAULT now(),
    activated_at   timestamptz,
    used_at        timestamptz,
    cancelled_at   timestamptz,
    FOREIGN KEY (product_id, channel) REFERENCES channel_inventory (product_id, channel)
);
CREATE INDEX tickets_order ON tickets (order_id, ticket_code) WHERE order_id IS NOT NULL;
CREATE INDEX tickets_partner ON tickets (partner_id, created_at DESC);

-- What each ticket may still be redeemed for: copied from the product at issue, so a later
-- change of the product's entitlements does not change tickets already sold.
CREATE TABLE ticket_entitlements (
    ticket_code   text    NOT NULL REFERENCES tickets ON DELETE CASCADE,
    function_code text    NOT NULL,
    label         text    NOT NULL,
    uses_total    integer NOT NULL CHECK (uses_total > 0),
    uses_left     integer NOT NULL,
    PRIMARY KEY (ticket_code, function_code),
    CONSTRAINT ticket_entitlements_uses_in_range CHECK (uses_left BETWEEN 0 AND uses_total)
);

-- The lifecycle, row by row. Timestamps of each step are set here so no caller forgets.
CREATE FUNCTION ota_ticket_lifecycle() RETURNS trigger
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
       OR NEW.ticket_code <> OLD.ticket_code OR NEW.price <> OLD.price THEN
        RAISE EXCEPTION 'a ticket''s code, partner, product, channel and price never change'
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

CREATE TRIGGER tickets_lifecycle
    BEFORE INSERT OR UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ota_ticket_lifecycle();

CREATE FUNCTION ota_ticket_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tickets are never deleted; cancel them' USING ERRCODE = 'check_violation',
        CONSTRAINT = 'tickets_lifecycle';
END $$;

CREATE TRIGGER tickets_never_deleted
    BEFORE DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ota_ticket_no_delete();

-- sold follows the tickets, once per statement (a batch of 5000 tickets is one update of
-- the pool row, not 5000).
CREATE FUNCTION ota_tickets_issued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channel_inventory c SET sold = c.sold + n.units, updated_at = now()
      FROM (SELECT product_id, channel, count(*)::integer AS units FROM issued GROUP BY product_id, channel) n
     WHERE c.product_id = n.product_id AND c.channel = n.channel;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_raise_sold
    AFTER INSERT ON tickets REFERENCING NEW TABLE AS issued
    FOR EACH STATEMENT EXECUTE FUNCTION ota_tickets_issued();

CREATE FUNCTION ota_tickets_cancelled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channel_inventory c SET sold = c.sold - n.units, updated_at = now()
      FROM (SELECT a.product_id, a.channel, count(*)::integer AS units
              FROM after_rows a JOIN before_rows b ON b.ticket_code = a.ticket_code
             WHERE a.status = 'CANCELLED' AND b.status <> 'CANCELLED'
             GROUP BY a.product_id, a.channel) n
     WHERE c.product_id = n.product_id AND c.channel = n.channel;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_cancel_returns_units
    AFTER UPDATE ON tickets REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ota_tickets_cancelled();

INSERT INTO schema_migrations (version, name) VALUES (7, '0007_orders_tickets');
COMMIT;
