#!/usr/bin/env bash
# `make chaos`: the fault-injection run (issue 13). A durable private PostgreSQL, migrated
# and seeded once into a template; per seed a fresh clone, two gateways behind the chaos
# proxy, two expiry workers, randomized clients of both development partners, and the
# seed's faults (kill -9 of a gateway and a worker, pg_ctl restart -m immediate, a slow and
# a cut link, a restripe of a pool in use; half the pools are striped over 4 slots); then the checks of scripts/chaos_checks.py. Prints a table per seed and
# exits non-zero on any violation.
#
#   scripts/chaos.sh [SEED]   OTA_CHAOS_SEEDS seeds (default 20: seeds 1..20), or the one seed
#                             SEED / OTA_CHAOS_SEED; OTA_CHAOS_DURATION seconds each (default 50)
#   scripts/chaos.sh quick [SEED]  one seed (default 1) of 20 seconds, for make test,
#                             then a self-test: tampered journal and database must be reported
#
# Environment: OTA_CHAOS_CLIENTS (default 6), OTA_CHAOS_SKIP_BUILD=1 (use the existing debug
# build), OTA_CHAOS_KEEP_LOGS=1 (keep .local/chaos-logs/seed-N of clean seeds too; a seed
# with a violation always keeps its logs, journal and a pg_dump of its database there),
# OTA_CHAOS_KEEP=1 (leave the stopped cluster behind), OTA_CHAOS_DURABILITY=off (see below).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-full}
# A seed as the last argument (`scripts/chaos.sh 7`, `scripts/chaos.sh quick 7`) wins over OTA_CHAOS_SEED.
if [[ $mode =~ ^[0-9]+$ ]]; then OTA_CHAOS_SEED=$mode; mode=full; fi
if [[ ${2:-} =~ ^[0-9]+$ ]]; then OTA_CHAOS_SEED=$2; fi
case $mode in
  full)
    if [[ -n ${OTA_CHAOS_SEED:-} ]]; then seeds=$OTA_CHAOS_SEED; else seeds=$(seq -s, 1 "${OTA_CHAOS_SEEDS:-20}"); fi
    duration=${OTA_CHAOS_DURATION:-50} ;;
  quick)
    seeds=${OTA_CHAOS_SEED:-1}
    duration=${OTA_CHAOS_DURATION:-20} ;;
  *) echo "usage: scripts/chaos.sh [full|quick] [SEED]" >&2; exit 2 ;;
esac

command -v python3 >/dev/null || { echo "chaos: needs python3" >&2; exit 1; }
if [[ ${OTA_CHAOS_SKIP_BUILD:-0} != 1 ]]; then
  echo "== build"
  swift build 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Building)' || true
  test "${PIPESTATUS[0]}" -eq 0
fi
bin=$(swift build --show-bin-path)

pgdir=$(pwd)/.local/chaos-$$
cleanup() {
  scripts/localpg.sh stop "$pgdir" >/dev/null 2>&1 || true
  if [[ ${OTA_CHAOS_KEEP:-0} == 1 ]]; then
    echo "chaos: cluster kept in $pgdir (scripts/localpg.sh start $pgdir)"
    return
  fi
  if [[ -f $pgdir/datadir ]]; then rm -rf "$(dirname "$(cat "$pgdir/datadir")")"; fi
  rm -rf "$pgdir"
}
trap cleanup EXIT

echo "== private PostgreSQL"
# localpg.sh picks a random free port; another process may take it first: try again.
server=""
for _ in 1 2 3; do
  server=$(scripts/localpg.sh start "$pgdir") && break
  sleep 1
done
[[ -n $server ]] || { echo "chaos: PostgreSQL did not start" >&2; exit 1; }
base=${server%/postgres}
port=${base##*:}
data=$pgdir/data
[[ -f $pgdir/datadir ]] && data=$(cat "$pgdir/datadir")
# The pg_ctl of the server that runs (its major version), for the crash and the restarts.
major=$(( $(psql "$server" -qAtX -c "SHOW server_version_num") / 10000 ))
pgbin=""
for d in "/usr/lib/postgresql/$major/bin" /usr/local/pgsql/bin; do
  [[ -x $d/pg_ctl ]] && { pgbin=$d; break; }
done
[[ -n $pgbin ]] || { echo "chaos: no pg_ctl for PostgreSQL $major" >&2; exit 1; }
pguser=""
[[ $(id -u) -eq 0 ]] && pguser=postgres
as_pg() { if [[ -n $pguser ]]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }

durable() {
  [[ $(psql "$server" -qAtX -c "SELECT string_agg(setting, ',' ORDER BY name) FROM pg_settings
                                 WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')") == "on,on,on" ]]
}
# A crash must not lose an acknowledged commit: fsync, synchronous_commit and
# full_page_writes on. When localpg.sh started a fast (non-durable) server, restart it
# with the same port and socket and durable settings (the command line wins over any
# configuration file, so ALTER SYSTEM would not do). OTA_CHAOS_DURABILITY=off does the
# opposite, on purpose: a run that shows the checks catching commits lost in a crash.
restart_with() {
  as_pg "$pgbin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" restart -m fast \
    -o "-p $port -k $(dirname "$data")/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=$1 -c synchronous_commit=$1 -c full_page_writes=$1 -c shared_buffers=128MB" \
    >/dev/null
}
unsafe=()
if [[ ${OTA_CHAOS_DURABILITY:-on} == off ]]; then
  restart_with off
  unsafe=(--not-durable)
  echo "chaos: OTA_CHAOS_DURABILITY=off: PostgreSQL runs NOT durable; expect lost writes" >&2
else
  durable || restart_with on
  durable || { echo "chaos: could not make PostgreSQL durable" >&2; exit 1; }
fi
psql "$server" -qAtX -c "SELECT name || '=' || setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name" | paste -sd' '

template=chaos_template
psql "$server" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $template" >/dev/null
OTA_DATABASE_URL="$base/$template" "$bin/ota-admin" migrate --dir sql/migrations >/dev/null
OTA_DATABASE_URL="$base/$template" "$bin/ota-seed" --catalog config/catalog.json --dev-partners >/dev/null
# Room in the OTA pools, so that the clients of a long seed do not sell everything out
# and spend the rest of it on 409s (the seeded figures are a few thousand units).
psql "$base/$template" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE products SET sellable_cap = sellable_cap + 20000;
UPDATE channel_inventory SET allocated = allocated + 20000 WHERE channel = 'ota';
-- Striped pools (issue 10) under the same faults: every other product's OTA pool over 4
-- slots, so holds take the SKIP LOCKED fast path and the slow path across slots; the
-- restripe fault changes K mid-run.
SELECT ota_set_stripes(product_id, 'ota', 4)
  FROM (SELECT product_id, row_number() OVER (ORDER BY product_id) AS n FROM products) p
 WHERE n % 2 = 1;
SQL
psql "$server" -qAt -c "ALTER DATABASE $template WITH ALLOW_CONNECTIONS false" >/dev/null

echo "== chaos: seeds $seeds, ${duration}s each"
extra=()
[[ ${OTA_CHAOS_KEEP_LOGS:-0} == 1 ]] && extra+=(--keep-logs)
# The quick mode also proves that the checks can fail: it tampers with its clean seed.
[[ $mode == quick ]] && extra+=(--self-test)
PYTHONDONTWRITEBYTECODE=1 CHAOS_PG_DATA=$data CHAOS_PG_BIN=$pgbin CHAOS_PG_USER=$pguser \
  python3 scripts/chaos.py --bin "$bin" --server "$server" --template "$template" --seeds "$seeds" \
  --duration "$duration" --clients "${OTA_CHAOS_CLIENTS:-6}" --logs .local/chaos-logs "${extra[@]}" "${unsafe[@]}"
