#!/usr/bin/env bash
# Checks the Debian packages the build, the tests and `make run` need. As root it installs
# the missing ones; otherwise it prints the one apt-get line to run and fails.
#   scripts/deps.sh [extra-package ...]
set -euo pipefail

need=(pkg-config libpq-dev libssl-dev libqrencode-dev postgresql-15 postgresql-client-15 "$@")
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: the Swift 6.3 toolchain is not on PATH (see https://swift.org/install/linux)." >&2
  exit 1
fi

if ((${#missing[@]} == 0)); then exit 0; fi

if [[ $(id -u) -eq 0 ]]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing Debian packages. Run this once, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
