-- 0012 repeatable functions: from here on the current definition of every function and
-- trigger function is its own file, sql/functions/<name>.sql, re-applied whenever the
-- file changes (see sql/README.md). The CREATE FUNCTION text in 0002-0011 stays as
-- history: a fresh database gets those first, then the files replace them. This
-- migration only adds the record of which version of each file the database runs.
BEGIN;

CREATE TABLE schema_functions (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    checksum   text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_functions IS 'One row per file of sql/functions applied: its name and the SHA-256 (hex) of the file as last applied.';

INSERT INTO schema_migrations (version, name) VALUES (12, '0012_repeatable_functions');
COMMIT;
