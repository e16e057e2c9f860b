-- 0012 repeatable functions: every function and trigger function is its own file,
-- sql/functions/<name>.sql, and no migration holds function text: a function that does not
-- exist yet is created from its file before the migrations, and every changed file is
-- applied, checked, after them (see sql/README.md). This migration only adds the record of
-- which version of each file the database runs.
BEGIN;

CREATE TABLE schema_functions (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    checksum   text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_functions IS 'One row per file of sql/functions applied: its name and the SHA-256 (hex) of the file as last applied.';

INSERT INTO schema_migrations (version, name) VALUES (12, '0012_repeatable_functions');
COMMIT;
