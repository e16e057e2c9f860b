#!/usr/bin/env bash
# scripts/localpg.sh: which PostgreSQL it picks (the newest >= 15, not a hard-coded 15),
# which packages scripts/deps.sh installs for one, and durability (issue 13): `make run`'s
# cluster is durable, even one made non-durable by an older version of the script; only
# --fast, which `make test` passes, trades durability for speed. One initdb, ~3 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. scripts/lib.sh
fail() { echo "FAIL test-localpg: $*" >&2; exit 1; }
tmp=$(mktemp -d)
pgdir=$root/.local/testpg-localpg-$$
cleanup() {
  scripts/localpg.sh stop "$pgdir" >/dev/null 2>&1 || true
  if [[ -f $pgdir/datadir ]]; then rm -rf "$(dirname "$(cat "$pgdir/datadir")")"; fi
  rm -rf "$pgdir" "$tmp"
}
ota_on_exit cleanup

# --- the server binaries: the newest major >= 15 that has pg_ctl ---
mkbin() { mkdir -p "$tmp/$1/bin" && printf '#!/bin/sh\n' >"$tmp/$1/bin/pg_ctl" && chmod +x "$tmp/$1/bin/pg_ctl"; }
mkbin a/13; mkbin a/15; mkbin a/16; mkbin a/9; mkdir -p "$tmp/a/17/bin" # 17 without pg_ctl
pick() { OTA_PG_LIBDIR=$tmp/$1 ota_pg_bindir; }
[[ $(pick a) == "$tmp/a/16/bin" ]] || fail "picked $(pick a || true), want 16 of 9 13 15 16"
mkbin b/100; mkbin b/15
[[ $(pick b) == "$tmp/b/100/bin" ]] || fail "compares majors as text: $(pick b || true)"
mkbin c/14; mkbin c/13
if out=$(pick c); then fail "accepted an old server: $out"; fi
grep -q 'postgresql/15' scripts/localpg.sh scripts/deps.sh && fail "PostgreSQL 15 is still hard-coded in localpg.sh or deps.sh"

# --- the packages deps.sh asks for ---
expect_pkgs() { # META AVAILABLE WANT
  local got; got=$(ota_pg_packages "$1" "$2") || got="(none)"
  [[ $got == "$3" ]] || fail "packages for meta=$1 available='$2': $got, want $3"
}
expect_pkgs 15 "15" "postgresql postgresql-client"  # Debian 12
expect_pkgs 17 "17" "postgresql postgresql-client"  # Debian 13
expect_pkgs 14 "14 15 16" "postgresql-16 postgresql-client-16" # Ubuntu 22.04 + PGDG
expect_pkgs "" "15" "postgresql-15 postgresql-client-15"
expect_pkgs 14 "13 14" "(none)"

# --- durability ---
show() { psql "$url" -qAt -c "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')"; }
url=$(scripts/localpg.sh start "$pgdir")
[[ $(show) == "on on on" ]] || fail "the default cluster (make run's) is not durable: $(show)"
scripts/localpg.sh stop "$pgdir"
# A cluster whose configuration says otherwise, as an older version or ALTER SYSTEM left it.
data=$(if [[ -f $pgdir/datadir ]]; then cat "$pgdir/datadir"; else echo "$pgdir/data"; fi)
for f in postgresql.conf postgresql.auto.conf; do
  printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$data/$f"
done
url=$(scripts/localpg.sh start "$pgdir")
[[ $(show) == "on on on" ]] || fail "a restart keeps the old non-durable configuration: $(show)"
scripts/localpg.sh stop "$pgdir"
url=$(scripts/localpg.sh start --fast "$pgdir")
[[ $(show) == "off off off" ]] || fail "--fast (make test's) is not the fast mode: $(show)"
scripts/localpg.sh status "$pgdir" || fail "status: not running"
# Still running fast (e.g. left over), then started the durable way: restarted durable.
url=$(scripts/localpg.sh start "$pgdir" 2>/dev/null)
[[ $(show) == "on on on" ]] || fail "a running fast cluster was kept for a durable start: $(show)"
scripts/localpg.sh stop "$pgdir"
if scripts/localpg.sh status "$pgdir"; then fail "status: still running after stop"; fi

# Who passes what: only make test's throwaway cluster is fast.
grep -q 'localpg.sh start --fast' scripts/test.sh || fail "scripts/test.sh does not start its cluster with --fast"
grep -q -- '--fast' scripts/run.sh && fail "scripts/run.sh must not use --fast"
echo "ok test-localpg"
