#!/usr/bin/env bash
# Benchmark driver: builds release binaries, starts a private PostgreSQL and the gateway,
# runs wrk scenarios, and writes a results table (Benchmarks/results/latest.md).
#   Benchmarks/run.sh [duration-seconds]     (default 10)
# Loads only 127.0.0.1. The OTA pool of product 106 is raised to 10 million units first so
# the hold benchmark measures holds, not 409s.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}

scripts/deps.sh wrk
# A build folder of its own, so a benchmark never waits on (or disturbs) the debug build.
scratch=.build-bench
swift build -c release --scratch-path "$scratch" 2>&1 | tail -n 1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)

pgdir=$(pwd)/.local/benchpg
gw=""
cleanup() {
  [[ -n $gw ]] && kill -TERM "$gw" 2>/dev/null && wait "$gw" 2>/dev/null
  scripts/localpg.sh stop "$pgdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

server=$(scripts/localpg.sh start "$pgdir")
psql "$server" -qAt -c "DROP DATABASE IF EXISTS ota_bench" -c "CREATE DATABASE ota_bench" >/dev/null
export OTA_DATABASE_URL="${server%/postgres}/ota_bench"
"$bin/ota-admin" migrate --dir sql/migrations >/dev/null
"$bin/ota-seed" --catalog config/catalog.json --dev-partners >/dev/null
psql "$OTA_DATABASE_URL" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE products SET sellable_cap = 10001000 WHERE product_id = 106;
UPDATE channel_inventory SET allocated = 10000000 WHERE product_id = 106 AND channel = 'ota';
UPDATE products SET sellable_cap = 1000500 WHERE product_id = 107;
UPDATE channel_inventory SET allocated = 1000000 WHERE product_id = 107 AND channel = 'ota';
UPDATE partners SET max_units_per_hold = 100;
SQL

port=$(( 20000 + RANDOM % 40000 ))
OTA_HTTP_HOST=127.0.0.1 OTA_HTTP_PORT=$port OTA_REQUEST_LOG=0 OTA_RATE_LIMITS=${OTA_RATE_LIMITS:-off} OTA_WORKERS=${OTA_WORKERS:-8} \
  "$bin/ota-gateway" > .local/bench-gateway.log 2>&1 &
gw=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break; sleep 0.1; done

mkdir -p Benchmarks/results
out=Benchmarks/results/latest.md
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, ${duration}s per scenario, release build, wrk -t2, gateway OTA_WORKERS=${OTA_WORKERS:-8}."
  echo
  echo "| scenario | connections | requests/s | p50 | p90 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
} > "$out"

run() {
  local name=$1 script=$2 conns=$3
  local text
  text=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -s "Benchmarks/$script" "http://127.0.0.1:$port" 2>&1)
  local rps p50 p90 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$text")
  p50=$(awk '$1=="50%" {print $2}' <<<"$text")
  p90=$(awk '$1=="90%" {print $2}' <<<"$text")
  p99=$(awk '$1=="99%" {print $2}' <<<"$text")
  non2xx=$(awk -F'[ :]+' '/Non-2xx/ {print $NF}' <<<"$text")
  echo "| $name | $conns | $rps | $p50 | $p90 | $p99 | ${non2xx:-0} |" | tee -a "$out"
}

run "GET /livez (no database)" livez.lua 50
run "GET /api/ota/inventory" inventory.lua 50
run "GET /api/ota/inventory" inventory.lua 200
run "POST /api/ota/reserve, one product" reserve.lua 16
run "POST /api/ota/reserve, one product" reserve.lua 64

# Bulk generation: 5000 pre-generated tickets per call, end to end over HTTP, 5 calls.
times=()
for i in 1 2 3 4 5; do
  t=$(curl -s -o /dev/null -w '%{time_total}' -H 'X-API-Key: ota_test_key_12345' \
      -d '{"product_id":107,"quantity":5000,"distribution_mode":"reseller_batch"}' "http://127.0.0.1:$port/api/ota/tickets/bulk-generate")
  times+=("$t")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo | tee -a "$out"
echo "bulk-generate 5000 tickets (POST /api/ota/tickets/bulk-generate, 5 calls): median ${median}s; all: ${sorted}" | tee -a "$out"

held=$(psql "$OTA_DATABASE_URL" -qAt -c "SELECT reserved, (SELECT count(*) FROM reservations) FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'")
echo
echo "after the run: reserved|holds of product 106 = $held (must be equal units: one per hold)" | tee -a "$out"
echo "results written to $out"
