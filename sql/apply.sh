#!/usr/bin/env bash
# Applies this sql directory with psql alone, exactly as `ota-admin migrate` does, under the
# same advisory lock:
#   1. each function file whose function does not exist yet, created with
#      check_function_bodies off and not recorded, so that the migrations' triggers find
#      their functions (a file that fails here is rolled back and left to step 3);
#   2. every migration not yet in schema_migrations, in order (each file is its own
#      transaction and records itself);
#   3. each function file whose SHA-256 differs from the one in schema_functions (or has no
#      row there), checked, in a transaction with its new checksum.
# Running it again with nothing changed does nothing.
#
#   sql/apply.sh [psql connection options or URL]
#   sql/apply.sh "postgresql://ota@db.example/ota"      (or set PGHOST, PGDATABASE, ...)
#
# Needs psql 12 or newer (\if, \gset, :ERROR) and sha256sum.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C # files in byte order, as ota-admin sorts them
lock_key=7995393 # Migrator.lockKey, 0x7A0001

case $here in *"'"*) echo "apply.sh: the path $here contains a quote; move the sql directory" >&2; exit 2 ;; esac

migrations=("$here"/migrations/[0-9][0-9][0-9][0-9]_*.sql)
functions=()
for f in "$here"/functions/*.sql; do
  [[ -e $f ]] || continue
  name=$(basename "$f" .sql)
  if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "apply.sh: function file name $name.sql is not a lowercase function name" >&2
    exit 2
  fi
  functions+=("$f")
done

script() {
  # Query results go nowhere; \echo still reports what is applied.
  echo '\o /dev/null'
  echo "SELECT pg_advisory_lock($lock_key);"
  local f base version newest=0 name sum

  # Which migrations are pending (psql variable m_<file>), asked before anything changes;
  # schema_migrations exists only once 0001 has run.
  echo "SELECT to_regclass('schema_migrations') IS NOT NULL AS has_migrations \\gset"
  for f in "${migrations[@]}"; do
    base=$(basename "$f" .sql)
    version=$((10#${base:0:4}))
    newest=$version
    cat <<EOF
SELECT true AS m_$base \\gset
\\if :has_migrations
SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $version) AS m_$base \\gset
\\endif
EOF
  done
  cat <<EOF
\\if :has_migrations
SELECT coalesce(max(version) > $newest, false) AS ahead FROM schema_migrations \\gset
\\if :ahead
DO \$\$ BEGIN RAISE EXCEPTION 'the database is newer than the newest migration file ($newest)'; END \$\$;
\\endif
\\endif
EOF

  # 1. Each function that does not exist yet (by name, in the schema that unqualified names
  # go to), unchecked and unrecorded. An error rolls back this file only (psql prints it;
  # step 3 tries the file again).
  for f in "${functions[@]}"; do
    name=$(basename "$f" .sql)
    cat <<EOF
SELECT NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = '$name' AND pronamespace = current_schema()::regnamespace) AS missing \\gset
\\if :missing
\\set ON_ERROR_STOP off
BEGIN;
SET LOCAL check_function_bodies = off;
\\i '$f'
\\if :ERROR
\\echo function $name waits for the migrations
\\else
\\echo created function $name before the migrations
\\endif
COMMIT;
\\set ON_ERROR_STOP on
\\endif
EOF
  done

  # 2. The pending migrations.
  for f in "${migrations[@]}"; do
    base=$(basename "$f" .sql)
    cat <<EOF
\\if :m_$base
\\echo applying $base
\\i '$f'
\\endif
EOF
  done

  # 3. Each changed function file, checked, with the record of its checksum.
  for f in "${functions[@]}"; do
    name=$(basename "$f" .sql)
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    cat <<EOF
SELECT NOT EXISTS (SELECT 1 FROM schema_functions WHERE name = '$name' AND checksum = '$sum') AS changed \\gset
\\if :changed
\\echo applying function $name
BEGIN;
SET LOCAL check_function_bodies = on;
\\i '$f'
INSERT INTO schema_functions (name, checksum) VALUES ('$name', '$sum')
    ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now();
COMMIT;
\\endif
EOF
  done
  echo "SELECT pg_advisory_unlock($lock_key);"
}

# Built first, so that a bad file name stops before anything is sent.
text=$(script)
# -X: no ~/.psqlrc; ON_ERROR_STOP: the first error ends the session, which rolls back
# the transaction it was in (step 1 alone turns it off around each file).
psql -X -q -v ON_ERROR_STOP=1 "$@" <<<"$text"
