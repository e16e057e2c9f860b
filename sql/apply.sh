#!/usr/bin/env bash
# Applies this sql directory with psql alone, exactly as `ota-admin migrate` does: under the
# same advisory lock, every migration not yet in schema_migrations in order (each file is
# its own transaction and records itself), then every function file whose SHA-256 differs
# from the one in schema_functions (each in a transaction with its new checksum). Running
# it again with nothing changed does nothing.
#
#   sql/apply.sh [psql connection options or URL]
#   sql/apply.sh "postgresql://ota@db.example/ota"      (or set PGHOST, PGDATABASE, ...)
#
# Needs psql 10 or newer (\if, \gset) and sha256sum.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C # files in byte order, as ota-admin sorts them
lock_key=7995393 # Migrator.lockKey, 0x7A0001

case $here in *"'"*) echo "apply.sh: the path $here contains a quote; move the sql directory" >&2; exit 2 ;; esac

script() {
  # Query results go nowhere; \echo still reports what is applied.
  echo '\o /dev/null'
  echo "SELECT pg_advisory_lock($lock_key);"
  local newest=0 f base version name sum
  for f in "$here"/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
    base=$(basename "$f" .sql)
    version=$((10#${base:0:4}))
    newest=$version
    # schema_migrations exists only once 0001 has run: ask about it first.
    cat <<EOF
SELECT to_regclass('schema_migrations') IS NULL AS pending \\gset
\\if :pending
\\else
SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $version) AS pending \\gset
\\endif
\\if :pending
\\echo applying $base
\\i '$f'
\\endif
EOF
  done
  cat <<EOF
SELECT max(version) > $newest AS ahead FROM schema_migrations \\gset
\\if :ahead
DO \$\$ BEGIN RAISE EXCEPTION 'the database is newer than the newest migration file ($newest)'; END \$\$;
\\endif
EOF
  for f in "$here"/functions/*.sql; do
    [[ -e $f ]] || continue
    name=$(basename "$f" .sql)
    if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
      echo "apply.sh: function file name $name.sql is not a lowercase function name" >&2
      exit 2
    fi
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    cat <<EOF
SELECT NOT EXISTS (SELECT 1 FROM schema_functions WHERE name = '$name' AND checksum = '$sum') AS pending \\gset
\\if :pending
\\echo applying function $name
BEGIN;
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
# the transaction it was in.
psql -X -q -v ON_ERROR_STOP=1 "$@" <<<"$text"
