#!/usr/bin/env bash
# The OpenAPI contract, from the outside: the document the gateway serves at /openapi.yaml.
#
#   scripts/contract.sh check SERVER BIN   run by `make test`: a gateway from BIN on a fresh
#                                          clone of ota_template on the PostgreSQL at SERVER;
#                                          openapi-spec-validator, schemathesis, /metrics, and
#                                          webhooks verified with standardwebhooks
#
# The Python tools live in a virtualenv under .local/venv, at pinned versions.
# Environment: OTA_CONTRACT_EXAMPLES (schemathesis examples per operation, default 25),
# OTA_CONTRACT_SEED (default fixed, so a failure reproduces), OTA_CONTRACT_TIMEOUT (s, 200).
set -euo pipefail
cd "$(dirname "$0")/.."

pins=(openapi-spec-validator==0.9.0 schemathesis==4.32.5 prometheus_client==0.26.0 hypothesis==6.170.15
  standardwebhooks==1.1.0)
venv=.local/venv
test_key=ota_test_key_12345
# The venue-app operator belongs to the other development partner, so that schemathesis,
# which sends the test key, cannot disable it or change its password along the way.
operator_key=ota251103_key_67890
# The test QR key ring (a test secret, as in Tests/GatewayEndToEndTests/Stack.swift).
qr_keys=t1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
# The test master key of webhook secrets (as in Tests/OTAWorkerTests/WebhookWorld.swift).
webhook_key=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100

work=$(mktemp -d)
gateway_pid=""
worker_pid=""
database=""
webhook_database=""
server=""
cleanup() {
  local p d
  for p in $gateway_pid $worker_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  for d in $database $webhook_database; do
    psql "$server" -qAt -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start_gateway BIN DATABASE_URL [VAR=value...]: starts it on a free port; sets $port.
start_gateway() {
  local bin=$1 url=$2
  shift 2
  env OTA_DATABASE_URL="$url" OTA_HTTP_HOST=127.0.0.1 OTA_HTTP_PORT=0 OTA_WORKERS=4 "$@" \
    "$bin/ota-gateway" >"$work/gateway.log" 2>&1 &
  gateway_pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(grep '"gateway.listening"' "$work/gateway.log" 2>/dev/null | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2 || true)
    [[ -n $port ]] && return 0
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "contract: the gateway did not start; its output:" >&2
  tail -20 "$work/gateway.log" >&2
  exit 1
}

python_tools() {
  if [[ ! -x $venv/bin/python ]] && ! python3 -m venv "$venv"; then
    echo "contract: needs python3 (3.11) with its venv module (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  # Reinstall only when the pins change.
  if [[ "$(cat "$venv/.contract-pins" 2>/dev/null)" != "${pins[*]}" ]]; then
    "$venv/bin/pip" install -q --disable-pip-version-check "${pins[@]}"
    echo "${pins[*]}" >"$venv/.contract-pins"
  fi
}

check() {
  server=$1
  local bin=$2 started=$SECONDS
  python_tools
  local base=${server%/*}
  database=contract_$$
  psql "$server" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database TEMPLATE ota_template" >/dev/null
  start_gateway "$bin" "$base/$database" OTA_RATE_LIMITS=off OTA_QR_ACTIVE_KEY_ID=t1 OTA_QR_KEYS="$qr_keys" \
    OTA_WEBHOOK_SECRET_KEY="$webhook_key"
  local url=http://127.0.0.1:$port
  "$venv/bin/python" scripts/contract_checks.py validate "$url/openapi.yaml"
  local token
  token=$("$venv/bin/python" scripts/contract_checks.py operator-token "$url" "$operator_key")

  # Business refusals of well-formed requests (a customer type the catalog lacks, a date
  # too far ahead, state conflicts) are not contract breaches: valid data may get them.
  # A body over 1 MiB is rightly refused with 413.
  cat >"$work/schemathesis.toml" <<'EOF'
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "410", "422", "429", "5xx"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
EOF
  local rc=0 root=$PWD
  # From the scratch directory: schemathesis and hypothesis keep caches in the working
  # directory, which must neither litter the work tree nor carry over between runs.
  (cd "$work" && timeout "${OTA_CONTRACT_TIMEOUT:-200}" "$root/$venv/bin/schemathesis" --config-file schemathesis.toml \
    run "$url/openapi.yaml" --url "$url" -H "X-API-Key: $test_key" -H "Authorization: Bearer $token" \
    --checks all --max-examples "${OTA_CONTRACT_EXAMPLES:-25}" --seed "${OTA_CONTRACT_SEED:-20251103}" \
    --workers 2 --generation-database none --no-color >schemathesis.log 2>&1) || rc=$?
  if [[ $rc -ne 0 ]]; then
    [[ $rc -eq 124 ]] && echo "contract: schemathesis ran past ${OTA_CONTRACT_TIMEOUT:-200} s" >&2
    # Generated bodies can be megabytes: cut long lines.
    cut -c1-2000 "$work/schemathesis.log" >&2
    if ! kill -0 "$gateway_pid" 2>/dev/null; then
      echo "contract: the gateway died; the end of its output:" >&2
      tail -30 "$work/gateway.log" >&2
    fi
    echo "contract: schemathesis found the API and its OpenAPI document disagree (above)" >&2
    exit 1
  fi
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    echo "contract: the gateway died during the run; the end of its output:" >&2
    tail -30 "$work/gateway.log" >&2
    exit 1
  fi
  # One line: how many cases ran, e.g. "2275 generated, 2275 passed, 2 skipped".
  echo "schemathesis: $(grep -E '^ +[0-9]+ generated' "$work/schemathesis.log" | tail -1 | sed 's/^ *//') (seed ${OTA_CONTRACT_SEED:-20251103})"
  "$venv/bin/python" scripts/contract_checks.py metrics "$url/metrics"
  webhooks "$bin" "$base"
  echo "contract: passed in $((SECONDS - started)) s"
}

# Webhooks through the real gateway and worker on a database of their own, every request
# verified by the standardwebhooks package (scripts/contract_webhooks.py).
webhooks() {
  local bin=$1 base=$2
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=""
  webhook_database=contract_webhooks_$$
  psql "$server" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $webhook_database TEMPLATE ota_template" >/dev/null
  local wurl=$base/$webhook_database
  start_gateway "$bin" "$wurl" OTA_RATE_LIMITS=off OTA_WEBHOOK_SECRET_KEY="$webhook_key" OTA_WEBHOOK_ALLOWED_HOSTS=127.0.0.1
  env OTA_DATABASE_URL="$wurl" OTA_WEBHOOK_SECRET_KEY="$webhook_key" OTA_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 \
    OTA_WORKER_POLL_SECONDS=1 OTA_WEBHOOK_POLL_SECONDS=1 "$bin/ota-expiry-worker" >"$work/worker.log" 2>&1 &
  worker_pid=$!
  if ! "$venv/bin/python" scripts/contract_webhooks.py "http://127.0.0.1:$port" "$wurl" "$test_key"; then
    echo "contract: the end of the worker's output:" >&2
    tail -20 "$work/worker.log" >&2
    exit 1
  fi
}

case ${1:-} in
  check)
    check "${2:?usage: contract.sh check SERVER_URL BIN_DIR}" "${3:?usage: contract.sh check SERVER_URL BIN_DIR}" ;;
  *)
    sed -n '2,10p' "$0" >&2
    exit 2 ;;
esac
