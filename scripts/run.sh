#!/usr/bin/env bash
# `make run`: everything a new user needs, then the gateway on :8080 in the foreground.
# Uses $OTA_DATABASE_URL when set, else a private PostgreSQL under .local/pg that stays
# initialised between runs and is stopped when this script exits.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh curl
config=${OTA_BUILD_CONFIG:-debug}
echo "== build ($config)"
swift build -c "$config" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Building)' || true
test "${PIPESTATUS[0]}" -eq 0
bin=$(swift build -c "$config" --show-bin-path)

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -z ${OTA_DATABASE_URL_GIVEN:-} ]]; then scripts/localpg.sh stop .local/pg || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${OTA_DATABASE_URL:-} ]]; then
  OTA_DATABASE_URL_GIVEN=1
  echo "== using OTA_DATABASE_URL"
else
  echo "== private PostgreSQL under .local/pg"
  server=$(scripts/localpg.sh start .local/pg "${OTA_PG_PORT:-}")
  if ! psql "$server" -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'ota'" | grep -q 1; then
    psql "$server" -qAt -c "CREATE DATABASE ota" >/dev/null
  fi
  export OTA_DATABASE_URL="${server%/postgres}/ota"
fi

echo "== migrate and seed"
"$bin/ota-admin" migrate --dir sql/migrations
"$bin/ota-seed" --catalog config/catalog.json --dev-partners

# A development QR key ring, made once and kept under .local/ (never use it in production).
if [[ -z ${OTA_QR_KEYS:-} ]]; then
  if [[ ! -f .local/qr-dev.env ]]; then
    mkdir -p .local
    secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf 'OTA_QR_ACTIVE_KEY_ID=dev1\nOTA_QR_KEYS=dev1:%s\n' "$secret" > .local/qr-dev.env
    chmod 600 .local/qr-dev.env
  fi
  set -a; . .local/qr-dev.env; set +a
fi

port=${OTA_HTTP_PORT:-8080}
export OTA_HTTP_PORT=$port
if [[ -x $bin/ota-expiry-worker ]]; then
  "$bin/ota-expiry-worker" &
  pids+=($!)
fi
"$bin/ota-gateway" &
pids+=($!)

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
  sleep 0.1
done
cat <<TXT

The gateway is serving on http://127.0.0.1:$port (Ctrl-C stops everything). Try:

  curl -s -H 'X-API-Key: ota_test_key_12345' http://127.0.0.1:$port/api/ota/inventory

TXT
wait "${pids[@]}"
