#!/usr/bin/env bash
# `make run`: everything a new user needs, then the gateway on 127.0.0.1:8080 in the
# foreground. Uses $OTA_DATABASE_URL when set, else a private, durable PostgreSQL under
# .local/pg (OTA_PG_DIR) that stays initialised between runs and is stopped when this
# script ends: normally, on an error, on SIGINT (Ctrl-C), SIGTERM or SIGHUP.
# OTA_HTTP_HOST (default here 127.0.0.1), OTA_HTTP_PORT (8080), OTA_PG_PORT (random).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/deps.sh curl
config=${OTA_BUILD_CONFIG:-debug}
echo "== build ($config)"
ota_swift_build -c "$config"
bin=$(swift build -c "$config" --show-bin-path)

pgdir=${OTA_PG_DIR:-.local/pg}
pg_started=""
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  # Bounded: a process that ignores SIGTERM for 10 s is killed.
  for _ in $(seq 1 100); do
    local alive=""
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ -n $alive ]] || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n $pg_started ]]; then scripts/localpg.sh stop "$pgdir" || true; fi
}
ota_on_exit cleanup

if [[ -n ${OTA_DATABASE_URL:-} ]]; then
  echo "== using OTA_DATABASE_URL"
else
  echo "== private PostgreSQL under $pgdir"
  pg_started=1 # before the start: a signal during it must still stop the server
  server=$(scripts/localpg.sh start "$pgdir" "${OTA_PG_PORT:-}")
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

# Loopback only unless asked otherwise: the development partners' keys are public.
export OTA_HTTP_HOST=${OTA_HTTP_HOST:-127.0.0.1}
# Webhooks: a development master key for the signing secrets, made once under .local/
# (never use it in production), and http://127.0.0.1 (any port) allow-listed so that a
# webhook can point at a receiver on this machine. Production allows nothing by default.
if [[ -z ${OTA_WEBHOOK_SECRET_KEY:-} ]]; then
  if [[ ! -f .local/webhook-dev.env ]]; then
    mkdir -p .local
    printf 'OTA_WEBHOOK_SECRET_KEY=%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > .local/webhook-dev.env
    chmod 600 .local/webhook-dev.env
  fi
  set -a; . .local/webhook-dev.env; set +a
fi
export OTA_WEBHOOK_ALLOWED_HOSTS=${OTA_WEBHOOK_ALLOWED_HOSTS:-127.0.0.1}
port=${OTA_HTTP_PORT:-8080}
export OTA_HTTP_PORT=$port
case $OTA_HTTP_HOST in # where curl reaches it
  0.0.0.0 | ::) reach=127.0.0.1 ;;
  *:*) reach="[$OTA_HTTP_HOST]" ;;
  *) reach=$OTA_HTTP_HOST ;;
esac
if [[ -x $bin/ota-expiry-worker ]]; then
  "$bin/ota-expiry-worker" &
  pids+=($!)
fi
"$bin/ota-gateway" &
gateway=$!
pids+=("$gateway")

for _ in $(seq 1 300); do
  curl -fsS --max-time 2 "http://$reach:$port/livez" >/dev/null 2>&1 && break
  if ! kill -0 "$gateway" 2>/dev/null; then
    echo "run: the gateway did not start (its output is above)" >&2
    exit 1
  fi
  sleep 0.1
done
cat <<TXT

The gateway is serving on http://$reach:$port (Ctrl-C stops everything). Try:

  curl -s -H 'X-API-Key: ota_test_key_12345' http://$reach:$port/api/ota/inventory

TXT
# Until one of them ends (or a signal): the cleanup then stops the others.
status=0
wait -n "${pids[@]}" || status=$?
echo "run: a service stopped (status $status); stopping the rest" >&2
exit $((status == 0 ? 1 : status))
