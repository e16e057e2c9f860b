#!/usr/bin/env bash
# `make clean` removes build products only (.build, .build-bench, the throwaway test
# clusters .local/testpg-*); the developer's database (.local/pg), virtualenv and QR key
# ring stay. `make distclean` removes .local as well. Runs the Makefile on a copy of it and
# scripts/ in a scratch directory; no PostgreSQL is started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL test-clean: $*" >&2; exit 1; }
tmp=$(mktemp -d)
outside=""
trap 'rm -rf "$tmp" $outside' EXIT

tree=$tmp/tree
outside=$(mktemp -d /tmp/ota-pg.XXXXXX)
mkdir -p "$tree" "$outside/data"
cp "$root/Makefile" "$tree/"
cp -r "$root/scripts" "$tree/"
cd "$tree"
mkdir -p .build/debug .build-bench .local/testpg-1/data .local/testpg-2 .local/pg/data .local/venv/bin
touch .build/debug/ota-gateway .local/venv/bin/python .local/qr-dev.env .local/pg/data/keep
# A test cluster whose data lives under /tmp (the unprivileged postgres user could not
# reach the work tree): that directory goes too.
echo "$outside/data" >.local/testpg-2/datadir

out=$(make -s clean 2>&1) || fail "make clean failed: $out"
for gone in .build .build-bench .local/testpg-1 .local/testpg-2 "$outside"; do
  [[ ! -e $gone ]] || fail "make clean left $gone"
done
for kept in .local/pg/data/keep .local/venv/bin/python .local/qr-dev.env; do
  [[ -e $kept ]] || fail "make clean removed $kept (the developer's data)"
done

out=$(make -s distclean 2>&1) || fail "make distclean failed: $out"
[[ ! -e .local ]] || fail "make distclean left .local: $(ls -A .local)"
echo "ok test-clean"
