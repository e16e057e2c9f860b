-- 0007 orders and tickets: activation turns a hold into an order with one ticket per unit.
-- channel_inventory.sold is kept equal to the number of issued (not cancelled) tickets by
-- the statement-level triggers below, and the ticket lifecycle is enforced here as well as
-- in code: PRE_GENERATED -> ACTIVE -> USED, and PRE_GENERATED|ACTIVE -> CANCELLED.
-- Functions: sql/functions/<name>.sql, which exist before the migrations run (sql/README.md).
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

-- ota_ticket_lifecycle: sql/functions/ota_ticket_lifecycle.sql
CREATE TRIGGER tickets_lifecycle
    BEFORE INSERT OR UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ota_ticket_lifecycle();

-- ota_ticket_no_delete: sql/functions/ota_ticket_no_delete.sql
CREATE TRIGGER tickets_never_deleted
    BEFORE DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ota_ticket_no_delete();

-- ota_tickets_issued: sql/functions/ota_tickets_issued.sql
CREATE TRIGGER tickets_raise_sold
    AFTER INSERT ON tickets REFERENCING NEW TABLE AS issued
    FOR EACH STATEMENT EXECUTE FUNCTION ota_tickets_issued();

-- ota_tickets_cancelled: sql/functions/ota_tickets_cancelled.sql
CREATE TRIGGER tickets_cancel_returns_units
    AFTER UPDATE ON tickets REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ota_tickets_cancelled();

INSERT INTO schema_migrations (version, name) VALUES (7, '0007_orders_tickets');
COMMIT;
