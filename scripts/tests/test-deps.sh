#!/usr/bin/env bash
# scripts/deps.sh and PostgreSQL: any installed server >= 15 will do, and without one it
# asks apt for the distribution's metapackages, or the newest versioned server >= 15 (not
# a hard-coded postgresql-15). Stubs stand in for dpkg-query, apt-cache, apt-get and id,
# and OTA_PG_LIBDIR for /usr/lib/postgresql: nothing is installed, no network.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL test-deps: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin" "$tmp/none" "$tmp/with16/16/bin"
printf '#!/bin/sh\n' >"$tmp/with16/16/bin/pg_ctl"
# Every package is installed except PostgreSQL's (its server is what OTA_PG_LIBDIR says).
cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/sh
for a; do p=$a; done
case $p in postgresql*) exit 1 ;; *) printf 'install ok installed' ;; esac
EOF
cat >"$tmp/bin/apt-cache" <<'EOF'
#!/bin/sh
case $1 in
  depends) [ -n "$STUB_META" ] && printf 'postgresql\n  Depends: postgresql-%s\n  Suggests: postgresql-doc\n' "$STUB_META" ;;
  search) for m in $STUB_AVAILABLE; do echo "postgresql-$m - object-relational SQL database, version $m server"; done ;;
esac
exit 0
EOF
printf '#!/bin/sh\necho "$*" >> "%s/apt-get.log"\n' "$tmp" >"$tmp/bin/apt-get"
printf '#!/bin/sh\n[ "$1" = -u ] && { echo "$STUB_UID"; exit 0; }\nexec /usr/bin/id "$@"\n' >"$tmp/bin/id"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/swift"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/psql"
chmod +x "$tmp/bin/"* "$tmp/with16/16/bin/pg_ctl"

# deps LIBDIR UID META AVAILABLE: runs deps.sh; sets $rc, $out and $installed.
deps() {
  rm -f "$tmp/apt-get.log"
  rc=0
  out=$(PATH="$tmp/bin:$PATH" OTA_PG_LIBDIR=$tmp/$1 STUB_UID=$2 STUB_META=$3 STUB_AVAILABLE=$4 \
    "$root/scripts/deps.sh" 2>&1) || rc=$?
  installed=$(grep '^install' "$tmp/apt-get.log" 2>/dev/null || true)
}

deps with16 0 15 "15"
[[ $rc == 0 && -z $installed ]] || fail "a PostgreSQL 16 server is installed, yet: rc=$rc install='$installed' $out"

deps none 0 15 "15" # Debian 12
[[ $rc == 0 && $installed == *" postgresql postgresql-client" ]] || fail "Debian 12: rc=$rc install='$installed' $out"

deps none 0 17 "17" # Debian 13
[[ $rc == 0 && $installed == *" postgresql postgresql-client" ]] || fail "Debian 13: rc=$rc install='$installed' $out"

deps none 0 14 "14 15 16" # Ubuntu 22.04 with the PGDG repository
[[ $rc == 0 && $installed == *" postgresql-16 postgresql-client-16" ]] || fail "Ubuntu 22.04+PGDG: rc=$rc install='$installed' $out"

deps none 0 14 "14" # Ubuntu 22.04 alone
[[ $rc != 0 && -z $installed && $out == *PGDG* ]] || fail "no 15 available: rc=$rc install='$installed' $out"

deps none 1000 15 "15" # not root: the line to run
[[ $rc != 0 && -z $installed && $out == *"sudo apt-get install -y postgresql postgresql-client"* ]] \
  || fail "not root: rc=$rc install='$installed' $out"
echo "ok test-deps"
