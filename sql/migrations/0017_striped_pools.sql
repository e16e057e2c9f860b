-- PLACEHOLDER on branch h-cache only, so that this branch's 0018 has no gap before it
-- (the Migrator refuses gaps). h-stripes writes the real 0017_striped_pools.sql: on merge,
-- take h-stripes' file and drop this one.
BEGIN;
INSERT INTO schema_migrations (version, name) VALUES (17, '0017_striped_pools');
COMMIT;
