#!/usr/bin/env bash
# Checks the Debian packages the build, the tests and `make run` need. As root it installs
# the missing ones; otherwise it prints the one apt-get line to run and fails.
#   scripts/deps.sh [extra-package ...]
# PostgreSQL: any installed server 15 or newer will do (the newest is used, see
# localpg.sh); without one it installs the distribution's `postgresql` and
# `postgresql-client` when they are 15 or newer (Debian 12: 15), else the newest versioned
# postgresql-N >= 15 that apt knows (e.g. from the PGDG repository).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need=(pkg-config libpq-dev libssl-dev libqrencode-dev libcurl4-openssl-dev "$@")
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
pg_missing=""
if ! ota_pg_bindir >/dev/null || ! command -v psql >/dev/null 2>&1; then pg_missing=1; fi

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: the Swift 6.3 toolchain is not on PATH (see https://swift.org/install/linux)." >&2
  exit 1
fi

if ((${#missing[@]} == 0)) && [[ -z $pg_missing ]]; then exit 0; fi

# The PostgreSQL packages, from apt's package lists (refreshed first when we can).
pg_packages() {
  local pkgs
  if pkgs=$(ota_pg_packages "$(ota_pg_apt_meta_major)" "$(ota_pg_apt_majors)"); then
    echo "$pkgs"
  else
    echo "deps: apt offers no PostgreSQL 15 or newer; add the PGDG repository" \
      "(https://wiki.postgresql.org/wiki/Apt) and try again." >&2
    return 1
  fi
}

if [[ $(id -u) -eq 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  if [[ -n $pg_missing ]]; then
    pkgs=$(pg_packages) || exit 1
    read -ra pg <<<"$pkgs"; missing+=("${pg[@]}")
  fi
  echo "deps: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  if [[ -n $pg_missing ]]; then
    pkgs=$(pg_packages 2>/dev/null) || pkgs="postgresql postgresql-client"
    read -ra pg <<<"$pkgs"; missing+=("${pg[@]}")
  fi
  echo "deps: missing Debian packages. Run this once, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
