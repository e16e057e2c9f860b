#!/usr/bin/env bash
# The console's checks outside `swift test` (issue 12):
#   1. promtool check rules / test rules over config/prometheus (the expiry-rate alert
#      fires at 20% and not at 5%), and the Grafana dashboard parses as JSON;
#   2. the console in a real browser: a gateway on a fresh database with known traffic,
#      headless Chromium (Debian's chromium + chromium-driver, Selenium from PyPI in
#      .local/venv-console) logs in with a console account, finds the figures on /console,
#      and writes .local/console-laptop.png and .local/console-phone.png; partner keys 403.
#
#   scripts/console_checks.sh SERVER BIN   from scripts/test.sh: the private PostgreSQL's
#                                          URL (with its ota_template) and the bin directory
#   scripts/console_checks.sh              on its own: builds, starts a throwaway PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/deps.sh prometheus chromium chromium-driver python3 python3-venv
# The Debian prometheus package may start its service; nothing here needs it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi

echo "== alert rules"
promtool check rules config/prometheus/alerts.yml
promtool test rules config/prometheus/alerts_test.yml
python3 -m json.tool config/grafana/ota-dashboard.json >/dev/null
echo "grafana: config/grafana/ota-dashboard.json parses"

pins=(selenium==4.25.0)
venv=.local/venv-console
work=$(mktemp -d)
server=${1:-}
bin=${2:-}
gateway_pid=""
database=""
pgdir=""
cleanup() {
  if [[ -n $gateway_pid ]]; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  if [[ -n $database && -n $server ]]; then
    psql "$server" -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [[ -n $pgdir ]]; then
    scripts/localpg.sh stop "$pgdir" >/dev/null 2>&1 || true
    if [[ -f $pgdir/datadir ]]; then rm -rf "$(dirname "$(cat "$pgdir/datadir")")"; fi
    rm -rf "$pgdir"
  fi
  rm -rf "$work"
}
ota_on_exit cleanup

if [[ -z $server ]]; then
  ota_swift_build
  bin=$(swift build --show-bin-path)
  pgdir=$(pwd)/.local/testpg-console-$$
  server=$(scripts/localpg.sh start --fast "$pgdir")
  psql "$server" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE ota_template" >/dev/null
  OTA_DATABASE_URL="${server%/postgres}/ota_template" "$bin/ota-admin" migrate --dir sql/migrations >/dev/null
  OTA_DATABASE_URL="${server%/postgres}/ota_template" "$bin/ota-seed" --catalog config/catalog.json --dev-partners >/dev/null
  psql "$server" -qAt -c "ALTER DATABASE ota_template WITH ALLOW_CONNECTIONS false" >/dev/null
fi

echo "== console in a browser"
if [[ ! -x $venv/bin/python ]]; then python3 -m venv "$venv"; fi
if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "${pins[*]}" ]]; then
  "$venv/bin/pip" install -q --disable-pip-version-check "${pins[@]}"
  echo "${pins[*]}" >"$venv/.pins"
fi

database=console_$$
psql "$server" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database TEMPLATE ota_template" >/dev/null
url="${server%/postgres}/$database"

# start_gateway: on a free port of 127.0.0.1; sets $port and $gateway_pid. A log of its
# own each time: the redirection happens in the child, after this shell may have looked.
starts=0
start_gateway() {
  starts=$((starts + 1))
  local log=$work/gateway-$starts.log
  env OTA_DATABASE_URL="$url" OTA_HTTP_HOST=127.0.0.1 OTA_HTTP_PORT=0 OTA_WORKERS=2 OTA_RATE_LIMITS=off \
    OTA_REQUEST_FLUSH_SECONDS=1 OTA_INSTANCE_NAME=console-check "$bin/ota-gateway" >"$log" 2>&1 &
  gateway_pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(grep '"gateway.listening"' "$log" 2>/dev/null | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2 || true)
    [[ -n $port ]] && return 0
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "console: the gateway did not start; its output:" >&2
  tail -20 "$log" >&2
  exit 1
}
stop_gateway() {
  kill -TERM "$gateway_pid"
  wait "$gateway_pid" || true
  gateway_pid=""
}

password="harbour lights $$ console"
printf '%s\n' "$password" | OTA_DATABASE_URL="$url" "$bin/ota-admin" console-user create ops.console

start_gateway
api=http://127.0.0.1:$port
key='X-API-Key: ota_test_key_12345'
hold() { curl -sf -H "$key" -d "{\"product_id\": $1, \"quantity\": $2}" "$api/api/ota/reserve" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reservation_id"])'; }
# Known traffic today: four holds (11 units); one activated, one cancelled, one expired,
# one left active; a batch of 10 tickets: 12 units sold (2 from holds, 10 from the batch),
# 4 reserve requests.
h1=$(hold 106 2)
h2=$(hold 106 3)
h3=$(hold 106 5)
hold 107 1 >/dev/null
curl -sf -H "$key" -d '{"customer": {"name": "Li Wei"}, "units": [{"customer_type": "adult"}, {"customer_type": "child"}]}' \
  "$api/api/ota/reservations/$h1/activate" >/dev/null
curl -sf -H "$key" -X POST "$api/api/ota/reservations/$h2/cancel" >/dev/null
curl -sf -H "$key" -d '{"product_id": 107, "quantity": 10, "distribution_mode": "reseller_batch"}' \
  "$api/api/ota/tickets/bulk-generate" >/dev/null
# What the expiry worker does to a hold past its expiry (the shortest hold is a minute).
psql "$url" -qAt -v ON_ERROR_STOP=1 -c "UPDATE reservations SET status = 'expired', ended_at = now() WHERE reservation_id = '$h3'" >/dev/null
# Earlier days, for the daily charts: 4 days ago 5 holds of product 107 (4 activated, 1
# expired), 2 days ago 4 (2 activated, 1 cancelled, 1 expired). Over 7 days then: 13 made;
# of the 12 that ended 7 were activated (58.3%) and 3 expired (25.0%).
psql "$url" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, created_at, pricing_snapshot)
SELECT 'res_history' || lpad(g::text, 13, '0'), (SELECT partner_id FROM partners WHERE code = 'ota-test-partner'), 107, 1,
       date_trunc('day', now()) - make_interval(days => CASE WHEN g <= 5 THEN 4 ELSE 2 END) + interval '20 hours',
       date_trunc('day', now()) - make_interval(days => CASE WHEN g <= 5 THEN 4 ELSE 2 END) + make_interval(hours => 8 + g),
       '{}'::jsonb
  FROM generate_series(1, 9) g;
UPDATE reservations SET status = CASE WHEN n IN (1, 2, 3, 4, 6, 7) THEN 'activated' WHEN n = 8 THEN 'cancelled' ELSE 'expired' END,
       ended_at = created_at + interval '2 hours'
  FROM (SELECT reservation_id AS id, right(reservation_id, 13)::int AS n FROM reservations WHERE reservation_id LIKE 'res_history%') h
 WHERE reservation_id = h.id;
SQL
# A drained gateway has written every request it answered; the page then shows them.
stop_gateway
start_gateway
api=http://127.0.0.1:$port

cat >"$work/expected.json" <<'EOF'
{"holds_made": "13", "activation_rate": "58.3%", "expiry_rate": "25.0%", "units_sold": "12",
 "partner_sold_ota-test-partner": "12", "conflicts": "0", "requests_createReservation": "4",
 "utilisation_106_ota": "0.1%", "utilisation_108_ota": "0.0%"}
EOF
mkdir -p .local
"$venv/bin/python" scripts/console_browser.py "$api" ops.console "$password" "$work/expected.json" "$(pwd)/.local"
stop_gateway
echo "console: passed"
