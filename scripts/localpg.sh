#!/usr/bin/env bash
# A private PostgreSQL 15 for development and tests: its own data directory, socket
# directory and TCP port, owned by an unprivileged OS user when we run as root
# (initdb refuses root). Nothing outside the given directory is touched, except that a
# directory under /tmp is used when the unprivileged user cannot reach the work tree.
#
#   scripts/localpg.sh start DIR [PORT]   start (initialising on first use); prints the URL
#   scripts/localpg.sh stop DIR           stop it (fast shutdown)
#   scripts/localpg.sh url DIR            print the URL of a running cluster
set -euo pipefail

cmd=${1:?usage: localpg.sh start|stop|url DIR [PORT]}
dir=${2:?usage: localpg.sh start|stop|url DIR [PORT]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pgbin=""
for d in /usr/lib/postgresql/15/bin /usr/local/pgsql/bin; do
  [[ -x $d/pg_ctl ]] && { pgbin=$d; break; }
done
if [[ -z $pgbin ]]; then
  echo "localpg: PostgreSQL 15 server binaries not found (apt-get install postgresql-15)" >&2
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
  # A random unprivileged port that nothing answers on (bash's /dev/tcp, no extra tools).
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "localpg: no free port found" >&2; exit 1
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
    as_pg "$pgbin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    url; return
  fi
  [[ -n $port ]] || port=$(free_port)
  # Settings for a disposable development server: fast, not durable across a crash.
  as_pg "$pgbin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" \
    start >/dev/null || { tail -n 30 "$data/server.log" >&2; exit 1; }
  echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$dir/url"
  url
}

stop() {
  local data; data=$(datadir_of)
  if [[ -f $data/PG_VERSION ]] && as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

url() { cat "$dir/url"; }

case $cmd in
  start) start "${3:-}" ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: localpg.sh start|stop|url DIR [PORT]" >&2; exit 2 ;;
esac
