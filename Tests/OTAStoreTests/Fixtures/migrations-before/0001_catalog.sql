-- 0001 catalog: products, prices, customer-type discounts, special dates, entitlements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 0001_catalog.sql   (or `ota-admin migrate`)
BEGIN;

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_migrations IS 'One row per applied file of sql/migrations; each file inserts its own row.';

-- Deployment-wide settings (one currency per deployment).
CREATE TABLE settings (
    key   text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('currency', 'CNY');

CREATE TABLE products (
    product_id    integer PRIMARY KEY CHECK (product_id > 0),
    name          text          NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sellable_cap  integer       NOT NULL CHECK (sellable_cap >= 0),
    weekday_price numeric(12,2) NOT NULL CHECK (weekday_price >= 0),
    weekend_price numeric(12,2) NOT NULL CHECK (weekend_price >= 0),
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now()
);
COMMENT ON COLUMN products.sellable_cap IS 'Upper bound of the sum of this product''s channel allocations (enforced by trigger).';

CREATE TABLE customer_types (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{0,31}$')
);
INSERT INTO customer_types (code) VALUES
    ('adult'), ('child'), ('elderly'), ('family'), ('student'), ('vip');

-- Discount in currency units off the unit price for a customer type.
CREATE TABLE product_discounts (
    product_id    integer       NOT NULL REFERENCES products ON DELETE CASCADE,
    customer_type text          NOT NULL REFERENCES customer_types,
    amount        numeric(12,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (product_id, customer_type)
);

-- Dates on which every product's day price is multiplied.
CREATE TABLE special_dates (
    day        date         PRIMARY KEY,
    multiplier numeric(6,3) NOT NULL CHECK (multiplier > 0 AND multiplier <= 100),
    note       text
);

-- What a ticket of the product may be redeemed for, and how often.
CREATE TABLE product_entitlements (
    product_id    integer NOT NULL REFERENCES products ON DELETE CASCADE,
    function_code text    NOT NULL CHECK (function_code ~ '^[a-z][a-z0-9_]{0,31}$'),
    label         text    NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    uses          integer NOT NULL CHECK (uses BETWEEN 1 AND 1000),
    PRIMARY KEY (product_id, function_code)
);

INSERT INTO schema_migrations (version, name) VALUES (1, '0001_catalog');
COMMIT;
