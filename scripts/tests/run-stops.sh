#!/usr/bin/env bash
# By hand (slow: each case builds, starts PostgreSQL, migrates and seeds; ~1 min in all):
# `make run` stops everything (gateway, worker, its private PostgreSQL) however it is
# stopped, and while it runs it is what the README says: the gateway on 127.0.0.1 only,
# the curl line printed, a durable PostgreSQL.
#   scripts/tests/run-stops.sh [CASE...]     (default: all cases)
#     timeout    `timeout -s TERM` expiring (it signals scripts/run.sh, then its whole group)
#     timeout-make  the same around `make run`: make forwards a second SIGTERM to run.sh
#     make-term  SIGTERM to `make run` only (a supervisor, docker stop)
#     term       SIGTERM to scripts/run.sh only
#     term-twice SIGTERM to scripts/run.sh, and again 30 ms later, during its cleanup
#     int        SIGINT to the process group (Ctrl-C in a terminal)
# Uses its own cluster under .local/testpg-run-PID (OTA_PG_DIR), never .local/pg.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
ota_pg_bindir >/dev/null || { echo "run-stops: no PostgreSQL >= 15" >&2; exit 1; }

export OTA_PG_DIR=${OTA_PG_DIR:-$(pwd)/.local/testpg-run-$$}
work=$(mktemp -d)
launcher=""
pgid=""
failed=0

datadir() { if [[ -f $OTA_PG_DIR/datadir ]]; then cat "$OTA_PG_DIR/datadir"; else echo "$OTA_PG_DIR/data"; fi; }
pg_running() { [[ -f $(datadir)/postmaster.pid ]] && pgrep -f -- "-D $(datadir)( |$)" >/dev/null; }
pg_stopped() { ! pg_running; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_closed() { ! port_open "$1"; }
group_gone() { ! pgrep -g "$1" >/dev/null; }
only_loopback() { # PORT: every listening socket on it is 127.0.0.1's
  local addrs; addrs=$(ss -Hltn "sport = :$1" | awk '{print $4}')
  [[ -n $addrs && -z $(grep -vx "127.0.0.1:$1" <<<"$addrs") ]]
}
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_open "$p" || { echo "$p"; return; }
  done
  return 1
}

# Whatever a failed case left behind: only what this test started (by process group id,
# the private cluster by its directory).
sweep() {
  if [[ -n $pgid ]]; then kill -KILL -- "-$pgid" 2>/dev/null || true; fi
  if [[ -n $launcher ]]; then wait "$launcher" 2>/dev/null || true; fi
  launcher="" pgid=""
  scripts/localpg.sh stop "$OTA_PG_DIR" >/dev/null 2>&1 || true
}
cleanup() {
  sweep
  if [[ -f $OTA_PG_DIR/datadir ]]; then rm -rf "$(dirname "$(cat "$OTA_PG_DIR/datadir")")"; fi
  if [[ $OTA_PG_DIR == */.local/testpg-run-* ]]; then rm -rf "$OTA_PG_DIR"; fi
  rm -rf "$work"
}
ota_on_exit cleanup

case_failed=0
check() { # CASE DESCRIPTION COMMAND...
  local c=$1 what=$2
  shift 2
  if "$@"; then echo "  ok   $c: $what"; else echo "  FAIL $c: $what"; failed=1 case_failed=1; fi
}

run_case() {
  local c=$1 port log=$work/$1.log
  case_failed=0
  port=$(free_port)
  echo "== case $c (gateway port $port)"
  export OTA_HTTP_PORT=$port
  unset OTA_HTTP_HOST OTA_DATABASE_URL
  # In a process group of its own, with SIGINT not ignored: a background job of a script
  # starts with SIGINT ignored, and bash cannot trap a signal ignored on entry.
  local launch=(setsid env --default-signal=INT)
  case $c in
    timeout) "${launch[@]}" timeout -s TERM 600 scripts/run.sh >"$log" 2>&1 & ;;
    timeout-make) "${launch[@]}" timeout -s TERM 600 make -s run >"$log" 2>&1 & ;;
    make-term) "${launch[@]}" make -s run >"$log" 2>&1 & ;;
    term | term-twice | int) "${launch[@]}" scripts/run.sh >"$log" 2>&1 & ;;
    *) echo "run-stops: unknown case $c" >&2; exit 2 ;;
  esac
  launcher=$! pgid=$!
  local up=0
  for _ in $(seq 1 1800); do # the build may have work to do: up to 3 minutes
    if curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && grep -q "X-API-Key" "$log"; then up=1; break; fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  check "$c" "the gateway answers /livez" test "$up" = 1
  if ((up == 0)); then tail -n 20 "$log"; sweep; return; fi
  check "$c" "the curl line is printed" grep -q "curl -s -H 'X-API-Key: ota_test_key_12345' http://127.0.0.1:$port/api/ota/inventory" "$log"
  check "$c" "the gateway listens on 127.0.0.1 only" only_loopback "$port"
  local url settings
  url=$(cat "$OTA_PG_DIR/url")
  settings=$(psql "$url" -qAt -c "SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")
  check "$c" "PostgreSQL is durable ($settings)" test "$settings" = "fsync=on,full_page_writes=on,synchronous_commit=on"

  case $c in
    timeout | timeout-make | make-term | term) kill -TERM "$launcher" ;;
    term-twice) kill -TERM "$launcher"; sleep 0.03; kill -TERM "$launcher" 2>/dev/null || true ;;
    int) kill -INT -- "-$pgid" ;;
  esac
  local ended=0
  for _ in $(seq 1 300); do
    kill -0 "$launcher" 2>/dev/null || { ended=1; break; }
    sleep 0.1
  done
  check "$c" "the command ends within 30 s" test "$ended" = 1
  local rc=0
  wait "$launcher" 2>/dev/null || rc=$?
  check "$c" "it exits non-zero (status $rc)" test "$rc" -ne 0
  check "$c" "no process of its group is left" group_gone "$pgid"
  check "$c" "its PostgreSQL is stopped" pg_stopped
  check "$c" "the gateway port is closed" port_closed "$port"
  if ((case_failed)); then echo "  --- its output:"; tail -n 15 "$log" | sed 's/^/  | /'; fi
  sweep
}

cases=("$@")
((${#cases[@]})) || cases=(timeout timeout-make make-term term term-twice int)
for c in "${cases[@]}"; do run_case "$c"; done
if ((failed)); then echo "FAIL run-stops"; exit 1; fi
echo "ok run-stops"
