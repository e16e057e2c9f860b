#!/usr/bin/env bash
# A private PostgreSQL (15 or newer, the newest installed) for development and tests: its
# own data directory, socket directory and TCP port, owned by an unprivileged OS user when
# we run as root (initdb refuses root). Nothing outside the given directory is touched,
# except that a directory under /tmp is used when the unprivileged user cannot reach the
# work tree.
#
#   scripts/localpg.sh start [--fast] DIR [PORT]   start (initialising on first use); prints the URL
#   scripts/localpg.sh stop DIR                    stop it (fast shutdown)
#   scripts/localpg.sh status DIR                  exit 0 when it is running
#   scripts/localpg.sh url DIR                     print the URL of a running cluster
#
# Durable by default (fsync, synchronous_commit, full_page_writes on: `make run`'s data
# survives a crash). --fast turns all three off, for throwaway test clusters only: a crash
# of the machine may lose acknowledged commits or corrupt the cluster. The settings are
# given on the server's command line at every start, which overrides postgresql.conf and
# postgresql.auto.conf, so a cluster made by an older, non-durable version of this script
# becomes durable at its next start; a running cluster in the other mode is restarted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: localpg.sh start [--fast] DIR [PORT] | stop DIR | status DIR | url DIR"
cmd=${1:?$usage}
shift
fast=0
if [[ $cmd == start && ${1:-} == --fast ]]; then fast=1; shift; fi
dir=${1:?$usage}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if ! pgbin=$(ota_pg_bindir); then
  echo "localpg: no PostgreSQL server 15 or newer under /usr/lib/postgresql (run scripts/deps.sh)" >&2
  exit 1
fi

# The OS user that owns the cluster.
if [[ $(id -u) -eq 0 ]]; then
  pguser=postgres
  if ! id -u "$pguser" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
  fi
  as_pg() { runuser -u "$pguser" -- "$@"; }
else
  pguser=$(id -un)
  as_pg() { "$@"; }
fi

# Where the cluster lives: DIR/data, or a /tmp directory recorded in DIR/datadir when the
# unprivileged user cannot traverse the work tree (e.g. a clone inside a 0700 mktemp dir).
datadir_of() {
  if [[ -f $dir/datadir ]]; then cat "$dir/datadir"; else echo "$dir/data"; fi
}

free_port() {
  # A random unprivileged port that nothing answers on (bash's /dev/tcp, no extra tools),
  # below Linux's ephemeral range (32768-60999 by default): a port there can be taken by
  # any outgoing connection, or sit in TIME_WAIT, and the server then fails to bind.
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "localpg: no free port found" >&2; exit 1
}

running() {
  local data; data=$(datadir_of)
  [[ -f $data/PG_VERSION ]] && as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# The three settings as the server reports them: "on on on" when durable.
durability() {
  [[ -f $dir/url ]] || return 0
  psql "$(url)" -qAt -c "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')" 2>/dev/null
}

start() {
  local port=${1:-}
  local data
  if [[ ! -f $dir/datadir && ! -d $dir/data ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      mkdir -p "$dir/data" && chown "$pguser" "$dir/data" && chmod 700 "$dir/data"
      if ! as_pg test -w "$dir/data" 2>/dev/null; then
        rmdir "$dir/data"
        local tmp; tmp=$(mktemp -d /tmp/ota-pg.XXXXXX)
        chown "$pguser" "$tmp"; chmod 700 "$tmp"
        echo "$tmp/data" > "$dir/datadir"
        as_pg mkdir -p "$tmp/data"
      fi
    else
      mkdir -p "$dir/data"
    fi
  fi
  data=$(datadir_of)
  local sock; sock=$(dirname "$data")/sock
  if [[ ! -d $sock ]]; then mkdir -p "$sock"; [[ $(id -u) -eq 0 ]] && chown "$pguser" "$sock"; fi
  if [[ ! -f $data/PG_VERSION ]]; then
    local nosync=()
    ((fast)) && nosync=(--no-sync) # a throwaway cluster need not reach the disk
    as_pg "$pgbin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 "${nosync[@]}" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if running; then
    if ((fast)) || [[ $(durability) == "on on on" ]]; then url; return; fi
    # Started by an older version of this script or with --fast: not durable.
    echo "localpg: restarting $dir with durable settings" >&2
    [[ -n $port ]] || port=$(sed -n 's|.*@127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/url" 2>/dev/null)
    as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  local asked=$port
  [[ -n $port ]] || port=$(free_port)
  local mode
  if ((fast)); then
    mode="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  else
    mode="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  fi
  # pg_ctl ignores SIGINT/SIGTERM while it starts the server: a signal meant for our
  # caller (Ctrl-C, timeout) must not leave a server starting that nobody stops; the
  # caller's cleanup stops it once this returns.
  trap '' INT TERM HUP
  # A port chosen here can still be taken between the check and the bind: try another
  # (a port the caller asked for is tried once).
  local attempt
  for attempt in 1 2 3 4 5; do
    if as_pg "$pgbin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB $mode" \
      start >/dev/null; then
      break
    fi
    if [[ -n $asked ]] || ((attempt == 5)) || ! tail -n 20 "$data/server.log" | grep -q "could not bind\|Address already in use"; then
      tail -n 30 "$data/server.log" >&2; exit 1
    fi
    echo "localpg: port $port was taken, trying another" >&2
    port=$(free_port)
  done
  echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$dir/url"
  url
}

stop() {
  if running; then
    as_pg "$pgbin/pg_ctl" -D "$(datadir_of)" -m fast -w stop >/dev/null
  fi
}

url() { cat "$dir/url"; }

case $cmd in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) running ;;
  url) url ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
